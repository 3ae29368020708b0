"""Finding products: price parsing, filters, ranking, and refining a request over turns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.knowledge.products import (
    ProductFinder,
    ProductRequest,
    matching_categories,
    parse_price_range,
    request_from_turn,
    request_slots,
)


@pytest.fixture(scope="module")
def finder(knowledge, catalog_index):
    return ProductFinder(knowledge, catalog_index)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a tent under $200", (None, Decimal("200"))),
        ("boots between 80 and 150 dollars", (Decimal("80"), Decimal("150"))),
        ("jackets for 50-100 bucks", (Decimal("50"), Decimal("100"))),
        ("fleece over $50", (Decimal("50"), None)),
        ("less than 19.99 please", (None, Decimal("19.99"))),
        ("a red rain jacket", (None, None)),
    ],
)
def test_price_ranges_are_read_from_the_message(text, expected):
    assert parse_price_range(text) == expected


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
        assert "comes in red" in item.why and "within your budget" in item.why


def test_out_of_stock_products_appear_only_when_asked_for(finder, knowledge):
    sold_out = next(p for p in knowledge.catalog if not p.in_stock)
    request = ProductRequest(product=sold_out.name)
    assert sold_out not in [r.product for r in finder.recommend(request, limit=50)]
    with_sold_out = ProductRequest(product=sold_out.name, include_out_of_stock=True)
    assert sold_out in [r.product for r in finder.recommend(with_sold_out, limit=50)]


def test_the_closest_match_to_the_words_ranks_first(finder):
    (best, *_) = finder.recommend(ProductRequest(text="headlamp with red night mode"), limit=3)
    assert best.product.category == "headlamps"


def test_impossible_constraints_give_nothing_rather_than_something_wrong(finder):
    assert finder.recommend(ProductRequest(category="tents", max_price=Decimal("5"))) == []


def test_a_follow_up_refines_the_previous_request():
    first = request_from_turn("show me rain jackets", {"category": "rain jackets"}, {})
    previous = request_slots(first)
    refined = request_from_turn("in blue, under $150", {"color": "blue"}, previous)
    assert (refined.category, refined.color, refined.max_price) == ("rain jackets", "blue", Decimal("150"))


def test_naming_a_new_category_starts_a_new_request():
    previous = request_slots(
        request_from_turn("red tents under $300", {"category": "tents", "color": "red"}, {})
    )
    fresh = request_from_turn("do you have headlamps", {"category": "headlamps"}, previous)
    assert (fresh.category, fresh.color, fresh.max_price) == ("headlamps", None, None)
