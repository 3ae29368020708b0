"""The WhatsApp Cloud API webhook: Meta's verification handshake (GET), and updates (POST), each
signed with the app secret (X-Hub-Signature-256 over the raw body, checked by pywa): unsigned or
wrongly signed, 401 and nothing kept."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from pywa_async import WhatsApp, utils

from bot.channels import whatsapp
from bot.core.intake import Incoming
from bot.core.outbox import Sending
from bot.core.router import Router
from bot.gateway.inputs import json_object
from bot.gateway.keys import INBOUND, WHATSAPP
from bot.gateway.webhooks import take_in, with_media
from bot.store.media import MediaFiles

log = logging.getLogger(__name__)


def _configured(request: web.Request) -> WhatsApp:
    client = request.app.get(WHATSAPP)
    if client is None:
        raise web.HTTPNotFound(text="WhatsApp is not configured on this gateway")
    return client


async def verify(request: web.Request) -> web.Response:
    """Meta's handshake when the webhook is registered: the verify token back as the challenge."""
    client = _configured(request)
    if request.query.get("hub.mode") != "subscribe":
        raise web.HTTPBadRequest(text="expected hub.mode=subscribe")
    challenge, status = await client.webhook_challenge_handler(
        request.query.get("hub.verify_token"), request.query.get("hub.challenge")
    )
    return web.Response(text=challenge or "", status=status)


async def receive(request: web.Request) -> web.Response:
    client = _configured(request)
    body = await request.read()
    if await client.webhook_update_validator(body, request.headers.get(utils.HUB_SIG)) is not None:
        log.warning("refused a WhatsApp webhook from %s: missing or wrong signature", request.remote)
        raise web.HTTPUnauthorized(text="missing or wrong X-Hub-Signature-256")
    update = json_object(body)
    for event_id, single in whatsapp.events(update):
        await request.app[INBOUND].take(whatsapp.CHANNEL, event_id, single, whatsapp.sender_of(single))
    return web.Response(text="ok")


def handler(client: WhatsApp, router: Router, sending: Sending, media: MediaFiles):
    """What is done with one kept update, in the background."""

    async def fetch(attachment: dict[str, Any]) -> bytes:
        found = await client.get_media_url(attachment["media_id"])
        return await client.get_media_bytes(found.url)

    async def handle(update: dict[str, Any]) -> None:
        found = whatsapp.read(client, update)
        if isinstance(found, whatsapp.Status):
            await sending.reported(whatsapp.CHANNEL, found.external_id, found.status, found.error)
        elif isinstance(found, Incoming):
            await take_in(router, await with_media(found, fetch, media))

    return handle
