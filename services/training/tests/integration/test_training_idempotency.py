"""Idempotency-Key on the money-moving POSTs (decision 0054): a repeat returns the first answer
and buys nothing; another body is 422; keys are the caller's own; a bad key is 400."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support.testing import simultaneous_results as _race
from training.models import IdempotencyKey, Order, Package

H = "Idempotency-Key"


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _org(client, h, licences=("starter", "cpd")):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": f"Fictional School {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@fictional.example",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    org = r.get_json()
    for t in licences:
        r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": t})
        assert r.status_code == 201, r.get_json()
    return org


def _lead(client, keys, h, org):
    """An organisation with an Enhanced licence and a practitioner a package can be bought for."""
    email = f"{uuid.uuid4().hex[:8]}@fictional.example"
    p = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": "Lee Fictional-Lead", "email": email, "kind": "professional"},
    ).get_json()
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members", headers=h, json={"person_id": p["id"], "role": "staff"}
    )
    own = keys.headers(user_id=uuid.uuid4().hex, email=email, roles=["learner"], email_verified=True)
    assert client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=own).status_code == 200
    r = client.post(
        f"/api/v1/people/{p['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "enhanced"})
    assert r.status_code == 201, r.get_json()
    return p


def _orders(db, org):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.organisation_id == org["id"]))


def _packages(db, org):
    return db.session.scalar(sa.select(sa.func.count(Package.id)).where(Package.organisation_id == org["id"]))


def _buy(client, h, org, lead, key, funding="organisation"):
    return client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers={**h, H: key},
        json={"type": 3, "practitioner_id": lead["id"], "funding": funding},
    )


def test_a_repeated_package_purchase_returns_the_first_answer_and_buys_once(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    lead = _lead(client, keys, h, org)
    before = _orders(db, org)
    key = str(uuid.uuid4())
    first = _buy(client, h, org, lead, key)
    assert first.status_code == 201, first.get_json()
    again = _buy(client, h, org, lead, key)
    assert (again.status_code, again.get_json()) == (201, first.get_json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert (_packages(db, org), _orders(db, org)) == (1, before + 1)
    # the same key with another body is 422 naming the header, and buys nothing
    other = _buy(client, h, org, lead, key, funding="bursary")
    assert other.status_code == 422 and H in other.get_json()["errors"], other.get_json()
    assert other.content_type.startswith("application/problem+json")
    # the same key on another money-moving route is 422 too
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seat-purchases", headers={**h, H: key}, json={"count": 1}
    )
    assert r.status_code == 422 and H in r.get_json()["errors"], r.get_json()
    assert (_packages(db, org), _orders(db, org)) == (1, before + 1)


def test_another_callers_same_key_is_their_own(client, keys, db):
    a, b = _user(keys), _user(keys)
    org_a, org_b = _org(client, a, licences=()), _org(client, b, licences=())
    key = "shared-key-1"
    ra = client.post(
        f"/api/v1/organisations/{org_a['id']}/licences", headers={**a, H: key}, json={"type": "starter"}
    )
    rb = client.post(
        f"/api/v1/organisations/{org_b['id']}/licences", headers={**b, H: key}, json={"type": "starter"}
    )
    assert (ra.status_code, rb.status_code) == (201, 201), (ra.get_json(), rb.get_json())
    assert ra.get_json()["id"] != rb.get_json()["id"]
    assert "Idempotent-Replayed" not in rb.headers
    assert (_orders(db, org_a), _orders(db, org_b)) == (1, 1)


@pytest.mark.parametrize("bad", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_bad_key_is_400_naming_the_header_and_changes_nothing(client, keys, db, bad):
    h = _user(keys)
    org = _org(client, h, licences=())
    r = client.post(
        f"/api/v1/organisations/{org['id']}/licences",
        headers={**h, H: bad.encode("utf-8").decode("latin-1")},
        json={"type": "starter"},
    )
    assert r.status_code == 400 and H in r.get_json()["errors"], r.get_json()
    assert r.content_type.startswith("application/problem+json")
    assert _orders(db, org) == 0
    assert db.session.scalar(sa.select(sa.func.count(IdempotencyKey.id))) == 0


def test_a_refused_purchase_stores_no_key_and_a_repeat_is_judged_again(client, keys, db):
    h = _user(keys)
    org = _org(client, h, licences=())
    path = f"/api/v1/organisations/{org['id']}/seat-purchases"
    r = client.post(path, headers={**h, H: "k-1"}, json={"count": 2})
    assert r.status_code == 409, r.get_json()  # no CPD licence yet
    assert db.session.scalar(sa.select(sa.func.count(IdempotencyKey.id))) == 0
    for t in ("starter", "cpd"):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": t}
            ).status_code
            == 201
        )
    r = client.post(path, headers={**h, H: "k-1"}, json={"count": 2})
    assert r.status_code == 201, r.get_json()


def test_prune_deletes_keys_older_than_a_day(client, keys, db, app):
    h = _user(keys)
    for key in ("old", "new"):
        org = _org(client, h, licences=())
        r = client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers={**h, H: key}, json={"type": "starter"}
        )
        assert r.status_code == 201, r.get_json()
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.key == "old")
        .values(created_at=IdempotencyKey.created_at - timedelta(hours=25))
    )
    db.session.commit()
    out = app.test_cli_runner().invoke(args=["idempotency", "prune"])
    assert out.exit_code == 0 and "1 idempotency key(s)" in out.output, out.output
    assert db.session.scalars(sa.select(IdempotencyKey.key)).all() == ["new"]


def test_twenty_simultaneous_purchases_with_one_key_buy_once(client, keys, db, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent transactions are meaningful on PostgreSQL; SQLite serialises writers")
    h = _user(keys)
    org = _org(client, h)
    before = _orders(db, org)
    db.session.commit()
    path = f"/api/v1/organisations/{org['id']}/seat-purchases"
    results = _race(app, 20, lambda c, i: c.post(path, headers={**h, H: "one-key"}, json={"count": 3}))
    codes = sorted(code for code, _ in results)
    assert set(codes) <= {201, 409} and 201 in codes, codes
    assert all(H in body["errors"] for code, body in results if code == 409)
    bodies = [body for code, body in results if code == 201]
    assert all(b == bodies[0] for b in bodies)  # a later one is the first's stored answer
    assert _orders(db, org) == before + 1
    again = client.post(path, headers={**h, H: "one-key"}, json={"count": 3})
    assert (again.status_code, again.get_json()) == (201, bodies[0])
    assert _orders(db, org) == before + 1
