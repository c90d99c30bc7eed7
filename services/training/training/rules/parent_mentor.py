"""Who may apply for a Parent Mentor place (seed 001): pure functions over one table of data.

"We are able to offer some experienced parents positions as Level 3 advanced level Parent Mentor";
"Professionals and parents who have completed the courses can apply"; volunteer places "are offered
on the basis of application, references and interview". Our reading (decision 0058): an
"experienced parent" is a person learning as a parent, carer or individual (`kind: personal`) who
has completed Foundation A (parts 1 and 2) and Foundation B, the Level 1 online courses of the
catalogue in force; they apply with a motivation and at least 2 references.
"""

from __future__ import annotations

from collections.abc import Iterable

from .catalogue import FOUNDATION_COURSES

ELIGIBILITY = {
    "person_kinds": ("personal",),  # learning as a parent, carer or individual
    "min_references": 2,
    "max_references": 5,
}


def required_courses() -> tuple[str, ...]:
    """Foundation A part 1, part 2 and Foundation B: the catalogue's Level 1 online courses (data)."""
    return tuple(FOUNDATION_COURSES)


def entry_unmet(person_kind: str, completed: Iterable[str]) -> list[str]:
    """What a person still lacks to apply: `parent_learner`, `foundation_completion`."""
    unmet = []
    if person_kind not in ELIGIBILITY["person_kinds"]:
        unmet.append("parent_learner")
    if not set(required_courses()) <= set(completed):
        unmet.append("foundation_completion")
    return unmet


def offer_unmet(state: str, interview_outcome: str | None) -> list[str]:
    """An offer follows a passed interview, on an open application."""
    if state != "applied":
        return ["application_open"]
    if interview_outcome != "passed":
        return ["interview_passed"]
    return []
