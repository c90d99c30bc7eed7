"""Affiliate bursary funds (seed 001): an agreed percentage of the online course fees paid by an
organisation's learners is credited to that organisation's fund, spent on places for those who
cannot pay. Commissioners and others may also deposit into a fund."""
from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models.bursary import BursaryEntry
from ._util import iso

# Used only when the price book (organisations side) cannot be read; labelled as a placeholder.
DEFAULT_AFFILIATE_PERCENTAGE = 10


def affiliate_percentage() -> tuple[int, str]:
    """(percentage, where it came from)."""
    try:
        from . import price_book
        number, book = price_book.current()
        return int(book["affiliate_percentage"]), f"price book version {number}" + (
            " (PLACEHOLDER)" if book.get("placeholder") else "")
    except (ImportError, KeyError):
        return DEFAULT_AFFILIATE_PERCENTAGE, "PLACEHOLDER default: no price book"


def balance(organisation_id: str) -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(BursaryEntry.amount), 0)).where(
        BursaryEntry.organisation_id == organisation_id)) or 0)


def is_affiliate(organisation_id: str) -> bool:
    """Licensees are affiliates: an organisation holding an active licence of any type."""
    try:
        from . import licences
    except ImportError:
        return True
    return any(licences.has_active_licence(organisation_id, t) for t in ("starter", "cpd", "enhanced"))


def credit_affiliate_share(organisation_id: str, fee: int, person_id: str, enrolment_id: str) -> BursaryEntry | None:
    if fee <= 0 or not is_affiliate(organisation_id):
        return None
    pct, _ = affiliate_percentage()
    amount = fee * pct // 100
    if amount <= 0:
        return None
    e = BursaryEntry(organisation_id=organisation_id, kind="affiliate_credit", amount=amount, percentage=pct,
                     person_id=person_id, enrolment_id=enrolment_id,
                     note=f"{pct}% of an online course fee of {fee} pence")
    db.session.add(e)
    return e


def deposit(organisation_id: str, amount: int, note: str | None, user_id: str) -> BursaryEntry:
    e = BursaryEntry(organisation_id=organisation_id, kind="deposit", amount=amount, note=note, created_by=user_id)
    db.session.add(e)
    db.session.flush()
    return e


def spend_place(organisation_id: str, price: int, person_id: str, user_id: str | None) -> BursaryEntry:
    if balance(organisation_id) < price:
        raise RuleViolation("The organisation's bursary fund cannot pay for this place.", unmet=["bursary_funds"])
    e = BursaryEntry(organisation_id=organisation_id, kind="place", amount=-price, person_id=person_id,
                     created_by=user_id)
    db.session.add(e)
    db.session.flush()
    return e


def entry_json(e: BursaryEntry) -> dict:
    return {"id": e.id, "kind": e.kind, "amount": e.amount, "currency": "GBP", "person_id": e.person_id,
            "enrolment_id": e.enrolment_id, "percentage": e.percentage, "note": e.note,
            "created_at": iso(e.created_at)}


def fund_json(organisation_id: str, page: int = 1, per_page: int = 20) -> dict:
    q = sa.select(BursaryEntry).where(BursaryEntry.organisation_id == organisation_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(BursaryEntry.created_at.desc(), BursaryEntry.id)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    pct, source = affiliate_percentage()
    return {"organisation_id": organisation_id, "balance": balance(organisation_id), "currency": "GBP",
            "affiliate": is_affiliate(organisation_id), "affiliate_percentage": pct, "percentage_source": source,
            "entries": {"items": [entry_json(e) for e in rows], "total": total, "page": page, "per_page": per_page}}
