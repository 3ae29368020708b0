"""Recommending products from the catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from bot.knowledge.products import REQUEST_SLOTS, Recommendation, request_slots


def product_card(recommendation: Recommendation) -> dict[str, Any]:
    product = recommendation.product
    return {
        "id": product.id,
        "name": product.name,
        "price": str(product.price),
        "currency": product.currency,
        "image": product.image,
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


class ActionRecommendProducts(Action):
    """Up to three fitting, in-stock products, as cards plus a plain-text version."""

    def name(self) -> str:
        return "action_recommend_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entities = {e["entity"]: str(e["value"]) for e in tracker.latest_message.get("entities", [])}
        previous = {slot: tracker.get_slot(slot) for slot in REQUEST_SLOTS}
        finder = shop.product_finder()
        shown = tracker.get_slot("shown_products") or []
        request = finder.request(tracker.latest_message.get("text") or "", entities, previous, shown)
        recommendations = finder.recommend(request, limit=3)
        named = finder.named(request)
        if named and not named.in_stock and not request.include_out_of_stock:
            # Asked for one product that is sold out: say so plainly, then what is like it.
            dispatcher.utter_message(response="utter_sold_out", product=named.name)
            recommendations = finder.alternatives(named, request, limit=3)
        elif not recommendations and (relaxed := finder.nearest(request, limit=3)):
            # Nothing meets everything: say which constraint nothing meets, and show the nearest.
            dispatcher.utter_message(response="utter_nearest_products", reason=relaxed.reason)
            recommendations = relaxed.recommendations
        if recommendations:
            dispatcher.utter_message(
                text=cards_as_text(recommendations),
                json_message={
                    "type": "product_cards",
                    "products": [product_card(r) for r in recommendations],
                },
            )
        else:
            dispatcher.utter_message(response="utter_no_products")
        now_shown = [*request.exclude, *(item.product.id for item in recommendations)]
        return [
            *(SlotSet(slot, value) for slot, value in request_slots(request).items()),
            SlotSet("shown_products", now_shown),
        ]
