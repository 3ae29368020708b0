"""The website chat widget's endpoints: its script, a visitor's session, its WebSocket, and the
HTTP fallback for where WebSockets are blocked.

A visitor is known by the conversation token the gateway signed for them (``bot.gateway.visitors``),
never by a channel credential. Pages of the gateway's own origin, and the shops' sites named in
SUPPORTDESK_ALLOWED_ORIGINS, may use these endpoints (CORS, and the WebSocket's Origin check);
the token travels in the request (a header, or the socket's first frame), never in a cookie, so
another site cannot make a visitor's browser speak for them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web

from bot.core.channels import channel_view
from bot.core.intake import Duplicate, Incoming, MessageRejected
from bot.core.views import customer_state
from bot.gateway.chat import CHANNEL, WebChat
from bot.gateway.inputs import BadInput, parse_json, row_id
from bot.gateway.keys import CONVERSATIONS, HUB, ROUTER, SETTINGS, VISITOR_TOKENS
from bot.gateway.visitors import ANONYMOUS, IDENTIFIED, IdentityRefused, verified_identity
from bot.store.models import Conversation, Message

log = logging.getLogger(__name__)
SCRIPT = Path(__file__).with_name("static") / "widget" / "supportdesk.js"
PREFIX = "/widget/v1/"
# A socket that has not shown its token this soon after opening is closed.
HELLO_SECONDS = 10.0
MAX_CLIENT_ID = 100


class Refused(Exception):
    """The widget's request cannot be served; ``status`` and the message say why."""

    def __init__(self, status: int, message: str, **details: Any):
        super().__init__(message)
        self.status, self.details = status, details


def _json_error(refused: Refused) -> web.Response:
    return web.json_response({"error": str(refused), **refused.details}, status=refused.status)


# --- which sites may use the widget's endpoints -------------------------------------------------


def origin_allowed(request: web.Request) -> bool:
    """No Origin (not a browser), the gateway's own pages, or a shop's site the settings name."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    if urlsplit(origin).netloc == request.host:
        return True
    return origin.rstrip("/").lower() in request.app[SETTINGS].origins_allowed


def _other_site_refused() -> Refused:
    return Refused(
        403,
        "this site may not use the chat: add its origin to SUPPORTDESK_ALLOWED_ORIGINS on the gateway",
    )


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let the shops' sites read the widget's answers (and nobody else's pages)."""
    origin = request.headers.get("Origin")
    if request.path.startswith(PREFIX) and origin and origin_allowed(request):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"


async def preflight(request: web.Request) -> web.Response:
    if not origin_allowed(request):
        return _json_error(_other_site_refused())
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, POST",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
        },
    )


def setup_widget_cors(app: web.Application) -> None:
    app.on_response_prepare.append(add_cors_headers)


# --- the script --------------------------------------------------------------------------------


async def script(request: web.Request) -> web.FileResponse:
    """The widget: one dependency-free file a shop puts on its pages with a script tag."""
    return web.FileResponse(
        SCRIPT,
        headers={"Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=300"},
    )


# --- sessions ----------------------------------------------------------------------------------


def _json(text: str | bytes) -> Any:
    """What a request body or a socket frame says; Refused naming why it cannot be read."""
    try:
        return parse_json(text)
    except BadInput as bad:
        raise Refused(400, str(bad)) from None


async def _body(request: web.Request) -> dict[str, Any]:
    body = _json(await request.read() or b"{}")
    if not isinstance(body, dict):
        raise Refused(400, "send a JSON object")
    return body


async def session(request: web.Request) -> web.Response:
    """A visitor's conversation token: the one they have, kept; a new one for a new visitor or for
    "start over"; one for the shop's signed-in customer when the shop signed their id."""
    try:
        if not origin_allowed(request):
            raise _other_site_refused()
        body = await _body(request)
        return web.json_response(await _session(request, body))
    except Refused as refused:
        return _json_error(refused)


async def _session(request: web.Request, body: dict[str, Any]) -> dict[str, Any]:
    app = request.app
    settings, tokens = app[SETTINGS], app[VISITOR_TOKENS]
    held = tokens.visitor(body.get("token") if isinstance(body.get("token"), str) else None)
    fresh = body.get("fresh") is True
    name = None
    if body.get("identity") is not None:
        try:
            identity = verified_identity(settings.widget_identity_secret, body["identity"])
        except IdentityRefused as refused:
            log.warning("web chat: identity refused (from %s): %s", request.remote, refused)
            raise Refused(403, str(refused), identity="refused") from None
        visitor, name = IDENTIFIED + identity.identifier, identity.name
        await app[CONVERSATIONS].identify(CHANNEL, visitor, identity.name, identity.email)
        token = tokens.issue(visitor)
    elif settings.widget_identity_required:
        raise _identity_required()
    elif held is not None and held.startswith(ANONYMOUS) and not fresh:
        visitor, token = held, tokens.issue(held)
    else:
        visitor, token = tokens.new_anonymous()
    if fresh:
        await _start_over(request, held if held and held.startswith(ANONYMOUS) else visitor)
    return {
        "token": token,
        "customer": "identified" if visitor.startswith(IDENTIFIED) else "anonymous",
        "name": name,
    }


async def _start_over(request: web.Request, visitor: str) -> None:
    """Close the visitor's conversation with the assistant, so the next message starts a new one;
    one with a person, or waiting for one, goes on (refused, for a signed-in customer, whose
    conversation it is on every device)."""
    router = request.app[ROUTER]
    latest = await request.app[CONVERSATIONS].latest_for(CHANNEL, visitor)
    if latest is None or await router.start_over(latest):
        return
    if visitor.startswith(IDENTIFIED):
        raise Refused(409, "a person from our team is looking after this conversation: it goes on")


def _visitor_from_header(request: web.Request) -> str:
    if not origin_allowed(request):
        raise _other_site_refused()
    sent = request.headers.get("Authorization", "")
    visitor = (
        request.app[VISITOR_TOKENS].visitor(sent.removeprefix("Bearer "))
        if sent.startswith("Bearer ")
        else None
    )
    if visitor is None:
        raise Refused(
            401, "missing or wrong conversation token (Authorization: Bearer <token>): start a session"
        )
    _check_identity_rule(request, visitor)
    return visitor


def _identity_required() -> Refused:
    return Refused(403, "sign in to the shop to chat with us", identity="required")


def _check_identity_rule(request: web.Request, visitor: str) -> None:
    if request.app[SETTINGS].widget_identity_required and not visitor.startswith(IDENTIFIED):
        raise _identity_required()


# --- what the widget gets ----------------------------------------------------------------------


def _view(message: Message) -> dict[str, Any]:
    return channel_view(message, WebChat.capabilities)


async def _conversation(request: web.Request, visitor: str) -> Conversation:
    router = request.app[ROUTER]
    return await request.app[CONVERSATIONS].open_for(CHANNEL, visitor, idle_before=router.idle_before())


async def _since(request: web.Request, conversation_id: int, after: int) -> dict[str, Any]:
    conversations = request.app[CONVERSATIONS]
    messages = await conversations.messages(conversation_id, after=after)
    state = customer_state(await conversations.get(conversation_id))
    return {"messages": [_view(message) for message in messages], "state": state}


def _incoming(request: web.Request, visitor: str, data: Any) -> Incoming:
    """A message the widget sent ({text, client_message_id}), or Refused naming what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise Refused(400, 'send {"text": "...", "client_message_id": "..."}')
    client_id = data.get("client_message_id")
    if client_id is not None and (not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID):
        raise Refused(400, f"client_message_id must be text of 1 to {MAX_CLIENT_ID} characters")
    page = data.get("page") if isinstance(data.get("page"), str) else request.headers.get("Referer")
    metadata: dict[str, Any] = {"page": (page or "")[:500]}
    if visitor.startswith(IDENTIFIED):
        # The shop vouched for this customer (their signed id): what order look-ups may trust.
        metadata["verified_customer_id"] = visitor.removeprefix(IDENTIFIED)
    return Incoming(CHANNEL, visitor, data["text"], metadata, client_message_id=client_id)


async def _receive(request: web.Request, incoming: Incoming) -> Conversation:
    """Hand the message to the core; the conversation it is in (a new one if the last had closed)."""
    try:
        conversation, _ = await request.app[ROUTER].receive(incoming)
    except Duplicate as duplicate:
        return duplicate.conversation
    except MessageRejected as rejected:
        raise Refused(rejected.status, str(rejected)) from None
    return conversation


def _after(value: Any) -> int:
    if value in (None, "", 0, "0"):
        return 0
    number = row_id(str(value))
    if number is None:
        raise Refused(400, "after must be the id of a message")
    return number


async def poll(request: web.Request) -> web.Response:
    """GET: the messages after ``?after=`` and where the conversation stands (the HTTP fallback)."""
    try:
        visitor = _visitor_from_header(request)
        conversation = await _conversation(request, visitor)
        return web.json_response(await _since(request, conversation.id, _after(request.query.get("after"))))
    except Refused as refused:
        return _json_error(refused)


async def post(request: web.Request) -> web.Response:
    """POST {text, client_message_id, after}: the message handed in (once, however often it is
    sent), then what ``poll`` gives: the customer's own message and the replies among it."""
    try:
        visitor = _visitor_from_header(request)
        body = await _body(request)
        after = _after(body.get("after"))
        conversation = await _receive(request, _incoming(request, visitor, body))
        return web.json_response(await _since(request, conversation.id, after))
    except Refused as refused:
        return _json_error(refused)


# --- the WebSocket -----------------------------------------------------------------------------


async def _hello(ws: web.WebSocketResponse, request: web.Request) -> str:
    """The visitor, from the socket's first frame ({"type": "hello", "token": ...})."""
    try:
        frame = await ws.receive(timeout=HELLO_SECONDS)
    except TimeoutError:
        raise Refused(401, "no conversation token sent") from None
    try:
        data = parse_json(frame.data) if frame.type == WSMsgType.TEXT else None
    except BadInput:
        data = None
    token = data.get("token") if isinstance(data, dict) and data.get("type") == "hello" else None
    visitor = request.app[VISITOR_TOKENS].visitor(token if isinstance(token, str) else None)
    if visitor is None:
        raise Refused(401, "missing or wrong conversation token: start a session")
    _check_identity_rule(request, visitor)
    return visitor


async def socket(request: web.Request) -> web.WebSocketResponse:
    """The widget's live connection: history and state first, then messages both ways."""
    if not origin_allowed(request):
        raise web.HTTPForbidden(text=str(_other_site_refused()))
    hub = request.app[HUB]
    ws = web.WebSocketResponse(heartbeat=hub.HEARTBEAT, max_msg_size=64 * 1024)
    await ws.prepare(request)
    try:
        visitor = await _hello(ws, request)
    except Refused as refused:
        await ws.send_json({"type": "refused", "error": str(refused), **refused.details})
        await ws.close()
        return ws
    conversation = await _conversation(request, visitor)
    hub.add_customer(ws, conversation.id)
    try:
        await ws.send_json({"type": "history", **(await _since(request, conversation.id, 0))})
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            data: Any = None
            try:
                data = _json(frame.data)
                incoming = _incoming(request, visitor, data)
                now_in = await _receive(request, incoming)
            except Refused as refused:
                sent_id = data.get("client_message_id") if isinstance(data, dict) else None
                await ws.send_json(
                    {
                        "type": "error",
                        "error": str(refused),
                        "client_message_id": sent_id if isinstance(sent_id, str) else None,
                    }
                )
                continue
            await ws.send_json({"type": "ack", "client_message_id": incoming.client_message_id})
            if now_in.id != conversation.id:
                # The old conversation had closed: this message started a new one. Follow it, and
                # send all of it, said before this socket listened to it.
                hub.remove_customer(ws, conversation.id)
                conversation = now_in
                hub.add_customer(ws, conversation.id)
                await ws.send_json({"type": "history", **(await _since(request, conversation.id, 0))})
    finally:
        hub.remove_customer(ws, conversation.id)
    return ws
