"""Every custom action, run as the action server runs it: a Tracker in, messages and events out."""

from __future__ import annotations

import shutil
import time

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerQuestion
from actions.handoff import ActionDecline, ActionHandoff, ActionRephraseOrHandoff
from actions.orders import ActionTrackOrder
from actions.products import ActionOutOfScope, ActionRecommendProducts
from bot.knowledge import load_knowledge
from bot.knowledge.indexes import build_indexes
from bot.settings import PROJECT_DIR, load_settings
from tests.conftest import tracker_for, tracker_from_fixture

DOMAIN: dict = {}


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher.messages, events


async def test_a_faq_intent_is_answered_with_its_entry_and_link(data_dir, knowledge):
    messages, events = await run(
        ActionAnswerQuestion(), tracker_for("do you take paypal", "check_payment_methods")
    )
    entry = knowledge.faq_for_intent("check_payment_methods")
    assert events == []
    assert [m["text"] for m in messages] == [f"{entry.answer}\nMore: {entry.link}"]


async def test_any_other_question_is_answered_from_the_closest_faq_entry(data_dir):
    messages, _ = await run(ActionAnswerQuestion(), tracker_for("can you fix a torn tent?", "ask_question"))
    assert "workshop repairs" in messages[0]["text"]


async def test_an_exchange_request_reaches_the_exchange_answer(data_dir, knowledge):
    tracker = tracker_for("pants in M are too small, can I swap them for an L?", "ask_question")
    messages, _ = await run(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"].startswith(knowledge.faq_entry("exchanges").answer)


async def test_asking_whether_an_order_can_still_be_cancelled_is_not_answered_no(data_dir):
    for intent in ("cancel_order", "check_cancellation_fee"):
        messages, _ = await run(ActionAnswerQuestion(), tracker_for("can I still cancel it?", intent))
        assert not messages[0]["text"].lower().startswith("no")


async def test_a_question_the_faq_cannot_answer_offers_a_person(data_dir):
    messages, events = await run(
        ActionAnswerQuestion(), tracker_for("what's the weather tomorrow", "ask_question")
    )
    assert events == []
    assert [m["response"] for m in messages] == ["utter_not_sure"]


async def test_track_order_gives_the_link_for_the_order_number(data_dir):
    messages, events = await run(ActionTrackOrder(), tracker_from_fixture("track_order_with_id"))
    assert events == [SlotSet("order_id", "AP-10234")]
    assert messages[0]["response"] == "utter_track_order_link"
    assert messages[0]["order_id"] == "AP-10234"
    assert messages[0]["link"] == "https://alderandpine.example/orders/track?order=AP-10234"


async def test_an_order_number_typed_another_way_is_read_in_the_shops_format(data_dir):
    tracker = tracker_for("it's ap10234", "inform", entities=[{"entity": "order_id", "value": "ap10234"}])
    messages, events = await run(ActionTrackOrder(), tracker)
    assert messages[0]["order_id"] == "AP-10234"
    assert events == [SlotSet("order_id", "AP-10234")]


async def test_a_corrected_order_number_replaces_the_remembered_one(data_dir):
    tracker = tracker_for(
        "sorry, wrong number, it's #10235",
        "inform",
        entities=[{"entity": "order_id", "value": "#10235"}],
        slots={"order_id": "AP-10234"},
    )
    messages, events = await run(ActionTrackOrder(), tracker)
    assert messages[0]["link"] == "https://alderandpine.example/orders/track?order=AP-10235"
    assert events == [SlotSet("order_id", "AP-10235")]


async def test_a_number_that_is_not_an_order_number_is_named_and_not_looked_up(data_dir):
    tracker = tracker_for("where is order 732201349959", "track_order", slots={"order_id": "AP-10234"})
    messages, events = await run(ActionTrackOrder(), tracker)
    assert [(m["response"], m["number"]) for m in messages] == [
        ("utter_order_id_not_recognised", "732201349959")
    ]
    assert events == [SlotSet("order_id", None)]


async def test_track_order_without_a_number_explains_and_asks_for_it(data_dir):
    messages, _ = await run(ActionTrackOrder(), tracker_for("where is my package", "track_order"))
    assert "tracking link" in messages[0]["text"]
    assert messages[1]["response"] == "utter_ask_order_id"


def request_of(events: list) -> dict:
    """The shopping request an action remembered (its ``shopping_request`` slot)."""
    return next(event["value"] for event in events if event["name"] == "shopping_request")


async def test_recommendations_come_as_cards_and_remember_the_request(data_dir):
    tracker = tracker_for(
        "any red rain jackets under $200",
        "product_search",
        entities=[{"entity": "category", "value": "rain jackets"}, {"entity": "color", "value": "red"}],
    )
    messages, events = await run(ActionRecommendProducts(), tracker)
    # The cards alone, no text listing the same products: every channel shows each product once.
    (message,) = messages
    cards = message["custom"]["products"]
    assert message["custom"]["type"] == "product_cards" and 1 <= len(cards) <= 3 and not message.get("text")
    assert all(float(card["price"]) <= 200 for card in cards)
    assert set(cards[0]) == {"id", "name", "price", "currency", "image", "in_stock", "url", "why"}
    ids = [card["id"] for card in cards]
    assert events == [
        SlotSet(
            "shopping_request",
            {
                "listed": ids,
                "text": "any red rain jackets under $200",
                "category": "rain jackets",
                "color": "red",
                "max_price": "200",
            },
        ),
        SlotSet("shown_products", ids),
    ]


async def test_a_follow_up_in_another_colour_refines_the_previous_request(data_dir):
    slots = {
        "shopping_request": {"category": "fleece", "color": "green", "max_price": "100", "text": "fleece"}
    }
    tracker = tracker_for(
        "what about in navy", "product_search", entities=[{"entity": "color", "value": "navy"}], slots=slots
    )
    messages, events = await run(ActionRecommendProducts(), tracker)
    assert (request_of(events)["category"], request_of(events)["color"]) == ("fleece", "navy")
    cards = messages[0]["custom"]["products"]
    assert {card["name"] for card in cards} == {
        "Microgrid Hoody Lite",
        "Hearthside Fleece Vest",
        "Hearthside Fleece Vest Pro",
    }


async def test_show_me_more_leaves_out_what_was_already_shown(data_dir):
    first = tracker_for(
        "show me tents", "product_search", entities=[{"entity": "category", "value": "tents"}]
    )
    _, events = await run(ActionRecommendProducts(), first)
    slots = {event["name"]: event["value"] for event in events}
    messages, events = await run(
        ActionRecommendProducts(), tracker_for("show me more", "product_search", slots=slots)
    )
    shown_first = set(slots["shown_products"])
    more = {card["id"] for card in messages[0]["custom"]["products"]}
    assert more and not more & shown_first
    assert request_of(events)["category"] == "tents"
    assert (
        SlotSet(
            "shown_products",
            [*slots["shown_products"], *(c["id"] for c in messages[0]["custom"]["products"])],
        )
        in events
    )


async def test_something_cheaper_goes_below_the_cheapest_shown(data_dir, knowledge):
    # The Ridgeline packs (306.00 and 333.00) were shown; cheaper in-stock backpacks exist.
    slots = {
        "shopping_request": {"category": "backpacks", "text": "backpacks", "listed": ["P1104", "P1105"]},
        "shown_products": ["P1104", "P1105"],
    }
    messages, events = await run(
        ActionRecommendProducts(), tracker_for("something cheaper?", "product_search", slots=slots)
    )
    prices = {p.id: p.price for p in knowledge.catalog}
    cards = messages[0]["custom"]["products"]
    assert cards and all(prices[card["id"]] < 306 for card in cards)
    assert "cheaper than what I showed you" in cards[0]["why"]
    assert request_of(events)["max_price"] == "305.99" and request_of(events)["category"] == "backpacks"


async def test_a_sold_out_product_is_said_to_be_sold_out_with_alternatives_in_stock(data_dir, knowledge):
    (sold_out,) = [p for p in knowledge.catalog if p.name == "Cascade Rain Shell"]
    assert not sold_out.in_stock  # the demo catalog's sold-out rain jacket
    tracker = tracker_for("is the Cascade Rain Shell in stock?", "product_search")
    messages, _ = await run(ActionRecommendProducts(), tracker)
    assert messages[0]["text"] == "The Cascade Rain Shell is sold out at the moment."
    assert messages[1]["text"] == "These are like it and in stock:"
    products = {p.id: p for p in knowledge.catalog}
    cards = messages[2]["custom"]["products"]
    assert cards and sold_out.id not in {card["id"] for card in cards}
    assert all(products[c["id"]].in_stock and products[c["id"]].category == sold_out.category for c in cards)


async def test_nothing_within_budget_says_so_and_shows_the_cheapest_instead(data_dir, knowledge):
    tracker = tracker_for(
        "a tent under $5", "product_search", entities=[{"entity": "category", "value": "tents"}]
    )
    messages, _ = await run(ActionRecommendProducts(), tracker)
    assert messages[0]["response"] == "utter_nearest_products"
    assert messages[0]["reason"] == "nothing in stock costs 5 USD or less"
    cheapest = min(p.price for p in knowledge.catalog if p.category == "tents" and p.in_stock)
    assert messages[1]["custom"]["products"][0]["price"] == str(cheapest)


async def test_nothing_in_that_colour_says_so_and_shows_other_colours(data_dir):
    tracker = tracker_for(
        "a pink tent",
        "product_search",
        entities=[{"entity": "category", "value": "tents"}, {"entity": "color", "value": "pink"}],
    )
    messages, _ = await run(ActionRecommendProducts(), tracker)
    assert messages[0]["reason"] == "nothing in stock comes in pink"
    assert messages[1]["custom"]["type"] == "product_cards"


async def test_when_no_single_constraint_is_to_blame_it_suggests_loosening(data_dir):
    tracker = tracker_for(
        "a pink tent in XXL",
        "product_search",
        entities=[
            {"entity": "category", "value": "tents"},
            {"entity": "color", "value": "pink"},
            {"entity": "size", "value": "XXL"},
        ],
    )
    messages, _ = await run(ActionRecommendProducts(), tracker)
    assert [m["response"] for m in messages] == ["utter_no_products"]


def handoff_payload(messages: list[dict]) -> dict:
    (payload,) = [m["custom"] for m in messages if m.get("custom", {}).get("type") == "handoff"]
    return payload


async def test_handoff_asks_the_gateway_for_a_person_with_reason_and_summary(data_dir):
    tracker = tracker_for("I want to talk to a human", "contact_human_agent", sender_id="customer-5")
    messages, events = await run(ActionHandoff(), tracker)
    assert events == []
    assert messages[0]["response"] == "utter_handoff_requested"
    assert messages[0]["email"] == "help@alderandpine.example"
    assert handoff_payload(messages) == {
        "type": "handoff",
        "reason": "customer_request",
        "summary": {
            "asked": ["asked for a person"],
            "intents": ["contact_human_agent"],
            "entities": {},
            "last_messages": [{"from": "customer", "text": "I want to talk to a human"}],
        },
    }


async def test_a_complaint_gets_an_apology_and_goes_to_a_person_with_its_context(data_dir):
    messages, _ = await run(ActionHandoff(), tracker_from_fixture("complaint"))
    assert messages[0]["text"].startswith("I'm sorry this went wrong.")
    payload = handoff_payload(messages)
    assert payload["reason"] == "complaint"
    assert payload["summary"]["intents"] == ["track_order", "complaint"]
    assert payload["summary"]["entities"] == {"order_id": "AP-55821"}


async def test_first_misunderstanding_asks_to_rephrase(data_dir):
    tracker = tracker_for("zxq wobble", "nlu_fallback")
    messages, events = await run(ActionRephraseOrHandoff(), tracker)
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]
    assert events == [SlotSet("handoff_offered", False)]


async def test_two_close_readings_are_offered_as_buttons_instead_of_a_guess(data_dir, knowledge):
    tracker = tracker_for("has the rebate gone through", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "track_refund", "confidence": 0.36},
        {"name": "get_refund", "confidence": 0.31},
        {"name": "check_refund_policy", "confidence": 0.2},
    ]
    messages, events = await run(ActionRephraseOrHandoff(), tracker)
    assert [m["response"] for m in messages] == ["utter_did_you_mean"]
    assert messages[0]["buttons"] == [
        {"title": knowledge.faq_for_intent("track_refund").question, "payload": "/track_refund"},
        {"title": knowledge.faq_for_intent("get_refund").question, "payload": "/get_refund"},
        {"title": "Something else", "payload": "/deny"},
    ]
    assert events == [SlotSet("handoff_offered", False)]


async def test_a_reading_that_is_not_close_is_not_offered(data_dir):
    tracker = tracker_for("zxq wobble", "nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "track_refund", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
    ]
    messages, _ = await run(ActionRephraseOrHandoff(), tracker)
    assert [m["response"] for m in messages] == ["utter_ask_rephrase"]


async def test_a_button_for_an_intent_is_answered_with_that_intents_entry(data_dir, knowledge):
    messages, _ = await run(ActionAnswerQuestion(), tracker_for("/delivery_options", "delivery_options"))
    assert messages[0]["text"].startswith(knowledge.faq_for_intent("delivery_options").answer)


async def test_second_misunderstanding_in_a_row_offers_a_person(data_dir):
    messages, events = await run(ActionRephraseOrHandoff(), tracker_from_fixture("two_fallbacks"))
    assert [m["response"] for m in messages] == ["utter_offer_handoff"]
    assert events == [SlotSet("handoff_offered", True)]


async def test_accepting_the_offer_hands_over_as_a_misunderstanding(data_dir):
    messages, _ = await run(ActionHandoff(), tracker_for("yes please", "affirm"))
    assert handoff_payload(messages)["reason"] == "repeated_misunderstanding"


async def test_a_new_faq_entry_is_answered_after_a_rebuild_without_restarting(
    data_dir, tmp_path, monkeypatch
):
    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(PROJECT_DIR / "knowledge", knowledge_dir)
    monkeypatch.setenv("SUPPORTDESK_KNOWLEDGE_DIR", str(knowledge_dir))
    monkeypatch.setenv("SUPPORTDESK_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("SUPPORTDESK_TUNE_ENCODER", "false")
    question = tracker_for("are dogs welcome in the shop?", "ask_question")
    await run(ActionAnswerQuestion(), question)  # the action server is up and has loaded its indexes

    faq = knowledge_dir / "faq.yml"
    faq.write_text(
        faq.read_text() + "  - id: dog-friendly\n    category: store\n"
        "    question: Can I bring my dog to the store?\n    alternatives:\n"
        "      - Are dogs allowed in your shop?\n"
        "    answer: Yes, well-behaved dogs on a lead are welcome in our Portland store.\n"
    )
    build_indexes(load_settings(), load_knowledge(knowledge_dir))
    time.sleep(1.1)  # the live index looks for a new build at most once a second

    messages, _ = await run(ActionAnswerQuestion(), question)
    assert messages[0]["text"].startswith("Yes, well-behaved dogs on a lead are welcome")


async def test_a_question_about_a_named_product_read_as_an_faq_question_gets_the_product_answer(data_dir):
    tracker = tracker_for("how much is the Ember Down Jacket?", "ask_question")
    messages, events = await run(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"] == "The Ember Down Jacket costs 384.95 USD (in stock)."
    assert messages[1]["custom"]["products"][0]["name"] == "Ember Down Jacket"
    assert request_of(events)["category"] == "insulated jackets"


async def test_off_topic_as_rasa_reads_it_unless_the_catalogs_words_say_otherwise(data_dir):
    messages, _ = await run(ActionOutOfScope(), tracker_for("a beanie", "out_of_scope"))
    assert {card["name"] for card in messages[0]["custom"]["products"]} <= {
        "Merino Beanie",
        "Insulated Trapper Hat",
        "Trail Cap",
        "Sun Trekker Hat",
        "Bucket Hat",
    }
    messages, events = await run(ActionOutOfScope(), tracker_for("who won the football", "out_of_scope"))
    assert [message["response"] for message in messages] == ["utter_out_of_scope"] and events == []


async def test_a_refinement_rasa_did_not_understand_refines_the_shopping_request(data_dir):
    slots = {"shopping_request": {"category": "fleece", "text": "fleece"}}
    messages, events = await run(
        ActionRephraseOrHandoff(), tracker_for("in navy", "nlu_fallback", slots=slots)
    )
    cards = messages[0]["custom"]["products"]
    assert cards and all("navy" in card["why"] and "fleece" in card["why"] for card in cards)
    assert request_of(events)["color"] == "navy"
    # Without a shopping request under way, "in navy" is not understood: ask to rephrase.
    messages, _ = await run(ActionRephraseOrHandoff(), tracker_for("in navy", "nlu_fallback"))
    assert messages[0]["response"] == "utter_ask_rephrase"


async def test_asking_to_buy_something_the_catalog_has_no_word_for_is_answered_even_if_not_understood(
    data_dir,
):
    messages, _ = await run(ActionRephraseOrHandoff(), tracker_for("do you sell GPS watches", "nlu_fallback"))
    assert messages[0]["response"] == "utter_not_carried" and messages[0]["thing"] == "GPS watches"
    # Service words are not products: this is not understood, and not "we don't carry order".
    messages, _ = await run(
        ActionRephraseOrHandoff(), tracker_for("I am looking for my order", "nlu_fallback")
    )
    assert messages[0]["response"] == "utter_ask_rephrase"


async def test_a_shopping_question_read_as_a_complaint_is_answered_with_products(data_dir):
    tracker = tracker_for("my old stove died on me, I need a new one", "complaint")
    messages, _ = await run(ActionHandoff(), tracker)
    assert not any((m.get("custom") or {}).get("type") == "handoff" for m in messages)
    cards = next(m["custom"]["products"] for m in messages if m.get("custom"))
    assert cards and all("Stove" in card["name"] for card in cards)
    # A real complaint still goes to a person.
    messages, _ = await run(ActionHandoff(), tracker_for("the stove I ordered arrived dented", "complaint"))
    assert any((m.get("custom") or {}).get("type") == "handoff" for m in messages)


async def test_both_questions_of_one_message_are_answered(data_dir, knowledge):
    tracker = tracker_for("do you ship to Canada, and can I pay with Klarna?", "delivery_options")
    messages, _ = await run(ActionAnswerQuestion(), tracker)
    assert knowledge.faq_entry("international-shipping").answer in messages[0]["text"]
    assert len(messages) == 2 and "Klarna" in messages[1]["text"]
    # A product question with a shop question: the products, then the answer.
    tracker = tracker_for("do you have mittens for kids and how long does delivery take", "product_search")
    messages, _ = await run(ActionRecommendProducts(), tracker)
    assert messages[0].get("custom") or messages[1].get("custom")
    assert knowledge.faq_entry("delivery-times").answer in messages[-1]["text"]


async def test_a_shop_question_and_a_product_request_in_one_message_are_both_answered(data_dir, knowledge):
    tracker = tracker_for("do you price match? also I'm after a 2 person tent", "ask_question")
    messages, _ = await run(ActionAnswerQuestion(), tracker)
    assert any(knowledge.faq_entry("price-match").answer in (m.get("text") or "") for m in messages)
    cards = next(m["custom"]["products"] for m in messages if m.get("custom"))
    assert cards and all(
        p.people and p.people >= 2 for p in knowledge.catalog if p.id in {c["id"] for c in cards}
    )


async def test_two_questions_not_understood_as_a_whole_are_each_answered(data_dir, knowledge):
    tracker = tracker_for("do you take apple pay? do you ship to canada?", "nlu_fallback")
    messages, _ = await run(ActionRephraseOrHandoff(), tracker)
    assert len(messages) == 2 and "Apple Pay" in messages[0]["text"] and "Canada" in messages[1]["text"]


async def test_no_narrows_the_shopping_under_way_or_declines_a_person(data_dir, knowledge):
    slots = {"shopping_request": {"category": "fleece", "text": "fleece"}}
    messages, _ = await run(ActionDecline(), tracker_for("not black", "deny", slots=slots))
    colours = {product.id: set(product.colors) for product in knowledge.catalog}
    cards = messages[0]["custom"]["products"]
    assert cards and all(colours[card["id"]] - {"black"} for card in cards)
    messages, _ = await run(ActionDecline(), tracker_for("no thanks", "deny", slots=slots))
    assert [m["response"] for m in messages] == ["utter_handoff_declined"]
