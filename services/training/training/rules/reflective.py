"""Reflective tools on the training side (seed 001). Plain data in, plain data out.

- The informal I Matter Q: a self-assessment about the learner themself, early in their
  learning; its results are the learner's alone and suggest learning steps from the catalogue.
- The community wheel, community audit version: organisation-level, aggregate, about no
  individual; used only under a community wheel licence (held by an organisation, often a GP
  practice or community group, or by a person, e.g. a community leader; sometimes alongside a
  Level 3A licence). The personalised version lives in cic-tracker beside the Tracker.
- The I Matter Q registration consultation: offered (optional, never required) to parents who
  learn face to face without a personal online account; ordered here, booked by the CIC.
"""

from __future__ import annotations

from datetime import datetime

# instruments training holds content for (cic-tracker holds its own: formal Q, personal wheel)
INFORMAL_Q = "imatter_q"
COMMUNITY_AUDIT = "community_wheel_audit"
INSTRUMENTS = (INFORMAL_Q, COMMUNITY_AUDIT)

SAMPLE_CONTENT_FILES = ("imatter_q_sample.json", "community_wheel_audit_sample.json")

COMMUNITY_WHEEL_TOOL = "community_wheel"
LICENCE_TERM_MONTHS = 12

# The registration consultation and its optional course. Its price is data: a product row of the
# price book in force (services/price_book.py SEED_PRODUCTS, a labelled PLACEHOLDER because the
# seeds publish none), read at order time (domain row 110).
Q_REGISTRATION = {
    "code": "q_registration_consultation",
    "title": "I Matter Q registration consultation",
    "purpose": "I Matter Q registration",
    "optional": True,
    "for": "Parents learning face to face (e.g. in a Level 3A group) without a personal online account.",
    "note": "Optional, never required: face-to-face learning does not depend on it.",
}
# the online course that may be added to the order (optional): the seed names Foundation A
# part 1 as the step towards Foundation B
OPTIONAL_COURSES = ("foundation_a1",)
# the journey in order, for the next step when no section asks for more
JOURNEY = ("awareness", "foundation_a1", "foundation_a2", "foundation_b", "intermediate_a", "intermediate_b")


def suggestions(
    sections: list[dict], content_sections: list[dict], completed: set[str], courses: dict[str, dict]
) -> list[dict]:
    """Learning steps from a Q's section scores: each section whose band asks for it suggests
    its listed courses (weakest section first); courses already completed are left out. When
    no section asks, the next course of the journey not yet completed."""
    listed = {s["code"]: s.get("suggests", []) for s in content_sections}
    out: list[dict] = []
    seen: set[str] = set()
    for sec in sorted((s for s in sections if s["suggest"]), key=lambda s: (s["percent"], s["code"])):
        for code in listed.get(sec["code"], []):
            if code in seen or code in completed or code not in courses:
                continue
            seen.add(code)
            out.append(_step(courses[code], f"{sec['title']}: {sec['band_label']}", sec["code"]))
    if not out:
        nxt = next((c for c in JOURNEY if c not in completed and c in courses), None)
        if nxt:
            out.append(_step(courses[nxt], "The next step of the learning journey", None))
    return out


def _step(course: dict, reason: str, section: str | None) -> dict:
    return {
        "course_code": course["code"],
        "title": course["title"],
        "level": course["level"],
        "price": course["price"],
        "currency": "GBP",
        "reason": reason,
        "section": section,
    }


def unknown_suggestions(content: dict, courses: dict[str, dict]) -> list[str]:
    """Load-time check: every suggested course must be in the catalogue."""
    return [
        f"sections.{s['code']}.suggests: {code!r} is not a catalogue course"
        for s in content["sections"]
        for code in s.get("suggests", [])
        if code not in courses
    ]


def licence_status(
    valid_from: datetime, valid_until: datetime, revoked_at: datetime | None, at: datetime
) -> str:
    if revoked_at is not None:
        return "revoked"
    if at < valid_from:
        return "pending"
    return "active" if at < valid_until else "expired"


def audit_unmet(organisation_licence_active: bool, personal_licence_active: bool) -> list[str]:
    """A community audit needs a community wheel licence: the organisation's own, or one the
    caller holds personally (a GP or community leader auditing with their organisation)."""
    return [] if organisation_licence_active or personal_licence_active else ["community_wheel_licence"]


def grant_unmet(holder: str, starter_active: bool) -> list[str]:
    """An organisation holds a community wheel licence on top of its Starter Licence (the
    organisational agreement every licence needs); a person needs nothing more."""
    return ["starter_licence"] if holder == "organisation" and not starter_active else []


def registration_unmet(person_kind: str, has_online_account: bool, already_ordered: bool) -> list[str]:
    """The offer is for parents (personal learners) learning face to face without a personal
    online account; one registration consultation each."""
    unmet = []
    if person_kind != "personal":
        unmet.append("personal_learner")
    if has_online_account:
        unmet.append("no_online_account")
    if already_ordered:
        unmet.append("one_registration")
    return unmet


RULE_TEXT = {
    "community_wheel_licence": "a community wheel licence held by the organisation or by you",
    "starter_licence": "an active Starter Licence",
    "personal_learner": "a personal learner (parent or carer), not a professional",
    "no_online_account": "no personal online learning account (the offer is for face-to-face learners)",
    "one_registration": "one registration consultation per person",
}


def describe(unmet: list[str]) -> str:
    return "; ".join(RULE_TEXT.get(code, code) for code in unmet)
