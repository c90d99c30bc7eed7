"""The foundation, end to end: real gunicorn processes behind the gateway."""

import pytest

pytestmark = pytest.mark.e2e

ORG = {
    "name": "Fictional Primary School",
    "kind": "school",
    "size_band": "small",
    "link_contact_email": "link@fictional-school.example",
    "senior_leadership_commitment": True,
}


def test_register_login_me_and_both_services(api):
    user = api.signed_up(name="Grace Example")
    me = user.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email and "learner" in me.json()["roles"]
    # a training endpoint and a cic-tracker endpoint, through the gateway
    courses = user.get("/api/v1/catalogue/courses")
    assert courses.status_code == 200 and courses.json()["total"] > 0
    projects = user.get("/api/v1/tracker/microprojects")
    assert projects.status_code == 200 and projects.json()["items"] == []


def test_bad_token_is_401(api):
    api.token = "not-a-real-token"
    r = api.get("/api/v1/tracker/microprojects")
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"


def test_another_organisations_record_is_404(api):
    alice, bob = api.signed_up(name="Alice"), api.signed_up(name="Bob")
    r = alice.post("/api/v1/organisations", ORG)
    assert r.status_code == 201, r.text
    org_id = r.json()["id"]
    assert alice.get(f"/api/v1/organisations/{org_id}").status_code == 200
    # membership takes effect on the next request, without signing in again
    assert org_id in alice.get("/api/v1/me").json()["organisation_ids"]
    r = bob.get(f"/api/v1/organisations/{org_id}")
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/problem+json"


def test_malformed_json_is_400_naming_the_field(api):
    user = api.signed_up()
    r = user.http.post(
        user.base + "/api/v1/organisations",
        data="{oops",
        headers={**user._headers(), "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["errors"]
    r = user.post("/api/v1/organisations", {**ORG, "kind": "castle"})
    assert r.status_code == 400 and "kind" in r.json()["errors"]


def test_stopped_service_gives_502_and_the_gateway_stays_up(stack, api):
    user = api.signed_up()
    stack.stop_process("cic")
    try:
        r = user.get("/api/v1/tracker/microprojects")
        assert r.status_code in (502, 504)
        assert r.headers["Content-Type"] == "application/problem+json"
        assert user.get("/api/v1/catalogue/courses").status_code == 200
        assert api.get("/healthz").status_code == 200
    finally:
        stack.start_web("cic")
        stack.wait_healthy("cic")
    assert user.get("/api/v1/tracker/microprojects").status_code == 200
