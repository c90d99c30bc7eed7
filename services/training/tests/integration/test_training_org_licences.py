"""Organisational licences through the API: Starter first, the Enhanced practitioner
condition, the kind policy, prices from the price book, orders, renewal, expiry, suspension
and the training.licence.changed events."""

import json
import uuid
from datetime import timedelta

import sqlalchemy as sa

from training.models import Licence, OutboxMessage, PathwayItem


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _events(db, event_type="training.licence.changed"):
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _org(client, h, **over):
    body = {
        "name": "Fictional Ash Service",
        "kind": "other_service",
        "size_band": "medium",
        "link_contact_email": "link@ash.example",
        "senior_leadership_commitment": True,
        **over,
    }
    r = client.post("/api/v1/organisations", json=body, headers=h)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _buy(client, h, org, licence_type):
    return client.post(f"/api/v1/organisations/{org['id']}/licences", json={"type": licence_type}, headers=h)


def _band(client, code):
    return next(
        b for b in client.get("/api/v1/catalogue/price-book").get_json()["size_bands"] if b["code"] == code
    )


def _member_in_link_training(join, h, org, db):
    """A member (invited, accepted) booked on Link training. The booking is written directly (the
    pathway endpoints belong to the people side); everything asserted goes through the API."""
    person = join(h, org["id"], "Fictional Link Trainee", email=f"{uuid.uuid4().hex[:6]}@ash.example")
    db.session.add(
        PathwayItem(
            person_id=person["id"], item="link_training", role="link", price=25000, organisation_id=org["id"]
        )
    )
    db.session.commit()
    return person


def _age(db, org, licence_type, days):
    """Move a licence's term into the past (the licence itself is what is under test)."""
    lic = db.session.scalar(
        sa.select(Licence).where(Licence.organisation_id == org["id"], Licence.type == licence_type)
    )
    lic.valid_from -= timedelta(days=days)
    lic.valid_until -= timedelta(days=days)
    db.session.commit()


def test_enhanced_before_starter_is_refused_with_unmet(client, keys):
    h = _user(keys)
    org = _org(client, h)
    r = _buy(client, h, org, "enhanced")
    assert r.status_code == 409
    body = r.get_json()
    assert "starter_licence" in body["unmet"] and "Starter" in body["detail"]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    r = _buy(client, h, org, "cpd")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["starter_licence"]


def test_starter_needs_senior_leadership_commitment(client, keys):
    h = _user(keys)
    org = _org(client, h, senior_leadership_commitment=False)
    r = _buy(client, h, org, "starter")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["senior_leadership_commitment"]
    client.patch(f"/api/v1/organisations/{org['id']}", json={"senior_leadership_commitment": True}, headers=h)
    assert _buy(client, h, org, "starter").status_code == 201


def test_starter_then_cpd_priced_from_the_size_band_with_an_order_each(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    band = _band(client, "medium")
    r = _buy(client, h, org, "starter")
    assert r.status_code == 201, r.get_json()
    starter = r.get_json()
    assert starter["type"] == "starter" and starter["status"] == "active"
    assert starter["price"] == band["starter_fee"] and isinstance(starter["price"], int)
    assert starter["valid_until"] > starter["valid_from"]
    assert "named link contact" in starter["includes"] and starter["excludes"]
    cpd = _buy(client, h, org, "cpd").get_json()
    assert cpd["price"] == band["cpd_fee"] and cpd["seats_included"] == band["cpd_seats_included"]

    detail = client.get(f"/api/v1/organisations/{org['id']}", headers=h).get_json()
    assert [(lic["type"], lic["status"]) for lic in detail["licences"]] == [
        ("starter", "active"),
        ("cpd", "active"),
    ]
    assert detail["seats"]["total"] == band["cpd_seats_included"]

    orders = client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).get_json()
    assert orders["total"] == 2
    assert sorted(o["total"] for o in orders["items"]) == sorted([band["starter_fee"], band["cpd_fee"]])
    for o in orders["items"]:
        assert o["invoice"]["state"] == "issued" and o["currency"] == "GBP" and o["price_book_version"] == 1
        assert client.get(f"/api/v1/orders/{o['id']}", headers=h).status_code == 200

    events = _events(db)
    assert [(e["licence_type"], e["status"]) for e in events] == [("starter", "active"), ("cpd", "active")]
    assert all(e["organisation_id"] == org["id"] and e["valid_until"] for e in events)

    again = _buy(client, h, org, "starter")
    assert again.status_code == 409


def test_enhanced_needs_a_link_child_or_lead_in_training(client, keys, db, join):
    h = _user(keys)
    org = _org(client, h)
    _buy(client, h, org, "starter")
    r = _buy(client, h, org, "enhanced")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["practitioner_in_training"]
    _member_in_link_training(join, h, org, db)
    r = _buy(client, h, org, "enhanced")
    assert r.status_code == 201, r.get_json()
    enhanced = r.get_json()
    assert enhanced["status"] == "active" and not enhanced["suspended"]
    assert "microproject packages" in enhanced["excludes"]


def test_the_kind_policy_refuses_licences_a_kind_may_not_hold(client, keys):
    h = _user(keys)
    gp = _org(client, h, kind="primary_care")
    assert _buy(client, h, gp, "starter").status_code == 201
    r = _buy(client, h, gp, "cpd")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:cpd_licence"]
    assert "Primary care" in r.get_json()["detail"] and "CPD Licence" in r.get_json()["detail"]
    funder = _org(client, h, kind="commissioner")
    _buy(client, h, funder, "starter")
    r = _buy(client, h, funder, "enhanced")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["policy:applied_practice"]
    assert "case management" in r.get_json()["detail"]


def test_renewal_extends_from_the_current_end_and_makes_an_order(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    starter = _buy(client, h, org, "starter").get_json()
    r = client.post(f"/api/v1/organisations/{org['id']}/licences/{starter['id']}/renew", headers=h)
    assert r.status_code == 200, r.get_json()
    renewed = r.get_json()
    assert renewed["valid_from"] == starter["valid_from"] and renewed["terms"] == 2
    assert renewed["valid_until"][:4] == str(int(starter["valid_until"][:4]) + 1)
    assert renewed["valid_until"][4:] == starter["valid_until"][4:]
    assert client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).get_json()["total"] == 2
    assert client.post(f"/api/v1/organisations/{org['id']}/licences/nope/renew", headers=h).status_code == 404


def test_an_expired_starter_suspends_cpd_seats_and_enhanced_until_renewed(client, keys, db, join):
    from training.services import licences as licence_service

    h = _user(keys)
    org = _org(client, h)
    starter = _buy(client, h, org, "starter").get_json()
    _buy(client, h, org, "cpd")
    trainee = _member_in_link_training(join, h, org, db)
    assert _buy(client, h, org, "enhanced").status_code == 201
    _age(db, org, "starter", 400)

    detail = client.get(f"/api/v1/organisations/{org['id']}", headers=h).get_json()
    by_type = {lic["type"]: lic for lic in detail["licences"]}
    assert by_type["starter"]["status"] == "expired"
    assert by_type["cpd"]["status"] == "active" and by_type["cpd"]["suspended_because"] == ["starter_licence"]
    assert by_type["enhanced"]["suspended"] is True
    # seat assignment is suspended (nothing deleted)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": trainee["id"]}, headers=h
    )
    assert r.status_code == 409 and "starter_licence" in r.get_json()["unmet"]
    # package purchase (people side) asks the same question of the service layer
    assert licence_service.has_active_licence(org["id"], "enhanced") is False
    try:
        licence_service.require_active_licence(org["id"], "enhanced")
        raise AssertionError("expected a refusal")
    except licence_service.RuleViolation as exc:
        assert "enhanced_licence" in exc.unmet and "starter_licence" in exc.unmet
    # CPD cannot be renewed before the Starter
    cpd_id = by_type["cpd"]["id"]
    assert client.post(f"/api/v1/organisations/{org['id']}/licences/{cpd_id}/renew", headers=h).get_json()[
        "unmet"
    ] == ["starter_licence"]

    r = client.post(f"/api/v1/organisations/{org['id']}/licences/{starter['id']}/renew", headers=h)
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    # it had lapsed (moved 400 days back): the new term starts now, not at the old end
    assert r.get_json()["valid_from"][:10] == starter["valid_from"][:10]
    assert r.get_json()["valid_until"][:10] == starter["valid_until"][:10]
    assert licence_service.has_active_licence(org["id"], "enhanced") is True
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": trainee["id"]}, headers=h
    )
    assert r.status_code == 201, r.get_json()


def test_the_expire_command_announces_each_newly_expired_licence_once(client, keys, db, app):
    h = _user(keys)
    org = _org(client, h)
    _buy(client, h, org, "starter")
    _buy(client, h, org, "cpd")
    _age(db, org, "cpd", 400)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["licences", "expire"])
    assert out.exit_code == 0 and "1 licence" in out.output
    assert runner.invoke(args=["licences", "expire"]).output.startswith("training: 0")
    expired = [e for e in _events(db) if e["status"] == "expired"]
    assert [(e["organisation_id"], e["licence_type"]) for e in expired] == [(org["id"], "cpd")]


def test_a_licence_type_must_be_known_and_only_admins_buy(client, keys):
    h = _user(keys)
    org = _org(client, h)
    r = _buy(client, h, org, "platinum")
    assert r.status_code == 400 and "type" in r.get_json()["errors"]
    assert _buy(client, _user(keys), org, "starter").status_code == 404
    assert (
        client.post(f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}).status_code
        == 401
    )


def test_a_lapsed_starter_announces_its_dependants_suspended_and_renewal_lifts_it(client, keys, db, app):
    h = _user(keys)
    org = _org(client, h)
    starter = _buy(client, h, org, "starter").get_json()
    _buy(client, h, org, "cpd")
    _age(db, org, "starter", 400)
    assert app.test_cli_runner().invoke(args=["licences", "expire"]).exit_code == 0
    assert [(e["licence_type"], e["status"]) for e in _events(db)][2:] == [
        ("starter", "expired"),
        ("cpd", "suspended"),
    ]
    client.post(f"/api/v1/organisations/{org['id']}/licences/{starter['id']}/renew", headers=h)
    assert [(e["licence_type"], e["status"]) for e in _events(db)][4:] == [
        ("starter", "active"),
        ("cpd", "active"),
    ]


def test_a_training_admin_can_end_a_starter_which_suspends_seats_until_renewed(client, keys, db, join):
    h = _user(keys)
    staff = _user(keys, roles=("training_admin",))
    org = _org(client, h)
    starter = _buy(client, h, org, "starter").get_json()
    _buy(client, h, org, "cpd")
    member = join(h, org["id"], "Fictional Member", email="member@ash.example")
    url = f"/api/v1/organisations/{org['id']}/licences/{starter['id']}/end"
    assert client.post(url, headers=h).status_code == 403
    r = client.post(url, headers=staff)
    assert r.status_code == 200 and r.get_json()["status"] == "expired"
    assert [(e["licence_type"], e["status"]) for e in _events(db)][2:] == [
        ("starter", "expired"),
        ("cpd", "suspended"),
    ]
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": member["id"]}, headers=h
    )
    assert r.status_code == 409 and "starter_licence" in r.get_json()["unmet"]
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences/{starter['id']}/renew", headers=h
        ).status_code
        == 200
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/seats/assignments", json={"person_id": member["id"]}, headers=h
    )
    assert r.status_code == 201


def test_row3_the_starter_records_who_accepted_the_organisational_agreement_and_when(client, db, keys):
    """Seed 000 Starter "includes: organisational agreement to participate": the text is in the
    price book's licence terms; buying records who accepted it and when - explicitly with
    `agreement_accepted: true`, implicitly (the buying admin) with the contract body `{type}`;
    `false` refuses and changes nothing."""
    from training.rules.licences import STARTER_AGREEMENT

    book = client.get("/api/v1/catalogue/price-book").get_json()
    terms = {t["type"]: t for t in book["licences"]}
    assert (
        terms["starter"]["agreement"] == STARTER_AGREEMENT and "agreement to participate" in STARTER_AGREEMENT
    )
    assert terms["cpd"]["agreement"] is None and terms["enhanced"]["agreement"] is None

    uid = uuid.uuid4().hex
    h = keys.headers(
        user_id=uid, email=f"{uid[:8]}@example.org", roles=["learner"], name="Ada Fictional-Admin"
    )
    org = _org(client, h)
    r = client.post(
        f"/api/v1/organisations/{org['id']}/licences",
        headers=h,
        json={"type": "starter", "agreement_accepted": False},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_agreement"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Licence).where(Licence.organisation_id == org["id"])
        )
        == 0
    )
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences",
            headers=h,
            json={"type": "starter", "agreement_accepted": "maybe"},
        ).status_code
        == 400
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/licences",
        headers=h,
        json={"type": "starter", "agreement_accepted": True},
    )
    assert r.status_code == 201, r.get_json()
    lic = r.get_json()
    assert lic["agreement"] == STARTER_AGREEMENT and lic["agreement_acceptance"] == "explicit"
    assert lic["agreement_accepted_by"] == uid and lic["agreement_accepted_by_name"] == "Ada Fictional-Admin"
    assert lic["agreement_accepted_at"] == lic["valid_from"]
    listed = client.get(f"/api/v1/organisations/{org['id']}/licences", headers=h).get_json()["items"]
    assert listed[0]["agreement_accepted_by"] == uid
    # the CPD Licence carries no agreement
    cpd = _buy(client, h, org, "cpd").get_json()
    assert cpd["agreement"] is None and cpd["agreement_accepted_by"] is None

    # the contract body {type} still works: the buying admin's acceptance, recorded as implicit
    other = _org(client, h, name="Fictional Birch School")
    r = _buy(client, h, other, "starter")
    assert r.status_code == 201
    lic = r.get_json()
    assert lic["agreement_acceptance"] == "implicit" and lic["agreement_accepted_by"] == uid
    assert lic["agreement_accepted_at"] and "without an explicit acceptance" in lic["agreement_note"]
