"""Answering from the FAQ: by the recognised intent, by the closest question, or not at all."""

from __future__ import annotations

import pytest

from bot.knowledge.answers import FaqAnswerer


@pytest.fixture(scope="module")
def answerer(knowledge, faq_index):
    return FaqAnswerer(faq_index, knowledge.entries_by_intent)


def test_an_intent_the_faq_serves_gets_its_entry_whatever_the_words(answerer):
    answer = answerer.answer("yo how long till my stuff shows up", intent="delivery_period")
    assert answer.key == "delivery-times"


def test_within_an_intent_with_several_entries_the_words_decide(knowledge, faq_index):
    by_intent = {**knowledge.entries_by_intent, "check_payment_methods": {"payment-methods", "klarna"}}
    answerer = FaqAnswerer(faq_index, by_intent)
    assert answerer.answer("can I pay in instalments", intent="check_payment_methods").key == "klarna"
    assert answerer.answer("do you take apple pay", intent="check_payment_methods").key == "payment-methods"


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
        ("my parcel never showed up even though it says delivered", "lost-package"),
        ("is there a discount for students", "discounts"),
    ],
)
def test_questions_phrased_in_new_ways_find_their_entry(answerer, question, entry_id):
    answer = answerer.answer(question, intent="ask_question")
    assert (answer.key, answer.best_key) == (entry_id, entry_id), answer


@pytest.mark.parametrize(
    "question", ["what's the weather tomorrow", "tell me a joke", "recommend a movie", "how do I cook pasta"]
)
def test_unrelated_questions_get_no_answer_rather_than_a_wrong_one(answerer, question):
    answer = answerer.answer(question, intent="ask_question")
    assert not answer.answered and answer.key is None
