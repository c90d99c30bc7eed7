"""The story: a professional goes from nothing to Lead through the API, at the seed's prices,
the practicum completed by a real `cic.practicum.completed` event through the consumer, the
certification automatic, and a directory entry once they opt in."""

import json
import uuid

import sqlalchemy as sa

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.runtime import flask_session_scope
from training.events.handlers import HANDLERS
from training.models import InboxMessage, OutboxMessage


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


def _events(db, event_type):
    rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == event_type)).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _deliver(app, db, event_type, data):
    """Through the real consumer: schema check, inbox de-duplication, handler, commit."""
    consumer = Consumer(
        flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="training.events"
    )
    body = new_envelope(event_type, data, "cic-tracker", version=1).to_json()
    return consumer, body, consumer.process(body)


def test_from_nothing_to_lead_in_the_directory(app, db, client, keys):
    admin = _user(keys)
    staff = _user(keys, roles=["training_admin"])
    pro_email = f"{uuid.uuid4().hex[:8]}@fictional-school.example"
    pro = _user(keys, email=pro_email)

    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Larch Primary",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@larch.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    person = client.post(
        "/api/v1/people",
        headers=pro,
        json={"name": "Robin Fictional-Lead", "email": pro_email, "kind": "professional"},
    ).get_json()
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": person["id"], "role": "teacher"},
    )
    assert m.status_code == 201 and m.get_json()["state"] == "invited"
    assert client.post(f"/api/v1/memberships/{m.get_json()['id']}/accept", headers=pro).status_code == 200
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )

    r = client.get(f"/api/v1/people/{person['id']}/pathways/lead", headers=pro)
    assert r.status_code == 200
    path = r.get_json()
    assert path["remaining_cost"] == 145000  # Lead from scratch with Deep Dive: £1,450
    status = {q["code"]: q["status"] for q in path["requirements"]}
    assert status == {
        "deep_dive": "missing",
        "lead_training": "missing",
        "package_type_3": "missing",
        "practicum": "missing",
        "registered_setting": "met",
    }

    # the professional pays for the Deep Dive; the organisation pays for Lead training
    dd = client.post(
        f"/api/v1/people/{person['id']}/pathways/lead/items", headers=pro, json={"item": "deep_dive"}
    )
    assert dd.status_code == 201, dd.get_json()
    assert {k: dd.get_json()[k] for k in ("item", "state", "price")} == {
        "item": "deep_dive",
        "state": "booked",
        "price": 75000,
    }
    assert dd.get_json()["order"]["invoice"]["state"] == "issued"
    lt = client.post(
        f"/api/v1/people/{person['id']}/pathways/lead/items",
        headers=admin,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert lt.status_code == 201 and lt.get_json()["price"] == 25000
    assert lt.get_json()["order"]["organisation_id"] == org["id"]

    # no package without the Enhanced Practice Licence
    pkg_body = {"type": 3, "practitioner_id": person["id"], "funding": "organisation"}
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=pkg_body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enhanced_licence"]
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )  # a Lead in training is in place
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=pkg_body)
    assert r.status_code == 201, r.get_json()
    package = r.get_json()
    assert (package["price"], package["tracker_uses"], package["online_accounts"]) == (45000, 6, 3)
    assert package["order"]["total"] == 45000
    assert dd.get_json()["price"] + lt.get_json()["price"] + package["price"] == 145000
    assert _events(db, "training.package.purchased") == [
        {
            "package_id": package["id"],
            "package_type": 3,
            "organisation_id": org["id"],
            "practitioner_id": person["id"],
            "tracker_uses": 6,
            "online_accounts": 3,
        }
    ]

    path = client.get(f"/api/v1/people/{person['id']}/pathways/lead", headers=pro).get_json()
    assert path["remaining_cost"] == 0
    assert {q["code"]: q["status"] for q in path["requirements"]}["practicum"] == "in_progress"

    # only a training admin completes items
    assert (
        client.post(f"/api/v1/pathway-items/{dd.get_json()['id']}/completion", headers=pro).status_code == 403
    )
    for item in (dd, lt):
        r = client.post(f"/api/v1/pathway-items/{item.get_json()['id']}/completion", headers=staff)
        assert r.status_code == 200 and r.get_json()["state"] == "completed"
    assert client.get(f"/api/v1/people/{person['id']}/certifications", headers=pro).get_json()["total"] == 0

    # cic-tracker reports the practicum complete (counts only), through the real consumer
    data = {
        "package_id": package["id"],
        "practitioner_id": person["id"],
        "cases_count": 2,
        "completed_at": "2026-11-20T10:00:00Z",
    }
    consumer, body, outcome = _deliver(app, db, "cic.practicum.completed", data)
    assert outcome.action == "ack"
    assert consumer.process(body).action == "ack"  # redelivered: a no-op
    db.session.expire_all()

    certs = client.get(f"/api/v1/people/{person['id']}/certifications", headers=pro).get_json()
    assert [c["role"] for c in certs["items"]] == ["lead"]
    assert certs["items"][0]["certified_at"]
    certified = _events(db, "training.practitioner.certified")
    assert (
        len(certified) == 1
        and certified[0]["role"] == "lead"
        and certified[0]["organisation_id"] == org["id"]
    )
    assert (
        client.get(f"/api/v1/people/{person['id']}/pathways/lead", headers=pro).get_json()["certified"]
        is True
    )

    # the directory lists them only after they opt in, without private fields
    assert client.get("/api/v1/directory?q=Robin").get_json()["total"] == 0
    r = client.post(
        f"/api/v1/people/{person['id']}/directory-entry", headers=pro, json={"locality": "Kendal"}
    )
    assert r.status_code == 201
    listing = client.get("/api/v1/directory?q=robin").get_json()
    assert listing["total"] == 1 and listing["page"] == 1
    entry = listing["items"][0]
    assert entry["name"] == "Robin Fictional-Lead" and [c["role"] for c in entry["certifications"]] == [
        "lead"
    ]
    assert pro_email not in json.dumps(listing) and "email" not in entry
    assert "person_id" not in entry and person["id"] not in json.dumps(listing)  # security review H1
    assert client.delete(f"/api/v1/people/{person['id']}/directory-entry", headers=pro).status_code == 200
    assert client.get("/api/v1/directory").get_json()["total"] == 0
