"""The price book: versioned, edited by training admins, read by every purchase.

The seeds publish no size bands or licence fees, so the first version is a clearly labelled
PLACEHOLDER. Until an admin edits it (or the seeder stores it) the placeholder is served as
version 1 without being written, so reads never write."""
from __future__ import annotations

import copy

import sqlalchemy as sa

from ..extensions import db
from ..models import PriceBookVersion
from ..rules import licensing, pricing
from ._util import iso

PLACEHOLDER_NOTICE = ("PLACEHOLDER fee — not published by I Matter. Size bands, licence fees, seat bundle "
                      "prices, the transfer top-up fee and the affiliate percentage are placeholders until a "
                      "training admin edits the price book.")


def _band(code, label, staff_min, staff_max, starter, cpd, enhanced, seats):
    return {"code": code, "label": f"{label} — PLACEHOLDER fee — not published by I Matter",
            "staff_min": staff_min, "staff_max": staff_max,
            "starter_fee": starter, "cpd_fee": cpd, "enhanced_fee": enhanced,
            "cpd_seats_included": seats, "placeholder": True}


# All money in integer pence. Placeholder values, labelled as such wherever they are shown.
PLACEHOLDER_BOOK: dict = {
    "currency": "GBP",
    "placeholder": True,
    "notice": PLACEHOLDER_NOTICE,
    "size_bands": [
        _band("micro", "Micro (1–10 staff)", 1, 10, 15000, 30000, 25000, 5),
        _band("small", "Small (11–50 staff)", 11, 50, 25000, 60000, 45000, 10),
        _band("medium", "Medium (51–250 staff)", 51, 250, 45000, 120000, 75000, 25),
        _band("large", "Large (251+ staff)", 251, None, 75000, 240000, 120000, 50),
    ],
    "seat_bundle_tiers": [
        {"from_seat": 1, "unit_price": 6000},
        {"from_seat": 6, "unit_price": 5000},
        {"from_seat": 11, "unit_price": 4000},
        {"from_seat": 26, "unit_price": 3000},
    ],
    "transfer_top_up_fee": 2500,  # per seat moved outside the organisation
    "affiliate_percentage": 10,
}


def _latest() -> PriceBookVersion | None:
    return db.session.scalar(sa.select(PriceBookVersion).order_by(PriceBookVersion.version.desc()).limit(1))


def current() -> tuple[int, dict]:
    """(version number, data) of the price book in force now."""
    row = _latest()
    if row is None:
        return 1, copy.deepcopy(PLACEHOLDER_BOOK)
    return row.version, copy.deepcopy(row.data)


def current_version_number() -> int:
    return current()[0]


def version(number: int) -> dict | None:
    if not 1 <= number <= 2**31 - 1:  # beyond the column's range: no such version (not a database error)
        return None
    if number == 1 and _latest() is None:
        return copy.deepcopy(PLACEHOLDER_BOOK)
    row = db.session.scalar(sa.select(PriceBookVersion).where(PriceBookVersion.version == number))
    return copy.deepcopy(row.data) if row else None


def ensure_stored() -> None:
    """Store the placeholder as version 1 when no version exists (seeder, first edit)."""
    if _latest() is None:
        db.session.add(PriceBookVersion(version=1, data=copy.deepcopy(PLACEHOLDER_BOOK), created_by=None))
        db.session.flush()


def publish(data: dict, user_id: str) -> tuple[int, dict]:
    """Every edit is a new version; older versions stay as they were (orders point at them).
    Raises pricing.PriceBookError when the book does not hold together."""
    data = copy.deepcopy(data)
    data.setdefault("currency", "GBP")
    data["seat_bundle_tiers"] = sorted(data["seat_bundle_tiers"], key=lambda t: t["from_seat"])
    pricing.validate_price_book(data)
    # labels stay honest: a band is a placeholder until an admin says otherwise
    data["placeholder"] = bool(data.get("placeholder", False) or any(b.get("placeholder") for b in data["size_bands"]))
    if data["placeholder"]:
        data.setdefault("notice", PLACEHOLDER_NOTICE)
    else:
        data.pop("notice", None)
    ensure_stored()
    number = _latest().version + 1
    db.session.add(PriceBookVersion(version=number, data=data, created_by=user_id))
    db.session.flush()
    return number, data


def book_json(number: int, data: dict) -> dict:
    row = db.session.scalar(sa.select(PriceBookVersion).where(PriceBookVersion.version == number))
    out = {"version": number, **data}
    out["licences"] = [licensing.public_terms(t) for t in licensing.TYPES]
    out["created_at"] = iso(row.created_at) if row else None
    return out


def size_band_codes() -> list[str]:
    return [b["code"] for b in current()[1]["size_bands"]]
