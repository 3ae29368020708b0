"""Shopping conversations against the demo catalog: what a shopper's message asks, and the answer:
bare categories, every refinement, questions about named products, things the shop does not sell,
and honest answers when nothing fits. Turns go through bot.knowledge.shopping, as the action does."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from bot.knowledge.encoder import english_words
from bot.knowledge.parsing import ConstraintParser
from bot.knowledge.products import ProductFinder
from bot.knowledge.questions import is_shopping, parts
from bot.knowledge.references import read_reference
from bot.knowledge.shopping import ShoppingAnswer, answer_shopper


@pytest.fixture(scope="module")
def finder(knowledge, catalog_index):
    return ProductFinder(knowledge, catalog_index)


@pytest.fixture(scope="module")
def parser(knowledge):
    return ConstraintParser(knowledge, english_words())


@dataclass
class Shopper:
    """One customer's shopping conversation: the slots and shown products carried between turns."""

    finder: ProductFinder
    request: dict | None = None
    shown: list[str] = field(default_factory=list)
    last: ShoppingAnswer | None = None

    def says(self, text: str) -> ShoppingAnswer:
        answer = answer_shopper(self.finder, text, {}, self.request, self.shown)
        self.request = answer.request if answer.request is not None else self.request
        self.shown = answer.shown
        self.last = answer
        return answer


def products(answer: ShoppingAnswer):
    return [item.product for item in answer.recommendations]


def text(answer: ShoppingAnswer) -> str:
    return "\n".join(line.text or line.response or "" for line in answer.said)


def in_stock(knowledge, **fields):
    return [p for p in knowledge.catalog if p.in_stock and all(getattr(p, k) == v for k, v in fields.items())]


# --- Reading the message --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "people"),
    [
        ("a tent for two", 2),
        ("tent for 2 people under 300", 2),
        ("need a tent for me and my wife", 2),
        ("my partner and I need a tent", 2),
        ("a 4-person tent", 4),
        ("family of five, what tent?", 5),
        ("solo tent", 1),
        ("a tent that sleeps four", 4),
        ("a tent for 2 nights", None),
        ("a tent for two around $250", 2),
        ("tent for 2 under 300 please", 2),
        ("a tent for 3 season camping", None),
        ("gloves for 5 dollars", None),
    ],
)
def test_a_party_size_is_read_however_it_is_said(parser, said, people):
    assert parser.parse(said).people == people


@pytest.mark.parametrize(
    ("said", "budget"),
    [
        ("a tent, budget around 250", Decimal("250")),
        ("gloves, 40 bucks or less", Decimal("40")),
        ("boots for $150", Decimal("150")),
        ("I can spend 90", Decimal("90")),
    ],
)
def test_a_budget_is_read_in_every_common_form(parser, said, budget):
    assert parser.parse(said).max_price == budget


def test_kinds_of_product_come_from_the_catalogs_own_names(parser):
    assert parser.parse("a parka for very cold days").category == "insulated jackets"
    assert parser.parse("mittens").category == "gloves"
    # What it is for is not what it is: a lantern for the tent is a lantern.
    assert parser.parse("a lantern for the tent").category == "headlamps"
    assert parser.parse("ultralight tent").category == "tents"


def test_a_typo_in_a_catalog_word_is_mended_but_an_english_word_is_not(parser):
    assert parser.parse("sleepin pad").category == "sleeping pads"
    assert parser.parse("a warm jackt").category == "jackets"
    # "loves" is one letter from "gloves", and an English word: left alone.
    assert parser.parse("a gift for my dad who loves hiking").category is None


def test_a_size_that_is_also_a_plain_word_needs_to_be_said_as_a_size(parser):
    assert parser.parse("boots for a long hike, size 9").size == "9"
    assert parser.parse("a sleeping bag in long").size == "long"


def test_product_names_are_recognised_whole_or_in_part(parser):
    said = parser.parse("what's the difference between the Stormline and the Stormline Pro?")
    assert said.products == ("Stormline 3L Jacket", "Stormline 3L Jacket Pro")
    assert said.question == "compare"
    assert parser.parse("Fell Racer or Gravel Glide?").question == "compare"
    # Outside a question, a kind of shoe is not a product: "trail runners" is not the Rapid Trail Runner,
    # a "solo tent" not the Solo Trek 1 Tent; two words of a name are ("summit pack").
    assert parser.parse("trail runners under 150").products == ()
    assert parser.parse("solo tent").products == ()
    assert parser.parse("the summit pack please").products == ("Summit Pack 18L",)


@pytest.mark.parametrize(
    ("said", "question"),
    [
        ("any Liner Gloves left?", "stock"),
        ("how much are the Carbon Trekking Poles", "price"),
        ("what sizes does the Switchback Pants come in?", "sizes"),
        ("which colours does the Tempest Rain Jacket come in", "colors"),
        ("is the Stormline 3L Jacket available in yellow?", "stock"),
    ],
)
def test_what_a_question_about_a_product_asks(parser, said, question):
    assert parser.parse(said).question == question


def test_words_the_catalog_never_uses_are_noted(parser):
    assert parser.parse("do you sell kayaks?").unknown == ("kayaks",)
    assert parser.parse("mountain bikes?").unknown == ("mountain", "bikes")
    assert parser.parse("warm socks for winter").unknown == ()


# --- Searching and refining --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("tents", "tents"),
        ("hiking boots", "hiking boots"),
        ("t-shirts", "t-shirts"),
        ("socks", "socks"),
        ("rain jacket", "rain jackets"),
        ("raincoat", "rain jackets"),
        ("walking poles", "trekking poles"),
        ("sleeping mat", "sleeping pads"),
        ("head torch", "headlamps"),
    ],
)
def test_a_category_said_on_its_own_gets_cards_of_it(finder, said, category):
    answer = Shopper(finder).says(said)
    assert products(answer) and {p.category for p in products(answer)} == {category}


def test_a_category_said_another_way_amid_other_words_is_still_that_category(finder):
    shopper = Shopper(finder)
    shopper.says("sleeping bags")
    answer = shopper.says("ok what about a head torch for her")
    assert products(answer) and {p.category for p in products(answer)} == {"headlamps"}


def test_a_need_gets_products_of_one_kind_that_meet_it(finder):
    answer = Shopper(finder).says("stove for car camping with the family")
    assert {p.category for p in products(answer)} == {"camp kitchen"}


def test_each_refinement_narrows_the_request_and_a_new_category_starts_afresh(finder, knowledge):
    shopper = Shopper(finder)
    shopper.says("rain jackets")
    assert all(p.category == "rain jackets" for p in products(shopper.says("in yellow")))
    assert all("yellow" in p.colors for p in products(shopper.last))
    sized = products(shopper.says("in size L?"))
    assert sized and all("yellow" in p.colors and "l" in p.sizes for p in sized)

    shopper = Shopper(finder)
    shown = products(shopper.says("rain jackets"))
    cheaper = products(shopper.says("cheaper?"))
    assert cheaper and max(p.price for p in cheaper) < min(p.price for p in shown)
    assert all(p.price <= 100 and p.category == "rain jackets" for p in products(shopper.says("under $100")))

    shopper = Shopper(finder)
    first = products(shopper.says("a tent for two, around $250"))
    # "Around" is near the amount, either way.
    assert first and all(p.people >= 2 and Decimal("187.5") <= p.price <= Decimal("287.5") for p in first)
    more = products(shopper.says("show me more"))
    assert not {p.id for p in more} & {p.id for p in first}
    assert all(
        p.people >= 2 and p.price <= Decimal("287.5") for p in more
    ) or "utter_no_more_products" in text(shopper.last)

    shopper = Shopper(finder)
    shopper.says("sleeping bags")
    winter = products(shopper.says("what about for winter?"))
    assert winter and all(p.category == "sleeping bags" for p in winter)
    assert shopper.request["text"] == "sleeping bags what about for winter?"
    assert products(shopper.says("the cheapest?"))[0].price == min(
        p.price for p in in_stock(knowledge, category="sleeping bags")
    )
    assert {p.category for p in products(shopper.says("what about sleeping pads"))} == {"sleeping pads"}
    assert "price_order" not in shopper.request


def test_show_me_more_when_everything_was_shown_says_so(finder):
    shopper = Shopper(finder)
    shopper.says("sandals")
    shopper.says("more options")
    answer = shopper.says("any others?")
    assert not answer.recommendations and answer.said[0].response == "utter_no_more_products"


def test_a_party_size_is_met_closest_first(finder):
    first = products(Shopper(finder).says("tents for 4 people"))
    assert first and first[0].people == 4 and all(p.people >= 4 for p in first)


# --- Questions about named products -------------------------------------------------------------------


def test_a_sold_out_product_is_said_to_be_sold_out_with_alternatives(finder, knowledge):
    answer = Shopper(finder).says("is the Cascade Rain Shell in stock?")
    assert answer.said[0].text == "The Cascade Rain Shell is sold out at the moment."
    assert products(answer) and all(p.in_stock and p.category == "rain jackets" for p in products(answer))


def test_an_in_stock_product_is_said_to_be_in_stock_with_its_card(finder):
    answer = Shopper(finder).says("Do you have the Cascade Rain Shell Lite in stock")
    assert answer.said[0].text == "Yes, the Cascade Rain Shell Lite is in stock (92.95 USD)."
    assert [p.name for p in products(answer)] == ["Cascade Rain Shell Lite"]


def test_price_sizes_and_colours_of_a_named_product(finder):
    assert text(Shopper(finder).says("how much is the Ember Down Jacket?")).startswith(
        "The Ember Down Jacket costs 384.95 USD"
    )
    sizes = text(Shopper(finder).says("what sizes does the Switchback Pants come in?"))
    assert sizes.startswith("The Switchback Pants comes in sizes")
    colours = text(Shopper(finder).says("what colours does the Tempest Rain Jacket come in?"))
    assert colours == "The Tempest Rain Jacket comes in green and black."
    yellow = text(Shopper(finder).says("is the Stormline 3L Jacket available in yellow?"))
    assert (
        yellow.startswith("Yes, the Stormline 3L Jacket is in stock in yellow") and "blue and navy" in yellow
    )


def test_two_products_are_compared_on_what_differs(finder):
    answer = Shopper(finder).says("what's the difference between the Stormline and the Stormline Pro?")
    (comparison,) = answer.said
    lines = comparison.text.splitlines()
    assert lines[0] == "Stormline 3L Jacket vs Stormline 3L Jacket Pro:"
    assert lines[1] == "- price: 116.00 USD vs 122.95 USD"
    assert not any(line.startswith("- made by") for line in lines)  # same brand: not a difference


# --- What the shop does not sell, and requests nothing meets ----------------------------------------------


@pytest.mark.parametrize(
    "said", ["do you sell kayaks?", "golf clubs", "any fishing rods?", "bear spray", "mountain bikes?"]
)
def test_something_the_shop_does_not_sell_is_said_plainly_with_what_it_does(finder, said):
    answer = Shopper(finder).says(said)
    assert not answer.recommendations
    (line,) = answer.said
    # With the nearest kinds of thing the shop does sell.
    assert line.response == "utter_not_carried" and set(line.values["categories"].split(" and ")) <= set(
        finder.categories
    )
    assert line.values["thing"].lower() in said.lower()


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("tent under $100", "nothing in stock costs 100 USD or less"),
        ("lilac fleece", "nothing in stock comes in lilac"),
        ("hiking boots for under 50 dollars", "nothing in stock costs 50 USD or less"),
    ],
)
def test_when_nothing_fits_the_answer_names_the_constraint_and_the_nearest(finder, said, reason):
    answer = Shopper(finder).says(said)
    assert answer.said[0].response == "utter_nearest_products" and answer.said[0].values == {"reason": reason}
    assert products(answer) and all(p.in_stock for p in products(answer))


def test_card_reasons_use_the_requests_own_words(finder):
    (first, *_) = Shopper(finder).says("a tent for two, under $250").recommendations
    assert "fits 2 people" in first.why and "within your 250 USD budget" in first.why
    (near, *_) = Shopper(finder).says("a tent for two, around $250").recommendations
    assert "around the 250 USD you said" in near.why


# --- Fields beyond price: weight, capacity, temperature rating ----------------------------------------


def test_the_lightest_warmest_and_biggest_come_first_by_their_catalog_field(finder, knowledge):
    lightest = products(Shopper(finder).says("the lightest tent you have"))
    assert lightest[0].weight_g == min(p.weight_g for p in in_stock(knowledge, category="tents"))
    assert "weighs" in Shopper(finder).says("lightest tent").recommendations[0].why
    warmest = products(Shopper(finder).says("warmest sleeping bag"))
    assert warmest[0].temperature_f == min(
        p.temperature_f for p in in_stock(knowledge, category="sleeping bags")
    )
    biggest = products(Shopper(finder).says("biggest backpack"))
    assert biggest[0].capacity_l == max(p.capacity_l for p in in_stock(knowledge, category="backpacks"))


def test_a_capacity_and_a_temperature_rating_are_constraints(finder):
    packs = products(Shopper(finder).says("a 65 litre pack"))
    assert packs[0].capacity_l == 65 and all(48 <= p.capacity_l <= 82 for p in packs)
    bags = products(Shopper(finder).says("sleeping bag rated to 20 degrees"))
    assert bags and all(p.temperature_f <= 20 for p in bags)
    colder = Shopper(finder).says("a sleeping bag for -20 degrees")
    assert colder.said[0].values == {"reason": "nothing in stock is rated down to -20°F"}
    assert products(colder)[0].temperature_f == 0  # the warmest there is


def test_a_comparison_shows_weight_and_rating_when_they_differ(finder):
    (line,) = Shopper(finder).says("Trailhead 20°F Down Bag vs Winter 0°F Mummy Bag").said
    assert "- weight: 1,100 g vs 1,430 g" in line.text and "- rated to: 20°F vs 0°F" in line.text


# --- What a shopper says, kept with its unit, its polarity and its reference (issue 23) ------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("a bag that keeps me warm at 10°F", {"max_temperature_f": 10}),
        ("sleeping bag for nights around -12 C", {"max_temperature_f": 10}),
        ("a pack of 35 to 45 liters", {"min_capacity_l": Decimal("35"), "max_capacity_l": Decimal("45")}),
        ("daypack, 18 l max", {"max_capacity_l": Decimal("18")}),
        ("a tent lighter than 1.3 kg", {"max_weight_g": 1300}),
        ("a stove under 1 lb", {"max_weight_g": 454}),
        ("trail shoes, mens 11", {"size": "11"}),
    ],
)
def test_numbers_with_units_are_constraints_of_their_own_and_never_prices(parser, said, expected):
    parsed = parser.parse(said)
    assert {key: getattr(parsed, key) for key in expected} == expected
    assert parsed.max_price is None and parsed.min_price is None and parsed.around_price is None


@pytest.mark.parametrize(
    ("said", "field", "value"),
    [
        ("a fleece, but please nothing in black", "not_colors", ("black",)),
        ("red looks awful on me, any jackets?", "not_colors", ("red",)),
        ("we own a tent already, what else for a weekend camping", "not_categories", ("tents",)),
        ("a headlamp, not a lantern", "not_kinds", ("lantern",)),
        ("gloves for my nephew", "audience", "kids"),
        ("a sleeping bag for my son, he's 16", "audience", "adults"),
        ("boots for him, he isn't a child", "audience", "adults"),
        ("I won't pay more than 90 for a fleece", "max_price", Decimal("90")),
        ("a stove for roughly 60 dollars", "around_price", Decimal("60")),
    ],
)
def test_what_is_not_wanted_and_who_it_is_for_are_read(parser, said, field, value):
    assert getattr(parser.parse(said), field) == value


def test_kinds_of_thing_within_a_category_come_from_the_catalogs_names(finder):
    chairs = products(Shopper(finder).says("I'd like a chair for the campsite"))
    assert chairs and all("Chair" in p.name for p in chairs)
    assert all("Mittens" in p.name for p in products(Shopper(finder).says("warm mittens please")))
    # A kind several categories have: the fleece and the insulated vests.
    vests = products(Shopper(finder).says("a vest to wear on cold mornings"))
    assert vests and all("Vest" in p.name for p in vests)
    assert not any("Mittens" in p.name for p in products(Shopper(finder).says("gloves but no mittens")))


def test_a_negation_excludes_and_a_new_kind_keeps_only_what_still_applies(finder):
    shopper = Shopper(finder)
    shopper.says("fleece jackets under $90")
    not_grey = products(shopper.says("nothing grey though"))
    assert not_grey and all(set(p.colors) - {"grey"} and p.price <= 90 for p in not_grey)
    lamps = products(shopper.says("and a lantern?"))
    assert lamps and all("Lantern" in p.name and p.price <= 90 for p in lamps)

    shopper = Shopper(finder)
    shopper.says("a tent for 4 under 600")
    bags = products(shopper.says("what about sleeping bags"))
    # The budget stays; the party size was the tent's (sleeping bags are one person each).
    assert bags and all(p.category == "sleeping bags" and p.price <= 600 for p in bags)
    assert "people" not in shopper.request


def test_a_new_kind_keeps_who_it_is_for(finder):
    shopper = Shopper(finder)
    kids = products(shopper.says("a headlamp for my daughter, she is 7"))
    assert kids and all("Kids" in p.name for p in kids)
    grown = products(Shopper(finder).says("a backpack for my dad, not a kids one"))
    assert grown and not any("Kids" in p.name for p in grown)


def test_questions_about_the_list_just_shown_are_answered_from_it(finder):
    shopper = Shopper(finder)
    shown = products(shopper.says("tents for 2"))
    answer = shopper.says("which of them weighs the least?")
    lightest = min(shown, key=lambda p: p.weight_g)
    assert lightest.name in text(answer) and f"{lightest.weight_g:,} g" in text(answer)
    answer = shopper.says("and how much is the third one?")
    assert shown[2].name in text(answer) and str(shown[2].price) in text(answer)
    # The list stays the same for the next question.
    answer = shopper.says("the cheapest of them?")
    assert min(shown, key=lambda p: p.price).name in text(answer)


def test_run_together_words_are_the_catalogs_words(parser):
    assert parser.parse("any baselayer tops?").category == "base layers"
    assert parser.parse("tshirt in size M").category == "t-shirts"


def test_something_not_sold_is_judged_on_what_is_asked_for_not_the_words_around_it(finder):
    (line,) = Shopper(finder).says("do you have tent stakes?").said
    assert line.response == "utter_not_carried" and line.values["thing"] == "tent stakes"
    assert Shopper(finder).says("a tent for the beach").recommendations


@pytest.mark.parametrize(
    ("said", "shopping"),
    [
        ("which boots should I buy for my first hike in the snow?", True),
        ("my old stove died on me, I need a new one", True),
        ("I'm not after a refund, I need rain jackets", True),
        ("the stove I ordered never arrived", False),
        ("can I return the boots I bought", False),
        ("how long does shipping take", False),
    ],
)
def test_a_shopper_is_told_apart_from_an_order_or_a_refund(parser, said, shopping):
    assert is_shopping(parser.parse(said)) is shopping


def test_a_message_with_two_questions_splits_into_both():
    assert parts("can I pay with Klarna and do you deliver to Alaska?") == [
        "can I pay with Klarna",
        "do you deliver to Alaska",
    ]
    assert parts("a warm hat") == ["a warm hat"]


def test_a_kind_said_with_its_category_and_kinds_not_wanted_are_both_kept(parser):
    assert (parser.parse("a fleece vest").category, parser.parse("a fleece vest").kinds) == (
        "fleece",
        ("vest",),
    )
    # A word of the products' names said as unwanted ("not the inflatable kind").
    assert parser.parse("sleeping mat, just not the inflatable type").not_kinds == ("inflatable",)
    # Not that kind of thing: another kind of the same category.
    said = parser.parse("i dont want a lantern, a light for my head")
    assert (said.category, said.not_kinds) == ("headlamps", ("lantern",))


@pytest.mark.parametrize(
    ("said", "category"),
    [
        ("my boots are sorted now, I just need a rain jacket", "rain jackets"),
        ("the tent was too dear, so maybe a hammock instead", "camp furniture"),
        ("fleece jackets under $90", "fleece"),
        ("a lantern for the tent", "headlamps"),
        ("socks to wear with my new boots", "socks"),
    ],
)
def test_of_several_things_named_the_one_wanted_now_is_the_request(parser, said, category):
    assert parser.parse(said).category == category


@pytest.mark.parametrize(
    ("said", "field", "value"),
    [
        ("a pack for 2 or 3 days in the hills", "people", None),
        ("a stove ~$60", "around_price", Decimal("60")),
        ("tent for the 3 of us", "people", 3),
        ("a 1p tent", "people", 1),
        ("something sub 500 grams", "max_weight_g", 500),
        ("rain jacket, she's 9", "audience", "kids"),
        ("a tent for me and my two girls", "audience", None),
    ],
)
def test_numbers_and_people_said_in_shoppers_shorthand(parser, said, field, value):
    assert getattr(parser.parse(said), field) == value


def test_more_ways_of_asking_about_the_list_and_shop_questions_left_to_the_faq(finder):
    shopper = Shopper(finder)
    shown = products(shopper.says("sleeping pads"))
    answer = shopper.says("which one's lighter?")
    assert min(shown, key=lambda p: p.weight_g).name in text(answer)
    answer = shopper.says("price?")
    assert shown[0].name in text(answer) and str(shown[0].price) in text(answer)
    # A question about delivery with an "it" in it is no question about the list.
    assert read_reference("how quickly will it arrive?") is None
    assert read_reference("is it covered by the warranty if it breaks?") is None


def test_money_and_brightness_in_words_and_units_are_not_mistaken(parser):
    assert parser.parse("a pack for a hundred and fifty quid").max_price == Decimal("150")
    said = parser.parse("a headlamp, at least 500 lumens, under 60")
    assert (said.min_price, said.max_price) == (None, Decimal("60"))


def test_childrens_products_come_last_unless_asked_for(finder):
    jackets = products(Shopper(finder).says("a waterproof jacket in medium"))
    assert jackets and "Kids" not in jackets[0].name
    assert products(Shopper(finder).says("a waterproof jacket for my 7 year old"))[0].name.startswith(
        "Puddle"
    )


def test_a_weight_is_said_in_pounds_and_ounces_too(finder):
    shopper = Shopper(finder)
    shopper.says("trekking poles")
    answer = text(shopper.says("how heavy is the first one?"))
    assert " g (" in answer and " lb, " in answer and " oz)" in answer


def test_a_comparison_said_with_a_verb_picks_from_the_list(finder):
    shopper = Shopper(finder)
    shown = products(shopper.says("sleeping bags"))
    answer = text(shopper.says("so which one of them weighs less?"))
    assert min(shown, key=lambda p: p.weight_g).name in answer
    assert read_reference("does it run on batteries?").asks == ("features",)


def test_a_greeting_and_im_after_open_a_request_and_a_question_about_a_shown_one_gets_its_features(finder):
    shopper = Shopper(finder)
    shown = products(shopper.says("Good afternoon, I'm after a rain coat for the school run"))
    assert shown and all(p.category == "rain jackets" for p in shown)
    answer = text(shopper.says("is the second one any good in a downpour?"))
    assert (
        shown[1].name in answer
        and shown[1].description.split(":", 1)[1].strip()[:20].lower() in answer.lower()
    )
