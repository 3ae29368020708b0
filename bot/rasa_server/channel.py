"""The gateway's channel into Rasa: the REST channel, answering with what Rasa understood as well.

This module runs inside the Rasa server (Python 3.10, `.venv-rasa`), so it imports only the
standard library and Rasa; credentials.yml names it. The gateway posts

    {"sender": "c42", "message": "where is my order?", "metadata": {...}}

to `/webhooks/gateway/webhook` and gets back

    {"intent": "track_order", "messages": [<the bot's messages, as the REST channel sends them>]}

Only the gateway may post: it shows the secret the supervisor gave both processes
(``Authorization: Bearer <SUPPORTDESK_ASSISTANT_SECRET>``).

The message is understood once (NLU) and the dialogue runs on that very parse, so the intent kept in
the transcript is the one the assistant acted on. Rasa's stock REST channel returns only the
messages; the gateway then had to fetch the whole conversation back from Rasa for the intent, which
cost the Rasa server a tracker load for every message.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = structlog.get_logger()


def split_handoff(messages: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The replies for the customer, and apart from them the request for a person that
    action_handoff sent as a ``{"type": "handoff"}`` custom payload (the last one, if several)."""
    replies, handoff = [], None
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == "handoff":
            handoff = {key: value for key, value in custom.items() if key != "type"}
        else:
            replies.append(message)
    return replies, handoff


def _problem(body: Any) -> str | None:
    """What is wrong with a request body, or None."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    for field in ("sender", "message"):
        if not isinstance(body.get(field), str) or not body[field]:
            return f"'{field}' must be a non-empty string"
    if not isinstance(body.get("metadata", {}), dict):
        return "'metadata' must be an object"
    return None


SECRET_VARIABLE = "SUPPORTDESK_ASSISTANT_SECRET"


def _refusal(authorization: str | None) -> str | None:
    """Why a request is not the gateway's (it must show the secret the supervisor gave both), or
    None. Nothing else may talk to the assistant: not a page in a browser, not another process."""
    secret = os.environ.get(SECRET_VARIABLE)
    if not secret:
        return f"the gateway channel has no shared secret ({SECRET_VARIABLE} is not set)"
    sent = (authorization or "").removeprefix("Bearer ")
    if not hmac.compare_digest(sent.encode(), secret.encode()):
        return "missing or wrong shared secret"
    return None


class GatewayInput(InputChannel):
    """Rasa's side of the gateway's channel."""

    @classmethod
    def name(cls) -> str:
        return "gateway"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("supportdesk_gateway", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if refusal := _refusal(request.headers.get("Authorization")):
                return response.json({"error": refusal}, status=401)
            try:
                body = request.json
            except Exception:
                body = None
            if problem := _problem(body):
                return response.json({"error": problem}, status=400)
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"error": "no model is loaded"}, status=503)
            text = body["message"]
            parse_data = await agent.parse_message(text)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text,
                collector,
                body["sender"],
                input_channel=self.name(),
                metadata=body.get("metadata") or {},
                parse_data=parse_data,
            )
            try:
                await on_new_message(message)
            except Exception:
                log.exception("gateway.message.failure", sender=body["sender"])
            intent = (parse_data.get("intent") or {}).get("name")
            replies, handoff = split_handoff(collector.messages)
            return response.json({"intent": intent, "messages": replies, "handoff": handoff})

        return webhook
