"""The fund's money: gifts (pledged, then received or void), awards against the balance, and
the ledger. Every change to the money runs one at a time (lock_fund)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from imatter_shared.messaging.consumer import Reject
from imatter_shared.web.errors import RuleViolation

from ...authz import Caller
from ...extensions import db
from ...models import FundAccount, FundAward, FundGift
from ..common import iso, now
from ..package_types import package_type
from .access import listed, visible_record

CURRENCY = "GBP"
LEDGER_ENTRIES = 100


def package_price(package_type_: int) -> int | None:
    """A fund award pays for exactly one package: its amount is the package price training
    publishes at the time (None while training has not published the type)."""
    known = package_type(package_type_)
    return known.price if known is not None else None


def lock_fund() -> None:
    """Serialise every change to the fund's money: create the single account row if it is
    missing (a no-op when present), then bump its version. The UPDATE holds a row lock on
    PostgreSQL and SQLite's write lock until commit, so the balance read after it is the one
    the write acts on (awards never exceed the balance under concurrent decisions)."""
    table = FundAccount.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(table).values(id="fund", version=0).on_conflict_do_nothing(index_elements=["id"])
    )
    db.session.execute(
        sa.update(FundAccount).where(FundAccount.id == "fund").values(version=FundAccount.version + 1)
    )


def give(user_id: str, amount: int, supporter_name: str | None) -> FundGift:
    """A pledge: it counts for nothing until CIC staff mark the money received."""
    gift = FundGift(amount=amount, supporter_name=supporter_name, given_by=user_id, state="pledged")
    db.session.add(gift)
    return gift


def visible_gift(c: Caller, gift_id: str) -> FundGift:
    """A gift for CIC staff and fund reviewers, or for the user who pledged it; else 404."""
    return visible_record(c, FundGift, gift_id, FundGift.given_by, "gift", "fund_gift")


def gifts_stmt(c: Caller, state: str | None):
    return listed(c, FundGift, FundGift.given_by, FundGift.state == state if state else None)


def receive_gift(gift: FundGift, user_id: str, reference: str | None) -> FundGift:
    """CIC staff saw the money arrive: the gift now counts in the fund's balance."""
    lock_fund()
    done = db.session.execute(
        sa.update(FundGift)
        .where(FundGift.id == gift.id, FundGift.state == "pledged")
        .values(state="received", received_at=now(), received_by=user_id, reference=reference)
    ).rowcount
    db.session.refresh(gift)
    if not done:
        raise RuleViolation(
            f"Only a pledged gift can be marked received; this one is {gift.state}.", unmet=["gift_pledged"]
        )
    return gift


def void_gift(gift: FundGift, user_id: str) -> FundGift:
    """Reverse a gift: a pledge that never came, or a received gift the fund still holds (the
    balance without it stays at or above zero; money already committed to awards cannot be
    taken back)."""
    lock_fund()
    db.session.refresh(gift)
    if gift.state == "void":
        raise RuleViolation("The gift is already void.", unmet=["gift_not_void"])
    if gift.state == "received" and ledger_totals()["balance"] < gift.amount:
        raise RuleViolation(
            "The fund no longer holds this gift: awards have committed it, so it cannot be voided.",
            unmet=["fund_holds_gift"],
        )
    done = db.session.execute(
        sa.update(FundGift)
        .where(FundGift.id == gift.id, FundGift.state == gift.state)
        .values(state="void", voided_at=now(), voided_by=user_id)
    ).rowcount
    db.session.refresh(gift)
    if not done:
        raise RuleViolation("The gift changed meanwhile; try again.", unmet=["gift_not_void"])
    return gift


def ledger_totals() -> dict:
    """The balance counts received gifts only (pledges and void gifts count for nothing)."""
    gifts = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(FundGift.amount), 0)).where(FundGift.state == "received")
    )
    awards = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(FundAward.amount), 0)))
    return {"gifts_total": int(gifts), "awards_total": int(awards), "balance": int(gifts) - int(awards)}


def ledger() -> dict:
    totals = ledger_totals()
    pledged_count, pledged_total = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(FundGift.amount), 0)).where(
            FundGift.state == "pledged"
        )
    ).one()
    entries = [
        {"kind": "gift", "id": g.id, "amount": g.amount, "state": g.state, "at": iso(g.received_at)}
        for g in db.session.scalars(sa.select(FundGift).where(FundGift.state == "received"))
    ]
    entries += [
        {
            "kind": "award",
            "id": a.id,
            "amount": -a.amount,
            "application_id": a.application_id,
            "state": a.state,
            "at": iso(a.created_at),
        }
        for a in db.session.scalars(sa.select(FundAward))
    ]
    entries.sort(key=lambda e: (e["at"] or "", e["id"]))
    return {
        "currency": CURRENCY,
        **totals,
        "gifts_count": sum(1 for e in entries if e["kind"] == "gift"),
        "awards_count": sum(1 for e in entries if e["kind"] == "award"),
        "pledged_total": int(pledged_total),
        "pledged_count": int(pledged_count),
        "shortfall": max(-totals["balance"], 0),
        "entries": entries[-LEDGER_ENTRIES:],
    }  # the latest; the totals cover them all


def redeem_award(data: dict) -> None:
    """training.fund_award.redeemed: the award paid for a package; it cannot pay twice. An award
    the Fund never made, or one already redeemed for another package, is dead-lettered."""
    award = db.session.get(FundAward, data["award_id"])
    if award is None:
        raise Reject("training.fund_award.redeemed refused: no such award")
    if award.state == "awarded":
        award.state = "redeemed"
        award.package_id = data["package_id"]
    elif award.package_id != data["package_id"]:
        raise Reject("training.fund_award.redeemed refused: the award already paid for another package")
