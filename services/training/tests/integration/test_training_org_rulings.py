"""Organisations per DOMAIN "Rulings" (domain review rows 4, 6, 8, 11, 12, 17): stage 0 before the
Starter, stage 4 and the Enhanced Licence from accepted members on a role pathway only, learners
from live enrolments of active members, bundle pricing by the year's uptake, CPD renewal renews
the included credits, bursary places need the Starter. Through the API, on SQLite and PostgreSQL."""
import uuid


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _org(client, h, kind="school", band="micro", licences=("starter",)):
    r = client.post("/api/v1/organisations", json={
        "name": f"Fictional {kind} {uuid.uuid4().hex[:4]}", "kind": kind, "size_band": band,
        "link_contact_email": "link@example.org", "senior_leadership_commitment": True}, headers=h)
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
    r = client.post(f"/api/v1/people/{person['id']}/pathways/lead/items", headers=person["headers"],
                    json={"item": "lead_training", "funding": "self"})
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
    assert client.post(f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"},
                       headers=h).status_code == 201
    body = _read(client, h, org)
    assert body["stage"] == 1 and not any("Take out (or renew) the Starter" in s for s in body["next_steps"])


def test_stage_4_counts_accepted_members_on_a_role_pathway_only(client, keys, join):
    h = _user(keys)
    org = _org(client, h)
    outsider = _self_person(client, keys)
    _book_lead_self(client, outsider)  # training towards Lead, but not (yet) a member
    r = client.post(f"/api/v1/organisations/{org['id']}/members", headers=h,
                    json={"person_id": outsider["id"], "role": "staff"})
    assert r.status_code == 201 and r.get_json()["state"] == "invited"
    body = _read(client, h, org)
    assert body["stage"] == 1 and body["stage_facts"]["practitioners"] == 0  # an invitation counts for nothing

    r = client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=outsider["headers"])
    assert r.status_code == 200
    body = _read(client, h, org)
    assert body["stage"] == 4 and body["stage_facts"]["practitioners"] == 1


def test_a_package_holder_without_a_role_training_item_is_not_a_practitioner(app, db, client, keys, join):
    from training.models import Package
    h = _user(keys)
    org = _org(client, h)
    member = join(h, org["id"], "Fictional Package Holder")
    db.session.add(Package(organisation_id=org["id"], practitioner_id=member["id"], type=1, price=0,
                           funding="organisation", tracker_uses=3, online_accounts=0))
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
        r = client.post("/api/v1/enrolments", headers=h, json={
            "person_id": p["id"], "course_code": "foundation_a1", "funding": "cpd_credit"})
        assert r.status_code == 201, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 2
    # b leaves: their enrolment no longer makes the organisation's stage
    r = client.post(f"/api/v1/organisations/{org['id']}/members/{b['membership_id']}/end", headers=h)
    assert r.status_code == 200, r.get_json()
    assert _read(client, h, org)["stage_facts"]["learners"] == 1
    # a self-funded place whose invoice is voided is cancelled and counts for nothing
    c = join(h, org["id"], "Fictional Learner C")
    r = client.post("/api/v1/enrolments", headers=c["headers"], json={
        "person_id": c["id"], "course_code": "foundation_a1", "funding": "self", "organisation_id": org["id"]})
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
    r = client.post(f"/api/v1/organisations/{org['id']}/members", headers=h,
                    json={"person_id": elsewhere["id"], "role": "staff"})
    assert r.status_code == 201 and r.get_json()["state"] == "invited"
    url = f"/api/v1/organisations/{org['id']}/licences"
    r = client.post(url, json={"type": "enhanced"}, headers=h)
    assert r.status_code == 409 and "practitioner_in_training" in r.get_json()["unmet"], r.get_json()

    member = join(h, org["id"], "Fictional Own Lead")
    r = client.post(f"/api/v1/people/{member['id']}/pathways/lead/items", headers=h,
                    json={"item": "lead_training", "organisation_id": org["id"]})
    assert r.status_code == 201, r.get_json()
    r = client.post(url, json={"type": "enhanced"}, headers=h)
    assert r.status_code == 201 and r.get_json()["status"] == "active", r.get_json()
