"""Reading a conversation's history (Rasa tracker events, as JSON) for decisions and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Event = dict[str, Any]
FALLBACK_INTENT = "nlu_fallback"


def _intent(event: Event) -> str | None:
    return (event.get("parse_data") or {}).get("intent", {}).get("name")


def consecutive_fallbacks(events: Sequence[Event]) -> int:
    """How many of the customer's latest messages in a row the assistant did not understand."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if _intent(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


def summarize(events: Sequence[Event], last_messages: int = 6) -> dict[str, Any]:
    """What a person taking over needs at a glance: intents so far, entities, the latest messages."""
    intents: list[str] = []
    entities: dict[str, str] = {}
    messages: list[dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":
            intent = _intent(event)
            if intent and intent not in intents:
                intents.append(intent)
            for entity in (event.get("parse_data") or {}).get("entities", []):
                entities[entity["entity"]] = str(entity.get("value"))
            messages.append({"from": "customer", "text": event.get("text") or ""})
        elif kind == "bot" and event.get("text"):
            messages.append({"from": "bot", "text": event["text"]})
    return {"intents": intents, "entities": entities, "last_messages": messages[-last_messages:]}
