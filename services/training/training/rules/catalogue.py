"""The course and package catalogue (seeds 000, 001): declarative tables, integer pence.

Prices the seeds publish are used as they are. The seeds do not publish the fees of the
online L1-2 courses, Awareness, or the study supporter preparation course: those rows carry
clearly labelled placeholder prices (`price_status: "placeholder"`) to be replaced by I Matter
Training, and no logic depends on their values.
"""
from __future__ import annotations

PUBLISHED = "published"
PLACEHOLDER = "placeholder"

# kind: online_course (an online L1-2 account is needed), session (study support, consolidation),
#       training (practitioner role training), practicum, preparation.
COURSES: list[dict] = [
    {"code": "awareness", "level": 0, "title": "Awareness: introductions, getting started and the informal I Matter Q",
     "price": 0, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "foundation_a1", "level": 1, "title": "Level 1 Foundation A part 1",
     "price": 4500, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "foundation_a2", "level": 1, "title": "Level 1 Foundation A part 2",
     "price": 4500, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "foundation_b", "level": 1, "title": "Level 1 Foundation B",
     "price": 4500, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "intermediate_a", "level": 2, "title": "Level 2 Intermediate A",
     "price": 6000, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "intermediate_b", "level": 2, "title": "Level 2 Intermediate B",
     "price": 6000, "unit": "per person", "kind": "online_course", "price_status": PLACEHOLDER},
    {"code": "deep_dive", "level": 3, "title": "Deep Dive",
     "price": 75000, "unit": "per person", "kind": "training", "price_status": PUBLISHED},
    {"code": "study_support", "level": 2, "title": "Study support",
     "price": 25000, "unit": "per person", "kind": "session", "price_status": PUBLISHED},
    {"code": "consolidation", "level": 2, "title": "Monthly consolidation session",
     "price": 15000, "unit": "per person per session", "kind": "session", "price_status": PUBLISHED},
    {"code": "senior_link_training", "level": 3, "title": "Senior Link training",
     "price": 25000, "unit": "per person", "kind": "training", "price_status": PUBLISHED},
    {"code": "link_training", "level": 3, "title": "Link training",
     "price": 25000, "unit": "per person", "kind": "training", "price_status": PUBLISHED},
    {"code": "lead_training", "level": 3, "title": "Lead training",
     "price": 25000, "unit": "per person", "kind": "training", "price_status": PUBLISHED},
    {"code": "lead_plus_training", "level": 3, "title": "Lead Plus training",
     "price": 25000, "unit": "per person", "kind": "training", "price_status": PUBLISHED},
    {"code": "child_practicum", "level": 3, "title": "Child practicum",
     "price": 25000, "unit": "per person", "kind": "practicum", "price_status": PUBLISHED},
    {"code": "study_supporter_preparation", "level": 3, "title": "Study supporters preparation course",
     "price": 15000, "unit": "per person", "kind": "preparation", "price_status": PLACEHOLDER},
]

COURSES_BY_CODE = {c["code"]: c for c in COURSES}

# "L1-2 completion" means Foundation and Intermediate completed (DOMAIN.md "Learning").
L1_2_COURSES = tuple(c["code"] for c in COURSES if c["level"] in (1, 2) and c["kind"] == "online_course")
FOUNDATION_COURSES = tuple(c["code"] for c in COURSES if c["level"] == 1 and c["kind"] == "online_course")
INTERMEDIATE_COURSES = tuple(c["code"] for c in COURSES if c["level"] == 2 and c["kind"] == "online_course")
# an online L1-2 account (one seat) opens these; Awareness is open access and needs no seat
ACCOUNT_COURSES = L1_2_COURSES

_NO_SERVICES = ["practitioner time", "delivery", "supervision", "ongoing support"]

PACKAGE_TYPES: list[dict] = [
    {"type": 1, "title": "Tracker only", "online_accounts": 0, "tracker_uses": 3, "price": 15000,
     "price_per_person": 5000,
     "purpose": "Screening and priority planning only: direct roles with children and young people.",
     "contents": ["3 Tracker uses", "Requires Tracker set-up", "Use requires Lead Plus oversight"],
     "use_requires": ["lead_plus_oversight"], "excludes": _NO_SERVICES},
    {"type": 2, "title": "Prevention", "online_accounts": 3, "tracker_uses": 0, "price": 30000,
     "price_per_person": 10000,
     "purpose": "Low concern, development and preparation work.",
     "contents": ["3 online L1-2 accounts", "Light or no Tracker use"],
     "use_requires": [], "excludes": _NO_SERVICES},
    {"type": 3, "title": "Early Intervention", "online_accounts": 3, "tracker_uses": 6, "price": 45000,
     "price_per_person": 15000,
     "purpose": "Emerging concern, priorities identified.",
     "contents": ["3 online L1-2 accounts", "2 Tracker uses per person"],
     "use_requires": [], "excludes": _NO_SERVICES},
    {"type": 4, "title": "Additional Needs", "online_accounts": 3, "tracker_uses": 9, "price": 60000,
     "price_per_person": 20000,
     "purpose": "Multi-context, school-home complexity.",
     "contents": ["3 online L1-2 accounts", "3 Tracker uses per person"],
     "use_requires": [], "excludes": _NO_SERVICES},
]

PACKAGE_TYPES_BY_TYPE = {p["type"]: p for p in PACKAGE_TYPES}
MAX_CASES_PER_PACKAGE = 3

# What the personal resource licence allows (seed 001 i): held by anyone who has accessed
# L1 or L2. (The seed also names buyers of course notes or posters; those are not sold on the
# platform, so no page or response promises them: README "Assumptions", domain row 52.)
RESOURCE_LICENCE = {
    "allows": [
        "use the resources to help yourself and your own family",
        "use the resources informally with your own immediate pupils, patients or clients",
        "share and show the resources, and work in a team with others",
    ],
    "does_not_allow": [
        "training others in I Matter",
        "formally supporting others in I Matter (until Lead Professional application and certification)",
        "using the informal I Matter Q formally outside a licensed pathway",
    ],
}


def course(code: str) -> dict | None:
    return COURSES_BY_CODE.get(code)


def package_type(type_: int) -> dict | None:
    return PACKAGE_TYPES_BY_TYPE.get(type_)
