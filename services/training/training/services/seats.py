"""Online L1-2 account seats: credits from the CPD licence and purchases, assignment to
members, release, quotes and consented transfers outside the organisation."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import ApiError, NotFound, RuleViolation

from ..extensions import db
from ..models import Membership, Organisation, SeatAssignment, SeatCredit, SeatTransfer
from ..rules import pricing
from . import licences, orders, policy, price_book
from ._util import iso, now, to_naive_utc


def _credits(organisation_id: str) -> dict[str, int]:
    rows = db.session.execute(sa.select(SeatCredit.source, sa.func.coalesce(sa.func.sum(SeatCredit.count), 0))
                              .where(SeatCredit.organisation_id == organisation_id)
                              .group_by(SeatCredit.source)).all()
    return {source: int(total) for source, total in rows}


def used_query(organisation_id: str) -> sa.Select:
    return sa.select(sa.func.count()).select_from(SeatAssignment).where(
        SeatAssignment.organisation_id == organisation_id, SeatAssignment.status == "active")


def used(organisation_id: str) -> int:
    return db.session.scalar(used_query(organisation_id)) or 0


def summary(organisation_id: str, held: "licences.Held | None" = None, n_used: int | None = None) -> dict:
    """{total, used, available, ...}. CPD credits count while the CPD licence is in date.
    `held` and `n_used`: the licences and the seats in use when the caller already has them."""
    cpd = held.get("cpd") if held else licences.get(organisation_id, "cpd")
    included = cpd.seats_included if licences.status_of(cpd) == "active" else 0
    c = _credits(organisation_id)
    total = included + sum(c.values())
    if n_used is None:
        n_used = used(organisation_id)
    return {"total": total, "used": n_used, "available": max(total - n_used, 0),
            "included_with_cpd": included, "purchased": c.get("purchase", 0),
            "transferred_in": c.get("transfer_in", 0), "transferred_out": -c.get("transfer_out", 0),
            "assignable": licences.has_active_licence(organisation_id, "cpd", held)}


def _require_cpd(organisation_id: str, code: str) -> None:
    """A seat comes from the CPD licence: it must be in date and not suspended."""
    try:
        licences.require_active_licence(organisation_id, "cpd")
    except RuleViolation as exc:
        raise RuleViolation(exc.detail, unmet=[code] + [u for u in exc.unmet if u != code]) from None


def active_assignment(organisation_id: str, person_id: str) -> SeatAssignment | None:
    return db.session.scalar(sa.select(SeatAssignment).where(
        SeatAssignment.organisation_id == organisation_id, SeatAssignment.person_id == person_id,
        SeatAssignment.status == "active"))


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
    member = db.session.scalar(sa.select(Membership.id).where(
        Membership.organisation_id == organisation_id, Membership.person_id == person_id,
        Membership.status == "active"))
    if member is None:
        raise RuleViolation("Seats are assigned to members of the organisation only.", unmet=["membership"])
    _require_cpd(organisation_id, "cpd_seat")
    if summary(organisation_id)["available"] < 1:
        raise RuleViolation("No online L1-2 account credits left: buy an extra seat bundle.", unmet=["cpd_seat"])
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


def quote(org: Organisation, count: int) -> dict:
    """Exactly what a purchase of `count` seats would cost now, without buying."""
    _check_may_buy(org)
    number, book = price_book.current()
    q = pricing.seat_quote(book["seat_bundle_tiers"], count, book.get("currency", "GBP"))
    q["price_book_version"] = number
    q["placeholder"] = bool(book.get("placeholder"))
    return q


def purchase(org: Organisation, count: int, user_id: str) -> dict:
    _check_may_buy(org)
    _require_cpd(org.id, "cpd_licence")
    q = quote(org, count)
    lines = [{"code": "seat_bundle", "unit_price": g["unit_price"], "quantity": g["quantity"],
              "description": f"Online L1-2 account seats {g['from_seat']}–{g['to_seat']} of {count}"}
             for g in q["tiers"]]
    order = orders.create_order(organisation_id=org.id, person_id=None, created_by=user_id, lines=lines)
    assert order.total == q["price"]  # the quote and the charge come from the same rule
    credit = SeatCredit(organisation_id=org.id, source="purchase", count=count, order_id=order.id,
                        created_by=user_id)
    db.session.add(credit)
    db.session.flush()
    return {"id": credit.id, "organisation_id": org.id, **q, "order_id": order.id, "order": orders.order_json(order),
            "seats": summary(org.id), "created_at": iso(credit.created_at)}


def _parse_when(value) -> datetime | None:
    if isinstance(value, datetime):
        return to_naive_utc(value)
    if not isinstance(value, str):
        return None
    try:
        return to_naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def transfer(org: Organisation, to_organisation_id: str, count: int, consent: dict | None, user_id: str) -> dict:
    """Move seats to another organisation: only with recorded consent, for the top-up fee."""
    given_by = (consent or {}).get("given_by")
    given_at = _parse_when((consent or {}).get("given_at"))
    if not (isinstance(given_by, str) and given_by.strip()) or given_at is None:
        raise RuleViolation("Seats may not be transferred outside the organisation without explicit, recorded "
                            "consent (consent.given_by and consent.given_at).", unmet=["transfer_consent"])
    if to_organisation_id == org.id:
        raise ApiError("A transfer goes to another organisation.", 400,
                       errors={"to_organisation_id": ["Must be a different organisation."]})
    target = db.session.get(Organisation, to_organisation_id)
    if target is None:
        raise NotFound("No organisation with that id.")
    policy.enforce(org, "online_accounts")
    policy.enforce(target, "online_accounts")
    if summary(org.id)["available"] < count:
        raise RuleViolation(f"Only {summary(org.id)['available']} unassigned seats are available to transfer.",
                            unmet=["seats_available"])
    number, book = price_book.current()
    fee = pricing.transfer_price(book["transfer_top_up_fee"], count)
    order = orders.create_order(organisation_id=org.id, person_id=None, created_by=user_id, lines=[{
        "code": "seat_transfer_top_up", "unit_price": book["transfer_top_up_fee"], "quantity": count,
        "description": f"Top-up fee: transfer of {count} online L1-2 account seats to another organisation"}])
    t = SeatTransfer(from_organisation_id=org.id, to_organisation_id=target.id, count=count,
                     consent_given_by=given_by.strip()[:200], consent_given_at=given_at, order_id=order.id,
                     created_by=user_id)
    db.session.add(t)
    db.session.flush()
    db.session.add_all([
        SeatCredit(organisation_id=org.id, source="transfer_out", count=-count, transfer_id=t.id, created_by=user_id),
        SeatCredit(organisation_id=target.id, source="transfer_in", count=count, transfer_id=t.id, created_by=user_id),
    ])
    db.session.flush()
    return {"id": t.id, "from_organisation_id": org.id, "to_organisation_id": target.id, "count": count,
            "consent": {"given_by": t.consent_given_by, "given_at": iso(t.consent_given_at)},
            "price": fee, "currency": "GBP", "order_id": order.id, "order": orders.order_json(order),
            "seats": summary(org.id), "created_at": iso(t.created_at)}


def assignment_json(a: SeatAssignment) -> dict:
    return {"id": a.id, "organisation_id": a.organisation_id, "person_id": a.person_id, "status": a.status,
            "assigned_at": iso(a.assigned_at), "released_at": iso(a.released_at)}


def assignments(organisation_id: str) -> list[SeatAssignment]:
    return db.session.scalars(sa.select(SeatAssignment).where(
        SeatAssignment.organisation_id == organisation_id, SeatAssignment.status == "active")
        .order_by(SeatAssignment.assigned_at)).all()
