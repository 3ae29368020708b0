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
from bot.knowledge.negation import negated
from bot.knowledge.patterns import NUMBER_WORDS, add_patterns
from bot.knowledge.quantities import Quantity, quantities
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
    parcel payment money perfect proper decent quality really spend spending pay paying afford
    maximum minimum max min boring ugly old
    year years age aged already else nt whatcha watcha wanna gonna gotta gimme lemme tbh thx ty cheers
    ta hmm ugh yeah yep nope idk oh ah well fine great cool model version style morning evening
    afternoon greetings dear""".split()
)
# Orders by a catalog field a shopper may ask for ("the lightest tent").
SORTS = ("LIGHTEST", "WARMEST", "LARGEST")
# Who a product is for, by the words a shopper uses: children, or grown-ups.
_CHILD_WORDS = frozenset(
    """kid kids kid's kids' child children child's childs toddler toddlers son daughter grandson
    granddaughter grandkid grandkids grandchild grandchildren nephew niece boy boys girl girls youth
    junior juniors""".split()
)
_ADULT_WORDS = frozenset("""adult adults grown grownup grown-up man woman men women""".split())
# "he's 35", "my 8 year old", "aged 10": an age; children's products up to this age.
_AGE = re.compile(
    r"\b(\d{1,2})\s*(?:-\s*)?(?:years?|yrs?|yo\b|y/o)"
    r"|\b(?:he|she|they|hes|shes)(?:'s| is| are| turns| turned| will be| turning)?\s+(\d{1,2})\b"
    r"(?!\s*(?:\$|dollars|bucks|%))"
    r"|\baged?\s+(\d{1,2})\b",
    re.I,
)
CHILD_UP_TO_AGE = 12
# "women's 8", "mens 10", "I'm a 9", "I wear an 11": a shoe size.
_SHOE_SIZE = re.compile(
    r"\b(?:(?P<who>women'?s|womens|ladies|men'?s|mens|uk|us|eu)\s+(?:size\s+)?"
    r"|(?:i'?m|i am|i wear|i take)\s+(?:an?\s+)?(?:size\s+)?)"
    r"(?P<size>\d{1,2}(?:\.5)?)\b",
    re.IGNORECASE,
)
# Words that end the noun phrase of the thing asked for ("a harness for my dog").
_PHRASE_ENDS = frozenset(
    """for with to on in at from under over around about that which who so and or rated rating
    comfortable good suitable ideal made is are will can could should would preferably ideally
    like large big small enough warm cheap light heavy nice new old please thanks""".split()
)
# "in a large", "size medium", "I'm a small": clothing sizes said in words.
_SIZE_WORDS = {
    "extra small": "xs", "extra-small": "xs", "x-small": "xs", "small": "s", "medium": "m",
    "large": "l", "extra large": "xl", "extra-large": "xl", "x-large": "xl", "xx-large": "xxl",
    "double xl": "xxl",
}  # fmt: skip
_SIZE_SAID = re.compile(
    r"\b(?:size|in|in an?|i'?m an?|i am an?|i wear an?|i take an?)\s+("
    + "|".join(sorted((re.escape(word) for word in _SIZE_WORDS), key=len, reverse=True))
    + r")\b(?!\s+(?:pack|tent|bag|one|ones|size|group|family|kid|child))",
    re.IGNORECASE,
)
# "a 2p tent": the trade's shorthand for two people.
_PARTY_SHORT = re.compile(r"\b([1-8])\s?p\b", re.IGNORECASE)
# A letter size said on its own at the start: "S is fine", "XL please".
_SIZE_ALONE = re.compile(r"\s*(xxs|xs|s|m|l|xl|xxl)\b(?=\s*(?:is|please|works|would|for|then|$|[.,!]))", re.I)
# Who a party is made of: "me, my wife and our three grandchildren" is five.
_ME = re.compile(r"\b(?:me|myself|i)\b", re.IGNORECASE)
_ONE_COMPANION = re.compile(
    r"\b(?:my|our|and)\s+(?:wife|husband|partner|boyfriend|girlfriend|friend|son|daughter|mum|mom|dad|"
    r"brother|sister|boy|girl|kid|child)\b",
    re.IGNORECASE,
)
_MANY_COMPANIONS = re.compile(
    r"\b(?:my|our|the|and)\s+(\d|two|three|four|five|six)\s+(?:kids|boys|girls|children|grandchildren|"
    r"grandkids|friends|sons|daughters|mates)\b",
    re.IGNORECASE,
)
# Money said in words: "a hundred", "two hundred", "fifty".
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_HUNDREDS = re.compile(r"\b(a|one|two|three|four|five)\s+hundred\b", re.IGNORECASE)
_HUNDREDS_AND = re.compile(
    r"\b(a|one|two|three|four|five)\s+hundred\s+(?:and\s+)?(" + "|".join(_TENS) + r")\b", re.IGNORECASE
)
_TENS_SAID = re.compile(
    r"\b(" + "|".join(_TENS) + r")\s*(?:bucks|dollars|quid|pounds|euros)\b", re.IGNORECASE
)
# "looking for a saddle bag": "for" after these asks for the thing, it says no purpose.
_ASKING_FOR = frozenset({"looking", "shopping", "searching", "asking", "hunting", "search", "look"})
# Words before a product's name that say it is not wanted.
_NAME_REFUSALS = frozenset({"not", "no", "nt", "dont", "without", "except", "instead", "than"})
# Words of "about this much": a price near the amount, either way.
_NEAR = frozenset({"around", "about", "approximately", "approx", "roughly", "~"})
# Words before "more than 250" that make it a limit: "no", "can't spend", "don't want to pay".
_REFUSALS = frozenset({"no", "not", "nothing", "n't", "never", "cant", "dont", "wont"})


def _digits(text: str) -> str:
    """Amounts said in words as digits: "no more than a hundred" -> "no more than 100"."""
    hundreds = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
    text = re.sub(r"~\s*(?=[$€£\d])", "~ ", text)  # "~$200": about 200
    text = _HUNDREDS_AND.sub(
        lambda match: str(hundreds[match.group(1).lower()] * 100 + _TENS[match.group(2).lower()]), text
    )
    text = _HUNDREDS.sub(lambda match: str(hundreds[match.group(1).lower()] * 100), text)
    return _TENS_SAID.sub(lambda match: f"{_TENS[match.group(1).lower()]} {match.group(0).split()[-1]}", text)


def _party_counted(text: str) -> int | None:
    """How many people a party of the shopper and the companions named makes (None unless the
    shopper names themselves and at least one other)."""
    if not _ME.search(text):
        return None
    others = len(_ONE_COMPANION.findall(text))
    for count in _MANY_COMPANIONS.findall(text):
        others += NUMBER_WORDS.get(count.lower()) or int(count)
    return 1 + others if others else None


def _refused(doc, start: int) -> bool:
    """Whether "more than"/"over" at ``start`` is said as a limit ("can't spend more than 250")."""
    return any(token.lower_ in _REFUSALS for token in doc[max(0, start - 4) : start])


# What a question about a named product asks, most specific first.
QUESTIONS = ("compare", "sizes", "colors", "price", "stock")


@dataclass(frozen=True)
class Constraints:
    text: str = ""  # the message as read (typos mended)
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
    min_capacity_l: Decimal | None = None  # "at least 50 litres", "30-40 litres"
    max_capacity_l: Decimal | None = None  # "20 or 25 litre maximum"
    max_weight_g: int | None = None  # "under a kilo"
    max_temperature_f: int | None = None  # "a bag rated to 20 degrees": warm enough for 20 °F
    around_price: Decimal | None = None  # "around $250": near that, either way
    # The kind of thing within a category, by the word its products' names end on ("lantern").
    kinds: tuple[str, ...] = ()
    not_kinds: tuple[str, ...] = ()  # "a headlamp, not a lantern"
    not_categories: tuple[str, ...] = ()  # "I already have a tent"
    not_colors: tuple[str, ...] = ()  # "grey is boring", "anything but black"
    audience: str | None = None  # "kids" or "adults" ("for my 8 year old", "he's 35, not a kid")
    # Catalog products named, whole or in part, in the order named ("the Stormline Pro").
    products: tuple[str, ...] = ()
    question: str | None = None  # one of QUESTIONS, when the message asks about named products
    # The message's content words the catalog never uses, in order: what a request for
    # something the shop does not sell ("kayaks") is made of.
    unknown: tuple[str, ...] = ()
    wants: bool = False  # worded as wanting to buy something ("do you sell", "I need")
    # The thing asked for, as said ("kayak paddles", "ski wax"), and its last word, the head: a
    # thing whose head is no category or kind of the catalog may be something it does not sell.
    thing: str | None = None
    head_known: bool = True
    thing_has_category: bool = False  # "tent stakes": a catalog word qualifies an unknown thing
    thing_first: bool = False  # the message opens with the thing ("big cooler for the car?")


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
        before = [token.lower_ for token in doc[max(0, start - 2) : start]]
        return bool(before) and (before[-1] in ("size", "in") or before == ["in", "the"])

    def parse(self, text: str) -> Constraints:
        vocabulary = self.vocabulary
        # Mend one-typo catalog words and run-together ones first ("trial running shoes",
        # "sleepin bag", "baselayers").
        text = _digits(text)
        doc = self._nlp(text)
        mended = "".join(vocabulary.spelled(token.text) + token.whitespace_ for token in doc)
        doc = self._nlp(mended) if mended != text else doc
        found: dict[str, object] = {"text": mended}
        recognised: set[int] = set()  # tokens that are catalog words: not "unknown"
        # Numbers with units first: a temperature, volume or weight is never a price or a party.
        measured = self._read_quantities(mended, found)
        unit_tokens = {token.i for token in doc if any(start <= token.idx < end for start, end in measured)}
        recognised |= unit_tokens
        self._read_catalog_words(doc, found, recognised)
        catalog_words = set(recognised) - unit_tokens
        matches = sorted(
            (
                (self._nlp.vocab.strings[label], start, end)
                for label, start, end in self._matcher(doc)
                if not unit_tokens & set(range(start, end))
            ),
            key=lambda match: (match[1], match[1] - match[2]),  # in order, the longest first
        )
        self._read_patterns(doc, matches, found, recognised)
        self._read_audience(doc, mended, found, recognised)
        if (party := _PARTY_SHORT.search(mended)) and "people" not in found:
            found["people"] = int(party.group(1))  # "2p tent"
        if (counted := _party_counted(mended)) and counted > found.get("people", 0):
            # "for myself, my wife and our three grandchildren": five, children among them.
            found["people"] = counted
            if found.get("audience") == "kids":
                found.pop("audience")
        if (alone := _SIZE_ALONE.match(mended)) and alone.group(1).lower() in vocabulary.sizes:
            found.setdefault("size", alone.group(1).lower())  # "S is fine", "XL please"
        if (said_size := _SIZE_SAID.search(mended)) and _SIZE_WORDS[
            said_size.group(1).lower()
        ] in vocabulary.sizes:
            found.setdefault("size", _SIZE_WORDS[said_size.group(1).lower()])
        if (shoe := _SHOE_SIZE.search(mended)) and shoe.group("size") in vocabulary.sizes:
            found.setdefault("size", shoe.group("size"))
            for token in doc:
                if shoe.start() <= token.idx < shoe.end():
                    recognised.add(token.i)
            if found.get("max_price") == price(shoe.group("size")):
                found.pop("max_price")
        kinds = {kind for kind, _, _ in matches}
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
        if (
            (either or asks == ["compare"])
            and asks in ([], ["compare"])
            and len({m.product for m in named}) < 2
        ):
            # "or" makes names said in part count only when it weighs two products against each
            # other ("Fell Racer or Gravel Glide?"), not in "2 or 3 days in the mountains".
            named = vocabulary.named_products(mended, partial=False)
        said_words = words(mended)
        refused = [m for m in named if set(said_words[max(0, m.start - 3) : m.start]) & _NAME_REFUSALS]
        if refused:
            # "mittens, not liner gloves": a product said as unwanted is no question about it.
            named = [mention for mention in named if mention not in refused]
            unwanted = {
                word
                for mention in refused
                for word in words(mention.product.name)
                if word not in vocabulary.category_of and vocabulary.names_word(word)
            }
            found["not_kinds"] = (*found.get("not_kinds", ()), *sorted(unwanted))
        if named:
            products = tuple(dict.fromkeys(mention.product.name for mention in named))
            found["products"], found["product"] = products, products[0]
            if len(products) > 1 and ("compare" in asks or either):
                found["question"] = "compare"
            else:
                found["question"] = next((question for question in asks if question != "compare"), None)
            for key in (
                "capacity_l",
                "min_capacity_l",
                "max_capacity_l",
                "max_weight_g",
                "max_temperature_f",
            ):
                found.pop(key, None)  # "the 65L pack" names a product; it sets no capacity
        self._read_thing(doc, found, recognised, catalog_words)
        if found.get("thing") and not found["head_known"]:
            # A head that product names use ("pullover", "joggers") is something the shop sells.
            found["head_known"] = vocabulary.names_word(str(found["thing"]).split()[-1])
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
    def _read_thing(doc, found: dict[str, object], recognised: set[int], catalog_words: set[int]) -> None:
        """The first noun phrase's words, up to a preposition ("a harness for my dog":
        "a harness"), and whether its head (last word) is a catalog word."""
        thing: list[int] = []
        for token in doc:
            if thing and token.lower_ in _PHRASE_ENDS:
                break
            if token.i in catalog_words or (
                token.is_alpha
                and not token.is_stop
                and token.lower_ not in _SHOPPING_WORDS
                and token.i not in recognised
            ):
                thing.append(token.i)
            elif thing and token.is_punct:
                break
        if thing:
            found["thing"] = " ".join(doc[i].text for i in thing)
            found["head_known"] = thing[-1] in catalog_words
            # "tent stakes": a catalog word right before an unknown head, in a short phrase.
            found["thing_has_category"] = len(thing) in (2, 3) and thing[-2] in catalog_words
            found["thing_first"] = thing[0] <= 2

    @staticmethod
    def _read_quantities(text: str, found: dict[str, object]) -> list[tuple[int, int]]:
        """Temperatures, volumes and weights (``quantities``) as constraints; their places."""
        said: list[Quantity] = quantities(text)
        for quantity in said:
            if quantity.kind == "temperature":
                found.setdefault("max_temperature_f", int(quantity.value))
            elif quantity.kind == "volume":
                if quantity.relation == "about":
                    found.setdefault("capacity_l", quantity.value)
                elif quantity.relation == "most":
                    found.setdefault("max_capacity_l", quantity.value)
                elif quantity.relation == "least":
                    found.setdefault("min_capacity_l", quantity.value)
                else:
                    found.setdefault("min_capacity_l", quantity.value)
                    found.setdefault("max_capacity_l", quantity.upper)
            elif quantity.kind == "mass" and quantity.relation != "least":
                found.setdefault("max_weight_g", int(quantity.upper or quantity.value))
        return [quantity.span for quantity in said]

    def _read_catalog_words(self, doc, found: dict[str, object], recognised: set[int]) -> None:
        """Categories, kinds, brands, colours and sizes the catalog uses, each wanted or (said
        with a negation: "not a lantern", "grey is boring") not wanted."""
        vocabulary = self.vocabulary
        categories = []  # (for a purpose, a kind word, where, category): the least of them wins
        # Longest first, so "hiking boots" is the category, not "boots" alone.
        for label, start, end in sorted(self._phrases(doc), key=lambda match: match[1] - match[2]):
            kind = self._nlp.vocab.strings[label]
            said = doc[start:end].text.lower()
            if recognised & set(range(start, end)):
                continue  # part of a longer phrase already read
            recognised.update(range(start, end))
            unwanted = negated(doc, start, end)
            if kind in ("CATEGORY", "KIND"):
                meant = (vocabulary.category_of if kind == "CATEGORY" else vocabulary.kind_of)[said]
                head = vocabulary.kind_word(said) if kind == "KIND" else None
                if unwanted:
                    key, value = ("not_kinds", head) if head else ("not_categories", meant)
                    found[key] = (*found.get(key, ()), value)
                    if head and meant:
                        # "not a lantern": another kind of the same thing (a headlamp).
                        categories.append((True, -len(doc), True, meant, None, len(doc)))
                    continue
                # "a lantern for the tent" is a lantern: a category after "for" is what it is for.
                purpose = any(
                    token.lower_ in ("for", "with") and doc[token.i - 1].lower_ not in _ASKING_FOR
                    for token in doc[max(1, start - 3) : start]
                )
                # Of several things named, the last is what they now want ("we got the boots
                # sorted; now a rain jacket"), unless it is what the thing is for.
                categories.append((purpose, -start, kind == "KIND", meant, head, end))
            elif kind == "BRAND":
                found.setdefault("brand", vocabulary.brand_of[said])
            elif kind == "COLOR" and unwanted:
                found["not_colors"] = (*found.get("not_colors", ()), vocabulary.colour_of[said])
            elif kind == "COLOR":
                found.setdefault("color", vocabulary.colour_of[said])
            elif kind == "SIZE" and (said not in vocabulary.english or self._says_size(doc, start)):
                # A size that is also a plain word ("long", "regular", "wide") only after "size"
                # or "in": "a long hike" is no size.
                found.setdefault("size", said)
        wanted = {entry[3] for entry in categories}
        if unwanted_of_wanted := [c for c in found.get("not_categories", ()) if c in wanted]:
            # "a quilt, not a mummy bag": another kind of sleeping bag, not no sleeping bag.
            found["not_categories"] = tuple(c for c in found["not_categories"] if c not in unwanted_of_wanted)
        if categories:
            chosen = min(categories)
            # "fleece jackets": a category said right before a word several categories share is
            # the specific one ("a bike lock" is a lock: "lock" names one category itself).
            if chosen[3] not in vocabulary.categories:
                chosen = next((entry for entry in categories if entry[5] == -chosen[1] and entry[3]), chosen)
            if chosen[3] is not None:
                found["category"] = chosen[3]
            # "a fleece vest": the category, and the kind within it.
            # ... but in "bottle cage" the bottle only says which cage.
            kinds = [
                entry[4]
                for entry in categories
                if entry[4] and entry[3] in (None, chosen[3]) and (entry is chosen or entry[5] != -chosen[1])
            ]
            if kinds:
                found["kinds"] = tuple(dict.fromkeys(kinds))
        # "not the foam kind", "no zip-off ones": a word of product names said as unwanted.
        for token in doc:
            if (
                token.i not in recognised
                and token.is_alpha
                and vocabulary.names_word(token.lower_)
                and token.lower_ not in _SHOPPING_WORDS
                and negated(doc, token.i, token.i + 1)
            ):
                found["not_kinds"] = (*found.get("not_kinds", ()), token.lower_)
                recognised.add(token.i)

    def _read_patterns(self, doc, matches, found: dict[str, object], recognised: set[int]) -> None:
        """Budgets, party sizes, "cheaper", "show me more", price order, sorts, "do you sell"."""
        vocabulary = self.vocabulary
        priced = {
            i
            for kind, start, end in matches
            if kind in ("BETWEEN", "AT_MOST", "AT_LEAST")
            for i in range(start, end)
        }
        amounts_read: set[int] = set()  # "around $250" is one amount, not two
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
            elif kind == "AT_LEAST" and _refused(doc, start):
                # "no more than 120", "nothing over 150", "can't spend more than 250": a maximum.
                if numbers[-1] is not None:
                    found.setdefault("max_price", numbers[-1])
            elif kind == "AT_LEAST" and numbers[0] is not None and "min_price" not in found:
                found["min_price"] = numbers[0]
            elif kind == "AROUND" and numbers and numbers[-1] is not None:
                # "around 250" is near it either way; "budget 250", "$250": at most that; unless
                # the amount is part of a range read above ("over $50").
                amount = {i for i in range(start, end) if doc[i].like_num}
                if not priced & set(range(start, end)) and not amount & amounts_read:
                    amounts_read |= amount
                    if doc[start].lower_ in _NEAR:
                        found.setdefault("around_price", numbers[-1])
                    else:
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
        if "around_price" in found and "max_price" in found:
            found.pop("around_price")  # "around 200, max 250": the cap is what counts

    @staticmethod
    def _read_audience(doc, text: str, found: dict[str, object], recognised: set[int]) -> None:
        """Children or grown-ups: "for my 8 year old", "my son", "kids'" (unless "not a kid"),
        "he's 35", "an adult"."""
        for token in doc:
            word = token.lower_
            # "for me and my boys", "the whole family": the children are part of a party.
            before = {t.lower_ for t in doc[max(0, token.i - 4) : token.i]}
            party = bool(before & {"us", "we", "family"}) or {"me", "and"} <= before
            if word in _CHILD_WORDS and party:
                recognised.add(token.i)
            elif word in _CHILD_WORDS:
                recognised.add(token.i)
                wanted = "adults" if negated(doc, token.i, token.i + 1) else "kids"
                found.setdefault("audience", wanted)
            elif word in _ADULT_WORDS and not negated(doc, token.i, token.i + 1):
                found.setdefault("audience", "adults")
        for match in _AGE.finditer(text):
            age = int(next(group for group in match.groups() if group))
            found["audience"] = "kids" if age <= CHILD_UP_TO_AGE else "adults"
            for token in doc:
                if match.start() <= token.idx < match.end():
                    recognised.add(token.i)
            if found.get("max_price") == age:
                found.pop("max_price")  # "under 10 years": no budget

    @staticmethod
    def _read_people(doc, start: int, end: int, found: dict[str, object]) -> None:
        """ "2 person", "two-person", "family of 4", "sleeps four", and "for two" unless what
        follows counts something else ("for 2 nights" is not a party of two; "for two around
        $250" is)."""
        said = next((token.lower_ for token in doc[start:end] if token.like_num), doc[end - 1].lower_)
        count = NUMBER_WORDS.get(said) or (int(said) if said.isdigit() else None)
        if doc[start].lower_ == "for":
            # "for 2 nights", "for 2 or 3 days": what follows counts something else.
            following = [token.lower_ for token in doc[end : end + 3]]
            if following and (
                following[0] in _NOT_A_PARTY
                or (following[0] in ("or", "to", "-") and set(following) & _NOT_A_PARTY)
            ):
                return
        if count and 0 < count <= 12:
            found.setdefault("people", count)
