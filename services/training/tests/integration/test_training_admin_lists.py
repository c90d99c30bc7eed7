"""Lists for people and training admins: a person's practitioner licences, every pathway item
(the completions page) and Lead Professional applications; who may read them."""

import uuid

import pytest


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def setting(client, keys, join):
    """An organisation admin, a member who signs in as themself (invited, accepted), and a training admin."""
    org_admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=org_admin,
        json={
            "name": "Fictional Rowan School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@rowan.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    email = f"{uuid.uuid4().hex[:8]}@rowan.example"
    person = join(org_admin, org["id"], "Ria Fictional-Practitioner", email=email)
    themself = person.pop("headers")
    return {
        "org": org,
        "person": person,
        "org_admin": org_admin,
        "themself": themself,
        "staff": _user(keys, roles=("training_admin",)),
        "stranger": _user(keys),
    }


def _apply_licence(client, s):
    # on the learning journey first (an enrolment): the licence's eligibility (domain row 99)
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=s["themself"],
            json={"person_id": s["person"]["id"], "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    r = client.post(
        "/api/v1/practitioner-licences",
        headers=s["themself"],
        json={
            "person_id": s["person"]["id"],
            "idea": "A fictional lunchtime calm club",
            "focus_areas": ["calm"],
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _book(client, s, item="study_support", role="informed"):
    r = client.post(
        f"/api/v1/people/{s['person']['id']}/pathways/{role}/items",
        headers=s["themself"],
        json={"item": item, "funding": "self"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_persons_practitioner_licences(client, setting):
    s = setting
    pid = s["person"]["id"]
    url = f"/api/v1/people/{pid}/practitioner-licences"
    empty = client.get(url, headers=s["themself"]).get_json()
    assert empty == {"items": [], "total": 0, "page": 1, "per_page": 20}
    lic = _apply_licence(client, s)
    # the person's own licence ideas: never their organisation's admin (DOMAIN "Consent and identity")
    assert client.get(url, headers=s["org_admin"]).status_code == 404
    for who in ("themself", "staff"):
        r = client.get(url, headers=s[who])
        assert r.status_code == 200, who
        body = r.get_json()
        assert body["total"] == 1 and [x["id"] for x in body["items"]] == [lic["id"]]
        assert body["items"][0]["state"] == "active" and body["items"][0]["person_id"] == pid
    assert client.get(url, headers=s["stranger"]).status_code == 404
    assert client.get(url).status_code == 401
    assert (
        client.get("/api/v1/people/no-such-person/practitioner-licences", headers=s["staff"]).status_code
        == 404
    )
    # the single licence is still at its old address
    assert client.get(f"/api/v1/practitioner-licences/{lic['id']}", headers=s["themself"]).status_code == 200


def test_training_admins_list_pathway_items_for_completion(client, setting):
    s = setting
    booked = _book(client, s)
    r = client.get("/api/v1/pathway-items?state=booked", headers=s["staff"])
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    mine = [i for i in body["items"] if i["id"] == booked["id"]]
    assert mine and mine[0]["state"] == "booked" and mine[0]["person_name"] == s["person"]["name"]

    assert (
        client.post(f"/api/v1/pathway-items/{booked['id']}/completion", headers=s["staff"]).status_code == 200
    )
    still_booked = client.get(
        f"/api/v1/pathway-items?state=booked&person_id={s['person']['id']}", headers=s["staff"]
    ).get_json()
    assert still_booked["total"] == 0
    done = client.get(
        f"/api/v1/pathway-items?state=completed&person_id={s['person']['id']}", headers=s["staff"]
    ).get_json()
    assert [i["id"] for i in done["items"]] == [booked["id"]] and done["items"][0]["completed_at"]

    assert client.get("/api/v1/pathway-items?state=lost", headers=s["staff"]).status_code == 400
    for who in ("org_admin", "themself", "stranger"):
        assert client.get("/api/v1/pathway-items", headers=s[who]).status_code == 403, who
    assert client.get("/api/v1/pathway-items").status_code == 401


def test_pathway_items_page_through_every_person(client, setting, join):
    s = setting
    _book(client, s)
    other = join(s["org_admin"], s["org"]["id"], "Oli Fictional-Second", email="oli@rowan.example")
    _book(client, {**s, "person": other, "themself": other["headers"]})
    first = client.get("/api/v1/pathway-items?per_page=1", headers=s["staff"]).get_json()
    second = client.get("/api/v1/pathway-items?per_page=1&page=2", headers=s["staff"]).get_json()
    assert first["total"] == second["total"] == 2 and first["per_page"] == 1 and second["page"] == 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert {first["items"][0]["person_id"], second["items"][0]["person_id"]} == {
        s["person"]["id"],
        other["id"],
    }


def test_training_admins_list_lead_professional_applications(client, setting, db):
    s = setting
    from training.models.lead_professionals import LeadProfessionalApplication

    # the application itself is under test elsewhere; here one is written to be listed
    db.session.add(
        LeadProfessionalApplication(
            person_id=s["person"]["id"],
            organisation_id=s["org"]["id"],
            route="standard",
            references=[{"name": "R", "relationship": "x"}] * 2,
            senior_leadership_backing=True,
            state="applied",
            created_by="test",
        )
    )
    db.session.commit()
    r = client.get("/api/v1/lead-professionals/applications", headers=s["staff"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 1 and body["items"][0]["person_id"] == s["person"]["id"]
    assert body["items"][0]["state"] == "applied" and body["page"] == 1
    assert (
        client.get("/api/v1/lead-professionals/applications?state=trainee", headers=s["staff"]).get_json()[
            "total"
        ]
        == 0
    )
    assert (
        client.get("/api/v1/lead-professionals/applications?state=nope", headers=s["staff"]).status_code
        == 400
    )
    for who in ("org_admin", "themself"):
        assert client.get("/api/v1/lead-professionals/applications", headers=s[who]).status_code == 403
