"""One shopping turn: what a shopper's message asks (a search, a refinement, a question about named
products, something the shop does not sell) and what to answer, with the request to remember."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.knowledge import product_facts
from bot.knowledge.parsing import Constraints
from bot.knowledge.products import ProductFinder, ProductRequest, Recommendation, matching_categories
from bot.knowledge.questions import is_about_an_order
from bot.knowledge.references import Reference, describe, facts_asked, pick, read_reference
from bot.knowledge.shopping_state import next_request, request_from_slots, request_slots

# Below this similarity of the whole catalog's best match, a message made only of words the catalog
# never uses asks for something the shop does not sell ("kayaks": 0.31, "mountain bikes": 0.42
# through the Mountain Graphic Tee's name; "gas canister": 0.44, the canister stove).
NOT_CARRIED_BELOW = 0.45
# ... and when no category's name means it either: between what the shop does not sell ("fishing
# rods" is up to 0.51 from trekking poles) and categories said another way ("headtorch" is 0.56
# from headlamps, "head torch" 0.59). The product index's int8 kernels differ by CPU (VNNI or
# not), which moves such figures by about 0.02: a threshold needs that margin on both sides.
NOT_A_CATEGORY_BELOW = 0.53
# A thing asked for whose last word (its head) comes no closer than this to any category or kind
# name ("paddles", "wax"), and whose words no closer than THING_NOT_CARRIED_BELOW to any
# product, is not sold. Chosen on benchmarks/shoppers/calibration.yml (benchmarks/not_carried.py).
HEAD_NOT_A_KIND_BELOW = 0.65
THING_NOT_CARRIED_BELOW = 0.55
# A need is for products when the message comes this close in meaning to one product's text ("my
# back hurts from sleeping on the ground": 0.41, a pad; "best hiking trail near Portland" is 0.37
# from anything, and says no need).
NEED_MATCH_AT = 0.34
# Facts of a named product said beside the one its question is about.
_MEASURES = ("weight", "capacity", "temperature")
# A present: "a birthday gift for my wife" asks for nothing in particular, never "birthdays".
_GIFT = re.compile(r"\b(?:gift|gifts|present|presents|stocking|stuffers?|birthday|christmas)\b", re.I)
# A request this short names the thing it asks for; a longer one without "do you sell", "looking
# for" may be telling a story around it ("first backpacking trip!! need a sleeping bag").
SHORT_REQUEST_WORDS = 6
# A need said instead of a thing ("something so I stay dry", "I keep getting cold feet"): answered
# by what the catalog's descriptions say products are for, never "we don't carry".
_DESCRIBES_A_NEED = re.compile(
    r"\b(?:something|anything|stuff|gear|what do i need|what should i|i keep|keeps?|so (?:that )?i|"
    r"so (?:that )?(?:she|he|we|they|my|our|the)|to keep|to stop|to help|help me|because|when i|always|"
    r"what can i get|what would help|might help|ideas?|what do people|suggest|recommend|my (?:feet|hands|"
    r"back|knees|kids?|fingers|toes|head|neck)|i'?m (?:always|often|freezing|cold)|get(?:s|ting)? "
    r"(?:cold|wet|sick|lost|burnt|burned|blisters))\b",
    re.IGNORECASE,
)
# From this similarity on, the best match's category is taken as what a need asked for, and kept
# for the follow-ups ("something for muddy trails" then "in size 9").
KIND_FROM_MEANING_AT = 0.40


@dataclass(frozen=True)
class Said:
    """One message of the answer: a domain response by name with its values, or a text."""

    response: str | None = None
    text: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ShoppingAnswer:
    said: list[Said]
    recommendations: list[Recommendation]
    # The request to remember for the next turn (the slot's value); None leaves the previous one.
    request: dict[str, Any] | None
    shown: list[str]


def answer_shopper(
    finder: ProductFinder,
    text: str,
    entities: dict[str, str],
    previous: dict[str, Any] | None,
    shown: Sequence[str] = (),
) -> ShoppingAnswer:
    """The answer to a shopping message, given Rasa's entities, the previous request (the slot's
    value) and the products already shown."""
    said = finder.parser.parse(text)
    if said.question and said.products:
        return _about_products(finder, said, shown)
    listed = (previous or {}).get("listed") or list(shown)[-3:]
    if listed and (answer := _about_shown(finder, said, listed, shown)):
        return answer
    meant, closeness = (None, 0.0) if said.category or said.product else finder.category_meant(text)
    if said.category and said.category not in finder.categories:
        # A word several categories share ("jacket"): the category of the product the whole
        # message describes best ("down jacket": the Ember Down Jacket's).
        among = matching_categories(said.category, finder.categories)
        said = replace(said, category=finder.similarity(text, among)[1] or said.category)
    if said.unknown and not _asks_for_anything(said, entities):
        # Judged on the thing asked for as well as the whole message: "ok what about a head torch
        # for her" is a head torch, which the filler words around it hide.
        thing = " ".join(said.unknown)
        thing_meant, thing_closeness = finder.category_meant(thing)
        best = max(finder.similarity(text)[0], finder.similarity(thing)[0])
        if best < NOT_CARRIED_BELOW and max(closeness, thing_closeness) < NOT_A_CATEGORY_BELOW:
            return _not_carried(finder, thing, shown)
        meant = meant or thing_meant
    if (
        not said.head_known
        and said.thing
        and not (said.products or said.kinds or finder.category_meant(said.thing.split()[-1])[0])
        and not (previous and not (said.wants or said.category))
        and not _DESCRIBES_A_NEED.search(text)
        and not _GIFT.search(text)
        and (said.wants or said.thing_first or len(text.split()) <= SHORT_REQUEST_WORDS)
        and not (said.category and not said.thing_has_category)
        and finder.kind_closeness(said.thing.split()[-1]) < HEAD_NOT_A_KIND_BELOW
        and finder.similarity(said.thing)[0] < THING_NOT_CARRIED_BELOW
    ):
        # "kayak paddles", "ski wax", "a harness for my dog": what is asked for is no kind
        # of thing the catalog has, whatever catalog words come with it ("tent stakes").
        return _not_carried(finder, said.thing, shown)
    if meant and "category" not in entities:
        said = replace(said, category=meant)  # named by another word: a new request for it
    request = next_request(finder, text, entities, request_from_slots(previous), shown, said)
    lines: list[Said] = []
    recommendations = finder.recommend(request, limit=3)
    named = finder.named(request)
    if named and not named.in_stock and not request.include_out_of_stock:
        # Asked for one product that is sold out: say so plainly, then what is like it.
        lines.append(Said("utter_sold_out", values={"product": named.name}))
        recommendations = finder.alternatives(named, request, limit=3)
    elif not recommendations and request.exclude and finder.recommend(replace(request, exclude=()), 1):
        # "Show me more" when everything that fits was shown: say so rather than loosen anything.
        lines.append(Said("utter_no_more_products"))
    elif not recommendations and (relaxed := finder.nearest(request, limit=3)):
        # Nothing meets everything: say which constraint nothing meets, and show the nearest.
        lines.append(Said("utter_nearest_products", values={"reason": relaxed.reason}))
        recommendations = relaxed.recommendations
    if not recommendations and not lines:
        lines.append(Said("utter_no_products"))
    if not request.category and not request.kinds and recommendations:
        best, category = finder.similarity(request.text)
        if best >= KIND_FROM_MEANING_AT:
            request = replace(request, category=category)
    ids = [item.product.id for item in recommendations]
    return ShoppingAnswer(lines, recommendations, request_slots(request, ids), [*request.exclude, *ids])


# What a message may say that narrows a shopping request without naming a kind of product.
_REFINEMENTS = (
    "color", "size", "brand", "people", "min_price", "max_price", "around_price", "price_order", "sort",
    "capacity_l", "min_capacity_l", "max_capacity_l", "max_weight_g", "max_temperature_f", "audience",
    "not_colors", "not_kinds", "not_categories",
)  # fmt: skip


def refines_a_request(said: Constraints, previous: dict[str, Any] | None, shown: Sequence[str] = ()) -> bool:
    """Whether the (parsed) message only refines the shopping request under way ("in navy",
    "under 80", "grey is boring", "show me more", "the cheapest?") or asks about what was just
    shown ("which one is lightest?"), so it is for product search whatever else it could be."""
    if not previous and not shown:
        return False
    refines = _says_any(said, _REFINEMENTS) or said.more or said.cheaper
    return (not said.unknown and refines) or bool(shown and read_reference_of(said, shown))


def read_reference_of(said: Constraints, shown: Sequence[str]) -> bool:
    """Whether the message points back at the products just shown, naming no new kind."""
    return _reference_to(said, shown) is not None


def _reference_to(said: Constraints, shown: Sequence[str]) -> Reference | None:
    """What the message asks about the products just shown, when it points back at them."""
    # "which one costs less?" asks which of the list, not for cheaper products.
    asking_which = re.search(r"\b(?:which|what)\b|\bthe (?:more|less) \w+", said.text, re.IGNORECASE)
    cheaper = (said.cheaper or said.more) and not asking_which
    # "the cheapest one for adults" is a new search in price order, not a pick from the list.
    narrows = _says_any(
        said, ("audience", "size", "max_price", "min_price", "around_price", "not_colors", "people")
    )
    if not shown or said.category or said.kinds or cheaper or narrows:
        return None
    return read_reference(said.text, said.color)


def _says_any(said: Constraints, names: Sequence[str]) -> bool:
    """Whether the message gives any of these constraints."""
    return any(getattr(said, name) not in (None, ()) for name in names)


def asks_by_need(finder: ProductFinder, said: Constraints) -> bool:
    """Whether the message describes a need the catalog's products are for ("my feet get cold and
    wet on winter walks"): in words of a need, about nothing of an order, and close enough in
    meaning to what some product's description says it is for."""
    return (
        bool(_DESCRIBES_A_NEED.search(said.text) or said.wants)
        and not is_about_an_order(said.text)
        and finder.similarity(said.text)[0] >= NEED_MATCH_AT
    )


def _asks_for_anything(said: Constraints, entities: dict[str, str]) -> bool:
    """Whether the message holds anything the catalog has: a category, kind, brand, colour, size..."""
    return _says_any(said, ("category", "kinds", "brand", *_REFINEMENTS)) or bool(
        set(entities) - {"language"}
    )


def _about_shown(
    finder: ProductFinder, said: Constraints, listed: Sequence[str], shown: Sequence[str]
) -> ShoppingAnswer | None:
    """A question about the products just shown ("which is lightest?", "the second one,
    how heavy is it?"): that product's facts, with its card; the shown list stays for the next."""
    if (reference := _reference_to(said, listed)) is None:
        return None
    products = [product for product_id in listed if (product := finder.product_by_id(product_id))]
    if (chosen := pick(reference, products)) is None:
        return None
    color = said.color if reference.which is not None or reference.color else None
    line = Said(text=describe(chosen, reference.asks, reference.which, color))
    return ShoppingAnswer([line], [Recommendation(chosen, finder.reasons_for(chosen))], None, list(shown))


def _not_carried(finder: ProductFinder, thing: str, shown: Sequence[str]) -> ShoppingAnswer:
    """ "We don't carry ...", with the nearest kinds of thing the shop does sell."""
    related = product_facts.listing(finder.related_categories(thing, limit=2))
    return ShoppingAnswer(
        [Said("utter_not_carried", values={"thing": thing, "categories": related})], [], None, list(shown)
    )


def _about_products(finder: ProductFinder, said: Constraints, shown: Sequence[str]) -> ShoppingAnswer:
    """Stock, price, sizes or colours of a named product, or two products side by side; with the
    product's card, or in-stock products like it when it is sold out."""
    products = [product for name in said.products if (product := finder.product(name))]
    first = products[0]
    if said.question == "compare" and len(products) > 1:
        lines = [Said(text=product_facts.compare(products[0], products[1]))]
        recommendations = [
            Recommendation(product, finder.reasons_for(product))
            for product in products[:2]
            if product.in_stock
        ]
    else:
        if said.question == "stock":
            lines = [Said(text=product_facts.stock(first, said.color, said.size))]
        else:
            lines = [Said(text=product_facts.ANSWERS[said.question](first))]
            if not first.in_stock and said.question != "price":
                lines.append(Said(text=product_facts.stock(first)))
        # "how much does it cost and weigh?": every other fact asked, too.
        others = [fact for fact in facts_asked(said.text) if fact in _MEASURES and fact != said.question]
        if others:
            lines.append(Said(text=describe(first, others, None)))
        if first.in_stock:
            recommendations = [Recommendation(first, finder.reasons_for(first))]
        else:
            request = ProductRequest(text=first.name, color=said.color, size=said.size)
            recommendations = finder.alternatives(first, request, limit=3)
            if recommendations:
                lines.append(Said(text="These are like it and in stock:"))
    # Follow-ups ("in blue?", "show me more") browse the product's category from here.
    request = ProductRequest(text=first.category, category=first.category)
    ids = [item.product.id for item in recommendations]
    return ShoppingAnswer(lines, recommendations, request_slots(request, ids), [*shown, *ids])
