"""Reading product constraints from a customer's message, rule-based with spaCy (spacy.blank("en"),
no model download). The vocabularies (categories, brands, colours, sizes) come from the catalog
itself, so a shop's own words are recognised without retraining anything."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import spacy
from spacy.matcher import Matcher, PhraseMatcher

from bot.knowledge import Knowledge
from bot.knowledge.amounts import price
from bot.knowledge.keyword import singular

_CURRENCY = {"ORTH": {"IN": ["$", "€", "£"]}, "OP": "?"}
_NUMBER = {"LIKE_NUM": True}
_AT_MOST = ["under", "below", "beneath", "max", "maximum", "cheaper", "less", "lower", "within"]
_AT_LEAST = ["over", "above", "more", "least", "minimum", "min", "from", "pricier"]
# Colours customers say that the catalog spells another way.
_COLOUR_SYNONYMS = {"gray": "grey", "beige": "khaki", "tan": "khaki"}
_SOLD_OUT_WORDS = [["sold", "out"], ["out", "of", "stock"], ["unavailable"]]


@dataclass(frozen=True)
class Constraints:
    category: str | None = None
    product: str | None = None  # a catalog product named in full, as the catalog writes it
    brand: str | None = None
    color: str | None = None
    size: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    include_out_of_stock: bool = False
    cheaper: bool = False  # "something cheaper": below what was shown
    more: bool = False  # "show me more", "other ones": not what was shown
    # "cheapest", "most expensive": the products in price order, "lowest" or "highest" first
    price_order: str | None = None


def _singular(phrase: str) -> str:
    *words, last = phrase.split()
    return " ".join([*words, singular(last)])


class ConstraintParser:
    """Finds category, brand, colour, size, price range and "include sold-out" in a message."""

    def __init__(self, knowledge: Knowledge):
        self._nlp = spacy.blank("en")
        vocab = self._nlp.vocab
        self._phrases = PhraseMatcher(vocab, attr="LOWER")
        self._category_of: dict[str, str] = {}
        last_words: dict[str, set[str]] = {}
        for category in knowledge.categories:
            for form in {category, _singular(category)}:
                self._category_of[form] = category
            last = category.split()[-1]
            last_words.setdefault(last, set()).add(category)
        # "boots" alone means hiking boots when no other category ends in "boots".
        for last, categories in last_words.items():
            if len(categories) == 1:
                for form in {last, singular(last)}:
                    self._category_of.setdefault(form, next(iter(categories)))
        self._phrases.add("CATEGORY", [self._nlp.make_doc(form) for form in self._category_of])
        brands = {product.brand for product in knowledge.catalog if product.brand}
        self._brand_of = {brand.lower(): brand for brand in brands}
        self._phrases.add("BRAND", [self._nlp.make_doc(brand) for brand in brands])
        colours = {colour for product in knowledge.catalog for colour in product.colors}
        self._colour_of = {colour: colour for colour in colours} | {
            said: meant for said, meant in _COLOUR_SYNONYMS.items() if meant in colours
        }
        self._phrases.add("COLOR", [self._nlp.make_doc(colour) for colour in self._colour_of])
        self._sizes = {size for product in knowledge.catalog for size in product.sizes}
        self._phrases.add("SIZE", [self._nlp.make_doc(size) for size in self._sizes if len(size) > 2])
        self._product_of = {product.name.lower(): product.name for product in knowledge.catalog}
        self._phrases.add("PRODUCT", [self._nlp.make_doc(name) for name in self._product_of])

        self._matcher = Matcher(vocab)
        self._matcher.add(
            "BETWEEN",
            [
                [
                    {"LOWER": "between"},
                    _CURRENCY,
                    _NUMBER,
                    {"LOWER": {"IN": ["and", "to", "-"]}},
                    _CURRENCY,
                    _NUMBER,
                ],
                [
                    _CURRENCY,
                    _NUMBER,
                    {"LOWER": {"IN": ["to", "-"]}},
                    _CURRENCY,
                    _NUMBER,
                    {"LOWER": {"IN": ["dollars", "dollar", "bucks", "usd", "euros", "eur"]}, "OP": "?"},
                ],
            ],
        )
        self._matcher.add(
            "AT_MOST",
            [
                [
                    {"LOWER": {"IN": _AT_MOST}},
                    {"LOWER": {"IN": ["than", "of"]}, "OP": "?"},
                    _CURRENCY,
                    _NUMBER,
                ],
                [
                    {"LOWER": {"IN": ["up", "no", "at"]}},
                    {"LOWER": {"IN": ["to", "more", "most"]}},
                    {"LOWER": "than", "OP": "?"},
                    _CURRENCY,
                    _NUMBER,
                ],
            ],
        )
        self._matcher.add(
            "AT_LEAST",
            [
                [
                    {"LOWER": {"IN": _AT_LEAST}},
                    {"LOWER": {"IN": ["than", "at"]}, "OP": "?"},
                    _CURRENCY,
                    _NUMBER,
                ],
            ],
        )
        self._matcher.add("SIZE", [[{"LOWER": "size"}, {"IS_PUNCT": False}]])
        self._matcher.add(
            "CHEAPER",
            [
                [{"LOWER": {"IN": ["cheaper", "less", "lower"]}}],
                [{"LOWER": {"IN": ["too", "so"]}}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
            ],
        )
        self._matcher.add(
            "MORE",
            [
                [
                    {"LOWER": {"IN": ["more", "other", "others", "different", "another"]}},
                    {
                        "LOWER": {"IN": ["options", "ones", "products", "items", "suggestions", "ideas"]},
                        "OP": "?",
                    },
                ],
                [{"LOWER": {"IN": ["anything", "something"]}}, {"LOWER": "else"}],
            ],
        )
        self._matcher.add("SOLD_OUT", [[{"LOWER": word} for word in words] for words in _SOLD_OUT_WORDS])
        self._matcher.add(
            "LOWEST_PRICE",
            [
                [{"LOWER": {"IN": ["cheapest", "cheapie"]}}],
                [{"LOWER": "least"}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
                [{"LOWER": "most"}, {"LOWER": "affordable"}],
                [{"LOWER": "lowest"}, {"LOWER": {"IN": ["price", "priced", "cost"]}}],
            ],
        )
        self._matcher.add(
            "HIGHEST_PRICE",
            [
                [{"LOWER": {"IN": ["priciest", "dearest"]}}],
                [{"LOWER": "most"}, {"LOWER": {"IN": ["expensive", "pricey"]}}],
                [{"LOWER": "highest"}, {"LOWER": {"IN": ["price", "priced", "cost"]}}],
            ],
        )

    def parse(self, text: str) -> Constraints:
        doc = self._nlp(text)
        found: dict[str, object] = {}
        # Longest first, so "Cascade Rain Shell Lite" is that product, not the "Cascade Rain Shell".
        for label, start, end in sorted(self._phrases(doc), key=lambda match: match[1] - match[2]):
            kind = self._nlp.vocab.strings[label]
            said = doc[start:end].text.lower()
            if kind == "PRODUCT":
                found.setdefault("product", self._product_of[said])
            elif kind == "CATEGORY":
                found.setdefault("category", self._category_of[said])
            elif kind == "BRAND":
                found.setdefault("brand", self._brand_of[said])
            elif kind == "COLOR":
                found.setdefault("color", self._colour_of[said])
            elif kind == "SIZE":
                found.setdefault("size", said)
        matches = [(self._nlp.vocab.strings[label], start, end) for label, start, end in self._matcher(doc)]
        priced = {
            i
            for kind, start, end in matches
            if kind in ("BETWEEN", "AT_MOST", "AT_LEAST")
            for i in range(start, end)
        }
        for kind, start, end in matches:
            if kind in ("CHEAPER", "MORE") and (
                start in priced or (end < len(doc) and doc[end].lower_ == "than")
            ):
                continue  # "less than 50" is a budget, "more than one" is not "show me more"
            numbers = [price(token.text) for token in doc[start:end] if token.like_num]
            if kind == "BETWEEN" and len(numbers) == 2 and None not in numbers:
                found["min_price"], found["max_price"] = sorted(numbers)
            elif kind == "AT_MOST" and numbers[0] is not None:
                found.setdefault("max_price", numbers[0])
            elif kind == "AT_LEAST" and start > 0 and doc[start - 1].lower_ in ("no", "not"):
                continue  # "no more than 120" is a maximum, found by AT_MOST
            elif kind == "AT_LEAST" and numbers[0] is not None and "min_price" not in found:
                found["min_price"] = numbers[0]
            elif kind == "SIZE" and (size := doc[end - 1].text.lower()) in self._sizes:
                found.setdefault("size", size)  # a longer catalog size ("l/xl") found above wins
            elif kind == "CHEAPER":
                found["cheaper"] = True
            elif kind == "MORE":
                found["more"] = True
            elif kind == "SOLD_OUT":
                found["include_out_of_stock"] = True
            elif kind == "LOWEST_PRICE":
                found.setdefault("price_order", "lowest")
            elif kind == "HIGHEST_PRICE":
                found.setdefault("price_order", "highest")
        return Constraints(**found)
