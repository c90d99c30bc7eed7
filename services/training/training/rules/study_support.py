"""Study support sessions and workshops (seed 001, seed 002 "Lead professionals"): who may host,
what a series may be for, and the "not unlimited support" boundary as a cap per series. Data with
defaults: a series takes the defaults unless its host asks for less (never more than the ceiling).

Reading of seed 002's "do not provide unlimited support" (decision 0060): a series has at most
`max_sessions` sessions (default 6, at most 12) and each session at most `places_per_session`
places (default 12, at most 30)."""

from __future__ import annotations

from .trainee import GROUP_COURSES

KINDS = ("study_support", "workshop")
# in house: for the host's organisation (its accepted members book); in partnership with
# I Matter Training: open to any learner with a profile (seed 001 "in house or in partnership with us")
DELIVERIES = ("in_house", "partnership")
CAPS = {
    "max_sessions": {"default": 6, "ceiling": 12},
    "places_per_session": {"default": 12, "ceiling": 30},
}
# certified practitioner roles that may host in house besides Lead Professionals (trainee,
# implementation year, approved): Link practitioners and the Lead roles above them
HOST_CERTIFIED_ROLES = ("link", "lead", "lead_plus")
# only the Lead Professional route may run workshops in partnership with I Matter Training
# (seed 001: "Licensed trainee and approved professionals can provide supported learning workshops
# in house or in partnership with us")
PARTNERSHIP_NEEDS = "lead_professional"
# a series for one of these courses, when delivered, counts once towards the host's
# "support at least 2 Foundation A courses a year" (unless its Level 3A group already counted)
FOUNDATION_A_COURSES = GROUP_COURSES
SESSION_MINUTES = (30, 240)  # a session's length, shortest and longest


def cap(name: str, asked: int | None) -> int:
    rule = CAPS[name]
    return rule["default"] if asked is None else asked


def over_ceiling(name: str, asked: int | None) -> bool:
    return asked is not None and asked > CAPS[name]["ceiling"]


# an accepted Parent Mentor (decision 0058; seed 001 "Level 3 advanced level Parent Mentor") may
# host study support in house only, for the parents of an organisation they are an accepted member of
# (host_unmet: a partnership series needs the Lead Professional route, as for a Link practitioner)
PARENT_MENTOR_DELIVERIES = tuple(d for d in DELIVERIES if d != "partnership")


def host_unmet(
    on_route: bool, certified: set[str], member: bool, delivery: str, parent_mentor: bool = False
) -> list[str]:
    """What stops a person hosting a series: [] when nothing does. A Parent Mentor with no other
    host role is refused a partnership series (`lead_professional`, as a Link practitioner is)."""
    unmet = []
    if not member:
        unmet.append("organisation_membership")
    if not on_route and not (certified & set(HOST_CERTIFIED_ROLES)) and not parent_mentor:
        unmet.append("host_role")
    elif delivery == "partnership" and not on_route:
        unmet.append(PARTNERSHIP_NEEDS)
    return unmet


# Volunteer study supporters (seed 001: "Professionals and parents who have completed the courses
# can apply ...", "offered on the basis of application, references and interview"; decision 0061).
# Applying needs the Foundation courses completed and at least 2 references; acceptance needs the
# interview passed and the study supporters preparation course completed.
SUPPORTER = {
    "min_references": 2,
    "entry": "foundation_courses",  # every Foundation course of the catalogue in force, completed
    "preparation_course": "study_supporter_preparation",
}
SUPPORTER_STATES = ("applied", "interviewed", "accepted", "declined")
