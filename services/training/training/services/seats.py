"""Online L1-2 account seats: credits from the CPD licence and purchases, assignment to
members, release, quotes, and transfers outside the organisation approved by I Matter Training."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models import Membership, Organisation, SeatAssignment, SeatCredit
from ..rules import licences as licence_rules
from ..rules import pricing
from . import licences, orders, policy, price_book
from .clock import iso, now


def year_start(cpd, at=None):
    """Start of the CPD licence year in force (the licence is in date), else None. A renewal
    while in date keeps `valid_from`, so the year is found by counting terms from it."""
    if licences.status_of(cpd, at) != "active":
        return None
    at = at or now()
    months = licence_rules.LICENCES["cpd"]["term_months"]
    start = cpd.valid_from
    while licence_rules.add_months(start, months) <= at:
        start = licence_rules.add_months(start, months)
    return start


LEDGER_KEYS = ("purchase", "transfer_in", "transfer_out", "carried", "bought")


def _ledger(organisation_id: str, since) -> dict:
    """The seat ledger by source, the active assignments made before `since` (carried from an
    earlier CPD licence year) and the extra seats bought since `since`, in one statement."""
    return ledger_of(db.session.execute(ledger_query(organisation_id, since)).one())


def ledger_of(row) -> dict:
    """The ledger dict from a row holding the columns of ledger_query (LEDGER_KEYS)."""
    return {k: int(getattr(row, k) or 0) for k in LEDGER_KEYS}


def ledger_query(organisation_id: str, since) -> sa.Select:
    """One row: LEDGER_KEYS (see _ledger), to run alone or join into a larger read."""

    def total(source):
        return sa.func.coalesce(
            sa.func.sum(sa.case((SeatCredit.source == source, SeatCredit.count), else_=0)), 0
        )

    carried = (
        sa.select(sa.func.count())
        .select_from(SeatAssignment)
        .where(
            SeatAssignment.organisation_id == organisation_id,
            SeatAssignment.status == "active",
            SeatAssignment.assigned_at < since,
        )
        .scalar_subquery()
        if since is not None
        else sa.literal(0)
    )
    bought = (
        sa.func.coalesce(
            sa.func.sum(
                sa.case(
                    (
                        sa.and_(SeatCredit.source == "purchase", SeatCredit.created_at >= since),
                        SeatCredit.count,
                    ),
                    else_=0,
                )
            ),
            0,
        )
        if since is not None
        else sa.literal(0)
    )
    return sa.select(
        total("purchase").label("purchase"),
        total("transfer_in").label("transfer_in"),
        total("transfer_out").label("transfer_out"),
        carried.label("carried"),
        bought.label("bought"),
    ).where(SeatCredit.organisation_id == organisation_id)


def used_query(organisation_id: str) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(SeatAssignment)
        .where(SeatAssignment.organisation_id == organisation_id, SeatAssignment.status == "active")
    )


def used(organisation_id: str) -> int:
    return db.session.scalar(used_query(organisation_id)) or 0


def summary(
    organisation_id: str,
    held: licences.Held | None = None,
    n_used: int | None = None,
    ledger: dict | None = None,
) -> dict:
    """{total, used, available, ...}. The CPD licence's included credits count while it is in
    date and are renewed with each licence year (DOMAIN "Rulings" -> Money, row 11): seats
    assigned in an earlier year stay with their learners (`carried_from_earlier_years`) and hold
    purchased or transferred seats first; the rest of them came from an earlier year's included
    credits, so they do not use this year's. `held` and `n_used`: the licences and the seats in
    use when the caller already has them; `ledger` the ledger (ledger_of) read for `held`'s CPD
    licence year."""
    cpd = held.get("cpd") if held else licences.get(organisation_id, "cpd")
    since = year_start(cpd, held.at if held else None)
    included = cpd.seats_included if since is not None else 0
    c = ledger if ledger is not None else _ledger(organisation_id, since)
    ledger = c["purchase"] + c["transfer_in"] + c["transfer_out"]
    carried = c["carried"]
    total = included + ledger + max(carried - max(ledger, 0), 0)
    if n_used is None:
        n_used = used(organisation_id)
    return {
        "total": total,
        "used": n_used,
        "available": max(total - n_used, 0),
        "included_with_cpd": included,
        "purchased": c["purchase"],
        "purchased_this_licence_year": c["bought"],
        "carried_from_earlier_years": carried,
        "licence_year_started": iso(since),
        "transferred_in": c["transfer_in"],
        "transferred_out": -c["transfer_out"],
        "assignable": licences.has_active_licence(organisation_id, "cpd", held),
    }


def _require_cpd(organisation_id: str, code: str) -> None:
    """A seat comes from the CPD licence: it must be in date and not suspended."""
    try:
        licences.require_active_licence(organisation_id, "cpd")
    except RuleViolation as exc:
        raise RuleViolation(exc.detail, unmet=[code] + [u for u in exc.unmet if u != code]) from None


def active_assignment(organisation_id: str, person_id: str) -> SeatAssignment | None:
    return db.session.scalar(
        sa.select(SeatAssignment).where(
            SeatAssignment.organisation_id == organisation_id,
            SeatAssignment.person_id == person_id,
            SeatAssignment.status == "active",
        )
    )


def consume_seat(organisation_id: str, person_id: str) -> SeatAssignment:
    """Give a member one online L1-2 account from the organisation's seats. One account per
    person per organisation: asking again returns the seat they already hold."""
    policy.enforce(organisation_id, "online_accounts")
    # one assignment at a time per organisation: the row lock serialises the count below on
    # PostgreSQL (security review M4); the partial unique index uq_seat_assignment_active keeps one
    # active seat per person on every engine
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())
    held = active_assignment(organisation_id, person_id)
    if held is not None:
        return held
    member = db.session.scalar(
        sa.select(Membership.id).where(
            Membership.organisation_id == organisation_id,
            Membership.person_id == person_id,
            Membership.status == "active",
        )
    )
    if member is None:
        raise RuleViolation("Seats are assigned to members of the organisation only.", unmet=["membership"])
    _require_cpd(organisation_id, "cpd_seat")
    if summary(organisation_id)["available"] < 1:
        raise RuleViolation(
            "No online L1-2 account credits left: buy an extra seat bundle.", unmet=["cpd_seat"]
        )
    a = SeatAssignment(organisation_id=organisation_id, person_id=person_id, status="active")
    db.session.add(a)
    db.session.flush()
    return a


def release_seat(organisation_id: str, person_id: str) -> None:
    """Free the person's seat (when they leave); nothing to do when they hold none."""
    a = active_assignment(organisation_id, person_id)
    if a is not None:
        a.status, a.released_at = "released", now()


def _check_may_buy(org: Organisation) -> None:
    policy.enforce(org, "online_accounts")
    policy.enforce(org, "paid_learning")
    policy.enforce(org, "cpd_licence")


def quote(org: Organisation, count: int) -> dict:
    """Exactly what a purchase of `count` seats would cost now, without buying."""
    _check_may_buy(org)
    number, book = price_book.current()
    # the tiers follow the organisation's extra seats bought in this CPD licence year (row 12)
    already = _ledger(org.id, year_start(licences.get(org.id, "cpd")))["bought"]
    q = pricing.seat_quote(book["seat_bundle_tiers"], count, book.get("currency", "GBP"), already=already)
    q["price_book_version"] = number
    q["placeholder"] = bool(book.get("placeholder"))
    return q


def purchase(org: Organisation, count: int, user_id: str) -> dict:
    _check_may_buy(org)
    _require_cpd(org.id, "cpd_licence")
    # one purchase at a time per organisation, so two bundles bought together both see the other
    # in the year's uptake (PostgreSQL row lock; SQLite serialises writers)
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == org.id).with_for_update())
    q = quote(org, count)
    lines = [
        {
            "code": "seat_bundle",
            "unit_price": g["unit_price"],
            "quantity": g["quantity"],
            "description": f"Online L1-2 account seats {g['from_seat']}–{g['to_seat']} of this CPD licence "
            f"year's extra seats ({count} in this bundle)",
        }
        for g in q["tiers"]
    ]
    order = orders.create_order(organisation_id=org.id, person_id=None, created_by=user_id, lines=lines)
    assert order.total == q["price"]  # the quote and the charge come from the same rule
    credit = SeatCredit(
        organisation_id=org.id, source="purchase", count=count, order_id=order.id, created_by=user_id
    )
    db.session.add(credit)
    db.session.flush()
    return {
        "id": credit.id,
        "organisation_id": org.id,
        **q,
        "order_id": order.id,
        "order": order,
        "seats": summary(org.id),
        "created_at": iso(credit.created_at),
    }


def assignments(organisation_id: str) -> list[SeatAssignment]:
    return db.session.scalars(
        sa.select(SeatAssignment)
        .where(SeatAssignment.organisation_id == organisation_id, SeatAssignment.status == "active")
        .order_by(SeatAssignment.assigned_at)
    ).all()
