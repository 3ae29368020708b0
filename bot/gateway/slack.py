"""Slack's ways in: the Events API and interactivity over HTTP (each request signed with the
signing secret, its timestamp within five minutes: else 401 and nothing kept), and Socket Mode for
a gateway without a public address (an outbound WebSocket Slack delivers the same payloads on).
Every delivery is acknowledged at once and handled in the background, once."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import slack
from bot.core.router import Router
from bot.gateway.inputs import json_object
from bot.gateway.keys import INBOUND, SETTINGS, SLACK
from bot.gateway.webhooks import Inbound, downloading, take_in, with_media
from bot.store.media import MediaFiles

log = logging.getLogger(__name__)


async def _signed_body(request: web.Request) -> bytes:
    settings = request.app[SETTINGS]
    if not (settings.slack_enabled and settings.slack_signing_secret):
        raise web.HTTPNotFound(text="Slack's Events API is not configured on this gateway")
    body = await request.read()
    if not slack.signed(settings.slack_signing_secret, body, request.headers):
        log.warning("refused a Slack request from %s: missing, wrong or stale signature", request.remote)
        raise web.HTTPUnauthorized(text="missing, wrong or stale X-Slack-Signature")
    return body


async def events(request: web.Request) -> web.Response:
    """The Events API: the URL check when the app is set up, then events."""
    body = await _signed_body(request)
    payload = json_object(body)
    if payload.get("type") == "url_verification":
        return web.json_response({"challenge": payload.get("challenge", "")})
    await take(request.app[INBOUND], payload)
    return web.Response(status=200)


async def interactions(request: web.Request) -> web.Response:
    """Interactivity: a click on one of our Block Kit buttons (form field ``payload``, JSON)."""
    body = await _signed_body(request)
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
    except (KeyError, IndexError, ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="expected a form with a JSON 'payload' field") from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(text="the payload must be a JSON object")
    await take(request.app[INBOUND], payload)
    return web.Response(status=200)


async def take(inbound: Inbound, payload: dict[str, Any]) -> None:
    for event_id, event in slack.events(payload):
        await inbound.take(slack.CHANNEL, event_id, event, slack.sender_of(event))


def handler(
    router: Router, client: AsyncWebClient, http: aiohttp.ClientSession, token: str, media: MediaFiles
):
    names: dict[str, str | None] = {}

    # Slack's file addresses need the bot's token (and its files:read scope).
    fetch = downloading(http, headers={"Authorization": f"Bearer {token}"})

    async def name_of(user: str) -> str | None:
        """The person's name as their Slack profile gives it, for the inbox (asked once each)."""
        if user not in names:
            try:
                profile = (await client.users_info(user=user)).get("user") or {}
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as problem:
                log.warning("Slack did not say who %s is: %r", user, problem)
                return None
            names[user] = profile.get("real_name") or profile.get("name") or None
        return names[user]

    async def handle(event: dict[str, Any]) -> None:
        incoming = slack.read(event)
        if incoming is not None and (incoming.text or incoming.attachment):
            user = incoming.customer_id.rpartition(":")[2]
            incoming = await with_media(replace(incoming, name=await name_of(user)), fetch, media)
            await take_in(router, incoming)

    return handle


async def socket_mode(app: web.Application) -> AsyncIterator[None]:
    """With SUPPORTDESK_SLACK_APP_TOKEN: connect to Slack by Socket Mode for as long as the gateway
    runs (slack_sdk reconnects when the connection drops)."""
    settings = app[SETTINGS]
    if not (settings.slack_enabled and settings.slack_app_token):
        yield
        return
    client = SocketModeClient(app_token=settings.slack_app_token, web_client=app[SLACK])

    async def listener(connection: SocketModeClient, request: SocketModeRequest) -> None:
        # Acknowledged first: Slack resends what is not acknowledged within three seconds.
        await connection.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if request.type in ("events_api", "interactive"):
            await take(app[INBOUND], request.payload)

    client.socket_mode_request_listeners.append(listener)
    try:
        await client.connect()
    except Exception:  # the gateway serves the other channels; the check-channels command says why
        log.exception("connecting to Slack by Socket Mode failed")
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await client.close()
