"""Evaluation summary (aggregate, suppressed small cells) and the consumed events."""

import json

from cic_tracker.models import Certification, KnownPerson, Microproject, OrgLicence, OrgMembership

MARK = "PRIVATE-TEXT-7c1e"


def test_evaluation_is_aggregate_and_suppresses_small_cells(client, cic, consent):
    person, headers = cic.person()
    hub = client.post("/api/v1/hubs", json={"name": "Eval Hub (fictional)"}, headers=cic.staff()).get_json()
    big = [cic.package(person, package_type=4, tracker_uses=9) for _ in range(2)]
    for n, mp_id in enumerate(big):
        for i in range(3):
            # changes 0, 1, 2
            cic.case_with_change(client, mp_id, headers, consent, f"{MARK}-{n}{i}", 2, 2 + i, notes=MARK)
    small = cic.package(person, package_type=3, tracker_uses=6)
    client.post(f"/api/v1/tracker/microprojects/{small}/hub", json={"hub_id": hub["id"]}, headers=headers)
    for i in range(2):
        cic.case_with_change(client, small, headers, consent, f"S-{i}", 5, 9, notes=MARK)
    assert client.get("/api/v1/evaluation/summary", headers=headers).status_code == 403
    r = client.get("/api/v1/evaluation/summary", headers=cic.staff())
    assert r.status_code == 200
    body = r.get_json()
    cells = {(c["package_type"], c["hub_id"]): c for c in body["cells"]}
    assert cells[(4, None)]["cases"] == 6 and cells[(4, None)]["suppressed"] is False
    assert cells[(4, None)]["average_change"] == {"communication": 1.0}
    assert cells[(3, hub["id"])] == {
        **cells[(3, hub["id"])],
        "cases": None,
        "average_change": None,
        "suppressed": True,
    }
    assert body["totals"]["suppressed"] is True and body["totals"]["cases"] is None  # 6 + 2: no subtraction
    assert MARK not in r.get_data(as_text=True)  # no codes, no notes


def test_people_memberships_certifications_and_licences_are_kept_as_ids_only(client, cic, db):
    for event_type, data in [
        ("training.person.linked", {"person_id": "p1", "user_id": "u1"}),
        (
            "training.membership.changed",
            {
                "organisation_id": "o1",
                "person_id": "p2",
                "user_id": "u2",
                "role": "link_contact",
                "status": "active",
            },
        ),
        (
            "training.membership.changed",
            {
                "organisation_id": "o1",
                "person_id": "p2",
                "user_id": None,
                "role": "link_contact",
                "status": "ended",
            },
        ),
        (
            "training.practitioner.certified",
            {
                "person_id": "p1",
                "role": "lead_plus",
                "organisation_id": None,
                "certified_at": "2026-11-01T10:00:00Z",
            },
        ),
        (
            "training.licence.changed",
            {
                "organisation_id": "o1",
                "licence_type": "enhanced",
                "status": "active",
                "valid_until": "2027-11-01",
            },
        ),
    ]:
        outcome, _ = cic.feed(event_type, data)
        assert outcome.action == "ack", outcome
    assert db.session.get(KnownPerson, "p1").user_id == "u1"
    m = db.session.get(OrgMembership, ("o1", "p2"))
    assert (m.status, m.user_id) == ("ended", "u2")
    assert (
        db.session.scalar(db.select(Certification.role).where(Certification.person_id == "p1")) == "lead_plus"
    )
    assert db.session.get(OrgLicence, ("o1", "enhanced")).status == "active"
    # an ended membership no longer grants oversight
    mp_id = cic.package("p9", organisation_id="o1")
    headers = cic.keys.headers(user_id="u2")
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 404


def test_a_certification_redelivered_is_kept_once_and_bad_events_are_dead_lettered(cic, db):
    outcome, env = cic.certify("p5", "lead_plus")
    again, _ = cic.feed(None, None, envelope=env)
    assert again.action == "ack" and again.reason == "duplicate"
    cic.certify("p5", "lead_plus")  # a fresh event for the same fact: still one row
    assert db.session.scalar(db.select(db.func.count()).select_from(Certification)) == 1
    bad, _ = cic.feed(
        "training.package.purchased",
        {
            "package_id": "x",
            "package_type": 9,
            "organisation_id": "o",
            "practitioner_id": "p",
            "tracker_uses": 1,
            "online_accounts": 0,
        },
    )
    assert bad.action == "dead"
    assert db.session.scalar(db.select(db.func.count()).select_from(Microproject)) == 0


def test_the_handler_map_covers_every_type_cic_consumes():
    from cic_tracker.events.handlers import HANDLERS
    from imatter_shared.events import catalogue

    assert sorted(HANDLERS) == catalogue.types_for("cic-tracker")


def test_story_workspace_cases_credits_completion(client, cic, consent):
    """Package bought -> workspace -> 3 cases, 4th refused -> credits to zero, next use 409 ->
    completion refused while unmet, accepted when met -> practicum.completed, counts only."""
    person, headers = cic.person()
    mp_id = cic.package(person, package_type=3, tracker_uses=6)
    mp = client.get("/api/v1/tracker/microprojects", headers=headers).get_json()["items"][0]
    assert (mp["id"], mp["credits_left"]) == (mp_id, 6)
    cases = [
        client.post(
            f"/api/v1/tracker/microprojects/{mp_id}/cases",
            json={"code": f"{MARK}-{i}", "consent": consent},
            headers=headers,
        )
        for i in range(4)
    ]
    assert [c.status_code for c in cases] == [201, 201, 201, 409]
    assert cases[3].get_json()["unmet"] == ["max_cases"]
    ids = [c.get_json()["id"] for c in cases[:3]]
    url = f"/api/v1/tracker/microprojects/{mp_id}/completion"
    for i, case_id in enumerate(ids):
        assert (
            client.post(
                f"/api/v1/tracker/cases/{case_id}/assessments",
                json={"kind": "baseline", "scores": {"confidence": 3}},
                headers=headers,
            ).status_code
            == 201
        )
        if i == 0:
            r = client.post(url, json={"reflection": MARK}, headers=headers)
            assert r.status_code == 409 and r.get_json()["unmet"] == ["baseline", "follow_up"]
        assert (
            client.post(
                f"/api/v1/tracker/cases/{case_id}/assessments",
                json={"kind": "follow_up", "scores": {"confidence": 6}},
                headers=headers,
            ).status_code
            == 201
        )
    assert (
        client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).get_json()["credits_left"] == 0
    )
    r = client.post(
        f"/api/v1/tracker/cases/{ids[0]}/assessments",
        json={"kind": "follow_up", "scores": {"confidence": 7}},
        headers=headers,
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["tracker_credit"]
    assert client.post(url, json={"reflection": "  "}, headers=headers).get_json()["unmet"] == ["reflection"]
    r = client.post(url, json={"reflection": MARK}, headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "awaiting_sign_off"
    assert cic.outbox("cic.practicum.completed") == []  # a supervised practicum: sign-off first
    cic.sign_off(client, mp_id)
    [event] = cic.outbox("cic.practicum.completed")
    assert event["data"]["cases_count"] == 3 and event["data"]["practitioner_id"] == person
    assert [e["data"]["credits_left"] for e in cic.outbox("cic.tracker.credit_used")] == [5, 4, 3, 2, 1, 0]


def test_no_outbox_payload_carries_case_text(client, cic, consent):
    """Service-level boundary canary: a marker in every free-text and code field of a case
    never reaches an outbox row (what would be published to training)."""
    person, headers = cic.person()
    mp_id = cic.package(person, tracker_uses=6)
    consent = {"given_by": f"{MARK} parent", "scope": f"{MARK} scope", "given_at": consent["given_at"]}
    case = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases",
        json={"code": f"{MARK}-1", "consent": consent},
        headers=headers,
    ).get_json()
    for kind in ("baseline", "follow_up"):
        client.post(
            f"/api/v1/tracker/cases/{case['id']}/assessments",
            json={"kind": kind, "scores": {"wellbeing": 4}, "notes": MARK},
            headers=headers,
        )
    client.post(
        f"/api/v1/tracker/cases/{case['id']}/goals", json={"text": MARK, "status": "open"}, headers=headers
    )
    client.post(f"/api/v1/tracker/cases/{case['id']}/reflections", json={"text": MARK}, headers=headers)
    assert (
        client.post(
            f"/api/v1/tracker/microprojects/{mp_id}/completion", json={"reflection": MARK}, headers=headers
        ).status_code
        == 200
    )
    cic.sign_off(client, mp_id)
    rows = cic.outbox()
    assert {r["type"] for r in rows} >= {
        "cic.practicum.completed",
        "cic.tracker.credit_used",
        "cic.microproject.progressed",
    }
    assert all(MARK not in json.dumps(r) for r in rows)


def test_an_organisation_admin_oversees_its_microprojects_from_the_admin_event(client, cic):
    """The creator of an organisation (admin in training, with or without a person) sees its
    microprojects in cic-tracker once training says so, and stops when the admin role ends."""
    mp_id = cic.package("p-practitioner", organisation_id="org-admin-test")
    headers = cic.keys.headers(user_id="u-admin")
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 404
    outcome, _ = cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": "org-admin-test", "user_id": "u-admin", "status": "active"},
    )
    assert outcome.action == "ack", outcome
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 200
    listed = client.get("/api/v1/tracker/microprojects", headers=headers).get_json()
    assert [m["id"] for m in listed["items"]] == [mp_id]
    cic.feed(
        "training.organisation_admin.changed",
        {"organisation_id": "org-admin-test", "user_id": "u-admin", "status": "ended"},
    )
    assert client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=headers).status_code == 404
