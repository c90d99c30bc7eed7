"""What paying or voiding an invoice does to what its order bought (DOMAIN "Rulings" -> "Money").

A purchase takes effect when ordered and is invoiced; voiding the invoice takes back what it
bought, in the same transaction as the void: the licence is cancelled, purchased seats are
withdrawn, a seat transfer is reversed, a pathway item, a self-funded enrolment or a package is
cancelled, a pending bursary deposit never counts. Where that is no longer possible the void is
refused with 409 naming the rule (and, the caller rolling back, changes nothing).

Money that buys other things counts only once paid: paying posts a bursary deposit and credits
the affiliate share of a self-funded online course fee.
"""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Licence, Order, Organisation, PathwayItem
from ..models.learning import Enrolment, LearningAccount
from ..models.packages import Package
from ..models.seats import SeatCredit, SeatTransfer
from ..rules.catalogue import ACCOUNT_COURSES
from . import bursaries, licences, seats
from .clock import now


def on_paid(order: Order) -> None:
    bursaries.on_invoice_paid(order.id)
    for e in db.session.scalars(
        sa.select(Enrolment).where(Enrolment.order_id == order.id, Enrolment.funding == "self")
    ):
        if e.state != "cancelled" and e.organisation_id and e.course_code in ACCOUNT_COURSES:
            bursaries.credit_affiliate_share(e.organisation_id, e.price, e.person_id, e.id, order_id=order.id)


def on_void(order: Order) -> None:
    """Take back everything the order bought. Order of checks: every refusal is raised before
    anything is emitted, and the caller's rollback undoes any partial change anyway."""
    _licences(order)
    _seats(order)
    _transfers(order)
    _pathway_items(order)
    _enrolments(order)
    _packages(order)
    bursaries.on_invoice_voided(order.id)


def _lock_organisation(organisation_id: str) -> None:
    """Serialise with seat assignment and other voids of the organisation (PostgreSQL)."""
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())


def _licences(order: Order) -> None:
    lic = db.session.scalar(sa.select(Licence).where(Licence.order_id == order.id))
    if lic is None:
        if order.organisation_id and any(ln.code.startswith("licence_") for ln in order.lines):
            raise RuleViolation(
                "This licence term has since been renewed; void the renewal's invoice first.",
                unmet=["licence_renewed"],
            )
        return
    licences.cancel(lic)


def _seats(order: Order) -> None:
    bought = db.session.scalars(
        sa.select(SeatCredit).where(
            SeatCredit.order_id == order.id, SeatCredit.source == "purchase", SeatCredit.count > 0
        )
    ).all()
    for credit in bought:
        _lock_organisation(credit.organisation_id)
        s = seats.summary(credit.organisation_id)
        if s["total"] - credit.count < s["used"]:
            raise RuleViolation(
                f"Withdrawing these {credit.count} seats would leave fewer seats than are "
                f"assigned ({s['used']}); release seats first.",
                unmet=["seats_in_use"],
            )
        db.session.add(
            SeatCredit(
                organisation_id=credit.organisation_id,
                source="purchase",
                count=-credit.count,
                order_id=order.id,
                created_by="void",
            )
        )
    db.session.flush()


def _transfers(order: Order) -> None:
    for t in db.session.scalars(sa.select(SeatTransfer).where(SeatTransfer.order_id == order.id)).all():
        _lock_organisation(t.to_organisation_id)
        s = seats.summary(t.to_organisation_id)
        if s["total"] - t.count < s["used"]:
            raise RuleViolation(
                "The receiving organisation has assigned the transferred seats; release seats first.",
                unmet=["seats_in_use"],
            )
        db.session.add_all(
            [
                SeatCredit(
                    organisation_id=t.from_organisation_id,
                    source="transfer_out",
                    count=t.count,
                    transfer_id=t.id,
                    created_by="void",
                ),
                SeatCredit(
                    organisation_id=t.to_organisation_id,
                    source="transfer_in",
                    count=-t.count,
                    transfer_id=t.id,
                    created_by="void",
                ),
            ]
        )
    db.session.flush()


def _pathway_items(order: Order) -> None:
    for it in db.session.scalars(
        sa.select(PathwayItem).where(PathwayItem.order_id == order.id).with_for_update()
    ).all():
        if it.state == "completed":
            raise RuleViolation(
                "The pathway item is completed: what it bought cannot be taken back.",
                unmet=["pathway_item_completed"],
            )
        it.state = "cancelled"


def _enrolments(order: Order) -> None:
    for e in db.session.scalars(
        sa.select(Enrolment).where(Enrolment.order_id == order.id).with_for_update()
    ).all():
        if e.state == "completed":
            raise RuleViolation(
                "The course is completed: what it bought cannot be taken back.", unmet=["enrolment_completed"]
            )
        e.state = "cancelled"


def package_in_use(p: Package) -> bool:
    """cic-tracker reported use (a Tracker credit used, a case begun, the practicum done), or an
    online account of the package was opened."""
    used_credits = p.credits_left is not None and p.credits_left < p.tracker_uses
    accounts = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(LearningAccount).where(LearningAccount.package_id == p.id)
        )
        or 0
    )
    return used_credits or p.cases_count > 0 or p.practicum_state == "completed" or accounts > 0


def _packages(order: Order) -> None:
    for p in db.session.scalars(
        sa.select(Package).where(Package.order_id == order.id).with_for_update()
    ).all():
        if p.cancelled_at is not None:
            continue
        if package_in_use(p):
            raise RuleViolation(
                "The package is in use (Tracker credits used or cases begun), so its invoice "
                "cannot be voided.",
                unmet=["package_in_use"],
            )
        p.cancelled_at = now()
        outgoing.package_cancelled(p)
