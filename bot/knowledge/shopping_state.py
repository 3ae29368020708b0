"""The shopping request a conversation has made so far, kept in one Rasa slot between turns: what a
new message adds to it, refines, corrects or excludes, and what a new kind of product keeps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, fields, replace
from decimal import Decimal
from typing import Any

from bot.knowledge.parsing import Constraints
from bot.knowledge.products import ProductFinder, ProductRequest

# The slot that carries the request from one turn to the next (a dict: ``request_slots``), and the
# one with the products the last answer showed.
REQUEST_SLOT = "shopping_request"
SHOWN_SLOT = "shown_products"
# What a request keeps when the shopper turns to another kind of product: what they can spend, who
# it is for, the colours they dislike and what they already have. A size, a colour, a capacity or
# a rating belonged to the old kind.
_CARRIED_OVER = ("max_price", "min_price", "around_price", "audience", "not_colors", "not_categories")
# Fields of the parse that are a request's constraints under the same name.
_SAID = (
    "category", "product", "color", "size", "brand", "min_price", "max_price", "people", "price_order",
    "sort", "capacity_l", "min_capacity_l", "max_capacity_l", "max_weight_g", "max_temperature_f",
    "around_price", "kinds", "audience",
)  # fmt: skip
_EXCLUDED = ("not_kinds", "not_categories", "not_colors")
# Rasa's entities the catalog's own words may have missed; never its numbers, which the parser
# reads with their units ("rated to 15°F" is no price).
_ENTITIES = ("category", "product", "color", "size")
_DECIMALS = {"min_price", "max_price", "around_price", "capacity_l", "min_capacity_l", "max_capacity_l"}
_TUPLES = {"exclude", "kinds", "not_kinds", "not_categories", "not_colors"}


def request_slots(request: ProductRequest, listed: Sequence[str] = ()) -> dict[str, Any]:
    """The request as a slot value (JSON), for the next turn to refine, with the products the
    answer listed (``listed``: "the second one" is one of them)."""
    values: dict[str, Any] = {"listed": list(listed)} if listed else {}
    for name, value in asdict(request).items():
        if name == "exclude" or value in (None, (), False, ""):
            continue
        values[name] = (
            str(value) if isinstance(value, Decimal) else list(value) if isinstance(value, tuple) else value
        )
    return values


def request_from_slots(values: Any) -> ProductRequest | None:
    """The request a slot value holds (None when it holds none, or not a readable one)."""
    if not isinstance(values, dict) or not values:
        return None
    known = {field.name for field in fields(ProductRequest)}
    read: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known or value is None:
            continue
        try:
            if name in _DECIMALS:
                read[name] = Decimal(str(value))
            elif name in _TUPLES:
                read[name] = tuple(str(item) for item in value)
            elif name in ("people", "max_weight_g", "max_temperature_f"):
                read[name] = int(value)
            else:
                read[name] = value
        except (ArithmeticError, TypeError, ValueError):
            continue  # a value the slot should never hold: the request goes on without it
    return ProductRequest(**read)


def request_from_turn(
    finder: ProductFinder,
    text: str,
    entities: dict[str, str],
    previous: ProductRequest | None,
    said: Constraints,
) -> ProductRequest:
    """The request a message makes. A new kind of product starts a new request that keeps only
    what still applies (``_CARRIED_OVER``); anything else (a colour, a size, a budget, "not
    grey", "for winter") refines the previous one, a new value replacing the old (a correction).
    The catalog's own reading of the message (``said``) comes first; Rasa's entities fill gaps."""
    previous = previous or ProductRequest()
    for name in _ENTITIES:
        if name in entities and getattr(said, name) is None and not said.kinds:
            said = replace(said, **{name: entities[name]})
    new_kind = (said.category, said.kinds) != (previous.category, previous.kinds) and bool(
        said.category or said.kinds or said.product
    )
    if new_kind:
        kept = {name: getattr(previous, name) for name in _CARRIED_OVER}
        request = ProductRequest(text=text, **kept, people=_people_for(finder, previous, said))
    else:
        query = f"{previous.text} {text}".strip() if previous.text else text
        request = replace(previous, text=query, exclude=(), cheaper_than_shown=False)
    values = {name: getattr(said, name) for name in _SAID if getattr(said, name) not in (None, ())}
    request = replace(request, **values, include_out_of_stock=said.include_out_of_stock)
    for name in _EXCLUDED:
        if excluded := getattr(said, name):
            request = replace(request, **{name: tuple(dict.fromkeys((*getattr(request, name), *excluded)))})
    said_words = set(re.findall(r"[a-z]+", said.text.lower()))
    if mentioned := [kind for kind in request.not_kinds if kind in said_words and kind not in said.not_kinds]:
        # "fine, mummy then": a kind ruled out before is wanted after all.
        request = replace(
            request, not_kinds=tuple(kind for kind in request.not_kinds if kind not in mentioned)
        )
    if request.color and request.color in request.not_colors:
        request = replace(request, color=None) if request.color in said.not_colors else request
        request = replace(request, not_colors=tuple(c for c in request.not_colors if c != request.color))
    if request.category in request.not_categories and said.not_categories:
        request = replace(request, category=None, kinds=())
    if said.around_price is not None and said.max_price is None:
        request = replace(request, max_price=None, min_price=None)
    elif said.max_price is not None or said.min_price is not None:
        request = replace(request, around_price=None)
    return request


def _people_for(finder: ProductFinder, previous: ProductRequest, said: Constraints) -> int | None:
    """A party size carries over to a new kind only if that kind is sized for people (tents, cook
    sets), not to a headlamp."""
    if said.people is not None:
        return said.people
    category = said.category
    return previous.people if previous.people and category and finder.has_people(category) else None


def next_request(
    finder: ProductFinder,
    text: str,
    entities: dict[str, str],
    previous: ProductRequest | None,
    shown: Sequence[str] = (),
    said: Constraints | None = None,
) -> ProductRequest:
    """What this message asks for, given Rasa's entities, the previous request and the products
    already shown: "show me more" leaves those out, "something cheaper" goes below the cheapest
    of them. ``said``: the message already parsed."""
    said = said or finder.parser.parse(text)
    request = request_from_turn(finder, text, entities, previous, said)
    shown_products = [product for product_id in shown if (product := finder.product_by_id(product_id))]
    if said.more and shown_products:
        request = replace(request, exclude=tuple(product.id for product in shown_products))
    if said.cheaper and shown_products:
        below = min(product.price for product in shown_products) - Decimal("0.01")
        limit = below if request.max_price is None else min(request.max_price, below)
        request = replace(request, max_price=limit, around_price=None, cheaper_than_shown=True)
    return request
