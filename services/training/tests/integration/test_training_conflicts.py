"""A purchase that loses a race to a unique constraint is a 409 naming the rule, and changes
nothing: two simultaneous purchases of one licence type (real threads, both past the service's
own check before either writes), and a fund award spent by another request in between."""

import json
import threading
import uuid

import sqlalchemy as sa
from flask.testing import FlaskClient

from training.models import Invoice, Licence, Order, OutboxMessage, PathwayItem
from training.models.packages import FundAward, Package
from training.services import licences as licence_service


def _user(keys):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=["learner"])


def _org(client, h):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": "Fictional Birch Centre",
            "kind": "other_service",
            "size_band": "medium",
            "link_contact_email": "link@birch.example",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _events(db, event_type):
    return [
        json.loads(r.payload)["data"]
        for r in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.type == event_type))
    ]


def test_two_simultaneous_purchases_of_one_licence_type(app, db, keys, monkeypatch):
    h = _user(keys)
    org = _org(app.test_client(), h)
    # Hold each request after the service's own "already active?" check until both have passed
    # it, so both write and the database's unique constraint decides (the race, every time).
    both_checked = threading.Barrier(2)
    original = licence_service._check_can_hold

    def check_then_wait(*args, **kw):
        original(*args, **kw)
        both_checked.wait(timeout=20)

    monkeypatch.setattr(licence_service, "_check_can_hold", check_then_wait)
    responses = []

    def buy():
        r = FlaskClient(app, app.response_class).post(
            f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
        )
        responses.append((r.status_code, r.get_json(), r.headers.get("Content-Type")))

    threads = [threading.Thread(target=buy) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(code for code, _, _ in responses) == [201, 409], responses
    _, refused, mime = next(r for r in responses if r[0] == 409)
    assert mime.startswith("application/problem+json")
    assert refused["unmet"] == ["licence_already_active"]
    assert (
        "conflicts with an existing record" in refused["detail"]
        and "nothing was changed" in refused["detail"]
    )

    db.session.expire_all()
    assert _count(db, Licence, Licence.organisation_id == org["id"]) == 1
    assert _count(db, Order, Order.organisation_id == org["id"]) == 1  # the loser's order is gone too
    assert _count(db, Invoice) == 1
    assert [e["organisation_id"] for e in _events(db, "training.licence.changed")] == [org["id"]]


def test_a_fund_award_spent_in_between_is_409_and_nothing_changes(client, db, keys, join):
    h = _user(keys)
    org = _org(client, h)
    person = join(h, org["id"], "Fay Fictional-Practitioner", email="fay@birch.example")
    # Enhanced needs a practitioner in training; the booking is written directly (under test elsewhere)
    db.session.add(
        PathwayItem(
            person_id=person["id"], item="link_training", role="link", price=25000, organisation_id=org["id"]
        )
    )
    db.session.add(
        FundAward(
            id="award-birch-1",
            application_id="app-1",
            practitioner_id=person["id"],
            organisation_id=org["id"],
            package_type=2,
            amount=100,
            state="available",
        )
    )
    db.session.commit()
    for t in ("starter", "enhanced"):
        assert (
            client.post(
                f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": t}
            ).status_code
            == 201
        )
    # Another request has just bought a package with this award and not yet marked the award
    # used (what this request reads is exactly what it would read in that race).
    db.session.add(
        Package(
            organisation_id=org["id"],
            practitioner_id=person["id"],
            type=2,
            price=100,
            funding="fund_award",
            fund_award_id="award-birch-1",
            tracker_uses=1,
            online_accounts=0,
        )
    )
    db.session.commit()
    orders_before = _count(db, Order)
    events_before = len(_events(db, "training.package.purchased"))

    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=h,
        json={
            "type": 2,
            "practitioner_id": person["id"],
            "funding": "fund_award",
            "fund_award_id": "award-birch-1",
        },
    )
    assert r.status_code == 409, r.get_json()
    body = r.get_json()
    assert body["unmet"] == ["fund_award"] and "one package" in body["detail"]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "award-birch-1" not in body["detail"]  # the database's message (with values) is not echoed

    db.session.expire_all()
    assert _count(db, Package, Package.organisation_id == org["id"]) == 1
    assert _count(db, Order) == orders_before
    assert len(_events(db, "training.package.purchased")) == events_before
    assert db.session.get(FundAward, "award-birch-1").state == "available"
    # the service is still healthy after the refused write
    assert client.get(f"/api/v1/organisations/{org['id']}", headers=h).status_code == 200
