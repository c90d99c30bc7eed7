"""The Microproject Practitioner Licence as the rulings read seeds 003/004 (domain rows 99, 101,
102), through the API on SQLite and PostgreSQL: only for someone already on the learning journey;
one licence linked to the practitioner's microprojects; every state change (active, paused,
resumed, renewed, lapsed by the scheduler's expiry job) announced to cic-tracker by
`training.practitioner_licence.changed` in the same commit; renewal is yearly."""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from imatter_shared.events.catalogue import validate
from training.models import OutboxMessage
from training.models.base import utcnow
from training.models.packages import Package
from training.models.practitioner_licences import PractitionerLicence

EVENT = "training.practitioner_licence.changed"


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _events(db):
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == EVENT).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


@pytest.fixture
def school(client, keys, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Aspen School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@aspen.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    return admin, org, join(admin, org["id"], "Mel Fictional-Practitioner")


BODY = {"idea": "A fictional calm-mornings project", "focus_areas": ["routines", "transitions"]}


def test_practitioner_licence_needs_the_learning_journey(client, db, school):
    """Row 99: no enrolment and no booked pathway item -> 409 `learning_journey`, nothing made."""
    admin, org, me = school
    r = client.post(
        "/api/v1/practitioner-licences", headers=me["headers"], json={"person_id": me["id"], **BODY}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["learning_journey"]
    assert (
        client.get(f"/api/v1/people/{me['id']}/practitioner-licences", headers=me["headers"]).get_json()[
            "total"
        ]
        == 0
    )
    assert _events(db) == []
    # a booked pathway item puts them on the journey
    assert (
        client.post(
            f"/api/v1/people/{me['id']}/pathways/lead/items",
            headers=me["headers"],
            json={"item": "deep_dive", "funding": "self"},
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/practitioner-licences", headers=me["headers"], json={"person_id": me["id"], **BODY}
    )
    assert r.status_code == 201 and r.get_json()["state"] == "active"
    lic = r.get_json()
    assert _events(db) == [
        {"person_id": me["id"], "licence_id": lic["id"], "state": "active", "valid_until": lic["valid_until"]}
    ]
    validate(EVENT, _events(db)[0])


def test_practitioner_licence_needs_the_learning_journey_an_enrolment_counts(client, db, school):
    admin, org, me = school
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=me["headers"],
            json={"person_id": me["id"], "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/practitioner-licences", headers=me["headers"], json={"person_id": me["id"], **BODY}
    )
    assert r.status_code == 201, r.get_json()


def test_practitioner_licence_is_linked_to_the_practitioners_microprojects(client, keys, db, school):
    """Row 102: open packages held before the licence, and packages bought under it, run under it."""
    admin, org, me = school
    old = Package(
        organisation_id=org["id"],
        practitioner_id=me["id"],
        type=2,
        price=30000,
        funding="organisation",
        tracker_uses=0,
        online_accounts=3,
        credits_left=0,
    )
    db.session.add(old)
    db.session.commit()
    # Lead training booked (on the journey, and a practitioner for the Enhanced licence)
    assert (
        client.post(
            f"/api/v1/people/{me['id']}/pathways/lead/items",
            headers=admin,
            json={"item": "lead_training", "organisation_id": org["id"]},
        ).status_code
        == 201
    )
    lic = client.post(
        "/api/v1/practitioner-licences", headers=me["headers"], json={"person_id": me["id"], **BODY}
    ).get_json()
    assert lic["microprojects"] == [old.id]
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 3, "practitioner_id": me["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["practitioner_licence_id"] == lic["id"]
    got = client.get(f"/api/v1/practitioner-licences/{lic['id']}", headers=me["headers"]).get_json()
    assert got["microprojects"] == [old.id, r.get_json()["id"]]
    listed = client.get(f"/api/v1/organisations/{org['id']}/packages", headers=admin).get_json()["items"]
    assert {p["practitioner_licence_id"] for p in listed} == {lic["id"]}
    # the organisation's admin sees the link, not the licence (its idea is the person's own)
    assert client.get(f"/api/v1/practitioner-licences/{lic['id']}", headers=admin).status_code == 404


def test_every_practitioner_licence_change_is_announced_to_cic(app, client, keys, db, school):
    """Row 101: pause, resume, renew (yearly) and a lapse found by `flask licences expire` each
    emit training.practitioner_licence.changed; a lapse is announced once; renewal restores it."""
    admin, org, me = school
    h = me["headers"]
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=h,
            json={"person_id": me["id"], "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    lic = client.post(
        "/api/v1/practitioner-licences", headers=h, json={"person_id": me["id"], **BODY}
    ).get_json()
    base = f"/api/v1/practitioner-licences/{lic['id']}"
    assert client.post(base + "/pause", headers=h).get_json()["state"] == "paused"
    assert client.post(base + "/pause", headers=h).status_code == 200  # again: no change, no event
    assert client.post(base + "/resume", headers=h).get_json()["state"] == "active"
    renewed = client.post(base + "/renew", headers=h).get_json()
    assert renewed["valid_until"][:4] == str(int(lic["valid_until"][:4]) + 1)  # a year on
    assert [(e["state"], e["valid_until"]) for e in _events(db)] == [
        ("active", lic["valid_until"]),
        ("paused", lic["valid_until"]),
        ("active", lic["valid_until"]),
        ("active", renewed["valid_until"]),
    ]

    # the term ends: the scheduler's expiry job announces the lapse, once
    row = db.session.get(PractitionerLicence, lic["id"])
    row.valid_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["licences", "expire"])
    assert out.exit_code == 0 and "1 practitioner licence(s) newly lapsed" in out.output, out.output
    assert runner.invoke(args=["licences", "expire"]).output.count("0 practitioner licence(s)") == 1
    db.session.expire_all()
    events = _events(db)
    assert [e["state"] for e in events] == ["active", "paused", "active", "active", "lapsed"]
    assert all(e["licence_id"] == lic["id"] and e["person_id"] == me["id"] for e in events)
    for e in events:
        validate(EVENT, e)
    assert client.get(base, headers=h).get_json()["state"] == "lapsed"
    assert (
        client.post(base + "/pause", headers=h).status_code == 409
    )  # a lapsed licence is renewed, not paused
    again = client.post(base + "/renew", headers=h).get_json()
    assert again["state"] == "active" and _events(db)[-1] == {
        "person_id": me["id"],
        "licence_id": lic["id"],
        "state": "active",
        "valid_until": again["valid_until"],
    }


def test_twenty_simultaneous_applications_make_one_licence(app, client, db, school):
    import threading

    from flask.testing import FlaskClient

    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are meaningful on PostgreSQL; SQLite serialises every writer")
    admin, org, me = school
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=me["headers"],
            json={"person_id": me["id"], "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    codes = []

    def apply():
        r = FlaskClient(app, app.response_class).post(
            "/api/v1/practitioner-licences", headers=me["headers"], json={"person_id": me["id"], **BODY}
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=apply) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201] + [409] * 19
    db.session.expire_all()
    assert len(_events(db)) == 1
