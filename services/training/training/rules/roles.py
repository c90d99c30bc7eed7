"""The six practitioner roles (seed 000, DOMAIN.md "Practitioner roles and certification"):
the roles, their requirements and prices are data in the price book in force (edited without a release), read
here as live views by the pathway rules and shown by the catalogue; what each requirement code
means (its kind) is logic and stays here.

Requirement kinds:
  item       a bookable course or session block; its price comes from the course catalogue
  package    a microproject package of that type bought for the person
  l1_2       Foundation and Intermediate online courses completed (funded through an L1-2 account)
  role       another role certified first
  practicum  a microproject package of the role's type run with 1-3 cases and completed
             (reported by cic-tracker, counts only)
  oversight  lead_oversight: a certified Lead (or Lead Plus) who is an ACTIVE (accepted) member of the
             person's organisation, counted at certification (in progress while one is in Lead or
             Lead Plus training there); the contract's oversight requirement of a package type
             (Type 1: a Lead Plus overseer of the role's practicum; cic-tracker refuses Type 1 use
             without one, so it is met with that practicum)
  setting    the person works in a registered school or service (seed 001)

Decision (documented in the README): the practicum is required for Link, Child and Lead (seed
000 names them) and also for Lead Plus, whose heading is "Practicum Requirement (All
Practitioner Pathways)" and which is a Lead Practitioner certification; Senior Link and
Informed, which the seed does not name, need none.
"""

from __future__ import annotations

from imatter_shared.contract import packages as contract

from .catalogue import COURSES_BY_CODE, L1_2_COURSES, PACKAGE_TYPES_BY_TYPE, _LiveList, _LiveMap

# What each requirement code of the contract's vocabulary (CONTRACT.md "Shapes") means: logic,
# not data. Titles, prices and which role needs what are in the price book.
REQUIREMENT_KINDS: dict[str, dict] = {
    "l1_2_completion": {"kind": "l1_2"},
    "study_support": {"kind": "item"},
    "consolidation": {"kind": "item"},
    "informed": {"kind": "role", "role": "informed"},
    "senior_link_training": {"kind": "item"},
    "link_training": {"kind": "item"},
    "deep_dive": {"kind": "item"},
    "child_practicum": {"kind": "item"},
    "lead_training": {"kind": "item"},
    "lead_plus_training": {"kind": "item"},
    **{f"package_type_{t}": {"kind": "package", "package_type": t} for t in contract.PACKAGE_TYPES},
    "practicum": {"kind": "practicum"},
    "lead_oversight": {"kind": "oversight", "overseer_roles": contract.LEAD_ROLES},
    contract.oversight_requirement(contract.OVERSEER_ROLE): {
        "kind": "oversight",
        "overseer_roles": (contract.OVERSEER_ROLE,),
    },
    "registered_setting": {"kind": "setting"},
}
ROLE_CODE_LIST = ("informed", "senior_link", "link", "child", "lead", "lead_plus")


def _requirements(t: dict) -> dict[str, dict]:
    titles = t.get("requirement_titles", {})
    return {
        code: {**meta, "title": titles.get(code, code.replace("_", " ").capitalize())}
        for code, meta in REQUIREMENT_KINDS.items()
    }


def _role(r: dict) -> dict:
    """A role of the price book, with `requires` as (code, quantity) pairs for the pathway rules."""
    return {**r, "requires": [(q["code"], q["quantity"]) for q in r["requirements"]]}


# requirement code -> {kind, title, ...}: read from the price book in force
REQUIREMENTS = _LiveMap(_requirements)

# organisation kinds that are a registered school or service (seed 001: Lead Practitioners only there)
REGISTERED_SETTING_KINDS = ("school", "primary_care", "community_service", "other_service")

# role -> requirements in order (code, quantity); the practicum runs on the role's package type.
ROLES = _LiveList(lambda t: [_role(r) for r in t["roles"]])
ROLES_BY_CODE = _LiveMap(lambda t: {r["code"]: _role(r) for r in t["roles"]})
ROLE_CODES = ROLE_CODE_LIST

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
    """List price in pence of one unit of a requirement (0 for what is not bought). L1-2
    completion costs the Foundation and Intermediate course fees (domain row 114: the calculator
    and the pathway's remaining cost agree)."""
    req = REQUIREMENTS.peek(code)
    if req is None:
        raise KeyError(code)
    if req["kind"] == "item":
        return _shared(COURSES_BY_CODE, code)["price"]
    if req["kind"] == "package":
        return _shared(PACKAGE_TYPES_BY_TYPE, req["package_type"])["price"]
    if req["kind"] == "l1_2":
        return sum(_shared(COURSES_BY_CODE, c)["price"] for c in L1_2_COURSES)
    return 0


def _shared(live, key):
    """live[key] without the copy (read only here); KeyError like live[key]."""
    row = live.peek(key)
    if row is None:
        raise KeyError(key)
    return row


def role_row(role: dict) -> dict:
    """A role as the catalogue shows it (and the estimate reads it): its requirements priced."""
    return {
        "code": role["code"],
        "title": role["title"],
        "level": role.get("level"),
        "requirements": [
            {
                "code": code,
                "title": REQUIREMENTS[code]["title"],
                "kind": REQUIREMENTS[code]["kind"],
                "price": unit_price(code),
                "quantity": qty,
                "currency": "GBP",
                **_placeholder_of(code),
            }
            for code, qty in role["requires"]
        ],
        "practicum_package_type": role["package_type"]
        if any(c == "practicum" for c, _ in role["requires"])
        else None,
        "enables": list(role["enables"]),
        "price": role_items_price(role["code"]),
        "currency": "GBP",
    }


def _placeholder_of(code: str) -> dict:
    """A requirement priced by a placeholder course or package says so (L1-2 completion when any
    of its course fees is a placeholder)."""
    req = REQUIREMENT_KINDS[code]
    if req["kind"] == "l1_2":
        rows = [_shared(COURSES_BY_CODE, c) for c in L1_2_COURSES]
    elif req["kind"] == "item":
        rows = [COURSES_BY_CODE.peek(code)]
    elif req["kind"] == "package":
        rows = [PACKAGE_TYPES_BY_TYPE.peek(req["package_type"])]
    else:
        rows = []
    row = next((r for r in rows if r and r.get("placeholder")), None)
    if row:
        return {"placeholder": True, "placeholder_label": row.get("placeholder_label") or "PLACEHOLDER"}
    return {"placeholder": False}


placeholder_of = _placeholder_of


def role_items_price(role_code: str) -> int:
    """The role's own items at list price (nested roles not included)."""
    return sum(unit_price(code) * qty for code, qty in ROLES_BY_CODE[role_code]["requires"])
