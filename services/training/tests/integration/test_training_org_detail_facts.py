"""The organisation read's one statement of facts (queries/org_detail.py, issue 18 P2) counts what
the separate statements it replaced count: learners, practitioners, microprojects, members, the
seat ledger of a CPD licence year, seats in use and the oversight counts, on organisations of
mixed people (members active, invited, ended; certified, withdrawn, in training, cancelled; L1-2
enrolments with this organisation, another one or none; packages open, completed, cancelled;
seats carried from an earlier licence year) on SQLite and PostgreSQL."""

import random
from datetime import timedelta

import sqlalchemy as sa

from training.models import Membership, Organisation, Person
from training.models.certification import Certification, PathwayItem
from training.models.learning import Enrolment
from training.models.packages import Package
from training.models.seats import SeatAssignment, SeatCredit
from training.queries import org_detail
from training.queries.certification import oversight_facts
from training.queries.org_facts import const, one_of
from training.rules.catalogue import L1_2_COURSES
from training.services import organisations as orgs
from training.services import seats
from training.services.clock import now

ROLES = ("link", "child", "lead", "lead_plus", "senior_link", "informed")
ITEMS = (
    "link_training",
    "lead_training",
    "lead_plus_training",
    "deep_dive",
    "study_support",
    "child_practicum",
)
COURSES = ("awareness", "foundation_a1", "foundation_b", "intermediate_b", "deep_dive")


def _org(db, n: int) -> Organisation:
    org = Organisation(
        name=f"Fictional Facts Service {n}",
        kind="school",
        size_band="small",
        link_contact_email=f"facts{n}@example.org",
        created_by="facts-test",
    )
    db.session.add(org)
    db.session.flush()
    return org


def _person(db, n: int) -> Person:
    p = Person(name=f"Fictional Person {n}", email=f"person{n}@example.org", kind="professional")
    db.session.add(p)
    db.session.flush()
    return p


def _mixed(db, rnd: random.Random, orgs_: list, people: list, start) -> None:
    """Each person: memberships of some organisations in some state, certifications, pathway
    items, enrolments (attached to one of the organisations or none), seats, packages."""
    for p in people:
        for org in rnd.sample(orgs_, rnd.randint(0, 2)):
            db.session.add(
                Membership(
                    organisation_id=org.id,
                    person_id=p.id,
                    role="staff",
                    status=rnd.choice(("active", "active", "invited", "ended", "declined")),
                )
            )
            if rnd.random() < 0.4:
                db.session.add(
                    SeatAssignment(
                        organisation_id=org.id,
                        person_id=p.id,
                        status=rnd.choice(("active", "released")),
                        assigned_at=start + timedelta(days=rnd.choice((-40, -1, 1, 40))),
                    )
                )
        for role in rnd.sample(ROLES, rnd.randint(0, 2)):
            db.session.add(
                Certification(
                    person_id=p.id,
                    role=role,
                    status=rnd.choice(("current", "current", "withdrawn")),
                    certified_at=start,
                )
            )
        for item in rnd.sample(ITEMS, rnd.randint(0, 2)):
            db.session.add(
                PathwayItem(
                    person_id=p.id,
                    item=item,
                    role=rnd.choice(ROLES),
                    price=100,
                    state=rnd.choice(("booked", "completed", "cancelled")),
                )
            )
        for course in rnd.sample(COURSES, rnd.randint(0, 2)):
            db.session.add(
                Enrolment(
                    person_id=p.id,
                    course_code=course,
                    level=1,
                    funding="self",
                    organisation_id=rnd.choice([o.id for o in orgs_] + [None]),
                    state=rnd.choice(("active", "completed", "cancelled")),
                )
            )
    for org in orgs_:
        for _ in range(rnd.randint(0, 4)):
            db.session.add(
                Package(
                    organisation_id=org.id,
                    practitioner_id=rnd.choice(people).id,
                    type=1,
                    price=100,
                    funding="organisation",
                    tracker_uses=3,
                    online_accounts=1,
                    cases_count=rnd.randint(0, 4),
                    practicum_state=rnd.choice(("open", "completed")),
                    cancelled_at=rnd.choice((None, None, start)),
                )
            )
        for _ in range(rnd.randint(0, 4)):
            db.session.add(
                SeatCredit(
                    organisation_id=org.id,
                    source=rnd.choice(("purchase", "transfer_in", "transfer_out")),
                    count=rnd.randint(-3, 5),
                    created_at=start + timedelta(days=rnd.choice((-40, -1, 1, 40))),
                )
            )
    db.session.flush()


def _separately(org_id: str, since) -> dict:
    """What the read used to ask in separate statements (counts_of, seats, oversight_facts)."""
    return {
        **orgs.counts_of(org_id),
        "seats_used": seats.used(org_id),
        "ledger": seats._ledger(org_id, since),
        "oversight": oversight_facts(org_id),
    }


def _at_once(db, org_id: str, since) -> dict:
    statement = org_detail.detail_query(
        sa.bindparam("org_id", type_=sa.String), sa.bindparam("since", type_=sa.DateTime), tuple(L1_2_COURSES)
    )
    row = db.session.execute(statement, {"org_id": org_id, "since": since}).one()
    assert tuple(row._fields) == org_detail.COLUMNS
    return {
        **orgs._counts(row),
        "ledger": seats.ledger_of(row),
        "oversight": {
            "child_practitioners": row.child or 0,
            "lead_plus": row.lead_plus or 0,
            "lead_plus_in_training": row.lead_plus_in_training or 0,
            "leads": row.leads or 0,
        },
    }


def test_one_statement_counts_what_the_separate_ones_did(app, db):
    rnd = random.Random(18)
    start = now().replace(microsecond=0) - timedelta(days=100)
    orgs_ = [_org(db, n) for n in range(5)]
    people = [_person(db, n) for n in range(40)]
    _mixed(db, rnd, orgs_, people, start)
    empty = _org(db, 99)
    db.session.commit()
    seen = set()
    for org in [*orgs_, empty]:
        for since in (None, start):
            expected, got = _separately(org.id, since), _at_once(db, org.id, since)
            assert got == expected, (org.name, since)
            seen.add(tuple(sorted(expected["facts"].items())))
    # the data reach the counts: not every organisation answers the same (nor all zeros)
    assert len(seen) > 2


def test_constants_are_literals_in_the_sql(app, db):
    """const() writes its value into the SQL (quoted), so the statement has one bound parameter
    per request value, not one per role or state (docs/performance.md, issue 18, P2)."""
    statement = org_detail.detail_query(
        sa.bindparam("org_id", type_=sa.String), sa.bindparam("since", type_=sa.DateTime), ("F-A1", "c")
    )
    compiled = statement.compile(dialect=db.engine.dialect)
    assert set(compiled.binds) == {"org_id", "since"}
    sql = str(compiled)
    assert "IN ('F-A1', 'c')" in sql and "'active'" in sql and "'cancelled'" in sql
    # a value that is not a plain code is never written into SQL: it stays a bound parameter
    odd = org_detail.detail_query(
        sa.bindparam("org_id", type_=sa.String), sa.bindparam("since", type_=sa.DateTime), ("a'b; --", "c")
    ).compile(dialect=db.engine.dialect)
    assert "a'b" not in str(odd) and "'c'" in str(odd)
    assert "a'b; --" in [b.value for b in odd.binds.values()]
    assert str(const(3)) == "3" and "IN ('x')" in str(one_of(Membership.status, ("x",)))
    for bad in (True, 1.5, None):
        try:
            const(bad)
        except TypeError:
            continue
        raise AssertionError(f"const({bad!r}) was accepted")
