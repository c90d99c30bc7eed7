"""Organisations per DOMAIN "Rulings" (domain review rows 4, 6, 8, 11, 12, 17): stage 0 before the
Starter, stage 4 and the Enhanced Licence from accepted members on a role pathway only, learners
from live enrolments of active members, bundle pricing by the year's uptake, CPD renewal renews
the included credits, bursary places need the Starter. Through the API, on SQLite and PostgreSQL."""

import uuid


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _org(client, h, kind="school", band="micro", licences=("starter",)):
    r = client.post(
        "/api/v1/organisations",
        json={
            "name": f"Fictional {kind} {uuid.uuid4().hex[:4]}",
            "kind": kind,
            "size_band": band,
            "link_contact_email": "link@example.org",
            "senior_leadership_commitment": True,
        },
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for t in licences:
        r = client.post(f"/api/v1/organisations/{org['id']}/licences", json={"type": t}, headers=h)
        assert r.status_code == 201, r.get_json()
    return org


def _read(client, h, org):
    r = client.get(f"/api/v1/organisations/{org['id']}", headers=h)
    assert r.status_code == 200
    return r.get_json()


def _self_person(client, keys, name="Fictional Practitioner"):
    uid = uuid.uuid4().hex
    email = f"{uid[:10]}@example.org"
    h = keys.headers(user_id=uid, email=email, name=name)
    r = client.post("/api/v1/people", headers=h, json={"name": name, "email": email, "kind": "professional"})
    assert r.status_code in (200, 201), r.get_json()
    return {**r.get_json(), "headers": h}


def _book_lead_self(client, person):
    r = client.post(
        f"/api/v1/people/{person['id']}/pathways/lead/items",
        headers=person["headers"],
        json={"item": "lead_training", "funding": "self"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


# ---- stages (rows 6, 8) ---------------------------------------------------------------------------


def test_stage_is_0_not_yet_engaged_until_an_active_starter_licence(client, keys, join):
    h = _user(keys)
    org = _org(client, h, licences=())
    # staff learning alone does not engage the organisation: nothing counts before the Starter
    body = _read(client, h, org)
    assert body["stage"] == 0 and body["stage_name"] == "Not yet engaged"
    assert any("Starter Licence" in s for s in body["next_steps"])
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
        ).status_code
        == 201
    )
    body = _read(client, h, org)
    assert body["stage"] == 1 and not any("Take out (or renew) the Starter" in s for s in body["next_steps"])


def test_stage_4_counts_accepted_members_on_a_role_pathway_only(client, keys, join):
    h = _user(keys)
    org = _org(client, h)
    outsider = _self_person(client, keys)
    _book_lead_self(client, outsider)  # training towards Lead, but not (yet) a member
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=h,
        json={"person_id": outsider["id"], "role": "staff"},
    )
    assert r.status_code == 201 and r.get_json()["state"] == "invited"
    body = _read(client, h, org)
    assert (
        body["stage"] == 1 and body["stage_facts"]["practitioners"] == 0
    )  # an invitation counts for nothing

    r = client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=outsider["headers"])
    assert r.status_code == 200
    body = _read(client, h, org)
    assert body["stage"] == 4 and body["stage_facts"]["practitioners"] == 1


def test_a_package_holder_without_a_role_training_item_is_not_a_practitioner(app, db, client, keys, join):
    from training.models import Package

    h = _user(keys)
    org = _org(client, h)
    member = join(h, org["id"], "Fictional Package Holder")
    db.session.add(
        Package(
            organisation_id=org["id"],
            practitioner_id=member["id"],
            type=1,
            price=0,
            funding="organisation",
            tracker_uses=3,
            online_accounts=0,
        )
    )
    db.session.commit()
    body = _read(client, h, org)
    assert body["stage"] == 1 and body["stage_facts"]["practitioners"] == 0
    r = client.post(f"/api/v1/organisations/{org['id']}/licences", json={"type": "enhanced"}, headers=h)
    assert r.status_code == 409


def test_learners_are_active_members_with_a_live_l1_2_enrolment(client, keys, join):
    h = _user(keys)
    org = _org(client, h, licences=("starter", "cpd"))
    a = join(h, org["id"], "Fictional Learner A")
    b = join(h, org["id"], "Fictional Learner B")
    for p in (a, b):
        r = client.post(
            "/api/v1/enrolments",
            headers=h,
            json={"person_id": p["id"], "course_code": "foundation_a1", "funding": "cpd_credit"},
        )
        assert r.status_code == 201, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 2
    # b leaves: their enrolment no longer makes the organisation's stage
    r = client.post(f"/api/v1/organisations/{org['id']}/members/{b['membership_id']}/end", headers=h)
    assert r.status_code == 200, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 1
    # a self-funded place whose invoice is voided is cancelled and counts for nothing
    c = join(h, org["id"], "Fictional Learner C")
    r = client.post(
        "/api/v1/enrolments",
        headers=c["headers"],
        json={
            "person_id": c["id"],
            "course_code": "foundation_a1",
            "funding": "self",
            "organisation_id": org["id"],
        },
    )
    assert r.status_code == 201, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 2
    order = client.get(f"/api/v1/orders/{r.get_json()['order_id']}", headers=c["headers"]).get_json()
    admin = _user(keys, roles=("training_admin",))
    r = client.post(f"/api/v1/invoices/{order['invoice']['id']}/void", headers=admin)
    assert r.status_code == 200, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 1


# ---- Enhanced Licence (row 17) -------------------------------------------------------------------


def test_the_enhanced_licence_needs_the_organisations_own_accepted_practitioners(client, keys, join):
    h = _user(keys)
    org = _org(client, h)
    elsewhere = _self_person(client, keys, "Fictional Lead Elsewhere")
    _book_lead_self(client, elsewhere)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=h,
        json={"person_id": elsewhere["id"], "role": "staff"},
    )
    assert r.status_code == 201 and r.get_json()["state"] == "invited"
    url = f"/api/v1/organisations/{org['id']}/licences"
    r = client.post(url, json={"type": "enhanced"}, headers=h)
    assert r.status_code == 409 and "practitioner_in_training" in r.get_json()["unmet"], r.get_json()

    member = join(h, org["id"], "Fictional Own Lead")
    r = client.post(
        f"/api/v1/people/{member['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(url, json={"type": "enhanced"}, headers=h)
    assert r.status_code == 201 and r.get_json()["status"] == "active", r.get_json()


# ---- seat bundles by the year's uptake (row 12) and CPD renewal (row 11) --------------------------


def test_bundle_pricing_follows_the_years_total_uptake_5_then_5_costs_what_10_costs(client, keys):
    h = _user(keys)
    org = _org(client, h, licences=("starter", "cpd"))
    other = _org(client, h, licences=("starter", "cpd"))
    ten = client.get(f"/api/v1/organisations/{other['id']}/seat-quote?count=10", headers=h).get_json()
    url = f"/api/v1/organisations/{org['id']}"
    first_quote = client.get(f"{url}/seat-quote?count=5", headers=h).get_json()
    first = client.post(f"{url}/seat-purchases", json={"count": 5}, headers=h)
    assert first.status_code == 201 and first.get_json()["price"] == first_quote["price"]
    second_quote = client.get(f"{url}/seat-quote?count=5", headers=h).get_json()
    assert second_quote["already_bought_this_year"] == 5
    second = client.post(f"{url}/seat-purchases", json={"count": 5}, headers=h)
    assert second.status_code == 201, second.get_json()
    # GET seat-quote agrees with the purchase, and the year's two bundles cost what one of 10 costs
    assert second.get_json()["price"] == second_quote["price"] == second.get_json()["order"]["total"]
    assert first.get_json()["price"] + second.get_json()["price"] == ten["price"]
    assert second_quote["price"] < first_quote["price"]  # the reduced marginal rate reached


def test_concurrent_seat_purchases_are_priced_by_the_years_total_uptake(app, db, client, keys):
    import threading

    from flask.testing import FlaskClient

    if db.engine.dialect.name != "postgresql":
        import pytest

        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    h = _user(keys)
    c0 = client
    org = _org(c0, h, licences=("starter", "cpd"))
    other = _org(c0, h, licences=("starter", "cpd"))
    total20 = c0.get(f"/api/v1/organisations/{other['id']}/seat-quote?count=20", headers=h).get_json()[
        "price"
    ]
    results, barrier = [], threading.Barrier(20)

    def buy():
        c = FlaskClient(app, app.response_class)
        barrier.wait()
        r = c.post(f"/api/v1/organisations/{org['id']}/seat-purchases", json={"count": 1}, headers=h)
        results.append((r.status_code, (r.get_json() or {}).get("price")))

    threads = [threading.Thread(target=buy) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results].count(201) == 20, results
    assert sum(p for _, p in results) == total20


def test_a_cpd_renewal_renews_the_included_credits_for_the_new_year(client, keys, join):
    h = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    org = _org(client, h, licences=("starter", "cpd"))  # micro: 5 included seats
    url = f"/api/v1/organisations/{org['id']}"
    staff = [join(h, org["id"], f"Fictional Teacher {n}") for n in range(5)]
    for p in staff:
        r = client.post(f"{url}/seats/assignments", json={"person_id": p["id"]}, headers=h)
        assert r.status_code == 201, r.get_json()
    seats = client.get(f"{url}/seats", headers=h).get_json()
    assert (seats["total"], seats["used"], seats["available"]) == (5, 5, 0)
    cpd = next(lic for lic in _read(client, h, org)["licences"] if lic["type"] == "cpd")
    # renewing early adds the next year, not more credits in this one
    r = client.post(f"{url}/licences/{cpd['id']}/renew", headers=h)
    assert r.status_code == 200
    assert client.get(f"{url}/seats", headers=h).get_json()["available"] == 0
    # the year ends (here: ended by a training admin) and the licence is renewed: a new year
    assert client.post(f"{url}/licences/{cpd['id']}/end", headers=admin).status_code == 200
    r = client.post(f"{url}/licences/{cpd['id']}/renew", headers=h)
    assert r.status_code == 200, r.get_json()
    seats = client.get(f"{url}/seats", headers=h).get_json()
    # the five learners keep their seats, and the new year's five credits are free
    assert (seats["used"], seats["available"], seats["carried_from_earlier_years"]) == (5, 5, 5), seats
    assert {a["person_id"] for a in seats["assignments"]} == {p["id"] for p in staff}
    # the year's bundle uptake starts again
    assert client.get(f"{url}/seat-quote?count=1", headers=h).get_json()["already_bought_this_year"] == 0


# ---- organisation kinds (rows 54, 84, 85) and bursary routes (row 4) ------------------------------


def test_the_organisation_kind_policy_table_is_public_data(client):
    r = client.get("/api/v1/catalogue/organisation-kinds")
    assert r.status_code == 200
    kinds = {k["kind"]: {f["action"] for f in k["forbidden"]} for k in r.get_json()["kinds"]}
    assert {"cpd_licence", "online_accounts", "tracker_accounts", "microproject_packages"} <= kinds[
        "community_service"
    ]
    assert {"cpd_licence", "online_accounts", "bursary"} <= kinds["primary_care"]
    assert (
        "applied_practice" not in kinds["primary_care"]
        and "applied_practice" not in kinds["community_service"]
    )
    assert "case_management" in kinds["commissioner"] and "bursary_funding" not in kinds["commissioner"]


def test_community_services_hold_no_cpd_licence_seats_or_package(client, keys, join):
    h = _user(keys)
    cs = _org(client, h, kind="community_service")
    url = f"/api/v1/organisations/{cs['id']}"
    r = client.post(f"{url}/licences", json={"type": "cpd"}, headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:cpd_licence"]
    assert "Community services" in r.get_json()["detail"]
    r = client.post(f"{url}/seat-purchases", json={"count": 1}, headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"][0].startswith("policy:")
    school = _org(client, h, licences=("starter", "cpd"))
    r = client.post(
        f"/api/v1/organisations/{school['id']}/seats/transfers",
        json={"to_organisation_id": cs["id"], "count": 1},
        headers=h,
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:online_accounts"]
    # the Enhanced Licence is allowed (informed, applied conversations) ...
    lead = join(h, cs["id"], "Fictional Community Lead")
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": cs["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"{url}/licences", json={"type": "enhanced"}, headers=h)
    assert r.status_code == 201, r.get_json()
    # ... but no package of any type
    for ptype in (1, 2, 3, 4):
        r = client.post(
            f"{url}/packages",
            headers=h,
            json={"type": ptype, "practitioner_id": lead["id"], "funding": "organisation"},
        )
        assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:microproject_packages"], (
            r.get_json()
        )


def test_primary_care_may_hold_enhanced_train_its_professionals_and_buy_type_1_only(client, keys, join):
    h = _user(keys)
    gp = _org(client, h, kind="primary_care")
    url = f"/api/v1/organisations/{gp['id']}"
    r = client.post(f"{url}/licences", json={"type": "cpd"}, headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:cpd_licence"]
    doctor = join(h, gp["id"], "Fictional GP")
    # it pays for its own professionals' practitioner training
    r = client.post(
        f"/api/v1/people/{doctor['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": gp["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"{url}/licences", json={"type": "enhanced"}, headers=h)
    assert r.status_code == 201, r.get_json()
    r = client.post(
        f"{url}/packages",
        headers=h,
        json={"type": 1, "practitioner_id": doctor["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(
        f"{url}/packages",
        headers=h,
        json={"type": 3, "practitioner_id": doctor["id"], "funding": "organisation"},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:online_accounts"], r.get_json()
    # no bursary
    r = client.post(f"/api/v1/bursaries/{gp['id']}/deposits", json={"amount": 1000}, headers=h)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:bursary"], r.get_json()


def test_bursary_places_need_the_starter_licence(client, keys, join):
    h = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    org = _org(client, h, licences=())
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", json={"amount": 100000}, headers=h)
    assert r.status_code == 201, r.get_json()
    order = client.get(f"/api/v1/orders/{r.get_json()['order_id']}", headers=h).get_json()
    assert (
        client.post(
            f"/api/v1/invoices/{order['invoice']['id']}/pay", json={"reference": "BACS-1"}, headers=admin
        ).status_code
        == 200
    )
    p = join(h, org["id"], "Fictional Bursary Learner")
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        json={"person_id": p["id"], "course_code": "awareness"},
        headers=h,
    )
    assert r.status_code == 409 and "starter_licence" in r.get_json()["unmet"], r.get_json()
    assert client.get(f"/api/v1/bursaries/{org['id']}", headers=h).get_json()["balance"] == 100000
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        json={"person_id": p["id"], "course_code": "awareness"},
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
