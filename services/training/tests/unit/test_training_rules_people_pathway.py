"""Pathway rules: statuses, remaining cost, nothing charged twice, booking order."""

import pytest

from training.rules import pathway as pw
from training.rules.catalogue import COURSES_BY_CODE, L1_2_COURSES, PACKAGE_TYPES
from training.rules.roles import REQUIREMENTS, ROLES, ROLES_BY_CODE, role_items_price


def test_lead_from_scratch_costs_the_seed_prices():
    result = pw.evaluate("lead", pw.Facts())
    assert result["remaining_cost"] == 75000 + 25000 + 45000 == 145000
    assert {r["code"]: r["status"] for r in result["requirements"]} == {
        "deep_dive": "missing",
        "lead_training": "missing",
        "package_type_3": "missing",
        "practicum": "missing",
        "registered_setting": "missing",
    }
    assert role_items_price("lead") == 145000


L1_2_FEES = (
    3 * 4500 + 2 * 6000
)  # the five L1-2 course fees (placeholders), part of the role's price (row 114)


@pytest.mark.parametrize(
    "role,cost",
    [
        ("informed", L1_2_FEES + 25000 + 3 * 15000),
        ("senior_link", 25000 + 15000),
        ("link", 25000 + 30000),
        ("child", L1_2_FEES + 25000 + 75000 + 25000 + 15000),
        ("lead_plus", 25000 + 25000 + 60000),
    ],
)
def test_role_item_prices_follow_the_seed(role, cost):
    assert role_items_price(role) == cost


def test_link_from_scratch_includes_the_informed_items_still_to_buy():
    result = pw.evaluate("link", pw.Facts())
    fees = sum(COURSES_BY_CODE[c]["price"] for c in L1_2_COURSES)  # the L1-2 course fees (row 114)
    assert result["remaining_cost"] == fees + 70000 + 25000 + 30000
    informed = next(r for r in result["requirements"] if r["code"] == "informed")
    assert informed["status"] == "missing" and informed["charge"] == fees + 70000


def test_deep_dive_completed_for_child_is_not_charged_for_lead():
    facts = pw.Facts(items={"deep_dive": {"completed": 1}})
    lead = pw.evaluate("lead", facts)
    dd = next(r for r in lead["requirements"] if r["code"] == "deep_dive")
    assert dd["status"] == "met" and dd["charge"] == 0
    assert lead["remaining_cost"] == 25000 + 45000
    with pytest.raises(pw.BookingRefused) as err:
        pw.check_booking("lead", "deep_dive", facts)
    assert not err.value.field_error and "not charged twice" in err.value.detail


def test_booked_item_is_in_progress_and_not_charged():
    facts = pw.Facts(items={"consolidation": {"booked": 1, "completed": 1}}, l1_2_enrolled={"foundation_a1"})
    informed = pw.evaluate("informed", facts)
    cons = next(r for r in informed["requirements"] if r["code"] == "consolidation")
    assert cons["status"] == "in_progress" and cons["charge"] == 15000  # one session of three left
    booking = pw.check_booking("informed", "consolidation", facts)
    assert booking["quantity"] == 1 and booking["price"] == 15000


def test_l1_2_completion_needs_every_foundation_and_intermediate_course():
    some = pw.Facts(l1_2_completed=set(L1_2_COURSES[:-1]))
    assert pw.evaluate("informed", some)["requirements"][0]["status"] == "in_progress"
    every = pw.Facts(l1_2_completed=set(L1_2_COURSES))
    assert pw.evaluate("informed", every)["requirements"][0]["status"] == "met"


def test_booking_prerequisites_refuse_with_unmet_codes():
    with pytest.raises(pw.BookingRefused) as err:
        pw.check_booking("lead_plus", "lead_plus_training", pw.Facts())
    assert err.value.unmet == ["lead_training"]
    pw.check_booking("lead_plus", "lead_plus_training", pw.Facts(items={"lead_training": {"booked": 1}}))
    with pytest.raises(pw.BookingRefused) as err:
        pw.check_booking("informed", "consolidation", pw.Facts())
    assert err.value.unmet == ["l1_2_completion"]


def test_child_bookings_have_no_lead_oversight_gate():
    """Domain row 29a: Lead oversight is counted at certification, not a gate on booking."""
    for item in ("study_support", "deep_dive", "package_type_1"):
        assert pw.check_booking("child", item, pw.Facts())["price"] > 0
    ok = pw.check_booking("child", "child_practicum", pw.Facts(items={"deep_dive": {"booked": 1}}))
    assert ok["price"] == 25000


def test_child_certification_needs_lead_oversight_and_the_lead_plus_overseen_practicum():
    done = pw.Facts(
        l1_2_completed=set(L1_2_COURSES),
        items={
            "study_support": {"completed": 1},
            "deep_dive": {"completed": 1},
            "child_practicum": {"completed": 1},
        },
        packages={1: {"bought": 1, "practicum_completed": 0}},
        oversight={"lead_oversight": "in_progress"},
    )
    reqs = {r["code"]: r["status"] for r in pw.evaluate("child", done)["requirements"]}
    assert reqs["lead_plus_oversight"] == "in_progress" and reqs["lead_oversight"] == "in_progress"
    assert "child" not in pw.roles_ready_to_certify(done)
    done.packages[1]["practicum_completed"] = 1  # cic runs Type 1 only under an accepted Lead Plus overseer
    assert pw.evaluate("child", done)["requirements"][-1] == {
        **pw.evaluate("child", done)["requirements"][-1],
        "code": "lead_plus_oversight",
        "status": "met",
    }
    assert "child" not in pw.roles_ready_to_certify(done)  # the organisation's Lead is still in training
    done.oversight["lead_oversight"] = "met"
    assert "child" in pw.roles_ready_to_certify(done)
    assert pw.evaluate("child", pw.Facts())["requirements"][-1]["status"] == "missing"


def test_remaining_cost_includes_the_l1_2_course_fees_still_needed():
    """Domain row 114: each L1-2 course not yet enrolled or completed is charged once."""
    fees = sum(COURSES_BY_CODE[c]["price"] for c in L1_2_COURSES)
    none = pw.evaluate("informed", pw.Facts())
    l12 = none["requirements"][0]
    assert (
        l12["code"] == "l1_2_completion"
        and l12["charge"] == fees
        and l12["courses_needed"] == list(L1_2_COURSES)
    )
    assert none["remaining_cost"] == fees + 25000 + 3 * 15000
    some = pw.Facts(l1_2_completed={"foundation_a1"}, l1_2_enrolled={"foundation_a1", "foundation_a2"})
    l12 = pw.evaluate("child", some)["requirements"][0]
    assert (
        l12["status"] == "in_progress"
        and l12["charge"]
        == fees - COURSES_BY_CODE["foundation_a1"]["price"] - COURSES_BY_CODE["foundation_a2"]["price"]
    )
    # nested: Link's "informed" carries the fees once
    assert pw.evaluate("link", pw.Facts())["remaining_cost"] == none["remaining_cost"] + 25000 + 30000
    assert (
        pw.evaluate("informed", pw.Facts(l1_2_completed=set(L1_2_COURSES)))["requirements"][0]["charge"] == 0
    )


def test_not_bookable_items_are_field_errors():
    for role, item in (("lead", "practicum"), ("lead", "study_support"), ("informed", "l1_2_completion")):
        with pytest.raises(pw.BookingRefused) as err:
            pw.check_booking(role, item, pw.Facts())
        assert err.value.field_error


def test_certification_is_ready_only_when_every_requirement_is_met():
    facts = pw.Facts(
        items={"deep_dive": {"completed": 1}, "lead_training": {"completed": 1}},
        packages={3: {"bought": 1}},
        registered_setting=True,
    )
    assert "lead" not in pw.roles_ready_to_certify(facts)  # practicum still open
    facts.packages[3]["practicum_completed"] = 1
    assert "lead" in pw.roles_ready_to_certify(facts)
    facts.certified.add("lead")
    assert "lead" not in pw.roles_ready_to_certify(facts)


def test_tables_hold_together():
    assert [r["code"] for r in ROLES] == ["informed", "senior_link", "link", "child", "lead", "lead_plus"]
    for role in ROLES:
        for code, qty in role["requires"]:
            assert code in REQUIREMENTS and qty >= 1
        if any(c == "practicum" for c, _ in role["requires"]):
            assert f"package_type_{role['package_type']}" in dict(role["requires"])
    assert [(p["type"], p["online_accounts"], p["tracker_uses"], p["price"]) for p in PACKAGE_TYPES] == [
        (1, 0, 3, 15000),
        (2, 3, 0, 30000),
        (3, 3, 6, 45000),
        (4, 3, 9, 60000),
    ]
    assert dict(ROLES_BY_CODE["informed"]["requires"])["consolidation"] == 3


def test_foundation_b_needs_foundation_a1_completed():
    from training.rules.learning import enrolment_unmet

    assert enrolment_unmet("foundation_b", set()) == ["foundation_a1"]
    assert enrolment_unmet("foundation_b", {"foundation_a2"}) == ["foundation_a1"]
    assert enrolment_unmet("foundation_b", {"foundation_a1"}) == []
    assert enrolment_unmet("foundation_a1", set()) == [] and enrolment_unmet("intermediate_a", set()) == []
