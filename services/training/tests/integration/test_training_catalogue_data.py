"""Issue 16: the catalogue is data I Matter Training changes without a release. Courses, role
requirements and package types live in the versioned price book; a training admin edits them with
PUT /api/v1/price-book (each save a new version, validated: 400 naming the field); the catalogue
and the next order follow; earlier orders keep the price and version they were sold at; every
version is announced to cic-tracker (training.package_types.published)."""

import json
import uuid

import sqlalchemy as sa

from training.models import OutboxMessage


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


def _published(db):
    rows = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.type == "training.package_types.published")
        .order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _org_with_two_leads_in_training(client, keys, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Hazel School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@hazel.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    a, b = join(admin, org["id"], name="Fictional Lead A"), join(admin, org["id"], name="Fictional Lead B")
    return admin, org, a, b


def _book(client, admin, org, person, item, role="lead"):
    r = client.post(
        f"/api/v1/people/{person['id']}/pathways/{role}/items",
        headers=admin,
        json={"item": item, "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _order(client, headers, order_id):
    r = client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_catalogue_is_read_from_the_price_book_with_the_seeds_prices_and_labelled_placeholders(client):
    courses = {c["code"]: c for c in client.get("/api/v1/catalogue/courses?per_page=100").get_json()["items"]}
    for code in (
        "awareness",
        "foundation_a1",
        "foundation_a2",
        "foundation_b",
        "intermediate_a",
        "intermediate_b",
    ):
        assert courses[code]["placeholder"] is True and "PLACEHOLDER" in courses[code]["placeholder_label"]
    assert (
        courses["foundation_a1"]["online_account"] is True and courses["deep_dive"]["online_account"] is False
    )
    assert {
        c: courses[c]["price"]
        for c in ("study_support", "consolidation", "deep_dive", "lead_training", "child_practicum")
    } == {
        "study_support": 25000,
        "consolidation": 15000,
        "deep_dive": 75000,
        "lead_training": 25000,
        "child_practicum": 25000,
    }
    assert courses["deep_dive"]["placeholder"] is False
    packages = client.get("/api/v1/catalogue/packages").get_json()["items"]
    assert [(p["type"], p["tracker_uses_per_case"], p["tracker_uses"], p["price"]) for p in packages] == [
        (1, 1, 3, 15000),
        (2, 0, 0, 30000),
        (3, 2, 6, 45000),
        (4, 3, 9, 60000),
    ]
    assert all(p["purpose"] for p in packages)
    roles = {r["code"]: r for r in client.get("/api/v1/catalogue/roles").get_json()["items"]}
    child = [q["code"] for q in roles["child"]["requirements"]]
    assert "lead_oversight" in child and "lead_plus_oversight" in child
    informed = {q["code"]: (q["price"], q["quantity"]) for q in roles["informed"]["requirements"]}
    assert informed["consolidation"] == (15000, 3) and informed["study_support"] == (25000, 1)
    book = client.get("/api/v1/catalogue/price-book").get_json()
    assert all(t["placeholder"] is True and t["label"] for t in book["seat_bundle_tiers"])
    assert all(b["placeholder"] is True for b in book["size_bands"])


def test_editing_a_role_requirement_price_changes_the_catalogue_and_the_next_order_not_earlier_ones(
    client, keys, join
):
    staff = _user(keys, roles=("training_admin",))
    admin, org, a, b = _org_with_two_leads_in_training(client, keys, join)
    first = _book(client, admin, org, a, "lead_training")
    assert first["price"] == 25000
    book = client.get("/api/v1/price-book", headers=staff).get_json()
    courses = book["courses"]
    next(c for c in courses if c["code"] == "lead_training")["price"] = 26050  # £260.50: pence kept
    r = client.put("/api/v1/price-book", headers=staff, json={"courses": courses})
    assert r.status_code == 200, r.get_json()
    version = r.get_json()["version"]
    assert version == book["version"] + 1

    roles = {r["code"]: r for r in client.get("/api/v1/catalogue/roles").get_json()["items"]}
    for role in ("lead", "lead_plus"):  # one requirement, one price, in every role that needs it
        assert {q["code"]: q["price"] for q in roles[role]["requirements"]}["lead_training"] == 26050
    path = client.get(f"/api/v1/people/{b['id']}/pathways/lead", headers=b["headers"]).get_json()
    assert {q["code"]: q["price"] for q in path["requirements"]}["lead_training"] == 26050

    second = _book(client, admin, org, b, "lead_training")
    assert second["price"] == 26050
    assert _order(client, admin, second["order_id"])["price_book_version"] == version
    old = _order(client, admin, first["order_id"])
    assert old["total"] == 25000 and old["price_book_version"] == book["version"]


def test_editing_a_package_price_changes_the_catalogue_the_next_package_and_tells_cic(client, keys, join, db):
    staff = _user(keys, roles=("training_admin",))
    admin, org, a, b = _org_with_two_leads_in_training(client, keys, join)
    _book(client, admin, org, a, "lead_training")
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    first = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 3, "practitioner_id": a["id"], "funding": "organisation"},
    )
    assert first.status_code == 201, first.get_json()
    first = first.get_json()
    assert (first["price"], first["tracker_uses"]) == (45000, 6)

    book = client.get("/api/v1/price-book", headers=staff).get_json()
    types = book["package_types"]
    t3 = next(p for p in types if p["type"] == 3)
    t3["price"], t3["tracker_uses_per_case"] = 47599, 3
    r = client.put("/api/v1/price-book", headers=staff, json={"package_types": types})
    assert r.status_code == 200, r.get_json()
    version = r.get_json()["version"]

    catalogue = {p["type"]: p for p in client.get("/api/v1/catalogue/packages").get_json()["items"]}
    assert (catalogue[3]["price"], catalogue[3]["tracker_uses_per_case"], catalogue[3]["tracker_uses"]) == (
        47599,
        3,
        9,
    )
    _book(client, admin, org, b, "lead_training")  # packages are for practitioners in training (row 42)
    second = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 3, "practitioner_id": b["id"], "funding": "organisation"},
    ).get_json()
    assert (second["price"], second["tracker_uses"]) == (47599, 9)
    assert _order(client, admin, second["order_id"])["price_book_version"] == version
    again = client.get(f"/api/v1/organisations/{org['id']}/packages/{first['id']}", headers=admin)
    if again.status_code == 200:
        assert (again.get_json()["price"], again.get_json()["tracker_uses"]) == (45000, 6)
    old = _order(client, admin, first["order_id"])
    assert old["total"] == 45000 and old["price_book_version"] < version

    announced = _published(db)[-1]
    assert announced["price_book_version"] == version
    assert {
        p["type"]: (p["price"], p["tracker_uses_per_case"], p["tracker_uses"])
        for p in announced["package_types"]
    }[3] == (47599, 3, 9)


def test_an_edit_of_the_catalogue_that_does_not_hold_together_is_refused_naming_the_field(client, keys, db):
    staff = _user(keys, roles=("training_admin",))
    book = client.get("/api/v1/price-book", headers=staff).get_json()
    before = len(_published(db))

    types = [p for p in book["package_types"] if p["type"] != 4]
    r = client.put("/api/v1/price-book", headers=staff, json={"package_types": types})
    assert r.status_code == 400 and "package_types" in r.get_json()["errors"]

    types = [dict(p) for p in book["package_types"]]
    types[0]["price"] = -1
    r = client.put("/api/v1/price-book", headers=staff, json={"package_types": types})
    assert r.status_code == 400 and "package_types.0.price" in r.get_json()["errors"]

    roles = [dict(r) for r in book["roles"]]
    roles[0] = {**roles[0], "requirements": roles[0]["requirements"] + [{"code": "bake_off", "quantity": 1}]}
    r = client.put("/api/v1/price-book", headers=staff, json={"roles": roles})
    assert r.status_code == 400 and "roles" in r.get_json()["errors"]

    courses = [c for c in book["courses"] if c["code"] != "foundation_a1"]
    r = client.put("/api/v1/price-book", headers=staff, json={"courses": courses})
    assert r.status_code == 400 and "courses" in r.get_json()["errors"]

    courses = [c for c in book["courses"] if c["code"] != "deep_dive"]  # priced requirement of Child and Lead
    r = client.put("/api/v1/price-book", headers=staff, json={"courses": courses})
    assert r.status_code == 400 and "roles" in r.get_json()["errors"]

    courses = [dict(c) for c in book["courses"]]
    courses[1]["price"] = 12.5
    r = client.put("/api/v1/price-book", headers=staff, json={"courses": courses})
    assert r.status_code == 400  # money is integer pence

    # a refused edit changes nothing and announces nothing
    assert client.get("/api/v1/price-book", headers=staff).get_json()["version"] == book["version"]
    assert len(_published(db)) == before


def test_a_course_added_by_an_admin_is_in_the_catalogue_and_a_placeholder_says_so(client, keys):
    staff = _user(keys, roles=("training_admin",))
    book = client.get("/api/v1/price-book", headers=staff).get_json()
    courses = book["courses"] + [
        {
            "code": "course_notes",
            "level": 1,
            "title": "Course notes (print)",
            "price": 1250,
            "kind": "preparation",
            "online_account": False,
            "placeholder": True,
        }
    ]
    r = client.put("/api/v1/price-book", headers=staff, json={"courses": courses})
    assert r.status_code == 200, r.get_json()
    listed = {c["code"]: c for c in client.get("/api/v1/catalogue/courses?per_page=100").get_json()["items"]}
    assert listed["course_notes"]["price"] == 1250
    assert listed["course_notes"]["placeholder"] is True and listed["course_notes"]["placeholder_label"]
    assert listed["course_notes"]["price_status"] == "placeholder"
