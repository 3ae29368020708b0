"""The web chat: a customer's page and its WebSocket. The customer is known by a random cookie;
only its hash is stored, and a socket only ever sees its own conversation."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web

from bot.core.channels import Capabilities, channel_view
from bot.core.intake import Incoming, MessageRejected
from bot.gateway.auth import same_origin
from bot.gateway.hub import Hub
from bot.gateway.inputs import BadInput, parse_json
from bot.gateway.keys import CONVERSATIONS, HUB, KNOWLEDGE, ROUTER, SETTINGS
from bot.store.models import Message

VISITOR_COOKIE = "sd_visitor"
CHANNEL = "web"


class WebChat:
    """The web chat as a channel of the core: it draws buttons and product cards, and reaches the
    customer over every chat socket open on their conversation."""

    capabilities = Capabilities()

    def __init__(self, hub: Hub):
        self._hub = hub

    async def deliver(self, conversation_id: int, message: dict[str, Any]) -> None:
        await self._hub.to_customer(conversation_id, {"type": "message", "message": message})


def _view(message: Message) -> dict[str, Any]:
    return channel_view(message, WebChat.capabilities)


def _visitor(request: web.Request) -> str | None:
    token = request.cookies.get(VISITOR_COOKIE)
    return hashlib.sha256(token.encode()).hexdigest()[:40] if token else None


async def page(request: web.Request) -> web.Response:
    response = aiohttp_jinja2.render_template("chat.html", request, {"shop": request.app[KNOWLEDGE].shop})
    if not request.cookies.get(VISITOR_COOKIE):
        response.set_cookie(
            VISITOR_COOKIE,
            secrets.token_urlsafe(32),
            httponly=True,
            secure=request.app[SETTINGS].secure_cookies,
            samesite="Lax",
            max_age=90 * 24 * 3600,
        )
    return response


async def socket(request: web.Request) -> web.WebSocketResponse:
    visitor = _visitor(request)
    if visitor is None or not same_origin(request):
        raise web.HTTPForbidden(text="open the chat page first")
    conversations, hub, router = request.app[CONVERSATIONS], request.app[HUB], request.app[ROUTER]
    ws = web.WebSocketResponse(heartbeat=hub.HEARTBEAT)
    await ws.prepare(request)
    conversation = await conversations.open_for(CHANNEL, visitor, idle_before=router.idle_before())
    hub.add_customer(ws, conversation.id)
    try:
        history = await conversations.messages(conversation.id)
        await ws.send_json({"type": "history", "messages": [_view(m) for m in history]})
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            try:
                data = parse_json(frame.data)
                text = data["text"] if isinstance(data, dict) and isinstance(data.get("text"), str) else None
            except BadInput:
                text = None
            if text is None:
                await ws.send_json({"type": "error", "error": 'send {"text": "..."}'})
                continue
            try:
                now_in, replies = await router.receive(
                    Incoming(CHANNEL, visitor, text, {"page": request.headers.get("Referer")})
                )
            except MessageRejected as rejected:
                await ws.send_json({"type": "error", "error": str(rejected)})
                continue
            if now_in.id != conversation.id:
                # The old conversation had closed: this message started a new one. Follow it, and
                # send what was said before this socket was listening to it.
                hub.remove_customer(ws, conversation.id)
                conversation = now_in
                hub.add_customer(ws, conversation.id)
                for reply in replies:
                    await ws.send_json({"type": "message", "message": _view(reply)})
    finally:
        hub.remove_customer(ws, conversation.id)
    return ws
