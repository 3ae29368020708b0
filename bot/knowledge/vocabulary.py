"""The catalog's own words: categories and the words its product names use for them, brands, colours,
sizes, product names (whole or in part), and every word a product is described with. Built from
the catalog each time the catalog index is loaded, so a shop's own catalog is understood without
training data and without retraining Rasa."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise

from bot.knowledge import Knowledge, Product
from bot.knowledge.keyword import singular
from bot.knowledge.quantities import UNIT_WORDS

# Colours customers say that the catalog spells another way.
COLOUR_SYNONYMS = {"gray": "grey", "beige": "khaki", "tan": "khaki"}
# Colour names a shopper may ask for that a catalog may not have: asked for, nothing fits them, and
# the answer says so ("nothing in stock comes in purple") instead of ignoring the colour.
COMMON_COLOURS = frozenset(
    """black white grey red blue navy green olive khaki brown yellow orange pink purple violet lilac
    beige cream gold silver teal turquoise maroon burgundy charcoal camo lime mint coral tan""".split()
)
# Words in product names that say which edition, not what the product is.
_EDITION_WORDS = frozenset({"pro", "lite", "ii", "iii", "plus", "max", "mini", "the", "and", "with", "s"})
# Words in product names that say who it is for ("Women's Ridgeline 45L"): no name of its own.
_AUDIENCE_WORDS = frozenset({"women", "womens", "men", "mens", "kid", "kids", "ladies", "junior", "youth"})
_UNITS = frozenset({"ml", "l", "cm", "mm", "kg", "g", "oz", "f", "c", "person"})
# Most products a name word may belong to and still pick out one product ("Stormline": 2).
_DISTINCTIVE = 4
_WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def stem(word: str) -> str:
    """A crude English stem, enough to see that "camping" and "camp", "walks" and "walking" are the
    same word: plural folded, then -ing/-ed cut (with a doubled final consonant undone)."""
    word = singular(word)
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            break
    return word


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(a) == sorted(b)
        return len(diff) == 1 or swapped
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _singular_phrase(phrase: str) -> str:
    *rest, last = phrase.split()
    return " ".join([*rest, singular(last)])


@dataclass(frozen=True)
class NameMention:
    """A product named in a message, and whether it was named in full."""

    product: Product
    start: int  # word position in the message, for the order products were named in
    whole: bool


class CatalogVocabulary:
    """Every word the catalog gives the assistant, with what each one means."""

    def __init__(self, knowledge: Knowledge, english: frozenset[str] = frozenset()):
        """``english``: real English words, never taken for typos of catalog words ("loves" is not
        "gloves")."""
        catalog = knowledge.catalog
        self.english = english
        self.categories = knowledge.categories
        # Category phrases, singular and plural: "rain jacket" and "rain jackets".
        self.category_of: dict[str, str] = {}
        for category in self.categories:
            for form in {category, _singular_phrase(category)}:
                self.category_of[form] = category
        category_words = {stem(word) for category in self.categories for word in words(category)}
        # "boots" alone means hiking boots when no other category ends in "boots".
        heads: dict[str, set[str]] = defaultdict(set)
        # "tires and tubes": each of its words names a kind within it, "tire" is no tube.
        self._parts_of: dict[str, str] = {}
        for category in self.categories:
            parts = [part.strip() for part in category.split(" and ")]
            if len(parts) > 1:
                self._parts_of.update({part.split()[-1]: category for part in parts})
                continue
            heads[category.split()[-1]].add(category)
        for head, categories in heads.items():
            # "jacket" alone is every kind of jacket (bot.knowledge.products.matching_categories).
            meant = next(iter(categories)) if len(categories) == 1 else head
            for form in {head, singular(head)}:
                self.category_of.setdefault(form, meant)
        self.brand_of = {product.brand.lower(): product.brand for product in catalog if product.brand}
        colours = {colour for product in catalog for colour in product.colors}
        self.colour_of = (
            {colour: colour for colour in COMMON_COLOURS}
            | {colour: colour for colour in colours}
            | {said: meant for said, meant in COLOUR_SYNONYMS.items() if meant in colours}
        )
        self.sizes = {size for product in catalog for size in product.sizes}
        self.product_of = {product.name.lower(): product for product in catalog}

        brand_words = {word for brand in self.brand_of for word in words(brand)}
        ignored = _EDITION_WORDS | _UNITS | _AUDIENCE_WORDS | brand_words | set(self.colour_of)
        # The word a product name ends on says what kind of thing it is ("Glacier Parka",
        # "Rechargeable Lantern"): when only one category's names end on it, it names that category.
        categories_of_head: dict[str, set[str]] = defaultdict(set)
        leading: set[str] = set()  # names' first words that are not what the product is
        self._agent_heads: set[str] = set()  # "runner", "hiker": who uses it, said as a kind of shoe
        self._name_words: dict[Product, set[str]] = {}
        products_with_word: Counter[str] = Counter()
        for product in catalog:
            name = [singular(word) for word in words(product.name)]
            self._name_words[product] = set(name)
            products_with_word.update(set(name))
            # "Hammock with Straps" is a hammock; "Liner Socks 2-Pack" and "Cook Set 4-Person" end
            # on how many; "Fell Racer", "Low Hiker" on who uses it, which is no kind of thing.
            head = re.split(r"\s+with\s+", re.sub(r"\d+-\w+", " ", product.name.lower()))[0]
            kind = [
                word
                for word in (singular(word) for word in words(head))
                if word not in ignored and not any(c.isdigit() for c in word)
            ]
            if kind and kind[-1].endswith("er"):
                self._agent_heads.add(kind[-1])
            elif kind:
                categories_of_head[kind[-1]].add(product.category)
            if len(name) > 1 and (not kind or name[0] != kind[-1]):
                leading.add(name[0])
        # Kind words rank below the category names themselves: "ultralight tent" is a tent. A kind
        # several categories have ("vest": fleece and insulated) names no one category.
        self.kind_of: dict[str, str | None] = {}
        self._kind_word: dict[str, str] = {}
        for head, categories in categories_of_head.items():
            # "pack" is part of "backpack": a category's own word, not a kind within it.
            # A name's own word ("Ridgeline", "Ultralight") leads other names: no kind either.
            if (
                stem(head) not in category_words
                and not any(word.endswith(head) for word in category_words)
                and head not in leading
            ):
                plurals = {head + "s"} | ({head + "es"} if head.endswith(("s", "x", "ch", "sh")) else set())
                for form in {head, *plurals}:
                    self.kind_of[form] = next(iter(categories)) if len(categories) == 1 else None
                    self._kind_word[form] = head
        heads = set(self.kind_of)
        self._all_name_words = set(products_with_word)
        # Words that pick out one or a few products ("Stormline"), for names said in part.
        self._distinctive = {
            word
            for word, count in products_with_word.items()
            if count <= _DISTINCTIVE
            and word not in ignored | heads
            and not word.isdigit()
            and stem(word) not in category_words
        }
        # Words that describe what the shop sells: categories, kinds, and descriptions (less each
        # product's own name and brand: "Mountain Graphic Tee" does not make mountain bikes ours).
        described = [
            product.description.replace(product.name, " ").replace(product.brand or "\0", " ")
            for product in catalog
        ]
        self._known_stems = {
            stem(word) for text in (*self.categories, *self.kind_of, *described) for word in words(text)
        } | {stem(word) for word in self.colour_of}
        for part, category in self._parts_of.items():
            for form in {part, singular(part)}:
                self.kind_of.setdefault(form, category)
                self._kind_word.setdefault(form, singular(part))
        # The shop's own words for them (synonyms.yml): "rucksack" is backpacks, "gilet" a vest.
        for said, meant in knowledge.synonyms.items():
            if meant in self.categories:
                self.category_of.setdefault(said, meant)
                self.category_of.setdefault(said + "s", meant)
            else:
                kind = singular(meant)
                categories = categories_of_head.get(kind) or {
                    product.category for product in catalog if kind in self._name_words[product]
                }
                for form in (said, said + "s"):
                    self.kind_of.setdefault(form, next(iter(categories)) if len(categories) == 1 else None)
                    self._kind_word.setdefault(form, kind)
        # Category and kind words run together, as shoppers type them: "baselayers", "tshirts".
        self._joined = {
            re.sub(r"[^a-z]", "", form): form
            for form in (*self.category_of, *self.kind_of)
            if re.search(r"[ -]", form)
        }
        # ... and two words of a product name run together ("innertube": "Road Inner Tube").
        for product in catalog:
            name = [word for word in words(product.name) if word.isalpha()]
            for first, second in pairwise(name):
                self._joined.setdefault(first + second, f"{first} {second}")
                self._joined.setdefault(first + second + "s", f"{first} {second}s")
        self._spellings = {
            word
            for phrase in (*self.category_of, *self.kind_of, *self.brand_of, *self.product_of)
            for word in words(phrase)
            if len(word) >= 5 and not word.isdigit()
        }

    def names_word(self, word: str) -> bool:
        """Whether product names use this word (or its singular)."""
        return singular(word.lower()) in self._all_name_words

    def kind_word(self, said: str) -> str:
        """The kind a kind phrase names, as product names say it ("lanterns" -> "lantern")."""
        return self._kind_word[said]

    def is_kind(self, product: Product, kind: str) -> bool:
        """Whether the product's name says it is that kind of thing ("Waterproof Mittens": mitten)."""
        return singular(kind) in self._name_words[product]

    @staticmethod
    def audience(product: Product) -> str:
        """Who the product is for, by its name: "kids" ("Kids' Glow Headlamp"), "women", "men",
        or "everyone"."""
        name = set(words(product.name))
        if name & {"kids", "kid", "child", "children", "junior", "youth"}:
            return "kids"
        if name & {"women", "womens", "ladies"}:
            return "women"
        if name & {"men", "mens"}:
            return "men"
        return "everyone"

    def known(self, word: str) -> bool:
        """Whether the catalog uses this word (or another form of it) anywhere."""
        return stem(word.lower()) in self._known_stems

    def spelled(self, word: str) -> str:
        """The catalog word a misspelt word was meant to be ("sleepin" -> "sleeping", "jackt" ->
        "jacket"); the word itself when it is a catalog or English word, or no catalog word is one
        typo away from it."""
        lowered = word.lower()
        if lowered in self.category_of or lowered in self.kind_of:
            return word
        if (joined := self._joined.get(lowered) or self._joined.get(singular(lowered))) is not None:
            return joined
        if len(lowered) == 4 and lowered not in self.english and not self.known(lowered):
            # A short word one typo from a category or kind ("tnet"): only those, not any name.
            kinds = {
                word for word in (*self.category_of, *self.kind_of) if " " not in word and len(word) >= 4
            }
            matches = {known for known in kinds if _one_edit_apart(lowered, known)}
            return matches.pop() if len(matches) == 1 else word
        if (
            len(lowered) < 5
            or lowered in self._spellings
            or lowered in self.english
            or lowered in UNIT_WORDS
            or self.known(lowered)  # "hikes" is a word the catalog uses, not a typo of "hiker"
        ):
            return word
        matches = {known for known in self._spellings if _one_edit_apart(lowered, known)}
        return matches.pop() if len(matches) == 1 else word

    def named_products(self, text: str, partial: bool) -> list[NameMention]:
        """Catalog products the text names, in the order it names them. Whole names always count,
        and names shortened to two words or more that only product names use ("hydration vest");
        with ``partial``, one such word too ("the Stormline"). The shortest fitting name wins."""
        message = [singular(word) for word in words(text)]
        found: list[NameMention] = []
        taken: set[int] = set()
        for name in sorted(self.product_of, key=len, reverse=True):
            key = [singular(word) for word in words(name)]
            for start in range(len(message) - len(key) + 1):
                span = set(range(start, start + len(key)))
                if message[start : start + len(key)] == key and not span & taken:
                    taken |= span
                    found.append(NameMention(self.product_of[name], start, True))
                    break
        for start, run in self._name_runs(message, taken):
            # Outside a question, only a name said in two words or more besides category words,
            # one of them a name's own ("hydration vest"; not "waterproof boots", which
            # descriptions use, nor "solo tent", a kind of tent).
            own = any(word in self._distinctive and not self.known(word) for word in run)
            naming = [
                word
                for word in run
                if word not in self.category_of and word not in self.kind_of and word not in self._agent_heads
            ]
            if (partial or (len(naming) > 1 and own)) and (product := self._product_for_run(run)):
                found.append(NameMention(product, start, False))
        return sorted(found, key=lambda mention: mention.start)

    def _name_runs(self, message: list[str], taken: set[int]) -> list[tuple[int, list[str]]]:
        """Runs of consecutive words (not already part of a whole name) that product names use,
        each holding a distinctive word, with where each starts."""
        runs: list[tuple[int, list[str]]] = []
        current: list[str] = []
        for position, word in enumerate([*message, ""]):
            if word and position not in taken and word in self._all_name_words:
                current.append(word)
                continue
            if any(token in self._distinctive for token in current):
                runs.append((position - len(current), current))
            current = []
        return runs

    def _product_for_run(self, run: list[str]) -> Product | None:
        distinctive = {word for word in run if word in self._distinctive}
        candidates = [
            (len(set(run) & name_words), -len(name_words - set(run)), product)
            for product, name_words in self._name_words.items()
            if distinctive and set(run) <= name_words
        ]
        if not candidates:
            return None
        best = max(candidates, key=lambda candidate: candidate[:2])
        ties = [candidate for candidate in candidates if candidate[:2] == best[:2]]
        return best[2] if len(ties) == 1 else None
