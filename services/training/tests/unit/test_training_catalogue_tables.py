"""Issue 16: the price book's catalogue tables (validation and reads), pure functions."""

import copy

import pytest

from training.rules import pricing
from training.rules.catalogue import COURSES_BY_CODE, L1_2_COURSES, PACKAGE_TYPES_BY_TYPE
from training.rules.roles import REQUIREMENTS, ROLES_BY_CODE, role_items_price, unit_price
from training.services.price_book import PLACEHOLDER_BOOK, normalise


def _book():
    return copy.deepcopy(PLACEHOLDER_BOOK)


def test_the_seed_book_holds_together():
    pricing.validate_price_book(_book())


def test_reads_outside_an_app_show_the_seed_tables():
    assert unit_price("deep_dive") == 75000 and unit_price("package_type_4") == 60000
    assert (
        role_items_price("informed") == 3 * 4500 + 2 * 6000 + 25000 + 3 * 15000
    )  # L1-2 fees included (row 114)
    assert (
        PACKAGE_TYPES_BY_TYPE[1]["tracker_uses_per_case"] == 1
        and PACKAGE_TYPES_BY_TYPE[2]["tracker_uses"] == 0
    )
    assert list(L1_2_COURSES) == [
        "foundation_a1",
        "foundation_a2",
        "foundation_b",
        "intermediate_a",
        "intermediate_b",
    ]
    assert ROLES_BY_CODE["child"]["requires"][-1] == ("lead_plus_oversight", 1)
    assert REQUIREMENTS["lead_plus_oversight"]["overseer_roles"] == ("lead_plus",)
    assert COURSES_BY_CODE["foundation_b"]["placeholder"] is True


def test_the_live_views_cannot_change_the_price_book():
    COURSES_BY_CODE["deep_dive"]["price"] = 1
    assert COURSES_BY_CODE["deep_dive"]["price"] == 75000


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b: b["package_types"].pop(), "package_types"),
        (lambda b: b["package_types"][0].update(tracker_uses_per_case=11), "package_types"),
        (lambda b: b["package_types"][1].update(price=-5), "package_types"),
        (lambda b: b["roles"].pop(), "roles"),
        (lambda b: b["roles"][0]["requirements"].append({"code": "nonsense", "quantity": 1}), "roles"),
        (lambda b: b["roles"][0]["requirements"].append({"code": "study_support", "quantity": 1}), "roles"),
        (lambda b: b["roles"][3].update(package_type=None), "roles"),
        (lambda b: b["courses"].pop(0), "courses"),
        (lambda b: b["courses"].append(dict(b["courses"][0])), "courses"),
        (lambda b: b["courses"][0].update(kind="holiday"), "courses"),
        (lambda b: b["requirement_titles"].update(made_up="x"), "requirement_titles"),
    ],
)
def test_a_catalogue_that_does_not_hold_together_names_the_field(change, field):
    book = _book()
    change(book)
    with pytest.raises(pricing.PriceBookError) as exc:
        pricing.validate_price_book(book)
    assert field in exc.value.errors


def test_normalise_derives_tracker_uses_from_the_per_case_share_and_labels_placeholders():
    book = _book()
    book["package_types"][2].update(tracker_uses_per_case=3, tracker_uses=1, price=46000, placeholder=True)
    book["courses"][1].update(placeholder=False)
    normalise(book)
    t3 = book["package_types"][2]
    assert (t3["tracker_uses"], t3["price_per_person"]) == (9, 15333)
    assert t3["placeholder_label"]
    assert "placeholder_label" not in book["courses"][1] and book["courses"][1]["price_status"] == "published"
