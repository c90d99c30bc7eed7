"""Priorities Consultations and locality hubs through the API."""

from datetime import UTC, datetime, timedelta

from cic_tracker.models import Consultation


def _future(days=7):
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _hub(client, cic, name="Northside Hub (fictional)"):
    r = client.post("/api/v1/hubs", json={"name": name, "locality": "Northside"}, headers=cic.staff())
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_hubs_are_created_by_cic_staff_and_listed(client, cic):
    _, user = cic.person()
    assert client.post("/api/v1/hubs", json={"name": "H"}, headers=user).status_code == 403
    assert client.post("/api/v1/hubs", json={"name": "H"}).status_code == 401
    hub = _hub(client, cic)
    assert client.post("/api/v1/hubs", json={"name": hub["name"]}, headers=cic.staff()).status_code == 409
    listing = client.get("/api/v1/hubs", headers=user).get_json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == hub["id"]
    assert client.get(f"/api/v1/hubs/{hub['id']}", headers=user).status_code == 200
    assert client.get("/api/v1/hubs/nope", headers=user).status_code == 404


def test_a_microproject_can_belong_to_a_hub(client, cic):
    person, headers = cic.person()
    mp_id = cic.package(person)
    hub = _hub(client, cic)
    r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/hub", json={"hub_id": hub["id"]}, headers=headers)
    assert r.status_code == 200 and r.get_json()["hub_id"] == hub["id"]
    r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/hub", json={"hub_id": "nope"}, headers=headers)
    assert r.status_code == 400 and "hub_id" in r.get_json()["errors"]


def test_consultation_lifecycle(client, cic):
    _, family = cic.person()
    hub = _hub(client, cic)
    r = client.post(
        "/api/v1/consultations",
        json={"for_kind": "family", "purpose": "Set priorities", "hub_id": hub["id"]},
        headers=family,
    )
    assert r.status_code == 201
    c = r.get_json()
    assert c["state"] == "requested" and c["expires_at"] and c["hub_id"] == hub["id"]
    staff = cic.staff()
    assert (
        client.post(
            f"/api/v1/consultations/{c['id']}/schedule", json={"scheduled_for": _future()}, headers=family
        ).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/consultations/{c['id']}/schedule", json={"scheduled_for": _future()}, headers=staff
    )
    assert r.status_code == 200 and r.get_json()["state"] == "scheduled"
    r = client.post(f"/api/v1/consultations/{c['id']}/complete", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "completed"
    r = client.post(f"/api/v1/consultations/{c['id']}/cancel", headers=family)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["consultation_live"]


def test_consultations_are_time_limited_and_cancellable(client, cic, db):
    _, prof = cic.person()
    staff = cic.staff()
    c = client.post(
        "/api/v1/consultations", json={"for_kind": "professional", "purpose": "Team focus"}, headers=prof
    ).get_json()
    r = client.post(
        f"/api/v1/consultations/{c['id']}/schedule", json={"scheduled_for": _future(400)}, headers=staff
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["time_limited"]
    r = client.post(
        f"/api/v1/consultations/{c['id']}/schedule",
        json={"scheduled_for": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
        headers=staff,
    )
    assert r.status_code == 400
    assert (
        client.post(f"/api/v1/consultations/{c['id']}/cancel", headers=prof).get_json()["state"]
        == "cancelled"
    )
    other = client.post(
        "/api/v1/consultations", json={"for_kind": "organisation", "purpose": "Plan"}, headers=prof
    ).get_json()
    row = db.session.get(Consultation, other["id"])
    row.expires_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/api/v1/consultations/{other['id']}", headers=prof).get_json()["state"] == "expired"


def test_consultations_are_seen_by_their_requester_and_cic_staff(client, cic):
    _, a = cic.person()
    _, b = cic.person()
    assert (
        client.post(
            "/api/v1/consultations", json={"for_kind": "patient", "purpose": "x"}, headers=a
        ).status_code
        == 400
    )
    c = client.post(
        "/api/v1/consultations", json={"for_kind": "family", "purpose": "x"}, headers=a
    ).get_json()
    client.post("/api/v1/consultations", json={"for_kind": "family", "purpose": "y"}, headers=b)
    assert client.get("/api/v1/consultations", headers=a).get_json()["total"] == 1
    assert client.get("/api/v1/consultations", headers=cic.staff()).get_json()["total"] == 2
    assert client.get(f"/api/v1/consultations/{c['id']}", headers=b).status_code == 404
    assert client.post(f"/api/v1/consultations/{c['id']}/cancel", headers=b).status_code == 404
    clamped = client.get("/api/v1/consultations?per_page=101", headers=a)  # above 100 is read as 100
    assert clamped.status_code == 200 and clamped.get_json()["per_page"] == 100
    assert client.get("/api/v1/consultations?per_page=0", headers=a).status_code == 400
