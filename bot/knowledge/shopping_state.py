"""The shopping request a conversation has made so far, kept in Rasa slots between turns: what a
new message adds to it, refines in it, or starts afresh."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from bot.knowledge.amounts import price
from bot.knowledge.parsing import Constraints
from bot.knowledge.products import ProductFinder, ProductRequest

# Slots that carry a product request from one turn to the next, so "in blue" refines it.
REQUEST_SLOTS = (
    "category",
    "product",
    "color",
    "size",
    "min_price",
    "max_price",
    "brand",
    "people",
    "price_order",
    "sort",
    "capacity_l",
    "max_temperature_f",
    "shopping_query",
)


def request_from_turn(
    text: str, entities: dict[str, str], previous: dict[str, str | None], said: Constraints
) -> ProductRequest:
    """The request a message makes: naming a category or product starts afresh; anything else
    (a colour, a size, a budget, "for winter") refines the previous request. Rasa's entities come
    first; what the rule-based parse found (``said``) fills the gaps, and decides prices."""
    starts_afresh = (
        bool({"category", "product"} & set(entities)) or said.category is not None or said.product is not None
    )
    values: dict[str, str] = (
        {} if starts_afresh else {slot: value for slot, value in previous.items() if value}
    )
    # Rasa's entities fill what the catalog's own vocabulary did not find.
    values.update(entities)
    for slot in REQUEST_SLOTS[:-1]:  # all but the query, which is words
        if getattr(said, slot) is not None:
            values[slot] = str(getattr(said, slot))
    # What the request is about in words, for ranking: "what about for winter?" adds to it.
    query = (
        text if starts_afresh or not values.get("shopping_query") else f"{values['shopping_query']} {text}"
    )
    return ProductRequest(
        text=query,
        category=values.get("category"),
        product=values.get("product"),
        color=values.get("color"),
        size=values.get("size"),
        brand=values.get("brand"),
        min_price=price(values.get("min_price")),
        max_price=price(values.get("max_price")),
        include_out_of_stock=said.include_out_of_stock,
        price_order=values.get("price_order"),
        people=_whole(values.get("people")),
        sort=values.get("sort"),
        capacity_l=price(values.get("capacity_l")),
        max_temperature_f=_whole(values.get("max_temperature_f")),
    )


def _whole(value: str | None) -> int | None:
    return int(value) if value and value.lstrip("-").isdigit() else None


def request_slots(request: ProductRequest) -> dict[str, str | None]:
    """The request as slot values, for the next turn to refine."""
    # Every slot but the query is the request's field of the same name.
    values = {slot: getattr(request, slot) for slot in REQUEST_SLOTS[:-1]} | {"shopping_query": request.text}
    return {slot: (str(value) if value is not None else None) for slot, value in values.items()}


def next_request(
    finder: ProductFinder,
    text: str,
    entities: dict[str, str],
    previous: dict[str, str | None],
    shown: Sequence[str] = (),
    said: Constraints | None = None,
) -> ProductRequest:
    """What this message asks for, given Rasa's entities, the previous request's slots and the
    products already shown: "show me more" leaves those out, "something cheaper" goes below the
    cheapest of them. ``said``: the message already parsed."""
    said = said or finder.parser.parse(text)
    request = request_from_turn(text, entities, previous, said)
    shown_products = [product for product_id in shown if (product := finder.product_by_id(product_id))]
    if said.more and shown_products:
        request = replace(request, exclude=tuple(product.id for product in shown_products))
    if said.cheaper and shown_products:
        below = min(product.price for product in shown_products) - Decimal("0.01")
        limit = below if request.max_price is None else min(request.max_price, below)
        request = replace(request, max_price=limit, cheaper_than_shown=True)
    return request
