"""Answering from the shop's FAQ."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.products import ActionRecommendProducts, is_for_product_search
from actions.questions import faq_text, other_answers
from bot.knowledge.shopping import asks_by_need


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
        finder = shop.product_finder()
        if asks_by_need(finder, finder.parser.parse(text)) and not shop.faq_answerer().answer(text).answered:
            # "My fingers go numb on winter runs": no question the FAQ answers, a need products meet.
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        answer = shop.faq_answerer().answer(text, intent=intent)
        others = other_answers(text, {answer.key} if answer.key else set())
        if answer.key is None and not others:
            dispatcher.utter_message(response="utter_not_sure")
        elif answer.key is not None:
            dispatcher.utter_message(text=faq_text(shop.knowledge().faq_entry(answer.key)))
        for other in others:  # "do you ship to Canada and take PayPal?": both answered
            dispatcher.utter_message(text=other)
        return []
