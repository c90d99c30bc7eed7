"""The trust issue in cic-tracker: one test per finding of the 2026-11-29 reviews (security L6,
L8, L9, L13; domain rows 93, 104, 105) and the money races, through the API and the real
consumer path. Concurrency tests fire 20 requests from real threads."""

import uuid

import pytest
import sqlalchemy as sa

from cic_tracker.models import Case, FundAward, FundGift, Microproject
from support.testing import simultaneous_results as _threads

CASES = "/api/v1/tracker/microprojects/{}/cases"


def _org(cic, enhanced="active"):
    org = "org-" + uuid.uuid4().hex[:8]
    if enhanced:
        cic.feed(
            "training.licence.changed",
            {
                "organisation_id": org,
                "licence_type": "enhanced",
                "status": enhanced,
                "valid_until": "2099-01-01T00:00:00Z",
            },
        )
    return org


def _case_with_private_note(client, cic, consent, org):
    person, practitioner = cic.person(organisation_id=org)
    mp_id = cic.package(person, organisation_id=org)
    case = client.post(
        CASES.format(mp_id), json={"code": "PRIVATE-CODE", "consent": consent}, headers=practitioner
    )
    assert case.status_code == 201
    case_id = case.get_json()["id"]
    r = client.post(
        f"/api/v1/tracker/cases/{case_id}/assessments",
        headers=practitioner,
        json={"kind": "baseline", "scores": {"communication": 3}, "notes": "private note"},
    )
    assert r.status_code == 201
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case_id}/goals", json={"text": "private goal"}, headers=practitioner
        ).status_code
        == 201
    )
    return person, practitioner, mp_id, case_id


# ---- L8: admin rights only from the explicit event ----------------------------------------


def test_L8_a_membership_role_named_admin_gives_no_oversight(client, cic, consent):
    org = _org(cic)
    _, _, mp_id, case_id = _case_with_private_note(client, cic, consent, org)
    for role in ("admin", "org_admin", "link_contact", "owner"):
        _, member = cic.person(organisation_id=org, membership_role=role)
        assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=member).status_code == 404
        assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=member).status_code == 404
        assert client.get("/api/v1/tracker/microprojects", headers=member).get_json()["total"] == 0
        r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/setup", headers=member)
        assert r.status_code == 404


def test_L8_admin_rights_come_from_the_organisation_admin_event_and_end_with_it(client, cic, consent):
    org = _org(cic)
    _, _, mp_id, _ = _case_with_private_note(client, cic, consent, org)
    headers = cic.keys.headers(user_id="u-granted-admin")
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": "u-granted-admin", "status": "active"},
    )
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 200
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": "u-granted-admin", "status": "ended"},
    )
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 404


def test_L8_an_ended_membership_counts_for_nothing(client, cic, consent):
    org = _org(cic)
    _, _, mp_id, _ = _case_with_private_note(client, cic, consent, org)
    person, lead_plus = cic.person(organisation_id=org, certified=("lead_plus",))
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lead_plus).status_code == 200
    cic.feed(
        "training.membership.changed",
        {"organisation_id": org, "person_id": person, "user_id": None, "role": "staff", "status": "ended"},
    )
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lead_plus).status_code == 404
    assert client.get("/api/v1/tracker/microprojects", headers=lead_plus).get_json()["total"] == 0


def test_a_withdrawn_lead_plus_certification_stops_giving_overview_sight_once(client, cic, consent, db):
    """training.practitioner.certification_withdrawn: the mirrored certification goes, so the
    withdrawn Lead Plus no longer sees the organisation's microprojects. The same event again
    (a redelivery) and a second withdrawal of it change nothing and are not dead-lettered."""
    from cic_tracker.models import Certification

    org = _org(cic)
    _, _, mp_id, _ = _case_with_private_note(client, cic, consent, org)
    person, lead_plus = cic.person(organisation_id=org, certified=("lead_plus",))
    _, other_lead_plus = cic.person(organisation_id=org, certified=("lead_plus",))
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lead_plus).status_code == 200
    withdrawn = {
        "person_id": person,
        "role": "lead_plus",
        "organisation_id": org,
        "withdrawn_at": "2026-11-30T10:00:00Z",
    }
    outcome, envelope = cic.feed("training.practitioner.certification_withdrawn", withdrawn)
    assert outcome.action == "ack", outcome
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lead_plus).status_code == 404
    assert client.get("/api/v1/tracker/microprojects", headers=lead_plus).get_json()["total"] == 0
    mirrored = db.session.scalars(sa.select(Certification.person_id).where(Certification.role == "lead_plus"))
    assert person not in set(mirrored)

    again, _ = cic.feed("training.practitioner.certification_withdrawn", withdrawn, envelope=envelope)
    twice, _ = cic.feed("training.practitioner.certification_withdrawn", withdrawn)
    assert (again.action, twice.action) == ("ack", "ack"), (again, twice)
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lead_plus).status_code == 404
    # only that person's certification went: the organisation's other Lead Plus still sees it
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=other_lead_plus).status_code == 200


# ---- domain row 93: case content for practitioner and assigned overseer only ----------------


def test_row93_org_admin_sees_counts_and_credit_use_not_case_text(client, cic, consent):
    """The review's probe: `org admin reads case: 200 ['private note']`."""
    org = _org(cic)
    _, _, mp_id, case_id = _case_with_private_note(client, cic, consent, org)
    admin = cic.keys.headers(user_id="u-org-admin")
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": "u-org-admin", "status": "active"},
    )
    r = client.get(f"/api/v1/tracker/cases/{case_id}", headers=admin)
    assert r.status_code == 404 and "private note" not in r.get_data(as_text=True)
    for path in (
        f"/api/v1/tracker/cases/{case_id}/progress",
        f"/api/v1/tracker/cases/{case_id}/progress?format=svg",
        f"/api/v1/cic/cases/{case_id}/q-responses",
        f"/api/v1/cic/cases/{case_id}/wheel-responses",
    ):
        assert client.get(path, headers=admin).status_code == 404, path
    mp = client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=admin)
    assert mp.status_code == 200
    body = mp.get_json()
    assert (body["cases_count"], body["credits_used"], body["credits_left"]) == (1, 1, 5)
    [case] = body["cases"]
    assert case["id"] == case_id and case["counts"] == {
        "baselines": 1,
        "follow_ups": 0,
        "goals": 1,
        "reflections": 0,
    }
    text = mp.get_data(as_text=True)
    assert "PRIVATE-CODE" not in text and consent["scope"] not in text and "consent" not in case
    listed = client.get("/api/v1/tracker/microprojects", headers=admin).get_json()["items"]
    assert [m["credits_left"] for m in listed] == [5]


def test_row93_only_the_assigned_overseer_among_lead_plus_members_reads_case_text(client, cic, consent):
    org = _org(cic)
    _, practitioner, mp_id, case_id = _case_with_private_note(client, cic, consent, org)
    overseer, overseer_headers = cic.person(organisation_id=org, certified=("lead_plus",))
    _, other_lead_plus = cic.person(organisation_id=org, certified=("lead_plus",))
    cic.oversee(client, mp_id, overseer, overseer_headers, practitioner)
    for headers in (practitioner, overseer_headers):
        r = client.get(f"/api/v1/tracker/cases/{case_id}", headers=headers)
        assert r.status_code == 200 and r.get_json()["assessments"][0]["notes"] == "private note"
        assert client.get(f"/api/v1/tracker/cases/{case_id}/progress", headers=headers).status_code == 200
    r = client.get(f"/api/v1/tracker/cases/{case_id}", headers=other_lead_plus)
    assert r.status_code == 404
    mp = client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=other_lead_plus)
    assert mp.status_code == 200 and "PRIVATE-CODE" not in mp.get_data(as_text=True)
    assert "PRIVATE-CODE" in client.get(
        f"/api/v1/tracker/microprojects/{mp_id}", headers=overseer_headers
    ).get_data(as_text=True)
    # the overseer reads but does not write case data
    r = client.post(f"/api/v1/tracker/cases/{case_id}/goals", json={"text": "x"}, headers=overseer_headers)
    assert r.status_code == 403


def test_row93_cic_staff_see_counts_but_not_case_text(client, cic, consent):
    org = _org(cic)
    _, _, mp_id, case_id = _case_with_private_note(client, cic, consent, org)
    staff = cic.staff()
    assert client.get(f"/api/v1/tracker/cases/{case_id}", headers=staff).status_code == 404
    r = client.post(f"/api/v1/tracker/cases/{case_id}/goals", json={"text": "x"}, headers=staff)
    assert r.status_code == 404
    mp = client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=staff)
    assert mp.status_code == 200 and "PRIVATE-CODE" not in mp.get_data(as_text=True)
    assert mp.get_json()["cases"][0]["counts"]["baselines"] == 1
    # on a participant's request, CIC staff may still withdraw consent (erasure reveals nothing)
    r = client.post(f"/api/v1/tracker/cases/{case_id}/consent/withdraw", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "withdrawn" and r.get_json()["code"] is None


# ---- L6 / domain row 105: gifts count only once received ----------------------------------


def test_L6_row105_a_gift_is_a_pledge_until_cic_staff_mark_it_received(client, cic):
    _, supporter = cic.person()
    staff = cic.staff("cic_staff", "fund_reviewer")
    r = client.post("/api/v1/fund/gifts", json={"amount": 20000, "name": "A friend"}, headers=supporter)
    assert r.status_code == 201
    gift = r.get_json()
    assert gift["state"] == "pledged" and gift["name"] == "A friend" and gift["currency"] == "GBP"
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert (ledger["balance"], ledger["pledged_total"], ledger["pledged_count"]) == (0, 20000, 1)
    # the supporter can neither confirm their own gift nor see anyone else's
    assert client.post(f"/api/v1/fund/gifts/{gift['id']}/received", headers=supporter).status_code == 403
    assert client.get(f"/api/v1/fund/gifts/{gift['id']}", headers=supporter).get_json()["state"] == "pledged"
    _, stranger = cic.person()
    assert client.get(f"/api/v1/fund/gifts/{gift['id']}", headers=stranger).status_code == 404
    assert client.get("/api/v1/fund/gifts", headers=stranger).get_json()["total"] == 0
    assert client.get("/api/v1/fund/gifts", headers=supporter).get_json()["total"] == 1
    assert client.get("/api/v1/fund/gifts?state=pledged", headers=staff).get_json()["total"] == 1
    r = client.post(f"/api/v1/fund/gifts/{gift['id']}/received", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "received" and r.get_json()["received_at"]
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert (ledger["balance"], ledger["gifts_total"], ledger["pledged_total"]) == (20000, 20000, 0)
    r = client.post(f"/api/v1/fund/gifts/{gift['id']}/received", json={"reference": "BANK-1"}, headers=staff)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["gift_pledged"]
    assert client.get("/api/v1/fund/ledger", headers=staff).get_json()["balance"] == 20000


def test_L6_gift_amounts_are_bounded(client, cic):
    _, supporter = cic.person()
    for amount in (0, -5, 1_000_001, 10_000_000, "100", 1.5):
        r = client.post("/api/v1/fund/gifts", json={"amount": amount, "name": "x"}, headers=supporter)
        assert r.status_code == 400 and "amount" in r.get_json()["errors"], amount
    assert client.post("/api/v1/fund/gifts", json={"amount": 1_000_000}, headers=supporter).status_code == 201
    assert client.post("/api/v1/fund/gifts", json={"amount": 100}).status_code == 401


def test_L6_a_received_gift_is_voided_only_while_the_fund_holds_it(app, client, cic):
    staff = cic.staff("cic_staff", "fund_reviewer")
    _, supporter = cic.person()
    pledge = client.post(
        "/api/v1/fund/gifts", json={"amount": 500, "name": "p"}, headers=supporter
    ).get_json()
    r = client.post(f"/api/v1/fund/gifts/{pledge['id']}/void", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "void"
    assert client.post(f"/api/v1/fund/gifts/{pledge['id']}/void", headers=staff).get_json()["unmet"] == [
        "gift_not_void"
    ]
    assert client.post(f"/api/v1/fund/gifts/{pledge['id']}/received", headers=staff).status_code == 409
    gifts = [
        client.post("/api/v1/fund/gifts", json={"amount": 15000}, headers=supporter).get_json()
        for _ in range(2)
    ]
    for g in gifts:
        assert client.post(f"/api/v1/fund/gifts/{g['id']}/received", headers=staff).status_code == 200
    assert client.post(f"/api/v1/fund/gifts/{gifts[0]['id']}/void", headers=supporter).status_code == 403
    _award(client, cic, package_type=1)  # 15000 of the 30000 is now committed
    r = client.post(f"/api/v1/fund/gifts/{gifts[0]['id']}/void", headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "void"
    r = client.post(f"/api/v1/fund/gifts/{gifts[1]['id']}/void", headers=staff)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["fund_holds_gift"]
    assert "awards" in r.get_json()["detail"]
    ledger = client.get("/api/v1/fund/ledger", headers=staff).get_json()
    assert (ledger["gifts_total"], ledger["awards_total"], ledger["balance"]) == (15000, 15000, 0)


# ---- L6 / domain row 104: applications checked against what cic knows -----------------------

APPLY = "/api/v1/fund/applications"


def _application(practitioner, org, package_type=3):
    return {
        "practitioner_id": practitioner,
        "organisation_id": org,
        "package_type": package_type,
        "summary": "funding is the barrier",
    }


def test_L6_an_application_names_the_callers_own_practitioner_in_a_licensed_organisation(client, cic):
    org = _org(cic)
    person, headers = cic.person(organisation_id=org)
    other, _ = cic.person(organisation_id=org)
    r = client.post(APPLY, json=_application(other, org), headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["own_practitioner"]
    r = client.post(APPLY, json=_application("ghost", "ghost-org"), headers=headers)
    assert r.status_code == 409
    assert r.get_json()["unmet"] == [
        "own_practitioner",
        "organisation_known",
        "enhanced_licence",
        "accepted_member",
    ]
    unlicensed = _org(cic, enhanced=None)
    cic.feed(
        "training.membership.changed",
        {
            "organisation_id": unlicensed,
            "person_id": person,
            "user_id": None,
            "role": "staff",
            "status": "active",
        },
    )
    r = client.post(APPLY, json=_application(person, unlicensed), headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enhanced_licence"]
    lapsed = _org(cic, enhanced="expired")
    elsewhere = _org(cic)
    r = client.post(APPLY, json=_application(person, elsewhere), headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["accepted_member"]
    cic.feed(
        "training.membership.changed",
        {
            "organisation_id": lapsed,
            "person_id": person,
            "user_id": None,
            "role": "staff",
            "status": "active",
        },
    )
    assert client.post(APPLY, json=_application(person, lapsed), headers=headers).get_json()["unmet"] == [
        "enhanced_licence"
    ]
    # an ended membership is no membership
    cic.feed(
        "training.membership.changed",
        {"organisation_id": org, "person_id": person, "user_id": None, "role": "staff", "status": "ended"},
    )
    assert client.post(APPLY, json=_application(person, org), headers=headers).get_json()["unmet"] == [
        "accepted_member"
    ]
    cic.feed(
        "training.membership.changed",
        {"organisation_id": org, "person_id": person, "user_id": None, "role": "staff", "status": "active"},
    )
    r = client.post(APPLY, json=_application(person, org), headers=headers)
    assert r.status_code == 201 and r.get_json()["state"] == "submitted"
    # CIC staff have no person here: no applications on anyone's behalf
    assert client.post(APPLY, json=_application(person, org), headers=cic.staff()).status_code == 409
    assert client.get(APPLY, headers=headers).get_json()["total"] == 1


def _award(client, cic, package_type=3, reviewers=2):
    """An application by a fundable practitioner, its round closed, reviewed by `reviewers`
    independent reviewers declaring no conflict; returns the decision response."""
    org = _org(cic)
    person, headers = cic.person(organisation_id=org)
    r = client.post(APPLY, json=_application(person, org, package_type), headers=headers)
    assert r.status_code == 201, r.get_json()
    app = r.get_json()
    staff = cic.staff("cic_staff", "fund_reviewer")
    client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff)
    for _ in range(reviewers):
        assert (
            client.post(
                f"{APPLY}/{app['id']}/reviews",
                json={"score": 4, "no_conflict": True},
                headers=cic.staff("fund_reviewer"),
            ).status_code
            == 201
        )
    return client.post(f"{APPLY}/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff)


def test_row104_an_award_needs_two_independent_reviews_declaring_no_conflict(client, cic):
    org = _org(cic)
    person, applicant = cic.person(organisation_id=org)
    app = client.post(APPLY, json=_application(person, org), headers=applicant).get_json()
    staff = cic.staff("cic_staff", "fund_reviewer")
    client.post(f"/api/v1/fund/rounds/{app['round_id']}/close", headers=staff)
    decide = lambda: client.post(f"{APPLY}/{app['id']}/decision", json={"outcome": "awarded"}, headers=staff)  # noqa
    r = decide()
    assert r.status_code == 409 and r.get_json()["unmet"] == ["two_reviews"]
    # a reviewer from the applicant's organisation is refused; so is the applicant
    _, colleague = cic.person(organisation_id=org, roles=("fund_reviewer",))
    r = client.post(f"{APPLY}/{app['id']}/reviews", json={"score": 5, "no_conflict": True}, headers=colleague)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["independent_reviewer"]
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": "u-admin-reviewer", "status": "active"},
    )
    admin_reviewer = cic.keys.headers(user_id="u-admin-reviewer", roles=["fund_reviewer"])
    r = client.post(
        f"{APPLY}/{app['id']}/reviews", json={"score": 5, "no_conflict": True}, headers=admin_reviewer
    )
    assert r.status_code == 409
    # a review without the declaration does not count
    undeclared = cic.staff("fund_reviewer")
    assert (
        client.post(f"{APPLY}/{app['id']}/reviews", json={"score": 4}, headers=undeclared).status_code == 201
    )
    first = cic.staff("fund_reviewer")
    r = client.post(f"{APPLY}/{app['id']}/reviews", json={"score": 4, "no_conflict": True}, headers=first)
    assert r.status_code == 201 and r.get_json()["no_conflict"] is True
    r = decide()
    assert r.status_code == 409 and r.get_json()["unmet"] == ["two_reviews"]
    assert (
        client.post(
            f"{APPLY}/{app['id']}/reviews", json={"score": 3, "no_conflict": True}, headers=undeclared
        ).status_code
        == 200
    )  # replaces the first, now declared
    cic.funded(client, 45000)
    r = decide()
    assert r.status_code == 200 and r.get_json()["award_id"] and r.get_json()["qualifying_reviews"] == 2


# ---- money races --------------------------------------------------------------------------


def test_fund_balance_holds_under_20_concurrent_award_decisions(app, client, cic, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    staff = cic.staff("cic_staff", "fund_reviewer")
    _, supporter = cic.person()
    gift = client.post("/api/v1/fund/gifts", json={"amount": 5 * 15000}, headers=supporter).get_json()
    client.post(f"/api/v1/fund/gifts/{gift['id']}/received", headers=staff)
    apps = []
    for _ in range(20):
        org = _org(cic)
        person, headers = cic.person(organisation_id=org)
        apps.append(client.post(APPLY, json=_application(person, org, 1), headers=headers).get_json())
    client.post(f"/api/v1/fund/rounds/{apps[0]['round_id']}/close", headers=staff)
    reviewers = [cic.staff("fund_reviewer") for _ in range(2)]
    for a in apps:
        for rev in reviewers:
            assert (
                client.post(
                    f"{APPLY}/{a['id']}/reviews", json={"score": 4, "no_conflict": True}, headers=rev
                ).status_code
                == 201
            )
    assert app.config["FUND_AWARDS_REQUIRE_BALANCE"] is True  # the default (row 104)
    out = _threads(
        app,
        20,
        lambda c, i: c.post(f"{APPLY}/{apps[i]['id']}/decision", json={"outcome": "awarded"}, headers=staff),
    )
    codes = sorted(s for s, _ in out)
    assert codes == [200] * 5 + [409] * 15, codes
    assert all(body["unmet"] == ["fund_balance"] for s, body in out if s == 409)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.sum(FundAward.amount))) == 75000
    assert client.get("/api/v1/fund/ledger", headers=staff).get_json()["balance"] == 0
    assert len(cic.outbox("cic.fund.awarded")) == 5


def test_fund_gift_receipt_is_counted_once_under_20_concurrent_requests(app, client, cic, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    staff = cic.staff()
    _, supporter = cic.person()
    gift = client.post("/api/v1/fund/gifts", json={"amount": 700}, headers=supporter).get_json()
    out = _threads(app, 20, lambda c, i: c.post(f"/api/v1/fund/gifts/{gift['id']}/received", headers=staff))
    assert sorted(s for s, _ in out) == [200] + [409] * 19
    db.session.expire_all()
    assert db.session.get(FundGift, gift["id"]).state == "received"


def test_L9_case_slots_hold_under_20_concurrent_openings(app, client, cic, consent, db):
    """On SQLite too: 3 cases, the rest 409 `max_cases`, never a 500."""
    person, headers = cic.person()
    mp_id = cic.package(person)
    out = _threads(
        app,
        20,
        lambda c, i: c.post(
            CASES.format(mp_id), json={"code": f"K-{i}", "consent": consent}, headers=headers
        ),
    )
    codes = sorted(s for s, _ in out)
    assert codes == [201] * 3 + [409] * 17, codes
    assert all(body["unmet"] == ["max_cases"] for s, body in out if s == 409)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 3
    assert db.session.get(Microproject, mp_id).cases_count == 3
    # a withdrawn case frees its slot
    case_id = next(body["id"] for s, body in out if s == 201)
    assert (
        client.post(f"/api/v1/tracker/cases/{case_id}/consent/withdraw", headers=headers).status_code == 200
    )
    r = client.post(CASES.format(mp_id), json={"code": "K-new", "consent": consent}, headers=headers)
    assert r.status_code == 201


def test_L9_one_case_code_under_concurrent_openings(app, client, cic, consent, db):
    person, headers = cic.person()
    mp_id = cic.package(person)
    out = _threads(
        app,
        3,
        lambda c, i: c.post(CASES.format(mp_id), json={"code": "SAME", "consent": consent}, headers=headers),
    )
    codes = sorted(s for s, _ in out)
    assert codes == [201, 409, 409], codes
    assert all(body["unmet"] == ["unique_code"] for s, body in out if s == 409)


def test_tracker_credits_hold_under_20_concurrent_assessments(app, client, cic, consent, db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    person, headers = cic.person()
    mp_id = cic.package(person, tracker_uses=6)  # Type 3: 2 uses per case, 3 cases
    case_ids = [
        client.post(
            CASES.format(mp_id), json={"code": f"A-{i}", "consent": consent}, headers=headers
        ).get_json()["id"]
        for i in range(3)
    ]

    def baseline(c, i):
        return c.post(
            f"/api/v1/tracker/cases/{case_ids[i % 3]}/assessments",
            headers=headers,
            json={"kind": "baseline", "scores": {"communication": 3}},
        )

    out = _threads(app, 20, baseline)
    codes = sorted(s for s, _ in out)
    assert codes == [201] * 3 + [409] * 17, codes  # one baseline per case
    assert all(body["unmet"] == ["single_baseline"] for s, body in out if s == 409), out

    def follow_up(c, i):
        return c.post(
            f"/api/v1/tracker/cases/{case_ids[i % 3]}/assessments",
            headers=headers,
            json={"kind": "follow_up", "scores": {"communication": 5}},
        )

    out = _threads(app, 20, follow_up)
    codes = sorted(s for s, _ in out)
    assert codes == [201] * 3 + [409] * 17, codes  # the 3 credits left, one per case, no more
    assert all(body["unmet"] == ["tracker_credit"] for s, body in out if s == 409), out
    db.session.expire_all()
    mp = db.session.get(Microproject, mp_id)
    assert (mp.credits_used, mp.credits_left) == (6, 0)
    counts = db.session.execute(
        db.select(db.func.sum(Case.baselines_count), db.func.sum(Case.follow_ups_count)).where(
            Case.microproject_id == mp_id
        )
    ).one()
    assert tuple(counts) == (3, 3)


# ---- L13: events with quantities a package cannot carry ------------------------------------


@pytest.mark.parametrize(
    "package_type,uses,accounts",
    [
        (3, 0, 3),  # a Type 3 with no Tracker uses would complete a practicum without measures
        (3, 600, 3),  # more credits than the type carries
        (1, 0, 0),
        (2, 3, 3),  # Type 2 carries no Tracker uses
        (1, 3, 50),  # online accounts a Type 1 does not carry
    ],
)
def test_L13_a_package_event_with_impossible_quantities_is_dead_lettered(
    cic, db, package_type, uses, accounts
):
    outcome, _ = cic.feed(
        "training.package.purchased",
        {
            "package_id": "pkg-forged",
            "package_type": package_type,
            "organisation_id": "org-1",
            "practitioner_id": "p-1",
            "tracker_uses": uses,
            "online_accounts": accounts,
        },
    )
    assert outcome.action == "dead" and "rejected by handler" in outcome.reason
    assert db.session.scalar(db.select(db.func.count()).select_from(Microproject)) == 0
