"""Organisational licences: purchase, renewal, status, suspension and the licence.changed event.

Every change adds `training.licence.changed` to the outbox in the same transaction."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Licence, Organisation
from ..rules import licences as licence_rules
from ..rules import pricing
from . import orders, policy, price_book
from .clock import iso, now

# the read side, re-exported (callers use licences.get, licences.Held, ...)
from .licence_reads import (  # noqa: F401
    Held,
    _practitioners,
    by_id,
    get,
    has_active_licence,
    in_date,
    joined_columns,
    of_organisation,
    rows_from_joined,
    rows_of_organisation,
    status_of,
    suspension,
)

# the policy action each licence type needs (None: any kind may hold it)
POLICY_ACTION = {"starter": None, "cpd": "cpd_licence", "enhanced": "applied_practice"}


def require_active_licence(organisation_id: str, licence_type: str) -> None:
    # one read of the organisation's licences: the one asked for and the Starter its suspension
    # looks at (two look-ups before, one statement each)
    held = Held(organisation_id)
    lic = held.get(licence_type)
    code = f"{licence_type}_licence"
    title = licence_rules.LICENCES[licence_type]["title"]
    if status_of(lic) != "active":
        state = "has expired; renew it" if lic else "is needed"
        raise RuleViolation(f"The organisation's {title} {state}.", unmet=[code])
    reasons = suspension(lic, held)
    if reasons:
        raise RuleViolation(
            f"The organisation's {title} is suspended: {licence_rules.describe_unmet(reasons)}.",
            unmet=[code] + reasons,
        )


def _emit(lic: Licence, status: str) -> None:
    outgoing.licence_changed(lic, status)
    lic.announced_status = status


def _check_can_hold(org: Organisation, licence_type: str, held: Licence | None = None) -> None:
    """`held`: the organisation's licence of `licence_type`, already read by the caller (None:
    it holds none), so a Starter's own look-up is not made twice."""
    action = POLICY_ACTION[licence_type]
    if action:
        policy.enforce(org, action)
    counted = licence_rules.needs(licence_type, "practitioner_in_training")
    starter = held if licence_type == "starter" else get(org.id, "starter")
    unmet = licence_rules.purchase_unmet(
        licence_type,
        starter_active=status_of(starter) == "active",
        senior_leadership_commitment=bool(org.senior_leadership_commitment),
        has_link_contact=bool(org.link_contact_email),
        practitioners=_practitioners(org.id) if counted else 0,
    )
    if unmet:
        raise RuleViolation(
            f"Cannot grant the {licence_rules.LICENCES[licence_type]['title']}: "
            f"{licence_rules.describe_unmet(unmet)}.",
            unmet=unmet,
        )


def _price(org: Organisation, licence_type: str) -> tuple[int, dict, int]:
    number, book = price_book.in_force()  # read only: the band's fee and included seats
    band = pricing.band_of(book, org.size_band)
    if band is None:  # the band was removed from the price book after the organisation chose it
        raise RuleViolation(
            f"Size band {org.size_band!r} is not in the current price book; "
            "choose a current size band first.",
            unmet=["size_band"],
        )
    return pricing.band_fee(book, org.size_band, licence_type), band, number


def _order(org: Organisation, lic_type: str, fee: int, start, end, user_id: str, renewal: bool):
    title = licence_rules.LICENCES[lic_type]["title"]
    what = "renewal" if renewal else "annual licence"
    return orders.create_order(
        organisation_id=org.id,
        person_id=None,
        created_by=user_id,
        lines=[
            {
                "code": f"licence_{lic_type}",
                "quantity": 1,
                "unit_price": fee,
                "description": f"{title}, {what} {start.date().isoformat()} to {end.date().isoformat()} "
                f"(size band {org.size_band})",
            }
        ],
    )


def purchase(
    org: Organisation,
    licence_type: str,
    user_id: str,
    agreement_accepted: bool | None = None,
    user_name: str | None = None,
) -> tuple[Licence, bool]:
    """Grant a licence for one annual term. Returns (licence, created). A lapsed licence of the
    same type is taken out again from now (same record, new term). The Starter records who
    accepted its organisational agreement to participate and when: explicitly
    (`agreement_accepted=True`) or implicitly by the buying admin (None); False is refused."""
    if licence_rules.agreement(licence_type) and agreement_accepted is False:
        raise RuleViolation(
            "The Starter Licence includes the organisational agreement to participate: the "
            "organisation must accept it to take the licence out.",
            unmet=["organisation_agreement"],
        )
    lic = get(org.id, licence_type)
    if lic is not None and status_of(lic) == "active":
        raise RuleViolation(
            f"The organisation already holds an active {licence_rules.LICENCES[licence_type]['title']} "
            f"until {iso(lic.valid_until)}; renew it instead.",
            unmet=["licence_already_active"],
        )
    _check_can_hold(org, licence_type, lic)
    fee, band, number = _price(org, licence_type)
    start, end = licence_rules.term(licence_type, now())
    order = _order(org, licence_type, fee, start, end, user_id, renewal=lic is not None)
    created = lic is None
    if created:
        lic = Licence(organisation_id=org.id, type=licence_type, first_valid_from=start, terms=0)
        db.session.add(lic)
    lic.valid_from, lic.valid_until = start, end
    lic.cancelled_at = None  # a cancelled licence is taken out again like a lapsed one
    lic.terms = (lic.terms or 0) + 1
    if licence_rules.agreement(licence_type):
        lic.agreement_accepted_by, lic.agreement_accepted_at = user_id, start
        lic.agreement_accepted_by_name = (user_name or "")[:200] or None
        lic.agreement_acceptance = "explicit" if agreement_accepted else "implicit"
    _apply_price(lic, fee, band, number, order.id, org.size_band)
    # no flush of its own: the licence and its outbox row go in one flush (the dependants' read
    # below, or the commit); the event needs nothing the database assigns
    _emit(lic, "active")
    _announce_dependants(licence_type, org.id, "suspended", "active")
    return lic, created


def _apply_price(lic: Licence, fee: int, band: dict, number: int, order_id: str, size_band: str) -> None:
    lic.price, lic.currency, lic.price_book_version, lic.order_id = fee, "GBP", number, order_id
    lic.size_band = size_band
    lic.seats_included = band["cpd_seats_included"] if lic.type == "cpd" else 0


def renew(org: Organisation, lic: Licence, user_id: str) -> Licence:
    """One more annual term, from the later of now and the current end."""
    _check_can_hold(org, lic.type, lic)
    fee, band, number = _price(org, lic.type)
    start = licence_rules.renewal_start(now(), lic.valid_until)
    _, end = licence_rules.term(lic.type, start)
    order = _order(org, lic.type, fee, start, end, user_id, renewal=True)
    if (
        lic.valid_until < start or lic.cancelled_at is not None
    ):  # lapsed or cancelled: the new term starts now
        lic.valid_from = start
    lic.cancelled_at = None
    lic.valid_until = end
    lic.terms += 1
    _apply_price(lic, fee, band, number, order.id, org.size_band)
    db.session.flush()
    _emit(lic, "active")
    _announce_dependants(lic.type, org.id, "suspended", "active")
    return lic


def end_now(lic: Licence) -> Licence:
    """A training admin ends a licence's term early (e.g. the agreement was terminated): it is
    expired from now, announced like a natural expiry, and renewable like any lapsed licence."""
    at = now()
    if status_of(lic, at) != "active":
        return lic
    lic.valid_until = at
    lic.valid_from = min(lic.valid_from, at)
    db.session.flush()
    expire_due(at)
    return lic


def cancel(lic: Licence) -> Licence:
    """The invoice of the licence's current term was voided: the licence is cancelled from now
    (status `cancelled`, announced), and its CPD and Enhanced dependants are suspended as when a
    Starter expires. It can be taken out again (a new purchase) like a lapsed licence."""
    at = now()
    if lic.cancelled_at is not None:
        return lic
    was_active = status_of(lic, at) == "active"
    lic.cancelled_at = at
    lic.valid_until = min(lic.valid_until, at)
    lic.valid_from = min(lic.valid_from, at)
    db.session.flush()
    _emit(lic, "cancelled")
    if was_active:
        _announce_dependants(lic.type, lic.organisation_id, "active", "suspended", at)
    return lic


def expire_due(at=None) -> list[Licence]:
    """Announce every licence whose term has ended since it was last announced. A lapsed
    Starter also announces its organisation's in-date CPD and Enhanced licences suspended."""
    at = at or now()
    rows = db.session.scalars(
        sa.select(Licence).where(
            Licence.announced_status.in_(("active", "suspended")), Licence.valid_until <= at
        )
    ).all()
    for lic in rows:
        _emit(lic, "expired")
    for lic in rows:
        _announce_dependants(lic.type, lic.organisation_id, "active", "suspended", at)
    return rows


def _announce_dependants(licence_type: str, organisation_id: str, was: str, becomes: str, at=None) -> None:
    """The organisation's licences that require this one follow it (CPD and Enhanced their
    Starter): suspended when it lapses, active when renewed."""
    types = licence_rules.dependants(licence_type)
    if not types:  # nothing depends on it: no need to read the organisation's licences
        return
    for dep in of_organisation(organisation_id):
        if dep.type in types and dep.announced_status == was and status_of(dep, at) == "active":
            _emit(dep, becomes)
