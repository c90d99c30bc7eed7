"""The organisation read's facts in one statement (docs/performance.md, issue 18 P2).

The same numbers as org_facts' and certification.oversight_query's statements and the seat
ledger (seats.ledger_query, seats.used_query), counted another way: each active member of the
organisation is visited ONCE and asked, by indexed look-ups of their own rows (`EXISTS` on
`person_id`), whether they are a learner, a practitioner, a Child practitioner, ...; a
`count(*) FILTER (WHERE ...)` per fact adds them up. The other statements build the list of
active members again for every fact (8 times), collect the matching people into temporary B-trees
and count them DISTINCT or through a UNION; this one needs neither, because an organisation has at
most one active membership per person (the partial unique index uq_membership_open_person), so
counting members that match is counting distinct people. An active membership without a person
(none should exist: an invitation gains its person when accepted) matches no `EXISTS` and counts
among `members` only, as before.

Learners are the one fact read the other way round: the organisation's own L1-2 enrolments are
found once by `organisation_id` (an uncorrelated `IN`, which SQLite and PostgreSQL both turn into
one hashed set), since a member's enrolments with another organisation do not count.

tests: services/training/tests/test_training_org_detail_facts.py compares every column with the
statements it stands for, on many organisations of mixed people.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from imatter_shared.contract import packages as contract
from imatter_shared.contract.packages import LEAD_ROLES

from ..models import Membership
from ..models.certification import Certification, PathwayItem
from ..models.learning import Enrolment
from ..models.packages import Package
from ..models.seats import SeatAssignment, SeatCredit
from ..rules.licences import ENHANCED_PRACTITIONER_ROLES
from .certification import OVERSEER_TRAINING_ITEMS
from .org_facts import const, one_of

#: the columns of detail_query's row, in order
COLUMNS = (
    "purchase",
    "transfer_in",
    "transfer_out",
    "bought",
    "seats_used",
    "carried",
    "members",
    "learners",
    "practitioners",
    "child",
    "lead_plus",
    "lead_plus_in_training",
    "leads",
    "microprojects",
)


def _certified(person_id, roles) -> sa.Exists:
    c = aliased(Certification)
    return sa.exists().where(c.person_id == person_id, one_of(c.role, roles), c.status == const("current"))


def _item(person_id, *conditions) -> sa.Exists:
    i = aliased(PathwayItem)
    return sa.exists().where(i.person_id == person_id, *(cond(i) for cond in conditions))


def _ledger(org, since) -> sa.Subquery:
    """seats.ledger_query's purchase, transfer_in, transfer_out and bought (`since` NULL: 0)."""

    zero = const(0)

    def total(source, *more):
        earned = sa.and_(SeatCredit.source == const(source), *more)
        return sa.func.coalesce(sa.func.sum(sa.case((earned, SeatCredit.count), else_=zero)), zero)

    return (
        sa.select(
            total("purchase").label("purchase"),
            total("transfer_in").label("transfer_in"),
            total("transfer_out").label("transfer_out"),
            total("purchase", SeatCredit.created_at >= since).label("bought"),
        )
        .where(SeatCredit.organisation_id == org)
        .subquery("ledger")
    )


def _seats(org, since) -> sa.Subquery:
    """Seats in use, and those of them assigned before `since` (carried; `since` NULL: 0)."""
    active = sa.select(
        sa.func.count().label("seats_used"),
        sa.func.count().filter(SeatAssignment.assigned_at < since).label("carried"),
    ).where(SeatAssignment.organisation_id == org, SeatAssignment.status == const("active"))
    return active.subquery("seats")


def _members(org, l1_2) -> sa.Subquery:
    m = Membership.__table__.alias("m")
    who = m.c.person_id
    learners = sa.select(Enrolment.person_id).where(
        Enrolment.organisation_id == org,
        one_of(Enrolment.course_code, l1_2),
        Enrolment.state != const("cancelled"),
    )
    roles = ENHANCED_PRACTITIONER_ROLES
    practitioner = sa.or_(
        _certified(who, roles),
        _item(who, lambda i: one_of(i.role, roles), lambda i: one_of(i.state, ("booked", "completed"))),
    )
    child = sa.or_(
        _certified(who, ("child",)),
        _item(who, lambda i: i.role == const("child"), lambda i: i.state != const("cancelled")),
    )
    lead_plus_training = _item(
        who,
        lambda i: i.item == const(OVERSEER_TRAINING_ITEMS["lead_plus"]),
        lambda i: i.state != const("cancelled"),
    )

    def count(condition):
        return sa.func.count().filter(condition)

    return (
        sa.select(
            sa.func.count().label("members"),
            count(who.in_(learners)).label("learners"),
            count(practitioner).label("practitioners"),
            count(child).label("child"),
            count(_certified(who, ("lead_plus",))).label("lead_plus"),
            count(lead_plus_training).label("lead_plus_in_training"),
            count(_certified(who, LEAD_ROLES)).label("leads"),
        )
        .where(m.c.organisation_id == org, m.c.status == const("active"))
        .subquery("people")
    )


def detail_query(org, since, l1_2) -> sa.Select:
    """One row of COLUMNS for organisation `org` (a bound parameter), the CPD licence year that
    began at `since` (a bound parameter, NULL when no CPD licence is in date) and the courses that
    count as L1-2 (`l1_2`, fixed when built)."""
    ledger, seats, people = _ledger(org, since), _seats(org, since), _members(org, l1_2)
    microprojects = (
        sa.select(sa.func.count())
        .select_from(Package)
        .where(
            Package.organisation_id == org,
            one_of(Package.practicum_state, ("open", "completed")),
            Package.cancelled_at.is_(None),
            Package.cases_count.between(const(contract.MIN_CASES), const(contract.MAX_CASES)),
        )
        .scalar_subquery()
    )
    return sa.select(
        ledger.c.purchase,
        ledger.c.transfer_in,
        ledger.c.transfer_out,
        ledger.c.bought,
        seats.c.seats_used,
        seats.c.carried,
        *(people.c[k] for k in COLUMNS[6:13]),
        microprojects.label("microprojects"),
    ).select_from(ledger.join(seats, sa.true()).join(people, sa.true()))
