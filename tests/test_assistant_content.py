"""The Rasa domain, the training data and the shop's content agree with each other."""

from __future__ import annotations

import yaml

from bot.settings import PROJECT_DIR

REQUIRED_INTENTS = {
    "place_order",
    "cancel_order",
    "change_order",
    "track_order",
    "change_shipping_address",
    "set_up_shipping_address",
    "delivery_options",
    "delivery_period",
    "check_payment_methods",
    "payment_issue",
    "check_refund_policy",
    "get_refund",
    "track_refund",
    "check_cancellation_fee",
    "check_invoice",
    "get_invoice",
    "create_account",
    "delete_account",
    "edit_account",
    "recover_password",
    "registration_problems",
    "switch_account",
    "newsletter_subscription",
    "complaint",
    "review",
    "contact_customer_service",
    "contact_human_agent",
    "greet",
    "goodbye",
    "thank_you",
    "affirm",
    "deny",
    "bot_challenge",
    "product_search",
    "ask_question",
    "out_of_scope",
    "inform",
    "other_language",
}


def domain() -> dict:
    return yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())


def training_examples() -> dict[str, list[str]]:
    examples: dict[str, list[str]] = {}
    for path in (PROJECT_DIR / "data" / "nlu").glob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            if "intent" in block:
                lines = [line[2:] for line in block["examples"].splitlines() if line.startswith("- ")]
                examples.setdefault(block["intent"], []).extend(lines)
    return examples


def rule_actions() -> dict[str, str]:
    """Intent -> the action a single-turn rule answers it with."""
    actions = {}
    for path in (PROJECT_DIR / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            steps = rule["steps"]
            if len(steps) == 2 and "intent" in steps[0]:
                actions[steps[0]["intent"]] = steps[1]["action"]
    return actions


def test_the_domain_has_exactly_the_support_intent_inventory():
    assert set(domain()["intents"]) == REQUIRED_INTENTS


def test_every_intent_is_learned_from_examples_or_set_by_a_component():
    # other_language is set by bot/rasa_server/language.py; tests/test_nlu_data.py checks the counts.
    assert set(training_examples()) | {"other_language"} == REQUIRED_INTENTS


def test_every_intent_answered_from_the_faq_has_its_faq_entry(knowledge):
    faq_intents = {intent for intent, action in rule_actions().items() if action == "action_answer_question"}
    faq_intents.discard("ask_question")  # answered by searching the whole FAQ
    missing = sorted(intent for intent in faq_intents if knowledge.faq_for_intent(intent) is None)
    assert missing == []
    assert {entry.intent for entry in knowledge.faq if entry.intent} <= REQUIRED_INTENTS


def test_every_intent_gets_an_answer():
    answered = set(rule_actions()) | {"affirm", "deny"}
    assert answered >= REQUIRED_INTENTS


def test_every_catalog_category_is_reachable_by_its_own_name_or_a_synonym(knowledge):
    synonyms = set()
    for block in yaml.safe_load((PROJECT_DIR / "data" / "nlu" / "entities.yml").read_text())["nlu"]:
        if "synonym" in block:
            synonyms.add(block["synonym"])
    annotated = " ".join(" ".join(v) for v in training_examples().values())
    for category in knowledge.categories:
        assert category in synonyms or f"[{category}](category)" in annotated, category


def test_no_slot_mapping_makes_rasa_run_an_action_on_every_message():
    # A custom mapping that names an action makes Rasa call that action during slot extraction
    # of every message: product searches run for "hi", and throughput drops to a third.
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    for name, slot in domain["slots"].items():
        for mapping in slot.get("mappings", []):
            assert "action" not in mapping, f"slot {name} maps through an action"
