"""Order questions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.questions import faq_text
from bot.orders import order_number, unreadable_number


class ActionTrackOrder(Action):
    """Where to follow an order: its own tracking link when the customer gave the number. The number
    in the latest message wins over the one remembered, so a correction replaces it."""

    def name(self) -> str:
        return "action_track_order"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = tracker.latest_message.get("text") or ""
        said = [order_number(value) for value in tracker.get_latest_entity_values("order_id")]
        order_id = next((value for value in said if value), None) or order_number(text)
        if order_id is None and (number := unreadable_number(text)):
            dispatcher.utter_message(response="utter_order_id_not_recognised", number=number)
            return [SlotSet("order_id", None)]
        order_id = order_id or order_number(tracker.get_slot("order_id"))
        if order_id:
            store = shop.knowledge().shop
            link = f"{store.links.order_tracking}?{urlencode({'order': order_id})}"
            dispatcher.utter_message(response="utter_track_order_link", order_id=order_id, link=link)
            return [SlotSet("order_id", order_id)]
        entry = shop.knowledge().faq_for_intent("track_order")
        if entry:
            dispatcher.utter_message(text=faq_text(entry))
        dispatcher.utter_message(response="utter_ask_order_id")
        return []
