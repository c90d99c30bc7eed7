"""Seat transfers outside the organisation (row 14): requested by the giving organisation's admin,
approved or refused by a training admin; a transfer to another kind of organisation pays a top-up fee."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Organisation, SeatCredit, SeatTransfer
from ..rules import pricing
from . import orders, policy, price_book
from .clock import now
from .seats import summary


def _lock_org(organisation_id: str) -> None:
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


def pending_out(organisation_id: str) -> int:
    """Seats held by the organisation's transfer requests awaiting a decision."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(SeatTransfer.count), 0)).where(
                SeatTransfer.from_organisation_id == organisation_id, SeatTransfer.state == "requested"
            )
        )
        or 0
    )


def _free_to_transfer(organisation_id: str) -> int:
    return summary(organisation_id)["available"] - pending_out(organisation_id)


def _check_kinds(org: Organisation, target: Organisation) -> None:
    policy.enforce(org, "online_accounts")
    policy.enforce(target, "online_accounts")  # a transfer in is a sale of online accounts


def top_up_fee(count: int) -> dict:
    """The top-up fee as the price book says now (per seat; 0 allowed: "a top up fee may apply")."""
    number, book = price_book.current()
    unit = int(book.get("transfer_top_up_fee", 0))
    return {
        "unit_price": unit,
        "price": pricing.transfer_price(unit, count),
        "currency": book.get("currency", "GBP"),
        "price_book_version": number,
        "placeholder": bool(book.get("placeholder")),
    }


def request_transfer(org: Organisation, to_organisation_id: str, count: int, user_id: str) -> SeatTransfer:
    """The sending organisation's admin asks I Matter Training to move `count` unassigned seats
    to another organisation. The seats are held (not assignable to a new transfer) until decided."""
    if to_organisation_id == org.id:
        raise InvalidInput(
            "to_organisation_id",
            "Must be a different organisation.",
            detail="A transfer goes to another organisation.",
        )
    target = db.session.get(Organisation, to_organisation_id)
    if target is None:
        raise InvalidInput(
            "to_organisation_id", "Unknown organisation.", detail="No organisation with that id."
        )
    _check_kinds(org, target)
    _lock_org(org.id)  # requests of one organisation queue here: the check below is never stale
    free = _free_to_transfer(org.id)
    if free < count:
        raise RuleViolation(
            f"Only {max(free, 0)} unassigned seats are free to transfer (seats held by open "
            "transfer requests count as taken).",
            unmet=["seats_available"],
        )
    t = SeatTransfer(
        from_organisation_id=org.id,
        to_organisation_id=target.id,
        count=count,
        state="requested",
        created_by=user_id,
    )
    db.session.add(t)
    db.session.flush()
    return t


def _decide(t: SeatTransfer, to_state: str, user_id: str, reason: str | None) -> None:
    """requested -> approved|refused, once: a guarded UPDATE, so of two simultaneous decisions
    exactly one wins on every engine; the loser gets 409."""
    at = now()
    values = {"state": to_state, "decided_by": user_id, "decided_at": at, "reason": reason}
    if to_state == "approved":
        values.update(
            consent_given_by=f"I Matter Training (training admin {user_id})"[:200], consent_given_at=at
        )
    res = db.session.execute(
        sa.update(SeatTransfer)
        .where(SeatTransfer.id == t.id, SeatTransfer.state == "requested")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise RuleViolation("This transfer request has already been decided.", unmet=["transfer_requested"])
    db.session.refresh(t)


def approve_transfer(t: SeatTransfer, user_id: str) -> SeatTransfer:
    """A training admin gives I Matter Training's consent: in one transaction, with the sending
    organisation's row locked, the seats move and the top-up fee is invoiced to the receiver."""
    _lock_org(t.from_organisation_id)
    org = db.session.get(Organisation, t.from_organisation_id)
    target = db.session.get(Organisation, t.to_organisation_id)
    db.session.refresh(t)
    if t.state != "requested":
        raise RuleViolation("This transfer request has already been decided.", unmet=["transfer_requested"])
    _check_kinds(org, target)
    free = summary(org.id)["available"] - (pending_out(org.id) - t.count)  # the others still pending
    if free < t.count:
        raise RuleViolation(
            f"The sending organisation has only {max(free, 0)} unassigned seats now; "
            "refuse the request or ask it to free seats.",
            unmet=["seats_available"],
        )
    _decide(t, "approved", user_id, None)  # checked before anything is written: a refusal changes nothing
    fee = top_up_fee(t.count)
    label = " (PLACEHOLDER fee - not published by I Matter)" if fee["placeholder"] else ""
    order = orders.create_order(
        organisation_id=target.id,
        person_id=None,
        created_by=user_id,
        lines=[
            {
                "code": "seat_transfer_top_up",
                "unit_price": fee["unit_price"],
                "quantity": t.count,
                "description": f"Top-up fee: {t.count} online L1-2 account seats transferred in from another "
                f"organisation{label}",
            }
        ],
    )
    t.order_id = order.id
    db.session.add_all(
        [
            SeatCredit(
                organisation_id=org.id,
                source="transfer_out",
                count=-t.count,
                transfer_id=t.id,
                created_by=user_id,
            ),
            SeatCredit(
                organisation_id=target.id,
                source="transfer_in",
                count=t.count,
                transfer_id=t.id,
                created_by=user_id,
            ),
        ]
    )
    db.session.flush()
    return t


def refuse_transfer(t: SeatTransfer, user_id: str, reason: str | None) -> SeatTransfer:
    _decide(t, "refused", user_id, reason)
    return t


def get_transfer(transfer_id: str) -> SeatTransfer | None:
    return db.session.get(SeatTransfer, transfer_id)


def list_transfers(state: str | None, organisation_ids: set[str] | None, page: int, per_page: int):
    """Newest first; `organisation_ids`: only transfers from or to these (None: all)."""
    q = sa.select(SeatTransfer)
    if state:
        q = q.where(SeatTransfer.state == state)
    if organisation_ids is not None:
        ids = sorted(organisation_ids)
        q = q.where(
            sa.or_(SeatTransfer.from_organisation_id.in_(ids), SeatTransfer.to_organisation_id.in_(ids))
        )
    return rows_page(db.session, q.order_by(SeatTransfer.created_at.desc(), SeatTransfer.id), page, per_page)
