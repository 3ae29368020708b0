"""The JSON API channels use: hand in a customer's message, read what was sent back since. Replies
are shaped for what the named channel can show (bot.core.channels); a channel the core does not
know by name is polled and draws buttons and cards itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.channels import channel_view
from bot.core.intake import Duplicate, Incoming, MessageRejected
from bot.core.views import conversation_view
from bot.gateway.inputs import MAX_ROW_ID, BadInput, parse_json, row_id
from bot.gateway.keys import CHANNELS, CONVERSATIONS, CREDENTIALS, ROUTER
from bot.store.conversations import NotFound
from bot.store.credentials import Credential

OPENAPI = Path(__file__).with_name("openapi.json")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_-]*$")
    customer_id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1)
    name: str | None = Field(None, max_length=200)
    metadata: dict[str, Any] = Field(default_factory=dict)
    client_message_id: str | None = Field(None, min_length=1, max_length=100)


def error(status: int, message: str, **details: Any) -> web.Response:
    return web.json_response({"error": message, **details}, status=status)


async def _require_channel(request: web.Request) -> Credential:
    """Only integrations holding a credential may hand in or read messages, of their own channel."""
    sent = request.headers.get("Authorization", "")
    found = (
        await request.app[CREDENTIALS].find(sent.removeprefix("Bearer "))
        if sent.startswith("Bearer ")
        else None
    )
    if found is None:
        raise web.HTTPUnauthorized(
            text=json.dumps(
                {"error": "missing or wrong bearer token (Authorization: Bearer <channel token>)"}
            ),
            content_type="application/json",
        )
    return found


async def read_json(request: web.Request) -> Any:
    try:
        return parse_json(await request.read())
    except BadInput as problem:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": str(problem)}), content_type="application/json"
        ) from None


def invalid_fields(problem: ValidationError) -> web.Response:
    fields = [
        {"field": ".".join(str(part) for part in item["loc"]) or None, "problem": item["msg"]}
        for item in problem.errors()
    ]
    return error(400, "the message has missing or invalid fields", fields=fields)


async def post_message(request: web.Request) -> web.Response:
    """A customer's message from a channel; answers with the replies to send back right away."""
    credential = await _require_channel(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        return error(400, "the body must be a JSON object")
    try:
        message = MessageIn(**body)
    except ValidationError as problem:
        return invalid_fields(problem)
    if message.channel != credential.channel:
        return error(
            403, f"the credential {credential.name!r} may post to the {credential.channel!r} channel only"
        )
    capabilities = request.app[CHANNELS][message.channel].capabilities
    incoming = Incoming(
        message.channel,
        message.customer_id,
        message.text,
        message.metadata,
        message.name,
        message.client_message_id,
    )
    duplicate = False
    try:
        conversation, replies = await request.app[ROUTER].receive(incoming)
    except MessageRejected as rejected:
        return error(rejected.status, str(rejected))
    except Duplicate as again:
        conversation, replies, duplicate = again.conversation, again.replies, True
    return web.json_response(
        {
            "conversation": conversation_view(conversation),
            "replies": [channel_view(reply, capabilities) for reply in replies],
            "duplicate": duplicate,
        }
    )


async def conversation_messages(request: web.Request) -> web.Response:
    """Messages of a conversation after ``?after=<id>``: how a channel picks up staff replies."""
    credential = await _require_channel(request)
    conversation_id = row_id(request.match_info["conversation"])
    if conversation_id is None:
        return error(404, f"no conversation {request.match_info['conversation']}")
    after = request.query.get("after", "0")
    if after != "0" and row_id(after) is None:
        return error(400, f"'after' must be a message id (a whole number from 0 to {MAX_ROW_ID})")
    after = int(after)
    conversations = request.app[CONVERSATIONS]
    try:
        conversation = await conversations.get(conversation_id)
    except NotFound as missing:
        return error(404, str(missing))
    if conversation.channel != credential.channel:  # another channel's: as if there were none
        return error(404, f"no conversation {conversation_id}")
    messages = await conversations.messages(conversation_id, after=after)
    capabilities = request.app[CHANNELS][conversation.channel].capabilities
    return web.json_response(
        {
            "conversation": conversation_view(conversation),
            "messages": [channel_view(m, capabilities) for m in messages if m.sender != "customer"],
        }
    )


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(json.loads(OPENAPI.read_text()))
