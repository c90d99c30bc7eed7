"""Pure rules of the Tracker, the fund and the evaluation (no Flask, no database)."""

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cic_tracker.rules import evaluation, fund, tracker
from cic_tracker.rules.tracker import CaseCounts, UseContext
from imatter_shared.contract.packages import default_uses_per_case


@pytest.mark.parametrize("code", ["jane@example.org", "Jane Smith", "", "-abc", "x" * 65, "ab/cd"])
def test_case_codes_that_are_not_pseudonyms_are_refused(code):
    assert tracker.code_problem(code) is not None


@pytest.mark.parametrize("code", ["C-001", "fam.7", "a", "K9_x"])
def test_short_pseudonymous_codes_pass(code):
    assert tracker.code_problem(code) is None


def test_at_most_three_cases():
    assert tracker.can_open_case(2, "open") == []
    assert tracker.can_open_case(3, "open") == ["max_cases"]
    assert tracker.can_open_case(0, "completed") == ["microproject_open"]


def ctx(**kw):
    base = dict(
        package_type=3,
        microproject_state="open",
        case_state="open",
        credits_left=2,
        setup_done=False,
        overseer_certified=False,
        baselines=0,
        licence_status="active",
        case_uses=0,
        uses_per_case=2,
    )
    base.update(kw)
    return UseContext(**base)


def test_a_use_needs_a_credit_and_a_baseline_before_follow_ups():
    assert tracker.can_use_tracker(ctx(), "baseline") == []
    assert tracker.can_use_tracker(ctx(credits_left=0), "baseline") == ["tracker_credit"]
    assert tracker.can_use_tracker(ctx(), "follow_up") == ["baseline"]
    assert tracker.can_use_tracker(ctx(baselines=1, case_uses=1), "follow_up") == []
    assert tracker.can_use_tracker(ctx(baselines=1, case_uses=1), "baseline") == ["single_baseline"]


def test_tracker_uses_are_per_case_a_case_past_its_share_is_refused_while_the_pool_has_uses():
    assert tracker.can_use_tracker(ctx(baselines=1, case_uses=2, credits_left=4), "follow_up") == [
        "tracker_credit"
    ]
    assert tracker.can_use_tracker(ctx(uses_per_case=0, credits_left=3), "baseline") == ["tracker_credit"]
    assert default_uses_per_case(3) == 1 and default_uses_per_case(0) == 0
    assert default_uses_per_case(6) == 2 and default_uses_per_case(9) == 3


def test_type_1_needs_setup_and_a_lead_plus_overseer():
    assert tracker.can_use_tracker(ctx(package_type=1), "baseline") == [
        "tracker_setup",
        "lead_plus_oversight",
    ]
    assert (
        tracker.can_use_tracker(ctx(package_type=1, setup_done=True, overseer_certified=True), "baseline")
        == []
    )


def test_closed_cases_and_lapsed_licences_stop_use():
    assert tracker.can_use_tracker(ctx(case_state="closed"), "baseline") == ["case_open"]
    assert tracker.can_use_tracker(ctx(licence_status="expired"), "baseline") == ["enhanced_licence"]
    assert tracker.can_use_tracker(ctx(licence_status="suspended"), "baseline") == ["enhanced_licence"]
    assert tracker.can_use_tracker(ctx(licence_status="active"), "baseline") == []


def test_row21_no_known_enhanced_licence_stops_use():
    assert tracker.can_use_tracker(ctx(licence_status=None), "baseline") == ["enhanced_licence"]
    assert tracker.can_open_case_for_use(None) == ["enhanced_licence"]
    assert tracker.can_open_case_for_use("active") == []


def test_rows101_102_a_paused_or_lapsed_practitioner_licence_stops_use():
    assert tracker.practitioner_licence_ok([]) is True  # none known: training decides (README)
    assert tracker.practitioner_licence_ok(["active"]) is True
    assert tracker.practitioner_licence_ok(["paused"]) is False
    assert tracker.practitioner_licence_ok(["lapsed", "active"]) is True
    assert tracker.can_use_tracker(ctx(practitioner_licence_ok=False), "baseline") == ["practitioner_licence"]


def test_completion_rules_per_type_rows_36_to_39():
    done = CaseCounts(1, 1)
    assert tracker.completion_unmet("open", 3, [done], "learnt a lot") == []
    assert tracker.completion_unmet("open", 3, [], "") == ["cases", "baseline", "follow_up", "reflection"]
    assert tracker.completion_unmet("open", 4, [done, CaseCounts(1, 0)], "x") == ["follow_up"]
    assert tracker.completion_unmet("open", 3, [done] * 4, "x") == ["cases"]
    # Type 1 (screening): a baseline for each case, no follow-up
    assert tracker.completion_unmet("open", 1, [CaseCounts(1, 0)] * 3, "x") == []
    assert tracker.completion_unmet("open", 1, [CaseCounts(1, 0), CaseCounts(0, 0)], "x") == ["baseline"]
    # Type 2 (no Tracker use): a reflection for each case
    assert tracker.completion_unmet("open", 2, [CaseCounts(0, 0, 1)], "x") == []
    assert tracker.completion_unmet("open", 2, [CaseCounts(0, 0, 1), CaseCounts(0, 0, 0)], "x") == [
        "case_reflection"
    ]
    assert tracker.completion_unmet("completed", 3, [done], "x") == ["microproject_open"]


def test_progress_change_from_baseline():
    rows = tracker.progress({"a": 3, "b": 5}, {"a": 7, "b": 5}, [("a", "A"), ("b", "B"), ("c", "C")])
    assert rows == [
        {"area": "a", "label": "A", "baseline": 3, "latest": 7, "change": 4},
        {"area": "b", "label": "B", "baseline": 5, "latest": 5, "change": 0},
        {"area": "c", "label": "C", "baseline": None, "latest": None, "change": None},
    ]


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_every_moment_lies_in_its_quarter(moment):
    opens, closes = fund.quarter_bounds(*fund.quarter_of(moment))
    assert opens <= moment < closes
    assert fund.quarter_bounds(*fund.next_quarter(*fund.quarter_of(moment)))[0] == closes


def test_rounds_close_by_date_and_are_decided_when_every_application_has_an_outcome():
    closes = datetime(2026, 1, 1)
    assert fund.round_state("open", datetime(2025, 12, 31), closes, 1, 1) == "open"
    assert fund.round_state("open", closes, closes, 1, 1) == "closed"
    assert fund.round_state("closed", closes, closes, 0, 2) == "decided"
    assert fund.round_state("closed", closes, closes, 0, 0) == "closed"


def test_decisions_only_in_a_closed_round_and_once():
    assert fund.can_decide("open", "submitted") == ["round_closed"]
    assert fund.can_decide("closed", "awarded") == ["undecided"]
    assert fund.can_decide("closed", "submitted") == []


def test_award_balance_rule_is_optional():
    assert fund.can_award(15000, 0, False) == []
    assert fund.can_award(15000, 0, True) == ["fund_balance"]
    assert fund.can_award(15000, 15000, True) == []


def test_small_cells_are_suppressed():
    assert evaluation.cell(4, [{"a": 1}] * 4) == {"cases": None, "average_change": None, "suppressed": True}
    out = evaluation.cell(5, [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4}, {"a": 5, "b": 1}])
    assert out == {"cases": 5, "average_change": {"a": 3.0, "b": 1.0}, "suppressed": False}


def test_the_total_does_not_reveal_a_suppressed_cell_by_subtraction():
    assert evaluation.total([6, 3]) == {"cases": None, "suppressed": True}
    assert evaluation.total([6, 0]) == {"cases": 6, "suppressed": False}
    assert evaluation.total([6, 3, 2]) == {"cases": 11, "suppressed": False}
