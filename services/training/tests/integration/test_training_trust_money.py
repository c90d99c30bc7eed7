"""Money comes from payment only (security review M3, M4 bursary part, L6 voiding, L13; domain
rows 4 and 65): each finding reproduced through the API, now refused or taken back. Concurrency
on PostgreSQL with 20 real threads; the payment provider's signed webhook."""

import json
import time
import uuid

import pytest
import sqlalchemy as sa

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.runtime import flask_session_scope
from support.testing import simultaneous_results as _race
from training import payments
from training.events.handlers import HANDLERS
from training.models import InboxMessage, OutboxMessage
from training.models.bursaries import BursaryEntry
from training.models.packages import FundAward

SECRET = "test-webhook-secret-not-real"


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _finance(keys):
    return _user(keys, roles=("training_admin",))


def _org(client, h, kind="school", licences=("starter", "cpd")):
    r = client.post(
        "/api/v1/organisations",
        headers=h,
        json={
            "name": f"Fictional {kind.title()} {uuid.uuid4().hex[:4]}",
            "kind": kind,
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


def _member(client, keys, h, org, name="Nat Fictional-Learner"):
    email = f"{uuid.uuid4().hex[:8]}@fictional.example"
    p = client.post(
        "/api/v1/people", headers=h, json={"name": name, "email": email, "kind": "professional"}
    ).get_json()
    r = client.post(
        f"/api/v1/organisations/{org['id']}/members", headers=h, json={"person_id": p["id"], "role": "staff"}
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["state"] == "invited"  # the member accepts (membership by consent)
    own = keys.headers(user_id=uuid.uuid4().hex, email=email, roles=["learner"], email_verified=True)
    assert client.post(f"/api/v1/memberships/{r.get_json()['id']}/accept", headers=own).status_code == 200
    return {**p, "headers": own}  # a self-funded course is the learner's own choice: they enrol


def _invoice_id(client, h, order_id):
    r = client.get(f"/api/v1/orders/{order_id}", headers=h)
    assert r.status_code == 200, r.get_json()
    return r.get_json()["invoice"]["id"]


def _pay(client, keys, invoice_id, reference="BACS 0001"):
    return client.post(
        f"/api/v1/invoices/{invoice_id}/pay", headers=_finance(keys), json={"reference": reference}
    )


def _void(client, keys, invoice_id):
    return client.post(f"/api/v1/invoices/{invoice_id}/void", headers=_finance(keys))


def _fund(client, h, org):
    return client.get(f"/api/v1/bursaries/{org['id']}", headers=h).get_json()


def _events(db, event_type):
    return [
        json.loads(r.payload)["data"]
        for r in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
        )
    ]


def _consume(app, db, event_type, data):
    consumer = Consumer(
        flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="training.events"
    )
    outcome = consumer.process(new_envelope(event_type, data, "cic-tracker", version=1).to_json())
    db.session.expire_all()
    return outcome


# ---- M3: bursary money is created without payment ------------------------------------------------


def test_m3_a_deposit_is_an_invoiced_order_and_counts_only_once_paid(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 100_000_000})
    assert r.status_code == 400 and "amount" in r.get_json()["errors"]  # no £1M deposits
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 20000})
    assert r.status_code == 201, r.get_json()
    order_id = r.get_json()["order_id"]
    order = client.get(f"/api/v1/orders/{order_id}", headers=h).get_json()
    assert order["total"] == 20000 and order["invoice"] == {
        **order["invoice"],
        "state": "issued",
        "total": 20000,
    }
    listed = client.get(f"/api/v1/organisations/{org['id']}/orders", headers=h).get_json()
    assert order_id in [o["id"] for o in listed["items"]]

    fund = _fund(client, h, org)
    assert (fund["balance"], fund["pending"]) == (0, 20000)  # was: balance 20000 at once
    needy = _member(client, keys, h, org)
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/places",
        headers=h,
        json={"person_id": needy["id"], "course_code": "foundation_a1"},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["bursary_funds"]

    assert _pay(client, keys, order["invoice"]["id"]).status_code == 200
    fund = _fund(client, h, org)
    assert (fund["balance"], fund["pending"]) == (20000, 0)
    assert _pay(client, keys, order["invoice"]["id"]).status_code == 200  # twice: harmless, not counted twice
    assert _fund(client, h, org)["balance"] == 20000


def test_m3_a_voided_deposit_never_counts(client, keys):
    h = _user(keys)
    org = _org(client, h)
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 5000})
    inv = _invoice_id(client, h, r.get_json()["order_id"])
    assert _void(client, keys, inv).status_code == 200
    fund = _fund(client, h, org)
    assert (fund["balance"], fund["pending"]) == (0, 0)
    assert fund["entries"]["items"][0]["state"] == "reversed"
    assert _pay(client, keys, inv).status_code == 409  # void -> paid is refused
    assert _fund(client, h, org)["balance"] == 0


def test_m3_a_commissioner_admin_may_fund_any_organisation_and_is_billed(client, keys):
    school_admin = _user(keys)
    school = _org(client, school_admin)
    commissioner_admin = _user(keys)
    commissioner = _org(client, commissioner_admin, kind="commissioner", licences=())
    other_admin = _user(keys)
    _org(client, other_admin, kind="school", licences=())

    r = client.post(
        f"/api/v1/bursaries/{school['id']}/deposits", headers=commissioner_admin, json={"amount": 7000}
    )
    assert r.status_code == 201, r.get_json()
    order = client.get(f"/api/v1/orders/{r.get_json()['order_id']}", headers=commissioner_admin).get_json()
    assert order["organisation_id"] == commissioner["id"]  # billed to the commissioner
    assert _fund(client, school_admin, school)["pending"] == 7000
    # an admin of a non-commissioner organisation, or a stranger: no such organisation for them
    for h in (other_admin, _user(keys)):
        r = client.post(f"/api/v1/bursaries/{school['id']}/deposits", headers=h, json={"amount": 7000})
        assert r.status_code == 404
    assert _fund(client, school_admin, school)["pending"] == 7000
    assert _pay(client, keys, order["invoice"]["id"]).status_code == 200
    assert _fund(client, school_admin, school)["balance"] == 7000


# ---- M3 / row 65: the affiliate share comes from paid fees, to the learner's own organisation ------


def test_m3_affiliate_share_is_credited_when_the_course_invoice_is_paid_and_only_to_a_member_org(
    client, keys, db
):
    h = _user(keys)
    org = _org(client, h)
    learner = _member(client, keys, h, org)
    elsewhere = _org(client, _user(keys))  # names an organisation the learner does not belong to

    r = client.post(
        "/api/v1/enrolments",
        headers=learner["headers"],
        json={
            "person_id": learner["id"],
            "course_code": "intermediate_a",
            "funding": "self",
            "organisation_id": org["id"],
        },
    )
    assert r.status_code == 201, r.get_json()
    fee, order_id = r.get_json()["price"], r.get_json()["order_id"]
    assert _fund(client, h, org)["balance"] == 0  # was: credited while the invoice was only issued
    assert _pay(client, keys, _invoice_id(client, learner["headers"], order_id)).status_code == 200
    fund = _fund(client, h, org)
    assert fund["balance"] == fee * fund["affiliate_percentage"] // 100 > 0

    other = client.post(
        "/api/v1/enrolments",
        headers=learner["headers"],
        json={
            "person_id": learner["id"],
            "course_code": "intermediate_b",
            "funding": "self",
            "organisation_id": elsewhere["id"],
        },
    )
    # naming an organisation the learner does not belong to is refused, and its fund gets nothing
    assert other.status_code == 409 and other.get_json()["unmet"] == ["membership"], other.get_json()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(BursaryEntry)
            .where(BursaryEntry.organisation_id == elsewhere["id"])
        )
        == 0
    )


def test_m3_a_voided_course_invoice_credits_no_share(client, keys):
    h = _user(keys)
    org = _org(client, h)
    learner = _member(client, keys, h, org)
    r = client.post(
        "/api/v1/enrolments",
        headers=learner["headers"],
        json={
            "person_id": learner["id"],
            "course_code": "intermediate_a",
            "funding": "self",
            "organisation_id": org["id"],
        },
    )
    inv = _invoice_id(client, learner["headers"], r.get_json()["order_id"])
    assert _void(client, keys, inv).status_code == 200
    assert _fund(client, h, org)["balance"] == 0
    e = client.get(f"/api/v1/enrolments/{r.get_json()['id']}", headers=h).get_json()
    assert e["state"] == "cancelled"
    # the place is released: the learner may enrol again
    again = client.post(
        "/api/v1/enrolments",
        headers=learner["headers"],
        json={
            "person_id": learner["id"],
            "course_code": "intermediate_a",
            "funding": "self",
            "organisation_id": org["id"],
        },
    )
    assert again.status_code == 201, again.get_json()


# ---- L6: voiding keeps the purchase ---------------------------------------------------------------


def test_l6_voiding_a_licence_invoice_cancels_the_licence_and_its_dependants_follow(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    lics = {
        lic["type"]: lic
        for lic in client.get(f"/api/v1/organisations/{org['id']}/licences", headers=h).get_json()["items"]
    }
    before = len(_events(db, "training.licence.changed"))
    r = _void(client, keys, _invoice_id(client, h, lics["starter"]["order_id"]))
    assert r.status_code == 200 and r.get_json()["state"] == "void" and r.get_json()["voided_by"]
    starter = client.get(
        f"/api/v1/organisations/{org['id']}/licences/{lics['starter']['id']}", headers=h
    ).get_json()
    assert starter["status"] == "cancelled"  # was: still active
    events = _events(db, "training.licence.changed")[before:]
    assert {"licence_type": "starter", "status": "cancelled"}.items() <= events[0].items()
    assert any(e["licence_type"] == "cpd" and e["status"] == "suspended" for e in events[1:])
    body = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert body["assignable"] is False  # the CPD licence is suspended with its Starter
    # taken out again like a lapsed licence
    r = client.post(f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "starter"})
    assert r.status_code == 201 and r.get_json()["status"] == "active"


def test_l6_voiding_a_seat_purchase_withdraws_the_seats_unless_they_are_assigned(client, keys):
    h = _user(keys)
    org = _org(client, h)
    r = client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", headers=h, json={"count": 50})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["order_id"]
    inv = _invoice_id(client, h, r.get_json()["order_id"])
    seats = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert seats["purchased"] == 50
    assert _void(client, keys, inv).status_code == 200
    seats = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()
    assert seats["purchased"] == 0  # was: still 50

    # seats in use: fill every included seat and a bought one, then the void is refused
    r = client.post(f"/api/v1/organisations/{org['id']}/seat-purchases", headers=h, json={"count": 1})
    inv2 = _invoice_id(client, h, r.get_json()["order_id"])
    total = client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()["total"]
    for i in range(total):
        p = _member(client, keys, h, org, name=f"Seat Fictional-{i}")
        assert (
            client.post(
                "/api/v1/enrolments",
                headers=h,
                json={
                    "person_id": p["id"],
                    "course_code": "foundation_a1",
                    "funding": "cpd_credit",
                    "organisation_id": org["id"],
                },
            ).status_code
            == 201
        )
    r = _void(client, keys, inv2)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["seats_in_use"]
    assert (
        client.get(f"/api/v1/invoices/{inv2}", headers=h).get_json()["state"] == "issued"
    )  # nothing changed
    assert client.get(f"/api/v1/organisations/{org['id']}/seats", headers=h).get_json()["purchased"] == 1


def test_l6_voiding_cancels_a_pathway_item_but_not_a_completed_one(client, keys):
    h = _user(keys)
    org = _org(client, h)
    p = _member(client, keys, h, org)
    r = client.post(
        f"/api/v1/people/{p['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert first["order_id"]
    assert _void(client, keys, _invoice_id(client, h, first["order_id"])).status_code == 200
    items = client.get(f"/api/v1/people/{p['id']}/pathway-items", headers=h)
    assert items.status_code == 200, items.get_json()
    assert {it["id"]: it["state"] for it in items.get_json()["items"]}[first["id"]] == "cancelled"

    r = client.post(
        f"/api/v1/people/{p['id']}/pathways/lead/items",
        headers=h,
        json={"item": first["item"], "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()  # a cancelled booking does not block a new one
    again = r.get_json()
    assert (
        client.post(f"/api/v1/pathway-items/{again['id']}/completion", headers=_finance(keys)).status_code
        == 200
    )
    r = _void(client, keys, _invoice_id(client, h, again["order_id"]))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["pathway_item_completed"]


def test_l6_voiding_a_completed_self_funded_enrolment_is_refused(client, keys):
    h = _user(keys)
    org = _org(client, h)
    learner = _member(client, keys, h, org)
    r = client.post(
        "/api/v1/enrolments",
        headers=learner["headers"],
        json={
            "person_id": learner["id"],
            "course_code": "intermediate_a",
            "funding": "self",
            "organisation_id": org["id"],
        },
    )
    assert (
        client.post(f"/api/v1/enrolments/{r.get_json()['id']}/completion", headers=_finance(keys)).status_code
        == 200
    )
    r = _void(client, keys, _invoice_id(client, learner["headers"], r.get_json()["order_id"]))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enrolment_completed"]


def _package(client, keys, h, org):
    lead = _member(client, keys, h, org, name="Lee Fictional-Lead")
    r = client.post(
        f"/api/v1/people/{lead['id']}/pathways/lead/items",
        headers=h,
        json={"item": "lead_training", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=h,
        json={"type": 3, "practitioner_id": lead["id"], "funding": "organisation"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_l6_voiding_an_unused_package_cancels_it_and_tells_cic(client, keys, db):
    h = _user(keys)
    org = _org(client, h)
    pkg = _package(client, keys, h, org)
    assert _void(client, keys, _invoice_id(client, h, pkg["order_id"])).status_code == 200
    assert _events(db, "training.package.cancelled") == [
        {"package_id": pkg["id"], "organisation_id": org["id"], "practitioner_id": pkg["practitioner_id"]}
    ]
    listed = client.get(f"/api/v1/organisations/{org['id']}/packages", headers=h).get_json()["items"]
    assert [p["state"] for p in listed if p["id"] == pkg["id"]] == ["cancelled"]


def test_l6_a_package_whose_tracker_use_began_cannot_be_voided(client, keys, db, app):
    h = _user(keys)
    org = _org(client, h)
    pkg = _package(client, keys, h, org)
    assert (
        _consume(
            app,
            db,
            "cic.tracker.credit_used",
            {"package_id": pkg["id"], "credits_left": pkg["tracker_uses"] - 1},
        ).action
        == "ack"
    )
    inv = _invoice_id(client, h, pkg["order_id"])
    r = _void(client, keys, inv)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["package_in_use"]
    assert client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()["state"] == "issued"
    assert _events(db, "training.package.cancelled") == []


def test_paid_and_void_are_final_and_repeats_are_harmless(client, keys):
    h = _user(keys)
    org = _org(client, h, licences=("starter",))
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 100})
    inv = _invoice_id(client, h, r.get_json()["order_id"])
    assert _void(client, keys, inv).status_code == 200
    assert _void(client, keys, inv).status_code == 200
    r = _pay(client, keys, inv)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["invoice_void"]


def test_training_admins_list_invoices_by_state(client, keys):
    h = _user(keys)
    org = _org(client, h, licences=("starter",))
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 100})
    inv = _invoice_id(client, h, r.get_json()["order_id"])
    finance = _finance(keys)
    body = client.get("/api/v1/invoices?state=issued&per_page=100", headers=finance).get_json()
    assert {"items", "total", "page", "per_page"} <= body.keys()
    assert inv in [i["id"] for i in body["items"]] and all(i["state"] == "issued" for i in body["items"])
    assert client.get("/api/v1/invoices?state=lost", headers=finance).status_code == 400
    assert client.get("/api/v1/invoices", headers=h).status_code == 403
    _pay(client, keys, inv)
    paid = client.get("/api/v1/invoices?state=paid&per_page=100", headers=finance).get_json()["items"]
    assert [i["payment_reference"] for i in paid if i["id"] == inv] == ["BACS 0001"]


# ---- L13: a forged fund award is stored --------------------------------------------------------------


def test_l13_a_fund_award_naming_unknown_people_or_no_money_is_dead_lettered(client, keys, db, app):
    h = _user(keys)
    org = _org(client, h, licences=())
    person = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": "Fay Fictional", "email": "fay@x.example", "kind": "professional"},
    ).get_json()
    base = {"application_id": "app-1", "package_type": 2, "amount": 30000}
    forged = [
        {**base, "award_id": "FORGED-1", "practitioner_id": "ghost", "organisation_id": org["id"]},
        {**base, "award_id": "FORGED-2", "practitioner_id": person["id"], "organisation_id": "ghost-org"},
        {
            **base,
            "award_id": "FORGED-3",
            "practitioner_id": person["id"],
            "organisation_id": org["id"],
            "amount": 0,
        },
    ]
    for data in forged:
        assert _consume(app, db, "cic.fund.awarded", data).action == "dead"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FundAward)) == 0
    good = {**base, "award_id": "REAL-1", "practitioner_id": person["id"], "organisation_id": org["id"]}
    assert _consume(app, db, "cic.fund.awarded", good).action == "ack"
    assert db.session.get(FundAward, "REAL-1").amount == 30000


# ---- concurrency (PostgreSQL): 20 real threads ----------------------------------------------------------


def test_twenty_simultaneous_bursary_places_never_overdraw(client, keys, db, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are meaningful on PostgreSQL; SQLite serialises every writer")
    h = _user(keys)
    org = _org(client, h)
    price = client.get("/api/v1/catalogue/courses").get_json()
    price = {c["code"]: c["price"] for c in price["items"]}["foundation_a1"]
    r = client.post(
        f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": price * 3 + price // 2}
    )
    assert _pay(client, keys, _invoice_id(client, h, r.get_json()["order_id"])).status_code == 200
    people = [_member(client, keys, h, org, name=f"Bea Fictional-{i}") for i in range(20)]
    db.session.commit()

    results = _race(
        app,
        20,
        lambda c, i: c.post(
            f"/api/v1/bursaries/{org['id']}/places",
            headers=h,
            json={"person_id": people[i]["id"], "course_code": "foundation_a1"},
        ),
    )
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 3 and codes.count(409) == 17, codes
    assert all(body["unmet"] == ["bursary_funds"] for code, body in results if code == 409)
    db.session.expire_all()
    assert _fund(client, h, org)["balance"] == price // 2


def test_twenty_simultaneous_pay_and_void_of_one_invoice_exactly_one_wins(client, keys, db, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are meaningful on PostgreSQL; SQLite serialises every writer")
    h = _user(keys)
    org = _org(client, h, licences=("starter",))
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": 900})
    inv = _invoice_id(client, h, r.get_json()["order_id"])
    finance = _finance(keys)
    db.session.commit()

    def act(c, i):
        if i % 2:
            return c.post(f"/api/v1/invoices/{inv}/pay", headers=finance, json={"reference": f"ref {i}"})
        return c.post(f"/api/v1/invoices/{inv}/void", headers=finance)

    results = _race(app, 20, act)
    assert all(code in (200, 409) for code, _ in results), results
    final = client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()["state"]
    winners = [body for code, body in results if code == 200]
    assert winners and all(body["state"] == final for body in winners)
    assert all(body["unmet"] == [f"invoice_{final}"] for code, body in results if code == 409)
    db.session.expire_all()
    fund = _fund(client, h, org)
    assert (fund["balance"], fund["pending"]) == ((900, 0) if final == "paid" else (0, 0))  # applied once


# ---- the payment provider's signed webhook ----------------------------------------------------------


def _webhook(client, body, secret=SECRET, t=None, signature=None):
    raw = json.dumps(body).encode()
    headers = {
        "Content-Type": "application/json",
        payments.SIGNATURE_HEADER: signature or payments.sign(secret, raw, t),
    }
    return client.post("/api/v1/payments/webhook", data=raw, headers=headers)


def _issued_invoice(client, keys, amount=4200):
    h = _user(keys)
    org = _org(client, h, licences=("starter",))
    r = client.post(f"/api/v1/bursaries/{org['id']}/deposits", headers=h, json={"amount": amount})
    return h, org, _invoice_id(client, h, r.get_json()["order_id"])


def _succeeded(invoice_id, amount, event_id=None):
    return {
        "type": "payment.succeeded",
        "data": {
            "event_id": event_id or "evt_" + uuid.uuid4().hex,
            "invoice_id": invoice_id,
            "amount": amount,
            "reference": "card 1",
        },
    }


def test_webhook_without_a_configured_secret_is_503(client, keys, app, monkeypatch):
    monkeypatch.delenv("PAYMENT_WEBHOOK_SECRET", raising=False)
    monkeypatch.setitem(app.config, "PAYMENT_WEBHOOK_SECRET", None)
    _, _, inv = _issued_invoice(client, keys)
    assert _webhook(client, _succeeded(inv, 4200)).status_code == 503


def test_a_signed_payment_marks_the_invoice_paid_once(client, keys, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_WEBHOOK_SECRET", SECRET)
    h, org, inv = _issued_invoice(client, keys)
    body = _succeeded(inv, 4200)
    r = _webhook(client, body)
    assert r.status_code == 200 and r.get_json()["applied"] is True, r.get_json()
    invoice = client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()
    assert invoice["state"] == "paid" and invoice["payment_reference"] == "card 1"
    assert _fund(client, h, org)["balance"] == 4200
    again = _webhook(client, body)  # the provider retries: nothing more happens
    assert again.status_code == 200 and again.get_json()["applied"] is False
    assert _fund(client, h, org)["balance"] == 4200


def test_a_payment_of_another_amount_is_409_and_changes_nothing(client, keys, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_WEBHOOK_SECRET", SECRET)
    h, _, inv = _issued_invoice(client, keys)
    r = _webhook(client, _succeeded(inv, 1))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["payment_amount"]
    assert client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()["state"] == "issued"


def test_forged_stale_or_unsigned_webhooks_are_401(client, keys, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAYMENT_WEBHOOK_SECRET", SECRET)
    h, _, inv = _issued_invoice(client, keys)
    body = _succeeded(inv, 4200)
    assert _webhook(client, body, secret="guessed").status_code == 401
    assert _webhook(client, body, t=int(time.time()) - 301).status_code == 401  # a replayed old request
    assert _webhook(client, body, t=int(time.time()) + 301).status_code == 401
    assert _webhook(client, body, signature="t=1,v1=00").status_code == 401
    assert _webhook(client, body, signature="nonsense").status_code == 401
    raw = json.dumps(body).encode()
    assert (
        client.post(
            "/api/v1/payments/webhook", data=raw, headers={"Content-Type": "application/json"}
        ).status_code
        == 401
    )
    # a body changed after signing
    signed = payments.sign(SECRET, raw)
    tampered = json.dumps(_succeeded(inv, 4200, event_id="other")).encode()
    assert (
        client.post(
            "/api/v1/payments/webhook", data=tampered, headers={payments.SIGNATURE_HEADER: signed}
        ).status_code
        == 401
    )
    assert client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()["state"] == "issued"


def test_the_provider_seam_is_a_protocol():
    provider = payments.SignedWebhookProvider(SECRET)
    assert isinstance(provider, payments.PaymentProvider)
    raw = (
        b'{"type": "payment.succeeded", "event_id": "e1", "invoice_id": "i1", "amount": 5, "reference": "r"}'
    )
    event = provider.parse_webhook(
        raw, {payments.SIGNATURE_HEADER: payments.sign(SECRET, raw, 1000)}, now=1100
    )
    assert (event.event_id, event.invoice_id, event.amount) == ("e1", "i1", 5)
    with pytest.raises(payments.WebhookRejected):
        provider.parse_webhook(raw, {payments.SIGNATURE_HEADER: payments.sign(SECRET, raw, 1000)}, now=1301)


def test_a_signed_payment_for_a_void_invoice_is_409_and_not_recorded(client, keys, app, db, monkeypatch):
    from training.models import PaymentEvent

    monkeypatch.setitem(app.config, "PAYMENT_WEBHOOK_SECRET", SECRET)
    h, _, inv = _issued_invoice(client, keys)
    assert _void(client, keys, inv).status_code == 200
    r = _webhook(client, _succeeded(inv, 4200, event_id="evt-void-1"))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["invoice_void"]
    db.session.expire_all()
    assert db.session.get(PaymentEvent, "evt-void-1") is None
    assert client.get(f"/api/v1/invoices/{inv}", headers=h).get_json()["state"] == "void"
