"""Seat transfers outside the organisation (domain row 14, DOMAIN "Rulings" -> Money): requested by
the sending organisation's admin, approved or refused by a training admin (I Matter Training's
consent); on approval the seats move and the top-up fee from the price book is invoiced to the
RECEIVING organisation. Available seats are checked under the sender's row lock at request and
at approval. Through the API, on SQLite and PostgreSQL; races with 20 threads on PostgreSQL."""

import uuid

import pytest

from support.testing import simultaneous_results as _fire


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _org(client, h, kind="school", band="micro", licences=("starter", "cpd")):
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
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", json={"type": t}, headers=h
            ).status_code
            == 201
        )
    return org


def _seats(client, h, org):
    return client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()


def _pair(client, keys):
    """A sender with 10 seats (5 included with the micro CPD licence + 5 bought) and a receiver."""
    h_from, h_to = _user(keys), _user(keys)
    sender = _org(client, h_from)
    receiver = _org(client, h_to)
    assert (
        client.post(
            f"/api/v1/organisations/{sender['id']}/seat-purchases", json={"count": 5}, headers=h_from
        ).status_code
        == 201
    )
    assert _seats(client, h_from, sender)["available"] == 10
    return h_from, sender, h_to, receiver


def test_a_seat_transfer_is_a_request_that_moves_nothing_until_a_training_admin_approves(client, keys):
    h_from, sender, h_to, receiver = _pair(client, keys)
    admin = _user(keys, roles=("training_admin",))
    r = client.post(
        f"/api/v1/organisations/{sender['id']}/seats/transfers",
        json={"to_organisation_id": receiver["id"], "count": 3},
        headers=h_from,
    )
    assert r.status_code == 201, r.get_json()
    t = r.get_json()
    assert t["state"] == "requested" and t["count"] == 3 and t["order_id"] is None
    assert (
        t["top_up_fee"]["unit_price"]
        == client.get("/api/v1/catalogue/price-book").get_json()["transfer_top_up_fee"]
    )
    # nothing has moved; the sender's own admin cannot approve its request
    assert (
        _seats(client, h_from, sender)["total"] == 10
        and _seats(client, h_to, receiver)["transferred_in"] == 0
    )
    assert client.post(f"/api/v1/seat-transfers/{t['id']}/approve", headers=h_from).status_code == 403
    listed = client.get("/api/v1/seat-transfers?state=requested", headers=admin).get_json()
    assert t["id"] in [x["id"] for x in listed["items"]]

    r = client.post(f"/api/v1/seat-transfers/{t['id']}/approve", headers=admin)
    assert r.status_code == 200, r.get_json()
    done = r.get_json()
    fee = t["top_up_fee"]["unit_price"] * 3
    assert done["state"] == "approved" and done["price"] == fee and done["consent"]["given_by"]
    order = client.get(f"/api/v1/orders/{done['order_id']}", headers=h_to).get_json()
    assert (
        order["organisation_id"] == receiver["id"] and order["invoice"]["total"] == fee
    )  # billed to the receiver
    assert _seats(client, h_from, sender)["total"] == 7
    assert _seats(client, h_to, receiver)["transferred_in"] == 3
    # decided once
    r = client.post(f"/api/v1/seat-transfers/{t['id']}/refuse", json={}, headers=admin)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["transfer_requested"]


def test_a_refused_seat_transfer_moves_nothing_and_frees_the_held_seats(client, keys):
    h_from, sender, h_to, receiver = _pair(client, keys)
    admin = _user(keys, roles=("training_admin",))
    url = f"/api/v1/organisations/{sender['id']}/seats/transfers"
    t = client.post(url, json={"to_organisation_id": receiver["id"], "count": 10}, headers=h_from).get_json()
    r = client.post(url, json={"to_organisation_id": receiver["id"], "count": 1}, headers=h_from)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["seats_available"]  # held by the open request
    r = client.post(f"/api/v1/seat-transfers/{t['id']}/refuse", json={"reason": "Not agreed"}, headers=admin)
    assert (
        r.status_code == 200 and r.get_json()["state"] == "refused" and r.get_json()["reason"] == "Not agreed"
    )
    assert _seats(client, h_from, sender)["total"] == 10 and _seats(client, h_to, receiver)["total"] == 5
    r = client.post(url, json={"to_organisation_id": receiver["id"], "count": 1}, headers=h_from)
    assert r.status_code == 201


def test_seat_transfer_approval_rechecks_the_senders_free_seats(client, keys, join):
    h_from, sender, h_to, receiver = _pair(client, keys)
    admin = _user(keys, roles=("training_admin",))
    t = client.post(
        f"/api/v1/organisations/{sender['id']}/seats/transfers",
        json={"to_organisation_id": receiver["id"], "count": 10},
        headers=h_from,
    ).get_json()
    p = join(h_from, sender["id"], "Fictional Teacher")
    assert (
        client.post(
            f"/api/v1/organisations/{sender['id']}/seats/assignments",
            json={"person_id": p["id"]},
            headers=h_from,
        ).status_code
        == 201
    )
    r = client.post(f"/api/v1/seat-transfers/{t['id']}/approve", headers=admin)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["seats_available"]
    assert client.get(f"/api/v1/seat-transfers/{t['id']}", headers=admin).get_json()["state"] == "requested"
    assert _seats(client, h_to, receiver)["transferred_in"] == 0


def test_seat_transfer_request_validation_and_visibility(client, keys):
    h_from, sender, h_to, receiver = _pair(client, keys)
    url = f"/api/v1/organisations/{sender['id']}/seats/transfers"
    for body, field in (
        ({"to_organisation_id": sender["id"], "count": 1}, "to_organisation_id"),
        ({"to_organisation_id": "nope", "count": 1}, "to_organisation_id"),
        ({"to_organisation_id": receiver["id"], "count": 0}, "count"),
        ({"count": 1}, "to_organisation_id"),
    ):
        r = client.post(url, json=body, headers=h_from)
        assert r.status_code == 400 and field in r.get_json()["errors"], (body, r.get_json())
    assert (
        client.post(url, json={"to_organisation_id": receiver["id"], "count": 1}, headers=h_to).status_code
        == 404
    )  # not the sender's admin
    t = client.post(url, json={"to_organisation_id": receiver["id"], "count": 1}, headers=h_from).get_json()
    stranger = _user(keys)
    assert client.get(f"/api/v1/seat-transfers/{t['id']}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/seat-transfers/{t['id']}", headers=h_to).status_code == 200
    assert client.get("/api/v1/seat-transfers", headers=stranger).get_json()["items"] == []


def test_20_concurrent_seat_transfer_requests_never_promise_more_seats_than_the_sender_has(
    app, db, client, keys
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    h_from, sender, h_to, receiver = _pair(client, keys)
    results = _fire(
        app,
        20,
        lambda c, i: c.post(
            f"/api/v1/organisations/{sender['id']}/seats/transfers",
            json={"to_organisation_id": receiver["id"], "count": 10},
            headers=h_from,
        ),
    )
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * 19, results
    assert all(b["unmet"] == ["seats_available"] for code, b in results if code == 409)
    assert _seats(client, h_from, sender)["available"] == 10  # a request moves nothing


def test_20_concurrent_approvals_move_the_seats_once(app, db, client, keys):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite serialises writers")
    h_from, sender, h_to, receiver = _pair(client, keys)
    admin = _user(keys, roles=("training_admin",))
    t = client.post(
        f"/api/v1/organisations/{sender['id']}/seats/transfers",
        json={"to_organisation_id": receiver["id"], "count": 10},
        headers=h_from,
    ).get_json()
    results = _fire(app, 20, lambda c, i: c.post(f"/api/v1/seat-transfers/{t['id']}/approve", headers=admin))
    codes = sorted(code for code, _ in results)
    assert codes == [200] + [409] * 19, results
    assert _seats(client, h_from, sender)["total"] == 0
    assert _seats(client, h_to, receiver)["transferred_in"] == 10
    orders = client.get(f"/api/v1/organisations/{receiver['id']}/orders", headers=h_to).get_json()["items"]
    assert [
        o for o in orders if any(ln["code"] == "seat_transfer_top_up" for ln in o["lines"])
    ].__len__() == 1


def test_voiding_the_receivers_top_up_invoice_reverses_the_transfer(client, keys):
    h_from, sender, h_to, receiver = _pair(client, keys)
    admin = _user(keys, roles=("training_admin",))
    t = client.post(
        f"/api/v1/organisations/{sender['id']}/seats/transfers",
        json={"to_organisation_id": receiver["id"], "count": 4},
        headers=h_from,
    ).get_json()
    done = client.post(f"/api/v1/seat-transfers/{t['id']}/approve", headers=admin).get_json()
    r = client.post(f"/api/v1/invoices/{done['order']['invoice']['id']}/void", headers=admin)
    assert r.status_code == 200, r.get_json()
    assert (
        _seats(client, h_from, sender)["total"] == 10
        and _seats(client, h_to, receiver)["transferred_in"] == 0
    )
