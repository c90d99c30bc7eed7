"""The implementation pathway story: a fictional school moves from stage 1 to stage 5
through the API (the microproject's cases arrive as a real cic-tracker event through the
consumer), its stage and next steps derived at every step, never stored."""

import uuid

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.runtime import flask_session_scope
from training.events.handlers import HANDLERS
from training.models import InboxMessage


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _stage(client, h, org):
    body = client.get(f"/api/v1/organisations/{org['id']}", headers=h).get_json()
    assert body["next_steps"] and all(isinstance(s, str) for s in body["next_steps"])
    return body["stage"], body


def _staff(join, h, org, n):
    """A teacher invited by the admin who accepted (an invitation alone counts for nothing)."""
    return join(
        h,
        org["id"],
        f"Fictional Teacher {n}",
        email=f"teacher{n}-{uuid.uuid4().hex[:6]}@rowan.example",
        role="teacher",
    )


def _enrol(client, h, person):
    r = client.post(
        "/api/v1/enrolments",
        headers=h,
        json={"person_id": person["id"], "course_code": "foundation_a1", "funding": "cpd_credit"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_school_moves_from_engagement_to_microprojects(app, db, client, keys, join):
    h = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": "Fictional Rowan Primary",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@rowan.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()

    # 0 Not yet engaged: just created; 1 Engagement once the Starter Licence is active
    stage, body = _stage(client, h, org)
    assert (
        stage == 0 and body["stage_name"] == "Not yet engaged" and "Starter Licence" in body["next_steps"][0]
    )
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "starter"}
        ).status_code
        == 201
    )
    stage, body = _stage(client, h, org)
    assert stage == 1 and not any("Take out (or renew) the Starter" in s for s in body["next_steps"])
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "cpd"}
        ).status_code
        == 201
    )

    # 2 Shared learning: one, then two staff on L1-2 from the CPD credits
    staff = [_staff(join, h, org, n) for n in range(1, 4)]
    _enrol(client, h, staff[0])
    assert _stage(client, h, org)[0] == 2
    _enrol(client, h, staff[1])
    assert _stage(client, h, org)[0] == 2
    seats = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert seats["used"] == 2

    # 3 Workforce: L1-2 beyond two staff
    _enrol(client, h, staff[2])
    stage, body = _stage(client, h, org)
    assert stage == 3 and any("Link, Child or Lead" in s for s in body["next_steps"])

    # 4 Practitioners: a Link in training
    lead = staff[0]
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    stage, body = _stage(client, h, org)
    assert stage == 4 and any("Enhanced Practice Licence" in s for s in body["next_steps"])

    # 5 Microprojects: Enhanced licence, a package, and cic-tracker reports 2 cases under way
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=h,
        json={"type": 3, "practitioner_id": lead["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
    package = r.get_json()
    assert _stage(client, h, org)[0] == 4  # bought, but no cases yet
    consumer = Consumer(
        flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="training.events"
    )
    body = new_envelope(
        "cic.microproject.progressed",
        {"package_id": package["id"], "organisation_id": org["id"], "cases_count": 2, "state": "open"},
        "cic-tracker",
        version=1,
    ).to_json()
    assert consumer.process(body).action == "ack"
    db.session.expire_all()
    stage, body = _stage(client, h, org)
    assert stage == 5 and body["stage_name"] == "Microprojects"

    assert body["stage_facts"] == {"learners": 3, "practitioners": 1, "microprojects": 1}
    assert [lic["type"] for lic in body["licences"]] == ["starter", "cpd", "enhanced"]

    # the practicum is completed and signed off in cic-tracker: the school stays at stage 5 (the
    # highest stage reached counts), it does not fall back to "buy a microproject package"
    body = new_envelope(
        "cic.practicum.completed",
        {
            "package_id": package["id"],
            "practitioner_id": lead["id"],
            "cases_count": 2,
            "completed_at": "2026-11-20T10:00:00Z",
        },
        "cic-tracker",
        version=1,
    ).to_json()
    assert consumer.process(body).action == "ack"
    db.session.expire_all()
    stage, body = _stage(client, h, org)
    assert stage == 5 and body["stage_facts"]["microprojects"] == 1
    assert not any("Buy a microproject package" in s for s in body["next_steps"])
