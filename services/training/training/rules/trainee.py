"""Lead Professional trainee obligations (seed 001) and what falls due when: pure functions.

One declarative table. `cadence` is the period a target applies to; `due_days` places the
deadline of a "once"/"yearly_start" obligation that many days after its period starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .licences import add_months
from .lp_licence_kinds import GROUP_AUDIENCE_AREAS

OBLIGATIONS: list[dict] = [
    {
        "code": "action_plan_outline",
        "title": "An agreed action plan outline",
        "cadence": "once",
        "target": 1,
        "due_days": 30,
    },
    {
        "code": "monthly_development",
        "title": "Take part in monthly practitioner development training",
        "cadence": "monthly",
        "target": 1,
    },
    {
        "code": "participant_feedback",
        "title": "Gather participant feedback",
        "cadence": "quarterly",
        "target": 1,
    },
    {
        "code": "log_book",
        "title": "Maintain a personal log book (entries)",
        "cadence": "monthly",
        "target": 1,
    },
    {
        "code": "annual_plan",
        "title": "Submit an annual action plan and budget plan",
        "cadence": "yearly_start",
        "target": 1,
        "due_days": 30,
    },
    {
        "code": "foundation_a_courses",
        "title": "Support at least 2 Foundation A courses a year",
        "cadence": "yearly",
        "target": 2,
    },
    {
        "code": "linked_cpd",
        "title": "Take part in linked CPD to maintain the licence",
        "cadence": "yearly",
        "target": 1,
    },
]
OBLIGATIONS_BY_CODE = {o["code"]: o for o in OBLIGATIONS}
# who records a fulfilment: the log book is the trainee's own; an action plan outline counts once
# I Matter Training has agreed it (a training admin records it); the rest either of them
RECORDED_BY = {"log_book": ("trainee",), "action_plan_outline": ("training_admin",)}

# obligations that are a standing condition, checked from the data rather than recorded (seed 001:
# "have the support of senior leadership", "have a current licence by subscription"; DOMAIN
# "Rulings": the subscription licence is the trainee's organisation's active Starter Licence)
STANDING = [
    {"code": "senior_leadership_backing", "title": "Have the support of senior leadership"},
    {
        "code": "subscription_licence",
        "title": "Have a current licence by subscription (the organisation's Starter Licence)",
    },
]
# a fast-track entrant (after Foundation A and B) carries this until Intermediate A or B is completed
OUTSTANDING_COURSEWORK = {
    "code": "outstanding_coursework",
    "any_of": ("intermediate_a", "intermediate_b"),
    "title": "Outstanding coursework completed (Intermediate A or B)",
}
ALL_CODES = (
    tuple(o["code"] for o in STANDING) + (OUTSTANDING_COURSEWORK["code"],) + tuple(OBLIGATIONS_BY_CODE)
)

# the route's two years (seed 001: "1 year training followed by a 1 year implementation practice period")
YEAR_MONTHS = 12
YEAR_RULES = {"trainee": "trainee_year", "implementation": "implementation_year"}
MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12, "yearly_start": 12}

# entry to the advanced programme (seed 001): normally after Intermediate A or B; a fast track
# after Foundation A (both parts) and B, on condition the outstanding coursework is completed
ENTRY_ROUTES = {
    "standard": {"any_of": ("intermediate_a", "intermediate_b"), "unmet": "intermediate_completion"},
    "fast_track": {
        "all_of": ("foundation_a1", "foundation_a2", "foundation_b"),
        "unmet": "foundation_completion",
    },
}
MIN_REFERENCES = 2
# what a Level 3A group is registered for (seed 001: the Lead Professional delivers Foundation A,
# in two parts, to parents or to professionals; to children and young people with a Level 4 or 5
# licence and a specialist licence: decision 0057); the group registration accepts these codes
GROUP_COURSES = ("foundation_a1", "foundation_a2")
GROUP_AUDIENCES = tuple(GROUP_AUDIENCE_AREAS)


def self_recorded() -> list[dict]:
    """The obligations a trainee records themself (POST .../obligations/{code}/records), in order."""
    return [o for o in OBLIGATIONS if "trainee" in RECORDED_BY.get(o["code"], ("trainee", "training_admin"))]


def entry_unmet(route: str, completed: set[str], senior_leadership_backing: bool) -> list[str]:
    rule = ENTRY_ROUTES[route]
    unmet = []
    ok = any(c in completed for c in rule["any_of"]) if "any_of" in rule else set(rule["all_of"]) <= completed
    if not ok:
        unmet.append(rule["unmet"])
    if not senior_leadership_backing:
        unmet.append("senior_leadership_backing")
    return unmet


def year_until(start: datetime) -> datetime:
    return add_months(start, YEAR_MONTHS)


def year_complete(start: datetime | None, now: datetime) -> bool:
    return start is not None and now >= year_until(start)


def standing(code: str, title: str, met: bool, reason: str, due_on: datetime | None = None) -> dict:
    """A standing obligation's row, shaped like the recorded ones: met or unmet, with the reason;
    `due_on` is when it next falls due (a Starter Licence's end), if ever."""
    return {
        "code": code,
        "title": title,
        "cadence": "standing",
        "target": 1,
        "done": 1 if met else 0,
        "period_start": None,
        "period_end": None,
        "due_on": due_on,
        "status": "met" if met else "unmet",
        "reason": reason,
    }


def _period(start: datetime, now: datetime, months: int) -> tuple[datetime, datetime]:
    n = 0
    while add_months(start, months * (n + 1)) <= now:
        n += 1
    return add_months(start, months * n), add_months(start, months * (n + 1))


def obligations(start: datetime, now: datetime, records: dict[str, list[datetime]]) -> list[dict]:
    """Each obligation's current period, how many records fall in it, its deadline and status
    (done, due, overdue)."""
    out = []
    for o in OBLIGATIONS:
        done_at = sorted(records.get(o["code"], []))
        if o["cadence"] == "once":
            p_start, p_end = start, None
            due_on = start + timedelta(days=o["due_days"])
            done = len(done_at)
            previous_missed = False
        else:
            months = MONTHS[o["cadence"]]
            p_start, p_end = _period(start, now, months)
            done = sum(1 for t in done_at if p_start <= t < p_end)
            due_on = p_start + timedelta(days=o["due_days"]) if o["cadence"] == "yearly_start" else p_end
            prev_start = add_months(p_start, -months) if p_start > start else None
            previous_missed = (
                prev_start is not None and sum(1 for t in done_at if prev_start <= t < p_start) < o["target"]
            )
        status = "done" if done >= o["target"] else "overdue" if now > due_on or previous_missed else "due"
        out.append(
            {
                "code": o["code"],
                "title": o["title"],
                "cadence": o["cadence"],
                "target": o["target"],
                "done": done,
                "period_start": p_start,
                "period_end": p_end,
                "due_on": due_on,
                "status": status,
                "reason": None,
            }
        )
    return out
