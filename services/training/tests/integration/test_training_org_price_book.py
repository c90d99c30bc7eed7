"""The price book through the API: public and placeholder-labelled, edited only by training
admins, every edit a new version, old orders keeping the prices they were sold at."""

import uuid


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def test_the_public_price_book_has_the_contract_shape_and_placeholder_labels(client):
    r = client.get("/api/v1/catalogue/price-book")
    assert r.status_code == 200
    book = r.get_json()
    assert book["currency"] == "GBP" and book["version"] == 1 and book["placeholder"] is True
    assert "PLACEHOLDER" in book["notice"]
    assert [b["code"] for b in book["size_bands"]] == ["micro", "small", "medium", "large"]
    for band in book["size_bands"]:
        assert {"code", "label", "starter_fee", "cpd_fee", "enhanced_fee", "cpd_seats_included"} <= set(band)
        assert "PLACEHOLDER fee — not published by I Matter" in band["label"]
        assert all(
            isinstance(band[f], int) for f in ("starter_fee", "cpd_fee", "enhanced_fee", "cpd_seats_included")
        )
    tiers = book["seat_bundle_tiers"]
    assert tiers[0]["from_seat"] == 1
    assert [t["unit_price"] for t in tiers] == sorted((t["unit_price"] for t in tiers), reverse=True)
    assert isinstance(book["transfer_top_up_fee"], int) and "affiliate_percentage" in book
    licences = {lic["type"]: lic for lic in book["licences"]}
    assert set(licences) == {"starter", "cpd", "enhanced"}
    assert "practitioner training" in licences["enhanced"]["excludes"]


def test_only_training_admins_edit_and_every_edit_is_a_new_version(client, keys):
    learner = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    assert client.get("/api/v1/price-book").status_code == 401
    assert client.get("/api/v1/price-book", headers=learner).status_code == 403
    assert (
        client.put("/api/v1/price-book", json={"transfer_top_up_fee": 1}, headers=learner).status_code == 403
    )
    current = client.get("/api/v1/price-book", headers=admin).get_json()

    r = client.put("/api/v1/price-book", json={"transfer_top_up_fee": 3100}, headers=admin)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == 2 and r.get_json()["transfer_top_up_fee"] == 3100
    assert r.get_json()["size_bands"] == current["size_bands"]  # fields left out keep their values
    bands = [
        {
            "code": "one",
            "label": "One size",
            "starter_fee": 10000,
            "cpd_fee": 20000,
            "enhanced_fee": 30000,
            "cpd_seats_included": 4,
        }
    ]
    r = client.put(
        "/api/v1/price-book",
        json={
            "size_bands": bands,
            "seat_bundle_tiers": [{"from_seat": 1, "unit_price": 7000}, {"from_seat": 3, "unit_price": 6500}],
        },
        headers=admin,
    )
    assert r.status_code == 200 and r.get_json()["version"] == 3
    public = client.get("/api/v1/catalogue/price-book").get_json()
    assert public["version"] == 3
    assert all(not b["placeholder"] for b in public["size_bands"])
    assert all(not t["placeholder"] and "label" not in t for t in public["seat_bundle_tiers"])
    # the book still says so while the online L1-2 course fees are placeholders (issue 16, row 111)
    assert public["placeholder"] is True and "course fees" in public["notice"]
    assert public["size_bands"][0]["code"] == "one"
    old = client.get("/api/v1/price-book/versions/1", headers=admin).get_json()
    assert [b["code"] for b in old["size_bands"]] == ["micro", "small", "medium", "large"]
    assert client.get("/api/v1/price-book/versions/99", headers=admin).status_code == 404


def test_an_edit_that_does_not_hold_together_is_refused(client, keys):
    admin = _user(keys, roles=("training_admin",))
    r = client.put(
        "/api/v1/price-book",
        json={
            "seat_bundle_tiers": [{"from_seat": 1, "unit_price": 5000}, {"from_seat": 5, "unit_price": 6000}]
        },
        headers=admin,
    )
    assert r.status_code == 400 and "seat_bundle_tiers" in r.get_json()["errors"]
    r = client.put("/api/v1/price-book", json={"transfer_top_up_fee": -1}, headers=admin)
    assert r.status_code == 400
    r = client.put(
        "/api/v1/price-book",
        json={
            "size_bands": [
                {
                    "code": "x",
                    "label": "X",
                    "starter_fee": 1.5,
                    "cpd_fee": 1,
                    "enhanced_fee": 1,
                    "cpd_seats_included": 1,
                }
            ]
        },
        headers=admin,
    )
    assert r.status_code == 400  # money is integer pence
    r = client.put(
        "/api/v1/price-book",
        json={"seat_bundle_tiers": [{"from_seat": 1, "unit_price": 10**15}]},
        headers=admin,
    )
    assert r.status_code == 400 and "seat_bundle_tiers.0.unit_price" in r.get_json()["errors"]
    assert client.get("/api/v1/catalogue/price-book").get_json()["version"] == 1


def test_an_old_order_keeps_the_price_it_was_sold_at(client, keys):
    h = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    org = client.post(
        "/api/v1/organisations",
        json={
            "name": "Fictional Elm Nursery",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@elm.example",
            "senior_leadership_commitment": True,
        },
        headers=h,
    ).get_json()
    first = client.post(
        f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
    ).get_json()
    old_order = client.get(f"/api/v1/orders/{first['order_id']}", headers=h).get_json()

    book = client.get("/api/v1/price-book", headers=admin).get_json()
    bands = [{**b, "starter_fee": b["starter_fee"] + 12345} for b in book["size_bands"]]
    assert (
        client.put("/api/v1/price-book", json={"size_bands": bands}, headers=admin).get_json()["version"] == 2
    )

    assert client.get(f"/api/v1/orders/{first['order_id']}", headers=h).get_json() == old_order
    assert old_order["price_book_version"] == 1
    renewed = client.post(
        f"/api/v1/organisations/{org['id']}/licences/{first['id']}/renew", headers=h
    ).get_json()
    assert renewed["price"] == first["price"] + 12345 and renewed["price_book_version"] == 2
    new_order = client.get(f"/api/v1/orders/{renewed['order_id']}", headers=h).get_json()
    assert new_order["price_book_version"] == 2 and new_order["total"] == first["price"] + 12345


def test_a_size_band_removed_from_the_book_cannot_be_chosen_any_more(client, keys):
    h = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    book = client.get("/api/v1/price-book", headers=admin).get_json()
    client.put(
        "/api/v1/price-book",
        json={"size_bands": [b for b in book["size_bands"] if b["code"] != "large"]},
        headers=admin,
    )
    r = client.post(
        "/api/v1/organisations",
        json={
            "name": "Fictional Big Trust",
            "kind": "other_service",
            "size_band": "large",
            "senior_leadership_commitment": True,
        },
        headers=h,
    )
    assert r.status_code == 400 and "size_band" in r.get_json()["errors"]
