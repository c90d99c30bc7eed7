"""Microproject plan rules (decision 0063), as pure functions."""

from datetime import date, timedelta

import pytest

from training.rules import microproject_plans as rules

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    "text",
    [
        "ring 07700 900123",
        "+44 7700 900123",
        "mail jo@example.com",
        "lives in SW1A 1AA",
        "DOB 1/2/15",
        "NHS no 943 476 5919",
    ],
)
def test_obvious_case_data_is_named_without_repeating_it(text):
    problem = rules.case_data_problem(text)
    assert problem and "no case data" in problem and text not in problem


@pytest.mark.parametrize(
    "text", ["Calmer mornings with routines", "Review in week 3 of 12", "Year 6 transition group"]
)
def test_planning_text_passes(text):
    assert rules.case_data_problem(text) is None


def test_review_dates_not_in_the_past_unless_already_held():
    past = TODAY - timedelta(days=1)
    assert rules.review_date_errors([TODAY, TODAY + timedelta(days=7)], TODAY) == []
    assert rules.review_date_errors([past], TODAY)
    assert rules.review_date_errors([past], TODAY, kept={past}) == []
    assert rules.review_date_errors([TODAY, TODAY], TODAY) == ["Review dates must differ."]
    assert rules.review_date_errors([TODAY + timedelta(days=i) for i in range(7)], TODAY)


def test_supporter_is_a_certified_link_or_lead_and_not_the_practitioner():
    assert rules.supporter_unmet({"lead"}, is_practitioner=False) == []
    assert rules.supporter_unmet({"link"}, is_practitioner=False) == []
    assert rules.supporter_unmet({"informed", "child"}, is_practitioner=False) == ["supporter_role"]
    assert rules.supporter_unmet({"lead"}, is_practitioner=True) == ["supporter_not_self"]


def test_only_a_pending_request_is_answered():
    assert rules.next_supporter_state("pending", "accept") == "accepted"
    assert rules.next_supporter_state("pending", "decline") == "declined"
    assert rules.next_supporter_state("accepted", "decline") is None
    assert rules.next_supporter_state(None, "accept") is None
