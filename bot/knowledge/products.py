"""Recommending products from the catalog: filter by what the customer asked for, rank the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from bot.knowledge import Knowledge, Product
from bot.knowledge.amounts import price
from bot.knowledge.catalog_index import CatalogIndex
from bot.knowledge.keyword import singular
from bot.knowledge.parsing import ConstraintParser, Constraints


@dataclass(frozen=True)
class ProductRequest:
    """What the customer asked for; every field is optional."""

    text: str = ""
    category: str | None = None
    product: str | None = None
    color: str | None = None
    size: str | None = None
    brand: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    include_out_of_stock: bool = False
    exclude: tuple[str, ...] = ()  # product ids already shown, for "show me more"
    cheaper_than_shown: bool = False
    price_order: str | None = None  # "lowest" or "highest" first, instead of by meaning


@dataclass(frozen=True)
class Recommendation:
    product: Product
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class Relaxation:
    """What nothing met (``reason``, in words) and the products that fit without that constraint."""

    reason: str
    recommendations: list[Recommendation]


def matching_categories(value: str, categories: tuple[str, ...]) -> tuple[str, ...]:
    """Catalog categories meant by ``value``: exact, else every category sharing a word with it
    ("jacket" means rain jackets and insulated jackets)."""
    value = value.strip().lower()
    if value in categories:
        return (value,)
    words = {singular(word) for word in re.findall(r"[a-z0-9-]+", value)}
    return tuple(
        category
        for category in categories
        if words & {singular(word) for word in re.findall(r"[a-z0-9-]+", category)}
    )


class ProductFinder:
    """Filters the catalog by a request's constraints, then ranks what is left by meaning."""

    def __init__(self, knowledge: Knowledge, index: CatalogIndex):
        self._knowledge = knowledge
        self._index = index
        self._parser = ConstraintParser(knowledge)
        self._products = {product.id: product for product in knowledge.catalog}
        self._named = {product.name.lower(): product for product in knowledge.catalog}

    def request(
        self, text: str, entities: dict[str, str], previous: dict[str, str | None], shown: Sequence[str] = ()
    ) -> ProductRequest:
        """What this message asks for, given Rasa's entities, the previous request's slots and the
        products already shown: "show me more" leaves those out, "something cheaper" goes below
        the cheapest of them."""
        said = self._parser.parse(text)
        request = request_from_turn(text, entities, previous, said)
        shown = [product_id for product_id in shown if product_id in self._products]
        if said.more and shown:
            request = replace(request, exclude=tuple(shown))
        if said.cheaper and shown:
            below = min(self._products[product_id].price for product_id in shown) - Decimal("0.01")
            limit = below if request.max_price is None else min(request.max_price, below)
            request = replace(request, max_price=limit, cheaper_than_shown=True)
        return request

    def recommend(self, request: ProductRequest, limit: int = 3) -> list[Recommendation]:
        categories = (
            matching_categories(request.category, self._knowledge.categories) if request.category else ()
        )
        candidates = [p for p in self._knowledge.catalog if self._fits(p, request, categories)]
        if not candidates:
            return []
        if request.price_order:
            # "The cheapest" means exactly that: price order, not the best match first.
            candidates.sort(key=lambda p: p.price, reverse=request.price_order == "highest")
        else:
            query = " ".join(filter(None, [request.text, request.product, request.category]))
            scores = self._index.scores(query, [p.id for p in candidates])
            candidates.sort(key=lambda p: (-scores.get(p.id, 0.0), p.price))
        return [Recommendation(p, self._reasons(p, request, categories)) for p in candidates[:limit]]

    def named(self, request: ProductRequest) -> Product | None:
        """The catalog product the request names in full, if it names one."""
        return self._named.get(request.product.lower()) if request.product else None

    def alternatives(self, product: Product, request: ProductRequest, limit: int = 3) -> list[Recommendation]:
        """Products in stock like ``product`` (its category, the request's other constraints)."""
        similar = replace(
            request, product=None, category=product.category, exclude=(*request.exclude, product.id)
        )
        return self.recommend(similar, limit)

    def nearest(self, request: ProductRequest, limit: int = 3) -> Relaxation | None:
        """When nothing fits every constraint: the first single constraint (budget, colour, size,
        brand) whose dropping lets products fit, said in words, with those products; None if no
        single constraint is to blame."""
        currency = self._knowledge.store.currency
        looser: list[tuple[str, ProductRequest]] = []
        if request.max_price is not None:
            looser.append(
                (
                    f"nothing in stock costs {request.max_price} {currency} or less",
                    replace(request, max_price=None, cheaper_than_shown=False, price_order="lowest"),
                )
            )
        if request.min_price is not None:
            looser.append(
                (
                    f"nothing in stock costs {request.min_price} {currency} or more",
                    replace(request, min_price=None),
                )
            )
        if request.color:
            looser.append(
                (f"nothing in stock comes in {request.color.lower()}", replace(request, color=None))
            )
        if request.size:
            looser.append((f"nothing in stock comes in size {request.size}", replace(request, size=None)))
        if request.brand:
            looser.append((f"nothing by {request.brand} fits", replace(request, brand=None)))
        for reason, loosened in looser:
            if found := self.recommend(loosened, limit):
                return Relaxation(reason, found)
        return None

    def _fits(self, product: Product, request: ProductRequest, categories: tuple[str, ...]) -> bool:
        if product.id in request.exclude:
            return False
        if request.category and product.category not in categories:
            return False
        if request.product and request.product.lower() not in product.name.lower():
            return False
        if request.brand and request.brand.lower() != product.brand.lower():
            return False
        if request.color and request.color.lower() not in product.colors:
            return False
        if request.size and request.size.lower() not in product.sizes:
            return False
        if request.max_price is not None and product.price > request.max_price:
            return False
        if request.min_price is not None and product.price < request.min_price:
            return False
        return request.include_out_of_stock or product.in_stock

    def _reasons(
        self, product: Product, request: ProductRequest, categories: tuple[str, ...]
    ) -> tuple[str, ...]:
        currency = self._knowledge.store.currency
        reasons = []
        if request.category:
            reasons.append(f"one of our {product.category}")
        if request.brand:
            reasons.append(f"made by {product.brand}")
        if request.color:
            reasons.append(f"comes in {request.color.lower()}")
        if request.size:
            reasons.append(f"available in size {request.size}")
        if request.price_order:
            reasons.append(f"{product.price} {currency}, by price, {request.price_order} first")
        elif request.cheaper_than_shown:
            reasons.append(f"{product.price} {currency}, cheaper than what I showed you")
        elif request.max_price is not None or request.min_price is not None:
            reasons.append(f"{product.price} {currency}, within your budget")
        reasons.append("in stock" if product.in_stock else "currently out of stock")
        return tuple(reasons)


# Slots that carry a product request from one turn to the next, so "in blue" refines it.
REQUEST_SLOTS = ("category", "product", "color", "size", "min_price", "max_price")


def request_from_turn(
    text: str, entities: dict[str, str], previous: dict[str, str | None], said: Constraints
) -> ProductRequest:
    """The request a message makes: naming a category or product starts afresh; anything else
    (a colour, a size, a budget) refines the previous request. Rasa's entities come first; what
    the rule-based parse found (``said``) fills the gaps, and decides prices."""
    starts_afresh = (
        bool({"category", "product"} & set(entities)) or said.category is not None or said.product is not None
    )
    values: dict[str, str] = (
        {} if starts_afresh else {slot: value for slot, value in previous.items() if value}
    )
    for slot in ("category", "product", "color", "size"):
        if getattr(said, slot) is not None:
            values[slot] = getattr(said, slot)
    values.update(entities)  # Rasa's entities win over the rule-based parse
    return ProductRequest(
        text=text,
        category=values.get("category"),
        product=values.get("product"),
        color=values.get("color"),
        size=values.get("size"),
        brand=said.brand,
        min_price=said.min_price if said.min_price is not None else price(values.get("min_price")),
        max_price=said.max_price if said.max_price is not None else price(values.get("max_price")),
        include_out_of_stock=said.include_out_of_stock,
        price_order=said.price_order,
    )


def request_slots(request: ProductRequest) -> dict[str, str | None]:
    """The request as slot values, for the next turn to refine."""
    return {
        slot: (str(value) if (value := getattr(request, slot)) is not None else None)
        for slot in REQUEST_SLOTS
    }
