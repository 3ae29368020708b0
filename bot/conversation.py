"""Reading a conversation's history (Rasa tracker events, as JSON) for the assistant's decisions:
how many messages in a row it did not understand, and what it nearly understood."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TrackerEvent = dict[str, Any]
FALLBACK_INTENT = "nlu_fallback"
# The least confidence an intent needs to be offered as "did you mean" to the customer.
CLOSE_ENOUGH = 0.15


def _intent(event: TrackerEvent) -> str | None:
    return (event.get("parse_data") or {}).get("intent", {}).get("name")


def consecutive_fallbacks(events: Sequence[TrackerEvent]) -> int:
    """How many of the customer's latest messages in a row the assistant did not understand."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if _intent(event) != FALLBACK_INTENT:
            break
        count += 1
    return count


def close_intents(ranking: list[dict[str, Any]], answerable: set[str], count: int = 2) -> list[str]:
    """When a message was not understood, the intents it was nearly understood as: the classifier's
    top `count`, if each is one the assistant can answer and each has at least a fair share of the
    confidence (CLOSE_ENOUGH); else none, and the customer is simply asked to rephrase."""
    ranked = [item for item in ranking if item.get("name") != FALLBACK_INTENT][:count]
    if len(ranked) < count:
        return []
    if all(item["name"] in answerable and item.get("confidence", 0.0) >= CLOSE_ENOUGH for item in ranked):
        return [item["name"] for item in ranked]
    return []
