"""The six practitioner roles (seed 000, DOMAIN.md "Practitioner roles and certification"):
ONE declarative requirements table, read by the pathway rules and shown by the catalogue.

Requirement kinds:
  item       a bookable course or session block; its price comes from the course catalogue
  package    a microproject package of that type bought for the person
  l1_2       Foundation and Intermediate online courses completed (funded through an L1-2 account)
  role       another role certified first
  practicum  a microproject package of the role's type run with 1-3 cases and completed
             (reported by cic-tracker, counts only)
  oversight  lead_oversight: a certified Lead (or Lead Plus) who is an ACTIVE (accepted) member of the
             person's organisation, counted at certification (in progress while one is in Lead or
             Lead Plus training there); lead_plus_oversight: the Lead Plus overseer of the role's Type 1
             practicum (cic-tracker refuses Type 1 use without one, so it is met with that practicum)
  setting    the person works in a registered school or service (seed 001)

Decision (documented in the README): the practicum is required for Link, Child and Lead (seed
000 names them) and also for Lead Plus, whose heading is "Practicum Requirement (All
Practitioner Pathways)" and which is a Lead Practitioner certification; Senior Link and
Informed, which the seed does not name, need none.
"""
from __future__ import annotations

from .catalogue import COURSES_BY_CODE, PACKAGE_TYPES_BY_TYPE

# requirement code -> (kind, title, argument)
REQUIREMENTS: dict[str, dict] = {
    "l1_2_completion": {"kind": "l1_2", "title": "Level 1-2 completion (Foundation and Intermediate)"},
    "study_support": {"kind": "item", "title": "Study support"},
    "consolidation": {"kind": "item", "title": "Monthly consolidation sessions"},
    "informed": {"kind": "role", "title": "Informed Practitioner", "role": "informed"},
    "senior_link_training": {"kind": "item", "title": "Senior Link training"},
    "link_training": {"kind": "item", "title": "Link training"},
    "deep_dive": {"kind": "item", "title": "Deep Dive"},
    "child_practicum": {"kind": "item", "title": "Child practicum"},
    "lead_training": {"kind": "item", "title": "Lead training"},
    "lead_plus_training": {"kind": "item", "title": "Lead Plus training"},
    "package_type_1": {"kind": "package", "title": "Type 1 microproject (Tracker only)", "package_type": 1},
    "package_type_2": {"kind": "package", "title": "Type 2 microproject (Prevention)", "package_type": 2},
    "package_type_3": {"kind": "package", "title": "Type 3 microproject (Early Intervention)", "package_type": 3},
    "package_type_4": {"kind": "package", "title": "Type 4 microproject (Additional Needs)", "package_type": 4},
    "practicum": {"kind": "practicum", "title": "Supervised practicum: a completed microproject with 1-3 cases"},
    "lead_oversight": {"kind": "oversight", "title": "A Lead Practitioner in the organisation for oversight",
                       "overseer_roles": ("lead", "lead_plus")},
    "lead_plus_oversight": {"kind": "oversight",
                            "title": "A Lead Plus overseer for the Type 1 practicum (the organisation's or "
                                     "one of I Matter Training's, accepted)",
                            "overseer_roles": ("lead_plus",)},
    "registered_setting": {"kind": "setting", "title": "Works in a registered school or service"},
}

# organisation kinds that are a registered school or service (seed 001: Lead Practitioners only there)
REGISTERED_SETTING_KINDS = ("school", "primary_care", "community_service", "other_service")

# role -> requirements in order; (code, quantity). The practicum runs on the role's package type.
ROLES: list[dict] = [
    {"code": "informed", "title": "Informed Practitioner", "level": "entry", "package_type": None,
     "requires": [("l1_2_completion", 1), ("study_support", 1), ("consolidation", 3)],
     "enables": ["assisted self-help support", "light-touch microproject work (with cases they hold)"]},
    {"code": "senior_link", "title": "Senior Link Practitioner", "level": "entry", "package_type": 1,
     "requires": [("informed", 1), ("senior_link_training", 1), ("package_type_1", 1)],
     "enables": ["senior management role", "oversight of project development"]},
    {"code": "link", "title": "Link Practitioner (first applied role)", "level": "entry", "package_type": 2,
     "requires": [("informed", 1), ("link_training", 1), ("package_type_2", 1), ("practicum", 1)],
     "enables": ["assisted self-help support", "light-touch microproject work (with cases they hold)"]},
    {"code": "child", "title": "Child Practitioner (CYP, optional specialist role)", "level": "advanced",
     "package_type": 1,
     "requires": [("l1_2_completion", 1), ("study_support", 1), ("deep_dive", 1), ("child_practicum", 1),
                  ("package_type_1", 1), ("practicum", 1), ("lead_oversight", 1), ("lead_plus_oversight", 1)],
     "enables": ["structured child-focused development work", "use of Tracker to identify priorities",
                 "school-based social and emotional support planning"]},
    {"code": "lead", "title": "Lead Practitioner (delivery and learning leadership)", "level": "advanced",
     "package_type": 3,
     "requires": [("deep_dive", 1), ("lead_training", 1), ("package_type_3", 1), ("practicum", 1),
                  ("registered_setting", 1)],
     "enables": ["delivery of workshops", "facilitation of I Matter learning", "baseline and progress tracking",
                 "support for organisational implementation"]},
    {"code": "lead_plus", "title": "Lead Plus Practitioner (oversight of Lead, CYP and Link)", "level": "advanced",
     "package_type": 4,
     "requires": [("lead_training", 1), ("lead_plus_training", 1), ("package_type_4", 1), ("practicum", 1)],
     "enables": ["delivery of workshops", "facilitation of I Matter learning",
                 "support for organisational implementation", "oversight of Lead, Child (CYP) and Link practitioners"]},
]

ROLES_BY_CODE = {r["code"]: r for r in ROLES}
ROLE_CODES = tuple(ROLES_BY_CODE)

# Booking order: an item may be booked only once these are met or under way (booked/enrolled).
# Why: Lead Plus builds on Lead training; the Child practicum applies the Deep Dive; the
# consolidation sessions consolidate L1-2 learning; the Link roles build on Informed practice.
BOOKING_PREREQUISITES: dict[str, tuple[str, ...]] = {
    "lead_plus_training": ("lead_training",),
    "child_practicum": ("deep_dive",),
    "consolidation": ("l1_2_completion",),
    "senior_link_training": ("informed",),
    "link_training": ("informed",),
}

# Every booking towards these roles needs these in place (or under way) first. Empty: the Child's
# "organisational Lead Practitioner oversight" is a requirement counted at certification, not a
# gate on booking Child training (DOMAIN.md "Rulings", Practitioner roles; domain row 29a).
ROLE_BOOKING_CONDITIONS: dict[str, tuple[str, ...]] = {}

# Certified in one of these roles (or an approved Lead Professional) may be listed in the directory.
DIRECTORY_ROLES = ("child", "lead", "lead_plus")


def unit_price(code: str) -> int:
    """List price in pence of one unit of a requirement (0 for what is not bought)."""
    req = REQUIREMENTS[code]
    if req["kind"] == "item":
        return COURSES_BY_CODE[code]["price"]
    if req["kind"] == "package":
        return PACKAGE_TYPES_BY_TYPE[req["package_type"]]["price"]
    return 0


def role_json(role: dict) -> dict:
    return {
        "code": role["code"], "title": role["title"], "level": role["level"],
        "requirements": [{"code": code, "title": REQUIREMENTS[code]["title"], "kind": REQUIREMENTS[code]["kind"],
                          "price": unit_price(code), "quantity": qty, "currency": "GBP"}
                         for code, qty in role["requires"]],
        "practicum_package_type": role["package_type"] if any(c == "practicum" for c, _ in role["requires"]) else None,
        "enables": list(role["enables"]),
        "price": role_items_price(role["code"]),
        "currency": "GBP",
    }


def role_items_price(role_code: str) -> int:
    """The role's own items at list price (nested roles not included)."""
    return sum(unit_price(code) * qty for code, qty in ROLES_BY_CODE[role_code]["requires"])
