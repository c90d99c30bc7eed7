"""Pure rules: practitioner licence focus areas and lapse by date; trainee obligations due dates."""

from datetime import datetime, timedelta

from training.rules import practitioner_licence as pl
from training.rules import trainee


def test_focus_areas_one_to_three():
    assert pl.focus_area_errors(["a"]) == [] and pl.focus_area_errors(["a", "b", "c"]) == []
    assert pl.focus_area_errors([]) and pl.focus_area_errors(["a", "b", "c", "d"])
    assert pl.focus_area_errors(["a", " "]) and pl.focus_area_errors(["a", "A"])


def test_licence_lapses_by_date():
    end = datetime(2027, 1, 1)
    assert pl.effective_state("active", end, end - timedelta(seconds=1)) == "active"
    assert pl.effective_state("active", end, end) == "lapsed"
    assert pl.effective_state("paused", end, end + timedelta(days=1)) == "lapsed"
    assert pl.effective_state("applied", None, end) == "applied"
    assert pl.TRANSITIONS[("lapsed", "renew")] == "active"


def test_entry_routes():
    assert trainee.entry_unmet("standard", {"intermediate_b"}, True) == []
    assert trainee.entry_unmet("standard", {"foundation_a1", "foundation_a2", "foundation_b"}, True) == [
        "intermediate_completion"
    ]
    assert trainee.entry_unmet("fast_track", {"foundation_a1", "foundation_a2", "foundation_b"}, False) == [
        "senior_leadership_backing"
    ]


def test_obligations_fall_due_per_period():
    start = datetime(2026, 1, 10)
    now = datetime(2026, 3, 15)
    rows = {
        o["code"]: o
        for o in trainee.obligations(
            start,
            now,
            {
                "log_book": [datetime(2026, 1, 20), datetime(2026, 3, 12)],  # months 1 and 3, not month 2
                "monthly_development": [datetime(2026, 2, 11), datetime(2026, 3, 11)],
                "foundation_a_courses": [datetime(2026, 2, 1)],
            },
        )
    }
    assert rows["action_plan_outline"]["status"] == "overdue"  # due 30 days after the start
    assert rows["monthly_development"]["status"] == "done"
    assert rows["log_book"]["done"] == 1 and rows["log_book"]["status"] == "done"
    assert rows["participant_feedback"]["due_on"] == datetime(2026, 4, 10)
    assert rows["foundation_a_courses"]["done"] == 1 and rows["foundation_a_courses"]["status"] == "due"
    assert rows["foundation_a_courses"]["due_on"] == datetime(2027, 1, 10)
    assert rows["annual_plan"]["status"] == "overdue"
    later = {
        o["code"]: o
        for o in trainee.obligations(start, datetime(2026, 4, 20), {"log_book": [datetime(2026, 1, 20)]})
    }
    assert later["log_book"]["status"] == "overdue"  # last month's entry was missed
