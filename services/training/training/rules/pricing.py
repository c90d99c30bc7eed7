"""Seat bundle pricing and price-book checks: pure functions over plain data, integer pence.

Tiers are `[{"from_seat": 1, "unit_price": p1}, {"from_seat": 11, "unit_price": p2}, ...]`:
the n-th seat of one purchase costs the unit price of the last tier starting at or before n.
Unit prices never rise from one tier to the next, so the marginal price of one more seat
never rises with the count (the "reduced marginal rate for multi-staff uptake", seed 000).
"""

from __future__ import annotations

from imatter_shared.contract.packages import PACKAGE_TYPES

from .licences import LICENCES
from .roles import REQUIREMENT_KINDS, ROLE_CODE_LIST

MAX_SEATS_PER_PURCHASE = 1000


class PriceBookError(ValueError):
    """The price book does not hold together. `errors` maps field -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def tier_problems(tiers: list[dict]) -> list[str]:
    out = []
    if not tiers:
        return ["At least one tier is needed."]
    if tiers[0]["from_seat"] != 1:
        out.append("The first tier must start at seat 1.")
    for a, b in zip(tiers, tiers[1:]):
        if b["from_seat"] <= a["from_seat"]:
            out.append("Tiers must start at strictly increasing seats.")
        if b["unit_price"] > a["unit_price"]:
            out.append(
                "A later tier may not cost more per seat than an earlier one (falling marginal price)."
            )
    if any(t["unit_price"] < 0 for t in tiers):
        out.append("Unit prices cannot be negative.")
    return sorted(set(out))


def unit_price_of_seat(tiers: list[dict], n: int) -> int:
    """Price in pence of the n-th seat (1-based) of one purchase."""
    price = tiers[0]["unit_price"]
    for tier in tiers:
        if tier["from_seat"] <= n:
            price = tier["unit_price"]
        else:
            break
    return price


def seat_quote(tiers: list[dict], count: int, currency: str = "GBP", already: int = 0) -> dict:
    """What `count` more seats cost, seat by seat and tier by tier, when `already` extra seats
    were bought earlier in the same CPD licence year: the tiers follow the year's total uptake
    (DOMAIN "Rulings" -> Money: 5 then 5 costs what 10 costs). `seat` numbers count from the
    year's first extra seat."""
    if count < 1 or count > MAX_SEATS_PER_PURCHASE:
        raise ValueError(f"count must be between 1 and {MAX_SEATS_PER_PURCHASE}")
    already = max(int(already), 0)
    per_seat = [
        {"seat": n, "unit_price": unit_price_of_seat(tiers, n)}
        for n in range(already + 1, already + count + 1)
    ]
    groups: list[dict] = []
    for item in per_seat:
        if groups and groups[-1]["unit_price"] == item["unit_price"]:
            groups[-1]["to_seat"] = item["seat"]
            groups[-1]["quantity"] += 1
            groups[-1]["amount"] += item["unit_price"]
        else:
            groups.append(
                {
                    "from_seat": item["seat"],
                    "to_seat": item["seat"],
                    "quantity": 1,
                    "unit_price": item["unit_price"],
                    "amount": item["unit_price"],
                }
            )
    return {
        "count": count,
        "price": sum(i["unit_price"] for i in per_seat),
        "currency": currency,
        "already_bought_this_year": already,
        "breakdown": per_seat,
        "tiers": groups,
    }


def transfer_price(top_up_fee: int, count: int) -> int:
    """The top-up fee is per seat moved outside the organisation."""
    return top_up_fee * count


def validate_price_book(book: dict) -> None:
    """Raise PriceBookError when a price book (as edited by an admin) does not hold together."""
    errors: dict[str, list[str]] = {}
    codes = [b["code"] for b in book.get("size_bands", [])]
    if not codes:
        errors.setdefault("size_bands", []).append("At least one size band is needed.")
    if len(set(codes)) != len(codes):
        errors.setdefault("size_bands", []).append("Size band codes must be unique.")
    for band in book.get("size_bands", []):
        for fee in ("starter_fee", "cpd_fee", "enhanced_fee", "cpd_seats_included"):
            if band[fee] < 0:
                errors.setdefault("size_bands", []).append(f"{band['code']}: {fee} cannot be negative.")
    problems = tier_problems(book.get("seat_bundle_tiers", []))
    if problems:
        errors["seat_bundle_tiers"] = problems
    if book.get("transfer_top_up_fee", 0) < 0:
        errors["transfer_top_up_fee"] = ["Cannot be negative."]
    pct = book.get("affiliate_percentage", 0)
    if pct < 0 or pct > 100:
        errors["affiliate_percentage"] = ["Must be between 0 and 100."]
    for field, problems in catalogue_problems(book).items():
        errors.setdefault(field, []).extend(problems)
    if errors:
        raise PriceBookError(errors)


def band_fee(book: dict, band_code: str, licence_type: str) -> int:
    """The fee in pence of one licence type for one size band (KeyError if the band is unknown)."""
    band = band_of(book, band_code)
    if band is None:
        raise KeyError(band_code)
    return band[LICENCES[licence_type]["fee_field"]]


def band_of(book: dict, band_code: str) -> dict | None:
    return next((b for b in book["size_bands"] if b["code"] == band_code), None)


# ---- the catalogue tables of a price book --------------------------------------------------------

CONTRACT_COURSES = (
    "awareness",
    "foundation_a1",
    "foundation_a2",
    "foundation_b",
    "intermediate_a",
    "intermediate_b",
)
COURSE_KINDS = ("online_course", "session", "training", "practicum", "preparation")
PACKAGE_TYPE_NUMBERS = tuple(PACKAGE_TYPES)  # the contract's table: a price book prices each type once
MAX_TRACKER_USES_PER_CASE = 10
MAX_ONLINE_ACCOUNTS = 10


def catalogue_problems(book: dict) -> dict[str, list[str]]:
    """field -> messages for the courses, roles and package types of a price book."""
    errors: dict[str, list[str]] = {}

    def bad(field: str, message: str) -> None:
        if message not in errors.setdefault(field, []):
            errors[field].append(message)

    courses = book.get("courses", [])
    codes = [c.get("code") for c in courses]
    if len(set(codes)) != len(codes):
        bad("courses", "Course codes must be unique.")
    for code in CONTRACT_COURSES:
        if code not in codes:
            bad("courses", f"The course {code} cannot be removed (it is part of the public contract).")
    for c in courses:
        if c.get("price", 0) < 0:
            bad("courses", f"{c.get('code')}: price cannot be negative.")
        if c.get("kind") not in COURSE_KINDS:
            bad("courses", f"{c.get('code')}: kind must be one of {', '.join(COURSE_KINDS)}.")
    types = [p.get("type") for p in book.get("package_types", [])]
    if sorted(types) != list(PACKAGE_TYPE_NUMBERS):
        bad("package_types", "Package types 1, 2, 3 and 4 are each needed exactly once.")
    for p in book.get("package_types", []):
        label = f"type {p.get('type')}"
        if p.get("price", 0) < 0:
            bad("package_types", f"{label}: price cannot be negative.")
        if not 0 <= p.get("tracker_uses_per_case", 0) <= MAX_TRACKER_USES_PER_CASE:
            bad("package_types", f"{label}: tracker_uses_per_case must be 0-{MAX_TRACKER_USES_PER_CASE}.")
        if not 0 <= p.get("online_accounts", 0) <= MAX_ONLINE_ACCOUNTS:
            bad("package_types", f"{label}: online_accounts must be 0-{MAX_ONLINE_ACCOUNTS}.")
        if not str(p.get("title") or "").strip():
            bad("package_types", f"{label}: a title is needed.")
    roles = book.get("roles", [])
    role_codes = [r.get("code") for r in roles]
    if sorted(role_codes) != sorted(ROLE_CODE_LIST):
        bad("roles", f"The roles are {', '.join(ROLE_CODE_LIST)}, each exactly once.")
    for r in roles:
        seen = set()
        for req in r.get("requirements", []):
            code = req.get("code")
            kind = REQUIREMENT_KINDS.get(code, {}).get("kind")
            if kind is None:
                bad("roles", f"{r.get('code')}: unknown requirement {code!r}.")
                continue
            if code in seen:
                bad("roles", f"{r.get('code')}: requirement {code} is listed twice.")
            seen.add(code)
            if not 1 <= req.get("quantity", 0) <= 100:
                bad("roles", f"{r.get('code')}: {code} quantity must be 1-100.")
            if kind == "item" and code not in codes:
                bad(
                    "roles",
                    f"{r.get('code')}: {code} is priced by the course of that code, which is missing.",
                )
            if kind == "role" and REQUIREMENT_KINDS[code]["role"] == r.get("code"):
                bad("roles", f"{r.get('code')}: a role cannot require itself.")
        if "practicum" in seen and r.get("package_type") not in PACKAGE_TYPE_NUMBERS:
            bad("roles", f"{r.get('code')}: a role with a practicum names its package_type (1-4).")
        if r.get("package_type") is not None and r.get("package_type") not in PACKAGE_TYPE_NUMBERS:
            bad("roles", f"{r.get('code')}: package_type must be 1-4 or null.")
    for code in book.get("requirement_titles", {}):
        if code not in REQUIREMENT_KINDS:
            bad("requirement_titles", f"Unknown requirement {code!r}.")
    return {k: v for k, v in errors.items() if v}
