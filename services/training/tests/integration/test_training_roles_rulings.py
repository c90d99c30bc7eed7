"""The practitioner-role and learning rulings (DOMAIN.md "Rulings", domain rows 29, 30, 45, 52, 66,
114), through the API on SQLite and PostgreSQL: Child training has no invented Lead gate; Lead
oversight is counted at certification from ACCEPTED members who are certified (in progress while
one is in Lead training; never from a package holder or an invitation); the Child pathway lists
`lead_plus_oversight`; next steps name the Lead Plus role; Foundation A part 1 before Foundation B;
`remaining_cost` includes the L1-2 course fees still needed."""

import json
import uuid

import pytest
import sqlalchemy as sa

from training.models import Certification, OutboxMessage
from training.models.base import utcnow
from training.models.certification import PathwayItem
from training.models.learning import Enrolment
from training.models.packages import Package
from training.rules.catalogue import COURSES_BY_CODE, L1_2_COURSES

FEES = sum(COURSES_BY_CODE[c]["price"] for c in L1_2_COURSES)


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def school(client, keys, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Hazel School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@hazel.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    return admin, org, (lambda name: join(admin, org["id"], name))


def _book(client, h, person, role, item, **extra):
    return client.post(
        f"/api/v1/people/{person['id']}/pathways/{role}/items", headers=h, json={"item": item, **extra}
    )


def _status(client, h, person, role="child"):
    path = client.get(f"/api/v1/people/{person['id']}/pathways/{role}", headers=h).get_json()
    return {q["code"]: q["status"] for q in path["requirements"]}


def _certify(db, person_id, role):
    db.session.add(Certification(person_id=person_id, role=role, status="current", certified_at=utcnow()))
    db.session.commit()


def _child_ready_but_oversight(db, org_id, person_id):
    """Every Child requirement but the organisation's Lead oversight (set up in the database)."""
    for code in L1_2_COURSES:
        db.session.add(
            Enrolment(
                person_id=person_id,
                course_code=code,
                level=COURSES_BY_CODE[code]["level"],
                funding="self",
                price=0,
                progress=100,
                state="completed",
                completed_at=utcnow(),
            )
        )
    for item in ("study_support", "deep_dive", "child_practicum"):
        db.session.add(
            PathwayItem(
                person_id=person_id,
                item=item,
                role="child",
                quantity=1,
                price=0,
                state="completed",
                completed_at=utcnow(),
            )
        )
    db.session.add(
        Package(
            organisation_id=org_id,
            practitioner_id=person_id,
            type=1,
            price=15000,
            funding="organisation",
            tracker_uses=3,
            online_accounts=0,
            credits_left=0,
            cases_count=3,
            practicum_state="completed",
            completed_at=utcnow(),
        )
    )
    db.session.commit()


def test_child_training_is_booked_without_a_lead_in_the_organisation(client, school):
    """Row 29a: study support, Deep Dive and the Child practicum are booked with no Lead anywhere."""
    admin, org, member = school
    child = member("Sam Fictional-Child")
    for item, price in (("study_support", 25000), ("deep_dive", 75000), ("child_practicum", 25000)):
        r = _book(client, admin, child, "child", item, organisation_id=org["id"])
        assert r.status_code == 201, r.get_json()
        assert r.get_json()["price"] == price
    assert _status(client, admin, child)["lead_oversight"] == "missing"


def test_lead_oversight_counts_only_accepted_certified_or_training_leads(client, keys, db, school):
    """Row 29b/c: a package holder is not a Lead in training; an invited Lead counts for nothing;
    a member with Lead training booked is in progress; a certified accepted Lead meets it."""
    admin, org, member = school
    child = member("Kai Fictional-Child")
    link = member("Lou Fictional-Link")
    db.session.add(
        Package(
            organisation_id=org["id"],
            practitioner_id=link["id"],
            type=2,
            price=30000,
            funding="organisation",
            tracker_uses=0,
            online_accounts=3,
            credits_left=0,
        )
    )
    db.session.commit()
    assert _status(client, admin, child)["lead_oversight"] == "missing"  # a package is not Lead training

    # a certified Lead who is only invited counts for nothing
    uid = uuid.uuid4().hex
    lead_h = keys.headers(user_id=uid, email=f"{uid[:10]}@example.org")
    lead = client.post(
        "/api/v1/people",
        headers=lead_h,
        json={"name": "Val Fictional-Lead", "email": f"{uid[:10]}@example.org", "kind": "professional"},
    ).get_json()
    _certify(db, lead["id"], "lead")
    inv = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": lead["id"], "role": "staff"},
    ).get_json()
    assert inv["state"] == "invited"
    assert _status(client, admin, child)["lead_oversight"] == "missing"

    trainee = member("Ray Fictional-Trainee")  # Lead training booked: in progress
    assert (
        _book(client, admin, trainee, "lead", "lead_training", organisation_id=org["id"]).status_code == 201
    )
    assert _status(client, admin, child)["lead_oversight"] == "in_progress"

    assert client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=lead_h).status_code == 200
    assert _status(client, admin, child)["lead_oversight"] == "met"
    # the Lead does not oversee themself: their own Child pathway still needs another Lead
    assert _status(client, lead_h, lead)["lead_oversight"] == "in_progress"


def test_lead_oversight_is_counted_at_certification_when_a_certified_lead_accepts(client, keys, db, school):
    admin, org, member = school
    child = member("Ari Fictional-Child")
    _child_ready_but_oversight(db, org["id"], child["id"])
    assert client.get(f"/api/v1/people/{child['id']}/certifications", headers=admin).get_json()["total"] == 0
    status = _status(client, admin, child)
    assert status["lead_oversight"] == "missing" and status["lead_plus_oversight"] == "met"
    assert {s for c, s in status.items() if c not in ("lead_oversight",)} == {"met"}

    uid = uuid.uuid4().hex
    lead_h = keys.headers(user_id=uid, email=f"{uid[:10]}@example.org")
    lead = client.post(
        "/api/v1/people",
        headers=lead_h,
        json={"name": "Noor Fictional-Lead", "email": f"{uid[:10]}@example.org", "kind": "professional"},
    ).get_json()
    _certify(db, lead["id"], "lead_plus")
    inv = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": lead["id"], "role": "staff"},
    ).get_json()
    assert client.get(f"/api/v1/people/{child['id']}/certifications", headers=admin).get_json()["total"] == 0
    assert client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=lead_h).status_code == 200
    certs = client.get(f"/api/v1/people/{child['id']}/certifications", headers=admin).get_json()
    assert [c["role"] for c in certs["items"]] == ["child"]
    sent = [
        json.loads(m.payload)["data"]
        for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "training.practitioner.certified")
        )
    ]
    assert [(e["person_id"], e["role"]) for e in sent] == [(child["id"], "child")]


def test_lead_oversight_is_counted_when_an_accepted_member_is_recognised_as_lead_plus(
    client, keys, db, school
):
    """A dead end found by the whole Child story: a member who already accepted is later
    recognised as Lead Plus by a training admin (certified outside the system). The Child
    practitioner whose only missing requirement was Lead oversight is certified then, in the same
    commit, as when a certified Lead accepts; nothing else would ever certify them."""
    admin, org, member = school
    child = member("Kit Fictional-Child")
    _child_ready_but_oversight(db, org["id"], child["id"])
    lead = member("Rae Fictional-Team")  # accepted, not (yet) certified
    assert _status(client, admin, child)["lead_oversight"] == "missing"
    training_admin = _user(keys, roles=("training_admin",))
    r = client.post(
        f"/api/v1/people/{lead['id']}/certifications",
        headers=training_admin,
        json={"role": "lead_plus", "reason": "Certified before the platform (records held)"},
    )
    assert r.status_code == 201, r.get_json()
    certs = client.get(f"/api/v1/people/{child['id']}/certifications", headers=admin).get_json()
    assert [c["role"] for c in certs["items"]] == ["child"]
    sent = [
        json.loads(m.payload)["data"]
        for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "training.practitioner.certified")
        )
    ]
    assert sorted((e["person_id"], e["role"]) for e in sent) == sorted(
        [(lead["id"], "lead_plus"), (child["id"], "child")]
    )


def test_recognising_a_lead_plus_outside_the_organisation_certifies_nobody_there(client, keys, db, school):
    """Only ACCEPTED members count: a Lead Plus recognised while merely invited gives no oversight."""
    admin, org, member = school
    child = member("Jo Fictional-Child")
    _child_ready_but_oversight(db, org["id"], child["id"])
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:10]}@example.org")
    outsider = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": "Vic Fictional-Invited", "email": f"{uid[:10]}@example.org", "kind": "professional"},
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/members",
            headers=admin,
            json={"person_id": outsider["id"], "role": "staff"},
        ).get_json()["state"]
        == "invited"
    )
    r = client.post(
        f"/api/v1/people/{outsider['id']}/certifications",
        headers=_user(keys, roles=("training_admin",)),
        json={"role": "lead_plus", "reason": "Certified before the platform (records held)"},
    )
    assert r.status_code == 201, r.get_json()
    assert client.get(f"/api/v1/people/{child['id']}/certifications", headers=admin).get_json()["total"] == 0


def test_child_pathway_lists_lead_plus_oversight_met_by_the_overseen_type_1_practicum(client, db, school):
    """Row 30: the Type 1 practicum needs a Lead Plus overseer (cic refuses its use without one)."""
    admin, org, member = school
    child = member("Bo Fictional-Child")
    path = client.get(f"/api/v1/people/{child['id']}/pathways/child", headers=admin).get_json()
    codes = [q["code"] for q in path["requirements"]]
    assert "lead_plus_oversight" in codes and "lead_oversight" in codes
    assert _status(client, admin, child)["lead_plus_oversight"] == "missing"
    pkg = Package(
        organisation_id=org["id"],
        practitioner_id=child["id"],
        type=1,
        price=15000,
        funding="organisation",
        tracker_uses=3,
        online_accounts=0,
        credits_left=3,
    )
    db.session.add(pkg)
    db.session.commit()
    assert _status(client, admin, child)["lead_plus_oversight"] == "in_progress"
    pkg.practicum_state, pkg.cases_count, pkg.completed_at = "completed", 2, utcnow()
    db.session.commit()
    assert _status(client, admin, child)["lead_plus_oversight"] == "met"
    catalogue = client.get("/api/v1/catalogue/roles").get_json()
    roles = catalogue["items"] if isinstance(catalogue, dict) else catalogue
    child_role = next(r for r in roles if r["code"] == "child")
    assert "lead_plus_oversight" in [q["code"] for q in child_role["requirements"]]


def test_next_steps_name_the_lead_plus_role_when_a_child_practitioner_needs_one(client, db, school):
    """Rows 29, 30, 45."""
    admin, org, member = school
    child = member("Cy Fictional-Child")
    assert _book(client, admin, child, "child", "deep_dive", organisation_id=org["id"]).status_code == 201
    steps = client.get(f"/api/v1/organisations/{org['id']}", headers=admin).get_json()["next_steps"]
    assert any("Lead Plus overseer" in s for s in steps), steps
    assert any("certified Lead" in s for s in steps), steps
    plus = member("Di Fictional-Plus")
    _certify(db, plus["id"], "lead_plus")
    steps = client.get(f"/api/v1/organisations/{org['id']}", headers=admin).get_json()["next_steps"]
    assert not any("Lead Plus" in s for s in steps) and not any("certified Lead" in s for s in steps), steps


def test_foundation_b_needs_foundation_a1_completed(client, keys, school):
    """Row 66 (CONTRACT: 409 with unmet ["foundation_a1"]); a refused enrolment changes nothing."""
    admin, org, member = school
    me = member("Eli Fictional-Parent")
    staff = _user(keys, roles=["training_admin"])
    body = {"person_id": me["id"], "course_code": "foundation_b", "funding": "self"}
    r = client.post("/api/v1/enrolments", headers=me["headers"], json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["foundation_a1"]
    assert client.get(f"/api/v1/people/{me['id']}/enrolments", headers=me["headers"]).get_json()["total"] == 0
    a1 = client.post(
        "/api/v1/enrolments", headers=me["headers"], json={**body, "course_code": "foundation_a1"}
    ).get_json()
    r = client.post("/api/v1/enrolments", headers=me["headers"], json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["foundation_a1"]  # enrolled is not completed
    assert client.post(f"/api/v1/enrolments/{a1['id']}/completion", headers=staff).status_code == 200
    assert client.post("/api/v1/enrolments", headers=me["headers"], json=body).status_code == 201


def test_remaining_cost_includes_the_l1_2_course_fees_still_needed(client, keys, school):
    """Row 114: from the catalogue's course prices, each course once, less what is enrolled."""
    admin, org, member = school
    me = member("Fin Fictional-Informed")
    path = client.get(f"/api/v1/people/{me['id']}/pathways/informed", headers=admin).get_json()
    assert path["remaining_cost"] == FEES + 25000 + 3 * 15000
    l12 = path["requirements"][0]
    assert l12["code"] == "l1_2_completion" and l12["charge"] == FEES
    assert l12["courses_needed"] == list(L1_2_COURSES)
    child = client.get(f"/api/v1/people/{me['id']}/pathways/child", headers=admin).get_json()
    assert child["remaining_cost"] == FEES + 25000 + 75000 + 25000 + 15000
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=me["headers"],
            json={"person_id": me["id"], "course_code": "foundation_a1", "funding": "self"},
        ).status_code
        == 201
    )
    path = client.get(f"/api/v1/people/{me['id']}/pathways/informed", headers=admin).get_json()
    assert path["requirements"][0]["charge"] == FEES - COURSES_BY_CODE["foundation_a1"]["price"]
    assert "foundation_a1" not in path["requirements"][0]["courses_needed"]
    link = client.get(f"/api/v1/people/{me['id']}/pathways/link", headers=admin).get_json()
    assert link["remaining_cost"] == path["remaining_cost"] + 25000 + 30000  # the fees once, inside Informed


def test_resource_licence_promises_nothing_the_platform_does_not_sell(client, school):
    """Row 52: course notes and posters are not sold, so the licence text does not promise them."""
    admin, org, member = school
    me = member("Gil Fictional-Reader")
    lic = client.get(f"/api/v1/people/{me['id']}/resource-licence", headers=me["headers"]).get_json()
    text = json.dumps(lic).lower()
    assert lic["held"] is False and "poster" not in text and "course notes" not in text
    assert "level 1" in lic["how_to_hold"].lower()
