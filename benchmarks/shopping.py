"""Product search as shoppers use it, scored against the catalog: every case is a new customer
talking to the whole assistant (gateway, Rasa, actions) through the channel API.

    .venv/bin/python benchmarks/shopping.py                  # the old sets, prints figures as JSON
    .venv/bin/python benchmarks/shopping.py --failures       # and every failed turn, with why
    .venv/bin/python benchmarks/shopping.py --set dev --set held_out   # the shopper sets
    .venv/bin/python benchmarks/shopping.py --set bike       # the bike shop, on its own assistant
    .venv/bin/python benchmarks/shopping.py --url http://127.0.0.1:8000 --token T   # a running one

Sets (--set, repeatable; without it, `old` and today's output):
  old       benchmarks/shopping/requests.yml and conversations.yml (keys described in each file)
  dev       benchmarks/shoppers/dev/requests.yml and conversations.yml (benchmarks/shoppers/SCHEMA.md)
  held_out  benchmarks/shoppers/held_out/...: only its figures are printed, never its failures,
            unless --show-held-out
  bike      benchmarks/shoppers/bike_shop.yml against examples/bike-shop/knowledge, on an assistant
            started with that knowledge folder (SUPPORTDESK_KNOWLEDGE_DIR); not with other sets
A case passes when every turn passes. In the shopper sets every case and turn has a class, and a
turn also fails when the conversation was handed to a person; their figures give per class the
share of single requests and of conversation turns passed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.knowledge import Product, load_knowledge
from bot.settings import PROJECT_DIR

CASES = Path(__file__).with_name("shopping")
SHOPPERS = Path(__file__).with_name("shoppers")
BIKE_KNOWLEDGE = PROJECT_DIR / "examples" / "bike-shop" / "knowledge"
NOT_CARRIED = re.compile(r"\b(don't|do not|doesn't|does not)\s+(carry|sell|stock|have)\b", re.IGNORECASE)
SOLD_OUT = re.compile(r"sold out|out of stock|not in stock|unavailable", re.IGNORECASE)
IN_STOCK = re.compile(r"\bin stock\b|\bavailable\b", re.IGNORECASE)
# An honest answer when no product in stock meets the request: says so, may show the nearest.
NO_MATCH = re.compile(
    r"nothing|no products?|couldn't find|could not find|those are all|that's all", re.IGNORECASE
)
# Every key that each card must honour (SCHEMA.md); any of them present means "nothing fits" is
# possible and must then be said.
CONSTRAINTS = (
    "category",
    "kind",
    "not_kind",
    "audience",
    "max_price",
    "min_price",
    "around_price",
    "color",
    "not_color",
    "size",
    "brand",
    "people",
    "max_temperature_f",
    "min_capacity_l",
    "max_capacity_l",
    "max_weight_g",
)
# Questions about products: the reply states facts, no new cards needed.
QUESTIONS = ("stock", "price", "sizes", "colors", "compare", "pick")
KIDS = re.compile(r"\bkids\b", re.IGNORECASE)
MENS = re.compile(r"\bmen['\u2019]s\b", re.IGNORECASE)  # a word of its own: "Women's" is not "Men's"
# The API's conversation while a person has it (or it waits for one): bot.handoff.Owner / Status.
HANDED_OWNERS = {"queue", "person"}
HANDED_STATUSES = {"waiting", "assigned"}


@dataclass
class Turn:
    """What the assistant sent back for one message: its text, the products on its cards and the
    conversation as the API showed it (status, owner)."""

    text: str
    cards: list[Product] = field(default_factory=list)
    conversation: dict[str, Any] = field(default_factory=dict)
    unknown_cards: list[str] = field(default_factory=list)  # ids of cards not in the catalog


def _categories(expected: Any) -> set[str]:
    return {expected} if isinstance(expected, str) else set(expected)


def _listed(expected: Any) -> list[str]:
    return [str(expected)] if isinstance(expected, str | int | float) else [str(v) for v in expected]


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


# --- the kind of product: a word of its name, singular or plural ---------------------------------


def _forms(word: str) -> set[str]:
    """A word and its plural (or singular) spellings."""
    forms = {word, word + "s", word + "es"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    if word.endswith("fe"):
        forms.add(word[:-2] + "ves")
    elif word.endswith("f"):
        forms.add(word[:-1] + "ves")
    return forms


def _same_word(one: str, other: str) -> bool:
    return one in _forms(other) or other in _forms(one)


def _name_words(name: str) -> list[list[str]]:
    """The name's words, read twice: hyphenated words whole ("u-lock"), and split ("u", "lock")."""
    lowered = name.lower()
    whole = re.findall(r"[a-z0-9]+(?:[-'\u2019][a-z0-9]+)*", lowered)
    split = re.findall(r"[a-z0-9]+(?:['\u2019][a-z0-9]+)*", lowered)
    return [whole, split]


def _has_kind(name: str, kind: str) -> bool:
    """Whether the name holds ``kind`` as a word (or words, in a row), singular or plural."""
    wanted = re.findall(r"[a-z0-9]+(?:['\u2019][a-z0-9]+)*", kind.lower())
    wanted_whole = re.findall(r"[a-z0-9]+(?:[-'\u2019][a-z0-9]+)*", kind.lower())
    for words in _name_words(name):
        for sought in (wanted, wanted_whole):
            if not sought:
                continue
            for start in range(len(words) - len(sought) + 1):
                if all(_same_word(words[start + i], w) for i, w in enumerate(sought)):
                    return True
    return False


def _audience_problem(audience: str, product: Product) -> str | None:
    kids = bool(KIDS.search(product.name))
    if audience == "kids" and not kids:
        return f"{product.name} is not for kids"
    if audience == "not_kids" and kids:
        return f"{product.name} is for kids"
    if audience == "womens" and (kids or MENS.search(product.name)):
        return f"{product.name} is not for a woman"
    if audience not in ("kids", "not_kids", "womens"):
        return f"the case has an unknown audience {audience!r}"
    return None


def _violations(expect: dict[str, Any], product: Product) -> list[tuple[str, str]]:
    """Each constraint of the expectation the product breaks: (key, why)."""
    found: list[tuple[str, str]] = []
    if "category" in expect and product.category not in _categories(expect["category"]):
        found.append(("category", f"{product.name} is {product.category}, not {expect['category']}"))
    if "kind" in expect and not any(_has_kind(product.name, k) for k in _listed(expect["kind"])):
        found.append(("kind", f"{product.name} is not a {expect['kind']}"))
    if "not_kind" in expect and (
        hit := [k for k in _listed(expect["not_kind"]) if _has_kind(product.name, k)]
    ):
        found.append(("not_kind", f"{product.name} is a {hit[0]}"))
    if "audience" in expect and (why := _audience_problem(str(expect["audience"]), product)):
        found.append(("audience", why))
    if "max_price" in expect and product.price > _number(expect["max_price"]):
        found.append(("max_price", f"{product.name} costs {product.price} > {expect['max_price']}"))
    if "min_price" in expect and product.price < _number(expect["min_price"]):
        found.append(("min_price", f"{product.name} costs {product.price} < {expect['min_price']}"))
    if "around_price" in expect:
        around = _number(expect["around_price"])
        if not around * Decimal("0.75") <= product.price <= around * Decimal("1.15"):
            found.append(("around_price", f"{product.name} costs {product.price}, not around {around}"))
    if "color" in expect and str(expect["color"]).lower() not in product.colors:
        found.append(("color", f"{product.name} does not come in {expect['color']}"))
    if "not_color" in expect:
        unwanted = {c.lower() for c in _listed(expect["not_color"])}
        if product.colors and all(color in unwanted for color in product.colors):
            found.append(("not_color", f"{product.name} comes only in {expect['not_color']}"))
    if "size" in expect and str(expect["size"]).lower() not in {s.lower() for s in product.sizes}:
        found.append(("size", f"{product.name} does not come in size {expect['size']}"))
    if "brand" in expect and product.brand != expect["brand"]:
        found.append(("brand", f"{product.name} is by {product.brand}, not {expect['brand']}"))
    if "people" in expect and (product.people or 0) < int(expect["people"]):
        found.append(("people", f"{product.name} does not fit {expect['people']} people"))
    # A product without the figure (no temperature rating, capacity or weight listed) fails.
    if "max_temperature_f" in expect:
        limit = _number(expect["max_temperature_f"])
        if product.temperature_f is None:
            found.append(("max_temperature_f", f"{product.name} has no temperature rating"))
        elif product.temperature_f > limit:
            found.append(
                ("max_temperature_f", f"{product.name} is rated {product.temperature_f}°F > {limit}°F")
            )
    if ("min_capacity_l" in expect or "max_capacity_l" in expect) and product.capacity_l is None:
        found.append(("capacity_l", f"{product.name} has no capacity listed"))
    elif "min_capacity_l" in expect and product.capacity_l < _number(expect["min_capacity_l"]):
        found.append(
            ("min_capacity_l", f"{product.name} holds {product.capacity_l} l < {expect['min_capacity_l']} l")
        )
    elif "max_capacity_l" in expect and product.capacity_l > _number(expect["max_capacity_l"]):
        found.append(
            ("max_capacity_l", f"{product.name} holds {product.capacity_l} l > {expect['max_capacity_l']} l")
        )
    if "max_weight_g" in expect:
        limit = _number(expect["max_weight_g"])
        if product.weight_g is None:
            found.append(("max_weight_g", f"{product.name} has no weight listed"))
        elif product.weight_g > limit:
            found.append(("max_weight_g", f"{product.name} weighs {product.weight_g} g > {limit} g"))
    return found


def _breaks(expect: dict[str, Any], product: Product) -> bool:
    """Whether the product fails one of the expectation's constraints."""
    return bool(_violations(expect, product))


# --- measures: for `order` and `pick` ------------------------------------------------------------

# measure -> (the product's value or None, whether the best is the smallest)
MEASURES: dict[str, tuple[Any, bool]] = {
    "lowest": (lambda p: p.price, True),
    "cheapest": (lambda p: p.price, True),
    "highest": (lambda p: p.price, False),
    "dearest": (lambda p: p.price, False),
    "lightest": (lambda p: p.weight_g, True),
    "heaviest": (lambda p: p.weight_g, False),
    "warmest": (lambda p: p.temperature_f, True),  # rated for the coldest nights
    "largest": (lambda p: p.capacity_l, False),
}


def _value(products: list[Product], measure: str) -> Any:
    """How the measure values a product (None when the product has no such figure): "largest" is
    by capacity, or by people when none of the products has a capacity (tents)."""
    value, _ = MEASURES[measure]
    if measure == "largest" and all(p.capacity_l is None for p in products):
        return lambda p: p.people
    return value


def _best(products: list[Product], measure: str) -> list[Product]:
    """The products best by the measure (ties together)."""
    value, smallest = _value(products, measure), MEASURES[measure][1]
    measured = [(value(p), p) for p in products if value(p) is not None]
    if not measured:
        return []
    best = (min if smallest else max)(v for v, _ in measured)
    return [p for v, p in measured if v == best]


# --- facts stated in a reply ---------------------------------------------------------------------


def _states_price(product: Product, text: str) -> bool:
    whole, cents = _money(product.price).split(".")
    grouped = f"{int(whole):,}"
    return bool(re.search(rf"(?<![\d,.])(?:{whole}|{re.escape(grouped)})\.{cents}(?!\d)", text))


def _states_weight(product: Product, text: str) -> bool:
    if product.weight_g is None:
        return False
    grams = str(product.weight_g)
    grouped = f"{product.weight_g:,}"
    return bool(re.search(rf"(?<![\d,.])(?:{grams}|{re.escape(grouped)})(?![\d]|[.,]\d)", text))


def _states_capacity(product: Product, text: str) -> bool:
    if product.capacity_l is None:
        return False
    litres = product.capacity_l.normalize()
    whole, _, fraction = f"{litres:f}".partition(".")
    # 0.75 also as .75; 20 also as 20.0
    number = rf"{'0?' if whole == '0' else whole}\.{fraction}0*" if fraction else rf"{whole}(?:\.0+)?"
    return bool(re.search(rf"(?<![\d.,]){number}(?![\d]|[.,]\d)", text))


def _states_temperature(product: Product, text: str) -> bool:
    if product.temperature_f is None:
        return False
    degrees = product.temperature_f
    number = rf"[-\u2212\u2013]\s?{abs(degrees)}" if degrees < 0 else rf"(?<![-\u2212\u2013\d.]){degrees}"
    return bool(re.search(rf"(?<![\d.]){number}\s*(?:°|º|F\b|fahrenheit|degrees?\b)", text, re.IGNORECASE))


def _missing_values(values: tuple[str, ...], text: str) -> list[str]:
    return [v for v in values if not re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text, re.IGNORECASE)]


def _states_stock(product: Product, text: str) -> bool:
    wanted = SOLD_OUT if not product.in_stock else IN_STOCK
    return bool(wanted.search(text)) and not (product.in_stock and SOLD_OUT.search(text))


def _pick_problems(product: Product, says: list[str], text: str) -> list[str]:
    """What the reply leaves out of naming ``product`` and stating each fact in ``says``."""
    problems = []
    if product.name.lower() not in text.lower():
        problems.append(f"does not name {product.name}")
    for fact in says:
        if fact == "price" and not _states_price(product, text):
            problems.append(f"does not give the price of {product.name} ({_money(product.price)})")
        elif fact == "weight" and not _states_weight(product, text):
            problems.append(f"does not give the weight of {product.name} ({product.weight_g} g)")
        elif fact == "capacity" and not _states_capacity(product, text):
            problems.append(f"does not give the capacity of {product.name} ({product.capacity_l} l)")
        elif fact == "temperature" and not _states_temperature(product, text):
            problems.append(
                f"does not give the temperature rating of {product.name} ({product.temperature_f}°F)"
            )
        elif fact in ("sizes", "colors") and (missing := _missing_values(getattr(product, fact), text)):
            problems.append(f"does not list the {fact} of {product.name}: missing {missing}")
        elif fact == "stock" and not _states_stock(product, text):
            problems.append(
                f"does not say that {product.name} is {'in stock' if product.in_stock else 'sold out'}"
            )
        elif fact not in ("price", "weight", "capacity", "temperature", "sizes", "colors", "stock"):
            problems.append(f"the case asks for an unknown fact {fact!r}")
    return problems


def _pick(pick: dict[str, Any], turn: Turn, earlier: list[Turn]) -> list[str]:
    """The `pick` check: the product of the previous turn's cards the question is about."""
    which = pick["which"]
    says = _listed(pick.get("says", []))
    shown = earlier[-1].cards if earlier else []
    if not shown:
        return [f"pick {which}: the previous turn showed no products to pick from"]
    positions = {"first": 0, "second": 1, "third": 2}
    if which in positions:
        if positions[which] >= len(shown):
            return [f"pick {which}: the previous turn showed only {len(shown)} product(s)"]
        candidates = [shown[positions[which]]]
    elif which in MEASURES:
        candidates = _best(shown, which)
        if not candidates:
            return [f"pick {which}: no product shown in the previous turn has that measure"]
    else:
        return [f"the case has an unknown pick {which!r}"]
    # Products tied for the best: naming any one of them with its facts is right.
    found = [_pick_problems(product, says, turn.text) for product in dict.fromkeys(candidates)]
    if any(not problems for problems in found):
        return []
    return [f"pick {which}: the reply {problem}" for problem in found[0]]


def handoff_problem(turn: Turn) -> str | None:
    """Why the turn fails for handing the conversation to a person (None when it did not)."""
    owner = turn.conversation.get("owner")
    status = turn.conversation.get("status")
    if owner in HANDED_OWNERS or status in HANDED_STATUSES:
        return f"handed the conversation to a person (status {status}, owner {owner})"
    return None


def turn_problems(
    expect: dict[str, Any], turn: Turn, earlier: list[Turn], catalog: dict[str, Product]
) -> list[str]:
    """Why this turn fails its expectation (empty when it passes)."""
    problems: list[str] = []
    cards = turn.cards
    by_name = {product.name.lower(): product for product in catalog.values()}

    def named(name: str) -> Product | None:
        product = by_name.get(str(name).lower())
        if product is None:
            problems.append(f"the case names {name!r}, which is not in the catalog")
        return product

    asks_about_product = any(key in expect for key in QUESTIONS)
    if expect.get("not_carried"):
        related = expect.get("related")
        if cards and related is None:
            problems.append("showed cards for something the shop does not sell")
        elif cards:
            allowed = _categories(related)
            problems += [
                f"{product.name} is {product.category}, not one of the related {sorted(allowed)}"
                for product in cards
                if product.category not in allowed
            ]
            problems += [f"{product.name} is sold out" for product in cards if not product.in_stock]
        if not NOT_CARRIED.search(turn.text):
            problems.append("did not say the shop does not carry it")
        for pattern in expect.get("says", []):
            if not re.search(pattern, turn.text, re.IGNORECASE):
                problems.append(f"the reply does not say {pattern!r}")
        return problems
    if expect.get("cards") is False and cards:
        problems.append("showed cards")
    if "stock" in expect and (product := named(expect["stock"])) and not _states_stock(product, turn.text):
        problems.append(
            f"did not say that {product.name} is {'in stock' if product.in_stock else 'sold out'}"
        )
    if "price" in expect and (product := named(expect["price"])) and _money(product.price) not in turn.text:
        problems.append(f"did not give the price of {product.name} ({product.price})")
    for key, attribute in (("sizes", "sizes"), ("colors", "colors")):
        if (
            key in expect
            and (product := named(expect[key]))
            and (missing := _missing_values(getattr(product, attribute), turn.text))
        ):
            problems.append(f"did not list the {key} of {product.name}: missing {missing}")
    if "compare" in expect:
        for name in expect["compare"]:
            product = named(name)
            if product and (
                product.name.lower() not in turn.text.lower() or _money(product.price) not in turn.text
            ):
                problems.append(f"the comparison does not name {product.name} with its price")
    if "pick" in expect:
        problems += _pick(expect["pick"], turn, earlier)
    for pattern in expect.get("says", []):
        if not re.search(pattern, turn.text, re.IGNORECASE):
            problems.append(f"the reply does not say {pattern!r}")

    shown_before = {product.id for shown in earlier for product in shown.cards}
    floor = min((p.price for p in earlier[-1].cards), default=None) if earlier else None
    feasible = [
        product
        for product in catalog.values()
        if product.in_stock
        and not _breaks(expect, product)
        and not (expect.get("new") and product.id in shown_before)
        and not (expect.get("below_shown") and floor is not None and product.price >= floor)
    ]
    if (
        not asks_about_product
        and not expect.get("_cards_optional")
        and not feasible
        and any(key in expect for key in (*CONSTRAINTS, "new", "below_shown"))
    ):
        # Nothing in stock meets the request: the right answer says so, and may show the nearest
        # products of the kind asked for.
        if not NO_MATCH.search(turn.text):
            problems.append("nothing fits, and the reply does not say so")
        problems += [
            f"{product.name} is {product.category}, not {expect['category']}"
            for product in cards
            if "category" in expect and product.category not in _categories(expect["category"])
        ]
        return problems
    # Cards are expected for a request for products; not for a question about products already
    # named or shown, nor for a question for the FAQ (only `says`).
    wants_products = any(key in expect for key in (*CONSTRAINTS, "new", "below_shown", "order"))
    optional = expect.get("_cards_optional")
    if not asks_about_product and wants_products and expect.get("cards", True) and not cards and not optional:
        problems.append("no cards")
    for product in cards:
        broken = _violations(expect, product)
        problems += [why for key, why in broken if key == "category"]
        if not product.in_stock:
            problems.append(f"{product.name} is sold out")
        problems += [why for key, why in broken if key != "category"]
    if (
        cards
        and expect.get("new")
        and (repeated := [product.name for product in cards if product.id in shown_before])
    ):
        problems.append(f"showed again: {repeated}")
    if (
        cards
        and expect.get("below_shown")
        and floor is not None
        and (dearer := [product.name for product in cards if product.price >= floor])
    ):
        problems.append(f"not cheaper than {floor}: {dearer}")
    if cards and expect.get("order"):
        measure = expect["order"]
        if measure not in MEASURES:
            problems.append(f"the case has an unknown order {measure!r}")
        elif best := _best(feasible, measure):
            value = _value(feasible, measure)
            if value(cards[0]) != value(best[0]):
                problems.append(
                    f"first card is {cards[0].name} ({_shown(value(cards[0]))}), the {measure} is "
                    f"{best[0].name} ({_shown(value(best[0]))})"
                )
    return problems


def _shown(value: Any) -> str:
    return _money(value) if isinstance(value, Decimal) and value.as_tuple().exponent == -2 else str(value)


# --- talking to the assistant --------------------------------------------------------------------


async def say(
    session: aiohttp.ClientSession, url: str, customer: str, text: str, catalog: dict[str, Product]
) -> Turn:
    async with session.post(
        f"{url}/api/messages", json={"channel": "api", "customer_id": customer, "text": text}
    ) as response:
        body = await response.json()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {body}")
    texts, cards, unknown = [], [], []
    for reply in body["replies"]:
        texts.append(reply.get("text") or "")
        custom = reply.get("custom") or {}
        if custom.get("type") == "product_cards":
            for card in custom["products"]:
                if card["id"] in catalog:
                    cards.append(catalog[card["id"]])
                else:
                    unknown.append(card["id"])
    return Turn("\n".join(texts), cards, body.get("conversation") or {}, unknown)


@dataclass(frozen=True)
class CaseSet:
    """Files of cases scored against one shop's catalog."""

    files: tuple[tuple[str, Path], ...]  # (group, file): requests and/or conversations
    knowledge: Path  # the shop's knowledge folder, which the assistant must run with
    shoppers: bool = True  # SCHEMA.md's format: a class per case and turn, the handoff check
    hidden: bool = False  # held out: figures only, never its cases or failures
    index_dir: Path | None = None  # the assistant's index folder, when not the project's own


SETS: dict[str, CaseSet] = {
    "old": CaseSet(
        (("requests", CASES / "requests.yml"), ("conversations", CASES / "conversations.yml")),
        PROJECT_DIR / "knowledge",
        shoppers=False,
    ),
    "dev": CaseSet(
        (
            ("requests", SHOPPERS / "dev" / "requests.yml"),
            ("conversations", SHOPPERS / "dev" / "conversations.yml"),
        ),
        PROJECT_DIR / "knowledge",
    ),
    "held_out": CaseSet(
        (
            ("requests", SHOPPERS / "held_out" / "requests.yml"),
            ("conversations", SHOPPERS / "held_out" / "conversations.yml"),
        ),
        PROJECT_DIR / "knowledge",
        hidden=True,
    ),
    # Its own index folder: the project's var/index holds the demo shop's, which a running
    # assistant reloads whenever it is republished.
    "bike": CaseSet(
        (("requests", SHOPPERS / "bike_shop.yml"),),
        BIKE_KNOWLEDGE,
        index_dir=PROJECT_DIR / "var" / "index-bike-shop",
    ),
}


def _checked(
    expect: dict[str, Any], turn: Turn, earlier: list[Turn], catalog: dict[str, Product], shoppers: bool
) -> list[str]:
    if not shoppers:
        return turn_problems(expect, turn, earlier, catalog)
    try:
        problems = turn_problems(expect, turn, earlier, catalog)
    except Exception as error:  # a malformed case: count it failed, carry on with the others
        problems = [f"the scorer could not check this turn: {type(error).__name__}: {error}"]
    if turn.unknown_cards:
        problems.append(f"showed products not in the catalog: {turn.unknown_cards}")
    if handed := handoff_problem(turn):
        problems.append(handed)
    return problems


async def run_cases(
    url: str,
    token: str,
    cases: list[dict],
    name: str,
    catalog: dict[str, Product],
    set_name: str | None = None,
) -> list[dict]:
    """Each case in its own conversation; returns one result per case. ``set_name`` is given for
    the shopper sets (SCHEMA.md): turns are then checked for handoffs too, and results keep each
    turn's class."""
    shoppers = set_name is not None
    run = secrets.token_hex(3)  # a new customer each run, also on a gateway that keeps its data
    results = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        for number, case in enumerate(cases):
            turns = case.get("turns") or [case]
            customer = (
                f"shoppers-{set_name}-{name}-{number}-{run}" if shoppers else f"shopping-{name}-{number}"
            )
            earlier: list[Turn] = []
            failures = []
            outcomes = []
            for position, turn_case in enumerate(turns):
                turn = await say(session, url, customer, turn_case["say"], catalog)
                expect = turn_case.get("expect") or {}
                if shoppers and position > 0 and "says" in expect:
                    # A shop question later in a conversation: the writers repeated the product
                    # constraints still in force, which bind any card shown, but asked for none.
                    expect = {**expect, "_cards_optional": True}
                problems = _checked(expect, turn, earlier, catalog, shoppers)
                if problems:
                    failure = {"say": turn_case["say"], "problems": problems, "reply": turn.text[:300]}
                    if shoppers:
                        failure = {
                            "set": set_name,
                            "case": f"{name} {number}"
                            + (f" ({case['persona']})" if "persona" in case else ""),
                            "turn": position + 1,
                            "class": turn_case.get("class"),
                            **failure,
                            "cards": [product.name for product in turn.cards],
                        }
                    failures.append(failure)
                outcomes.append({"class": turn_case.get("class") or "unclassed", "passed": not problems})
                earlier.append(turn)
            results.append(
                {
                    "case": turns[0]["say"],
                    "passed": not failures,
                    "failures": failures,
                    "conversation": "turns" in case,
                    "turns": outcomes,
                }
            )
    return results


# --- figures -------------------------------------------------------------------------------------


def _share(passed: int, total: int) -> float | None:
    return round(passed / total, 3) if total else None


def figures(results: dict[str, list[dict]]) -> dict[str, Any]:
    every = [result for group in results.values() for result in group]
    summary: dict[str, Any] = {
        name: {"cases": len(group), "passed": _share(sum(r["passed"] for r in group), len(group))}
        for name, group in results.items()
    }
    summary["all"] = {"cases": len(every), "passed": _share(sum(r["passed"] for r in every), len(every))}
    return summary


def _by_class(outcomes: list[dict], unit: str) -> dict[str, dict[str, Any]]:
    classes: dict[str, list[bool]] = {}
    for outcome in outcomes:
        classes.setdefault(outcome["class"], []).append(outcome["passed"])
    return {
        name: {unit: len(passed), "passed": _share(sum(passed), len(passed))}
        for name, passed in sorted(classes.items())
    }


def shopper_figures(results: dict[str, list[dict]]) -> dict[str, Any]:
    """A shopper set's figures: per file, cases passed (a conversation only when every turn did),
    the share of conversation turns passed, and per class the share of single requests / of
    conversation turns passed; under "all", the cases of both and the classes over both."""
    summary: dict[str, Any] = {}
    every: list[dict] = []
    for name, group in results.items():
        single = [r["turns"][0] for r in group if not r["conversation"]]
        turns = [t for r in group if r["conversation"] for t in r["turns"]]
        figures_of_group: dict[str, Any] = {
            "cases": len(group),
            "passed": _share(sum(r["passed"] for r in group), len(group)),
        }
        if turns:
            figures_of_group["turns"] = len(turns)
            figures_of_group["turns_passed"] = _share(sum(t["passed"] for t in turns), len(turns))
        if single:
            figures_of_group["requests"] = len(single)
            figures_of_group["classes"] = _by_class(single, "requests")
        if turns:
            figures_of_group["turn_classes"] = _by_class(turns, "turns")
        summary[name] = figures_of_group
        every += group
    summary["all"] = {
        "cases": len(every),
        "passed": _share(sum(r["passed"] for r in every), len(every)),
        "classes": _by_class([t for r in every for t in r["turns"]], "checked"),
    }
    return summary


async def evaluate(url: str, token: str, sets: list[str] | None = None) -> dict[str, dict[str, list[dict]]]:
    """Results per set and file (the old sets' when no sets are named)."""
    results: dict[str, dict[str, list[dict]]] = {}
    for set_name in sets or ["old"]:
        chosen = SETS[set_name]
        catalog = {product.id: product for product in load_knowledge(chosen.knowledge).catalog}
        results[set_name] = {}
        for name, path in chosen.files:
            if not path.exists():
                raise SystemExit(f"shopping: {path} is missing (set {set_name})")
            cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            results[set_name][name] = await run_cases(
                url, token, cases, name, catalog, set_name if chosen.shoppers else None
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running gateway (else the assistant is started here)")
    parser.add_argument("--token", help="its channel token (data/channel-token)")
    parser.add_argument("--failures", action="store_true", help="print every failed case")
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        choices=tuple(SETS),
        help="a set of cases to score (repeatable; default: old, with today's output)",
    )
    parser.add_argument(
        "--show-held-out", action="store_true", help="with --failures, print held_out's failures too"
    )
    arguments = parser.parse_args()
    sets = list(dict.fromkeys(arguments.sets or ["old"]))
    if "bike" in sets and len(sets) > 1:
        parser.error("--set bike needs an assistant of its own (the bike shop's knowledge): score it alone")
    chosen = SETS[sets[0]]
    if arguments.url:
        results = asyncio.run(evaluate(arguments.url, arguments.token, sets))
    else:
        from assistant import running_assistant  # benchmarks/assistant.py

        # The processes get the settings as SUPPORTDESK_* variables: SUPPORTDESK_KNOWLEDGE_DIR is
        # the shop's knowledge folder (absolute), so the assistant answers from the catalog scored
        # against.
        overrides: dict[str, object] = {"knowledge_dir": chosen.knowledge.resolve()}
        if chosen.index_dir is not None:
            overrides["index_dir"] = chosen.index_dir
        with running_assistant(**overrides) as assistant:
            results = asyncio.run(evaluate(assistant.url, assistant.token, sets))
    if arguments.failures:
        for set_name, groups in results.items():
            if SETS[set_name].hidden and not arguments.show_held_out:
                continue
            for group in groups.values():
                for result in group:
                    for failure in result["failures"]:
                        print(json.dumps(failure), file=sys.stderr)
    if arguments.sets is None:
        print(json.dumps(figures(results["old"])))
    else:
        print(
            json.dumps(
                {
                    set_name: shopper_figures(groups) if SETS[set_name].shoppers else figures(groups)
                    for set_name, groups in results.items()
                }
            )
        )


if __name__ == "__main__":
    main()
