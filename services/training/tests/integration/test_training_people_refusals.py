"""Each refusal of the people side, through the API: Child oversight (a requirement, no gate), a 4th focus
area, a paused practitioner licence used, directory opt-in without a certification, double
charging, booking before a prerequisite, and access to someone else's pathway."""

import uuid

import pytest

from training.models import Certification
from training.models.base import utcnow
from training.services import directory


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def setting(client, keys, join):
    """An organisation (school) with Starter, its admin, and a helper adding member professionals."""
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Rowan School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@rowan.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )

    def member(name):  # invited by the admin, accepted by the member
        return join(admin, org["id"], name)

    return admin, org, member


def _book(client, h, person, role, item, **extra):
    return client.post(
        f"/api/v1/people/{person['id']}/pathways/{role}/items", headers=h, json={"item": item, **extra}
    )


def test_child_lead_oversight_is_a_requirement_not_a_booking_gate(client, keys, setting):
    admin, org, member = setting
    child = member("Sam Fictional-Child")
    r = _book(client, admin, child, "child", "deep_dive", organisation_id=org["id"])
    assert r.status_code == 201 and r.get_json()["price"] == 75000  # no Lead needed to book (row 29a)
    path = client.get(f"/api/v1/people/{child['id']}/pathways/child", headers=admin).get_json()
    assert {q["code"]: q["status"] for q in path["requirements"]}["lead_oversight"] == "missing"

    lead = member("Alex Fictional-Lead")  # a Lead in training gives oversight in progress
    assert _book(client, admin, lead, "lead", "lead_training", organisation_id=org["id"]).status_code == 201
    path = client.get(f"/api/v1/people/{child['id']}/pathways/child", headers=admin).get_json()
    assert {q["code"]: q["status"] for q in path["requirements"]}["lead_oversight"] == "in_progress"


def test_deep_dive_done_for_child_is_not_charged_again_for_lead(client, keys, setting, db):
    admin, org, member = setting
    staff = _user(keys, roles=["training_admin"])
    lead = member("Kit Fictional-Lead")
    db.session.add(Certification(person_id=lead["id"], role="lead", certified_at=utcnow()))
    db.session.commit()
    child = member("Jo Fictional-Child")
    dd = _book(client, admin, child, "child", "deep_dive", organisation_id=org["id"])
    assert (
        client.post(f"/api/v1/pathway-items/{dd.get_json()['id']}/completion", headers=staff).status_code
        == 200
    )

    path = client.get(f"/api/v1/people/{child['id']}/pathways/lead", headers=admin).get_json()
    deep = next(q for q in path["requirements"] if q["code"] == "deep_dive")
    assert deep["status"] == "met" and path["remaining_cost"] == 25000 + 45000
    r = _book(client, admin, child, "lead", "deep_dive", organisation_id=org["id"])
    assert r.status_code == 409 and "not charged twice" in r.get_json()["detail"]
    # booked (not yet done) also counts: Lead training booked for Lead is not charged for Lead Plus
    assert _book(client, admin, child, "lead", "lead_training", organisation_id=org["id"]).status_code == 201
    plus = client.get(f"/api/v1/people/{child['id']}/pathways/lead_plus", headers=admin).get_json()
    assert plus["remaining_cost"] == 25000 + 60000


def test_booking_order_and_unbookable_items(client, keys, setting):
    admin, org, member = setting
    p = member("Lee Fictional-Plus")
    r = _book(client, admin, p, "lead_plus", "lead_plus_training", organisation_id=org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["lead_training"]
    r = _book(client, admin, p, "informed", "consolidation", organisation_id=org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["l1_2_completion"]
    r = _book(client, admin, p, "lead", "practicum")
    assert r.status_code == 400 and "item" in r.get_json()["errors"]
    r = _book(client, admin, p, "lead", "no_such_thing")
    assert r.status_code == 400
    assert client.get(f"/api/v1/people/{p['id']}/pathways/wizard", headers=admin).status_code == 404


def test_someone_else_sees_nothing(client, keys, setting):
    admin, org, member = setting
    p = member("Ash Fictional-Private")
    stranger = _user(keys)
    for path in (
        f"/api/v1/people/{p['id']}/pathways/lead",
        f"/api/v1/people/{p['id']}/certifications",
        f"/api/v1/people/{p['id']}/enrolments",
    ):
        assert client.get(path, headers=stranger).status_code == 404
    assert _book(client, stranger, p, "lead", "deep_dive").status_code == 404
    assert client.get(f"/api/v1/people/{p['id']}/pathways/lead").status_code == 401


@pytest.mark.parametrize("areas", [[], ["a", "b", "c", "d"]])
def test_focus_areas_must_be_one_to_three(client, keys, setting, areas):
    admin, org, member = setting
    p = member("Pat Fictional-Candle")
    r = client.post(
        "/api/v1/practitioner-licences",
        headers=p["headers"],
        json={"person_id": p["id"], "idea": "A small reading-together project", "focus_areas": areas},
    )
    assert r.status_code == 400 and "focus_areas" in r.get_json()["errors"]


def test_paused_licence_cannot_be_used_and_lifecycle(client, keys, setting, db):
    admin, org, member = setting
    staff = _user(keys, roles=["training_admin"])
    p = member("Mo Fictional-Candle")
    body = {
        "person_id": p["id"],
        "idea": "Calmer mornings",
        "focus_areas": ["routines", "transitions", "sleep"],
        "licence_name": "mini_candle",
    }
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=p["headers"],
            json={  # on the learning journey (row 99)
                "person_id": p["id"],
                "course_code": "awareness",
                "funding": "self",
            },
        ).status_code
        == 201
    )
    # the licence and its idea are the person's own: their organisation's admin neither applies nor sees it
    assert client.post("/api/v1/practitioner-licences", headers=admin, json=body).status_code == 404
    r = client.post(
        "/api/v1/practitioner-licences",
        headers=p["headers"],
        json={
            "person_id": p["id"],
            "idea": "Calmer mornings",
            "focus_areas": ["routines", "transitions", "sleep"],
            "licence_name": "mini_candle",
        },
    )
    assert r.status_code == 201
    lic = r.get_json()
    # active from the application for a year; a training admin records their review
    assert lic["state"] == "active" and lic["licence_name"] == "mini_candle" and lic["valid_until"]
    assert lic["title"] == "Microproject Practitioner Licence" and lic["approved_at"] is None
    assert client.post(f"/api/v1/practitioner-licences/{lic['id']}/approve", headers=admin).status_code == 403
    r = client.post(f"/api/v1/practitioner-licences/{lic['id']}/approve", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "active" and r.get_json()["approved_at"]
    assert r.get_json()["valid_until"] == lic["valid_until"]  # the review does not restart the term

    # Enhanced licence in place (a Link in training), then pause the practitioner's licence
    assert (
        client.post(
            f"/api/v1/people/{p['id']}/pathways/lead/items",
            headers=admin,
            json={"item": "lead_training", "organisation_id": org["id"]},
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    assert client.get(f"/api/v1/people/{p['id']}/practitioner-licences", headers=admin).status_code == 404
    assert client.post(f"/api/v1/practitioner-licences/{lic['id']}/pause", headers=admin).status_code == 404
    r = client.post(f"/api/v1/practitioner-licences/{lic['id']}/pause", headers=p["headers"])
    assert r.status_code == 200 and r.get_json()["state"] == "paused"
    body = {"type": 2, "practitioner_id": p["id"], "funding": "organisation"}
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["practitioner_licence_active"]
    assert client.post(f"/api/v1/practitioner-licences/{lic['id']}/resume", headers=admin).status_code == 404
    r = client.post(f"/api/v1/practitioner-licences/{lic['id']}/resume", headers=p["headers"])
    assert r.status_code == 200 and r.get_json()["state"] == "active"
    assert (
        client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=body).status_code
        == 201
    )
    before = r.get_json()["valid_until"]
    assert client.post(f"/api/v1/practitioner-licences/{lic['id']}/renew", headers=admin).status_code == 404
    r = client.post(f"/api/v1/practitioner-licences/{lic['id']}/renew", headers=p["headers"])
    assert r.status_code == 200 and r.get_json()["valid_until"] > before and r.get_json()["renewals"] == 1


def test_directory_opt_in_needs_a_current_certification(client, keys, setting, db):
    admin, org, member = setting
    p = member("Vic Fictional-Uncertified")
    assert client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=admin, json={}).status_code == 404
    r = client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=p["headers"], json={})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["directory_certification"]
    cert = Certification(person_id=p["id"], role="lead", certified_at=utcnow())
    db.session.add(cert)
    db.session.commit()
    # certified but not opted in: not listed
    assert client.get("/api/v1/directory?q=Vic").get_json()["total"] == 0
    assert (
        client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=p["headers"], json={}).status_code
        == 201
    )
    assert client.get("/api/v1/directory?q=Vic").get_json()["total"] == 1
    cert.status = "withdrawn"  # no longer current: off the directory at once
    directory.refresh_eligibility([p["id"]])  # what changes a certification refreshes the listing
    db.session.commit()
    assert client.get("/api/v1/directory?q=Vic").get_json()["total"] == 0
