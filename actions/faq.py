"""Answering from the shop's FAQ."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.products import ActionRecommendProducts, is_for_product_search, recommend
from actions.questions import faq_text, other_answers
from bot.knowledge.questions import is_about_an_order, parts


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
        # When the FAQ as a whole has no confident answer, the message may be shopping that Rasa
        # took for a question: a refinement ("S is fine"), a need ("my fingers go numb").
        faq_sure = shop.faq_answerer().answer(text).answered
        if is_for_product_search(tracker, not_understood=not faq_sure):
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        answer = shop.faq_answerer().answer(text, intent=intent)
        given = {answer.key} if answer.key else set()
        if answer.key is not None:
            dispatcher.utter_message(text=faq_text(shop.knowledge().faq_entry(answer.key)))
        if asks_for_products_too(text):
            # "do you price match? and what's your lightest 2p tent": the products too.
            return recommend(dispatcher, tracker, answered=given)
        others = other_answers(text, given)
        if answer.key is None and not others:
            dispatcher.utter_message(response="utter_not_sure")
        for other in others:  # "do you ship to Canada and take PayPal?": both answered
            dispatcher.utter_message(text=other)
        return []


def asks_for_products_too(text: str) -> bool:
    """Whether a part of the message after the first names products to look for."""
    finder = shop.product_finder()
    later = parts(text)[1:]
    return not is_about_an_order(text) and any(
        (said := finder.parser.parse(part)).category or said.kinds for part in later
    )
