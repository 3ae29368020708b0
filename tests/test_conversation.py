"""Reading a conversation's history."""

from __future__ import annotations

import json

from bot.conversation import consecutive_fallbacks
from bot.summary import Turn, summarize, turns_from_tracker
from tests.conftest import FIXTURES


def events_of(name: str) -> list[dict]:
    return json.loads((FIXTURES / "trackers" / f"{name}.json").read_text())["events"]


def test_fallbacks_are_counted_back_to_the_last_understood_message():
    assert consecutive_fallbacks(events_of("two_fallbacks")) == 2
    assert consecutive_fallbacks(events_of("complaint")) == 0


def test_a_summary_says_in_words_what_was_asked_with_the_details_and_the_latest_messages():
    summary = summarize(turns_from_tracker(events_of("complaint")))
    assert summary == {
        "asked": ["asked where an order is", "made a complaint"],
        "intents": ["track_order", "complaint"],
        "entities": {"order_id": "AP-55821"},
        "last_messages": [
            {"from": "customer", "text": "where is order AP-55821"},
            {"from": "bot", "text": "You can follow order AP-55821 here."},
            {"from": "customer", "text": "this is the third time my order was wrong, I'm furious"},
        ],
    }


def test_a_summary_keeps_only_the_latest_messages():
    assert (
        len(summarize(turns_from_tracker(events_of("two_fallbacks")), last_messages=2)["last_messages"]) == 2
    )


def test_a_stored_transcript_is_summed_up_by_the_same_builder_small_talk_left_out():
    turns = [
        Turn("customer", "hi", "greet"),
        Turn("bot", "Hi! How can I help?"),
        Turn("customer", "how long does delivery take", "delivery_period"),
        Turn("customer", "a word the table has no words for", "some_new_intent"),
    ]
    summary = summarize(turns)
    assert summary["asked"] == ["asked how long delivery takes"]
    assert summary["intents"] == ["greet", "delivery_period", "some_new_intent"]


def test_every_intent_of_the_domain_has_words_for_staff():
    import yaml

    from bot.settings import PROJECT_DIR
    from bot.summary import INTENT_WORDS

    intents = set(yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())["intents"])
    small_talk = {"greet", "goodbye", "thank_you", "affirm", "deny", "bot_challenge"}
    assert intents - small_talk <= set(INTENT_WORDS), intents - small_talk - set(INTENT_WORDS)
