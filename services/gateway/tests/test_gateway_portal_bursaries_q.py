"""Portal pages for API capabilities that had none (domain review section 2; rows 4, 64, 80):
an organisation's bursary fund (balance, pending deposits, the ledger; a deposit ordered and
counted once paid; a bursary place awarded to a member; a commissioner funding places elsewhere,
billed to itself) and the optional I Matter Q registration consultation a parent orders. Through
the Flask test client against the real training app; refusals show the reason and change nothing."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_bq", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def _org(v: Visitor, kind="school", licences=("starter", "cpd")) -> str:
    r = v.client.post(
        "/api/v1/organisations",
        headers=_bearer(v),
        json={
            "name": f"Fictional {kind.title()} {uuid.uuid4().hex[:4]}",
            "kind": kind,
            "size_band": "small",
            "link_contact_email": v.email,
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    org_id = r.get_json()["id"]
    for t in licences:
        body = {"type": t, **({"agreement_accepted": True} if t == "starter" else {})}
        r = v.client.post(f"/api/v1/organisations/{org_id}/licences", headers=_bearer(v), json=body)
        assert r.status_code == 201, r.get_json()
    return org_id


def _member(world, head: Visitor, org_id: str, name: str) -> Visitor:
    v = Visitor(world, name)
    assert (
        head.post(f"/organisations/{org_id}/memberships", {"email": v.email, "role": "staff"}).status_code
        == 302
    )
    html = v.get("/memberships").get_data(as_text=True)
    membership_id = html.split("/memberships/")[1].split("/accept")[0]
    assert v.post(f"/memberships/{membership_id}/accept", {}, page="/memberships").status_code == 302
    return v


def _pay(staff: Visitor, order_id: str) -> None:
    order = staff.client.get(f"/api/v1/orders/{order_id}", headers=_bearer(staff)).get_json()
    r = staff.client.post(
        f"/api/v1/invoices/{order['invoice']['id']}/pay", headers=_bearer(staff), json={"reference": "BACS-1"}
    )
    assert r.status_code == 200, r.get_json()


def _fund(v: Visitor, org_id: str) -> dict:
    return v.client.get(f"/api/v1/bursaries/{org_id}", headers=_bearer(v)).get_json()


def test_an_admin_orders_a_deposit_and_awards_a_bursary_place(world):
    head = Visitor(world, "Hana Head")
    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    org_id = _org(head)
    nat = _member(world, head, org_id, "Nat Learner")
    assert f"/organisations/{org_id}/bursary" in head.get(f"/organisations/{org_id}").get_data(as_text=True)

    page = head.get(f"/organisations/{org_id}/bursary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert (
        "No entries yet." in html and "Nat Learner" in html and "Fund bursary places in another" not in html
    )

    # a bad amount is shown at the field and orders nothing
    r = head.post(
        f"/organisations/{org_id}/bursary/deposits",
        {"amount": "lots"},
        page=f"/organisations/{org_id}/bursary",
    )
    assert r.status_code == 400 and 'id="dep-amount-error"' in r.get_data(as_text=True)
    assert _fund(head, org_id)["entries"]["items"] == []

    # a place with an empty fund: refused, naming the rule
    form = {"person_id": nat.me()["person_id"], "course_code": "foundation_a1"}
    r = head.post(f"/organisations/{org_id}/bursary/places", form, page=f"/organisations/{org_id}/bursary")
    assert r.status_code == 409 and "bursary_funds" in r.get_data(as_text=True)

    # the deposit: ordered, pending until its invoice is paid, then in the balance
    r = head.post(
        f"/organisations/{org_id}/bursary/deposits",
        {"amount": "250.00", "note": "Summer fair", "idempotency_key": "dep-1"},
        page=f"/organisations/{org_id}/bursary",
    )
    assert r.status_code == 302
    fund = _fund(head, org_id)
    assert (fund["balance"], fund["pending"]) == (0, 25000)
    # sent twice with its key (a double click): one deposit
    head.post(
        f"/organisations/{org_id}/bursary/deposits",
        {"amount": "250.00", "note": "Summer fair", "idempotency_key": "dep-1"},
        page=f"/organisations/{org_id}/bursary",
    )
    assert len(_fund(head, org_id)["entries"]["items"]) == 1
    _pay(staff, fund["entries"]["items"][0]["order_id"])
    html = head.get(f"/organisations/{org_id}/bursary").get_data(as_text=True)
    assert "<dt>Balance</dt><dd>£250</dd>" in html and "Summer fair" in html

    r = head.post(f"/organisations/{org_id}/bursary/places", form, page=f"/organisations/{org_id}/bursary")
    assert r.status_code == 302
    fund = _fund(head, org_id)
    assert fund["balance"] < 25000 and any(
        e["person_id"] == form["person_id"] for e in fund["entries"]["items"]
    )
    enrolments = nat.client.get(
        f"/api/v1/people/{form['person_id']}/enrolments", headers=_bearer(nat)
    ).get_json()
    assert [e["funding"] for e in enrolments["items"]] == ["bursary"]

    # a member sees the fund but may not award places; a stranger sees nothing
    r = nat.post(f"/organisations/{org_id}/bursary/places", form, page=f"/organisations/{org_id}/bursary")
    assert r.status_code == 404 and len(_fund(head, org_id)["entries"]["items"]) == 2
    stranger = Visitor(world, "Sam Stranger")
    assert stranger.get(f"/organisations/{org_id}/bursary").status_code == 404


def test_a_commissioner_funds_places_in_another_organisation_billed_to_itself(world):
    head = Visitor(world, "Hana Head")
    school_id = _org(head)
    boss = Visitor(world, "Cass Commissioner")
    commissioner_id = _org(boss, kind="commissioner", licences=())
    page = boss.get(f"/organisations/{commissioner_id}/bursary").get_data(as_text=True)
    one_h1_and_labels(page)
    assert "Fund bursary places in another organisation" in page

    r = boss.post(
        f"/organisations/{commissioner_id}/bursary/fund-elsewhere",
        {"organisation_id": "0" * 32, "amount": "70"},
        page=f"/organisations/{commissioner_id}/bursary",
    )
    assert r.status_code == 404 and 'id="else-organisation_id-error"' in r.get_data(as_text=True)
    r = boss.post(
        f"/organisations/{commissioner_id}/bursary/fund-elsewhere",
        {"organisation_id": school_id, "amount": "70"},
        page=f"/organisations/{commissioner_id}/bursary",
    )
    assert r.status_code == 302
    assert _fund(head, school_id)["pending"] == 7000
    orders = boss.client.get(
        f"/api/v1/organisations/{commissioner_id}/orders", headers=_bearer(boss)
    ).get_json()
    assert len(orders["items"]) == 1  # billed to the commissioner


def test_a_parent_orders_the_optional_q_registration_consultation(world):
    pat = Visitor(world, "Pat Parent", kind="personal")
    assert "/learning/q-registration" in pat.get("/account").get_data(as_text=True)
    page = pat.get("/learning/q-registration")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "It is optional" in html and "Order the consultation" in html and "Foundation A part 1" in html

    r = pat.post("/learning/q-registration", {"online_course": "on"}, page="/learning/q-registration")
    assert r.status_code == 302
    html = pat.get("/learning/q-registration").get_data(as_text=True)
    assert "What you ordered" in html and re.search(r'href="/invoices/[0-9a-f]{32}"', html)
    assert "You have already ordered it" in html and "Order the consultation" not in html
    # once each: a second order is refused and makes nothing
    r = pat.post("/learning/q-registration", {}, page="/learning/q-registration")
    assert r.status_code == 409
    regs = pat.client.get(
        "/api/v1/training/q/registration-consultations",
        headers=_bearer(pat),
        query_string={"person_id": pat.me()["person_id"]},
    ).get_json()
    assert len(regs["items"]) == 1 and regs["items"][0]["enrolment_id"]


def test_a_professional_is_told_why_the_consultation_is_not_for_them(world):
    pro = Visitor(world, "Pro Fessional")
    html = pro.get("/learning/q-registration").get_data(as_text=True)
    assert "not to professionals" in html and "Order the consultation" not in html
    r = pro.post("/learning/q-registration", {}, page="/learning/q-registration")
    assert r.status_code == 409 and "personal_learner" in r.get_data(as_text=True)
