"""Recommending products from the catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.questions import other_answers
from bot.knowledge.products import Recommendation
from bot.knowledge.questions import is_shopping
from bot.knowledge.shopping import answer_shopper, asks_by_need, read_reference_of, refines_a_request
from bot.knowledge.shopping_state import REQUEST_SLOT, SHOWN_SLOT


def product_card(recommendation: Recommendation) -> dict[str, Any]:
    product = recommendation.product
    return {
        "id": product.id,
        "name": product.name,
        "price": str(product.price),
        "currency": product.currency,
        "image": product.image_url,
        "in_stock": product.in_stock,
        "url": product.url,
        "why": recommendation.why,
    }


def is_for_product_search(tracker: Tracker, not_understood: bool = False) -> bool:
    """Whether the message asks about products the catalog names ("is the Stormline in stock?") or
    is someone choosing a kind of product to buy (``is_shopping``), read with the catalog's own
    words, so even when Rasa took it for an FAQ question or a complaint the product answer is
    given. When Rasa did not understand it or found it off-topic (``not_understood``), also a
    message that only refines the shopping request under way ("in navy", "the cheapest?"), is made
    of catalog words alone ("a beanie"), or asks to buy something the catalog has no word
    for ("do you sell GPS watches?": the answer says the shop does not carry it)."""
    text = tracker.latest_message.get("text") or ""
    finder = shop.product_finder()
    said = finder.parser.parse(text)
    if (said.question and said.products) or is_shopping(said):
        # Shopping, whatever else Rasa heard in it: "What jacket should I get for my first winter
        # hike?", "not a refund, I want a waterproof jacket".
        return True
    previous = tracker.get_slot(REQUEST_SLOT)
    listed = previous.get("listed") if isinstance(previous, dict) else None
    if listed and read_reference_of(said, listed):
        return True  # "how much is it?", "is the second one waterproof?" about what was just shown
    if not not_understood:
        return False
    names_catalog = (said.category or said.kinds or said.product or said.brand) and not said.unknown
    # "do you sell GPS watches?": a shopping request for something the catalog has no word for.
    # ... or a short question naming a thing ("gps watch w/ maps?").
    short_question = said.thing_first and text.rstrip().endswith("?") and len(text.split()) <= 6
    asks_for_other_things = (said.wants and bool(said.unknown)) or (
        bool(said.thing) and not said.head_known and (said.wants or short_question)
    )
    shown = tracker.get_slot(SHOWN_SLOT) or []
    return bool(
        names_catalog
        or asks_for_other_things
        or refines_a_request(said, previous, shown)
        or asks_by_need(finder, said)
    )


class ActionOutOfScope(Action):
    """Off-topic as Rasa reads it; unless the catalog's own words say it is about products."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_for_product_search(tracker, not_understood=True):
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


class ActionRecommendProducts(Action):
    """A shopping message answered: up to three fitting, in-stock products as cards plus a
    plain-text version, an answer about named products, or that the shop does not sell it."""

    def name(self) -> str:
        return "action_recommend_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return recommend(dispatcher, tracker, answered=set())


def recommend(dispatcher: CollectingDispatcher, tracker: Tracker, answered: set[str]) -> list[dict[str, Any]]:
    """The shopping answer to the latest message, then the FAQ's answers to its other questions
    (but the FAQ entries in ``answered``, already given)."""
    entities = {e["entity"]: str(e["value"]) for e in tracker.latest_message.get("entities", [])}
    answer = answer_shopper(
        shop.product_finder(),
        tracker.latest_message.get("text") or "",
        entities,
        tracker.get_slot(REQUEST_SLOT),
        tracker.get_slot(SHOWN_SLOT) or [],
    )
    for line in answer.said:
        if line.response:
            dispatcher.utter_message(response=line.response, **line.values)
        else:
            dispatcher.utter_message(text=line.text)
    if answer.recommendations:
        # The cards alone: a channel that cannot draw them lists them in text instead
        # (bot.core.channels.channel_view), so every channel shows each product once.
        dispatcher.utter_message(
            json_message={
                "type": "product_cards",
                "products": [product_card(r) for r in answer.recommendations],
            },
        )
    for other in other_answers(tracker.latest_message.get("text") or "", answered):
        dispatcher.utter_message(text=other)  # "... and do you ship to Canada?"
    request = [SlotSet(REQUEST_SLOT, answer.request)] if answer.request is not None else []
    return [*request, SlotSet(SHOWN_SLOT, answer.shown)]
