"""Seat bundle pricing: exact pence, falling marginal price, quotes by tier."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from training.rules import pricing
from training.services.price_book import PLACEHOLDER_BOOK

TIERS = [
    {"from_seat": 1, "unit_price": 6000},
    {"from_seat": 6, "unit_price": 5000},
    {"from_seat": 11, "unit_price": 4000},
]


def test_each_seat_costs_the_price_of_its_tier():
    assert [pricing.unit_price_of_seat(TIERS, n) for n in (1, 5, 6, 10, 11, 500)] == [
        6000,
        6000,
        5000,
        5000,
        4000,
        4000,
    ]


def test_a_quote_adds_up_seat_by_seat_and_tier_by_tier():
    q = pricing.seat_quote(TIERS, 12)
    assert q["price"] == 5 * 6000 + 5 * 5000 + 2 * 4000 == 63000
    assert q["currency"] == "GBP" and len(q["breakdown"]) == 12
    assert sum(s["unit_price"] for s in q["breakdown"]) == q["price"]
    assert [(t["from_seat"], t["to_seat"], t["quantity"], t["amount"]) for t in q["tiers"]] == [
        (1, 5, 5, 30000),
        (6, 10, 5, 25000),
        (11, 12, 2, 8000),
    ]
    assert all(isinstance(s["unit_price"], int) for s in q["breakdown"])


@pytest.mark.parametrize("count", [0, -1, pricing.MAX_SEATS_PER_PURCHASE + 1])
def test_a_quote_needs_a_sensible_count(count):
    with pytest.raises(ValueError):
        pricing.seat_quote(TIERS, count)


@st.composite
def falling_tiers(draw):
    starts = sorted(draw(st.sets(st.integers(2, 300), max_size=6)))
    prices = sorted(
        draw(st.lists(st.integers(0, 100_000), min_size=len(starts) + 1, max_size=len(starts) + 1)),
        reverse=True,
    )
    return [{"from_seat": s, "unit_price": p} for s, p in zip([1] + starts, prices)]


@given(falling_tiers(), st.integers(1, 400))
def test_the_marginal_price_never_rises_with_the_count(tiers, n):
    assert pricing.tier_problems(tiers) == []
    price = lambda k: pricing.seat_quote(tiers, k)["price"]  # noqa: E731
    if n >= 2:
        assert price(n + 1) - price(n) <= price(n) - price(n - 1)
    assert price(n + 1) >= price(n)  # more seats never cost less in total


def test_the_placeholder_tiers_fall():
    assert pricing.tier_problems(PLACEHOLDER_BOOK["seat_bundle_tiers"]) == []
    pricing.validate_price_book(PLACEHOLDER_BOOK)


def test_rising_or_shuffled_tiers_are_refused():
    assert pricing.tier_problems([{"from_seat": 1, "unit_price": 100}, {"from_seat": 5, "unit_price": 200}])
    assert pricing.tier_problems([{"from_seat": 2, "unit_price": 100}])
    assert pricing.tier_problems([{"from_seat": 1, "unit_price": 100}, {"from_seat": 1, "unit_price": 90}])
    assert pricing.tier_problems([])


def test_a_price_book_that_does_not_hold_together_names_its_fields():
    book = {
        **PLACEHOLDER_BOOK,
        "affiliate_percentage": 120,
        "seat_bundle_tiers": [{"from_seat": 1, "unit_price": 1}, {"from_seat": 3, "unit_price": 9}],
        "size_bands": PLACEHOLDER_BOOK["size_bands"] * 2,
    }
    with pytest.raises(pricing.PriceBookError) as exc:
        pricing.validate_price_book(book)
    assert set(exc.value.errors) == {"affiliate_percentage", "seat_bundle_tiers", "size_bands"}


def test_band_fees_are_read_from_the_book_not_the_code():
    book = {
        "size_bands": [
            {"code": "x", "starter_fee": 1, "cpd_fee": 2, "enhanced_fee": 3, "cpd_seats_included": 0}
        ]
    }
    assert [pricing.band_fee(book, "x", t) for t in ("starter", "cpd", "enhanced")] == [1, 2, 3]
    with pytest.raises(KeyError):
        pricing.band_fee(book, "y", "starter")


def test_the_transfer_top_up_is_per_seat():
    assert pricing.transfer_price(2500, 3) == 7500
