"""Finding products: price parsing, filters, ranking, and refining a request over turns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.knowledge.parsing import ConstraintParser, Constraints
from bot.knowledge.products import (
    ProductFinder,
    ProductRequest,
    matching_categories,
)
from bot.knowledge.shopping_state import next_request, request_from_slots, request_from_turn, request_slots


@pytest.fixture(scope="module")
def finder(knowledge, catalog_index):
    return ProductFinder(knowledge, catalog_index)


@pytest.fixture(scope="module")
def parser(knowledge):
    return ConstraintParser(knowledge)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a tent under $200", (None, Decimal("200"))),
        ("boots between 80 and 150 dollars", (Decimal("80"), Decimal("150"))),
        ("jackets for 50-100 bucks", (Decimal("50"), Decimal("100"))),
        ("fleece over $50", (Decimal("50"), None)),
        ("less than 19.99 please", (None, Decimal("19.99"))),
        ("trail runners, no more than $120", (None, Decimal("120"))),
        ("a sleeping bag, nothing over 150", (None, Decimal("150"))),
        ("a red rain jacket", (None, None)),
    ],
)
def test_price_ranges_are_read_from_the_message(parser, text, expected):
    said = parser.parse(text)
    assert (said.min_price, said.max_price) == expected


def test_catalog_words_are_recognised_without_training(parser):
    text = "any gray Kestrel hats in size L/XL, even sold out ones?"
    said = parser.parse(text)
    assert said == Constraints(
        text=text,
        category="hats",
        brand="Kestrel",
        color="grey",
        size="l/xl",
        include_out_of_stock=True,
        thing="gray Kestrel hats",
        thing_has_category=True,  # the brand qualifies the hats
        thing_first=True,
    )
    assert parser.parse("hiking boots size 10").size == "10"
    assert parser.parse("new boots please").category == "hiking boots"
    assert parser.parse("a 2-person tent").people == 2


def test_a_category_word_means_every_category_it_names(knowledge):
    assert matching_categories("jacket", knowledge.categories) == ("insulated jackets", "rain jackets")
    assert matching_categories("Tents", knowledge.categories) == ("tents",)
    assert matching_categories("spaceship", knowledge.categories) == ()


def test_every_recommendation_fits_all_constraints_and_is_in_stock(finder):
    request = ProductRequest(
        text="red rain jacket", category="rain jackets", color="red", size="m", max_price=Decimal("200")
    )
    recommendations = finder.recommend(request, limit=3)
    assert recommendations
    for item in recommendations:
        product = item.product
        assert product.category == "rain jackets"
        assert "red" in product.colors and "m" in product.sizes
        assert product.price <= 200 and product.in_stock
        assert "comes in red" in item.why and "within your 200 USD budget" in item.why


def test_out_of_stock_products_appear_only_when_asked_for(finder, knowledge):
    sold_out = next(p for p in knowledge.catalog if not p.in_stock)
    request = ProductRequest(product=sold_out.name)
    assert sold_out not in [r.product for r in finder.recommend(request, limit=50)]
    with_sold_out = ProductRequest(product=sold_out.name, include_out_of_stock=True)
    assert sold_out in [r.product for r in finder.recommend(with_sold_out, limit=50)]


def test_the_closest_match_to_the_words_ranks_first(finder):
    (best, *_) = finder.recommend(ProductRequest(text="headlamp with red night mode"), limit=3)
    assert best.product.category == "headlamps"


def test_the_product_index_is_built_and_read_back_with_int8_weights(catalog_index):
    # The manifest records the weights, and the index reloaded from disk queries with the same ones.
    assert catalog_index.manifest.weights == "int8" and catalog_index._encoder.weights == "int8"


def test_impossible_constraints_give_nothing_rather_than_something_wrong(finder):
    assert finder.recommend(ProductRequest(category="tents", max_price=Decimal("5"))) == []


def test_a_follow_up_refines_the_previous_request(finder, parser):
    first = request_from_turn(
        finder,
        "show me rain jackets",
        {"category": "rain jackets"},
        None,
        parser.parse("show me rain jackets"),
    )
    previous = request_from_slots(request_slots(first))
    refined = request_from_turn(
        finder, "in blue, under $150", {"color": "blue"}, previous, parser.parse("in blue, under $150")
    )
    assert (refined.category, refined.color, refined.max_price) == ("rain jackets", "blue", Decimal("150"))


def test_naming_a_new_category_starts_a_new_request_keeping_the_budget(finder, parser):
    text = "red tents under $300 for 2"
    previous = request_from_slots(
        request_slots(
            request_from_turn(finder, text, {"category": "tents", "color": "red"}, None, parser.parse(text))
        )
    )
    text = "do you have headlamps"
    fresh = request_from_turn(finder, text, {}, previous, parser.parse(text))
    # The colour and the party were the tent's; what they can spend is still what they can spend.
    assert (fresh.category, fresh.color, fresh.people, fresh.max_price) == (
        "headlamps",
        None,
        None,
        Decimal("300"),
    )


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("cheapest sleeping pad", "lowest"),
        ("what's your least expensive tent", "lowest"),
        ("the most affordable headlamp", "lowest"),
        ("show me the most expensive jacket", "highest"),
        ("priciest backpack you have", "highest"),
        ("a cheap sleeping pad", None),
    ],
)
def test_a_price_order_is_read_from_the_message(parser, text, order):
    assert parser.parse(text).price_order == order


def test_the_cheapest_comes_first_by_price_not_by_match(finder, knowledge):
    request = next_request(finder, "what's the cheapest sleeping pad?", {}, {})
    shown = [r.product for r in finder.recommend(request)]
    in_stock = sorted(p.price for p in knowledge.catalog if p.category == "sleeping pads" and p.in_stock)
    assert [p.price for p in shown] == in_stock[: len(shown)]
    assert "lowest first" in finder.recommend(request)[0].why


def test_the_most_expensive_comes_first(finder, knowledge):
    shown = [r.product for r in finder.recommend(next_request(finder, "your most expensive tent", {}, {}))]
    assert shown[0].price == max(p.price for p in knowledge.catalog if p.category == "tents" and p.in_stock)


def test_a_product_named_in_full_is_recognised_longest_name_first(parser):
    assert parser.parse("is the Cascade Rain Shell in stock?").product == "Cascade Rain Shell"
    assert parser.parse("cascade rain shell lite in M?").product == "Cascade Rain Shell Lite"
    assert parser.parse("a rain shell").product is None
