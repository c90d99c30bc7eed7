"""Microproject plan rules (seeds 000, 003, 004; decision 0063): pure functions, no Flask, no DB.

A plan is the practitioner's planning of their microproject, never a case record: its free text is
checked for what obviously identifies someone being supported (an email address, a phone number, a
UK postcode, a date of birth, an NHS number). A name cannot be told from other words, so the API
documentation and the portal form warn that no case data belongs here; the check catches the
patterns a name usually travels with.
"""

from __future__ import annotations

import re
from datetime import date

from .practitioner_licence import MAX_FOCUS_AREAS, MIN_FOCUS_AREAS, focus_area_errors  # noqa: F401

IDEA_MAX = 2000
FOCUS_AREA_MAX = 200
STEP_TEXT_MAX = 300
MAX_STEPS = 20
MAX_REVIEW_DATES = 6
STEP_STATUSES = ("planned", "in_progress", "done", "dropped")
SUPPORTER_STATES = ("pending", "accepted", "declined")
# "Micro Projects may be supported by Link Practitioners ... Lead Practitioners" (seeds 003/004);
# a Lead Plus is a Lead with oversight of Lead, Child and Link (seed 000)
SUPPORTER_ROLES = ("link", "lead", "lead_plus")

NO_CASE_DATA = (
    "No case data: never write a family's, child's or client's name, contact details, date of "
    "birth or anything else about someone you support. Plans are held by I Matter Training; case "
    "records belong in the Progress Tracker (Relationship Health Matters CIC)."
)

_CASE_DATA_PATTERNS = (
    (re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+"), "an email address"),
    (re.compile(r"(?<!\d)(?:\+44\s?|0)(?:\d[\s-]?){9,10}(?!\d)"), "a phone number"),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE), "a postcode"),
    (re.compile(r"\b(?:d\.?o\.?b\.?|date of birth|born on)\b", re.IGNORECASE), "a date of birth"),
    (re.compile(r"\bNHS\s*(?:no\.?|number)?\s*:?\s*\d{3}\s?\d{3}\s?\d{4}\b", re.IGNORECASE), "an NHS number"),
)


def case_data_problem(text: str) -> str | None:
    """A reason when `text` obviously carries case data (what it looks like, never the text)."""
    for pattern, what in _CASE_DATA_PATTERNS:
        if pattern.search(text or ""):
            return f"Looks like {what}: plans hold no case data (no details of anyone you support)."
    return None


def step_errors(steps: list[dict]) -> dict[str, list[str]]:
    """Field -> messages for the ordered steps (`steps.<i>.text`, `steps.<i>.status`)."""
    errors: dict[str, list[str]] = {}
    if len(steps) > MAX_STEPS:
        return {"steps": [f"At most {MAX_STEPS} steps."]}
    for i, step in enumerate(steps):
        text = (step.get("text") or "").strip()
        if not text:
            errors[f"steps.{i}.text"] = ["A step needs a description."]
        elif problem := case_data_problem(text):
            errors[f"steps.{i}.text"] = [problem]
        if step.get("status", "planned") not in STEP_STATUSES:
            errors[f"steps.{i}.status"] = [f"Must be one of: {', '.join(STEP_STATUSES)}."]
    return errors


def review_date_errors(dates: list[date], today: date, kept: set[date] = frozenset()) -> list[str]:
    """Review dates: at most MAX_REVIEW_DATES, all different, none in the past except those the plan
    already held (a review date that has passed stays on the plan as a record)."""
    if len(dates) > MAX_REVIEW_DATES:
        return [f"At most {MAX_REVIEW_DATES} review dates."]
    if len(set(dates)) != len(dates):
        return ["Review dates must differ."]
    past = sorted(d for d in dates if d < today and d not in kept)
    if past:
        return [f"A review date cannot be in the past ({past[0].isoformat()}; today is {today.isoformat()})."]
    return []


def plan_errors(data: dict, today: date, kept_dates: set[date] = frozenset()) -> dict[str, list[str]]:
    """Every problem of a plan body, by field (empty when it is valid)."""
    errors: dict[str, list[str]] = {}
    idea = (data.get("idea") or "").strip()
    if not idea:
        errors["idea"] = ["Describe the microproject idea."]
    elif problem := case_data_problem(idea):
        errors["idea"] = [problem]
    areas = data.get("focus_areas") or []
    area_problems = focus_area_errors(areas)
    if not area_problems:
        area_problems = [p for a in areas if (p := case_data_problem(a))][:1]
    if area_problems:
        errors["focus_areas"] = area_problems
    errors.update(step_errors(data.get("steps") or []))
    date_problems = review_date_errors(list(data.get("review_dates") or []), today, kept_dates)
    if date_problems:
        errors["review_dates"] = date_problems
    return errors


def supporter_unmet(supporter_roles: set[str], is_practitioner: bool) -> list[str]:
    """What keeps a person from supporting the plan: themself, or no current Link/Lead certification."""
    if is_practitioner:
        return ["supporter_not_self"]
    if not supporter_roles & set(SUPPORTER_ROLES):
        return ["supporter_role"]
    return []


def next_supporter_state(state: str | None, answer: str) -> str | None:
    """pending -> accepted | declined; anything else cannot be answered (None)."""
    if state == "pending" and answer in ("accept", "decline"):
        return "accepted" if answer == "accept" else "declined"
    return None
