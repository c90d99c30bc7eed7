"""Organisational licences: purchase, renewal, status, suspension and the licence.changed event.

Every change adds `training.licence.changed` to the outbox in the same transaction."""

from __future__ import annotations

from collections import namedtuple

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..events import outgoing
from ..extensions import db
from ..models import Licence, Organisation
from ..queries import org_facts
from ..rules import licences as licence_rules
from ..rules import pricing
from . import orders, policy, price_book
from .clock import iso, now

# the policy action each licence type needs (None: any kind may hold it)
POLICY_ACTION = {"starter": None, "cpd": "cpd_licence", "enhanced": "applied_practice"}


# org_facts' count, built once with the organisation a bound parameter: building the UNION per
# call was 17% of a package purchase's CPU (decision 0037)
_PRACTITIONERS = org_facts.practitioners_count_query(
    sa.bindparam("org_id", type_=sa.String), roles=licence_rules.ENHANCED_PRACTITIONER_ROLES
)


def _practitioners(organisation_id: str) -> int:
    """Link, Child or Lead practitioners certified or in training in the organisation."""
    return db.session.scalar(_PRACTITIONERS, {"org_id": organisation_id}) or 0


_ONE = sa.select(Licence).where(  # built once (decision 0037)
    Licence.organisation_id == sa.bindparam("org_id"), Licence.type == sa.bindparam("type")
)


def get(organisation_id: str, licence_type: str) -> Licence | None:
    return db.session.scalar(_ONE, {"org_id": organisation_id, "type": licence_type})


def by_id(licence_id: str) -> Licence | None:
    return db.session.get(Licence, licence_id)


# built once, the organisation a bound parameter: building it and its cache key per call was ~5% of
# the organisation read's CPU (docs/performance.md 1c)
_OF_ORGANISATION = sa.select(Licence).where(
    Licence.organisation_id == sa.bindparam("org_id", type_=sa.String)
)
_ORDER = {t: i for i, t in enumerate(licence_rules.TYPES)}


_ROWS_OF_ORGANISATION = sa.select(*Licence.__table__.c).where(
    Licence.organisation_id == sa.bindparam("org_id", type_=sa.String)
)


# the licences as columns of another statement (the organisation read's access check, authz):
# one row per licence, LEFT JOINed on organisation_id; their labels say whose they are
_KEYS = tuple(c.key for c in Licence.__table__.c)
LicenceRow = namedtuple("LicenceRow", _KEYS)
_JOINED = tuple(c.label("licence__" + c.key) for c in Licence.__table__.c)


def joined_columns() -> tuple:
    """The licences' columns, labelled `licence__<column>`, to read in another statement whose
    rows are the organisation's (authz.readable_organisation joins their table); built once."""
    return _JOINED


def rows_from_joined(rows) -> list:
    """The licences (of_organisation's order) out of rows holding joined_columns(): one per row
    whose licence id is set (an organisation without licences has one row, all NULL)."""
    if not rows:
        return []
    start = rows[0]._fields.index("licence__id")
    end = start + len(_KEYS)
    found = [LicenceRow._make(row[start:end]) for row in rows if row[start] is not None]
    return sorted(found, key=lambda lic: _ORDER[lic.type])


def of_organisation(organisation_id: str) -> list[Licence]:
    rows = db.session.scalars(_OF_ORGANISATION, {"org_id": organisation_id}).all()
    return sorted(rows, key=lambda lic: _ORDER[lic.type])


def rows_of_organisation(organisation_id: str) -> list:
    """of_organisation's licences as Core rows (their columns under the model's attribute names),
    for a read that only looks at them: no ORM execution or object loading. Run on the session's
    connection: what the session has not flushed is not seen (the views commit before dumping)."""
    rows = db.session.connection().execute(_ROWS_OF_ORGANISATION, {"org_id": organisation_id}).all()
    return sorted(rows, key=lambda lic: _ORDER[lic.type])


class Held:
    """One organisation's licences, read in one query, for a read that asks about several of them
    (stage, next steps, seats, each licence's suspension): the same answers as get(), in_date()
    and _practitioners(), without going back to the database for each. Made per request and
    dropped with it; nothing here outlives the request, so nothing can go stale.

    A read_only one (a read that changes nothing) also reads the clock once (`at`) and works out
    each licence's status once: the whole answer is as of one instant, and the read no longer
    asks the clock 17 times (docs/performance.md, issue 18 sixth session, P2)."""

    def __init__(
        self,
        organisation_id: str,
        practitioners: int | None = None,
        read_only: bool = False,
        rows: list | None = None,
    ):
        self.organisation_id = organisation_id
        # read_only: rows, not models (rows_of_organisation), for a read that changes nothing;
        # `rows`: those rows when the caller read them already (rows_from_joined)
        if rows is not None and read_only:
            self.rows = rows
        else:
            self.rows = (
                rows_of_organisation(organisation_id) if read_only else of_organisation(organisation_id)
            )
        self._by_type = {lic.type: lic for lic in self.rows}
        self._practitioners = practitioners  # counted once, when a caller already has it or on first need
        # the models of a writer may change under it (a renewal): their status is asked afresh
        self.at = now() if read_only else None
        self._status: dict | None = {} if read_only else None
        self._suspension: dict | None = {} if read_only else None

    def get(self, licence_type: str) -> Licence | None:
        return self._by_type.get(licence_type)

    def status(self, licence_type: str) -> str:
        """status_of(get(licence_type)), as of `at` (once per type) when read_only."""
        if self._status is None:
            return status_of(self.get(licence_type))
        known = self._status.get(licence_type)
        if known is None:
            known = self._status[licence_type] = status_of(self.get(licence_type), self.at)
        return known

    def in_date(self, licence_type: str) -> bool:
        return self.status(licence_type) == "active"

    def suspension(self, licence_type: str) -> list[str]:
        """suspension(get(licence_type), self) (once per type when read_only); a copy."""
        if self._suspension is None:
            return suspension(self.get(licence_type), self)
        known = self._suspension.get(licence_type)
        if known is None:
            known = self._suspension[licence_type] = suspension(self.get(licence_type), self)
        return list(known)

    def know_practitioners(self, n: int) -> None:
        """The practitioners count, read by the caller after the licences (one statement less)."""
        self._practitioners = n
        if self._suspension:
            self._suspension.clear()  # worked out with another count

    def practitioners(self) -> int:
        if self._practitioners is None:
            self._practitioners = _practitioners(self.organisation_id)
        return self._practitioners


def status_of(lic: Licence | None, at=None) -> str:
    if lic is None:
        return "none"
    return licence_rules.status(
        lic.valid_from, lic.valid_until, at or now(), cancelled=lic.cancelled_at is not None
    )


def in_date(organisation_id: str, licence_type: str) -> bool:
    return status_of(get(organisation_id, licence_type)) == "active"


def suspension(lic: Licence, held: Held | None = None) -> list[str]:
    """Why an in-date licence is not usable now (codes); [] when usable. `held`: the
    organisation's licences already loaded for this request (else they are looked up)."""
    if not licence_rules.continuing(lic.type):  # nothing it needs can lapse: no fact to look up
        return []
    practitioners = 1  # counted only for a licence that needs them
    if licence_rules.needs(lic.type, "practitioner_in_training"):
        practitioners = held.practitioners() if held else _practitioners(lic.organisation_id)
    return licence_rules.suspension_reasons(
        lic.type,
        starter_active=held.in_date("starter") if held else in_date(lic.organisation_id, "starter"),
        practitioners=practitioners,
    )


def has_active_licence(organisation_id: str, licence_type: str, held: Held | None = None) -> bool:
    """In date and not suspended: an expired Starter suspends CPD and Enhanced; Enhanced also
    needs a Link, Child or Lead practitioner certified or in training."""
    if held:
        return held.status(licence_type) == "active" and not held.suspension(licence_type)
    lic = get(organisation_id, licence_type)
    return status_of(lic) == "active" and not suspension(lic, held)


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
