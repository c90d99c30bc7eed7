"""Organisations through the API: creation and its validation, the creator as admin,
visibility, members and the membership events."""

import json
import uuid

import sqlalchemy as sa

from training.models import OutboxMessage


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _events(db, event_type):
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _create(client, h, **over):
    body = {
        "name": "Fictional Oak School",
        "kind": "school",
        "size_band": "small",
        "link_contact_email": "link@oak.example",
        "senior_leadership_commitment": True,
        **over,
    }
    return client.post("/api/v1/organisations", json=body, headers=h)


def test_the_creator_administers_the_new_organisation_and_others_cannot_see_it(client, keys, db):
    db_ = db
    h = _user(keys)
    r = _create(client, h)
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    assert org["kind"] == "school" and org["size_band"] == "small"
    assert org["stage"] == 0 and org["next_steps"] and org["licences"] == []
    assert org["seats"] == {**org["seats"], "total": 0, "used": 0, "available": 0}

    # next request, same token: the admin right is already there
    got = client.get(f"/api/v1/organisations/{org['id']}", headers=h)
    assert got.status_code == 200 and got.get_json()["id"] == org["id"]
    mine = client.get("/api/v1/organisations", headers=h).get_json()
    assert [o["id"] for o in mine["items"]] == [org["id"]] and mine["total"] == 1
    assert client.get("/internal/principal", headers=h).get_json()["admin_organisation_ids"] == [org["id"]]
    # cic-tracker is told (ids only) so the admin oversees the organisation's microprojects there
    from imatter_shared.web.auth import decode_token

    uid = decode_token(h["Authorization"].split()[1], keys.public)["sub"]
    assert _events(db_, "training.organisation_admin.changed") == [
        {"organisation_id": org["id"], "user_id": uid, "status": "active", "organisation_kind": org["kind"]}
    ]

    stranger = _user(keys)
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=stranger).status_code == 404
    assert client.get("/api/v1/organisations", headers=stranger).get_json()["total"] == 0
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=stranger
        ).status_code
        == 404
    )
    admin = _user(keys, roles=("training_admin",))
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/organisations", headers=admin).get_json()["total"] == 1
    assert client.get("/api/v1/organisations/nope", headers=admin).status_code == 404


def test_creation_validates_kind_and_size_band(client, keys):
    h = _user(keys)
    for kind in (
        "school",
        "primary_care",
        "community_service",
        "locality_hub",
        "commissioner",
        "other_service",
    ):
        assert _create(client, h, kind=kind).status_code == 201
    r = _create(client, h, kind="hospital")
    assert r.status_code == 400 and "kind" in r.get_json()["errors"]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    r = _create(client, h, size_band="gigantic")
    assert r.status_code == 400 and "size_band" in r.get_json()["errors"]
    r = _create(client, h, name="")
    assert r.status_code == 400 and "name" in r.get_json()["errors"]
    assert client.post("/api/v1/organisations", json={"name": "x"}).status_code == 401


def test_the_size_band_must_come_from_the_current_price_book(client, keys):
    h = _user(keys)
    bands = [b["code"] for b in client.get("/api/v1/catalogue/price-book").get_json()["size_bands"]]
    assert bands
    for code in bands:
        assert _create(client, h, size_band=code).status_code == 201


def test_members_join_and_leave_with_events(client, keys, db):
    h = _user(keys)
    org = _create(client, h).get_json()
    person = client.post(
        "/api/v1/people",
        json={"name": "Fictional Staff", "email": "staff@oak.example", "kind": "professional"},
        headers=h,
    ).get_json()
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"person_id": person["id"], "role": "staff"},
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    member = r.get_json()
    # an invitation until the person accepts: it counts for nothing and tells cic-tracker nothing
    assert member["state"] == "invited" and member["role"] == "staff"
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=h).get_json()["members_count"] == 0
    assert _events(db, "training.membership.changed") == []
    staff = keys.headers(user_id=uuid.uuid4().hex, email="staff@oak.example")
    r = client.post(f"/api/v1/memberships/{member['id']}/accept", headers=staff)
    assert (
        r.status_code == 200
        and r.get_json()["state"] == "active"
        and r.get_json()["person_id"] == person["id"]
    )
    listed = client.get(f"/api/v1/organisations/{org['id']}/members", headers=h).get_json()
    assert listed["total"] == 1 and listed["items"][0]["person_id"] == person["id"]
    assert listed["items"][0]["state"] == "active"
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=h).get_json()["members_count"] == 1
    again = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"person_id": person["id"], "role": "staff"},
        headers=h,
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/members", json={"person_id": "nobody"}, headers=h
        ).status_code
        == 404
    )

    ended = client.post(f"/api/v1/organisations/{org['id']}/members/{member['id']}/end", headers=h)
    assert ended.status_code == 200 and ended.get_json()["state"] == "ended"
    assert client.get(f"/api/v1/organisations/{org['id']}/members", headers=h).get_json()["total"] == 0
    events = _events(db, "training.membership.changed")
    assert [(e["person_id"], e["status"]) for e in events] == [
        (person["id"], "active"),
        (person["id"], "ended"),
    ]
    assert all(e["organisation_id"] == org["id"] and e["role"] == "staff" for e in events)


def test_a_member_with_a_signed_in_user_is_announced_with_that_user(client, keys, db):
    h = _user(keys)
    org = _create(client, h).get_json()
    uid = uuid.uuid4().hex
    learner = keys.headers(user_id=uid, email="learner@oak.example")
    person = client.post(
        "/api/v1/people",
        json={"name": "Fictional Learner", "email": "learner@oak.example", "kind": "professional"},
        headers=learner,
    )
    assert person.status_code == 201
    person = person.get_json()
    assert person["user_id"] == uid
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        json={"person_id": person["id"], "role": "link"},
        headers=h,
    ).get_json()
    assert m["state"] == "invited" and _events(db, "training.membership.changed") == []
    assert (
        client.get(f"/api/v1/organisations/{org['id']}", headers=learner).status_code == 404
    )  # not yet accepted
    assert (
        client.post(f"/api/v1/memberships/{m['id']}/accept", headers=learner).get_json()["state"] == "active"
    )
    assert _events(db, "training.membership.changed")[-1]["user_id"] == uid
    # members see their organisation on their next request
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=learner).status_code == 200
    # DELETE is the other way to end a membership, here by person id
    assert (
        client.delete(f"/api/v1/organisations/{org['id']}/members/{person['id']}", headers=h).get_json()[
            "status"
        ]
        == "ended"
    )
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=learner).status_code == 404


def test_the_admin_records_senior_leadership_commitment(client, keys):
    h = _user(keys)
    org = _create(client, h, senior_leadership_commitment=False).get_json()
    assert any("senior leadership" in s.lower() for s in org["next_steps"])
    r = client.patch(
        f"/api/v1/organisations/{org['id']}", json={"senior_leadership_commitment": True}, headers=h
    )
    assert r.status_code == 200 and r.get_json()["senior_leadership_commitment"] is True
