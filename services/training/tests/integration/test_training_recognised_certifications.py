"""I Matter Training's own team: a training admin records a certification gained before or outside
this system (with the reason), so the first practicums have a Lead Plus to oversee and sign them
off. Nobody else can, and it is announced to cic-tracker like any certification."""

import json
import uuid

import sqlalchemy as sa

from training.models import OutboxMessage


def _own_person(client, keys, name="Tam Fictional-Team"):
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:8]}@imatter.example", name=name)
    r = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": name, "email": f"{uid[:8]}@imatter.example", "kind": "professional"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json(), h


def test_a_training_admin_records_a_team_lead_plus_with_the_reason(client, keys, db):
    person, own = _own_person(client, keys)
    admin = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    body = {"role": "lead_plus", "reason": "Founding I Matter Training team, certified 2024 (paper records)"}

    assert (
        client.post(f"/api/v1/people/{person['id']}/certifications", headers=own, json=body).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/people/{person['id']}/certifications", headers=admin, json={"role": "lead_plus"}
    )
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = client.post(
        f"/api/v1/people/{person['id']}/certifications", headers=admin, json={**body, "role": "guru"}
    )
    assert r.status_code == 400 and "role" in r.get_json()["errors"]

    r = client.post(f"/api/v1/people/{person['id']}/certifications", headers=admin, json=body)
    assert r.status_code == 201, r.get_json()
    cert = r.get_json()
    assert cert["role"] == "lead_plus" and cert["basis"] == "recognised" and cert["organisation_id"] is None
    mine = client.get(f"/api/v1/people/{person['id']}/certifications", headers=own).get_json()["items"]
    assert [(c["role"], c["basis"], c["reason"]) for c in mine] == [
        ("lead_plus", "recognised", body["reason"])
    ]

    again = client.post(f"/api/v1/people/{person['id']}/certifications", headers=admin, json=body)
    assert again.status_code == 409 and again.get_json()["unmet"] == ["already_certified"]
    events = [
        json.loads(m.payload)["data"]
        for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == "training.practitioner.certified")
        )
    ]
    assert [(e["person_id"], e["role"], e["organisation_id"]) for e in events] == [
        (person["id"], "lead_plus", None)
    ]
    assert (
        client.post(f"/api/v1/people/{uuid.uuid4().hex}/certifications", headers=admin, json=body).status_code
        == 404
    )
