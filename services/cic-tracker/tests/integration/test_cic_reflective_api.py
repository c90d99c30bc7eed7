"""Reflective tools with someone else, through cic-tracker's API: the formal I Matter Q and the
personalised wellbeing wheel on a case (licence facts from training's events, the case's
consent, erasure on withdrawal) and Q registration consultations booked from training's orders."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cic_tracker.models import CaseToolResponse, Consultation, Hub

Q_ANSWERS = {
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


@pytest.fixture(autouse=True)
def samples(app, db):
    from cic_tracker.services.reflective import load_samples

    load_samples()
    db.session.commit()


@pytest.fixture
def case(client, cic, consent):
    """A practitioner's open case in a Type 3 microproject of a fresh organisation."""
    org = "org-" + uuid.uuid4().hex[:8]
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=3, tracker_uses=6, organisation_id=org)
    r = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases",
        json={"code": "Q-001", "consent": consent},
        headers=headers,
    )
    assert r.status_code == 201, r.get_json()
    return {"org": org, "person": person, "headers": headers, "mp_id": mp_id, "id": r.get_json()["id"]}


def _licence(cic, org, status="active", valid_until="2099-01-01"):
    cic.feed(
        "training.licence.changed",
        {"organisation_id": org, "licence_type": "enhanced", "status": status, "valid_until": valid_until},
    )


def _wheel_licence(
    cic, *, org=None, person=None, status="active", valid_until="2099-01-01T00:00:00Z", licence_id=None
):
    licence_id = licence_id or "cwl-" + uuid.uuid4().hex[:8]
    cic.feed(
        "training.tool_licence.changed",
        {
            "licence_id": licence_id,
            "tool": "community_wheel",
            "holder": "organisation" if org else "person",
            "organisation_id": org,
            "person_id": person,
            "status": status,
            "valid_until": valid_until,
        },
    )
    return licence_id


def _post(client, case, path, answers, notes=None, headers=None):
    return client.post(
        f"/api/v1/cic/cases/{case['id']}/{path}",
        json={"answers": answers, "notes": notes},
        headers=headers or case["headers"],
    )


def test_the_formal_q_is_refused_outside_a_licensed_approved_setting(client, cic, case):
    _licence(cic, case["org"], "expired")  # the case was opened under an active one (row 21)
    r = _post(client, case, "q-responses", Q_ANSWERS)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enhanced_licence"]
    assert "Enhanced Practice Licence" in r.get_json()["detail"]
    _licence(cic, case["org"], "suspended")
    assert _post(client, case, "q-responses", Q_ANSWERS).get_json()["unmet"] == ["enhanced_licence"]
    _licence(cic, case["org"], "active")
    r = _post(client, case, "q-responses", Q_ANSWERS, notes="seen together at the hub")
    assert r.status_code == 201, r.get_json()
    out = r.get_json()
    assert (
        out["instrument"] == "imatter_q"
        and out["sample"] is True
        and out["notes"] == "seen together at the hub"
    )
    assert {s["code"] for s in out["sections"]} == {
        "looking_after_me",
        "relationships",
        "development",
        "support",
    }
    assert r.headers["Cache-Control"] == "no-store"


def test_a_locality_hub_is_an_approved_setting_for_the_formal_q(client, cic, case, db):
    hub = Hub(name="Fictional Test Hub " + uuid.uuid4().hex[:6], created_by="test")
    db.session.add(hub)
    db.session.commit()
    r = client.post(
        f"/api/v1/tracker/microprojects/{case['mp_id']}/hub", json={"hub_id": hub.id}, headers=case["headers"]
    )
    assert r.status_code == 200, r.get_json()
    assert _post(client, case, "q-responses", Q_ANSWERS).status_code == 201
    _licence(cic, case["org"], "expired")  # a lapsed licence ends the pathway, hub or not
    assert _post(client, case, "q-responses", Q_ANSWERS).get_json()["unmet"] == ["enhanced_licence"]


def test_an_active_enhanced_licence_past_its_end_refuses_case_tools_as_it_refuses_the_tracker(
    client, cic, case, db
):
    _licence(cic, case["org"], "active", valid_until="2020-01-01")  # training never said "expired"
    r = _post(client, case, "q-responses", Q_ANSWERS)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["enhanced_licence"]
    tracker = client.post(
        f"/api/v1/tracker/cases/{case['id']}/assessments",
        json={"kind": "baseline", "scores": {"communication": 3}},
        headers=case["headers"],
    )
    assert tracker.status_code == 409 and "enhanced_licence" in tracker.get_json()["unmet"]
    hub = Hub(name="Fictional Test Hub " + uuid.uuid4().hex[:6], created_by="test")
    db.session.add(hub)
    db.session.commit()
    r = client.post(
        f"/api/v1/tracker/microprojects/{case['mp_id']}/hub", json={"hub_id": hub.id}, headers=case["headers"]
    )
    assert r.status_code == 200, r.get_json()
    # a hub does not stand in for a licence that has run out
    assert _post(client, case, "q-responses", Q_ANSWERS).get_json()["unmet"] == ["enhanced_licence"]
    _licence(cic, case["org"], "active")  # renewed
    assert _post(client, case, "q-responses", Q_ANSWERS).status_code == 201


def test_the_personal_wheel_needs_a_community_wheel_licence(client, cic, case):
    _licence(cic, case["org"])  # the Enhanced licence alone is not the wheel's licence
    r = _post(client, case, "wheel-responses", WHEEL)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["community_wheel_licence"]
    lic = _wheel_licence(cic, org=case["org"])
    out = _post(client, case, "wheel-responses", WHEEL)
    assert out.status_code == 201, out.get_json()
    spokes = {s["code"]: s for s in out.get_json()["sections"]}
    assert spokes["community"]["band"] == "priority" and spokes["relationships"]["band"] == "strength"
    _wheel_licence(cic, org=case["org"], status="revoked", licence_id=lic)
    assert _post(client, case, "wheel-responses", WHEEL).get_json()["unmet"] == ["community_wheel_licence"]
    # a licence the practitioner holds personally counts; one past its end does not
    _wheel_licence(cic, person=case["person"], valid_until="2020-01-01T00:00:00Z")
    assert _post(client, case, "wheel-responses", WHEEL).status_code == 409
    _wheel_licence(cic, person=case["person"])
    assert _post(client, case, "wheel-responses", WHEEL).status_code == 201
    listed = client.get(f"/api/v1/cic/cases/{case['id']}/wheel-responses", headers=case["headers"]).get_json()
    assert listed["total"] == 2
    assert (
        client.get(f"/api/v1/cic/cases/{case['id']}/q-responses", headers=case["headers"]).get_json()["total"]
        == 0
    )


def test_answers_stay_with_those_who_may_see_the_case(client, cic, case):
    _licence(cic, case["org"])
    assert _post(client, case, "q-responses", Q_ANSWERS).status_code == 201
    _, stranger = cic.person(organisation_id="org-elsewhere", membership_role="link_contact")
    overseer_id, overseer = cic.person(organisation_id=case["org"], certified=("lead_plus",))
    _, other_lead_plus = cic.person(organisation_id=case["org"], certified=("lead_plus",))
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": case["org"], "user_id": "u-org-admin-q", "status": "active"},
    )
    org_admin = cic.keys.headers(user_id="u-org-admin-q")
    cic.oversee(client, case["mp_id"], overseer_id, overseer, case["headers"])
    # the answers are case content: the practitioner and the assigned overseer only (row 93)
    for headers in (stranger, other_lead_plus, org_admin, cic.staff()):
        assert client.get(f"/api/v1/cic/cases/{case['id']}/q-responses", headers=headers).status_code == 404
    assert _post(client, case, "q-responses", Q_ANSWERS, headers=stranger).status_code == 404
    assert (
        client.get(f"/api/v1/cic/cases/{case['id']}/q-responses", headers=overseer).get_json()["total"] == 1
    )
    assert _post(client, case, "q-responses", Q_ANSWERS, headers=overseer).status_code == 403
    assert client.get(f"/api/v1/cic/cases/{case['id']}/q-responses").status_code == 401


def test_answers_that_do_not_fit_are_a_400(client, cic, case):
    _licence(cic, case["org"])
    r = _post(client, case, "q-responses", {**Q_ANSWERS, "me_rest": 11})
    assert r.status_code == 400 and "answers.me_rest" in r.get_json()["errors"]
    missing = dict(Q_ANSWERS)
    missing.pop("sup_ask")
    assert "answers.sup_ask" in _post(client, case, "q-responses", missing).get_json()["errors"]


def test_withdrawing_consent_erases_the_answers_and_refuses_more(client, cic, case, db):
    _licence(cic, case["org"])
    _wheel_licence(cic, org=case["org"])
    marker = "CANARY" + uuid.uuid4().hex[:8]
    assert _post(client, case, "q-responses", Q_ANSWERS, notes=marker).status_code == 201
    assert _post(client, case, "wheel-responses", WHEEL, notes=marker).status_code == 201
    r = client.post(f"/api/v1/tracker/cases/{case['id']}/consent/withdraw", headers=case["headers"])
    assert r.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseToolResponse)) == 0
    assert (
        client.get(f"/api/v1/cic/cases/{case['id']}/q-responses", headers=case["headers"]).get_json()["total"]
        == 0
    )
    r = _post(client, case, "wheel-responses", WHEEL)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["case_open"]


def test_the_current_content_is_sample_and_says_so(client, cic):
    _, headers = cic.person()
    for instrument in ("imatter_q", "wellbeing_wheel"):
        body = client.get(f"/api/v1/cic/questionnaires/{instrument}/current", headers=headers).get_json()
        assert body["sample"] is True and "SAMPLE" in body["notice"]
    assert (
        client.get("/api/v1/cic/questionnaires/community_wheel_audit/current", headers=headers).status_code
        == 404
    )


def test_an_ordered_registration_consultation_is_booked_once(client, cic):
    requester = "u-" + uuid.uuid4().hex[:8]
    data = {
        "order_id": "ord-" + uuid.uuid4().hex[:8],
        "registration_id": "reg-1",
        "person_id": "p-parent",
        "user_id": None,
        "requested_by": requester,
        "organisation_id": "org-school",
    }
    outcome, _ = cic.feed("training.q_consultation.ordered", data)
    assert outcome.action == "ack"
    cic.feed("training.q_consultation.ordered", data)  # the same order announced twice: one booking
    consultations = client.get(
        "/api/v1/consultations", headers=cic.keys.headers(user_id=requester, roles=["learner"])
    ).get_json()
    assert consultations["total"] == 1
    [c] = consultations["items"]
    assert (
        c["purpose"] == "I Matter Q registration" and c["state"] == "requested" and c["for_kind"] == "family"
    )
    staff = cic.staff()
    bookings = client.get("/api/v1/cic/q-registrations", headers=staff).get_json()
    assert [(b["order_id"], b["consultation_id"]) for b in bookings["items"]] == [(data["order_id"], c["id"])]
    when = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    r = client.post(f"/api/v1/consultations/{c['id']}/schedule", json={"scheduled_for": when}, headers=staff)
    assert r.status_code == 200 and r.get_json()["state"] == "scheduled"
    assert client.get("/api/v1/cic/q-registrations", headers=cic.person()[1]).status_code == 403


def test_the_parents_own_account_sees_the_booking_when_they_have_one(client, cic, db):
    parent_user = "u-" + uuid.uuid4().hex[:8]
    cic.feed(
        "training.q_consultation.ordered",
        {
            "order_id": "ord-" + uuid.uuid4().hex[:8],
            "registration_id": "reg-2",
            "person_id": "p-2",
            "user_id": parent_user,
            "requested_by": "u-the-school-admin",
            "organisation_id": None,
        },
    )
    assert db.session.scalar(sa.select(Consultation.requested_by)) == parent_user


def test_a_new_wheel_version_loaded_by_command_leaves_earlier_answers_alone(app, client, cic, case, tmp_path):
    import json

    _wheel_licence(cic, org=case["org"])
    old = _post(client, case, "wheel-responses", WHEEL).get_json()
    doc = {
        "instrument": "wellbeing_wheel",
        "version": "hub-2027",
        "title": "The organisation's own wheel (test)",
        "scales": [{"code": "s", "options": [{"value": 0, "label": "Low"}, {"value": 1, "label": "High"}]}],
        "sections": [
            {"code": "whole", "title": "Whole", "questions": [{"code": "w1", "text": "One", "scale": "s"}]}
        ],
    }
    path = tmp_path / "wheel.json"
    path.write_text(json.dumps(doc))
    result = app.test_cli_runner().invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code == 0 and "hub-2027: loaded (current)" in result.output, result.output
    assert _post(client, case, "wheel-responses", {"w1": 1}).get_json()["version"] == "hub-2027"
    listed = client.get(f"/api/v1/cic/cases/{case['id']}/wheel-responses", headers=case["headers"]).get_json()
    first = next(r for r in listed["items"] if r["id"] == old["id"])
    assert (
        first["version"] == "sample-1"
        and first["answers"] == old["answers"]
        and first["sections"] == old["sections"]
    )
    bad = tmp_path / "training.json"
    bad.write_text(json.dumps({**doc, "instrument": "community_wheel_audit"}))
    assert app.test_cli_runner().invoke(args=["questionnaires", "load", str(bad)]).exit_code == 1
