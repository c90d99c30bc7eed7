"""The security review's reproductions (2026-11-29), replayed through the gateway against the
whole system as real processes, once on the embedded default (SQLite) and once on PostgreSQL.
Each test is a finding's own requests; each now fails to do what the finding did. The services'
own suites hold the finer cases (tests/*/test_*_trust_*.py) and the 20-thread races."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from support import testing as t
from support.api_client import Client, wait_for
from support.stack import Stack
from support.stories import SCHOOL, ok, practitioner_with_package

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request):
    urls = {}
    if request.param == "postgres":
        urls = {
            name: t.create_postgres_database(f"imatter_e2e_{name}") for name in ("training", "cic", "gateway")
        }
    s = Stack(database_urls=urls)
    try:
        s.start()
        yield s
    finally:
        s.cleanup()
        for url in urls.values():
            t.drop_postgres_database(url)


def _org(admin, **over):
    return ok(
        admin.post("/api/v1/organisations", {**SCHOOL, "name": f"Fictional {uuid.uuid4().hex[:6]}", **over})
    )


def _pay(training_admin, owner, order_id):
    invoice = ok(owner.get(f"/api/v1/orders/{order_id}"), 200)["invoice"]
    ok(training_admin.post(f"/api/v1/invoices/{invoice['id']}/pay", {"reference": "BACS TEST"}), 200)


def test_h1_an_admin_cannot_take_over_a_person_by_adding_them(api):
    victim = api.signed_up(name="Vic Fictional-Lead")
    p = ok(
        victim.post(
            "/api/v1/people", {"name": "Vic Fictional-Lead", "email": victim.email, "kind": "professional"}
        )
    )
    assert all("person_id" not in e for e in ok(api.get("/api/v1/directory"), 200)["items"])
    mallory = api.signed_up(name="Mallory Fictional")
    x = _org(mallory)
    m = ok(mallory.post(f"/api/v1/organisations/{x['id']}/members", {"person_id": p["id"], "role": "staff"}))
    assert m["state"] == "invited"  # was: an active member at once
    assert mallory.get(f"/api/v1/people/{p['id']}").status_code == 404
    assert mallory.post(f"/api/v1/people/{p['id']}/directory-entry/withdraw").status_code == 404
    r = mallory.post(
        f"/api/v1/people/{p['id']}/pathways/lead_plus/items",
        {"item": "lead_plus_training", "funding": "self"},
    )
    assert r.status_code in (403, 404), r.text
    # the borrowed person counts for nothing: no Enhanced Licence on their back
    ok(mallory.post(f"/api/v1/organisations/{x['id']}/licences", {"type": "starter"}))
    r = mallory.post(f"/api/v1/organisations/{x['id']}/licences", {"type": "enhanced"})
    assert r.status_code == 409, r.text


def test_h2_an_unverified_account_claims_no_person_and_creates_nothing(api):
    admin = api.signed_up(name="Ada Fictional-Admin")
    org = _org(admin)
    email = f"demo.lead-{uuid.uuid4().hex[:6]}@willowbrook.example"
    ok(admin.post(f"/api/v1/organisations/{org['id']}/members", {"email": email, "role": "staff"}))
    claimant = api.signed_up(name="x", email=email, verified=False)
    me = ok(claimant.get("/api/v1/me"), 200)
    assert me["email_verified"] is False and me["person_id"] is None and me["organisation_ids"] == []
    assert (
        claimant.post("/api/v1/people", {"name": "x", "email": email, "kind": "professional"}).status_code
        == 403
    )
    assert claimant.post("/api/v1/organisations", {**SCHOOL, "name": "Fictional Claim"}).status_code == 403
    assert ok(claimant.get("/api/v1/tracker/microprojects"), 200)["items"] == []
    # once the owner proves the address, the invitation is theirs to accept
    api.verify_email(email)
    [invitation] = [
        m for m in ok(claimant.get("/api/v1/memberships"), 200)["items"] if m["state"] == "invited"
    ]
    assert ok(claimant.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)["state"] == "active"
    assert ok(claimant.get("/api/v1/me"), 200)["person_id"]


def test_h3_m3_a_bursary_is_spent_only_by_its_members_and_counts_only_paid_deposits(api, training_admin):
    victim = api.signed_up(name="Val Fictional-Admin")
    v = _org(victim)
    ok(victim.post(f"/api/v1/organisations/{v['id']}/licences", {"type": "starter"}))
    deposit = ok(victim.post(f"/api/v1/bursaries/{v['id']}/deposits", {"amount": 50000}))
    assert deposit["order_id"]
    assert ok(victim.get(f"/api/v1/bursaries/{v['id']}"), 200)["balance"] == 0  # was: money without payment
    _pay(training_admin, victim, deposit["order_id"])
    assert ok(victim.get(f"/api/v1/bursaries/{v['id']}"), 200)["balance"] == 50000
    attacker = api.signed_up(name="Ari Fictional")
    me = ok(
        attacker.post(
            "/api/v1/people", {"name": "Ari Fictional", "email": attacker.email, "kind": "personal"}
        )
    )
    r = attacker.post(
        "/api/v1/enrolments",
        {
            "person_id": me["id"],
            "course_code": "foundation_a1",
            "funding": "bursary",
            "organisation_id": v["id"],
        },
    )
    assert r.status_code == 409, r.text
    assert ok(victim.get(f"/api/v1/bursaries/{v['id']}"), 200)["balance"] == 50000


def test_m1_m2_m5_packages_accounts_and_completion_are_guarded(api, training_admin):
    admin, pro, org, person, package = practitioner_with_package(api)
    stranger = api.signed_up(name="Sam Fictional-Stranger")
    sp = ok(stranger.post("/api/v1/people", {"name": "Sam", "email": stranger.email, "kind": "professional"}))
    # M1: no package for someone who is not an accepted member, and nobody else chooses `self`
    r = admin.post(
        f"/api/v1/organisations/{org['id']}/packages",
        {"type": 2, "practitioner_id": sp["id"], "funding": "organisation"},
    )
    assert r.status_code == 409, r.text
    r = admin.post(
        f"/api/v1/organisations/{org['id']}/packages",
        {"type": 2, "practitioner_id": person["id"], "funding": "self"},
    )
    assert r.status_code in (403, 409), r.text
    # M2: another organisation's package gives the stranger no online account
    r = stranger.post(
        "/api/v1/enrolments",
        {
            "person_id": sp["id"],
            "course_code": "foundation_a1",
            "funding": "package",
            "package_id": package["id"],
        },
    )
    assert r.status_code in (403, 404, 409), r.text
    # M5: the learner does not complete their own course; a training admin does
    e = ok(
        stranger.post(
            "/api/v1/enrolments", {"person_id": sp["id"], "course_code": "awareness", "funding": "self"}
        )
    )
    assert stranger.post(f"/api/v1/enrolments/{e['id']}/completion").status_code == 403
    assert ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)["state"] == "completed"


def test_m4_twenty_simultaneous_enrolments_on_one_course_make_one(api):
    learner = api.signed_up(name="Lou Fictional-Learner")
    me = ok(learner.post("/api/v1/people", {"name": "Lou", "email": learner.email, "kind": "personal"}))
    body = {"person_id": me["id"], "course_code": "deep_dive", "funding": "self"}

    def enrol(_):
        return requests.post(
            learner.base + "/api/v1/enrolments",
            json=body,
            timeout=60,
            headers={"Authorization": f"Bearer {learner.token}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(enrol, range(20)))
    assert sorted(codes) == [201] + [409] * 19, codes  # never charged twice, never a 500
    mine = ok(learner.get(f"/api/v1/people/{me['id']}/enrolments"), 200)["items"]
    assert [e["course_code"] for e in mine] == ["deep_dive"]


def test_row93_l8_case_text_is_for_the_practitioner_and_roles_are_a_closed_list(api):
    admin, pro, org, person, package = practitioner_with_package(api)
    [mp] = wait_for(lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="workspace")
    case = ok(
        pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/cases",
            {
                "code": "CASE-RV1",
                "consent": {
                    "given_by": "parent",
                    "scope": "microproject",
                    "given_at": "2026-11-01T09:00:00Z",
                },
            },
        )
    )
    ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/goals", {"text": "private goal", "status": "open"}))
    assert admin.get(f"/api/v1/tracker/cases/{case['id']}").status_code == 404  # counts only for the admin
    assert ok(pro.get(f"/api/v1/tracker/cases/{case['id']}"), 200)["id"] == case["id"]
    r = admin.post(
        f"/api/v1/organisations/{org['id']}/members", {"email": "x@example.org", "role": "superuser"}
    )
    assert r.status_code == 400 and "role" in r.json()["errors"]


def test_l6_gifts_count_once_received(api, cic_admin):
    supporter = api.signed_up(name="Gil Fictional-Supporter")
    before = ok(cic_admin.get("/api/v1/fund/ledger"), 200)["balance"]
    gift = ok(supporter.post("/api/v1/fund/gifts", {"amount": 2500, "name": "Gil"}))
    assert gift["state"] == "pledged"
    assert ok(cic_admin.get("/api/v1/fund/ledger"), 200)["balance"] == before  # was: money without payment
    ok(cic_admin.post(f"/api/v1/fund/gifts/{gift['id']}/received"), 200)
    assert ok(cic_admin.get("/api/v1/fund/ledger"), 200)["balance"] == before + 2500


def test_l2_l3_l4_l11_the_gateway_and_services_refuse_what_they_must(stack, api):
    user = api.signed_up(name="Tess Fictional")
    # L2: dot segments never reach routes outside the allow-list
    raw = requests.Session()
    req = requests.Request("GET", stack.url() + "/api/v1/catalogue/../../../internal/principal").prepare()
    req.url = stack.url() + "/api/v1/catalogue/../../../internal/principal"  # sent as is, not normalised
    assert raw.send(req, timeout=30).status_code in (400, 404)
    assert api.get("/api/v1/tracker/%2e%2e/%2e%2e/openapi.json").status_code in (400, 404)
    # L3: a client token straight to a service is refused; signing out ends it at the gateway
    direct = Client(stack.url("training"), user.token)
    assert direct.get("/api/v1/organisations").status_code == 401
    # L4: nested JSON, a lone surrogate, a NUL: 400, never 500
    headers = {"Authorization": f"Bearer {user.token}", "Content-Type": "application/json"}
    for body in (
        "[" * 60000,
        '{"element": "a\\ud800b", "name": "x", "email": "x@example.org"}',
        '{"element": "communication", "name": "N\\u0000", "email": "x@example.org"}',
    ):
        r = requests.post(stack.url() + "/api/v1/interest", data=body, headers=headers, timeout=30)
        assert r.status_code == 400 and r.headers["Content-Type"].startswith("application/problem+json"), (
            r.text
        )
    # L11: personal data and tokens are not cached
    assert "no-store" in user.get("/api/v1/me").headers.get("Cache-Control", "")
    r = api.post("/api/v1/auth/login", {"email": user.email, "password": "Plenty-long-passphrase-1"})
    assert "no-store" in r.headers.get("Cache-Control", "")
    assert user.post("/api/v1/auth/logout").status_code == 204
    assert user.get("/api/v1/me").status_code == 401


def test_m7_l10_spoofed_addresses_do_not_escape_limits_and_sign_up_reveals_nobody(api):
    user = api.signed_up(name="Ray Fictional")
    again = api.post(
        "/api/v1/auth/register",
        {"email": user.email, "password": "Another-long-passphrase-2", "name": "Someone"},
    )
    fresh = api.post(
        "/api/v1/auth/register",
        {
            "email": f"new-{uuid.uuid4().hex[:8]}@example.org",
            "password": "Another-long-passphrase-2",
            "name": "Someone",
        },
    )
    assert again.status_code == fresh.status_code == 201
    assert (
        set(again.json()) == set(fresh.json()) and again.json()["id"] != ok(user.get("/api/v1/me"), 200)["id"]
    )
    codes = [
        api.post(
            "/api/v1/auth/login",
            {"email": f"nobody-{i}@example.org", "password": "wrong-password-1"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(40)
    ]
    assert 429 in codes, codes  # X-Forwarded-For is not believed from an unnamed proxy
