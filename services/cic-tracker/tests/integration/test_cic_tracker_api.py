"""Progress Tracker through the API: workspaces from events, who sees what, cases, credits,
assessments, goals, reflections, progress (JSON and SVG), consent withdrawal, completion."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cic_tracker.models import Assessment, Case, Goal, Reflection

CASES = "/api/v1/tracker/microprojects/{}/cases"


def _case(client, mp_id, headers, consent, code="C-001"):
    r = client.post(CASES.format(mp_id), json={"code": code, "consent": consent}, headers=headers)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _assess(client, case_id, headers, kind="baseline", scores=None, notes=None):
    body = {"kind": kind, "scores": {"communication": 3, "confidence": 4} if scores is None else scores}
    if notes is not None:
        body["notes"] = notes
    return client.post(f"/api/v1/tracker/cases/{case_id}/assessments", json=body, headers=headers)


def test_a_package_sale_opens_a_workspace_the_practitioner_sees_with_credits(client, cic):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=3, tracker_uses=6)
    r = client.get("/api/v1/tracker/microprojects", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 1 and body["page"] == 1
    assert body["items"][0]["id"] == mp_id and body["items"][0]["credits_left"] == 6
    assert r.headers["Cache-Control"] == "no-store"


def test_a_redelivered_package_event_opens_one_workspace(client, cic):
    person, headers = cic.person()
    env = None
    outcome, env = cic.feed(
        "training.package.purchased",
        {
            "package_id": "pkg-dup",
            "package_type": 4,
            "organisation_id": "org-1",
            "practitioner_id": person,
            "tracker_uses": 9,
            "online_accounts": 3,
        },
    )
    again, _ = cic.feed(None, None, envelope=env)
    assert (outcome.action, again.action) == ("ack", "ack")
    assert client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["total"] == 1


def test_a_package_sold_again_under_new_event_ids_keeps_its_one_workspace(client, cic, db):
    """The workspace is one Core INSERT that skips a package opened already (docs/performance.md
    3c): a resent purchase, in another batch or twice in one, opens nothing more, changes nothing,
    and is acked even when its figures no longer fit the type; a new package with them is refused."""
    from cic_tracker.models import Microproject
    from imatter_shared.events.envelope import new_envelope

    person, headers = cic.person()
    data = {
        "package_id": "pkg-again",
        "package_type": 3,
        "organisation_id": "org-1",
        "practitioner_id": person,
        "tracker_uses": 6,
        "online_accounts": 3,
    }

    def body(**changes):
        return new_envelope(
            "training.package.purchased", {**data, **changes}, "training", version=1
        ).to_json()

    first = cic.consumer.process_batch([(body(), 1), (body(tracker_uses=2), 1), (body(), 1)])
    assert [(o.action, o.reason) for o in first] == [("ack", "")] * 3
    unfit = cic.consumer.process_batch(
        [(body(tracker_uses=60), 1), (body(package_id="pkg-new", tracker_uses=60), 1)]
    )
    assert [o.action for o in unfit] == ["ack", "dead"]
    assert unfit[1].reason.startswith("rejected by handler")
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Microproject).where(Microproject.practitioner_id == person)).all()
    assert [(m.package_id, m.tracker_credits, m.tracker_uses_per_case, m.state) for m in rows] == [
        ("pkg-again", 6, 2, "open")
    ]
    assert client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["total"] == 1


def _org_admin(cic, org):
    """An organisation admin as training says so (training.organisation_admin.changed)."""
    user_id = "u-admin-" + org
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": org, "user_id": user_id, "status": "active"},
    )
    return cic.keys.headers(user_id=user_id)


def test_microprojects_are_visible_to_practitioner_overseers_and_staff_only(client, cic):
    person, practitioner = cic.person()
    mp_id = cic.package(person, organisation_id="org-A")
    admin = _org_admin(cic, "org-A")
    _, lead_plus = cic.person(organisation_id="org-A", certified=("lead_plus",))
    _, colleague = cic.person(organisation_id="org-A", membership_role="staff")
    # a membership role spelt "link_contact" is free text in training and gives nothing (L8)
    _, link_contact = cic.person(organisation_id="org-A", membership_role="link_contact")
    other_admin = _org_admin(cic, "org-B")
    for headers in (practitioner, admin, lead_plus, cic.staff()):
        assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 200
    for headers in (colleague, link_contact, other_admin, cic.staff("fund_reviewer")):
        assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 404
        assert client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}").status_code == 401
    assert client.get("/api/v1/tracker/microprojects/nope", headers=practitioner).status_code == 404


def test_an_overseer_reads_cases_but_only_the_practitioner_writes_them(client, cic, consent):
    person, practitioner = cic.person()
    mp_id = cic.package(person, organisation_id="org-A")
    admin = _org_admin(cic, "org-A")
    overseer_id, overseer = cic.person(organisation_id="org-A", certified=("lead_plus",))
    r = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/overseer", json={"person_id": overseer_id}, headers=admin
    )
    assert r.status_code == 200 and r.get_json()["overseer_state"] == "pending"
    case = _case(client, mp_id, practitioner, consent)
    # named but not yet accepted: no case text
    assert client.get(f"/api/v1/tracker/cases/{case['id']}", headers=overseer).status_code == 404
    r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/overseer/accept", headers=overseer)
    assert r.status_code == 200 and r.get_json()["overseer_state"] == "accepted"
    assert client.get(f"/api/v1/tracker/cases/{case['id']}", headers=overseer).status_code == 200
    # the organisation's admin sees counts on the microproject, not the case (DOMAIN row 93)
    assert client.get(f"/api/v1/tracker/cases/{case['id']}", headers=admin).status_code == 404
    for headers in (admin, overseer):
        r = client.post(CASES.format(mp_id), json={"code": "C-2", "consent": consent}, headers=headers)
        assert r.status_code == 403
    _, stranger = cic.person()
    assert client.get(f"/api/v1/tracker/cases/{case['id']}", headers=stranger).status_code == 404
    assert _assess(client, case["id"], stranger).status_code == 404


def test_three_cases_at_most_and_codes_are_pseudonyms(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person)
    for i in range(3):
        _case(client, mp_id, headers, consent, code=f"C-{i}")
    r = client.post(CASES.format(mp_id), json={"code": "C-9", "consent": consent}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["max_cases"]
    assert r.headers["Content-Type"] == "application/problem+json"
    mp2 = cic.package(person)
    for code in ("jo@example.org", "Jo Bloggs"):
        r = client.post(CASES.format(mp2), json={"code": code, "consent": consent}, headers=headers)
        assert r.status_code == 400 and "code" in r.get_json()["errors"]
    r = client.post(
        CASES.format(mp2), json={"code": "C-1", "consent": {"given_by": "parent"}}, headers=headers
    )
    assert r.status_code == 400 and "consent.scope" in r.get_json()["errors"]
    r = client.post(
        CASES.format(mp2), json={"code": "C-1", "consent": consent, "diagnosis": "x"}, headers=headers
    )
    assert r.status_code == 400  # no clinical fields: unknown fields are refused, never stored


def test_each_assessment_uses_a_credit_until_none_is_left(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, tracker_uses=6)
    case = _case(client, mp_id, headers, consent)
    r = _assess(client, case["id"], headers, "follow_up")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["baseline"]
    r = _assess(client, case["id"], headers)
    assert r.status_code == 201 and r.get_json()["credits_left"] == 5
    assert r.headers["Cache-Control"] == "no-store"
    assert _assess(client, case["id"], headers, "follow_up").get_json()["credits_left"] == 4
    # the case's share (2 for a Type 3) is used: refused although the microproject has 4 left
    r = _assess(client, case["id"], headers, "follow_up")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_credit"]
    events = cic.outbox("cic.tracker.credit_used")
    assert [e["data"] for e in events] == [
        {"package_id": events[0]["data"]["package_id"], "credits_left": 5},
        {"package_id": events[0]["data"]["package_id"], "credits_left": 4},
    ]


def test_scores_are_checked_against_the_configured_areas(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person)
    case = _case(client, mp_id, headers, consent)
    r = _assess(client, case["id"], headers, scores={"mood_disorder": 3})
    assert r.status_code == 400 and "scores.mood_disorder" in r.get_json()["errors"]
    r = _assess(client, case["id"], headers, scores={"communication": 11})
    assert r.status_code == 400
    r = _assess(client, case["id"], headers, scores={})
    assert r.status_code == 400
    areas = client.get("/api/v1/tracker/areas", headers=headers).get_json()["items"]
    assert all("sample" in a["label"] for a in areas)
    r = client.post("/api/v1/tracker/areas", json={"code": "play", "label": "Play"}, headers=cic.staff())
    assert r.status_code == 201
    assert (
        client.post("/api/v1/tracker/areas", json={"code": "x1", "label": "X"}, headers=headers).status_code
        == 403
    )
    assert _assess(client, case["id"], headers, scores={"play": 5}).status_code == 201


def test_type_1_needs_setup_and_a_lead_plus_overseer_before_any_use(client, cic, consent):
    person, headers = cic.person(organisation_id="org-1")
    mp_id = cic.package(person, package_type=1, tracker_uses=3)
    case = _case(client, mp_id, headers, consent)
    r = _assess(client, case["id"], headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_setup", "lead_plus_oversight"]
    assert client.post(f"/api/v1/tracker/microprojects/{mp_id}/setup", headers=headers).status_code == 200
    lead, _ = cic.person(organisation_id="org-1", certified=("lead",))
    r = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/overseer", json={"person_id": lead}, headers=headers
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["lead_plus_oversight"]
    lead_plus, lp_headers = cic.person(organisation_id="org-1", certified=("lead_plus",))
    r = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/overseer", json={"person_id": lead_plus}, headers=headers
    )
    assert r.status_code == 200 and r.get_json()["overseer_person_id"] == lead_plus
    # pending: Type 1 use needs an ACCEPTED Lead Plus overseer
    assert _assess(client, case["id"], headers).get_json()["unmet"] == ["lead_plus_oversight"]
    assert (
        client.post(f"/api/v1/tracker/microprojects/{mp_id}/overseer/accept", headers=lp_headers).status_code
        == 200
    )
    assert _assess(client, case["id"], headers).status_code == 201
    # the overseer now sees the microproject
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=lp_headers).status_code == 200


def test_an_expired_enhanced_licence_stops_tracker_use(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, organisation_id="org-L")
    case = _case(client, mp_id, headers, consent)
    cic.feed(
        "training.licence.changed",
        {
            "organisation_id": "org-L",
            "licence_type": "enhanced",
            "status": "expired",
            "valid_until": "2026-01-01",
        },
    )
    r = _assess(client, case["id"], headers)
    assert r.status_code == 409 and "enhanced_licence" in r.get_json()["unmet"]


def test_goals_reflections_and_progress(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person)
    case = _case(client, mp_id, headers, consent)
    r = client.post(
        f"/api/v1/tracker/cases/{case['id']}/goals",
        json={"text": "Talk daily", "status": "open"},
        headers=headers,
    )
    assert r.status_code == 201
    goal = r.get_json()
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case['id']}/goals",
            json={"text": "x", "status": "cured"},
            headers=headers,
        ).status_code
        == 400
    )
    r = client.patch(
        f"/api/v1/tracker/cases/{case['id']}/goals/{goal['id']}", json={"status": "achieved"}, headers=headers
    )
    assert r.status_code == 200 and r.get_json()["status"] == "achieved"
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case['id']}/reflections", json={"text": "went well"}, headers=headers
        ).status_code
        == 201
    )
    _assess(client, case["id"], headers, scores={"communication": 3, "confidence": 4})
    _assess(client, case["id"], headers, "follow_up", scores={"communication": 7})
    r = client.get(f"/api/v1/tracker/cases/{case['id']}/progress", headers=headers)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    rows = {a["area"]: a for a in r.get_json()["areas"]}
    assert rows["communication"]["baseline"] == 3 and rows["communication"]["latest"] == 7
    assert rows["communication"]["change"] == 4
    assert rows["confidence"]["change"] == 0
    svg = client.get(f"/api/v1/tracker/cases/{case['id']}/progress?format=svg", headers=headers)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    text = svg.get_data(as_text=True)
    assert text.startswith("<svg") and "<title" in text and "Communication" in text and "Baseline 3" in text
    assert svg.headers["Cache-Control"] == "no-store"
    detail = client.get(f"/api/v1/tracker/cases/{case['id']}", headers=headers).get_json()
    assert detail["counts"] == {"baselines": 1, "follow_ups": 1, "goals": 1, "reflections": 1}


def test_withdrawing_consent_erases_the_case_at_once(client, cic, consent, db):
    person, headers = cic.person()
    mp_id = cic.package(person)
    case = _case(client, mp_id, headers, consent, code="W-1")
    _assess(client, case["id"], headers, notes="private note")
    client.post(f"/api/v1/tracker/cases/{case['id']}/goals", json={"text": "a goal"}, headers=headers)
    client.post(
        f"/api/v1/tracker/cases/{case['id']}/reflections", json={"text": "a thought"}, headers=headers
    )
    r = client.post(f"/api/v1/tracker/cases/{case['id']}/consent/withdraw", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["state"] == "withdrawn" and body["code"] is None and body["consent"]["given_by"] is None
    assert body["counts"]["baselines"] == 1  # the tombstone keeps counts only
    for model in (Assessment, Goal, Reflection):
        assert (
            db.session.scalar(
                db.select(db.func.count()).select_from(model).where(model.case_id == case["id"])
            )
            == 0
        )
    assert _assess(client, case["id"], headers, "follow_up").status_code == 409
    # a withdrawn case leaves the microproject: a new one may take its place
    for i in range(3):
        _case(client, mp_id, headers, consent, code=f"N-{i}")


def test_support_is_time_limited_and_retention_erases_closed_cases(app, client, cic, consent, db):
    person, headers = cic.person()
    mp_id = cic.package(person)
    case = _case(client, mp_id, headers, consent)
    _assess(client, case["id"], headers, notes="kept while supported")
    row = db.session.get(Case, case["id"])
    row.support_until = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)
    db.session.commit()
    r = _assess(client, case["id"], headers, "follow_up")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["case_open"]
    assert client.get(f"/api/v1/tracker/cases/{case['id']}", headers=headers).get_json()["state"] == "closed"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tracker", "retention"])
    assert result.exit_code == 0 and "0 erased" in result.output  # still inside the retention period
    row = db.session.get(Case, case["id"])
    row.closed_at = row.closed_at - timedelta(days=app.config["RETENTION_DAYS"] + 1)
    db.session.commit()
    result = runner.invoke(args=["tracker", "retention"])
    assert "1 erased" in result.output
    db.session.expire_all()
    body = client.get(f"/api/v1/tracker/cases/{case['id']}", headers=headers).get_json()
    assert body["state"] == "erased" and body["code"] is None and body["assessments"] == []


def test_completion_is_refused_while_unmet_and_reports_counts_only(client, cic, consent):
    person, headers = cic.person()
    mp_id = cic.package(person, tracker_uses=6)
    url = f"/api/v1/tracker/microprojects/{mp_id}/completion"
    r = client.post(url, json={"reflection": ""}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["cases", "baseline", "follow_up", "reflection"]
    case = _case(client, mp_id, headers, consent)
    _assess(client, case["id"], headers)
    r = client.post(url, json={"reflection": "what I learnt"}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["follow_up"]
    _assess(client, case["id"], headers, "follow_up")
    r = client.post(url, json={"reflection": "what I learnt"}, headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "awaiting_sign_off"
    assert cic.outbox("cic.practicum.completed") == []
    assert cic.sign_off(client, mp_id)["state"] == "completed"
    [event] = cic.outbox("cic.practicum.completed")
    assert set(event["data"]) == {"package_id", "practitioner_id", "cases_count", "completed_at"}
    assert event["data"]["cases_count"] == 1 and event["data"]["practitioner_id"] == person
    assert client.post(url, json={"reflection": "again"}, headers=headers).status_code == 409
    progressed = cic.outbox("cic.microproject.progressed")
    assert [e["data"]["state"] for e in progressed] == ["open", "completed"]


@pytest.mark.parametrize("package_type,uses", [(2, 0)])
def test_a_package_without_tracker_uses_completes_without_measures(client, cic, consent, package_type, uses):
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=package_type, tracker_uses=uses)
    case = _case(client, mp_id, headers, consent)
    r = _assess(client, case["id"], headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_credit"]
    url = f"/api/v1/tracker/microprojects/{mp_id}/completion"
    # Type 2 (row 37): a reflection for each case, then the final reflection
    r = client.post(url, json={"reflection": "done"}, headers=headers)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["case_reflection"]
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case['id']}/reflections",
            json={"text": "talked it through"},
            headers=headers,
        ).status_code
        == 201
    )
    r = client.post(url, json={"reflection": "done"}, headers=headers)
    assert r.status_code == 200


def test_consent_time_defaults_to_now_and_cannot_be_in_the_future(client, cic):
    person, headers = cic.person()
    mp_id = cic.package(person)
    r = client.post(
        CASES.format(mp_id),
        json={"code": "T1", "consent": {"given_by": "carer", "scope": "tracker"}},
        headers=headers,
    )
    assert r.status_code == 201 and r.get_json()["consent"]["given_at"]
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    r = client.post(
        CASES.format(mp_id),
        json={"code": "T2", "consent": {"given_by": "carer", "scope": "tracker", "given_at": future}},
        headers=headers,
    )
    assert r.status_code == 400 and "consent.given_at" in r.get_json()["errors"]
    # parses, but lies past the last moment UTC can hold: a 400 naming the field, not a 500
    r = client.post(
        CASES.format(mp_id),
        json={
            "code": "T2",
            "consent": {"given_by": "carer", "scope": "tracker", "given_at": "9999-12-31T23:00:00-14:00"},
        },
        headers=headers,
    )
    assert r.status_code == 400 and "consent.given_at" in r.get_json()["errors"], r.get_json()
    r = client.post(
        CASES.format(mp_id),
        json={"code": "T1", "consent": {"given_by": "carer", "scope": "tracker"}},
        headers=headers,
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["unique_code"]
