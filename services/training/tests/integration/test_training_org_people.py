"""People through the API: a person created with the caller's own email is the caller's."""

import uuid


def test_a_person_with_my_email_becomes_mine_on_the_next_request(client, keys):
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email="Fictional.Parent@Example.org")
    assert client.get("/internal/principal", headers=h).get_json()["person_id"] is None
    r = client.post(
        "/api/v1/people",
        json={"name": "Fictional Parent", "email": "fictional.parent@example.org", "kind": "personal"},
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    me = r.get_json()
    assert me["user_id"] == uid and me["kind"] == "personal"
    assert client.get("/internal/principal", headers=h).get_json()["person_id"] == me["id"]
    again = client.post(
        "/api/v1/people",
        json={"name": "Fictional Parent", "email": "fictional.parent@example.org", "kind": "personal"},
        headers=h,
    )
    assert again.status_code == 200 and again.get_json()["id"] == me["id"]
    assert client.get(f"/api/v1/people/{me['id']}", headers=h).status_code == 200


def test_people_created_for_others_stay_unlinked_and_private(client, keys):
    h = keys.headers(user_id=uuid.uuid4().hex, email="admin@example.org")
    assert (
        client.post(
            "/api/v1/organisations",
            json={"name": "Fictional Org", "kind": "school", "size_band": "micro"},
            headers=h,
        ).status_code
        == 201
    )
    p = client.post(
        "/api/v1/people",
        json={"name": "Fictional Staff", "email": "staff@example.org", "kind": "professional"},
        headers=h,
    ).get_json()
    assert p["user_id"] is None
    # its creator (an organisation admin) gets no access from creating it (security review H2b)
    assert client.get(f"/api/v1/people/{p['id']}", headers=h).status_code == 404
    other = keys.headers(user_id=uuid.uuid4().hex, email="someone@example.org")
    assert client.get(f"/api/v1/people/{p['id']}", headers=other).status_code == 404
    # the staff member signs up later with that email: nothing is linked until they say so
    staff = keys.headers(user_id=uuid.uuid4().hex, email="staff@example.org")
    assert client.get(f"/api/v1/people/{p['id']}", headers=staff).status_code == 404
    assert client.get("/internal/principal", headers=staff).get_json()["person_id"] is None
    # ... and then it is theirs (the oldest unclaimed person carrying their verified email)
    r = client.post(
        "/api/v1/people",
        json={"name": "Fictional Staff", "email": "staff@example.org", "kind": "professional"},
        headers=staff,
    )
    assert r.status_code == 200 and r.get_json()["id"] == p["id"]
    assert client.get(f"/api/v1/people/{p['id']}", headers=staff).status_code == 200


def test_people_input_is_validated(client, keys):
    h = keys.headers(user_id=uuid.uuid4().hex)
    for body, field in (
        ({"name": "A", "email": "not-an-email", "kind": "personal"}, "email"),
        ({"name": "A", "email": "a@example.org", "kind": "family"}, "kind"),
        ({"email": "a@example.org", "kind": "personal"}, "name"),
    ):
        r = client.post("/api/v1/people", json=body, headers=h)
        assert r.status_code == 400 and field in r.get_json()["errors"]
    assert client.post("/api/v1/people", json={"name": "A"}).status_code == 401
    assert (
        client.get("/api/v1/people/unknown", headers=keys.headers(roles=["training_admin"])).status_code
        == 404
    )
