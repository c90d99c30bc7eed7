"""Counts about an organisation's people, for the organisations side (stage, Enhanced licence).

Read-only queries over training's own tables; no Flask needed beyond the app's session.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from imatter_shared.contract import packages as contract

from ..extensions import db
from ..models import Membership
from ..models.certification import Certification, PathwayItem
from ..models.learning import Enrolment
from ..models.packages import Package
from ..rules.catalogue import L1_2_COURSES

_PLAIN_CODE = re.compile(r"[A-Za-z0-9_.: -]{0,64}")

ALL_ROLES = ("link", "child", "lead", "lead_plus", "senior_link", "informed")


def const(value: str | int) -> sa.ColumnElement:
    """A value fixed when a statement is built (a role, a state, a course code, a bound of cases)
    written into its SQL as a literal, not bound as a parameter. On SQLite a bound value that is
    compared with a column of a partial index's WHERE (memberships.status, enrolments.state,
    pathway_items.state: uq_membership_open_person, uq_enrolment_person_course, ...) makes SQLite
    prepare the statement anew on every execution (it looks at the value to decide whether the
    index applies, so each new binding expires the plan): the organisation read's statement of
    counts spent ~90% of its SQLite time compiling itself (docs/performance.md, issue 18 sixth
    session, P2). Only plain codes are written into SQL (letters, digits, `_ - . :` and spaces;
    course codes come from the price book, which admins edit): anything else stays a bound
    parameter, slower on SQLite but never SQL built from text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"const takes a str or an int, not {type(value).__name__}")
    if isinstance(value, int):
        return sa.literal_column(str(int(value)), sa.Integer)
    if not _PLAIN_CODE.fullmatch(value):
        return sa.literal(value, sa.String)
    return sa.literal_column("'" + value + "'", sa.String)


def one_of(column, values):
    """`column IN (...)` of values fixed when the statement is built (roles, states, the L1-2
    courses): literals (const), neither an "expanding" parameter, whose SQL SQLAlchemy rewrites
    on every execution (~6% of the organisation read's CPU, docs/performance.md 1c), nor one
    bound parameter each (see const)."""
    values = tuple(values)
    if not values:
        return column.in_(values)
    return column.in_([const(v) for v in values])


def _members(organisation_id: str):
    return sa.select(Membership.person_id).where(
        Membership.organisation_id == organisation_id, Membership.status == "active"
    )


def learners_query(organisation_id: str) -> sa.Select:
    """Active (accepted) members with a live (not cancelled) L1-2 enrolment attached to this
    organisation (stages 2-3); an invitation, a departed member or a voided place counts for nothing."""
    return sa.select(sa.func.count(sa.distinct(Enrolment.person_id))).where(
        Enrolment.organisation_id == organisation_id,
        one_of(Enrolment.course_code, L1_2_COURSES),
        Enrolment.state != "cancelled",
        Enrolment.person_id.in_(_members(organisation_id)),
    )


def learners_count(organisation_id: str) -> int:
    """Distinct active members with a live L1-2 enrolment attached to this organisation."""
    return db.session.scalar(learners_query(organisation_id)) or 0


def practitioner_ids_query(organisation_id: str, roles=ALL_ROLES, include_in_training: bool = True):
    """Active (accepted) members certified in one of `roles`, or (include_in_training) with a
    booked or completed training item towards one of them (DOMAIN "Rulings" -> Stages: nothing
    else counts; holding a package is not being a practitioner): one statement (UNION, so each
    person once). The same facts answer stage 4 and the Enhanced Licence (rows 8, 17)."""
    roles = tuple(roles)
    members = _members(organisation_id)
    certified = sa.select(Certification.person_id.label("person_id")).where(
        Certification.person_id.in_(members),
        one_of(Certification.role, roles),
        Certification.status == "current",
    )
    if not include_in_training:
        return certified
    return sa.union(
        certified,
        sa.select(PathwayItem.person_id).where(
            PathwayItem.person_id.in_(members),
            one_of(PathwayItem.role, roles),
            one_of(PathwayItem.state, ("booked", "completed")),
        ),
    )


def practitioners_count_query(
    organisation_id: str, roles=ALL_ROLES, include_in_training: bool = True
) -> sa.Select:
    ids = practitioner_ids_query(organisation_id, roles, include_in_training).subquery()
    return sa.select(sa.func.count(sa.distinct(ids.c.person_id)))


def practitioners_count(organisation_id: str, roles=ALL_ROLES, include_in_training: bool = True) -> int:
    return db.session.scalar(practitioners_count_query(organisation_id, roles, include_in_training)) or 0


def microprojects_query(organisation_id: str) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Package)
        .where(
            Package.organisation_id == organisation_id,
            Package.practicum_state == "open",
            Package.cancelled_at.is_(None),
            Package.cases_count.between(contract.MIN_CASES, contract.MAX_CASES),
        )
    )


def microprojects_reached_query(organisation_id: str) -> sa.Select:
    """Packages of the organisation whose microproject reached stage 5: 1-3 cases under way, or a
    practicum completed with them (stage 5 stays once reached, as stage 4 counts certified
    practitioners too: a school does not fall back to "buy a package" for finishing one).
    A cancelled package counts for nothing."""
    return (
        sa.select(sa.func.count())
        .select_from(Package)
        .where(
            Package.organisation_id == organisation_id,
            one_of(Package.practicum_state, ("open", "completed")),
            Package.cancelled_at.is_(None),
            Package.cases_count.between(contract.MIN_CASES, contract.MAX_CASES),
        )
    )


def microprojects_under_way(organisation_id: str) -> int:
    """Packages of the organisation with 1-3 cases reported by cic-tracker, not yet completed."""
    return db.session.scalar(microprojects_query(organisation_id)) or 0


def members_count_query(org_id: str) -> sa.Select:
    return (
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == org_id, Membership.status == "active")
    )
