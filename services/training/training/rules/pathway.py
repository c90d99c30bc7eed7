"""A person's pathway towards a role: pure functions over plain facts (no Flask, no database).

Each requirement is `met`, `in_progress` or `missing`; `charge` is what the person would still
pay for it. A requirement is a fact about the person, not about the role they booked it for,
so what is met or booked for one role is never charged again for another (Deep Dive counts
once across roles).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from imatter_shared.contract import packages as contract

from .catalogue import COURSES_BY_CODE, L1_2_COURSES
from .roles import (
    BOOKING_PREREQUISITES,
    REQUIREMENTS,
    ROLE_BOOKING_CONDITIONS,
    ROLES_BY_CODE,
    placeholder_of,
    role_row,
    unit_price,
)

MET, IN_PROGRESS, MISSING = "met", "in_progress", "missing"

# What a person books themself on their pathway (POST .../pathways/{role}/items with the item
# alone): courses and session blocks. A package requirement is bought with the organisation's
# funding and practitioner (a package sale), the other kinds are met, never bought.
SELF_BOOKED_KINDS = ("item",)

# Oversight of the role's own practicum rather than of the organisation: what a package type's use
# waits for (the contract's `use_requires`: Type 1 use "requires Lead Plus oversight", seed 000),
# which cic-tracker enforces (no Tracker use on a Type 1 package without an accepted Lead Plus
# overseer). So the requirement is met once that practicum is completed, in progress while its
# package is held, missing before (domain rows 29, 30).
PRACTICUM_OVERSIGHT = tuple(
    sorted({code for p in contract.PACKAGE_TYPES.values() for code in p.use_requires})
)


def course_price(code: str) -> int:
    """List price of one course (pence), from the catalogue's course prices."""
    row = COURSES_BY_CODE.peek(code)  # read only: no copy
    if row is None:
        raise KeyError(code)
    return row["price"]


def l1_2_courses_needed(facts: Facts) -> list[str]:
    """The L1-2 courses the person has neither completed nor enrolled on (each course once)."""
    return [c for c in L1_2_COURSES if c not in facts.l1_2_completed and c not in facts.l1_2_enrolled]


@dataclass
class Facts:
    # requirement code of a bookable item -> {"booked": units booked not yet completed, "completed": units}
    items: dict[str, dict] = field(default_factory=dict)
    l1_2_completed: set[str] = field(default_factory=set)  # L1-2 course codes completed
    l1_2_enrolled: set[str] = field(default_factory=set)  # L1-2 course codes enrolled (any state)
    certified: set[str] = field(default_factory=set)  # roles currently certified
    # package type -> {"bought": n, "practicum_completed": n}
    packages: dict[int, dict] = field(default_factory=dict)
    # oversight code -> status (met: a certified overseer in the person's organisation;
    # in_progress: one in training there; missing)
    oversight: dict[str, str] = field(default_factory=dict)
    registered_setting: bool = False


def _item_units(facts: Facts, code: str) -> tuple[int, int]:
    got = facts.items.get(code, {})
    return got.get("completed", 0), got.get("booked", 0)


def requirement(code: str, quantity: int, role: dict, facts: Facts) -> dict:
    """Status and outstanding charge of one requirement of `role` for this person."""
    req = REQUIREMENTS.peek(code)  # read only: no copy (evaluated hundreds of times a request)
    if req is None:
        raise KeyError(code)
    kind, unit = req["kind"], unit_price(code)
    charge = 0
    mark = placeholder_of(code)  # a placeholder price says so (domain row 111)
    if kind == "item":
        completed, booked = _item_units(facts, code)
        status = MET if completed >= quantity else IN_PROGRESS if completed + booked > 0 else MISSING
        charge = max(0, quantity - completed - booked) * unit
    elif kind == "package":
        bought = facts.packages.get(req["package_type"], {}).get("bought", 0)
        status = MET if bought else MISSING
        charge = 0 if bought else unit * quantity
    elif kind == "practicum":
        got = facts.packages.get(role["package_type"], {})
        status = MET if got.get("practicum_completed") else IN_PROGRESS if got.get("bought") else MISSING
    elif kind == "l1_2":
        if set(L1_2_COURSES) <= facts.l1_2_completed:
            status = MET
        else:
            status = IN_PROGRESS if facts.l1_2_enrolled or facts.l1_2_completed else MISSING
        # what the rest would cost includes the course fees still needed (domain row 114)
        unit = sum(course_price(c) for c in L1_2_COURSES)
        charge = 0 if status == MET else sum(course_price(c) for c in l1_2_courses_needed(facts))
    elif kind == "role":
        inner = evaluate(req["role"], facts)
        started = any(r["status"] != MISSING for r in inner["requirements"])
        status = MET if req["role"] in facts.certified else IN_PROGRESS if started else MISSING
        charge = 0 if status == MET else inner["remaining_cost"]
        if charge and inner["placeholder"]:
            mark = {"placeholder": True, "placeholder_label": inner["placeholder_label"]}
    elif kind == "oversight" and code in PRACTICUM_OVERSIGHT:
        got = facts.packages.get(role["package_type"], {}) if role.get("package_type") else {}
        status = MET if got.get("practicum_completed") else IN_PROGRESS if got.get("bought") else MISSING
    elif kind == "oversight":
        status = facts.oversight.get(code, MISSING)
    elif kind == "setting":
        status = MET if facts.registered_setting else MISSING
    else:  # pragma: no cover - the table only holds the kinds above
        raise ValueError(kind)
    out = {
        "code": code,
        "title": req["title"],
        "kind": kind,
        "status": status,
        "quantity": quantity,
        "price": unit,
        "charge": charge,
        "currency": "GBP",
        **mark,
    }
    if kind == "l1_2":
        out["courses_needed"] = [] if status == MET else l1_2_courses_needed(facts)
    return out


def evaluate(role_code: str, facts: Facts) -> dict:
    role = ROLES_BY_CODE.peek(role_code)  # read only: no copy
    if role is None:
        raise KeyError(role_code)
    reqs = [requirement(code, qty, role, facts) for code, qty in role["requires"]]
    # the remaining cost is a placeholder figure when any placeholder price is part of it (row 111)
    marked = next((r for r in reqs if r["charge"] and r.get("placeholder")), None)
    return {
        "role": role_code,
        "title": role["title"],
        "requirements": reqs,
        "remaining_cost": sum(r["charge"] for r in reqs),
        "currency": "GBP",
        "placeholder": marked is not None,
        **({"placeholder_label": marked["placeholder_label"]} if marked else {}),
        "certified": role_code in facts.certified,
        "complete": all(r["status"] == MET for r in reqs),
    }


def roles_ready_to_certify(facts: Facts) -> list[str]:
    """Roles not yet certified whose every requirement is met (entry roles first)."""
    return [
        code for code in ROLES_BY_CODE if code not in facts.certified and evaluate(code, facts)["complete"]
    ]


class BookingRefused(Exception):
    def __init__(self, detail: str, unmet: list[str], field_error: bool = False):
        self.detail, self.unmet, self.field_error = detail, unmet, field_error
        super().__init__(detail)


def check_booking(role_code: str, item: str, facts: Facts, quantity: int | None = None) -> dict:
    """What booking `item` towards `role_code` would buy: {item, kind, quantity, unit_price, price}.

    Raises BookingRefused: field_error when the item is not a bookable requirement of the role
    (a 400), otherwise a business rule with the unmet codes (a 409).
    """
    role = ROLES_BY_CODE[role_code]
    needed = dict(role["requires"])
    if item not in needed:
        raise BookingRefused(f"{item} is not a requirement of the {role_code} role.", [], field_error=True)
    kind = REQUIREMENTS[item]["kind"]
    if kind not in ("item", "package"):
        raise BookingRefused(
            f"{item} is not bought: it is met by {REQUIREMENTS[item]['title'].lower()}.", [], field_error=True
        )
    unmet = [
        code
        for code in ROLE_BOOKING_CONDITIONS.get(role_code, ())
        if requirement(code, 1, role, facts)["status"] == MISSING
    ]
    unmet += [
        code
        for code in BOOKING_PREREQUISITES.get(item, ())
        if requirement(code, 1, role, facts)["status"] == MISSING
    ]
    if unmet:
        raise BookingRefused(f"Booking {item} needs first: {', '.join(unmet)}.", unmet)
    current = requirement(item, needed[item], role, facts)
    if current["charge"] == 0:
        state = "met" if current["status"] == MET else "booked"
        raise BookingRefused(f"{item} is already {state}: it is not charged twice.", ["not_charged_twice"])
    unit = unit_price(item)
    outstanding = current["charge"] // unit if unit else needed[item]
    qty = outstanding if quantity is None else quantity
    if qty < 1 or qty > outstanding:
        raise BookingRefused(f"quantity must be between 1 and {outstanding}.", [], field_error=True)
    return {"item": item, "kind": kind, "quantity": qty, "unit_price": unit, "price": unit * qty}


def self_booked(code: str) -> bool:
    """Whether a person books requirement `code` themself on their pathway."""
    return REQUIREMENTS[code]["kind"] in SELF_BOOKED_KINDS


def estimate(role_code: str, have: Iterable[str] = ()) -> dict:
    """The pathway calculator for someone without an account: each requirement of the role as
    the catalogue shows it, with its `cost` at list price (unit price x quantity) and whether the
    visitor already `have`s it; a requirement that is a role of its own carries `role_cost`, that
    role from scratch. `total` is the role's own requirements not had (a prerequisite role costs
    nothing there); `with_prerequisites` is the cost from scratch including prerequisite roles,
    each requirement counted once however many roles need it (Deep Dive once) and what the
    visitor has not counted; `prerequisites` are the catalogue rows of the prerequisite roles
    not had."""
    had = set(have)
    role = role_row(ROLES_BY_CODE[role_code])
    rows = [
        {**req, "cost": req["price"] * req["quantity"], "have": req["code"] in had}
        for req in role["requirements"]
    ]
    for row in rows:
        if row["code"] in ROLES_BY_CODE:
            row["role_cost"] = estimate(row["code"], had)["with_prerequisites"]
    return {
        "role": role_code,
        "rows": rows,
        "total": sum(r["cost"] for r in rows if not r["have"]),
        "with_prerequisites": _from_scratch(role_code, set(had)),
        "prerequisites": [
            role_row(ROLES_BY_CODE[r["code"]]) for r in rows if r["code"] in ROLES_BY_CODE and not r["have"]
        ],
        "currency": "GBP",
    }


def _from_scratch(role_code: str, seen: set[str]) -> int:
    """The role's requirements not in `seen`, nested roles walked in place; every code is added
    to `seen` once counted, so a requirement two roles share is charged once."""
    cost = 0
    for code, quantity in ROLES_BY_CODE[role_code]["requires"]:
        if code in seen:
            continue
        seen.add(code)
        cost += _from_scratch(code, seen) if code in ROLES_BY_CODE else unit_price(code) * quantity
    return cost
