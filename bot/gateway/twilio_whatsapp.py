"""Twilio's webhooks for WhatsApp: incoming messages, and the delivery callbacks of ours; each
signed by Twilio (X-Twilio-Signature, checked with the auth token): unsigned or wrongly signed,
401 and nothing kept."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels import twilio_whatsapp as twilio
from bot.core.outbox import Sending
from bot.core.router import Router
from bot.gateway.keys import INBOUND, SETTINGS
from bot.gateway.webhooks import downloading, take_in, with_media
from bot.settings import Settings
from bot.store.media import MediaFiles

log = logging.getLogger(__name__)
# What Twilio is answered: nothing for it to send (replies go through the outbox).
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


async def _signed_form(request: web.Request) -> dict[str, str]:
    settings = request.app[SETTINGS]
    if not settings.twilio_enabled:
        raise web.HTTPNotFound(text="Twilio is not configured on this gateway")
    form = {key: str(value) for key, value in (await request.post()).items()}
    url = twilio.called_url(request, settings.public_url)
    if not twilio.signed(settings.twilio_auth_token, url, form, request.headers.get("X-Twilio-Signature")):
        log.warning(
            "refused a Twilio webhook from %s: missing or wrong signature for %s", request.remote, url
        )
        raise web.HTTPUnauthorized(text="missing or wrong X-Twilio-Signature")
    if not form.get("MessageSid"):
        raise web.HTTPBadRequest(text="the form has no MessageSid")
    return form


async def receive(request: web.Request) -> web.Response:
    form = await _signed_form(request)
    if not form.get("From"):
        raise web.HTTPBadRequest(text="the form has no From")
    await request.app[INBOUND].take(twilio.CHANNEL, form["MessageSid"], {"message": form}, form["From"])
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


async def status(request: web.Request) -> web.Response:
    form = await _signed_form(request)
    reported = form.get("MessageStatus") or form.get("SmsStatus") or ""
    if reported in twilio.STATUSES:
        event = f"{form['MessageSid']}:{reported}"
        await request.app[INBOUND].take(twilio.CHANNEL, event, {"status": form})
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


def handler(
    router: Router, sending: Sending, http: aiohttp.ClientSession, settings: Settings, media: MediaFiles
):
    # Twilio's media URLs need the account's credentials (and redirect to where the file is).
    fetch = downloading(http, auth=aiohttp.BasicAuth(settings.twilio_account_sid, settings.twilio_auth_token))

    async def handle(event: dict[str, Any]) -> None:
        if "message" in event:
            await take_in(router, await with_media(twilio.read(event["message"]), fetch, media))
        else:
            form = event["status"]
            error = f"Twilio error {form['ErrorCode']}" if form.get("ErrorCode") else ""
            await sending.reported(
                twilio.CHANNEL,
                form["MessageSid"],
                twilio.STATUSES[form.get("MessageStatus") or form.get("SmsStatus")],
                error,
            )

    return handle
