"""Answering from the FAQ by intent, by the closest question, or not at all."""

from __future__ import annotations

import pytest

from bot.knowledge.answers import FaqAnswerer


@pytest.fixture(scope="module")
def answerer(knowledge):
    return FaqAnswerer(knowledge)


def test_an_intent_the_faq_serves_gets_its_entry_whatever_the_words(answerer):
    answer = answerer.answer("yo how long till my stuff shows up", intent="delivery_period")
    assert answer.entry.id == "delivery-times" and answer.confidence == 1.0


@pytest.mark.parametrize(
    ("question", "entry_id"),
    [
        ("is my jacket under warranty", "warranty"),
        ("when does the portland shop open", "store-hours"),
        ("can you fix my backpack", "repairs"),
        ("do you match prices from other shops", "price-match"),
        ("can I buy a gift voucher", "gift-cards"),
        ("how do I wash a rain jacket", "product-care"),
        ("what is your address", "store-location"),
        ("the item arrived broken", "damaged-or-wrong-item"),
    ],
)
def test_questions_phrased_in_new_ways_find_their_entry(answerer, question, entry_id):
    answer = answerer.answer(question, intent="ask_question")
    assert answer.answered and answer.entry.id == entry_id


@pytest.mark.parametrize(
    "question", ["what's the weather tomorrow", "tell me a joke", "recommend a movie", "how do I cook pasta"]
)
def test_unrelated_questions_get_no_answer_rather_than_a_wrong_one(answerer, question):
    assert not answerer.answer(question, intent="ask_question").answered
