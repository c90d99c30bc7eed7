"""Trust, second review: what a fresh reviewer still found (issue "Trust").

Each test reproduces a defect through the API (SQLite and PostgreSQL; races with 20 real threads
on PostgreSQL) and shows that it no longer works:
1 an ordinary member billed the organisation; 2 one pathway item charged several times at once;
3 a package's online accounts oversubscribed; 4 several practitioner licences at once;
5 simultaneous accepts announced a membership many times; 6 invitations: a limit per user, and an
email with no attacker-written text; 7 a commissioner learned any fund's money; 8 organisation
admins saw a member's other learning and other organisations' Lead Professional applications."""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.testing import simultaneous_results
from training.models import Membership, Order, OutboxMessage, PathwayItem
from training.models.learning import LearningAccount
from training.models.packages import Package
from training.models.practitioner_licences import PractitionerLicence


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    email = email or f"{uid[:10]}@example.org"
    return keys.headers(user_id=uid, email=email, roles=list(roles), email_verified=True), email


def _org(client, h, name="Fictional Review School", kind="school", licences=("starter", "cpd")):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": name,
            "kind": kind,
            "size_band": "small",
            "link_contact_email": "link@review.example",
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


def _count(db, model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _events(db, kind):
    return [
        json.loads(r.payload)["data"]
        for r in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == kind).order_by(OutboxMessage.id)
        )
    ]


def _race(app, requests):
    """Fire the requests at once, each on its own thread and client; [(status, json)]."""
    return simultaneous_results(
        app,
        len(requests),
        lambda c, i: c.open(
            requests[i][1], method=requests[i][0], headers=requests[i][2], json=requests[i][3]
        ),
    )


def _postgres_only(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "simultaneous writers: SQLite serialises them; the unique indexes are tested sequentially"
        )


@pytest.fixture
def enhanced(client, keys, db, join):
    """A school with the Enhanced licence and a member training as a Lead (a package may be bought)."""
    admin, _ = _user(keys)
    org = _org(client, admin)
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


# ---- 1: an ordinary member billed the organisation --------------------------------------------------


def test_1_only_an_admin_of_the_organisation_books_or_buys_on_its_account(client, db, keys, enhanced):
    admin, org, lead = enhanced
    orders_before = _count(db, Order)
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=lead["headers"],
        json={"item": "deep_dive", "funding": "organisation"},
    )
    assert r.status_code == 403, r.get_json()
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=lead["headers"],
        json={"item": "deep_dive", "organisation_id": org["id"]},
    )  # organisation by default
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=lead["headers"],
        json={"type": 2, "practitioner_id": lead["id"], "funding": "organisation"},
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=lead["headers"],
        json={"item": "package_type_3", "organisation_id": org["id"]},
    )
    assert r.status_code == 403
    assert _count(db, Order) == orders_before and _count(db, Package) == 0
    assert _count(db, PathwayItem, PathwayItem.item == "deep_dive") == 0
    # what the member chooses and pays for themself, and what the admin chooses for the organisation
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=lead["headers"],
        json={"type": 2, "practitioner_id": lead["id"], "funding": "self"},
    )
    assert r.status_code == 201 and r.get_json()["funding"] == "self"
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=admin,
        json={"item": "deep_dive", "funding": "organisation"},
    )
    assert r.status_code == 201 and r.get_json()["organisation_id"] == org["id"]
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 3, "practitioner_id": lead["id"], "funding": "organisation"},
    )
    assert r.status_code == 201


# ---- 2: one pathway item charged several times at once -----------------------------------------------


def test_2_twenty_simultaneous_bookings_of_one_item_charge_it_once(app, client, db, keys):
    _postgres_only(db)
    h, email = _user(keys)
    p = _own_person(client, h, email)
    orders_before = _count(db, Order)
    url = f"/api/v1/people/{p['id']}/pathways/lead/items"
    out = _race(app, [("POST", url, h, {"item": "deep_dive", "funding": "self"})] * 20)
    codes = sorted(s for s, _ in out)
    assert codes == [201] + [409] * 19, codes
    assert all(b["unmet"] == ["not_charged_twice"] for s, b in out if s == 409)
    assert _count(db, PathwayItem, PathwayItem.person_id == p["id"]) == 1
    assert _count(db, Order) == orders_before + 1


def test_2_the_database_refuses_a_second_live_item_even_past_the_services_check(
    client, db, keys, monkeypatch
):
    """The partial unique index holds on both databases: with the service's own check blinded
    (as for two requests that both read before either wrote) the second booking is a 409 naming
    the rule, and nothing of it stays. Consolidation sessions, booked in parts, are not refused."""
    from training.rules import pathway as pathway_rules

    h, email = _user(keys)
    p = _own_person(client, h, email)
    url = f"/api/v1/people/{p['id']}/pathways/lead/items"
    assert client.post(url, headers=h, json={"item": "deep_dive", "funding": "self"}).status_code == 201
    r = client.post(url, headers=h, json={"item": "deep_dive", "funding": "self"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["not_charged_twice"]
    original = pathway_rules.check_booking

    def blind(role, item, facts, quantity=None):
        facts.items = {}
        return original(role, item, facts, quantity)

    monkeypatch.setattr(pathway_rules, "check_booking", blind)
    orders_before = _count(db, Order)
    r = client.post(url, headers=h, json={"item": "deep_dive", "funding": "self"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["not_charged_twice"], r.get_json()
    assert (
        _count(db, PathwayItem, PathwayItem.person_id == p["id"]) == 1 and _count(db, Order) == orders_before
    )
    # consolidation (3 sessions) may be booked in parts: two live items of it are allowed
    db.session.add_all(
        [
            PathwayItem(
                person_id=p["id"],
                item="consolidation",
                role="informed",
                price=15000,
                quantity=1,
                state="booked",
            )
            for _ in range(2)
        ]
    )
    db.session.commit()
    assert _count(db, PathwayItem, PathwayItem.item == "consolidation") == 2


# ---- 3: a package's online accounts oversubscribed -------------------------------------------------


def test_3_twenty_members_taking_a_packages_three_accounts_at_once_get_three(
    app, client, db, keys, enhanced, join
):
    _postgres_only(db)
    admin, org, lead = enhanced
    pkg = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 2, "practitioner_id": lead["id"], "funding": "organisation"},
    ).get_json()
    assert pkg["online_accounts"] == 3
    members = [join(admin, org["id"], f"Fictional Member {i}") for i in range(20)]
    for m in members:
        r = client.post(f"/api/v1/packages/{pkg['id']}/accounts", headers=admin, json={"person_id": m["id"]})
        assert r.status_code == 201, r.get_json()
    out = _race(
        app,
        [
            (
                "POST",
                "/api/v1/enrolments",
                m["headers"],
                {
                    "person_id": m["id"],
                    "course_code": "foundation_a1",
                    "funding": "package",
                    "package_id": pkg["id"],
                },
            )
            for m in members
        ],
    )
    codes = sorted(s for s, _ in out)
    assert codes == [201] * 3 + [409] * 17, codes
    assert all(b["unmet"] == ["package_account"] for s, b in out if s == 409)
    assert _count(db, LearningAccount, LearningAccount.package_id == pkg["id"]) == 3
    got = client.get(f"/api/v1/organisations/{org['id']}/packages/{pkg['id']}", headers=admin).get_json()
    assert got["online_accounts_used"] == 3


def test_a_purchase_answers_the_package_as_its_read_does_then_the_read_counts_grants(
    client, db, keys, enhanced, join
):
    """Issue 18 P4: a purchase's answer says no account used without asking the database (no
    learning account can use a package before it exists); otherwise it is the package's read, key
    for key, with its order. Once a member's account uses it, the read counts it."""
    admin, org, lead = enhanced
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 2, "practitioner_id": lead["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
    bought = r.get_json()
    path = f"/api/v1/organisations/{org['id']}/packages/{bought['id']}"
    assert bought.pop("order")["id"] == bought["order_id"]
    assert bought["online_accounts_used"] == 0
    assert client.get(path, headers=admin).get_json() == bought
    m = join(admin, org["id"], "Fictional Granted Member")
    r = client.post(f"/api/v1/packages/{bought['id']}/accounts", headers=admin, json={"person_id": m["id"]})
    assert r.status_code == 201, r.get_json()
    assert client.get(path, headers=admin).get_json()["online_accounts_used"] == 0  # granted, not used
    body = {
        "course_code": "foundation_a1",
        "funding": "package",
        "package_id": bought["id"],
        "person_id": m["id"],
    }
    assert client.post("/api/v1/enrolments", headers=m["headers"], json=body).status_code == 201
    assert client.get(path, headers=admin).get_json()["online_accounts_used"] == 1


def test_3_a_package_account_slot_is_taken_once(client, db, keys, enhanced, join):
    """Both databases: the accounts are numbered; the same number twice is refused by the database."""
    admin, org, lead = enhanced
    pkg = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 2, "practitioner_id": lead["id"], "funding": "organisation"},
    ).get_json()
    body = {"course_code": "foundation_a1", "funding": "package", "package_id": pkg["id"]}
    assert (
        client.post(
            "/api/v1/enrolments", headers=lead["headers"], json={**body, "person_id": lead["id"]}
        ).status_code
        == 201
    )
    [account] = db.session.scalars(
        sa.select(LearningAccount).where(LearningAccount.package_id == pkg["id"])
    ).all()
    assert account.slot == 1
    m = join(admin, org["id"], "Fictional Colleague")
    db.session.add(
        LearningAccount(
            person_id=m["id"], funding="package", organisation_id=org["id"], package_id=pkg["id"], slot=1
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


# ---- 4: several practitioner licences at once -------------------------------------------------------

LICENCE = {"idea": "A fictional lunchtime listening club", "focus_areas": ["belonging"]}


def _on_the_journey(client, h, email):
    """A person already on the learning journey (an enrolment): who may hold a practitioner licence."""
    p = _own_person(client, h, email)
    r = client.post(
        "/api/v1/enrolments",
        headers=h,
        json={"person_id": p["id"], "course_code": "awareness", "funding": "self"},
    )
    assert r.status_code == 201, r.get_json()
    return p


def test_4_twenty_simultaneous_applications_make_one_licence(app, client, db, keys):
    _postgres_only(db)
    h, email = _user(keys)
    p = _on_the_journey(client, h, email)
    out = _race(app, [("POST", "/api/v1/practitioner-licences", h, {**LICENCE, "person_id": p["id"]})] * 20)
    codes = sorted(s for s, _ in out)
    assert codes == [201] + [409] * 19, codes
    assert all(b["unmet"] == ["one_licence"] for s, b in out if s == 409)
    assert _count(db, PractitionerLicence, PractitionerLicence.person_id == p["id"]) == 1


def test_4_one_live_licence_per_person_also_after_a_lapse(client, db, keys):
    h, email = _user(keys)
    p = _on_the_journey(client, h, email)
    first = client.post("/api/v1/practitioner-licences", headers=h, json={**LICENCE, "person_id": p["id"]})
    assert first.status_code == 201
    r = client.post("/api/v1/practitioner-licences", headers=h, json={**LICENCE, "person_id": p["id"]})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["one_licence"]
    old = db.session.get(PractitionerLicence, first.get_json()["id"])
    old.valid_until = old.valid_from - timedelta(days=1)  # its term is over: it reads as lapsed
    db.session.commit()
    second = client.post("/api/v1/practitioner-licences", headers=h, json={**LICENCE, "person_id": p["id"]})
    assert second.status_code == 201 and second.get_json()["state"] == "active"
    db.session.expire_all()
    assert db.session.get(PractitionerLicence, first.get_json()["id"]).state == "lapsed"
    # renewing the lapsed one while the new one is live would make two: refused, naming the rule
    r = client.post(f"/api/v1/practitioner-licences/{first.get_json()['id']}/renew", headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["one_licence"], r.get_json()
    assert (
        _count(
            db,
            PractitionerLicence,
            PractitionerLicence.person_id == p["id"],
            PractitionerLicence.state.in_(("applied", "active", "paused")),
        )
        == 1
    )


# ---- 5: simultaneous accepts announced a membership many times --------------------------------------


def _invite(client, admin, org, keys):
    h, email = _user(keys)
    p = _own_person(client, h, email)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": p["id"], "role": "staff"},
    )
    assert r.status_code == 201 and r.get_json()["state"] == "invited"
    return p, h, r.get_json()["id"]


def test_5_twenty_simultaneous_accepts_announce_the_membership_once(app, client, db, keys):
    _postgres_only(db)
    admin, _ = _user(keys)
    org = _org(client, admin, licences=())
    p, h, mid = _invite(client, admin, org, keys)
    out = _race(app, [("POST", f"/api/v1/memberships/{mid}/accept", h, None)] * 20)
    assert sorted(s for s, _ in out) == [200] * 20, out
    assert all(b["state"] == "active" for _, b in out)
    events = [e for e in _events(db, "training.membership.changed") if e["person_id"] == p["id"]]
    assert events == [{**events[0], "status": "active"}] and len(events) == 1


def test_5_accepting_again_is_harmless_and_announces_nothing_more(client, db, keys):
    admin, _ = _user(keys)
    org = _org(client, admin, licences=())
    p, h, mid = _invite(client, admin, org, keys)
    assert client.post(f"/api/v1/memberships/{mid}/accept", headers=h).status_code == 200
    r = client.post(f"/api/v1/memberships/{mid}/accept", headers=h)
    assert r.status_code == 200 and r.get_json()["state"] == "active"
    assert len([e for e in _events(db, "training.membership.changed") if e["person_id"] == p["id"]]) == 1
    assert _count(db, Membership, Membership.id == mid, Membership.status == "active") == 1


# ---- 6 (M8): a daily limit per inviting user; no attacker-written text in the email -----------------


def test_6_invitations_are_limited_per_user_across_their_organisations(client, db, keys, monkeypatch):
    from training.services import memberships as orgs

    admin, _ = _user(keys)
    a = _org(client, admin, name="Fictional A", licences=())
    b = _org(client, admin, name="Fictional B", licences=())
    monkeypatch.setattr(orgs, "INVITATIONS_PER_USER_PER_DAY", 3)
    for org, n in ((a, 1), (a, 2), (b, 3)):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/members",
                headers=admin,
                json={"email": f"target{n}@victim.example", "role": "staff"},
            ).status_code
            == 201
        )
    r = client.post(
        f"/api/v1/organisations/{b['id']}/members",
        headers=admin,
        json={"email": "target4@victim.example", "role": "staff"},
    )
    assert r.status_code == 429 and r.headers.get("Retry-After")
    assert _count(db, Membership, Membership.email == "target4@victim.example") == 0
    # another admin of their own organisations is not limited by this one
    other, _ = _user(keys)
    c = _org(client, other, name="Fictional C", licences=())
    assert (
        client.post(
            f"/api/v1/organisations/{c['id']}/members",
            headers=other,
            json={"email": "target5@victim.example", "role": "staff"},
        ).status_code
        == 201
    )


def test_6_the_invitation_email_carries_no_text_an_admin_wrote(client, db, keys):
    from training.models import Notification

    admin, _ = _user(keys)
    org = _org(
        client,
        admin,
        name="URGENT: account suspended, re-verify at https://evil.example",
        kind="primary_care",
        licences=(),
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"email": "target@victim.example", "role": "staff"},
    )
    assert r.status_code == 201
    [mail] = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "organisation_invitation")
    ).all()
    assert mail.subject == "An invitation to join an organisation on I Matter"
    for body in (mail.text_body, mail.html_body):
        assert "URGENT" not in body and "evil" not in body and "suspended" not in body
        assert "primary care service" in body and f"reference {org['id'][:8]}" in body
        assert "My invitations" in body and "/memberships" in body and "pathway and certification" in body


# ---- 7: a commissioner admin learned any organisation's bursary money -------------------------------


def test_7_a_commissioners_deposit_answer_says_nothing_of_the_fund(client, keys):
    school_admin, _ = _user(keys)
    school = _org(client, school_admin)
    commissioner_admin, _ = _user(keys)
    _org(client, commissioner_admin, name="Fictional Commissioner", kind="commissioner", licences=())
    r = client.post(f"/api/v1/bursaries/{school['id']}/deposits", headers=school_admin, json={"amount": 5000})
    assert r.status_code == 201 and r.get_json()["pending"] == 5000 and "balance" in r.get_json()
    r = client.post(
        f"/api/v1/bursaries/{school['id']}/deposits", headers=commissioner_admin, json={"amount": 7000}
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert "balance" not in body and "pending" not in body
    assert body["order_id"] and body["amount"] == 7000 and body["state"] == "pending"
    assert client.get(f"/api/v1/bursaries/{school['id']}", headers=commissioner_admin).status_code == 404


# ---- 8: organisation admins see only what their organisation needs ----------------------------------


def test_8_an_org_admin_lists_only_their_organisations_enrolments_of_a_member(client, keys, join):
    admin_a, _ = _user(keys)
    a = _org(client, admin_a, name="Fictional A")
    admin_b, _ = _user(keys)
    b = _org(client, admin_b, name="Fictional B")
    m = join(admin_a, a["id"], "Fictional Learner")
    r = client.post(
        f"/api/v1/organisations/{b['id']}/members",
        headers=admin_b,
        json={"person_id": m["id"], "role": "staff"},
    )
    assert (
        client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=m["headers"]).status_code
        == 200
    )
    own = client.post(
        "/api/v1/enrolments",
        headers=m["headers"],
        json={"person_id": m["id"], "course_code": "foundation_a1", "funding": "self"},
    )
    assert own.status_code == 201, own.get_json()
    by_a = client.post(
        "/api/v1/enrolments",
        headers=admin_a,
        json={
            "person_id": m["id"],
            "course_code": "foundation_a2",
            "funding": "cpd_credit",
            "organisation_id": a["id"],
        },
    )
    assert by_a.status_code == 201, by_a.get_json()
    by_b = client.post(
        "/api/v1/enrolments",
        headers=admin_b,
        json={
            "person_id": m["id"],
            "course_code": "intermediate_a",
            "funding": "cpd_credit",
            "organisation_id": b["id"],
        },
    )
    assert by_b.status_code == 201, by_b.get_json()
    url = f"/api/v1/people/{m['id']}/enrolments"
    seen_a = client.get(url, headers=admin_a).get_json()
    assert [e["id"] for e in seen_a["items"]] == [by_a.get_json()["id"]] and seen_a["total"] == 1
    assert [e["id"] for e in client.get(url, headers=admin_b).get_json()["items"]] == [by_b.get_json()["id"]]
    assert client.get(url, headers=m["headers"]).get_json()["total"] == 3  # the learner sees all of theirs
    for eid in (own.get_json()["id"], by_b.get_json()["id"]):
        assert client.get(f"/api/v1/enrolments/{eid}", headers=admin_a).status_code == 404
    assert client.get(f"/api/v1/enrolments/{by_a.get_json()['id']}", headers=admin_a).status_code == 200


def test_8_a_lead_professional_application_shows_its_organisations_the_status_only(client, keys, join):
    staff, _ = _user(keys, roles=("training_admin",))
    admin_a, _ = _user(keys)
    a = _org(client, admin_a, name="Fictional A")
    admin_b, _ = _user(keys)
    b = _org(client, admin_b, name="Fictional B")
    m = join(admin_a, a["id"], "Fictional Trainee")
    r = client.post(
        f"/api/v1/organisations/{b['id']}/members",
        headers=admin_b,
        json={"person_id": m["id"], "role": "staff"},
    )
    assert (
        client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=m["headers"]).status_code
        == 200
    )
    e = client.post(
        "/api/v1/enrolments",
        headers=admin_a,
        json={
            "person_id": m["id"],
            "course_code": "intermediate_a",
            "funding": "cpd_credit",
            "organisation_id": a["id"],
        },
    )
    assert e.status_code == 201, e.get_json()
    assert (
        client.post(f"/api/v1/enrolments/{e.get_json()['id']}/completion", headers=staff).status_code == 200
    )
    refs = [
        {"name": "Ref One", "relationship": "head teacher"},
        {"name": "Ref Two", "relationship": "colleague"},
    ]
    body = {
        "person_id": m["id"],
        "organisation_id": a["id"],
        "references": refs,
        "senior_leadership_backing": True,
    }
    for admin in (admin_b, admin_a):  # nobody applies in the person's name, not even the backing organisation
        assert (
            client.post("/api/v1/lead-professionals/applications", headers=admin, json=body).status_code
            == 404
        )
    r = client.post("/api/v1/lead-professionals/applications", headers=m["headers"], json=body)
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    seen = client.get(f"/api/v1/lead-professionals/applications/{aid}", headers=admin_a)
    assert seen.status_code == 200 and seen.get_json()["view"] == "status"  # the status, not the record
    assert (
        client.get(f"/api/v1/lead-professionals/applications/{aid}", headers=m["headers"]).status_code == 200
    )
    # B is an organisation the trainee accepted too: the status only (ruling: pathway and certification status)
    seen_b = client.get(f"/api/v1/lead-professionals/applications/{aid}", headers=admin_b)
    assert seen_b.status_code == 200 and seen_b.get_json()["view"] == "status"
    admin_c, _ = _user(keys)
    _org(client, admin_c, name="Fictional C")  # an organisation the trainee never joined sees nothing
    assert client.get(f"/api/v1/lead-professionals/applications/{aid}", headers=admin_c).status_code == 404
