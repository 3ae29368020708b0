"""Answering from the shop's FAQ."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.products import ActionRecommendProducts, is_for_product_search
from bot.knowledge import FaqEntry


def faq_text(entry: FaqEntry) -> str:
    return f"{entry.answer}\nMore: {entry.link}" if entry.link else entry.answer


class ActionAnswerQuestion(Action):
    """The best FAQ entry among the recognised intent's own entries, else among all entries when
    confident enough, else "not sure" with the offer of a person."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        text = message.get("text") or ""
        if text.startswith("/") and (entry := shop.knowledge().faq_for_intent(intent)):
            # A button ("did you mean ...?") names the intent, and its title was this entry's question.
            dispatcher.utter_message(text=faq_text(entry))
            return []
        if is_for_product_search(tracker):
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        answer = shop.faq_answerer().answer(text, intent=intent)
        if answer.key is None:
            dispatcher.utter_message(response="utter_not_sure")
        else:
            dispatcher.utter_message(text=faq_text(shop.knowledge().faq_entry(answer.key)))
        return []
