"""Questions about the products just shown: "which is lightest?", "the cheapest of those",
"the second one, how heavy is it?", "does the first one come in blue?", "is it in stock?", "the
one in blue". Read from the message's words; answered from the shown products' catalog facts."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.knowledge import Product
from bot.knowledge import product_facts as facts

_ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "last": -1,
    "top": 0, "middle": 1, "latter": -1, "former": 0,
}  # fmt: skip
_ORDINAL = re.compile(
    r"\b(?:the\s+)?(?P<word>first|1st|second|2nd|third|3rd|last|top|middle|latter|former)\b"
    r"|(?:#|\bnumber\s*|\bno\.?\s*|\boption\s*)(?P<number>[1-9])\b",
    re.IGNORECASE,
)
# Superlatives over a list, with the fact each one is about.
_SUPERLATIVES = {
    "cheapest": ("cheapest", "price"), "least expensive": ("cheapest", "price"),
    "most affordable": ("cheapest", "price"), "dearest": ("dearest", "price"),
    "priciest": ("dearest", "price"), "most expensive": ("dearest", "price"),
    "lightest": ("lightest", "weight"), "heaviest": ("heaviest", "weight"),
    "warmest": ("warmest", "temperature"), "biggest": ("largest", "capacity"),
    "largest": ("largest", "capacity"), "roomiest": ("largest", "capacity"),
    "smallest": ("smallest", "capacity"),
    # Comparatives only as "the cheaper one": "any cheaper ones?" asks for other products.
    "the cheaper": ("cheapest", "price"), "the pricier": ("dearest", "price"),
    "the lighter": ("lightest", "weight"), "the heavier": ("heaviest", "weight"),
    "the warmer": ("warmest", "temperature"), "the bigger": ("largest", "capacity"),
    "the smaller": ("smallest", "capacity"), "less expensive": ("cheapest", "price"),
    "more cheap": ("cheapest", "price"), "less pricey": ("cheapest", "price"),
    "more expensive": ("dearest", "price"),
}  # fmt: skip
# "which one's lighter?", "what's cheaper": a comparative asked of the list.
_WHICH_COMPARATIVE = re.compile(
    r"\b(?:which|what)\b.{0,20}?\b(cheaper|pricier|dearer|lighter|heavier|warmer|bigger|smaller|"
    r"weighs?\s+less|weighs?\s+more|costs?\s+less|costs?\s+more|holds?\s+more)\b",
    re.I,
)
_COMPARED = {
    "cheaper": ("cheapest", "price"), "pricier": ("dearest", "price"), "dearer": ("dearest", "price"),
    "lighter": ("lightest", "weight"), "heavier": ("heaviest", "weight"),
    "warmer": ("warmest", "temperature"), "bigger": ("largest", "capacity"),
    "smaller": ("smallest", "capacity"), "weigh less": ("lightest", "weight"),
    "weighs less": ("lightest", "weight"), "weigh more": ("heaviest", "weight"),
    "weighs more": ("heaviest", "weight"), "cost less": ("cheapest", "price"),
    "costs less": ("cheapest", "price"), "cost more": ("dearest", "price"),
    "costs more": ("dearest", "price"), "hold more": ("largest", "capacity"),
    "holds more": ("largest", "capacity"),
}  # fmt: skip
_SUPERLATIVE = re.compile(r"\b(" + "|".join(sorted(_SUPERLATIVES, key=len, reverse=True)) + r")\b", re.I)
# Words that point back at the list: "which one", "of those", "of them", "out of these".
_BACK = re.compile(
    r"\b(?:which|what)\s+(?:one|of|is|are|would|should|do|'s)\b|\bwhich\b|\b(?:of|out of|among|from)\s+"
    r"(?:those|them|these|the three|the two|the ones?)\b|\b(?:that|this|the)\s+one\b|\bones?\b"
    r"|\b(?:it|its|it's|those|these|them|they|that)\b",
    re.IGNORECASE,
)
# The facts a question asks about a product, by the words that ask it.
_FACTS = {
    "weight": r"how heavy|weigh|weight|how light|grams|\bkg\b|\blbs?\b|\bheavy\b|\boz\b|ounces|pounds",
    "capacity": r"how big|how much (?:does it|do they|can it) hold|capacity|volume|"
    r"how many (?:litres|liters)|\bhold\b",
    "temperature": r"how warm|rated|rating|temperature|degrees|how cold",
    "sizes": r"\bsizes?\b|sizing|what size|fit me|how long is|length",
    "colors": r"colou?rs?\b|what colou?r|\bcomes? in\b|available in",
    "stock": r"in stock|available|availability|sold out|have it|left\b|can i (?:buy|get|order)",
    "price": r"how much(?! does it (?:weigh|hold))|price|cost|\$",
    "features": r"tell me (?:more|about)|more about|details|what(?:'s| is) (?:special|different|good)|"
    r"features?|\bis it\b|\bare they\b|\bdoes it\b|\bdo they\b|made of|material|waterproof|good for",
}
_FACT_PATTERNS = {fact: re.compile(pattern, re.IGNORECASE) for fact, pattern in _FACTS.items()}


# Questions about the shop, not the product, even with an "it" in them ("how quickly will it
# arrive?", "is that covered if it breaks?", "can I pick it up?").
_ABOUT_THE_SHOP = re.compile(
    r"\b(?:ship|shipping|postage|deliver\w*|arrive|arrival|return\w*|refund\w*|exchange\w*|warranty|"
    r"guarantee|covered|duties|customs|pick (?:it |them )?up|collect|open|gift ?wrap\w*|pay|payment|"
    r"paypal|klarna|discount|promo|coupon|order\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Reference:
    """Which shown product a message is about (``which``: an index, or a superlative such as
    "lightest") and the facts it asks (``asks``), when it is about the list just shown."""

    which: int | str | None
    asks: tuple[str, ...]
    color: str | None = None  # "the one in blue"


def read_reference(text: str, color: str | None = None) -> Reference | None:
    """What the message asks about the list just shown, or None when it does not point back at it
    (whether it does is decided with the rest of the message: see ``shopping``)."""
    which: int | str | None = None
    asks: list[str] = []
    if _ABOUT_THE_SHOP.search(text):
        return None
    if ordinal := _ORDINAL.search(text):
        which = (
            _ORDINALS[ordinal.group("word").lower()]
            if ordinal.group("word")
            else int(ordinal.group("number")) - 1
        )
    if superlative := _SUPERLATIVE.search(text):
        which, fact = _SUPERLATIVES[superlative.group(1).lower()]
        asks.append(fact)
    elif comparative := _WHICH_COMPARATIVE.search(text):
        which, fact = _COMPARED[" ".join(comparative.group(1).lower().split())]
        asks.append(fact)
    asks += [fact for fact, pattern in _FACT_PATTERNS.items() if pattern.search(text) and fact not in asks]
    if "price" in asks and "weight" in asks and re.search(r"how much does it weigh", text, re.I):
        asks.remove("price")
    if "features" in asks and len(asks) > 1 and not re.search(r"tell me|more about|details", text, re.I):
        asks.remove("features")  # "is it in stock?" asks the stock only
    if (
        not asks
        and which is not None
        and re.search(r"\?|^\s*(?:is|are|does|do|can|will|would)\b", text, re.I)
    ):
        asks.append("features")  # "is the first one breathable?": what the catalog says of it
    # "price?", "weight?", "sizes?": a fact alone asks it of what was just shown.
    pointing = bool(_BACK.search(text)) or (bool(asks) and len(text.split()) <= 3)
    if which is None and color and re.search(r"\bthe\s+one\s+in\b|\bthe\s+\w+\s+one\b", text, re.I):
        return Reference(None, tuple(asks) or ("features",), color)
    if which is None and not (asks and pointing):
        return None
    if which is not None and not (pointing or ordinal):
        return None
    return Reference(which, tuple(asks))


def facts_asked(text: str) -> list[str]:
    """The facts a message asks, in the order of ``_FACTS`` ("cost and weigh": price, weight)."""
    return [fact for fact, pattern in _FACT_PATTERNS.items() if pattern.search(text)]


def _measure(which: str) -> Callable[[Product], float | None]:
    return {
        "cheapest": lambda p: float(p.price),
        "dearest": lambda p: -float(p.price),
        "lightest": lambda p: p.weight_g,
        "heaviest": lambda p: -p.weight_g if p.weight_g else None,
        "warmest": lambda p: p.temperature_f,
        "largest": lambda p: -float(p.capacity_l) if p.capacity_l else None,
        "smallest": lambda p: float(p.capacity_l) if p.capacity_l else None,
    }[which]


def pick(reference: Reference, shown: Sequence[Product]) -> Product | None:
    """The shown product the reference is about (the first shown when it names none)."""
    if not shown:
        return None
    if reference.color:
        coloured = [product for product in shown if reference.color in product.colors]
        return coloured[0] if coloured else None
    if isinstance(reference.which, int):
        return shown[reference.which] if -len(shown) <= reference.which < len(shown) else None
    if isinstance(reference.which, str):
        measure = _measure(reference.which)
        measured = [product for product in shown if measure(product) is not None]
        return min(measured, key=measure) if measured else None
    return shown[0]


_SAY: dict[str, Callable[[Product], str]] = {
    "price": lambda p: f"costs {facts.money(p)}",
    "weight": lambda p: (
        f"weighs {p.weight_g:,} g ({p.weight_g / 453.592:.1f} lb, {p.weight_g / 28.3495:.0f} oz)"
        if p.weight_g
        else "has no weight listed"
    ),
    "capacity": lambda p: f"holds {p.capacity_l:g} L" if p.capacity_l else "has no capacity listed",
    "temperature": lambda p: (
        f"is rated to {p.temperature_f}°F" if p.temperature_f is not None else "has no temperature rating"
    ),
    "sizes": lambda p: facts.sizes(p).removeprefix(f"The {p.name} ").rstrip("."),
    "colors": lambda p: facts.colors(p).removeprefix(f"The {p.name} ").rstrip("."),
    "stock": lambda p: "is in stock" if p.in_stock else "is sold out at the moment",
}


def describe(product: Product, asks: Sequence[str], which: int | str | None, color: str | None = None) -> str:
    """The answer about one shown product: which it is, and each fact asked (its price and stock
    when nothing in particular was asked)."""
    label = {
        "cheapest": "The cheapest of those",
        "dearest": "The most expensive of those",
        "lightest": "The lightest of those",
        "heaviest": "The heaviest of those",
        "warmest": "The warmest of those",
        "largest": "The largest of those",
        "smallest": "The smallest of those",
    }.get(which if isinstance(which, str) else "", "")
    subject = f"{label} is the {product.name}" if label else f"The {product.name}"
    said = [_SAY[fact](product) for fact in asks if fact in _SAY]
    if not said or which in ("cheapest", "dearest"):
        said += [_SAY["price"](product)] if "price" not in asks else []
    if "stock" not in asks and not product.in_stock:
        said.append(_SAY["stock"](product))
    if color and color in product.colors:
        said.insert(0, f"comes in {color} (all its colours: {facts.listing(list(product.colors))})")
    elif color:
        said.insert(0, f"doesn't come in {color} (only {facts.listing(list(product.colors))})")
    sentence = f"{subject}: it {facts.listing(list(dict.fromkeys(said)))}." if said else f"{subject}."
    if "features" in asks or not said:
        feature = product.description.split(":", 1)[-1].strip()
        sentence += f" {feature[:1].upper()}{feature[1:]}" if feature else ""
    if label and which not in ("cheapest", "dearest"):
        sentence += f" ({facts.money(product)})"
    return sentence
