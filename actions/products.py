"""Recommending products from the catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from bot.knowledge.products import Recommendation
from bot.knowledge.shopping import answer_shopper, refines_a_request
from bot.knowledge.shopping_state import REQUEST_SLOTS


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


def cards_as_text(recommendations: list[Recommendation]) -> str:
    """The same recommendations for channels that cannot show cards."""
    lines = ["Here is what I'd suggest:"]
    for number, item in enumerate(recommendations, start=1):
        product = item.product
        lines.append(
            f"{number}. {product.name}, {product.price} {product.currency} ({item.why}): {product.url}"
        )
    return "\n".join(lines)


def is_for_product_search(tracker: Tracker, not_understood: bool = False) -> bool:
    """Whether the message asks about products the catalog names ("is the Stormline in stock?"),
    read with the catalog's own words, so even when Rasa took it for an FAQ question the product
    answer is given. When Rasa did not understand it or found it off-topic (``not_understood``),
    also a message that only refines the shopping request under way ("in navy", "the cheapest?"),
    is made of catalog words alone ("a beanie"), or asks to buy something the catalog has no word
    for ("do you sell GPS watches?": the answer says the shop does not carry it)."""
    text = tracker.latest_message.get("text") or ""
    finder = shop.product_finder()
    said = finder.parser.parse(text)
    if said.question and said.products:
        return True
    if not not_understood:
        return False
    previous = {slot: tracker.get_slot(slot) for slot in REQUEST_SLOTS}
    names_catalog = (said.category or said.product or said.brand) is not None and not said.unknown
    # "do you sell GPS watches?": a shopping request for something the catalog has no word for.
    asks_for_other_things = said.wants and bool(said.unknown)
    return names_catalog or asks_for_other_things or refines_a_request(said, previous)


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
        entities = {e["entity"]: str(e["value"]) for e in tracker.latest_message.get("entities", [])}
        answer = answer_shopper(
            shop.product_finder(),
            tracker.latest_message.get("text") or "",
            entities,
            {slot: tracker.get_slot(slot) for slot in REQUEST_SLOTS},
            tracker.get_slot("shown_products") or [],
        )
        for line in answer.said:
            if line.response:
                dispatcher.utter_message(response=line.response, **line.values)
            else:
                dispatcher.utter_message(text=line.text)
        if answer.recommendations:
            dispatcher.utter_message(
                text=cards_as_text(answer.recommendations),
                json_message={
                    "type": "product_cards",
                    "products": [product_card(r) for r in answer.recommendations],
                },
            )
        slots = answer.slots or {}
        return [
            *(SlotSet(slot, value) for slot, value in slots.items()),
            SlotSet("shown_products", answer.shown),
        ]
