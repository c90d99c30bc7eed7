"""Reading an organisation's licences: one licence, all of them (models, or rows for a read that
changes nothing), their status and suspension, and `Held`, a request's licences read once.

Split from services/licences.py (which re-exports these names) so that module stays about
buying, renewing and ending licences."""

from __future__ import annotations

from collections import namedtuple

import sqlalchemy as sa

from ..extensions import db
from ..models import Licence
from ..queries import org_facts
from ..rules import licences as licence_rules
from .clock import now

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
