"""Trust: who a person is and whether they agreed are established, never assumed (issue "Trust";
security review H1, H2, H3, M1, M2, M4, M5, M8, L7, L8; domain rows 4, 17, 29, 92, 112).

Each test reproduces a finding through the API and shows that it no longer works."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
import sqlalchemy as sa

from support.testing import simultaneously as _concurrently
from training.models import Certification, Membership, OutboxMessage, PathwayItem
from training.models.base import utcnow


def _user(keys, roles=("learner",), email=None, verified=True):
    uid = uuid.uuid4().hex
    email = email or f"{uid[:10]}@example.org"
    return keys.headers(user_id=uid, email=email, roles=list(roles), email_verified=verified), email, uid


def _org(client, h, name="Fictional Trust School", kind="school", licences=("starter",)):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": name,
            "kind": kind,
            "size_band": "small",
            "link_contact_email": "link@trust.example",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for t in licences:
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": t}
            ).status_code
            == 201
        )
    return org


def _own_person(client, h, email, name="Fictional Person"):
    r = client.post("/api/v1/people", headers=h, json={"name": name, "email": email, "kind": "professional"})
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def _events(db, kind):
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == kind).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _certified_lead_in_directory(client, keys, db):
    """A certified Lead from some organisation, listed in the public directory by themself."""
    h, email, _ = _user(keys)
    p = _own_person(client, h, email, name="Lee Fictional-Directory")
    db.session.add(Certification(person_id=p["id"], role="lead", certified_at=utcnow()))
    db.session.commit()
    assert client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=h, json={}).status_code == 201
    return p, h


# ---- H1 / row 92: membership needs the person's acceptance; the directory publishes no person id ------


def test_h1_the_directory_publishes_no_person_id(client, keys, db):
    p, _ = _certified_lead_in_directory(client, keys, db)
    listing = client.get("/api/v1/directory").get_json()
    assert listing["total"] == 1
    entry = listing["items"][0]
    assert "person_id" not in entry and p["id"] not in json.dumps(listing) and entry["id"]


def test_h1_adding_a_stranger_is_an_invitation_that_gives_nothing(client, keys, db):
    victim, victim_h = _certified_lead_in_directory(client, keys, db)
    mallory, _, _ = _user(keys)
    org = _org(client, mallory, name="Mallory Org", kind="other_service")
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=mallory,
        json={"person_id": victim["id"], "role": "staff"},
    )
    assert r.status_code == 201
    m = r.get_json()
    assert m["state"] == "invited" and m["person_id"] == victim["id"] and m["organisation_id"] == org["id"]
    assert set(m) >= {"id", "organisation_id", "person_id", "role", "state"}
    # no access to the person, their directory entry, or their money
    assert client.get(f"/api/v1/people/{victim['id']}", headers=mallory).status_code == 404
    assert (
        client.post(f"/api/v1/people/{victim['id']}/directory-entry/withdraw", headers=mallory).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/people/{victim['id']}/pathways/lead_plus/items",
            headers=mallory,
            json={"item": "lead_plus_training", "funding": "self"},
        ).status_code
        == 404
    )
    assert client.get("/api/v1/directory").get_json()["total"] == 1
    # rows 17 and 29: the borrowed Lead is no practitioner in place and no overseer
    r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=mallory, json={"type": "enhanced"})
    assert r.status_code == 409
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=mallory).get_json()["members_count"] == 0
    # the victim sees the invitation and declines it
    mine = client.get("/api/v1/memberships", headers=victim_h).get_json()
    assert mine["total"] == 1 and mine["items"][0]["state"] == "invited"
    r = client.post(f"/api/v1/memberships/{m['id']}/decline", headers=victim_h)
    assert r.status_code == 200 and r.get_json()["state"] == "declined"
    assert client.post(f"/api/v1/memberships/{m['id']}/accept", headers=victim_h).status_code == 409
    assert _events(db, "training.membership.changed") == []  # cic-tracker never hears of invitations


def test_h1_an_accepted_membership_shows_only_what_the_organisation_needs(client, keys, db, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    p = join(admin, org["id"], "Kim Fictional-Member")
    me = p["headers"]
    got = client.get(f"/api/v1/people/{p['id']}", headers=admin)
    assert (
        got.status_code == 200
        and got.get_json()["name"] == "Kim Fictional-Member"
        and "email" not in got.get_json()
    )
    assert "email" in client.get(f"/api/v1/people/{p['id']}", headers=me).get_json()
    for url in (
        f"/api/v1/people/{p['id']}/pathways/informed",
        f"/api/v1/people/{p['id']}/certifications",
        f"/api/v1/people/{p['id']}/pathway-items",
    ):
        assert client.get(url, headers=admin).status_code == 200, url
    # on the learning journey first (an enrolment): the licence's eligibility (domain row 99)
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=me,
            json={"person_id": p["id"], "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    lic = client.post(
        "/api/v1/practitioner-licences",
        headers=me,
        json={"person_id": p["id"], "idea": "A private fictional idea", "focus_areas": ["calm"]},
    ).get_json()
    for url in (
        f"/api/v1/people/{p['id']}/notification-preferences",
        f"/api/v1/people/{p['id']}/practitioner-licences",
        f"/api/v1/practitioner-licences/{lic['id']}",
    ):
        assert client.get(url, headers=admin).status_code == 404, url
    for url in (
        f"/api/v1/practitioner-licences/{lic['id']}/pause",
        f"/api/v1/people/{p['id']}/directory-entry",
        f"/api/v1/people/{p['id']}/directory-entry/withdraw",
    ):
        assert client.post(url, headers=admin, json={}).status_code == 404, url
    r = client.post(
        f"/api/v1/people/{p['id']}/pathways/informed/items",
        headers=admin,
        json={"item": "study_support", "funding": "self"},
    )
    assert r.status_code == 403  # nobody is billed for what they did not choose
    r = client.post(
        "/api/v1/enrolments",
        headers=admin,
        json={"person_id": p["id"], "course_code": "intermediate_a", "funding": "self"},
    )
    assert r.status_code == 403
    # after the member leaves, the admin sees nothing at all
    r = client.post(f"/api/v1/memberships/{p['membership_id']}/leave", headers=me)
    assert r.status_code == 200 and r.get_json()["state"] == "ended"
    assert client.get(f"/api/v1/people/{p['id']}", headers=admin).status_code == 404
    assert [e["status"] for e in _events(db, "training.membership.changed")] == ["active", "ended"]


# ---- H2: linking needs a verified email and an explicit step ----------------------------------------


def test_h2a_an_unverified_account_is_never_linked_and_may_not_create(client, keys):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    target = client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "Demo Lead", "email": "demo.lead@willowbrook.example", "kind": "professional"},
    ).get_json()
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": target["id"], "role": "staff"},
    ).get_json()
    attacker, _, _ = _user(keys, email="demo.lead@willowbrook.example", verified=False)
    assert client.get("/internal/principal", headers=attacker).get_json()["person_id"] is None
    for body, url in (
        ({"name": "x", "email": "demo.lead@willowbrook.example", "kind": "professional"}, "/api/v1/people"),
        ({"name": "Org", "kind": "school", "size_band": "small"}, "/api/v1/organisations"),
    ):
        r = client.post(url, headers=attacker, json=body)
        assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/memberships", headers=attacker).get_json()["total"] == 0
    assert client.post(f"/api/v1/memberships/{m['id']}/accept", headers=attacker).status_code == 403
    assert client.get(f"/api/v1/people/{target['id']}", headers=attacker).status_code == 404
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=attacker).status_code == 404


def test_h2a_a_verified_account_is_linked_only_when_it_asks(client, keys, db):
    admin, _, _ = _user(keys)
    older = client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "First Copy", "email": "pat@school.example", "kind": "professional"},
    ).get_json()
    client.post(
        "/api/v1/people",
        headers=admin,
        json={"name": "Second Copy", "email": "pat@school.example", "kind": "professional"},
    )
    pat, _, pat_uid = _user(keys, email="pat@school.example")
    assert (
        client.get("/internal/principal", headers=pat).get_json()["person_id"] is None
    )  # reading links nothing
    assert _events(db, "training.person.linked") == []
    r = client.post(
        "/api/v1/people",
        headers=pat,
        json={"name": "Pat", "email": "pat@school.example", "kind": "professional"},
    )
    assert r.status_code == 200 and r.get_json()["id"] == older["id"] and r.get_json()["user_id"] == pat_uid
    assert client.get("/internal/principal", headers=pat).get_json()["person_id"] == older["id"]
    assert [e["person_id"] for e in _events(db, "training.person.linked")] == [older["id"]]
    again = client.post(
        "/api/v1/people",
        headers=pat,
        json={"name": "Pat", "email": "pat@school.example", "kind": "professional"},
    )
    assert again.status_code == 200 and again.get_json()["id"] == older["id"]


def test_h2b_a_planted_person_gives_its_creator_nothing(client, keys):
    attacker, _, _ = _user(keys)
    planted = client.post(
        "/api/v1/people",
        headers=attacker,
        json={"name": "Victim Name", "email": "victim@school.example", "kind": "professional"},
    )
    assert planted.status_code == 201 and planted.get_json()["user_id"] is None
    pid = planted.get_json()["id"]
    assert client.get(f"/api/v1/people/{pid}", headers=attacker).status_code == 404
    victim, _, _ = _user(keys, email="victim@school.example")
    assert (
        client.post(
            "/api/v1/people",
            headers=victim,
            json={"name": "Victim", "email": "victim@school.example", "kind": "professional"},
        ).get_json()["id"]
        == pid
    )
    # on the learning journey first (an enrolment): the licence's eligibility (domain row 99)
    assert (
        client.post(
            "/api/v1/enrolments",
            headers=victim,
            json={"person_id": pid, "course_code": "awareness", "funding": "self"},
        ).status_code
        == 201
    )
    lic = client.post(
        "/api/v1/practitioner-licences",
        headers=victim,
        json={"person_id": pid, "idea": "my private microproject idea", "focus_areas": ["calm"]},
    )
    assert lic.status_code == 201
    assert client.get(f"/api/v1/people/{pid}/practitioner-licences", headers=attacker).status_code == 404
    assert (
        client.post(
            f"/api/v1/practitioner-licences/{lic.get_json()['id']}/pause", headers=attacker
        ).status_code
        == 404
    )


# ---- membership by consent: email invitations, my memberships, accept, decline, leave ----------------


def test_an_email_invitation_waits_for_whoever_verifies_that_email(client, keys, db):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    url = f"/api/v1/organisations/{org['id']}/members"
    r = client.post(url, headers=admin, json={"email": "New.Teacher@School.example", "role": "teacher"})
    assert r.status_code == 201
    inv = r.get_json()
    assert (
        inv["state"] == "invited"
        and inv["email"] == "new.teacher@school.example"
        and inv["person_id"] is None
    )
    dup = client.post(url, headers=admin, json={"email": "new.teacher@school.example", "role": "staff"})
    assert dup.status_code == 409 and dup.get_json()["unmet"] == ["already_invited"]
    for body, field in (
        ({"role": "staff"}, "person_id"),
        ({"email": "a@b.example", "person_id": "x", "role": "staff"}, "email"),
        ({"email": "a@b.example", "role": "security_team_notice"}, "role"),
        ({"email": "not-an-email", "role": "staff"}, "email"),
    ):
        r = client.post(url, headers=admin, json=body)
        assert r.status_code == 400 and field in r.get_json()["errors"], body
    # someone else (or the same address unverified) cannot see or accept it
    other, _, _ = _user(keys)
    assert client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=other).status_code == 404
    unverified, _, _ = _user(keys, email="new.teacher@school.example", verified=False)
    assert client.get("/api/v1/memberships", headers=unverified).get_json()["total"] == 0
    teacher, _, uid = _user(keys, email="new.teacher@school.example")
    mine = client.get("/api/v1/memberships", headers=teacher).get_json()
    assert set(mine) == {"items", "total", "page", "per_page"} and mine["total"] == 1
    assert mine["items"][0]["id"] == inv["id"] and mine["items"][0]["organisation_name"] == org["name"]
    r = client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=teacher)
    assert r.status_code == 200 and r.get_json()["state"] == "active" and r.get_json()["person_id"]
    me = client.get("/internal/principal", headers=teacher).get_json()
    assert me["person_id"] == r.get_json()["person_id"] and org["id"] in me["organisation_ids"]
    assert [e["user_id"] for e in _events(db, "training.membership.changed")] == [uid]
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=teacher).status_code == 200
    again = client.post(url, headers=admin, json={"person_id": me["person_id"], "role": "staff"})
    assert again.status_code == 409 and again.get_json()["unmet"] == ["already_member"]


def test_an_invitation_to_an_unclaimed_person_moves_to_the_callers_own_person(client, keys, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    h, email, _ = _user(keys)
    mine = _own_person(client, h, email)
    stale = client.post(
        "/api/v1/people", headers=admin, json={"name": "Copy", "email": email, "kind": "professional"}
    ).get_json()
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": stale["id"], "role": "staff"},
    ).get_json()
    r = client.post(f"/api/v1/memberships/{m['id']}/accept", headers=h)
    assert r.status_code == 200 and r.get_json()["person_id"] == mine["id"]


def test_the_admin_adding_their_own_person_is_active_at_once(client, keys):
    admin, email, _ = _user(keys)
    org = _org(client, admin)
    p = _own_person(client, admin, email)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": p["id"], "role": "lead"},
    )
    assert r.status_code == 201 and r.get_json()["state"] == "active"


# ---- L8: a closed list of roles; `admin` grants rights only once accepted ----------------------------


def test_l8_the_admin_role_grants_rights_only_when_accepted(client, keys, db):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    h, email, uid = _user(keys)
    p = _own_person(client, h, email)
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": p["id"], "role": "admin"},
    ).get_json()
    assert m["state"] == "invited"
    assert client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).status_code == 404
    assert uid not in [e["user_id"] for e in _events(db, "training.organisation_admin.changed")]
    assert client.post(f"/api/v1/memberships/{m['id']}/accept", headers=h).status_code == 200
    assert client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).status_code == 200
    assert (uid, "active") in [
        (e["user_id"], e["status"]) for e in _events(db, "training.organisation_admin.changed")
    ]
    assert client.post(f"/api/v1/memberships/{m['id']}/leave", headers=h).status_code == 200
    assert client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).status_code == 404
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": p["id"], "role": "owner"},
    )
    assert r.status_code == 400 and "role" in r.get_json()["errors"]


# ---- H3 / row 4: bursary places only for an active member, by the right people ----------------------


def test_h3_a_bursary_place_needs_an_active_member_of_that_organisation(client, keys, db, join):
    victim_admin, _, _ = _user(keys)
    v = _org(client, victim_admin)
    dep = client.post(f"/api/v1/bursaries/{v['id']}/deposits", headers=victim_admin, json={"amount": 50000})
    assert dep.status_code == 201
    invoice = client.get(f"/api/v1/orders/{dep.get_json()['order_id']}", headers=victim_admin).get_json()[
        "invoice"
    ]
    finance = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    assert (
        client.post(
            f"/api/v1/invoices/{invoice['id']}/pay", headers=finance, json={"reference": "BACS 0001"}
        ).status_code
        == 200
    )  # a deposit counts once paid
    balance = client.get(f"/api/v1/bursaries/{v['id']}", headers=victim_admin).get_json()["balance"]
    attacker, email, _ = _user(keys)
    me = _own_person(client, attacker, email)
    body = {
        "person_id": me["id"],
        "course_code": "foundation_a1",
        "funding": "bursary",
        "organisation_id": v["id"],
    }
    r = client.post("/api/v1/enrolments", headers=attacker, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["membership"]
    # invited is not enough
    client.post(
        f"/api/v1/organisations/{v['id']}/members",
        headers=victim_admin,
        json={"person_id": me["id"], "role": "staff"},
    )
    assert client.post("/api/v1/enrolments", headers=attacker, json=body).status_code == 409
    # another organisation's admin cannot spend it on their own accepted member either
    other_admin, _, _ = _user(keys)
    o = _org(client, other_admin, name="Fictional Other")
    theirs = join(other_admin, o["id"], "Their Member")
    r = client.post("/api/v1/enrolments", headers=other_admin, json={**body, "person_id": theirs["id"]})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["membership"]
    assert client.get(f"/api/v1/bursaries/{v['id']}", headers=victim_admin).get_json()["balance"] == balance
    # the organisation decides bursary places (domain row 80): its admin places an accepted member
    member = join(victim_admin, v["id"], "Ira Fictional-Bursary")
    r = client.post("/api/v1/enrolments", headers=member["headers"], json={**body, "person_id": member["id"]})
    assert r.status_code == 403
    r = client.post("/api/v1/enrolments", headers=victim_admin, json={**body, "person_id": member["id"]})
    assert r.status_code == 201 and r.get_json()["funding"] == "bursary"
    other_member = join(victim_admin, v["id"], "Jo Fictional-Bursary")
    r = client.post(
        "/api/v1/enrolments", headers=member["headers"], json={**body, "person_id": other_member["id"]}
    )
    assert r.status_code == 404  # a member reaches no other member's record


def test_row80_a_member_cannot_take_a_bursary_place_for_themself(client, keys, join):
    """Bursary places are the organisation's decision: the member themself is refused (403 naming
    who decides) and nothing is spent; the organisation's admin places them."""
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    dep = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=admin, json={"amount": 50000})
    assert dep.status_code == 201
    invoice = client.get(f"/api/v1/orders/{dep.get_json()['order_id']}", headers=admin).get_json()["invoice"]
    finance = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    assert (
        client.post(
            f"/api/v1/invoices/{invoice['id']}/pay", headers=finance, json={"reference": "BACS 0080"}
        ).status_code
        == 200
    )
    balance = client.get(f"/api/v1/bursaries/{org['id']}", headers=admin).get_json()["balance"]
    member = join(admin, org["id"], "Row Eighty Fictional")
    body = {
        "person_id": member["id"],
        "course_code": "foundation_a1",
        "funding": "bursary",
        "organisation_id": org["id"],
    }
    r = client.post("/api/v1/enrolments", headers=member["headers"], json=body)
    assert r.status_code == 403
    assert "admin" in r.get_json()["detail"]
    assert client.get(f"/api/v1/bursaries/{org['id']}", headers=admin).get_json()["balance"] == balance
    assert client.get(f"/api/v1/people/{member['id']}/enrolments", headers=admin).get_json()["items"] == []
    # a training admin may place them too
    r = client.post("/api/v1/enrolments", headers=finance, json=body)
    assert r.status_code == 201 and r.get_json()["funding"] == "bursary"
    assert client.get(f"/api/v1/bursaries/{org['id']}", headers=admin).get_json()["balance"] < balance


def test_row4_bursary_places_need_the_starter_licence(client, keys, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=())
    p = join(admin, org["id"], "Nat Fictional")
    client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=admin, json={"amount": 50000})
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        headers=admin,
        json={"person_id": p["id"], "course_code": "foundation_a1"},
    )
    assert r.status_code == 409 and r.get_json()["unmet"][0] == "starter_licence"


# ---- M1, M2: packages for members; self funding by the practitioner; accounts assigned --------------


@pytest.fixture
def enhanced(client, keys, db, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=("starter", "cpd"))
    lead = join(admin, org["id"], "Lou Fictional-Lead")
    db.session.add(
        PathwayItem(
            person_id=lead["id"], item="lead_training", role="lead", price=25000, organisation_id=org["id"]
        )
    )
    db.session.commit()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    return admin, org, lead


def test_m1_packages_only_for_active_members_and_self_funding_only_by_the_practitioner(
    client, keys, enhanced
):
    admin, org, lead = enhanced
    url = f"/api/v1/organisations/{org['id']}/packages"
    stranger_h, email, _ = _user(keys)
    stranger = _own_person(client, stranger_h, email)
    r = client.post(
        url, headers=admin, json={"type": 2, "practitioner_id": stranger["id"], "funding": "organisation"}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["membership"]
    r = client.post(url, headers=admin, json={"type": 4, "practitioner_id": lead["id"], "funding": "self"})
    assert r.status_code == 403
    r = client.post(
        url, headers=lead["headers"], json={"type": 4, "practitioner_id": lead["id"], "funding": "self"}
    )
    assert r.status_code == 201 and r.get_json()["funding"] == "self"


def test_m2_package_accounts_only_for_the_practitioner_or_assigned_members(client, keys, enhanced, join):
    admin, org, lead = enhanced
    pkg = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 2, "practitioner_id": lead["id"], "funding": "organisation"},
    ).get_json()
    outsider_h, email, _ = _user(keys)
    outsider = _own_person(client, outsider_h, email)
    body = {"course_code": "foundation_a1", "funding": "package", "package_id": pkg["id"]}
    r = client.post("/api/v1/enrolments", headers=outsider_h, json={**body, "person_id": outsider["id"]})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["package_account_assignment"]
    colleague = join(admin, org["id"], "Cam Fictional-Colleague")
    r = client.post(
        "/api/v1/enrolments", headers=colleague["headers"], json={**body, "person_id": colleague["id"]}
    )
    assert r.status_code == 409
    # the admin assigns an account to an active member (not to an outsider)
    accounts = f"/api/v1/packages/{pkg['id']}/accounts"
    r = client.post(accounts, headers=admin, json={"person_id": outsider["id"]})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["membership"]
    assert (
        client.post(accounts, headers=colleague["headers"], json={"person_id": colleague["id"]}).status_code
        == 404
    )
    r = client.post(accounts, headers=admin, json={"person_id": colleague["id"]})
    assert r.status_code == 201 and r.get_json()["person_id"] == colleague["id"]
    assert client.post(accounts, headers=admin, json={"person_id": colleague["id"]}).status_code == 409
    listed = client.get(accounts, headers=admin).get_json()
    assert listed["total"] == 1 and listed["items"][0]["person_id"] == colleague["id"]
    r = client.post(
        "/api/v1/enrolments", headers=colleague["headers"], json={**body, "person_id": colleague["id"]}
    )
    assert r.status_code == 201 and r.get_json()["package_id"] == pkg["id"]
    r = client.post("/api/v1/enrolments", headers=lead["headers"], json={**body, "person_id": lead["id"]})
    assert r.status_code == 201


# ---- L7: a member cannot draw a CPD seat for themself ----------------------------------------------


def test_l7_a_member_cannot_draw_a_cpd_seat_for_themself(client, keys, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=("starter", "cpd"))
    p = join(admin, org["id"], "Sky Fictional")
    body = {"person_id": p["id"], "course_code": "foundation_a1", "funding": "cpd_credit"}
    assert client.post("/api/v1/enrolments", headers=p["headers"], json=body).status_code == 403
    assert client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()["used"] == 0
    assert client.post("/api/v1/enrolments", headers=admin, json=body).status_code == 201


# ---- M5 / row 112: completion from a training admin or the signed learning platform ----------------


def _sign(secret, body: bytes, t=None):
    t = int(time.time()) if t is None else t
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_m5_a_learner_cannot_complete_their_own_course(client, keys, join):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=("starter", "cpd"))
    p = join(admin, org["id"], "Ash Fictional-Learner")
    e = client.post(
        "/api/v1/enrolments",
        headers=admin,
        json={"person_id": p["id"], "course_code": "foundation_a1", "funding": "cpd_credit"},
    ).get_json()
    assert client.post(f"/api/v1/enrolments/{e['id']}/completion", headers=p["headers"]).status_code == 403
    assert client.post(f"/api/v1/enrolments/{e['id']}/completion", headers=admin).status_code == 403
    assert client.get(f"/api/v1/enrolments/{e['id']}", headers=p["headers"]).get_json()["state"] == "active"
    staff, _, _ = _user(keys, roles=("training_admin",))
    r = client.post(f"/api/v1/enrolments/{e['id']}/completion", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "completed"


def test_m5_the_learning_platform_signs_completions(app, client, keys, join, monkeypatch):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=("starter", "cpd"))
    p = join(admin, org["id"], "Bo Fictional-Learner")
    e = client.post(
        "/api/v1/enrolments",
        headers=admin,
        json={"person_id": p["id"], "course_code": "foundation_a1", "funding": "cpd_credit"},
    ).get_json()
    url = "/api/v1/learning-platform/completions"
    body = json.dumps({"enrolment_id": e["id"], "completed_at": "2026-11-29T10:00:00Z"}).encode()
    monkeypatch.setitem(app.config, "LEARNING_PLATFORM_SECRET", None)
    r = client.post(
        url, data=body, content_type="application/json", headers={"X-Imatter-Signature": _sign("s", body)}
    )
    assert r.status_code == 503
    monkeypatch.setitem(app.config, "LEARNING_PLATFORM_SECRET", "fictional-shared-secret")
    for header in (
        None,
        "garbage",
        _sign("wrong-secret", body),
        _sign("fictional-shared-secret", body, t=1),
        _sign("fictional-shared-secret", body + b" "),
    ):
        r = client.post(
            url,
            data=body,
            content_type="application/json",
            headers={"X-Imatter-Signature": header} if header else {},
        )
        assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json"), (
            header
        )
    assert client.get(f"/api/v1/enrolments/{e['id']}", headers=p["headers"]).get_json()["state"] == "active"
    r = client.post(
        url,
        data=body,
        content_type="application/json",
        headers={"X-Imatter-Signature": _sign("fictional-shared-secret", body)},
    )
    assert r.status_code == 200 and r.get_json()["state"] == "completed"
    bad = json.dumps({"enrolment_id": e["id"]}).encode()
    r = client.post(
        url,
        data=bad,
        content_type="application/json",
        headers={"X-Imatter-Signature": _sign("fictional-shared-secret", bad)},
    )
    assert r.status_code == 400 and "completed_at" in r.get_json()["errors"]


# ---- M8: invitations are no open relay -------------------------------------------------------------


def test_m8_invitation_email_has_fixed_text_and_a_daily_limit(client, keys, db, monkeypatch):
    from training.models import Notification
    from training.services import memberships as orgs

    admin, _, _ = _user(keys)
    org = _org(
        client, admin, name="URGENT - your I Matter account is suspended. Re-verify at https://evil.example"
    )
    p = client.post(
        "/api/v1/people",
        headers=admin,
        json={
            "name": "Dear customer, click https://evil.example",
            "email": "target0@victim.example",
            "kind": "professional",
        },
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/members",
            headers=admin,
            json={"person_id": p["id"], "role": "staff"},
        ).status_code
        == 201
    )
    [mail] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "organisation_invitation")
    ).all()
    assert mail.subject == "An invitation to join an organisation on I Matter"
    assert "Dear customer" not in mail.text_body and "staff" not in mail.text_body
    assert "URGENT" not in mail.text_body and "evil" not in mail.text_body and "evil" not in mail.html_body
    assert f"reference {org['id'][:8]}" in mail.text_body and "/memberships" in mail.text_body
    monkeypatch.setattr(orgs, "INVITATIONS_PER_DAY", 3)
    for i in range(1, 3):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/members",
                headers=admin,
                json={"email": f"target{i}@victim.example", "role": "staff"},
            ).status_code
            == 201
        )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"email": "target9@victim.example", "role": "staff"},
    )
    assert r.status_code == 429 and r.headers.get("Retry-After")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.email == "target9@victim.example")
        )
        == 0
    )


# ---- M4: race-free on PostgreSQL -------------------------------------------------------------------


def _pg_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is meaningful on PostgreSQL (SQLite serialises every write)")


def _seat_setting(client, keys, join, n_members):
    admin, _, _ = _user(keys)
    org = _org(client, admin, licences=("starter", "cpd"))
    total = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()["total"]
    members = [join(admin, org["id"], f"Fictional Racer {i}") for i in range(n_members)]
    return admin, org, total, members


def test_m4_concurrent_seat_assignments_never_oversubscribe(app, client, keys, db, join):
    _pg_only(db)
    admin, org, total, members = _seat_setting(client, keys, join, 20)
    url = f"/api/v1/organisations/{org['id']}/seats/assignments"
    # all but three seats taken first; then 20 members race for the last three
    fillers = [join(admin, org["id"], f"Fictional Filler {i}") for i in range(max(total - 3, 0))]
    for p in fillers:
        assert client.post(url, headers=admin, json={"person_id": p["id"]}).status_code == 201
    codes = _concurrently(
        app, 20, lambda c, i: c.post(url, headers=admin, json={"person_id": members[i]["id"]}).status_code
    )
    assert 500 not in codes and codes.count(201) == 3 and codes.count(409) == 17, codes
    seats = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()
    assert seats["used"] == total and seats["available"] == 0


def test_m4_one_seat_per_person_under_concurrent_requests(app, client, keys, db, join):
    _pg_only(db)
    admin, org, total, members = _seat_setting(client, keys, join, 1)
    url = f"/api/v1/organisations/{org['id']}/seats/assignments"
    codes = _concurrently(
        app, 20, lambda c, i: c.post(url, headers=admin, json={"person_id": members[0]["id"]}).status_code
    )
    assert 500 not in codes and set(codes) <= {200, 201, 409}, codes
    assert client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()["used"] == 1


def test_m4_concurrent_cpd_credit_enrolments_never_oversubscribe(app, client, keys, db, join):
    _pg_only(db)
    admin, org, total, members = _seat_setting(client, keys, join, 20)
    url = f"/api/v1/organisations/{org['id']}/seats/assignments"
    fillers = [join(admin, org["id"], f"Fictional Filler {i}") for i in range(max(total - 2, 0))]
    for p in fillers:
        assert client.post(url, headers=admin, json={"person_id": p["id"]}).status_code == 201
    codes = _concurrently(
        app,
        20,
        lambda c, i: (
            c.post(
                "/api/v1/enrolments",
                headers=admin,
                json={"person_id": members[i]["id"], "course_code": "foundation_a1", "funding": "cpd_credit"},
            ).status_code
        ),
    )
    assert 500 not in codes and codes.count(201) == 2 and codes.count(409) == 18, codes
    assert client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()["used"] == total


def test_m4_a_duplicate_enrolment_is_one_201_under_concurrent_requests(app, client, keys, db):
    _pg_only(db)
    h, email, _ = _user(keys)
    p = _own_person(client, h, email)
    codes = _concurrently(
        app,
        20,
        lambda c, i: c.post(
            "/api/v1/enrolments",
            headers=h,
            json={"person_id": p["id"], "course_code": "deep_dive", "funding": "self"},
        ),
    )
    statuses = [r.status_code for r in codes]
    assert 500 not in statuses and statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    assert all(r.get_json()["unmet"] == ["already_enrolled"] for r in codes if r.status_code == 409)
    listing = client.get(f"/api/v1/people/{p['id']}/enrolments", headers=h).get_json()
    assert listing["total"] == 1


def test_m4_a_duplicate_invitation_is_one_201_under_concurrent_requests(app, client, keys, db):
    _pg_only(db)
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    url = f"/api/v1/organisations/{org['id']}/members"
    codes = _concurrently(
        app,
        20,
        lambda c, i: c.post(url, headers=admin, json={"email": "raced@school.example", "role": "staff"}),
    )
    statuses = [r.status_code for r in codes]
    assert 500 not in statuses and statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    assert {r.get_json()["unmet"][0] for r in codes if r.status_code == 409} <= {
        "already_invited",
        "already_member",
    }
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Membership).where(Membership.organisation_id == org["id"])
        )
        == 1
    )


def test_the_admin_inviting_their_own_verified_email_is_a_member_at_once(client, keys):
    admin, email, _ = _user(keys)
    org = _org(client, admin)
    _own_person(client, admin, email)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"email": email.upper(), "role": "practitioner"},
    )
    assert r.status_code == 201 and r.get_json()["state"] == "active" and r.get_json()["person_id"]
