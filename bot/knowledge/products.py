"""Recommending products from the catalog: filter by what the customer asked for, rank the rest."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np

from bot.knowledge import Knowledge, Product
from bot.knowledge.catalog_index import CatalogIndex
from bot.knowledge.encoder import english_words
from bot.knowledge.keyword import singular
from bot.knowledge.parsing import ConstraintParser

# A message means a category by meaning alone ("raincoat" -> rain jackets: 0.76, "walking poles" ->
# trekking poles: 0.76; "kayaks" comes no closer than 0.43 to any) from this similarity to its
# name, when the next category is at least the margin further away.
CATEGORY_MEANT_AT = 0.55
CATEGORY_MARGIN = 0.05
# "Around $250": from a quarter below to 15 % above (a shopper stretches less than they save).
AROUND_BELOW = Decimal("0.75")
AROUND_ABOVE = Decimal("1.15")


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
    people: int | None = None  # how many it must fit ("a tent for two")
    sort: str | None = None  # "lightest", "warmest" or "largest" first
    capacity_l: Decimal | None = None  # about this many litres
    max_temperature_f: int | None = None  # warm enough for this temperature (°F)
    min_capacity_l: Decimal | None = None
    max_capacity_l: Decimal | None = None
    max_weight_g: int | None = None
    around_price: Decimal | None = None  # near this price, either way (AROUND_BELOW..AROUND_ABOVE)
    kinds: tuple[str, ...] = ()  # its name says it is one of these ("lantern")
    not_kinds: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    not_colors: tuple[str, ...] = ()
    audience: str | None = None  # "kids" or "adults"


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
        self._parser = ConstraintParser(knowledge, english_words(index.manifest.model))
        self._products = {product.id: product for product in knowledge.catalog}
        self._category_vectors = index.encode(list(knowledge.categories)) if knowledge.categories else None
        # Every name of a kind of thing the shop sells: its categories and the kinds in them.
        kinds = sorted({*knowledge.categories, *self._parser.vocabulary.kind_of})
        self._kind_vectors = index.encode(kinds) if kinds else None

    @property
    def parser(self) -> ConstraintParser:
        return self._parser

    @property
    def categories(self) -> tuple[str, ...]:
        return self._knowledge.categories

    def reasons_for(self, product: Product) -> tuple[str, ...]:
        """Why a product named by the customer is shown: its price and whether it is in stock."""
        currency = self._knowledge.shop.currency
        return (f"{product.price} {currency}", "in stock" if product.in_stock else "currently out of stock")

    def similarity(self, text: str, among: Sequence[str] = ()) -> tuple[float, str | None]:
        """How close the catalog's best match (in the categories ``among``, else anywhere) comes to
        ``text`` (0-1), and that product's category."""
        ids = [p.id for p in self._knowledge.catalog if not among or p.category in among]
        scores = self._index.scores(text, ids)
        if not scores:
            return 0.0, None
        best = max(scores, key=scores.get)
        return scores[best], self._products[best].category

    def kind_closeness(self, word: str) -> float:
        """How close a word comes to the name of any kind of thing the shop sells (0-1)."""
        if self._kind_vectors is None or not word.strip():
            return 0.0
        return float(np.max(self._kind_vectors @ self._index.query_vector(word)))

    def related_categories(self, text: str, limit: int = 2) -> list[str]:
        """The categories of the products nearest in meaning to ``text``, nearest first: what to
        offer instead of something the shop does not sell ("snowshoes": hiking boots)."""
        scores = self._index.scores(text, list(self._products))
        related: list[str] = []
        for product_id in sorted(scores, key=scores.get, reverse=True):
            category = self._products[product_id].category
            if category not in related:
                related.append(category)
            if len(related) == limit:
                break
        return related

    def category_meant(self, text: str, among: Sequence[str] = ()) -> tuple[str | None, float]:
        """The category (of ``among``, else of all) whose name means what ``text`` says ("raincoat":
        rain jackets), when one stands out: similarity at least CATEGORY_MEANT_AT (any, choosing
        among given ones), clear of the next by CATEGORY_MARGIN. Also the best similarity."""
        categories = list(among) or list(self._knowledge.categories)
        if self._category_vectors is None or not text.strip():
            return None, 0.0
        rows = [self._knowledge.categories.index(category) for category in categories]
        similarities = self._category_vectors[rows] @ self._index.query_vector(text)
        order = np.argsort(-similarities).tolist()
        first, best = order[0], float(similarities[order[0]])
        clear = len(order) == 1 or best - float(similarities[order[1]]) >= CATEGORY_MARGIN
        meant = categories[first] if (best >= CATEGORY_MEANT_AT or among) and clear else None
        return meant, best

    def recommend(self, request: ProductRequest, limit: int = 3) -> list[Recommendation]:
        categories = (
            matching_categories(request.category, self._knowledge.categories) if request.category else ()
        )
        candidates = [p for p in self._knowledge.catalog if self._fits(p, request, categories)]
        if (request.capacity_l or request.min_capacity_l or request.max_capacity_l) and any(
            p.capacity_l for p in candidates
        ):
            # Asked for litres: products whose capacity the catalog does not say cannot be vouched for.
            candidates = [p for p in candidates if p.capacity_l]
        if not candidates:
            return []
        if request.price_order:
            # "The cheapest" means exactly that: price order, not the best match first.
            candidates.sort(key=lambda p: p.price, reverse=request.price_order == "highest")
        elif request.sort:
            # By the catalog field asked about; products without it last.
            candidates.sort(
                key=lambda p: (_sort_key(p, request.sort) is None, _sort_key(p, request.sort) or 0)
            )
        else:
            query = " ".join(filter(None, [request.text, request.product, request.category]))
            scores = self._index.scores(query, [p.id for p in candidates])
            # A party size or a capacity is best met exactly: a 2-person tent for two before a
            # 6-person one, the 65 L pack for "65 litres" before a 50 L one.
            # Children's products come after the rest unless children's were asked for.
            kids_last = request.audience != "kids"
            vocabulary = self._parser.vocabulary
            candidates.sort(
                key=lambda p: (
                    kids_last and vocabulary.audience(p) == "kids",
                    *self._misfit(p, request),
                    -scores.get(p.id, 0.0),
                    p.price,
                )
            )
        if not request.category and not request.product:
            # Asked by need ("something for muddy trails"): the best match's kind, not a mixed bag.
            candidates = [p for p in candidates if p.category == candidates[0].category]
        return [Recommendation(p, self._reasons(p, request, categories)) for p in candidates[:limit]]

    @staticmethod
    def _misfit(product: Product, request: ProductRequest) -> tuple[int, Decimal]:
        """How far a product is from the party size and the capacity asked for (0: exactly)."""
        room = product.people - request.people if request.people and product.people else 0
        litres = (
            abs(product.capacity_l - request.capacity_l) if request.capacity_l and product.capacity_l else 0
        )
        return room, Decimal(litres)

    def has_people(self, category: str) -> bool:
        """Whether the category's products are sized for a number of people (tents, cook sets)."""
        return any(
            p.people
            for p in self._knowledge.catalog
            if p.category in matching_categories(category, self.categories)
        )

    def named(self, request: ProductRequest) -> Product | None:
        """The catalog product the request names, if it names one."""
        return self.product(request.product) if request.product else None

    def product(self, name: str) -> Product | None:
        """The catalog product of this name."""
        return self._parser.vocabulary.product_of.get(name.lower())

    def product_by_id(self, product_id: str) -> Product | None:
        return self._products.get(product_id)

    def alternatives(self, product: Product, request: ProductRequest, limit: int = 3) -> list[Recommendation]:
        """Products in stock like ``product`` (its category, the request's other constraints)."""
        similar = replace(
            request, product=None, category=product.category, exclude=(*request.exclude, product.id)
        )
        return self.recommend(similar, limit)

    def nearest(self, request: ProductRequest, limit: int = 3) -> Relaxation | None:
        """When nothing fits every constraint: the first single constraint (budget, colour, size,
        brand, party size, capacity, temperature rating) whose dropping lets products fit, said in
        words, with those products; None if no single constraint is to blame."""
        currency = self._knowledge.shop.currency
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
        if request.around_price is not None:
            looser.append(
                (
                    f"nothing in stock costs around {request.around_price} {currency}",
                    replace(request, around_price=None, max_price=request.around_price * AROUND_ABOVE),
                )
            )
            looser.append(
                (
                    f"nothing in stock costs around {request.around_price} {currency}",
                    replace(request, around_price=None, price_order="lowest"),
                )
            )
        if request.audience:
            looser.append(
                (
                    f"nothing in stock of that kind is made for {request.audience}",
                    replace(request, audience=None),
                )
            )
        if request.kinds:
            kinds = " or ".join(f"{kind}s" for kind in request.kinds)
            looser.append((f"no {kinds} in stock fit", replace(request, kinds=())))
        if request.color:
            looser.append(
                (f"nothing in stock comes in {request.color.lower()}", replace(request, color=None))
            )
        if request.size:
            looser.append((f"nothing in stock comes in size {request.size}", replace(request, size=None)))
        if request.brand:
            looser.append((f"nothing by {request.brand} fits", replace(request, brand=None)))
        if request.people:
            looser.append((f"nothing in stock fits {request.people} people", replace(request, people=None)))
        if request.capacity_l:
            litres = f"nothing in stock holds about {request.capacity_l:g} litres"
            looser.append((litres, replace(request, capacity_l=None, sort="largest")))
        if request.min_capacity_l or request.max_capacity_l:
            litres = f"nothing in stock holds {_litres_said(request)}"
            looser.append((litres, replace(request, min_capacity_l=None, max_capacity_l=None)))
        if request.max_weight_g:
            grams = f"nothing in stock weighs {request.max_weight_g:,} g or less"
            looser.append((grams, replace(request, max_weight_g=None, sort="lightest")))
        if request.max_temperature_f is not None:
            rating = f"nothing in stock is rated down to {request.max_temperature_f}°F"
            looser.append((rating, replace(request, max_temperature_f=None, sort="warmest")))
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
        if request.around_price is not None and not (
            request.around_price * AROUND_BELOW <= product.price <= request.around_price * AROUND_ABOVE
        ):
            return False
        vocabulary = self._parser.vocabulary
        if request.kinds and not any(vocabulary.is_kind(product, kind) for kind in request.kinds):
            return False
        if any(vocabulary.is_kind(product, kind) for kind in request.not_kinds):
            return False
        if any(
            product.category in matching_categories(unwanted, self.categories)
            for unwanted in request.not_categories
        ):
            return False
        if request.not_colors and product.colors and set(product.colors) <= set(request.not_colors):
            return False
        audience = vocabulary.audience(product)
        if (request.audience == "kids" and audience != "kids") or (
            request.audience == "adults" and audience == "kids"
        ):
            return False
        if not _within(product.capacity_l, request.min_capacity_l, request.max_capacity_l):
            return False
        if request.max_weight_g and product.weight_g and product.weight_g > request.max_weight_g:
            return False
        if request.min_price is not None and product.price < request.min_price:
            return False
        if request.people and product.people is not None and product.people < request.people:
            return False
        if not _holds_about(product, request.capacity_l):
            return False
        if _colder_than(product, request.max_temperature_f):
            return False
        return request.include_out_of_stock or product.in_stock

    def _reasons(
        self, product: Product, request: ProductRequest, categories: tuple[str, ...]
    ) -> tuple[str, ...]:
        currency = self._knowledge.shop.currency
        reasons = []
        if request.category:
            reasons.append(f"one of our {product.category}")
        if request.people and product.people:
            reasons.append(f"fits {product.people} {'person' if product.people == 1 else 'people'}")
        if request.brand:
            reasons.append(f"made by {product.brand}")
        if (request.sort == "lightest" or request.people) and product.weight_g:
            reasons.append(f"weighs {product.weight_g:,} g")
        if (
            request.sort == "warmest" or request.max_temperature_f is not None
        ) and product.temperature_f is not None:
            reasons.append(f"rated to {product.temperature_f}°F")
        if (request.max_weight_g) and product.weight_g and request.sort != "lightest" and not request.people:
            reasons.append(f"weighs {product.weight_g:,} g")
        if (
            request.sort == "largest"
            or request.capacity_l
            or request.min_capacity_l
            or request.max_capacity_l
        ) and product.capacity_l:
            reasons.append(f"holds {product.capacity_l:g} L")
        if request.color:
            reasons.append(f"comes in {request.color.lower()}")
        if request.size:
            reasons.append(f"available in size {request.size}")
        if request.price_order:
            reasons.append(f"{product.price} {currency}, by price, {request.price_order} first")
        elif request.cheaper_than_shown:
            reasons.append(f"{product.price} {currency}, cheaper than what I showed you")
        elif request.max_price is not None and request.min_price is not None:
            reasons.append(
                f"{product.price} {currency}, within your {request.min_price}-{request.max_price} {currency}"
            )
        elif request.max_price is not None:
            reasons.append(f"{product.price} {currency}, within your {request.max_price} {currency} budget")
        elif request.around_price is not None:
            reasons.append(
                f"{product.price} {currency}, around the {request.around_price} {currency} you said"
            )
        elif request.min_price is not None:
            reasons.append(f"{product.price} {currency}, above {request.min_price} {currency} as asked")
        reasons.append("in stock" if product.in_stock else "currently out of stock")
        return tuple(reasons)


def _within(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    """Whether a product's figure is within the bounds asked for (products without it pass)."""
    if value is None:
        return True
    return (low is None or value >= low) and (high is None or value <= high)


def _litres_said(request: ProductRequest) -> str:
    low, high = request.min_capacity_l, request.max_capacity_l
    if low and high:
        return f"between {low:g} and {high:g} litres"
    return f"{high:g} litres or less" if high else f"{low:g} litres or more"


def _holds_about(product: Product, litres: Decimal | None) -> bool:
    """About the litres asked for: within a quarter either way (products without a capacity pass)."""
    if not litres or product.capacity_l is None:
        return True
    return litres * Decimal("0.75") <= product.capacity_l <= litres * Decimal("1.25")


def _colder_than(product: Product, temperature_f: int | None) -> bool:
    """Whether a product's rating is not warm enough for the temperature asked about."""
    return (
        temperature_f is not None
        and product.temperature_f is not None
        and product.temperature_f > temperature_f
    )


def _sort_key(product: Product, sort: str) -> float | None:
    """The field a sort orders by, smallest first: weight, temperature rating, or capacity reversed."""
    if sort == "lightest":
        return product.weight_g
    if sort == "warmest":
        return product.temperature_f
    if sort == "largest":
        return -product.capacity_l if product.capacity_l is not None else None
    return None
