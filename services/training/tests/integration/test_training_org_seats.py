"""Seats (online L1-2 accounts) through the API: quotes equal purchases, the kind policy,
assignment and release (transfers: test_training_org_seat_transfers.py)."""

import uuid

import pytest


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


def _member(join, h, org):
    p = join(h, org["id"], "Fictional Staff")
    return p, {"id": p["membership_id"]}


def _tiers(client):
    return client.get("/api/v1/catalogue/price-book").get_json()["seat_bundle_tiers"]


@pytest.mark.parametrize("count", [1, 5, 7, 30])
def test_a_quote_is_exactly_what_the_purchase_charges(client, keys, count):
    h = _user(keys)
    org = _org(client, h)
    q = client.get(f"/api/v1/organisations/{org['id']}/seat-quote?count={count}", headers=h)
    assert q.status_code == 200, q.get_json()
    quote = q.get_json()
    assert quote["currency"] == "GBP" and len(quote["breakdown"]) == count
    assert quote["price"] == sum(s["unit_price"] for s in quote["breakdown"])
    # the price follows the published tiers, seat by seat
    tiers = _tiers(client)
    expected = sum(
        max((t for t in tiers if t["from_seat"] <= n), key=lambda t: t["from_seat"])["unit_price"]
        for n in range(1, count + 1)
    )
    assert quote["price"] == expected
    before = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()

    r = client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", json={"count": count}, headers=h)
    assert r.status_code == 201, r.get_json()
    bought = r.get_json()
    assert bought["price"] == quote["price"] and bought["breakdown"] == quote["breakdown"]
    assert bought["order"]["total"] == quote["price"] and bought["order"]["invoice"]["state"] == "issued"
    after = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert after["total"] == before["total"] + count


def test_the_marginal_price_does_not_rise_across_real_quotes(client, keys):
    h = _user(keys)
    org = _org(client, h)
    prices = [
        client.get(f"/api/v1/organisations/{org['id']}/seat-quote?count={n}", headers=h).get_json()["price"]
        for n in range(1, 32)
    ]
    marginal = [b - a for a, b in zip(prices, prices[1:])]
    assert all(later <= earlier for earlier, later in zip(marginal, marginal[1:]))
    assert marginal[0] > marginal[-1]  # the placeholder tiers really do fall


def test_seat_requests_are_validated(client, keys):
    h = _user(keys)
    org = _org(client, h)
    for bad in ("0", "-3", "abc", "100000"):
        r = client.get(f"/api/v1/organisations/{org['id']}/seat-quote?count={bad}", headers=h)
        assert r.status_code == 400 and "count" in r.get_json()["errors"]
    assert client.get(f"/api/v1/organisations/{org['id']}/seat-quote", headers=h).status_code == 400
    r = client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", json={"count": "3"}, headers=h)
    assert r.status_code == 400


def test_a_community_service_asking_for_seats_is_refused_by_the_policy(client, keys, join):
    h = _user(keys)
    org = _org(client, h, kind="community_service", licences=("starter",))
    for r in (
        client.get(f"/api/v1/organisations/{org['id']}/seat-quote?count=2", headers=h),
        client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", json={"count": 2}, headers=h),
    ):
        assert r.status_code == 409
        body = r.get_json()
        assert body["unmet"] == ["policy:online_accounts"]
        assert "Community services" in body["detail"] and "online learning accounts" in body["detail"]
    p, _ = _member(join, h, org)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": p["id"]}, headers=h
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:online_accounts"]


def test_buying_seats_needs_the_cpd_licence(client, keys):
    h = _user(keys)
    org = _org(client, h, licences=("starter",))
    r = client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", json={"count": 2}, headers=h)
    assert r.status_code == 409 and "cpd_licence" in r.get_json()["unmet"]


def test_seats_are_assigned_to_members_and_released_when_they_leave(client, keys, join):
    h = _user(keys)
    org = _org(client, h)  # micro band: the CPD licence includes a few credits
    total = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()["total"]
    assert total > 0
    people = [_member(join, h, org) for _ in range(total)]
    for p, _ in people:
        r = client.post(
            f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": p["id"]}, headers=h
        )
        assert r.status_code == 201, r.get_json()
    seats = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert (seats["used"], seats["available"]) == (total, 0)

    extra, extra_m = _member(join, h, org)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": extra["id"]}, headers=h
    )
    assert r.status_code == 409 and "cpd_seat" in r.get_json()["unmet"]

    leaver, leaver_m = people[0]
    client.post(f"/api/v1/organisations/{org['id']}/members/{leaver_m['id']}/end", headers=h)
    assert client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()["available"] == 1
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": extra["id"]}, headers=h
    )
    assert r.status_code == 201
    # a seat goes to members only: an invited (not yet accepted) person is not one
    outsider = client.post(
        "/api/v1/people",
        json={"name": "Fictional Outsider", "email": "out@example.org", "kind": "professional"},
        headers=h,
    ).get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/members", json={"person_id": outsider["id"]}, headers=h
        ).get_json()["state"]
        == "invited"
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": outsider["id"]}, headers=h
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["membership"]


def test_seats_cannot_be_transferred_to_a_community_service(client, keys):
    h = _user(keys)
    org = _org(client, h)
    cs = _org(client, h, kind="community_service", licences=("starter",))
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/transfers",
        json={"to_organisation_id": cs["id"], "count": 1},
        headers=h,
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:online_accounts"]
