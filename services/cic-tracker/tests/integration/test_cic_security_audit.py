"""cic-tracker's audit trail through its API: case writes, reads, refused reads and consent
withdrawal (erasure) are recorded; CIC staff query the trail; the trail holds ids only."""


def test_case_access_is_in_the_audit_trail(client, cic, consent):
    person, practitioner = cic.person()
    mp_id = cic.package(person)
    r = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases",
        json={"code": "MARKER-7Q", "consent": consent},
        headers=practitioner,
    )
    assert r.status_code == 201
    case_id = r.get_json()["id"]
    assert (
        client.get(
            f"/api/v1/tracker/cases/{case_id}/progress",
            headers={**practitioner, "X-Forwarded-For": "198.51.100.23"},
        ).status_code
        == 200
    )
    _, stranger = cic.person()
    assert client.get(f"/api/v1/tracker/cases/{case_id}/progress", headers=stranger).status_code == 404
    assert (
        client.post(f"/api/v1/tracker/cases/{case_id}/consent/withdraw", headers=practitioner).status_code
        == 200
    )

    r = client.get(
        f"/api/v1/cic/audit?record_type=case&record_id={case_id}&per_page=100", headers=cic.staff()
    )
    assert r.status_code == 200
    items = r.get_json()["items"]
    actions = [i["action"] for i in reversed(items)]  # oldest first
    assert actions[0] == "change" and "read" in actions and "refused" in actions and actions[-1] == "erase"
    read = next(i for i in items if i["action"] == "read")
    assert read["ip"] == "198.51.100.23"
    assert "MARKER-7Q" not in r.get_data(as_text=True)


def test_only_cic_staff_query_the_trail(client, cic):
    _, learner = cic.person()
    assert client.get("/api/v1/cic/audit").status_code == 401
    assert client.get("/api/v1/cic/audit", headers=learner).status_code == 403
    assert client.get("/api/v1/cic/audit", headers=cic.staff("fund_reviewer")).status_code == 403
    assert client.get("/api/v1/cic/audit", headers=cic.staff()).status_code == 200
