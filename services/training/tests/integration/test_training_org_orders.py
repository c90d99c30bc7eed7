"""Orders and invoices through the API: visibility, line items, pay and void."""

import uuid


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _licensed_org(client, h):
    org = client.post(
        "/api/v1/organisations",
        json={
            "name": "Fictional Birch Hub",
            "kind": "locality_hub",
            "size_band": "micro",
            "link_contact_email": "link@birch.example",
            "senior_leadership_commitment": True,
        },
        headers=h,
    ).get_json()
    lic = client.post(
        f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
    ).get_json()
    return org, lic


def test_an_order_has_lines_and_an_issued_invoice_seen_by_its_admin_and_training_admins(client, keys):
    h = _user(keys)
    org, lic = _licensed_org(client, h)
    order = client.get(f"/api/v1/orders/{lic['order_id']}", headers=h).get_json()
    assert order["organisation_id"] == org["id"] and order["currency"] == "GBP"
    assert order["lines"] == [
        {
            **order["lines"][0],
            "code": "licence_starter",
            "quantity": 1,
            "unit_price": lic["price"],
            "amount": lic["price"],
        }
    ]
    assert order["total"] == lic["price"] and order["invoice"]["state"] == "issued"
    invoice = client.get(f"/api/v1/invoices/{order['invoice']['id']}", headers=h).get_json()
    assert (
        invoice["state"] == "issued"
        and invoice["total"] == order["total"]
        and invoice["order_id"] == order["id"]
    )

    stranger = _user(keys)
    assert client.get(f"/api/v1/orders/{order['id']}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/invoices/{invoice['id']}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/organisations/{org['id']}/orders", headers=stranger).status_code == 404
    admin = _user(keys, roles=("training_admin",))
    assert client.get(f"/api/v1/orders/{order['id']}", headers=admin).status_code == 200
    assert client.get("/api/v1/orders/unknown", headers=admin).status_code == 404


def test_training_admins_mark_invoices_paid_or_void(client, keys):
    h = _user(keys)
    admin = _user(keys, roles=("training_admin",))
    org, lic = _licensed_org(client, h)
    inv_id = client.get(f"/api/v1/orders/{lic['order_id']}", headers=h).get_json()["invoice"]["id"]
    assert client.post(f"/api/v1/invoices/{inv_id}/pay", headers=h).status_code == 403
    assert (
        client.post(f"/api/v1/invoices/{inv_id}/pay", headers=admin).status_code == 400
    )  # reference required
    assert (
        client.post(f"/api/v1/invoices/{inv_id}/pay", headers=admin, json={"reference": ""}).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/invoices/{inv_id}/pay", headers=admin, json={"reference": "x" * 101}
        ).status_code
        == 400
    )
    r = client.post(f"/api/v1/invoices/{inv_id}/pay", headers=admin, json={"reference": "BACS 0001"})
    assert r.status_code == 200 and r.get_json()["state"] == "paid" and r.get_json()["paid_at"]
    assert r.get_json()["payment_reference"] == "BACS 0001" and r.get_json()["paid_by"]
    assert (
        client.post(
            f"/api/v1/invoices/{inv_id}/pay", headers=admin, json={"reference": "BACS 0001"}
        ).status_code
        == 200
    )  # repeat is harmless
    r = client.post(f"/api/v1/invoices/{inv_id}/void", headers=admin)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["invoice_paid"]
    assert client.get(f"/api/v1/orders/{lic['order_id']}", headers=h).get_json()["invoice"]["state"] == "paid"

    renewal = client.post(
        f"/api/v1/organisations/{org['id']}/licences/{lic['id']}/renew", headers=h
    ).get_json()
    inv2 = client.get(f"/api/v1/orders/{renewal['order_id']}", headers=h).get_json()["invoice"]["id"]
    assert client.post(f"/api/v1/invoices/{inv2}/void", headers=admin).get_json()["state"] == "void"
    assert (
        client.post(f"/api/v1/invoices/{inv2}/pay", headers=admin, json={"reference": "r"}).status_code == 409
    )
    assert client.post("/api/v1/invoices/nope/pay", headers=admin, json={"reference": "r"}).status_code == 404


def test_the_service_layer_order_is_paid_at_once_when_nothing_is_owed(client, keys, db):
    """create_order is what the people side calls for its purchases."""
    from training.api.schemas.orders import OrderOut
    from training.services.orders import create_order

    funded = create_order(
        organisation_id=None,
        person_id=None,
        created_by="u1",
        funding="fund_award",
        lines=[
            {
                "code": "package_type_2",
                "description": "Prevention package",
                "unit_price": 30000,
                "quantity": 1,
            }
        ],
    )
    free = create_order(
        organisation_id=None,
        person_id=None,
        created_by="u1",
        lines=[{"code": "x", "description": "free", "unit_price": 0, "quantity": 2}],
    )
    owed = create_order(
        organisation_id=None,
        person_id=None,
        created_by="u1",
        lines=[
            {"code": "a", "description": "a", "unit_price": 25000, "quantity": 3},
            {"code": "b", "description": "b", "unit_price": 150, "quantity": 1},
        ],
    )
    db.session.commit()
    assert (funded.invoice.state, free.invoice.state, owed.invoice.state) == ("paid", "paid", "issued")
    body = OrderOut().dump(owed)
    assert body["total"] == 75150 and body["invoice"]["total"] == 75150 and body["price_book_version"] == 1
    assert [ln["amount"] for ln in body["lines"]] == [75000, 150]
    # the buyer (no organisation) sees their own order
    assert client.get(f"/api/v1/orders/{owed.id}", headers=keys.headers(user_id="u1")).status_code == 200
