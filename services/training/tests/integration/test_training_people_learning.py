"""Learning through the API: enrolments from each seat source, progress and completion, the
personal resource licence, the affiliate bursary fund, and the Lead Professional route."""

import uuid

import pytest


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


@pytest.fixture
def school(client, keys, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Hazel Academy",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@hazel.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    for t in ("starter", "cpd"):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": t}
            ).status_code
            == 201
        )

    def member(name):  # invited by the admin, accepted by the member (membership by consent)
        return join(admin, org["id"], name)

    return admin, org, member


def _enrol(client, h, person, course, funding, **extra):
    return client.post(
        "/api/v1/enrolments",
        headers=h,
        json={"person_id": person["id"], "course_code": course, "funding": funding, **extra},
    )


def test_one_seat_opens_every_l1_2_course_and_completion_counts(client, keys, school):
    admin, org, member = school
    p = member("Nat Fictional-Learner")
    before = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()
    ids = []
    staff = _user(keys, roles=["training_admin"])
    for course in ("foundation_a1", "foundation_a2", "foundation_b", "intermediate_a", "intermediate_b"):
        r = _enrol(client, admin, p, course, "cpd_credit")
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
        if course == "foundation_a1":  # Foundation A part 1 before Foundation B (domain row 66)
            assert client.post(f"/api/v1/enrolments/{ids[0]}/completion", headers=staff).status_code == 200
    after = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=admin).get_json()
    assert after["used"] == before["used"] + 1  # one online L1-2 account, not one per course
    assert _enrol(client, admin, p, "foundation_a1", "cpd_credit").status_code == 409

    r = client.post(f"/api/v1/enrolments/{ids[1]}/progress", headers=p["headers"], json={"percent": 40})
    assert r.status_code == 200 and r.get_json()["progress"] == 40
    assert (
        client.post(
            f"/api/v1/enrolments/{ids[1]}/progress", headers=p["headers"], json={"percent": 140}
        ).status_code
        == 400
    )
    lic = client.get(f"/api/v1/people/{p['id']}/resource-licence", headers=p["headers"]).get_json()
    assert lic["held"] is True and lic["does_not_allow"]
    # completion comes from the learning platform or a training admin, never the learner or their admin
    assert client.post(f"/api/v1/enrolments/{ids[1]}/completion", headers=p["headers"]).status_code == 403
    assert client.post(f"/api/v1/enrolments/{ids[1]}/completion", headers=admin).status_code == 403
    for i in ids:
        r = client.post(f"/api/v1/enrolments/{i}/completion", headers=staff)
        assert r.status_code == 200 and r.get_json()["state"] == "completed"
    path = client.get(f"/api/v1/people/{p['id']}/pathways/informed", headers=admin).get_json()
    assert path["requirements"][0] == {**path["requirements"][0], "code": "l1_2_completion", "status": "met"}
    assert path["remaining_cost"] == 25000 + 3 * 15000
    listing = client.get(f"/api/v1/people/{p['id']}/enrolments", headers=admin).get_json()
    assert listing["total"] == 5 and all(e["state"] == "completed" for e in listing["items"])


def test_no_credit_is_409(client, keys, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Elm Nursery",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@elm.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    p = join(admin, org["id"], "Ode Fictional", email="ode@elm.example")
    r = _enrol(client, admin, p, "foundation_a1", "cpd_credit")
    assert r.status_code == 409 and "cpd_seat" in r.get_json()["unmet"]
    r = _enrol(client, admin, p, "foundation_a1", "bursary")  # bursary routes need the Starter (row 4)
    assert r.status_code == 409 and r.get_json()["unmet"][0] == "starter_licence"
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    r = _enrol(client, admin, p, "foundation_a1", "bursary")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["bursary_funds"]


def test_affiliate_share_of_fees_funds_bursary_places(client, keys, school):
    admin, org, member = school
    finance = _user(keys, roles=("training_admin",))
    payer, needy = member("Fee Fictional-Payer"), member("Ira Fictional-Bursary")
    # funding: self is chosen by the person paying, never by their organisation's admin
    assert _enrol(client, admin, payer, "intermediate_a", "self").status_code == 403
    r = _enrol(client, payer["headers"], payer, "intermediate_a", "self", organisation_id=org["id"])
    assert r.status_code == 201
    fee = r.get_json()["price"]
    assert r.get_json()["order"]["total"] == fee
    fund = client.get(f"/api/v1/bursaries/{org['id']}", headers=admin).get_json()
    assert fund["balance"] == 0  # the course invoice is not paid yet
    r = client.post(
        f"/api/v1/invoices/{r.get_json()['order']['invoice']['id']}/pay",
        headers=finance,
        json={"reference": "card 42"},
    )
    assert r.status_code == 200
    fund = client.get(f"/api/v1/bursaries/{org['id']}", headers=admin).get_json()
    pct = fund["affiliate_percentage"]
    assert fund["balance"] == fee * pct // 100 > 0
    assert fund["entries"]["items"][0]["kind"] == "affiliate_credit"

    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        headers=admin,
        json={"person_id": needy["id"], "course_code": "foundation_a1"},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["bursary_funds"]
    d = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=admin, json={"amount": 10000})
    assert d.status_code == 201 and d.get_json()["order_id"]
    invoice_id = client.get(f"/api/v1/orders/{d.get_json()['order_id']}", headers=admin).get_json()[
        "invoice"
    ]["id"]
    assert (
        client.post(
            f"/api/v1/invoices/{invoice_id}/pay", headers=finance, json={"reference": "BACS 7"}
        ).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        headers=admin,
        json={"person_id": needy["id"], "course_code": "foundation_a1"},
    )
    assert r.status_code == 201 and r.get_json()["funding"] == "bursary"
    assert r.get_json()["fund_balance"] == fee * pct // 100 + 10000 - r.get_json()["price"]
    assert client.get(f"/api/v1/bursaries/{org['id']}", headers=_user(keys)).status_code == 404


def test_lead_professional_route(client, keys, school):
    admin, org, member = school
    staff = _user(keys, roles=["training_admin"])
    p = member("Bea Fictional-Trainee")
    refs = [
        {"name": "Ref One", "relationship": "head teacher"},
        {"name": "Ref Two", "relationship": "colleague"},
    ]
    body = {
        "person_id": p["id"],
        "organisation_id": org["id"],
        "references": refs,
        "senior_leadership_backing": True,
    }
    # only the person themself applies (lead_professionals rules: nobody applies for them)
    assert client.post("/api/v1/lead-professionals/applications", headers=admin, json=body).status_code == 404
    r = client.post("/api/v1/lead-professionals/applications", headers=p["headers"], json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["intermediate_completion"]
    r = client.post(
        "/api/v1/lead-professionals/applications", headers=p["headers"], json={**body, "references": refs[:1]}
    )
    assert r.status_code == 400
    e = _enrol(client, admin, p, "intermediate_a", "cpd_credit").get_json()
    client.post(f"/api/v1/enrolments/{e['id']}/completion", headers=staff)
    app_ = client.post("/api/v1/lead-professionals/applications", headers=p["headers"], json=body)
    assert app_.status_code == 201 and app_.get_json()["state"] == "applied"
    aid = app_.get_json()["id"]
    r = client.post(
        f"/api/v1/lead-professionals/applications/{aid}/interview", headers=staff, json={"outcome": "passed"}
    )
    assert r.status_code == 200 and r.get_json()["state"] == "trainee" and r.get_json()["trainee_year"]
    obligations = {o["code"]: o for o in r.get_json()["obligations"]}
    assert set(obligations) >= {
        "action_plan_outline",
        "monthly_development",
        "participant_feedback",
        "log_book",
        "annual_plan",
        "foundation_a_courses",
        "linked_cpd",
    }
    assert obligations["foundation_a_courses"]["target"] == 2 and obligations["log_book"]["status"] == "due"
    r = client.post(
        f"/api/v1/lead-professionals/applications/{aid}/obligations/log_book/records",
        headers=p["headers"],
        json={"note": "first entry"},
    )
    assert r.status_code == 201
    assert {o["code"]: o["status"] for o in r.get_json()["obligations"]}["log_book"] == "done"

    r = client.post(f"/api/v1/lead-professionals/applications/{aid}/advance", headers=staff)
    assert r.status_code == 409 and r.get_json()["unmet"] == [
        "trainee_year",
        "foundation_a_courses",
        "action_plan_outline",
    ]
    assert (
        client.post(
            f"/api/v1/lead-professionals/applications/{aid}/obligations/action_plan_outline/records",
            headers=staff,
            json={"note": "Agreed"},
        ).status_code
        == 201
    )
    from datetime import date

    # decision 0056: the groups run under a Level 3A licence a training admin grants the trainee
    r = client.post(
        f"/api/v1/people/{p['id']}/lead-professional-licences",
        headers=staff,
        json={"kind": "level_3a", "organisation_id": org["id"]},
    )
    assert r.status_code == 201 and r.get_json()["scopes"] == ["everyday_parenting"], r.get_json()
    for course in ("foundation_a1", "foundation_a2"):
        g = client.post(
            "/api/v1/lead-professionals/level-3a-groups",
            headers=p["headers"],
            json={
                "organisation_id": org["id"],
                "lead_person_id": p["id"],
                "course_code": course,
                "audience": "parents",
                "starts_on": date.today().isoformat(),
                "participants_count": 8,
            },
        )
        assert g.status_code == 201 and g.get_json()["fee"] == 0
    for state in ("implementation", "approved"):  # each year ended early by a training admin, with the reason
        r = client.post(
            f"/api/v1/lead-professionals/applications/{aid}/advance",
            headers=staff,
            json={"override": True, "reason": "test of the whole route in one day"},
        )
        assert r.status_code == 200 and r.get_json()["state"] == state
    # an approved Lead Professional may be listed: by themself, never by their organisation's admin
    assert client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=admin, json={}).status_code == 404
    assert (
        client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=p["headers"], json={}).status_code
        == 201
    )


def test_study_supporter_needs_the_foundation_courses(client, keys, school):
    admin, org, member = school
    p = member("Cal Fictional-Supporter")
    r = client.post(
        "/api/v1/lead-professionals/study-supporter-applications",
        headers=p["headers"],
        json={"person_id": p["id"], "motivation": "to buddy others"},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["foundation_completion"]


def test_catalogue_and_interest(client):
    courses = client.get("/api/v1/catalogue/courses").get_json()
    by_code = {c["code"]: c for c in courses["items"]}
    assert by_code["deep_dive"]["price"] == 75000 and by_code["consolidation"]["price"] == 15000
    assert by_code["foundation_a1"]["price_status"] == "placeholder"
    roles = {r["code"]: r for r in client.get("/api/v1/catalogue/roles").get_json()["items"]}
    assert list(roles) == ["informed", "senior_link", "link", "child", "lead", "lead_plus"]
    assert {q["code"]: (q["price"], q["quantity"]) for q in roles["informed"]["requirements"]} == {
        # L1-2 completion costs the five Foundation and Intermediate course fees (domain row 114)
        "l1_2_completion": (3 * 4500 + 2 * 6000, 1),
        "study_support": (25000, 1),
        "consolidation": (15000, 3),
    }
    assert sum(q["price"] * q["quantity"] for q in roles["lead"]["requirements"]) == 145000
    pk = client.get("/api/v1/catalogue/packages").get_json()["items"]
    assert [(p["type"], p["online_accounts"], p["tracker_uses"], p["price"]) for p in pk] == [
        (1, 0, 3, 15000),
        (2, 3, 0, 30000),
        (3, 3, 6, 45000),
        (4, 3, 9, 60000),
    ]
    r = client.post(
        "/api/v1/interest",
        json={
            "element": "schools",
            "name": "Fictional Head",
            "email": "head@example.org",
            "message": "Tell me more",
        },
    )
    assert r.status_code == 201
    assert (
        client.post("/api/v1/interest", json={"element": "nope", "name": "x", "email": "a@b.org"}).status_code
        == 400
    )
    # an element named by its number in the seed, its title or in the singular is understood
    for said, code in (
        ("5", "schools"),
        ("Locality Hubs", "locality_hubs"),
        ("school", "schools"),
        ("lead_professional", "lead_professionals"),
        (9, "lead_professionals"),
    ):
        r = client.post(
            "/api/v1/interest", json={"element": said, "name": "Fictional Visitor", "email": "v@example.org"}
        )
        assert r.status_code == 201 and r.get_json()["element"] == code, (said, r.get_json())
