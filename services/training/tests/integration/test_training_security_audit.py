"""Training's audit trail through its API: reading a person is recorded, a refused read of
someone else's person is recorded (and answered 404), and training admins query the trail."""


def test_person_reads_and_refusals_are_in_the_audit_trail(client, keys):
    ada = keys.headers(user_id="u-ada", email="ada@example.org")
    r = client.post(
        "/api/v1/people",
        json={"name": "Ada Example", "email": "ada@example.org", "kind": "personal"},
        headers=ada,
    )
    assert r.status_code == 201
    pid = r.get_json()["id"]
    assert (
        client.get(f"/api/v1/people/{pid}", headers={**ada, "X-Forwarded-For": "203.0.113.4"}).status_code
        == 200
    )
    other = keys.headers(user_id="u-bob", email="bob@example.org")
    assert client.get(f"/api/v1/people/{pid}", headers=other).status_code == 404

    admin = keys.headers(user_id="u-admin", roles=["training_admin"])
    r = client.get(f"/api/v1/training/audit?record_type=person&record_id={pid}", headers=admin)
    assert r.status_code == 200
    items = r.get_json()["items"]
    got = {(i["action"], i["user_id"]) for i in items}
    assert {("change", "u-ada"), ("read", "u-ada"), ("refused", "u-bob")} <= got
    read = next(i for i in items if i["action"] == "read")
    assert read["ip"] == "203.0.113.4" and read["request_id"]
    assert "ada@example.org" not in r.get_data(as_text=True)  # ids only, never the personal data


def test_only_training_admins_query_the_trail(client, keys):
    assert client.get("/api/v1/training/audit").status_code == 401
    assert client.get("/api/v1/training/audit", headers=keys.headers(roles=["cic_staff"])).status_code == 403
    r = client.get("/api/v1/training/audit", headers=keys.headers(roles=["training_admin"]))
    assert r.status_code == 200 and set(r.get_json()) == {"items", "total", "page", "per_page"}
