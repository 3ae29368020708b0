"""What a person taking over a conversation reads at a glance: what the customer asked, in words
("asked where an order is"), the details they gave, and the latest messages. One builder for both
places a handoff starts: the assistant (from Rasa's tracker events) and the gateway's core (from the
stored transcript)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# What each intent the assistant recognises means, as an agent would say it. Questions the FAQ
# answers are said with the FAQ's own question instead, where one is given (``describe``).
INTENT_WORDS = {
    "place_order": "wants to place an order",
    "cancel_order": "wants to cancel an order",
    "change_order": "wants to change an order",
    "track_order": "asked where an order is",
    "change_shipping_address": "wants to change a delivery address",
    "set_up_shipping_address": "wants to set up a delivery address",
    "delivery_options": "asked about delivery options",
    "delivery_period": "asked how long delivery takes",
    "check_payment_methods": "asked how to pay",
    "payment_issue": "has a problem with a payment",
    "check_refund_policy": "asked about the refund policy",
    "get_refund": "wants a refund",
    "track_refund": "asked where a refund is",
    "check_cancellation_fee": "asked about cancellation fees",
    "check_invoice": "asked about an invoice",
    "get_invoice": "wants an invoice",
    "create_account": "wants to open an account",
    "delete_account": "wants to close an account",
    "edit_account": "wants to change account details",
    "recover_password": "cannot sign in (password)",
    "registration_problems": "has trouble registering",
    "switch_account": "wants to switch accounts",
    "newsletter_subscription": "asked about the newsletter",
    "complaint": "made a complaint",
    "review": "wants to leave a review",
    "contact_customer_service": "asked how to reach customer service",
    "contact_human_agent": "asked for a person",
    "product_search": "looked for products",
    "ask_question": "asked a question about the shop",
    "inform": "gave an order number",
    "other_language": "wrote in another language",
    "out_of_scope": "asked something outside the shop",
    "nlu_fallback": "said something the assistant did not understand",
}
# Small talk says nothing about why the customer is here.
_SMALL_TALK = frozenset({"greet", "goodbye", "thank_you", "affirm", "deny", "bot_challenge"})


@dataclass(frozen=True)
class Turn:
    """One message of a conversation: who sent it, its text, and what the assistant understood."""

    sender: str  # "customer", "bot", "agent" or "system"
    text: str
    intent: str | None = None
    entities: dict[str, str] = field(default_factory=dict)


def describe_intent(intent: str) -> str | None:
    return INTENT_WORDS.get(intent)


def summarize(
    turns: Sequence[Turn], describe: Callable[[str], str | None] = describe_intent, last_messages: int = 6
) -> dict[str, Any]:
    """``asked``: what the customer asked, in words, in order; ``intents``: the same as intent names
    (for search); ``entities``: the details given; ``last_messages``: the latest messages."""
    intents: list[str] = []
    entities: dict[str, str] = {}
    for turn in turns:
        if turn.sender == "customer" and turn.intent and turn.intent not in intents:
            intents.append(turn.intent)
        entities.update(turn.entities)
    asked = [words for intent in intents if intent not in _SMALL_TALK and (words := describe(intent))]
    recent = [{"from": turn.sender, "text": turn.text} for turn in turns if turn.text]
    return {
        "asked": list(dict.fromkeys(asked)),
        "intents": intents,
        "entities": entities,
        "last_messages": recent[-last_messages:],
    }


def turns_from_tracker(events: Sequence[dict[str, Any]]) -> list[Turn]:
    """The customer's and the assistant's messages in Rasa tracker events (as JSON)."""
    turns = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            entities = {e["entity"]: str(e.get("value")) for e in parse.get("entities", [])}
            intent = (parse.get("intent") or {}).get("name")
            turns.append(Turn("customer", event.get("text") or "", intent, entities))
        elif kind == "bot" and event.get("text"):
            turns.append(Turn("bot", event["text"]))
    return turns
