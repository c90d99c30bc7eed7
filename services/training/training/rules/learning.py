"""Course order (seed 001, DOMAIN.md "Rulings", Learning): pure functions.

"The online Foundation A part 1 is required if parents want to progress to Foundation B":
enrolling on a course needs its prerequisite courses COMPLETED first (domain row 66).
"""

from __future__ import annotations

COURSE_PREREQUISITES: dict[str, tuple[str, ...]] = {
    "foundation_b": ("foundation_a1",),
}


def enrolment_unmet(course_code: str, completed: set[str]) -> list[str]:
    """The prerequisite courses of `course_code` not yet completed, in order."""
    return [c for c in COURSE_PREREQUISITES.get(course_code, ()) if c not in completed]
