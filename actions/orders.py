"""Order questions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.faq import faq_text


class ActionTrackOrder(Action):
    """Where to follow an order: its own tracking link when the customer gave the number."""

    def name(self) -> str:
        return "action_track_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        order_id = next(tracker.get_latest_entity_values("order_id"), None) or tracker.get_slot("order_id")
        if order_id:
            order_id = order_id.upper()
            store = shop.knowledge().store
            link = f"{store.links.order_tracking}?{urlencode({'order': order_id})}"
            dispatcher.utter_message(response="utter_track_order_link", order_id=order_id, link=link)
        else:
            entry = shop.knowledge().faq_for_intent("track_order")
            if entry:
                dispatcher.utter_message(text=faq_text(entry))
            dispatcher.utter_message(response="utter_ask_order_id")
        return []
