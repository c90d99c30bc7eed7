"""The Microproject Practice Guidelines on training (decision 0064), on SQLite and PostgreSQL:
versioned content (the shipped version loaded once by `flask guidelines load`), published only by a
training admin, acknowledged by a practitioner for themself (the version in force only), each
publication and acknowledgement announced once through the outbox with numbers, ids and dates."""

import json
import uuid

import sqlalchemy as sa

from imatter_shared.events.catalogue import validate
from training.models import OutboxMessage
from training.models.microproject_plans import GuidelinesAcknowledgement, PracticeGuidelinesVersion

BODY = {"title": "Guidelines", "sections": [{"heading": "Before", "points": ["Plan first."]}]}


def _events(db, event_type):
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == event_type)).all()
    return [validate(event_type, json.loads(r.payload)["data"]) for r in rows]


def _trainer(keys):
    return keys.headers(
        user_id="ta-" + uuid.uuid4().hex[:6], email="ta@example.org", roles=["training_admin"]
    )


def _me(client, keys):
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", name="Fictional Practitioner")
    p = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": "Fictional P", "email": f"{uid[:8]}@example.org", "kind": "professional"},
    )
    return p.get_json()["id"], h


def test_flask_guidelines_load_stores_the_shipped_version_once(app, client, db):
    assert client.get("/api/v1/practice-guidelines/current").status_code == 404
    runner = app.test_cli_runner()
    first = runner.invoke(args=["guidelines", "load"])
    assert first.exit_code == 0 and "version 1 loaded" in first.output, first.output
    again = runner.invoke(args=["guidelines", "load"])
    assert again.exit_code == 0 and "already in force" in again.output
    current = client.get("/api/v1/practice-guidelines/current").get_json()
    assert current["version"] == 1 and current["current"] is True
    assert any("pseudonymous code" in p for s in current["sections"] for p in s["points"])
    assert len(_events(db, "training.practice_guidelines.published")) == 1


def test_only_a_training_admin_publishes_and_bad_content_is_a_400(client, keys, db):
    _, me = _me(client, keys)
    assert client.post("/api/v1/practice-guidelines", headers=me, json=BODY).status_code == 403
    r = client.post("/api/v1/practice-guidelines", headers=_trainer(keys), json={**BODY, "sections": []})
    assert r.status_code == 400 and "sections" in r.get_json()["errors"]
    assert db.session.query(PracticeGuidelinesVersion).count() == 0
    for n in (1, 2):
        r = client.post("/api/v1/practice-guidelines", headers=_trainer(keys), json=BODY)
        assert r.status_code == 201 and r.get_json()["version"] == n
    listed = client.get("/api/v1/practice-guidelines").get_json()
    assert [(v["version"], v["current"]) for v in listed["items"]] == [(2, True), (1, False)]
    assert [e["version"] for e in _events(db, "training.practice_guidelines.published")] == [1, 2]
    assert client.get("/api/v1/practice-guidelines/9").status_code == 404


def test_a_practitioner_acknowledges_the_version_in_force_for_themself(client, keys, db):
    person, me = _me(client, keys)
    other, other_h = _me(client, keys)
    client.post("/api/v1/practice-guidelines", headers=_trainer(keys), json=BODY)
    r = client.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me)
    assert r.status_code == 201 and r.get_json()["person_id"] == person
    assert client.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me).status_code == 200
    [event] = _events(db, "training.practitioner.guidelines_acknowledged")
    assert set(event) == {"person_id", "version", "acknowledged_at"} and event["person_id"] == person
    # someone else's acknowledgements are not theirs to read
    assert (
        client.get(f"/api/v1/people/{person}/guidelines-acknowledgements", headers=other_h).status_code == 404
    )
    # a new version: the old acknowledgement is no longer current, and the old version cannot be acknowledged
    client.post("/api/v1/practice-guidelines", headers=_trainer(keys), json=BODY)
    acks = client.get(f"/api/v1/people/{person}/guidelines-acknowledgements", headers=me).get_json()["items"]
    assert [(a["version"], a["current"]) for a in acks] == [(1, False)]
    r = client.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["guidelines_current"]
    assert db.session.query(GuidelinesAcknowledgement).count() == 1


def test_an_account_without_a_person_cannot_acknowledge(client, keys, db):
    client.post("/api/v1/practice-guidelines", headers=_trainer(keys), json=BODY)
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:8]}@example.org")
    r = client.post("/api/v1/practice-guidelines/1/acknowledgements", headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["person"]
    assert db.session.query(GuidelinesAcknowledgement).count() == 0
