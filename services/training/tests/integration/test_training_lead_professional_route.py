"""The Lead Professional route through the API (seed 001; DOMAIN "Rulings" -> "Lead Professional
route"; domain review rows 51, 60, 72a-72i): the trainee year and the implementation year enforced
by dates with a training admin's recorded override; the subscription licence checked against the
organisation's active Starter; the fast track's outstanding coursework blocking approval; entry by
application, references, senior leadership backing and an interview recorded by a training admin;
the obligations of seed 001 with what falls due; log book entries by the trainee; Level 3A groups;
only the person acts on their application, their organisation's admin sees the status only."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from support.testing import simultaneously
from training.models import Licence, Notification
from training.models.lead_professionals import LeadProfessionalApplication, YearOverride

from .lead_professional_setup import REFS, _complete, _level_3a_group, _org, _user

API = "/api/v1/lead-professionals"
FAST = ("foundation_a1", "foundation_a2", "foundation_b")


@pytest.fixture
def school(client, keys):
    admin = _user(keys)
    return admin, _org(client, admin, "Fictional Rowan School", "link@rowan.example")


def _body(person, org, **kw):
    return {
        "person_id": person["id"],
        "organisation_id": org["id"],
        "references": REFS,
        "senior_leadership_backing": True,
        "senior_leader": {"name": "Hal Fictional-Head", "role": "Head"},
        **kw,
    }


def _trainee(client, staff, school, join, route="standard"):
    admin, org = school
    p = join(admin, org["id"], "Bea Fictional-Trainee")
    _complete(client, admin, staff, p, FAST if route == "fast_track" else ("intermediate_a",))
    r = client.post(f"{API}/applications", headers=p["headers"], json=_body(p, org, route=route))
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    r = client.post(f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    assert r.status_code == 200 and r.get_json()["state"] == "trainee"
    # decision 0056: Level 3A groups are run under a Level 3A licence, granted by a training admin
    r = client.post(
        f"/api/v1/people/{p['id']}/lead-professional-licences",
        headers=staff,
        json={"kind": "level_3a", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    return p, aid


def _groups(client, p, org, on: date, n=2):
    for i in range(n):
        r = _level_3a_group(
            client,
            p,
            org["id"],
            course_code=("foundation_a1", "foundation_a2")[i % 2],
            starts_on=on.isoformat(),
        )
        assert r.status_code == 201, r.get_json()


def _kept(client, staff, p, aid):
    """The trainee year's records that leaving it needs (rows 71, 72i): a log book entry by the
    trainee and the action plan outline agreed (recorded by a training admin)."""
    r = client.post(
        f"{API}/applications/{aid}/obligations/log_book/records",
        headers=p["headers"],
        json={"title": "First group", "note": "Fictional reflection"},
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(
        f"{API}/applications/{aid}/obligations/action_plan_outline/records",
        headers=staff,
        json={"note": "Outline agreed"},
    )
    assert r.status_code == 201, r.get_json()


def _backdate(db, aid, column, days):
    db.session.execute(
        sa.update(LeadProfessionalApplication)
        .where(LeadProfessionalApplication.id == aid)
        .values({column: datetime.utcnow() - timedelta(days=days)})
    )
    db.session.commit()


def _advance(client, staff, aid, **body):
    return client.post(f"{API}/applications/{aid}/advance", headers=staff, json=body)


def test_trainee_year_is_enforced_by_date_before_the_implementation_year(
    client, db, keys, staff, school, join
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today() + timedelta(days=7))
    _kept(client, staff, p, aid)
    r = _advance(client, staff, aid)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["trainee_year"]
    assert "trainee year" in r.get_json()["detail"] and "override" in r.get_json()["detail"]
    got = client.get(f"{API}/applications/{aid}", headers=staff).get_json()
    assert got["state"] == "trainee" and got["trainee_year"]["complete"] is False
    assert got["next_step_unmet"] == ["trainee_year"]
    # a year later (by date) the step is open without any override; the groups count in that year
    _backdate(db, aid, "trainee_from", 367)
    db.session.execute(
        sa.text("UPDATE obligation_records SET occurred_at = :t WHERE application_id = :a"),
        {"t": datetime.utcnow() - timedelta(days=200), "a": aid},
    )
    db.session.commit()
    r = _advance(client, staff, aid)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["state"] == "implementation" and r.get_json()["overrides"] == []
    assert r.get_json()["trainee_year"]["complete"] is True


def test_implementation_year_is_enforced_by_date_before_approval(client, db, keys, staff, school, join):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    assert _advance(client, staff, aid, override=True, reason="Experienced facilitator").status_code == 200
    r = _advance(client, staff, aid)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["implementation_year"]
    assert client.get(f"{API}/applications/{aid}", headers=staff).get_json()["state"] == "implementation"
    # approval refused; on the programme they may list themselves, shown as in their implementation year
    # (domain row 74), never as an approved Lead Professional
    r = client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=p["headers"], json={})
    assert r.status_code == 201
    [cred] = r.get_json()["certifications"]
    assert cred["in_training"] is True and cred["certified_at"] is None and "implementation" in cred["title"]
    _backdate(db, aid, "implementation_from", 366)
    r = _advance(client, staff, aid)
    assert r.status_code == 200 and r.get_json()["state"] == "approved" and r.get_json()["approved_at"]


def test_training_admin_may_override_a_year_recording_why_who_and_when(client, db, keys, staff, school, join):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    r = _advance(client, staff, aid, override=True)
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = _advance(client, staff, aid, override=True, reason="   ")
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    # nobody but a training admin moves an application on, override or not
    assert _advance(client, p["headers"], aid, override=True, reason="me").status_code == 403
    assert _advance(client, admin, aid, override=True, reason="us").status_code == 403
    assert client.get(f"{API}/applications/{aid}", headers=staff).get_json()["state"] == "trainee"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YearOverride)) == 0
    r = _advance(client, staff, aid, override=True, reason="Ran two groups already as a study supporter")
    assert r.status_code == 200 and r.get_json()["state"] == "implementation"
    [o] = r.get_json()["overrides"]
    assert o["rule"] == "trainee_year" and o["reason"] == "Ran two groups already as a study supporter"
    assert o["decided_by"] and o["decided_by_name"] == "Tess Fictional-Staff" and o["decided_at"]
    # the trainee sees why on their own record; their organisation's admin sees the status only
    mine = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    assert mine["overrides"][0]["reason"] == o["reason"]
    theirs = client.get(f"{API}/applications/{aid}", headers=admin).get_json()
    assert theirs["view"] == "status" and "overrides" not in theirs


def test_subscription_licence_is_the_organisations_active_starter(app, client, db, keys, staff, school, join):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    obs = {
        o["code"]: o
        for o in client.get(f"{API}/applications/{aid}/obligations", headers=p["headers"]).get_json()["items"]
    }
    sub = obs["subscription_licence"]
    assert sub["status"] == "met" and "Starter Licence is active until" in sub["reason"] and sub["due_on"]
    assert obs["senior_leadership_backing"]["status"] == "met"
    # a week before the Starter ends the trainee is reminded, as the other obligations are
    lic = db.session.scalar(
        sa.select(Licence).where(Licence.organisation_id == org["id"], Licence.type == "starter")
    )
    out = app.test_cli_runner().invoke(
        args=["notify", "reminders", "--at", (lic.valid_until - timedelta(days=3)).isoformat() + "Z"]
    )
    assert out.exit_code == 0, out.output
    sent = db.session.scalars(sa.select(Notification).where(Notification.kind == "obligation_due")).all()
    assert any("subscription_licence" in (n.dedup_key or "") for n in sent)
    # the Starter lapses: unmet, with the reason, and the next step is refused naming it
    lic.valid_from, lic.valid_until = (
        datetime.utcnow() - timedelta(days=400),
        datetime.utcnow() - timedelta(days=1),
    )
    db.session.commit()
    obs = {
        o["code"]: o
        for o in client.get(f"{API}/applications/{aid}/obligations", headers=p["headers"]).get_json()["items"]
    }
    assert (
        obs["subscription_licence"]["status"] == "unmet"
        and "expired" in obs["subscription_licence"]["reason"]
    )
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    r = _advance(client, staff, aid, override=True, reason="early")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["subscription_licence"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YearOverride)) == 0  # nothing changed


def test_subscription_licence_unmet_when_the_trainee_leaves_the_organisation(
    client, db, keys, staff, school, join
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    assert (
        client.post(f"/api/v1/memberships/{p['membership_id']}/leave", headers=p["headers"]).status_code
        == 200
    )
    obs = {
        o["code"]: o
        for o in client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()["obligations"]
    }
    assert obs["subscription_licence"]["status"] == "unmet"
    assert obs["senior_leadership_backing"]["status"] == "unmet"
    # and the organisation it left sees nothing any more
    assert client.get(f"{API}/applications/{aid}", headers=admin).status_code == 404


def test_fast_track_outstanding_coursework_blocks_approval_until_met(client, db, keys, staff, school, join):
    admin, org = school
    p, aid = _trainee(client, staff, school, join, route="fast_track")
    got = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    assert got["outstanding_coursework"]["status"] == "unmet"
    assert "Intermediate A or B" in got["outstanding_coursework"]["reason"]
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    assert _advance(client, staff, aid, override=True, reason="fast track").status_code == 200
    r = _advance(client, staff, aid, override=True, reason="ready")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["outstanding_coursework"]
    assert client.get(f"{API}/applications/{aid}", headers=staff).get_json()["state"] == "implementation"
    _complete(client, admin, staff, p, ("intermediate_b",))
    got = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    assert got["outstanding_coursework"]["status"] == "met"
    r = _advance(client, staff, aid, override=True, reason="ready")
    assert r.status_code == 200 and r.get_json()["state"] == "approved"


def test_row71_leaving_the_trainee_year_needs_the_log_book_and_an_agreed_action_plan_outline(
    client, db, keys, staff, school, join
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today())
    # even with the year overridden, neither record can be skipped
    r = _advance(client, staff, aid, override=True, reason="Experienced facilitator")
    body = r.get_json()
    assert r.status_code == 409 and body["unmet"] == ["log_book", "action_plan_outline"]
    assert "log book" in body["detail"] and "action plan outline" in body["detail"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YearOverride)) == 0  # nothing changed
    got = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    assert got["state"] == "trainee" and "log_book" in got["next_step_unmet"]
    # a log book entry dated before the trainee year began does not keep the year's log book
    r = client.post(
        f"{API}/applications/{aid}/obligations/log_book/records",
        headers=p["headers"],
        json={"title": "Before", "occurred_at": (datetime.utcnow() - timedelta(days=30)).isoformat() + "Z"},
    )
    assert r.status_code == 201
    assert _advance(client, staff, aid, override=True, reason="x").get_json()["unmet"] == [
        "log_book",
        "action_plan_outline",
    ]
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/log_book/records",
            headers=p["headers"],
            json={"title": "Week one"},
        ).status_code
        == 201
    )
    assert _advance(client, staff, aid, override=True, reason="x").get_json()["unmet"] == [
        "action_plan_outline"
    ]
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/action_plan_outline/records",
            headers=staff,
            json={"note": "Agreed"},
        ).status_code
        == 201
    )
    r = _advance(client, staff, aid, override=True, reason="Experienced facilitator")
    assert r.status_code == 200 and r.get_json()["state"] == "implementation"


def test_row72i_overdue_linked_cpd_blocks_approval_and_the_directory_listing(
    client, db, keys, staff, school, join
):
    from training.models.lead_professionals import ObligationRecord

    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    assert _advance(client, staff, aid, override=True, reason="early").status_code == 200
    # both years over by date; the first year had no linked CPD, so it is overdue
    _backdate(db, aid, "trainee_from", 400)
    _backdate(db, aid, "implementation_from", 366)
    r = _advance(client, staff, aid)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["linked_cpd"]
    assert "linked CPD" in r.get_json()["detail"]
    assert client.get(f"{API}/applications/{aid}", headers=staff).get_json()["state"] == "implementation"
    obs = {
        o["code"]: o
        for o in client.get(f"{API}/applications/{aid}/obligations", headers=staff).get_json()["items"]
    }
    assert obs["linked_cpd"]["status"] == "overdue"
    r = client.post(
        f"{API}/applications/{aid}/obligations/linked_cpd/records",
        headers=staff,
        json={
            "note": "Linked CPD day",
            "occurred_at": (datetime.utcnow() - timedelta(days=100)).isoformat() + "Z",
        },
    )
    assert r.status_code == 201
    r = _advance(client, staff, aid)
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    # listed in the directory as a Lead Professional ...
    assert client.post(
        f"/api/v1/people/{p['id']}/directory-entry",
        headers=p["headers"],
        json={"display_name": "Bea Fictional-Trainee"},
    ).status_code in (200, 201)

    def listed():
        items = client.get("/api/v1/directory", query_string={"q": "Bea Fictional-Trainee"}).get_json()[
            "items"
        ]
        return [[c["role"] for c in e["certifications"]] for e in items]

    assert listed() == [["lead_professional"]]
    # ... until linked CPD falls overdue again (time passes with no record): out of the listing
    db.session.execute(
        sa.update(ObligationRecord)
        .where(ObligationRecord.application_id == aid, ObligationRecord.obligation == "linked_cpd")
        .values(occurred_at=datetime.utcnow() - timedelta(days=1000))
    )
    db.session.commit()
    assert listed() == []
    assert (
        client.post(f"/api/v1/people/{p['id']}/directory-entry", headers=p["headers"], json={}).status_code
        == 409
    )
    # recorded again: listed again
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/linked_cpd/records",
            headers=p["headers"],
            json={"note": "Linked CPD day"},
        ).status_code
        == 201
    )
    assert listed() == [["lead_professional"]]


def test_standard_route_carries_no_outstanding_coursework(client, staff, school, join):
    p, aid = _trainee(client, staff, school, join)
    got = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    assert got["outstanding_coursework"] is None
    assert "outstanding_coursework" not in {o["code"] for o in got["obligations"]}


def test_entry_needs_backing_references_membership_and_an_interview_by_a_training_admin(
    client, keys, staff, school, join
):
    admin, org = school
    p = join(admin, org["id"], "Ida Fictional-Applicant")
    _complete(client, admin, staff, p, ("intermediate_a",))
    h = p["headers"]
    r = client.post(f"{API}/applications", headers=h, json=_body(p, org, senior_leadership_backing=False))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["senior_leadership_backing"]
    r = client.post(f"{API}/applications", headers=h, json=_body(p, org, references=REFS[:1]))
    assert r.status_code == 400 and "references" in r.get_json()["errors"]
    r = client.post(
        f"{API}/applications",
        headers=h,
        json={k: v for k, v in _body(p, org).items() if k != "organisation_id"},
    )
    assert r.status_code == 400 and "organisation_id" in r.get_json()["errors"]
    other = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Other School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@other.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    r = client.post(f"{API}/applications", headers=h, json=_body(p, other))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_membership"]
    r = client.post(f"{API}/applications", headers=h, json=_body(p, org))
    assert r.status_code == 201 and r.get_json()["state"] == "applied"
    a = r.get_json()
    assert a["references_count"] == 2 and a["senior_leader"] == {"name": "Hal Fictional-Head", "role": "Head"}
    assert client.post(f"{API}/applications", headers=h, json=_body(p, org)).status_code == 409
    # the interview outcome is a training admin's to record, never the applicant's or their organisation's
    assert (
        client.post(
            f"{API}/applications/{a['id']}/interview", headers=h, json={"outcome": "passed"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/applications/{a['id']}/interview", headers=admin, json={"outcome": "passed"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{API}/applications/{a['id']}/interview", headers=staff, json={"outcome": "maybe"}
        ).status_code
        == 400
    )
    r = client.post(
        f"{API}/applications/{a['id']}/interview",
        headers=staff,
        json={"outcome": "passed", "note": "Clear plan for two parent groups"},
    )
    assert r.status_code == 200
    mine = client.get(f"{API}/applications/{a['id']}", headers=h).get_json()
    assert (
        mine["interview_outcome"] == "passed" and mine["interview_note"] == "Clear plan for two parent groups"
    )
    assert mine["interview_by"] and mine["interview_at"] and mine["trainee_year"]["from"]
    r = client.post(f"{API}/applications/{a['id']}/interview", headers=staff, json={"outcome": "failed"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["application_open"]


def test_only_the_person_acts_on_their_application_and_their_organisation_sees_status_only(
    client, keys, staff, school, join
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    stranger = _user(keys)
    # the organisation's admin: status only (name, route, state, years), nothing else
    s = client.get(f"{API}/applications/{aid}", headers=admin)
    assert s.status_code == 200
    s = s.get_json()
    assert s["view"] == "status" and s["person_name"] == "Bea Fictional-Trainee" and s["state"] == "trainee"
    for hidden in ("references", "obligations", "interview_note", "senior_leader", "overrides"):
        assert hidden not in s
    for path in ("obligations", "log-book", "level-3a-groups"):
        assert client.get(f"{API}/applications/{aid}/{path}", headers=admin).status_code == 404
        assert client.get(f"{API}/applications/{aid}/{path}", headers=stranger).status_code == 404
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/log_book/records",
            headers=admin,
            json={"note": "not theirs"},
        ).status_code
        == 404
    )
    assert client.get(f"{API}/applications/{aid}", headers=stranger).status_code == 404
    assert (
        client.post(
            f"{API}/level-3a-groups",
            headers=admin,
            json={
                "organisation_id": org["id"],
                "lead_person_id": p["id"],
                "course_code": "foundation_a1",
                "audience": "parents",
                "starts_on": date.today().isoformat(),
                "participants_count": 6,
            },
        ).status_code
        == 404
    )
    # the person lists their own applications; nobody lists another's
    r = client.get(f"{API}/applications", headers=p["headers"], query_string={"person_id": p["id"]})
    assert r.status_code == 200 and [a["id"] for a in r.get_json()["items"]] == [aid]
    assert (
        client.get(f"{API}/applications", headers=admin, query_string={"person_id": p["id"]}).status_code
        == 404
    )
    assert client.get(f"{API}/applications", headers=p["headers"]).status_code == 403


def test_seed_001_obligations_tracked_with_what_falls_due(client, keys, staff, school, join):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    got = client.get(f"{API}/applications/{aid}", headers=p["headers"]).get_json()
    by_code = {o["code"]: o for o in got["obligations"]}
    assert set(by_code) == {
        "senior_leadership_backing",
        "subscription_licence",
        "action_plan_outline",
        "monthly_development",
        "participant_feedback",
        "log_book",
        "annual_plan",
        "foundation_a_courses",
        "linked_cpd",
    }
    assert (
        by_code["foundation_a_courses"]["target"] == 2
        and by_code["foundation_a_courses"]["cadence"] == "yearly"
    )
    assert by_code["monthly_development"]["cadence"] == "monthly" and by_code["monthly_development"]["due_on"]
    assert by_code["action_plan_outline"]["status"] == "due" and by_code["action_plan_outline"][
        "recorded_by"
    ] == ["training_admin"]
    assert got["next_due"]["code"] == "action_plan_outline"  # the earliest deadline (30 days)
    # the log book is the trainee's own
    r = client.post(
        f"{API}/applications/{aid}/obligations/log_book/records", headers=staff, json={"note": "x"}
    )
    assert r.status_code == 403
    for title in ("Planning the first group", "First session"):
        r = client.post(
            f"{API}/applications/{aid}/obligations/log_book/records",
            headers=p["headers"],
            json={"title": title, "note": "What went well, what I would change."},
        )
        assert r.status_code == 201
    assert {o["code"]: o["status"] for o in r.get_json()["obligations"]}["log_book"] == "done"
    book = client.get(f"{API}/applications/{aid}/log-book", headers=p["headers"]).get_json()
    assert book["total"] == 2 and {e["title"] for e in book["items"]} == {
        "Planning the first group",
        "First session",
    }
    assert client.get(f"{API}/applications/{aid}/log-book", headers=staff).get_json()["total"] == 2
    # the action plan outline counts once I Matter Training agreed it
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/action_plan_outline/records", headers=p["headers"], json={}
        ).status_code
        == 403
    )
    r = client.post(
        f"{API}/applications/{aid}/obligations/action_plan_outline/records",
        headers=staff,
        json={"note": "Agreed at the review call"},
    )
    assert r.status_code == 201
    assert {o["code"]: o["status"] for o in r.get_json()["obligations"]}["action_plan_outline"] == "done"
    # standing obligations are checked, not recorded; unknown codes are not found
    r = client.post(
        f"{API}/applications/{aid}/obligations/subscription_licence/records", headers=p["headers"], json={}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["recorded_obligation"]
    assert (
        client.post(
            f"{API}/applications/{aid}/obligations/nope/records", headers=p["headers"], json={}
        ).status_code
        == 404
    )
    r = client.post(
        f"{API}/applications/{aid}/obligations/log_book/records",
        headers=p["headers"],
        json={"note": "x" * 501},
    )
    assert r.status_code == 400 and "note" in r.get_json()["errors"]


def test_level_3a_groups_registered_by_the_lead_professional_count_participants_not_names(
    client, keys, staff, school, join
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today(), n=1)
    r = client.get(f"{API}/applications/{aid}/level-3a-groups", headers=p["headers"]).get_json()
    assert r["total"] == 1 and r["items"][0]["participants_count"] == 6 and r["items"][0]["fee"] == 0
    assert "participants" not in r["items"][0]
    other = _org(client, admin, "Fictional Other School", "link@other.example", licences=())
    r = _level_3a_group(client, p, other["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_membership"]
    by_code = {
        o["code"]: o
        for o in client.get(f"{API}/applications/{aid}/obligations", headers=p["headers"]).get_json()["items"]
    }
    assert by_code["foundation_a_courses"]["done"] == 1


def _threads(app, n, fn):
    return simultaneously(app, n, lambda c, _i: fn(c))


def test_twenty_simultaneous_applications_make_one(app, client, db, keys, staff, school, join):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p = join(admin, org["id"], "Ria Fictional-Racer")
    _complete(client, admin, staff, p, ("intermediate_a",))
    db.session.commit()
    codes = _threads(
        app, 20, lambda c: c.post(f"{API}/applications", headers=p["headers"], json=_body(p, org)).status_code
    )
    assert sorted(codes) == [201] + [409] * 19
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeadProfessionalApplication)) == 1


def test_twenty_simultaneous_overrides_move_once_and_record_one_reason(
    app, client, db, keys, staff, school, join
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    _groups(client, p, org, date.today())
    _kept(client, staff, p, aid)
    db.session.commit()
    codes = _threads(
        app,
        20,
        lambda c: (
            c.post(
                f"{API}/applications/{aid}/advance",
                headers=staff,
                json={"override": True, "reason": "race", "from_state": "trainee"},
            ).status_code
        ),
    )
    assert sorted(codes) == [200] + [409] * 19
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(YearOverride)) == 1
    assert db.session.get(LeadProfessionalApplication, aid).state == "implementation"
