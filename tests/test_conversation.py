"""Reading a conversation's history."""

from __future__ import annotations

import json

from bot.conversation import consecutive_fallbacks, summarize
from tests.conftest import FIXTURES


def events_of(name: str) -> list[dict]:
    return json.loads((FIXTURES / "trackers" / f"{name}.json").read_text())["events"]


def test_fallbacks_are_counted_back_to_the_last_understood_message():
    assert consecutive_fallbacks(events_of("two_fallbacks")) == 2
    assert consecutive_fallbacks(events_of("complaint")) == 0


def test_a_summary_lists_intents_entities_and_the_latest_messages():
    summary = summarize(events_of("complaint"))
    assert summary == {
        "intents": ["track_order", "complaint"],
        "entities": {"order_id": "AP-55821"},
        "last_messages": [
            {"from": "customer", "text": "where is order AP-55821"},
            {"from": "bot", "text": "You can follow order AP-55821 here."},
            {"from": "customer", "text": "this is the third time my order was wrong, I'm furious"},
        ],
    }


def test_a_summary_keeps_only_the_latest_messages():
    assert len(summarize(events_of("two_fallbacks"), last_messages=2)["last_messages"]) == 2
