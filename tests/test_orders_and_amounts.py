"""Order numbers and money amounts as customers write them, read the same way everywhere."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import yaml

from bot.knowledge.amounts import price
from bot.knowledge.parsing import ConstraintParser
from bot.orders import order_number, unreadable_number
from bot.settings import PROJECT_DIR

VARIANTS = [
    "AP-10234",
    "AP10234",
    "ap-10234",
    "ap10234",
    "AP 10234",
    "#10234",
    "# 10234",
    "order 10234",
    "Order number 10234",
    "order no. 10234",
    "order no 10234",
    "order nr 10234",
    "order #10234",
]


@pytest.mark.parametrize("written", VARIANTS)
def test_every_variant_of_an_order_number_is_the_same_order(written):
    assert order_number(f"where is {written}?") == "AP-10234"


@pytest.mark.parametrize("written", VARIANTS)
def test_the_rasa_regexes_find_every_variant_the_assistant_reads(written):
    """data/nlu/entities.yml (run by Rasa's RegexEntityExtractor, case-insensitive) and bot/orders.py
    describe the same format."""
    nlu = yaml.safe_load((PROJECT_DIR / "data" / "nlu" / "entities.yml").read_text())["nlu"]
    patterns = next(block["examples"] for block in nlu if block.get("regex") == "order_id")
    patterns = [line.strip()[2:] for line in patterns.splitlines() if line.strip()]
    message = f"where is {written}?"
    found = [m.group() for p in patterns for m in re.finditer(p, message, re.IGNORECASE)]
    assert found and {order_number(value) for value in found} == {"AP-10234"}


@pytest.mark.parametrize(
    ("text", "unreadable"),
    [
        ("order 732201349959", "732201349959"),
        ("it's AP-1023", "AP-1023"),
        ("AP-10234", None),
        ("in 2024", None),
    ],
)
def test_a_number_in_another_format_is_recognised_as_unreadable(text, unreadable):
    assert order_number(text) is None or unreadable is None
    assert unreadable_number(text) == unreadable


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("$299", "299"),
        ("299 dollars", "299"),
        ("40 bucks", "40"),
        ("$1,200", "1200"),
        ("1,200.50", "1200.50"),
        ("79.95", "79.95"),
        ("79,95", "79.95"),
        ("USD 15", "15"),
        ("1,2000", None),
        ("no amount", None),
        (None, None),
    ],
)
def test_amounts_as_customers_write_them(written, amount):
    assert price(written) == (Decimal(amount) if amount else None)


def test_a_budget_with_a_thousands_comma_is_read_as_thousands(knowledge):
    """The product parser reads amounts with the same parser as entities and slots."""
    constraints = ConstraintParser(knowledge).parse("a tent under $1,200")
    assert constraints.max_price == Decimal("1200")
