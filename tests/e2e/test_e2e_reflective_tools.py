"""Reflective tools end to end: real processes, real events between training and cic-tracker.

1. The formal I Matter Q and the personalised wellbeing wheel are answered about a case in
   cic-tracker; a unique marker in their answers' notes (and the case's code and consent)
   never appears in training's database, logs or the event store messages to training pass
   through, while the licence facts they depend on do arrive from training.
2. An I Matter Q registration consultation flows from an order in training to a Priorities
   Consultation booked (and scheduled) by the CIC.
3. The informal I Matter Q is the learner's alone, even through the gateway.
"""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from support.api_client import wait_for
from support.stories import files_under, holds, ok, practitioner_with_package

pytestmark = pytest.mark.e2e

ORG = {
    "name": "Fictional Birch Primary",
    "kind": "school",
    "size_band": "small",
    "link_contact_email": "link@birch.example",
    "senior_leadership_commitment": True,
}
Q = {
    "me_rest": 1,
    "me_notice": 2,
    "me_overwhelmed": 3,
    "rel_listen": 4,
    "rel_repair": 3,
    "rel_consistent": 2,
    "dev_needs": 1,
    "dev_behaviour": 2,
    "sup_ask": 0,
    "sup_share": 1,
}
WHEEL = {"wh_body": 3, "wh_mind": 5, "wh_rel": 8, "wh_purpose": 6, "wh_comm": 2}


def test_formal_q_and_personal_wheel_answers_never_reach_training(stack, api, training_admin):
    marker = "CANARY" + uuid.uuid4().hex[:12]
    admin, pro, org, person = _licensed_practitioner(api)
    [mp] = wait_for(lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="workspace")
    consent = {
        "given_by": f"{marker} parent",
        "scope": f"{marker} Q and wheel",
        "given_at": "2026-11-01T09:00:00Z",
    }
    case = ok(
        pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": f"{marker}-1", "consent": consent}
        )
    )

    # the wheel is refused until training grants the organisation a community wheel licence
    r = pro.post(f"/api/v1/cic/cases/{case['id']}/wheel-responses", {"answers": WHEEL})
    assert r.status_code == 409 and r.json()["unmet"] == ["community_wheel_licence"]
    ok(training_admin.post("/api/v1/training/community-wheel/licences", {"organisation_id": org["id"]}))

    def answered(path, answers):
        r = pro.post(
            f"/api/v1/cic/cases/{case['id']}/{path}", {"answers": answers, "notes": f"{marker} {path}"}
        )
        return r.json() if r.status_code == 201 else None

    # both wait for training's licence facts (licence.changed, tool_licence.changed) to arrive
    q = wait_for(lambda: answered("q-responses", Q), what="formal Q allowed by the Enhanced licence")
    wheel = wait_for(lambda: answered("wheel-responses", WHEEL), what="wheel allowed by the wheel licence")
    assert q["notes"].startswith(marker) and wheel["instrument"] == "wellbeing_wheel"
    # the practitioner reads them; the organisation's admin sees counts only (DOMAIN "Rulings"
    # -> CIC: case content is the practitioner's and the assigned overseer's); training has no
    # such endpoint at all
    assert ok(pro.get(f"/api/v1/cic/cases/{case['id']}/q-responses"), 200)["total"] == 1
    assert admin.get(f"/api/v1/cic/cases/{case['id']}/q-responses").status_code == 404

    # the path from training to cic-tracker works; make sure the relays have had their turn
    # by waiting for a later training event to arrive (a registration booking)
    parent = api.signed_up(name="Fictional Parent")
    me = ok(
        parent.post("/api/v1/people", {"name": "Fictional Parent", "email": parent.email, "kind": "personal"})
    )
    ok(parent.post("/api/v1/training/q/registration-consultations", {"person_id": me["id"]}))
    wait_for(lambda: parent.get("/api/v1/consultations").json()["total"] == 1, what="booking arrives")

    var = stack.var
    cic_files = [p for p in files_under(var) if os.path.basename(p).startswith(("cic_tracker.db", "cic"))]
    assert any(holds(p, marker) for p in cic_files), "the scan must find the marker where it belongs"
    scanned = [p for p in files_under(var) if p not in cic_files]
    names = {os.path.basename(p) for p in scanned}
    assert "training.db" in names and "events.db" in names, names
    assert [p for p in scanned if holds(p, marker)] == []
    for name in ("training", "training_relay", "training_consumer", "gateway"):
        assert marker not in stack.read_log(name)

    # withdrawing consent erases the answers with the case's data
    ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/consent/withdraw"), 200)
    assert ok(pro.get(f"/api/v1/cic/cases/{case['id']}/q-responses"), 200)["total"] == 0
    assert ok(pro.get(f"/api/v1/cic/cases/{case['id']}/wheel-responses"), 200)["total"] == 0


def test_a_registration_consultation_flows_from_order_to_booking(stack, api, cic_admin):
    parent = api.signed_up(name="Fictional Face-to-face Parent")
    me = ok(
        parent.post(
            "/api/v1/people",
            {"name": "Fictional Face-to-face Parent", "email": parent.email, "kind": "personal"},
        )
    )
    offer = ok(parent.get(f"/api/v1/training/q/registration-offer?person_id={me['id']}"), 200)
    assert offer["eligible"] and offer["required"] is False
    reg = ok(parent.post("/api/v1/training/q/registration-consultations", {"person_id": me["id"]}))
    assert (
        reg["order"]["total"] == offer["consultation"]["price"]
        and reg["order"]["invoice"]["state"] == "issued"
    )

    def booked():
        items = parent.get("/api/v1/consultations").json()["items"]
        return items[0] if items else None

    consultation = wait_for(booked, what="the CIC books the consultation")
    assert consultation["purpose"] == "I Matter Q registration" and consultation["state"] == "requested"
    bookings = ok(cic_admin.get("/api/v1/cic/q-registrations"), 200)["items"]
    assert {b["order_id"]: b["consultation_id"] for b in bookings}[reg["order_id"]] == consultation["id"]

    when = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0).isoformat()
    ok(cic_admin.post(f"/api/v1/consultations/{consultation['id']}/schedule", {"scheduled_for": when}), 200)
    assert ok(parent.get(f"/api/v1/consultations/{consultation['id']}"), 200)["state"] == "scheduled"
    r = parent.post("/api/v1/training/q/registration-consultations", {"person_id": me["id"]})
    assert r.status_code == 409 and r.json()["unmet"] == ["one_registration"]


def test_the_informal_q_is_visible_to_its_owner_alone(stack, api, training_admin):
    learner, other = api.signed_up(name="Fictional Learner"), api.signed_up(name="Fictional Other")
    mine = ok(learner.post("/api/v1/training/q/responses", {"answers": Q}))
    assert mine["suggested_steps"] and mine["sample"] is True
    assert ok(learner.get(f"/api/v1/training/q/responses/{mine['id']}"), 200)["id"] == mine["id"]
    for someone in (other, training_admin):
        assert someone.get(f"/api/v1/training/q/responses/{mine['id']}").status_code == 404
        assert ok(someone.get("/api/v1/training/q/responses"), 200)["total"] == 0


def test_an_unlicensed_organisation_is_refused_the_community_audit(stack, api):
    gp = api.signed_up(name="Fictional GP Practice Manager")
    org = ok(
        gp.post("/api/v1/organisations", {**ORG, "name": "Fictional Oak Surgery", "kind": "primary_care"})
    )
    r = gp.post("/api/v1/training/community-wheel/audits", {"organisation_id": org["id"], "answers": {}})
    assert r.status_code == 409 and r.json()["unmet"] == ["community_wheel_licence"]


def _licensed_practitioner(api):
    """A school with Starter and Enhanced licences and a Lead trainee holding a Type 3 package."""
    admin, pro, org, person, _package = practitioner_with_package(
        api, ORG, names=("Fictional Admin", "Fictional Practitioner")
    )
    return admin, pro, org, person
