"""Affiliate bursary funds (seed 001): an agreed percentage of the online course fees paid by an
organisation's learners is credited to that organisation's fund, spent on places for those who
cannot pay. Commissioners and others may also deposit into a fund."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from imatter_shared.web.errors import RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models.bursaries import BursaryEntry, BursaryFund
from ..rules import licences as licence_rules
from . import licences, orders, policy, price_book
from .certifying import member_org_ids

# Used only when the price book (organisations side) cannot be read; labelled as a placeholder.
DEFAULT_AFFILIATE_PERCENTAGE = 10


def affiliate_percentage() -> tuple[int, str]:
    """(percentage, where it came from)."""
    try:
        number, book = price_book.current()
        return int(book["affiliate_percentage"]), f"price book version {number}" + (
            " (PLACEHOLDER)" if book.get("placeholder") else ""
        )
    except KeyError:
        return DEFAULT_AFFILIATE_PERCENTAGE, "PLACEHOLDER default: no price book"


def balance(organisation_id: str) -> int:
    """What the fund can spend now: posted entries only (deposits once paid), kept in one row."""
    return int(
        db.session.scalar(
            sa.select(BursaryFund.balance).where(BursaryFund.organisation_id == organisation_id)
        )
        or 0
    )


def pending(organisation_id: str) -> int:
    """Deposits ordered but not yet paid: shown, never spendable."""
    return int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(BursaryEntry.amount), 0)).where(
                BursaryEntry.organisation_id == organisation_id, BursaryEntry.state == "pending"
            )
        )
        or 0
    )


def _credit(organisation_id: str, amount: int) -> None:
    """Add to the fund's balance row (made on first use; concurrent first uses both succeed)."""
    ins = (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(BursaryFund.__table__)
    db.session.execute(
        ins.values(organisation_id=organisation_id, balance=0).on_conflict_do_nothing(
            index_elements=["organisation_id"]
        )
    )
    db.session.execute(
        sa.update(BursaryFund)
        .where(BursaryFund.organisation_id == organisation_id)
        .values(balance=BursaryFund.balance + amount)
        .execution_options(synchronize_session=False)
    )


def _debit(organisation_id: str, amount: int, rule: str, detail: str) -> None:
    """Take from the fund only if it holds the amount: one guarded UPDATE, so concurrent spenders
    queue on the row (PostgreSQL re-checks the guard after the other commits) and never overdraw."""
    res = db.session.execute(
        sa.update(BursaryFund)
        .where(BursaryFund.organisation_id == organisation_id, BursaryFund.balance >= amount)
        .values(balance=BursaryFund.balance - amount)
        .execution_options(synchronize_session=False)
    )
    if res.rowcount != 1:
        raise RuleViolation(detail, unmet=[rule])


def is_affiliate(organisation_id: str) -> bool:
    """Licensees are affiliates: an organisation holding an active licence of any type."""
    return any(licences.has_active_licence(organisation_id, t) for t in licence_rules.TYPES)


def credit_affiliate_share(
    organisation_id: str, fee: int, person_id: str, enrolment_id: str, order_id: str | None = None
) -> BursaryEntry | None:
    """Called when a self-funded online course invoice is PAID (never when it is ordered): credits
    the agreed share to the organisation's fund, only where the learner is an active member."""
    if fee <= 0 or organisation_id not in member_org_ids(person_id) or not is_affiliate(organisation_id):
        return None
    pct, _ = affiliate_percentage()
    amount = fee * pct // 100
    if amount <= 0:
        return None
    e = BursaryEntry(
        organisation_id=organisation_id,
        kind="affiliate_credit",
        amount=amount,
        percentage=pct,
        person_id=person_id,
        enrolment_id=enrolment_id,
        order_id=order_id,
        state="posted",
        note=f"{pct}% of a paid online course fee of {fee} pence",
    )
    db.session.add(e)
    _credit(organisation_id, amount)
    db.session.flush()
    return e


MAX_DEPOSIT = 5_000_000  # £50,000 a deposit: larger sums are arranged with I Matter Training


def order_deposit(
    organisation_id: str, amount: int, note: str | None, user_id: str, billed_to: str
) -> tuple[BursaryEntry, object]:
    """A deposit is a purchase: an order and invoice (billed to `billed_to`, the organisation
    itself or the commissioner funding it) and a pending entry that counts once the invoice is paid."""
    policy.enforce(organisation_id, "bursary")  # primary care holds no bursary (DOMAIN "Organisation kinds")
    order = orders.create_order(
        organisation_id=billed_to,
        person_id=None,
        created_by=user_id,
        lines=[
            {
                "code": "bursary_deposit",
                "unit_price": amount,
                "quantity": 1,
                "description": "Deposit into the bursary fund"
                + ("" if billed_to == organisation_id else " of another organisation"),
            }
        ],
    )
    e = BursaryEntry(
        organisation_id=organisation_id,
        kind="deposit",
        amount=amount,
        note=note,
        created_by=user_id,
        order_id=order.id,
        state="pending",
    )
    db.session.add(e)
    db.session.flush()
    return e, order


def spend_place(organisation_id: str, price: int, person_id: str, user_id: str | None) -> BursaryEntry:
    _debit(
        organisation_id, price, "bursary_funds", "The organisation's bursary fund cannot pay for this place."
    )
    e = BursaryEntry(
        organisation_id=organisation_id,
        kind="place",
        amount=-price,
        person_id=person_id,
        created_by=user_id,
        state="posted",
    )
    db.session.add(e)
    db.session.flush()
    return e


# ---- what paying or voiding an invoice does to the funds ------------------------------------------


def on_invoice_paid(order_id: str) -> None:
    """Post the order's pending deposit: from now on it counts in the balance."""
    for e in db.session.scalars(
        sa.select(BursaryEntry).where(BursaryEntry.order_id == order_id, BursaryEntry.kind == "deposit")
    ):
        if e.state == "pending":
            e.state = "posted"
            _credit(e.organisation_id, e.amount)


def on_invoice_voided(order_id: str) -> None:
    """Reverse what the order put in the fund. A pending deposit simply never counts; a posted one
    (or an affiliate credit) is taken back only if the fund still holds it (409 bursary_funds_spent).
    Paid invoices cannot be voided through the API, so today only pending deposits arrive here."""
    for e in db.session.scalars(
        sa.select(BursaryEntry).where(
            BursaryEntry.order_id == order_id, BursaryEntry.kind.in_(("deposit", "affiliate_credit"))
        )
    ):
        if e.state == "posted":
            _debit(
                e.organisation_id,
                e.amount,
                "bursary_funds_spent",
                "The bursary fund has already spent this money, so its invoice cannot be voided.",
            )
        if e.state != "reversed":
            e.state = "reversed"


def ledger_page(organisation_id: str, page: int, per_page: int) -> tuple[list[BursaryEntry], int]:
    """The fund's entries, newest first."""
    q = sa.select(BursaryEntry).where(BursaryEntry.organisation_id == organisation_id)
    return rows_page(db.session, q.order_by(BursaryEntry.created_at.desc(), BursaryEntry.id), page, per_page)
