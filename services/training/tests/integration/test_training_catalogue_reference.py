"""The catalogue's reference data (public): a client needs no rule of its own to show the pathway
calculator, the licence texts, the stages, who pays, the membership roles, the requirements a
person books and a practitioner licence's actions. The estimate gives the numbers the portal's
own calculator gave (its function is kept below as the oracle)."""

import uuid

import pytest

from training.rules import licences


def portal_pathway_estimate(role: dict, roles: dict[str, dict], have: set[str]) -> dict:
    """The portal's calculator as it was (gateway portal views.pathway_estimate), over the
    catalogue's roles: the endpoint must give the same numbers."""

    def requirement_cost(req: dict) -> int:
        return int(req.get("price") or 0) * int(req.get("quantity") or 1)

    rows = [
        {**req, "cost": requirement_cost(req), "have": req.get("code") in have}
        for req in role.get("requirements", [])
    ]
    total = sum(r["cost"] for r in rows if not r["have"])
    seen: set[str] = set(have)

    def walk(r: dict) -> int:
        cost = 0
        for req in r.get("requirements", []):
            code = req.get("code")
            if code in seen:
                continue
            seen.add(code)
            cost += walk(roles[code]) if code in roles else requirement_cost(req)
        return cost

    for r in rows:
        if r.get("code") in roles:
            r["role_cost"] = portal_pathway_estimate(roles[r["code"]], roles, have)["with_prerequisites"]
    prerequisites = [roles[r["code"]] for r in rows if r.get("code") in roles and not r["have"]]
    return {"rows": rows, "total": total, "with_prerequisites": walk(role), "prerequisites": prerequisites}


HAVES = [
    (),
    ("deep_dive",),
    ("informed",),
    ("l1_2_completion", "study_support"),
    ("informed", "deep_dive", "lead_training", "package_type_1"),
]


@pytest.mark.parametrize("have", HAVES)
def test_the_estimate_gives_the_numbers_the_portals_calculator_gave(client, have):
    roles_list = client.get("/api/v1/catalogue/roles", query_string={"per_page": 100}).get_json()["items"]
    roles = {r["code"]: r for r in roles_list}
    assert len(roles) == 6
    for code, role in roles.items():
        r = client.get(f"/api/v1/catalogue/roles/{code}/estimate", query_string={"have": list(have)})
        assert r.status_code == 200, r.get_json()
        got = r.get_json()
        assert got.pop("role") == code and got.pop("currency") == "GBP"
        assert got == portal_pathway_estimate(role, roles, set(have)), (code, have)


def test_the_estimate_follows_the_price_book_and_counts_a_shared_requirement_once(client, keys):
    staff = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    book = client.get("/api/v1/price-book", headers=staff).get_json()
    roles = book["roles"]
    for role in roles:  # Child builds on Informed, and Informed too now needs the Deep Dive
        if role["code"] == "informed":
            role["requirements"].append({"code": "deep_dive", "quantity": 1})
        if role["code"] == "child":
            role["requirements"].insert(0, {"code": "informed", "quantity": 1})
    r = client.put("/api/v1/price-book", headers=staff, json={"roles": roles})
    assert r.status_code == 200, r.get_json()
    child = client.get("/api/v1/catalogue/roles/child/estimate").get_json()
    informed = next(row for row in child["rows"] if row["code"] == "informed")
    deep_dive = next(row for row in child["rows"] if row["code"] == "deep_dive")["cost"]
    assert [p["code"] for p in child["prerequisites"]] == ["informed"]
    # from scratch: Child's own items plus Informed's, each shared item (the Deep Dive) once
    own = sum(row["cost"] for row in child["rows"])
    informed_only = [
        row["cost"]
        for row in client.get("/api/v1/catalogue/roles/informed/estimate").get_json()["rows"]
        if row["code"] not in {c["code"] for c in child["rows"]}
    ]
    assert child["with_prerequisites"] == own + sum(informed_only)
    assert child["with_prerequisites"] < own + informed["role_cost"]  # not charged twice
    assert deep_dive > 0


def test_an_unknown_role_is_404_and_an_unknown_have_code_400_naming_it(client):
    r = client.get("/api/v1/catalogue/roles/wizard/estimate")
    assert r.status_code == 404 and r.mimetype == "application/problem+json"
    r = client.get("/api/v1/catalogue/roles/lead/estimate?have=deep_dive&have=moon_landing")
    assert r.status_code == 400 and r.mimetype == "application/problem+json"
    assert "moon_landing" in " ".join(r.get_json()["errors"]["have"])


def test_the_licences_are_the_terms_of_the_price_book_with_their_introduction(client):
    r = client.get("/api/v1/catalogue/licences")
    assert r.status_code == 200
    items = r.get_json()["items"]
    assert [(lic["type"], lic["phase"]) for lic in items] == [("starter", 1), ("cpd", 2), ("enhanced", 3)]
    book = client.get("/api/v1/catalogue/price-book").get_json()
    for lic, terms in zip(items, book["licences"], strict=True):
        assert {k: lic[k] for k in terms} == terms  # the same words as the price book's
        assert lic["name"] and lic["subtitle"] and lic["summary"]
        assert all(lic["fee_key"] in band for band in book["size_bands"])
    assert items[0]["agreement"] == licences.STARTER_AGREEMENT
    assert "named link contact" in items[0]["includes"]


def test_stages_fundings_membership_roles_and_requirements_are_public(client):
    stages = client.get("/api/v1/catalogue/stages").get_json()["items"]
    assert [(s["number"], s["name"]) for s in stages][:2] == [(0, "Not yet engaged"), (1, "Engagement")]
    assert len(stages) == 6
    fundings = client.get("/api/v1/catalogue/fundings").get_json()
    assert [f["code"] for f in fundings["enrolment"]] == ["cpd_credit", "package", "bursary", "self"]
    assert [(f["code"], f["label"]) for f in fundings["learner_enrolment"]] == [
        ("self", "Self-funded"),
        ("package", "Microproject package account"),
    ]
    assert [f["code"] for f in fundings["package"]] == ["organisation", "self", "fund_award"]
    roles = client.get("/api/v1/catalogue/membership-roles", query_string={"per_page": 100}).get_json()
    assert roles["total"] == 17 and roles["items"][-1] == {
        "code": "admin",
        "label": "Admin (administers the organisation)",
        "grants_admin": True,
    }
    reqs = client.get("/api/v1/catalogue/requirements", query_string={"per_page": 100}).get_json()["items"]
    assert {r["code"] for r in reqs if r["self_booked"]} >= {"deep_dive", "study_support", "consolidation"}
    assert not any(r["self_booked"] for r in reqs if r["kind"] != "item")


def test_a_practitioner_licence_state_lists_what_the_holder_may_do(client):
    states = client.get("/api/v1/catalogue/practitioner-licence-states").get_json()["items"]
    assert {s["state"]: [a["action"] for a in s["actions"]] for s in states} == {
        "applied": ["pause"],
        "active": ["pause", "renew"],
        "paused": ["resume", "renew"],
        "lapsed": ["renew"],
    }
    assert all(s["note"] for s in states)


def test_a_person_may_choose_for_themself_exactly_the_fundings_listed_for_a_person(client, keys, join):
    admin = keys.headers(user_id=uuid.uuid4().hex, email="admin@rowan.example", roles=["learner"])
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Rowan School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@rowan.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    person = join(admin, org["id"], "Fictional Ash")
    fundings = client.get("/api/v1/catalogue/fundings").get_json()["enrolment"]
    for f in fundings:
        r = client.post(
            "/api/v1/enrolments",
            headers=person["headers"],
            json={
                "person_id": person["id"],
                "course_code": "foundation_a1",
                "funding": f["code"],
                "organisation_id": org["id"],
            },
        )
        assert (r.status_code == 403) == ("person" not in f["chosen_by"]), (f["code"], r.get_json())
