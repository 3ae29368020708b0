"""The NLU evaluation sets are kept apart from the training data, so their scores measure
generalisation: no evaluation message is a training example, nor nearly one."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_DIR

TRAINING = sorted((PROJECT_DIR / "data" / "nlu").glob("*.yml"))
# Written examples; data/nlu/typos.yml holds generated copies of them with a typo each.
WRITTEN = [path for path in TRAINING if path.name != "typos.yml"]
NLU_TESTS = PROJECT_DIR / "tests" / "nlu"
SCENARIOS = NLU_TESTS / "scenarios.yml"
# Never trained on: the two evaluation sets and the fallback threshold's calibration split.
HELD_OUT = [NLU_TESTS / "heldout.yml", SCENARIOS, NLU_TESTS / "calibration.yml"]
# The product-search evaluation (benchmarks/shopping.py): never trained on either.
SHOPPING_EVALUATION = PROJECT_DIR / "benchmarks" / "shopping"
# The shopper evaluation of issue 23 and its calibration list: kept out of the training data and
# out of the code and its tests, so no figure measured on them is memory.
SHOPPERS = PROJECT_DIR / "benchmarks" / "shoppers"
SHOPPER_SETS = [
    *sorted(SHOPPERS.glob("*/*.yml")),
    SHOPPERS / "bike_shop.yml",
    SHOPPERS / "calibration.yml",
]
MIN_EXAMPLES_PER_INTENT = 80
# Intents a pipeline component sets rather than the classifier learns (bot/rasa_server/language.py).
SET_BY_COMPONENTS = {"other_language"}
MIN_EVALUATION_PER_INTENT = 20
# Two messages this similar (difflib's ratio on the normalised text) differ by a word or a typo.
NEAR_DUPLICATE = 0.85


def examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) for every example in a Rasa NLU file, entity markup removed."""
    pairs = []
    for block in yaml.safe_load(path.read_text())["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                text = re.sub(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})", r"\1", line.strip()[2:])
                pairs.append((text, block["intent"]))
    return pairs


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def trigrams(text: str) -> set[str]:
    padded = f"  {normalised(text)} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def near_duplicates(messages: list[str], others: list[str]) -> list[tuple[str, str]]:
    """Each message with the first of `others` that is the same or nearly the same text."""
    prepared = [(other, normalised(other), trigrams(other)) for other in others]
    found = []
    for message in messages:
        text, grams = normalised(message), trigrams(message)
        for other, other_text, theirs in prepared:
            # Trigram overlap first: the exact ratio is slow, and texts sharing little are never close.
            if len(grams & theirs) / len(grams | theirs) < 0.4 and text != other_text:
                continue
            if SequenceMatcher(None, text, other_text).ratio() >= NEAR_DUPLICATE:
                found.append((message, other))
                break
    return found


@pytest.fixture(scope="module")
def training() -> list[tuple[str, str]]:
    return [pair for path in TRAINING for pair in examples(path)]


@pytest.fixture(scope="module")
def written() -> list[tuple[str, str]]:
    return [pair for path in WRITTEN for pair in examples(path)]


def test_the_near_duplicate_check_finds_a_typo_and_a_changed_word():
    assert near_duplicates(["where is my refnud?"], ["Where is my refund"])
    assert near_duplicates(["I want to cancel my order please"], ["I want to cancel my order"])
    assert not near_duplicates(["has my refund been processed"], ["how do I get a refund"])


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda path: path.name)
def test_no_held_out_message_is_nearly_a_training_example(path, training):
    held_out = [text for text, _ in examples(path)]
    assert near_duplicates(held_out, [text for text, _ in training]) == []


def shopper_sentences(path: Path) -> list[str]:
    """Every message of an evaluation or calibration file."""
    loaded = yaml.safe_load(path.read_text())
    if isinstance(loaded, dict):  # the calibration list: {carried: [...], not_carried: [...]}
        return [text for texts in loaded.values() for text in texts]
    return [turn["say"] for case in loaded for turn in case.get("turns", [case])]


@pytest.mark.parametrize("path", SHOPPER_SETS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_shopper_evaluation_message_is_in_the_training_data_or_the_code(path, training):
    sentences = [text for text in shopper_sentences(path) if len(text.split()) > 2]
    assert near_duplicates(sentences, [text for text, _ in training]) == []
    code = "\n".join(
        source.read_text().lower()
        for folder in ("bot", "actions", "tests", "data")
        for source in (PROJECT_DIR / folder).rglob("*")
        if source.suffix in (".py", ".yml", ".md") and source.is_file()
    )
    # Short phrases ("which is lightest?") are how a thing is said at all, and the issue's
    # own words in comments; a sentence of five words or more is the writer's own.
    assert [text for text in sentences if len(text.split()) >= 5 and text.lower() in code] == []


@pytest.mark.parametrize("name", ["requests.yml", "conversations.yml"])
def test_no_shopping_evaluation_message_is_nearly_a_training_example(name, training):
    cases = yaml.safe_load((SHOPPING_EVALUATION / name).read_text())
    said = [turn["say"] for case in cases for turn in case.get("turns", [case])]
    # One or two words ("tents", "in yellow") are how a category or a refinement is said at all:
    # those are in the training data by necessity.
    sentences = [text for text in said if len(text.split()) > 2]
    assert near_duplicates(sentences, [text for text, _ in training]) == []


def test_the_typo_copies_are_made_from_the_current_training_data():
    import importlib.util

    spec = importlib.util.spec_from_file_location("typos", PROJECT_DIR / "scripts" / "typos.py")
    typos = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(typos)
    assert (
        (PROJECT_DIR / "data" / "nlu" / "typos.yml").read_text() == typos.typo_examples()
    ), "data/nlu/typos.yml is out of date: run .venv/bin/python scripts/typos.py"


def test_every_intent_has_enough_varied_training_examples(written):
    counts: dict[str, int] = {}
    for _, intent in written:
        counts[intent] = counts.get(intent, 0) + 1
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    learned = [intent for intent in domain["intents"] if intent not in SET_BY_COMPONENTS]
    assert {
        intent: counts.get(intent, 0) for intent in learned if counts.get(intent, 0) < MIN_EXAMPLES_PER_INTENT
    } == {}


def test_the_scenario_set_covers_every_intent():
    counts: dict[str, int] = {}
    for _, intent in examples(SCENARIOS):
        counts[intent] = counts.get(intent, 0) + 1
    domain = yaml.safe_load((PROJECT_DIR / "domain.yml").read_text())
    assert {
        intent: counts.get(intent, 0)
        for intent in domain["intents"]
        if counts.get(intent, 0) < MIN_EVALUATION_PER_INTENT
    } == {}
