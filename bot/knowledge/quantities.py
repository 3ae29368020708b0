"""Numbers with units in a shopper's message: temperatures, volumes and weights, with what the
shopper means by them (a most, a least, a range, about), converted with pint to the units the
catalog keeps (°F, litres, grams). A number with a unit is never a price: "rated to 15°F", "20 or
25 litre maximum" and "under a kilo" say nothing about money."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import pint

# How shoppers write each unit, as pint names it.
_UNITS = {
    "°f": "degF", "°": "degF", "f": "degF", "fahrenheit": "degF", "degf": "degF",
    "°c": "degC", "c": "degC", "celsius": "degC", "centigrade": "degC", "degc": "degC",
    "l": "liter", "ltr": "liter", "ltrs": "liter", "litre": "liter", "litres": "liter",
    "liter": "liter", "liters": "liter", "ml": "milliliter", "millilitre": "milliliter",
    "millilitres": "milliliter", "milliliter": "milliliter", "milliliters": "milliliter",
    "g": "gram", "gr": "gram", "gram": "gram", "grams": "gram", "grammes": "gram",
    "kg": "kilogram", "kgs": "kilogram", "kilo": "kilogram", "kilos": "kilogram",
    "kilogram": "kilogram", "kilograms": "kilogram", "lb": "pound", "lbs": "pound",
    "pound": "pound", "pounds": "pound", "oz": "ounce", "ounce": "ounce", "ounces": "ounce",
    "lumens": "lumen", "lumen": "lumen", "lm": "lumen",
}  # fmt: skip
# Every way of writing a unit: never a typo of some catalog word ("liters" is not "liners").
UNIT_WORDS = frozenset(_UNITS) | {"degree", "degrees", "litre", "liter"}
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "half": 0.5, "half a": 0.5}
_NUMBER = r"(?:-?\d+(?:[.,]\d+)?|an?|one|two|three|half(?: a)?)"
_UNIT = (
    r"(?:°\s*[fc]?|degrees?(?:\s*(?:f|c|fahrenheit|celsius)\b)?|deg\s*[fc]?\b|"
    + "|".join(
        sorted((re.escape(unit) for unit in _UNITS if not unit.startswith("°")), key=len, reverse=True)
    )
    + r")"
)
_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<first>{_NUMBER})(?:\s*(?:-|to|or|and|\u2013)\s*(?P<second>{_NUMBER}))?\s*-?\s*"
    rf"(?P<unit>{_UNIT})(?![\w])",
    re.IGNORECASE,
)
# "rated to 20", "good down to 15", "comfort 30": a temperature said without its unit.
_RATED = re.compile(
    r"\b(?:rated|rating|comfort(?:able)?|good|warm enough|down)\s+(?:to|for|at|down to)?\s*"
    r"(?:about|around|like|roughly)?\s*(?P<first>-?\d+)(?!\s*(?:\$|dollars?|bucks|usd|%|\d))",
    re.IGNORECASE,
)
_AT_MOST = re.compile(
    r"(?:under|sub|below|less than|lighter than|smaller than|at most|max(?:imum)?|up to|no more than|"
    r"not (?:more|over) than|not over|within|no bigger than|no heavier than)\s*(?:about|around)?\s*$",
    re.IGNORECASE,
)
_AT_LEAST = re.compile(
    r"(?:over|above|more than|at least|min(?:imum)?|bigger than|larger than)\s*(?:about|around)?\s*$",
    re.IGNORECASE,
)
_AFTER_AT_MOST = re.compile(r"^\s*(?:max(?:imum)?|at most|or (?:less|under|smaller|lighter)|tops)\b", re.I)
_AFTER_AT_LEAST = re.compile(r"^\s*(?:or (?:more|bigger|larger)|plus\b|\+|at least\b|min(?:imum)?\b)", re.I)
# "pounds" is money as often as weight: weight only next to words of weight.
_WEIGHT_WORDS = re.compile(r"\b(?:weigh\w*|heavy|heavier|light|lighter|lightweight|ultralight)\b", re.I)


@dataclass(frozen=True)
class Quantity:
    """One quantity a message states: ``kind`` is temperature (°F), volume (litres) or mass
    (grams); ``relation`` most, least, between (``value``..``upper``) or about; ``span`` where the
    message says it (characters)."""

    kind: str
    relation: str
    value: Decimal
    span: tuple[int, int]
    upper: Decimal | None = None


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def _number(said: str) -> float | None:
    said = said.lower().replace(",", ".")
    if said in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[said])
    try:
        return float(said)
    except ValueError:
        return None


def _unit(said: str) -> str:
    said = re.sub(r"\s+", "", said.lower())
    if said.startswith("degree") or said.startswith("deg") or said.startswith("°"):
        return "degC" if said.endswith(("c", "celsius")) else "degF"
    return _UNITS[said]


def _convert(value: float, unit: str) -> tuple[str, Decimal]:
    """The kind of quantity and its value in the catalog's unit."""
    registry = _registry()
    quantity = registry.Quantity(value, unit)
    if quantity.check("[temperature]"):
        return "temperature", Decimal(round(quantity.to("degF").magnitude))
    if quantity.check("[length] ** 3"):
        return "volume", Decimal(f"{round(quantity.to('liter').magnitude, 2):g}")
    if quantity.check("[luminosity]"):
        return "brightness", Decimal(str(value))  # never a price; the catalog keeps no lumens
    return "mass", Decimal(round(quantity.to("gram").magnitude))


def quantities(text: str) -> list[Quantity]:
    """Every temperature, volume and weight the text states, in order."""
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        unit_said = match.group("unit")
        unit = _unit(unit_said)
        first, second = _number(match.group("first")), _number(match.group("second") or "")
        if first is None or (
            unit_said.lower() in ("f", "c") and not match.group("first").lstrip("-")[:1].isdigit()
        ):
            continue
        if unit_said.lower().startswith("pound") and not _WEIGHT_WORDS.search(text):
            continue  # "under 50 pounds" for a jacket is a budget
        kind, value = _convert(first, unit)
        upper = _convert(second, unit)[1] if second is not None else None
        before, after = text[: match.start()], text[match.end() :]
        if upper is not None:
            relation = "most" if _AFTER_AT_MOST.search(after) else "between"
            if relation == "most":
                value, upper = max(value, upper), None
        elif _AT_MOST.search(before) or _AFTER_AT_MOST.search(after):
            relation = "most"
        elif _AT_LEAST.search(before) or _AFTER_AT_LEAST.search(after):
            relation = "least"
        else:
            relation = "about"
        if upper is not None and upper < value:
            value, upper = upper, value
        # The words saying which way belong to the quantity too ("25 litre maximum").
        said_after = _AFTER_AT_MOST.search(after) or _AFTER_AT_LEAST.search(after)
        end = match.end() + (said_after.end() if said_after else 0)
        found.append(Quantity(kind, relation, value, (match.start(), end), upper))
    taken = [quantity.span for quantity in found]
    for match in _RATED.finditer(text):
        if not any(start <= match.start("first") < end for start, end in taken):
            value = Decimal(match.group("first"))
            found.append(Quantity("temperature", "about", value, match.span("first")))
    return sorted(found, key=lambda quantity: quantity.span)
