"""org_facts: the counts the organisations side reads (stage, Enhanced licence eligibility)."""

from training.models import Certification, Enrolment, Membership, Organisation, Package, PathwayItem, Person
from training.models.base import utcnow
from training.queries import org_facts
from training.queries.certification import roles_in_progress_or_certified


def _org(db, name="Fictional Primary"):
    org = Organisation(
        name=name,
        kind="school",
        size_band="small",
        link_contact_email="link@example.test",
        senior_leadership_commitment=True,
        created_by="u-admin",
    )
    db.session.add(org)
    db.session.flush()
    return org


def _member(db, org, name, status="active"):
    p = Person(name=name, email=f"{name.lower().replace(' ', '.')}@example.test", kind="professional")
    db.session.add(p)
    db.session.flush()
    db.session.add(Membership(organisation_id=org.id, person_id=p.id, role="staff", status=status))
    db.session.flush()
    return p


def test_counts_follow_the_records(db):
    org, other = _org(db), _org(db, "Elsewhere")
    a, b, c = (_member(db, org, n) for n in ("Ada Test", "Bo Test", "Cy Test"))
    outsider = _member(db, other, "Di Test")
    invited = _member(db, org, "Ed Test", status="invited")  # an invitation counts for nothing
    assert org_facts.learners_count(org.id) == 0
    for course, level in (("foundation_a1", 1), ("intermediate_b", 2)):
        db.session.add(
            Enrolment(
                person_id=a.id, course_code=course, level=level, funding="cpd_credit", organisation_id=org.id
            )
        )
    db.session.add(
        Enrolment(person_id=b.id, course_code="deep_dive", level=3, funding="self", organisation_id=org.id)
    )
    db.session.flush()
    assert org_facts.learners_count(org.id) == 1  # one person, L1-2 only

    db.session.add(PathwayItem(person_id=b.id, item="link_training", role="link", price=25000))
    db.session.add(Certification(person_id=c.id, role="lead", certified_at=utcnow()))
    db.session.add(PathwayItem(person_id=outsider.id, item="lead_training", role="lead", price=25000))
    db.session.add(Certification(person_id=invited.id, role="link", certified_at=utcnow()))
    db.session.flush()
    assert org_facts.practitioners_count(org.id) == 2
    assert org_facts.practitioners_count(org.id, roles=("lead",)) == 1
    assert org_facts.practitioners_count(org.id, roles=("link",), include_in_training=False) == 0
    assert roles_in_progress_or_certified(b.id) == ["link"]
    assert roles_in_progress_or_certified(c.id) == ["lead"]

    pkg = Package(
        organisation_id=org.id,
        practitioner_id=c.id,
        type=3,
        price=45000,
        funding="organisation",
        tracker_uses=6,
        online_accounts=3,
    )
    db.session.add(pkg)
    db.session.flush()
    assert org_facts.microprojects_under_way(org.id) == 0
    pkg.cases_count = 2
    db.session.flush()
    assert org_facts.microprojects_under_way(org.id) == 1
    pkg.practicum_state = "completed"
    db.session.flush()
    assert org_facts.microprojects_under_way(org.id) == 0
