"""Handing the conversation to a person, and the fallback that leads there."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import shop
from actions.products import ActionRecommendProducts, is_for_product_search
from actions.questions import other_answers
from bot.conversation import close_intents, consecutive_fallbacks
from bot.summary import summarize, turns_from_tracker

# The reason code for the intent that led to action_handoff (rules name which intents do).
_REASON_OF_INTENT = {
    "contact_human_agent": "customer_request",
    "affirm": "repeated_misunderstanding",  # yes to the offer made after two misunderstandings
    "complaint": "complaint",
}


class ActionHandoff(Action):
    """Asks the gateway for a person and tells the customer. The request (the reason and a summary
    for staff) is a ``handoff`` payload, which the Rasa server's gateway channel hands over as a
    field of its answer, apart from the replies; the gateway stores it and moves the conversation."""

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "complaint" and is_for_product_search(tracker):
            # A shopping question read as a complaint ("ugh, my old tent finally gave up, I need a
            # new one"): the shopper is answered, not queued for a person.
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        reason = _REASON_OF_INTENT.get(intent, "rule")
        if intent == "complaint" and (entry := shop.knowledge().faq_for_intent("complaint")):
            dispatcher.utter_message(text=entry.answer)
        support = shop.knowledge().shop.support
        dispatcher.utter_message(response="utter_handoff_requested", hours=support.hours, email=support.email)
        dispatcher.utter_message(
            json_message={
                "type": "handoff",
                "reason": reason,
                "summary": summarize(turns_from_tracker(tracker.events)),
            }
        )
        return []


class ActionDecline(Action):
    """ "No", outside a question of the assistant's: it declines the offer of a person, unless it
    narrows the shopping under way ("not black", "no, cheaper than that")."""

    def name(self) -> str:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not tracker.get_slot("handoff_offered") and is_for_product_search(tracker, not_understood=True):
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_handoff_declined")
        return []


class ActionRephraseOrHandoff(Action):
    """Not understood: the first time, ask which of two close readings the customer meant (buttons)
    or to rephrase; offer a person from the second time on."""

    def name(self) -> str:
        return "action_rephrase_or_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if is_for_product_search(tracker, not_understood=True):
            return await ActionRecommendProducts().run(dispatcher, tracker, domain)
        if answers := other_answers(tracker.latest_message.get("text") or "", set(), first_too=True):
            # Two questions in one message, neither understood as a whole: each answered.
            for answer in answers:
                dispatcher.utter_message(text=answer)
            return [SlotSet("handoff_offered", False)]
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response="utter_offer_handoff")
            return [SlotSet("handoff_offered", True)]
        knowledge = shop.knowledge()
        answerable = {entry.intent for entry in knowledge.faq if entry.intent}
        choices = close_intents(tracker.latest_message.get("intent_ranking") or [], answerable)
        if choices:
            # Two close readings: asking costs the customer one click, a wrong answer costs more.
            buttons = [
                {"title": knowledge.faq_for_intent(intent).question, "payload": f"/{intent}"}
                for intent in choices
            ]
            dispatcher.utter_message(
                response="utter_did_you_mean",
                buttons=[*buttons, {"title": "Something else", "payload": "/deny"}],
            )
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return [SlotSet("handoff_offered", False)]
