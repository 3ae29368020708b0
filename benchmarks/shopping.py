"""Product search as shoppers use it, scored against the catalog: every case is a new customer
talking to the whole assistant (gateway, Rasa, actions) through the channel API.

    .venv/bin/python benchmarks/shopping.py                  # both sets, prints figures as JSON
    .venv/bin/python benchmarks/shopping.py --failures       # and every failed turn, with why
    .venv/bin/python benchmarks/shopping.py --url http://127.0.0.1:8000 --token T   # a running one

Cases: benchmarks/shopping/requests.yml (one message each) and conversations.yml (multi-turn); the
expectation keys are described at the top of each file. A case passes when every turn passes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
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
NOT_CARRIED = re.compile(r"\b(don't|do not|doesn't|does not)\s+(carry|sell|stock|have)\b", re.IGNORECASE)
SOLD_OUT = re.compile(r"sold out|out of stock|not in stock|unavailable", re.IGNORECASE)
IN_STOCK = re.compile(r"\bin stock\b|\bavailable\b", re.IGNORECASE)
# An honest answer when no product in stock meets the request: says so, may show the nearest.
NO_MATCH = re.compile(
    r"nothing|no products?|couldn't find|could not find|those are all|that's all", re.IGNORECASE
)
CONSTRAINTS = ("category", "max_price", "min_price", "color", "size", "brand", "people")


@dataclass
class Turn:
    """What the assistant sent back for one message: its text and the products on its cards."""

    text: str
    cards: list[Product] = field(default_factory=list)


def _categories(expected: Any) -> set[str]:
    return {expected} if isinstance(expected, str) else set(expected)


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def turn_problems(
    expect: dict[str, Any], turn: Turn, earlier: list[Turn], catalog: dict[str, Product]
) -> list[str]:
    """Why this turn fails its expectation (empty when it passes)."""
    problems: list[str] = []
    cards = turn.cards
    by_name = {product.name.lower(): product for product in catalog.values()}

    def named(name: str) -> Product:
        return by_name[name.lower()]

    asks_about_product = any(key in expect for key in ("stock", "price", "sizes", "colors", "compare"))
    if expect.get("not_carried"):
        if cards:
            problems.append("showed cards for something the shop does not sell")
        if not NOT_CARRIED.search(turn.text):
            problems.append("did not say the shop does not carry it")
        return problems
    if expect.get("cards") is False and cards:
        problems.append("showed cards")
    if "stock" in expect:
        product = named(expect["stock"])
        wanted = SOLD_OUT if not product.in_stock else IN_STOCK
        if not wanted.search(turn.text) or (product.in_stock and SOLD_OUT.search(turn.text)):
            problems.append(
                f"did not say that {product.name} is {'in stock' if product.in_stock else 'sold out'}"
            )
    if "price" in expect:
        product = named(expect["price"])
        if _money(product.price) not in turn.text:
            problems.append(f"did not give the price of {product.name} ({product.price})")
    for key, attribute in (("sizes", "sizes"), ("colors", "colors")):
        if key in expect:
            product = named(expect[key])
            missing = [
                v
                for v in getattr(product, attribute)
                if not re.search(rf"(?<!\w){re.escape(v)}(?!\w)", turn.text, re.IGNORECASE)
            ]
            if missing:
                problems.append(f"did not list the {key} of {product.name}: missing {missing}")
    if "compare" in expect:
        for name in expect["compare"]:
            product = named(name)
            if product.name.lower() not in turn.text.lower() or _money(product.price) not in turn.text:
                problems.append(f"the comparison does not name {product.name} with its price")
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
    if not asks_about_product and expect.get("cards", True) and not cards:
        problems.append("no cards")
    for product in cards:
        if "category" in expect and product.category not in _categories(expect["category"]):
            problems.append(f"{product.name} is {product.category}, not {expect['category']}")
        if not product.in_stock:
            problems.append(f"{product.name} is sold out")
        if "max_price" in expect and product.price > Decimal(str(expect["max_price"])):
            problems.append(f"{product.name} costs {product.price} > {expect['max_price']}")
        if "min_price" in expect and product.price < Decimal(str(expect["min_price"])):
            problems.append(f"{product.name} costs {product.price} < {expect['min_price']}")
        if "color" in expect and expect["color"].lower() not in product.colors:
            problems.append(f"{product.name} does not come in {expect['color']}")
        if "size" in expect and str(expect["size"]).lower() not in {s.lower() for s in product.sizes}:
            problems.append(f"{product.name} does not come in size {expect['size']}")
        if "brand" in expect and product.brand != expect["brand"]:
            problems.append(f"{product.name} is by {product.brand}, not {expect['brand']}")
        if "people" in expect and (product.people or 0) < int(expect["people"]):
            problems.append(f"{product.name} does not fit {expect['people']} people")
    if cards and expect.get("new"):
        before = {product.id for shown in earlier for product in shown.cards}
        if repeated := [product.name for product in cards if product.id in before]:
            problems.append(f"showed again: {repeated}")
    if cards and expect.get("below_shown") and earlier and earlier[-1].cards:
        floor = min(product.price for product in earlier[-1].cards)
        if dearer := [product.name for product in cards if product.price >= floor]:
            problems.append(f"not cheaper than {floor}: {dearer}")
    if cards and expect.get("order"):
        fitting = [
            product
            for product in catalog.values()
            if product.in_stock
            and ("category" not in expect or product.category in _categories(expect["category"]))
            and ("people" not in expect or (product.people or 0) >= int(expect["people"]))
            and ("max_price" not in expect or product.price <= Decimal(str(expect["max_price"])))
        ]
        pick = min if expect["order"] == "lowest" else max
        best = pick(product.price for product in fitting)
        if cards[0].price != best:
            problems.append(f"first card costs {cards[0].price}, the {expect['order']} is {best}")
    return problems


def _breaks(expect: dict[str, Any], product: Product) -> bool:
    """Whether the product fails one of the expectation's constraints."""
    return (
        ("category" in expect and product.category not in _categories(expect["category"]))
        or ("max_price" in expect and product.price > Decimal(str(expect["max_price"])))
        or ("min_price" in expect and product.price < Decimal(str(expect["min_price"])))
        or ("color" in expect and expect["color"].lower() not in product.colors)
        or ("size" in expect and str(expect["size"]).lower() not in {s.lower() for s in product.sizes})
        or ("brand" in expect and product.brand != expect["brand"])
        or ("people" in expect and (product.people or 0) < int(expect["people"]))
    )


async def say(
    session: aiohttp.ClientSession, url: str, customer: str, text: str, catalog: dict[str, Product]
) -> Turn:
    async with session.post(
        f"{url}/api/messages", json={"channel": "api", "customer_id": customer, "text": text}
    ) as response:
        body = await response.json()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {body}")
    texts, cards = [], []
    for reply in body["replies"]:
        texts.append(reply.get("text") or "")
        custom = reply.get("custom") or {}
        if custom.get("type") == "product_cards":
            cards.extend(catalog[card["id"]] for card in custom["products"] if card["id"] in catalog)
    return Turn("\n".join(texts), cards)


async def run_cases(
    url: str, token: str, cases: list[dict], name: str, catalog: dict[str, Product]
) -> list[dict]:
    """Each case in its own conversation; returns one result per case."""
    results = []
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
        for number, case in enumerate(cases):
            turns = case.get("turns") or [case]
            earlier: list[Turn] = []
            failures = []
            for turn_case in turns:
                turn = await say(session, url, f"shopping-{name}-{number}", turn_case["say"], catalog)
                if problems := turn_problems(turn_case.get("expect", {}), turn, earlier, catalog):
                    failures.append({"say": turn_case["say"], "problems": problems, "reply": turn.text[:300]})
                earlier.append(turn)
            results.append({"case": turns[0]["say"], "passed": not failures, "failures": failures})
    return results


def figures(results: dict[str, list[dict]]) -> dict[str, Any]:
    every = [result for group in results.values() for result in group]
    summary: dict[str, Any] = {
        name: {"cases": len(group), "passed": round(sum(r["passed"] for r in group) / len(group), 3)}
        for name, group in results.items()
    }
    summary["all"] = {"cases": len(every), "passed": round(sum(r["passed"] for r in every) / len(every), 3)}
    return summary


async def evaluate(url: str, token: str) -> dict[str, list[dict]]:
    catalog = {product.id: product for product in load_knowledge(PROJECT_DIR / "knowledge").catalog}
    results = {}
    for name in ("requests", "conversations"):
        cases = yaml.safe_load((CASES / f"{name}.yml").read_text(encoding="utf-8"))
        results[name] = await run_cases(url, token, cases, name, catalog)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running gateway (else the assistant is started here)")
    parser.add_argument("--token", help="its channel token (data/channel-token)")
    parser.add_argument("--failures", action="store_true", help="print every failed case")
    arguments = parser.parse_args()
    if arguments.url:
        results = asyncio.run(evaluate(arguments.url, arguments.token))
    else:
        from assistant import running_assistant  # benchmarks/assistant.py

        with running_assistant() as assistant:
            results = asyncio.run(evaluate(assistant.url, assistant.token))
    if arguments.failures:
        for group in results.values():
            for result in group:
                for failure in result["failures"]:
                    print(json.dumps(failure), file=sys.stderr)
    print(json.dumps(figures(results)))


if __name__ == "__main__":
    main()
