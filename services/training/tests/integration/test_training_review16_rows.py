"""Gaps found by the second domain review re-run (rows 111, 114, 42, 74, 110), through the API on
SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from training.models.lead_professionals import LeadProfessionalApplication
from training.services import directory


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    email = f"{uid[:10]}@example.org"
    return keys.headers(user_id=uid, email=email, roles=list(roles), email_verified=True), email, uid


def _org(client, h, name="Fictional Review School", licences=("starter",)):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": name,
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@review.example",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for t in licences:
        r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": t})
        assert r.status_code == 201, r.get_json()
    return org


def _l1_2_fees(client) -> tuple[int, bool]:
    courses = client.get("/api/v1/catalogue/courses?per_page=100").get_json()["items"]
    l12 = [c for c in courses if c["kind"] == "online_course" and c["level"] in (1, 2)]
    assert len(l12) == 5
    return sum(c["price"] for c in l12), any(c["placeholder"] for c in l12)


# ---- row 111: every response that shows a placeholder price says so ----------------------------


def test_row111_a_licence_priced_from_a_placeholder_band_says_so(client, keys):
    admin, _, _ = _user(keys)
    org = _org(client, admin)
    lic = client.get(f"/api/v1/organisations/{org['id']}/licences", headers=admin).get_json()["items"][0]
    assert (
        lic["type"] == "starter" and lic["placeholder"] is True and "PLACEHOLDER" in lic["placeholder_label"]
    )
    shown = client.get(f"/api/v1/organisations/{org['id']}", headers=admin).get_json()["licences"][0]
    assert shown["placeholder"] is True and shown["placeholder_label"]

    # a training admin publishes the small band's fees: licences bought now are not placeholders,
    # the Starter keeps the mark of the version it was priced from
    staff = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    bands = client.get("/api/v1/price-book", headers=staff).get_json()["size_bands"]
    for b in bands:
        if b["code"] == "small":
            b.update(placeholder=False, label="Small (11-50 staff)")
    r = client.put("/api/v1/price-book", headers=staff, json={"size_bands": bands})
    assert r.status_code == 200, r.get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "cpd"}
        ).status_code
        == 201
    )
    got = {
        x["type"]: x
        for x in client.get(f"/api/v1/organisations/{org['id']}/licences", headers=admin).get_json()["items"]
    }
    assert got["starter"]["placeholder"] is True
    assert got["cpd"]["placeholder"] is False and "placeholder_label" not in got["cpd"]


def test_row111_the_pathway_marks_a_remaining_cost_built_from_placeholder_fees(client, keys):
    h, email, _ = _user(keys)
    me = client.post(
        "/api/v1/people", headers=h, json={"name": "Pat Fictional", "email": email, "kind": "professional"}
    ).get_json()
    fees, any_placeholder = _l1_2_fees(client)
    assert any_placeholder  # the seed's L1-2 fees are placeholders
    informed = client.get(f"/api/v1/people/{me['id']}/pathways/informed", headers=h).get_json()
    l12 = next(q for q in informed["requirements"] if q["code"] == "l1_2_completion")
    assert l12["charge"] == fees and l12["placeholder"] is True and l12["placeholder_label"]
    assert informed["placeholder"] is True and informed["placeholder_label"]
    # a published price carries no mark; a pathway whose remaining cost has no placeholder says so
    study = next(q for q in informed["requirements"] if q["code"] == "study_support")
    assert study["placeholder"] is False
    lead = client.get(f"/api/v1/people/{me['id']}/pathways/lead", headers=h).get_json()
    assert lead["remaining_cost"] > 0 and lead["placeholder"] is False
    # Link builds on Informed: the nested role's placeholder fees make Link's remaining cost one too
    link = client.get(f"/api/v1/people/{me['id']}/pathways/link", headers=h).get_json()
    assert next(q for q in link["requirements"] if q["code"] == "informed")["placeholder"] is True
    assert link["placeholder"] is True


# ---- row 114: the calculator and the pathway price L1-2 completion alike -------------------------


def test_row114_the_catalogue_prices_l1_2_completion_at_the_course_fees(client, keys):
    fees, _ = _l1_2_fees(client)
    roles = {r["code"]: r for r in client.get("/api/v1/catalogue/roles").get_json()["items"]}
    for code in ("informed", "child"):
        l12 = next(q for q in roles[code]["requirements"] if q["code"] == "l1_2_completion")
        assert l12["price"] == fees > 0
        assert l12["placeholder"] is True and l12["placeholder_label"]
    # the role's items agree with a newcomer's remaining cost on their pathway
    h, email, _ = _user(keys)
    me = client.post(
        "/api/v1/people", headers=h, json={"name": "Cal Fictional", "email": email, "kind": "professional"}
    ).get_json()
    path = client.get(f"/api/v1/people/{me['id']}/pathways/informed", headers=h).get_json()
    listed = sum(q["price"] * q["quantity"] for q in roles["informed"]["requirements"])
    assert listed == roles["informed"]["price"] == path["remaining_cost"]

    # published L1-2 fees lose the label
    staff = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    courses = client.get("/api/v1/price-book", headers=staff).get_json()["courses"]
    for c in courses:
        if c["kind"] == "online_course" and c["level"] in (1, 2):
            c["placeholder"] = False
            c.pop("placeholder_label", None)
            c.pop("price_status", None)
    assert client.put("/api/v1/price-book", headers=staff, json={"courses": courses}).status_code == 200
    roles = {r["code"]: r for r in client.get("/api/v1/catalogue/roles").get_json()["items"]}
    l12 = next(q for q in roles["informed"]["requirements"] if q["code"] == "l1_2_completion")
    assert l12["placeholder"] is False and l12["price"] == fees


# ---- row 74: professionals on the Lead Professional programme may be listed ----------------------


def _lp_application(db, person_id, state):
    app = LeadProfessionalApplication(
        person_id=person_id, route="standard", references=[], senior_leadership_backing=True, state=state
    )
    db.session.add(app)
    db.session.commit()
    return app


def test_row74_a_lead_professional_trainee_may_list_themself(client, keys, db):
    listed = []
    for state, name in (
        ("applied", "Ada Fictional-Applied"),
        ("trainee", "Tia Fictional-Trainee"),
        ("implementation", "Ivo Fictional-Implementation"),
    ):
        h, email, _ = _user(keys)
        me = client.post(
            "/api/v1/people", headers=h, json={"name": name, "email": email, "kind": "professional"}
        ).get_json()
        app = _lp_application(db, me["id"], state)
        r = client.post(
            f"/api/v1/people/{me['id']}/directory-entry", headers=h, json={"locality": "Fictionalton"}
        )
        if state == "applied":  # an application alone is not the programme
            assert r.status_code == 409 and r.get_json()["unmet"] == ["directory_certification"]
            continue
        assert r.status_code == 201, r.get_json()
        listed.append((name, me, h, app))
    entries = {e["name"]: e for e in client.get("/api/v1/directory?q=Fictional-").get_json()["items"]}
    assert set(entries) == {"Tia Fictional-Trainee", "Ivo Fictional-Implementation"}
    cred = entries["Tia Fictional-Trainee"]["certifications"]
    assert cred == [
        {
            "role": "lead_professional",
            "title": "Lead Professional programme (training year)",
            "in_training": True,
            "certified_at": None,
        }
    ]
    # leaving the programme drops the entry at once
    _, _, _, app = listed[0]
    app.state = "declined"
    directory.refresh_eligibility([app.person_id])  # what moves an application refreshes the listing
    db.session.commit()
    names = [e["name"] for e in client.get("/api/v1/directory?q=Fictional-").get_json()["items"]]
    assert names == ["Ivo Fictional-Implementation"]


# ---- row 42: packages are for practitioners on a practitioner pathway ----------------------------


def _enhanced_org(client, admin, join):
    """An organisation holding the Enhanced Licence (it needs a practitioner in training there)."""
    org = _org(client, admin)
    lead = join(admin, org["id"], "Lea Fictional-Lead")
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=admin,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"})
    assert r.status_code == 201, r.get_json()
    return org


def test_row42_a_package_is_not_bought_for_a_member_with_no_training_pathway_or_licence(client, keys, join):
    admin, _, _ = _user(keys)
    org = _enhanced_org(client, admin, join)
    member = join(admin, org["id"], "Una Fictional-Untrained")
    body = {"type": 3, "practitioner_id": member["id"], "funding": "organisation"}
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["practitioner_pathway"], r.get_json()
    assert client.get(f"/api/v1/organisations/{org['id']}/packages", headers=admin).get_json()["items"] == []
    # once they book practitioner training (Deep Dive towards Lead) the package may be bought
    r = client.post(
        f"/api/v1/people/{member['id']}/pathways/lead/items",
        headers=admin,
        json={"item": "deep_dive", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=body)
    assert r.status_code == 201, r.get_json()


def test_row42_a_certified_practitioner_may_have_a_package(client, keys, join, db):
    from training.models.certification import Certification
    from training.services.clock import now

    admin, _, _ = _user(keys)
    org = _enhanced_org(client, admin, join)
    member = join(admin, org["id"], "Cara Fictional-Certified")
    db.session.add(Certification(person_id=member["id"], role="informed", certified_at=now()))
    db.session.commit()
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 2, "practitioner_id": member["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
