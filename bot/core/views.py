"""A conversation and its messages as channels and staff get them (JSON-ready dicts): what the
customer's channel sees (never notes, never raw metadata), what staff see."""

from __future__ import annotations

from typing import Any

from bot.handoff import REASONS
from bot.store.models import Conversation, Handoff, Message


def customer_view(message: Message) -> dict[str, Any]:
    """A stored message as the customer's channel gets it (never notes, never raw metadata)."""
    view: dict[str, Any] = {"id": message.id, "sender": message.sender, "text": message.text}
    for key in ("buttons", "image", "custom", "attachment", "template"):
        if key in message.payload and message.sender != "customer":
            view[key] = message.payload[key]
    if message.sender == "customer" and message.client_id:
        view["client_message_id"] = message.client_id  # the customer's own device's id for it
    view["created_at"] = message.created_at.isoformat()
    return view


def customer_state(conversation: Conversation) -> dict[str, Any]:
    """Where the conversation stands, as the customer may know it: who answers (the assistant, the
    queue, or a person, named), whether it was just resolved (a rating is asked for), and whether
    the team waits for an email address."""
    person = conversation.owner == "person" and conversation.assignee is not None
    return {
        "conversation": conversation.id,
        "owner": conversation.owner,
        "lifecycle": conversation.lifecycle,
        "agent": conversation.assignee.name if person else None,
        "awaiting_email": conversation.awaiting_email,
    }


def staff_view(message: Message) -> dict[str, Any]:
    return {**customer_view(message), "intent": message.intent, "payload": message.payload}


def conversation_view(conversation: Conversation, handoff: Handoff | None = None) -> dict[str, Any]:
    view = {
        "id": conversation.id,
        "channel": conversation.channel,
        # A web visitor is known only by a hashed cookie: show a readable name instead.
        "customer": conversation.customer.name
        or (f"Web visitor {conversation.customer.id}" if conversation.channel == "web" else None)
        or conversation.customer.external_id,
        "email": conversation.customer.email,
        "status": conversation.status,
        "owner": conversation.owner,
        "lifecycle": conversation.lifecycle,
        "assignee": conversation.assignee.name if conversation.assignee else None,
        "waiting_since": conversation.waiting_since and conversation.waiting_since.isoformat(),
        "last_message_at": conversation.last_message_at.isoformat(),
    }
    if handoff is not None:
        view["reason"] = REASONS.get(handoff.reason, handoff.reason)
        view["summary"] = handoff.summary
    return view
