"""Reading product constraints and questions from a customer's message, rule-based with spaCy
(spacy.blank("en"), no model download). The vocabularies (categories, brands, colours, sizes,
product names) come from the catalog itself (bot.knowledge.vocabulary), so a shop's own words are
recognised without retraining anything."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import spacy
from spacy.matcher import Matcher, PhraseMatcher

from bot.knowledge import Knowledge
from bot.knowledge.amounts import price
from bot.knowledge.patterns import NUMBER_WORDS, add_patterns
from bot.knowledge.vocabulary import CatalogVocabulary, words

# "for 2 nights", "for 3 season camping", "for 5 dollars": a number that counts something else.
_NOT_A_PARTY = frozenset(
    """night nights day days week weeks weekend weekends month months year years hour hours
    season seasons dollars dollar bucks usd pairs pair litres liters""".split()
)
# Words of shopping itself, and of who it is for: never the thing being looked for.
_SHOPPING_WORDS = frozenset(
    """sell sells selling carry stock stocks have got need needs want wants buy buying looking look
    find search searching get any some something anything please thanks thank hi hello hey guys
    shop store gear stuff item items product products thing things price prices cheap cost good nice
    best new gift present recommend suggest show like love wondering kind sort type person people
    son daughter wife husband partner boyfriend girlfriend friend kid kids child children mum mom dad
    father mother family sister brother grandson granddaughter bucks dollars budget available ok okay
    maybe also else lol pls plz u ur ya yes no sale online today one ones option options degree degrees
    litre litres liter liters order orders refund delivery shipping account password help package
    parcel payment money""".split()
)
# Orders by a catalog field a shopper may ask for ("the lightest tent").
SORTS = ("LIGHTEST", "WARMEST", "LARGEST")
_LITRES = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*(?:l|ltr|litres?|liters?)\b", re.IGNORECASE)
_DEGREES = re.compile(
    r"(?:rated\s+(?:to|for|down\s+to)\s+)(-?\d+)|(-?\d+)\s*(?:°\s*f?|degrees?(?:\s*f(?:ahrenheit)?)?)(?!\w)",
    re.IGNORECASE,
)
# What a question about a named product asks, most specific first.
QUESTIONS = ("compare", "sizes", "colors", "price", "stock")


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
    people: int | None = None  # "a tent for two": how many it is for
    # "the lightest", "the warmest", "the biggest": the products in that order of their catalog field
    sort: str | None = None
    capacity_l: Decimal | None = None  # "a 65 litre pack": about that many litres
    max_temperature_f: int | None = None  # "a bag rated to 20 degrees": warm enough for 20 °F
    # Catalog products named, whole or in part, in the order named ("the Stormline Pro").
    products: tuple[str, ...] = ()
    question: str | None = None  # one of QUESTIONS, when the message asks about named products
    # The message's content words the catalog never uses, in order: what a request for
    # something the shop does not sell ("kayaks") is made of.
    unknown: tuple[str, ...] = ()
    wants: bool = False  # worded as wanting to buy something ("do you sell", "I need")


class ConstraintParser:
    """Finds category, brand, colour, size, price range, party size, "include sold-out", named
    products and what is asked about them, in a message."""

    def __init__(self, knowledge: Knowledge, english: frozenset[str] = frozenset()):
        self._nlp = spacy.blank("en")
        vocab = self._nlp.vocab
        self.vocabulary = vocabulary = CatalogVocabulary(knowledge, english)
        self._phrases = PhraseMatcher(vocab, attr="LOWER")
        self._phrases.add("CATEGORY", [self._nlp.make_doc(form) for form in vocabulary.category_of])
        self._phrases.add("KIND", [self._nlp.make_doc(form) for form in vocabulary.kind_of])
        self._phrases.add("BRAND", [self._nlp.make_doc(brand) for brand in vocabulary.brand_of])
        self._phrases.add("COLOR", [self._nlp.make_doc(colour) for colour in vocabulary.colour_of])
        self._phrases.add("SIZE", [self._nlp.make_doc(size) for size in vocabulary.sizes if len(size) > 2])

        self._matcher = Matcher(vocab)
        add_patterns(self._matcher)

    @staticmethod
    def _says_size(doc, start: int) -> bool:
        return start > 0 and doc[start - 1].lower_ in ("size", "in")

    def parse(self, text: str) -> Constraints:
        vocabulary = self.vocabulary
        # Mend one-typo catalog words first ("trial running shoes", "sleepin bag").
        doc = self._nlp(text)
        mended = "".join(vocabulary.spelled(token.text) + token.whitespace_ for token in doc)
        doc = self._nlp(mended) if mended != text else doc
        found: dict[str, object] = {}
        recognised: set[int] = set()  # tokens that are catalog words: not "unknown"
        categories = []  # (for a purpose, a kind word, where, category): the least of them wins
        # Longest first, so "hiking boots" is the category, not "boots" alone.
        for label, start, end in sorted(self._phrases(doc), key=lambda match: match[1] - match[2]):
            kind = self._nlp.vocab.strings[label]
            said = doc[start:end].text.lower()
            if recognised & set(range(start, end)):
                continue  # part of a longer phrase already read
            recognised.update(range(start, end))
            if kind in ("CATEGORY", "KIND"):
                meant = (vocabulary.category_of if kind == "CATEGORY" else vocabulary.kind_of)[said]
                # "a lantern for the tent" is a lantern: a category after "for" is what it is for.
                purpose = any(token.lower_ == "for" for token in doc[max(0, start - 2) : start])
                categories.append((purpose, kind == "KIND", start, meant))
            elif kind == "BRAND":
                found.setdefault("brand", vocabulary.brand_of[said])
            elif kind == "COLOR":
                found.setdefault("color", vocabulary.colour_of[said])
            elif kind == "SIZE" and (said not in vocabulary.english or self._says_size(doc, start)):
                # A size that is also a plain word ("long", "regular", "wide") only after "size"
                # or "in": "a long hike" is no size.
                found.setdefault("size", said)
        if categories:
            found["category"] = min(categories)[3]
        matches = [(self._nlp.vocab.strings[label], start, end) for label, start, end in self._matcher(doc)]
        kinds = {kind for kind, _, _ in matches}
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
            elif kind == "AT_LEAST" and start > 0 and doc[start - 1].lower_ in ("no", "not", "nothing"):
                # "no more than 120", "nothing over 150": a maximum.
                if numbers[-1] is not None:
                    found.setdefault("max_price", numbers[-1])
            elif kind == "AT_LEAST" and numbers[0] is not None and "min_price" not in found:
                found["min_price"] = numbers[0]
            elif kind == "AROUND" and numbers and numbers[-1] is not None:
                # "around 250", "budget 250", "$250": a budget, so at most that; unless the amount
                # is part of a range read above ("over $50").
                if not priced & set(range(start, end)):
                    found.setdefault("max_price", numbers[-1])
            elif kind == "PEOPLE":
                self._read_people(doc, start, end, found)
            elif kind == "TWO_PEOPLE":
                found.setdefault("people", 2)
            elif kind == "ONE_PERSON":
                found.setdefault("people", 1)
            elif kind == "SIZE" and (size := doc[end - 1].text.lower()) in vocabulary.sizes:
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
            elif kind in SORTS:
                found.setdefault("sort", kind.lower())
            elif kind == "WANTS":
                found["wants"] = True
            if kind not in QUESTIONS:
                recognised.update(range(start, end))
        asks = [question for question in QUESTIONS if question.upper() in kinds]
        # "boots size 11" asks for a size, not which sizes there are ("does it come in size 11?"
        # asks whether it is available: STOCK).
        asks = [
            q
            for q in asks
            if not ((q == "sizes" and "size" in found) or (q == "colors" and "color" in found))
        ]
        either = "or" in words(mended)
        # A name said in part ("the Stormline Pro") counts in a question about products only:
        # elsewhere "trail runners" is a kind of shoe, not the Rapid Trail Runner.
        named = vocabulary.named_products(mended, partial=bool(asks) or either)
        if named:
            products = tuple(dict.fromkeys(mention.product.name for mention in named))
            found["products"], found["product"] = products, products[0]
            if len(products) > 1 and ("compare" in asks or either):
                found["question"] = "compare"
            else:
                found["question"] = next((question for question in asks if question != "compare"), None)
        if (litres := _LITRES.search(mended)) and not found.get("products"):
            found["capacity_l"] = Decimal(litres.group(1))
        if (degrees := _DEGREES.search(mended)) and not found.get("products"):
            found["max_temperature_f"] = int(degrees.group(1) or degrees.group(2))
        content = [
            token.text
            for i, token in enumerate(doc)
            if i not in recognised
            and token.is_alpha
            and not token.is_stop
            and token.lower_ not in _SHOPPING_WORDS
        ]
        # Only a message made of words the catalog never uses asks for something it does not have:
        # "ski boots" may be hiking boots, "kayaks" cannot be anything in it.
        if content and not named and not any(vocabulary.known(word.lower()) for word in content):
            found["unknown"] = tuple(content)
        return Constraints(**found)

    @staticmethod
    def _read_people(doc, start: int, end: int, found: dict[str, object]) -> None:
        """ "2 person", "two-person", "family of 4", "sleeps four", and "for two" unless what
        follows counts something else ("for 2 nights" is not a party of two; "for two around
        $250" is)."""
        said = doc[start].lower_ if doc[start].like_num else doc[end - 1].lower_
        count = NUMBER_WORDS.get(said) or (int(said) if said.isdigit() else None)
        if doc[start].lower_ == "for":
            following = doc[end] if end < len(doc) else None
            if following is not None and following.lower_ in _NOT_A_PARTY:
                return
        if count and 0 < count <= 12:
            found.setdefault("people", count)
