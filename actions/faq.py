"""Answering from the shop's FAQ."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from bot.knowledge import FaqEntry


def faq_text(entry: FaqEntry) -> str:
    return f"{entry.answer}\nMore: {entry.link}" if entry.link else entry.answer


class ActionAnswerFaq(Action):
    """The FAQ entry for the recognised intent, else the closest question, else "not sure"."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message
        intent = (message.get("intent") or {}).get("name")
        answer = shop.faq_answerer().answer(message.get("text") or "", intent=intent)
        if answer.entry is None:
            dispatcher.utter_message(response="utter_not_sure")
        else:
            dispatcher.utter_message(text=faq_text(answer.entry))
        return []
