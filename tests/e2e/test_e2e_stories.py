"""The whole journeys of issue 16, through the gateway, against the whole system as real processes:
once on the embedded default (SQLite files, the embedded event store) and once on PostgreSQL +
RabbitMQ.

- The Child story: a school (Starter, then Enhanced once its own accepted practitioner is in
  training), a practitioner who signs up, is invited and accepts; L1-2, study support, Deep Dive,
  the Child practicum item; a member of the school's team who accepted membership; a Type 1
  package, Tracker set-up, one of I Matter Training's Lead Plus team named overseer by a training
  admin and accepting; 3 screened cases (a baseline each, one use per case); completion, sign-off;
  then the school's member is recognised as Lead Plus (Lead oversight, counted at certification)
  and training certifies `child` with every requirement met.
- A Parent Mentor's route (seed 001: "some experienced parents positions as Level 3 advanced level
  Parent Mentor", offered "on the basis of application, references and interview"): a parent signs
  up, completes Foundation A and B (recorded by a training admin), applies with references, is
  interviewed, offered a place, accepts, and the role shows on their page; not in the directory.
- The Link story: Informed (L1-2, study support, 3 consolidation sessions), Link training, a Type 2
  package (no Tracker uses; a reflection for each case), completion, sign-off by a Lead of the
  organisation, and training certifies `link`.

Whatever crosses the event boundary is waited for (`wait_for`), never timed.
"""

from __future__ import annotations

import uuid

import pytest

from support import testing as t
from support.api_client import wait_for
from support.stack import Stack
from support.stories import (
    SCHOOL,
    booked_and_completed,
    certified_roles,
    joins,
    l1_2_completed,
    ok,
    own_person,
    portal_pages,
    recognised,
    requirement_status,
    workspace_of,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["embedded", "postgres_rabbitmq"])
def stack(request):
    urls, amqp = {}, None
    if request.param == "postgres_rabbitmq":
        amqp = t.require_amqp()
        urls = {
            name: t.create_postgres_database(f"imatter_e2e_{name}") for name in ("training", "cic", "gateway")
        }
    s = Stack(database_urls=urls, amqp_url=amqp)
    try:
        s.start()
        yield s
    finally:
        s.cleanup()
        for url in urls.values():
            t.drop_postgres_database(url)


def _school(admin) -> dict:
    org = ok(
        admin.post("/api/v1/organisations", {**SCHOOL, "name": f"Fictional Rowan {uuid.uuid4().hex[:6]}"})
    )
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "starter"}))
    return org


def _stage(org: dict) -> int:
    stage = org["stage"]
    return stage["number"] if isinstance(stage, dict) else stage


def _steps(org: dict) -> list[str]:
    return [s if isinstance(s, str) else s.get("text", str(s)) for s in org["next_steps"]]


def _consent():
    return {
        "given_by": "Parent of the pupil (fictional)",
        "scope": "Screening and priority planning",
        "given_at": "2026-11-01T09:00:00Z",
    }


def _open_cases(pro, mp: dict, n: int = 3) -> list[str]:
    ids = [
        ok(
            pro.post(
                f"/api/v1/tracker/microprojects/{mp['id']}/cases",
                {"code": f"P-{uuid.uuid4().hex[:6]}", "consent": _consent()},
            )
        )["id"]
        for _ in range(n)
    ]
    r = pro.post(
        f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": "P-extra", "consent": _consent()}
    )
    assert r.status_code == 409 and r.json()["unmet"] == ["max_cases"], r.text
    return ids


def _area(pro) -> str:
    body = ok(pro.get("/api/v1/tracker/areas"), 200)
    return body["items"][0]["code"]


def _assign_overseer(assigner, mp: dict, overseer_person: dict) -> dict:
    """Name the overseer; cic learns the Lead Plus certification by event, so it is retried
    while cic does not know it yet (409 lead_plus_oversight), never timed."""

    def named():
        r = assigner.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/overseer", {"person_id": overseer_person["id"]}
        )
        if r.status_code == 409 and r.json().get("unmet") == ["lead_plus_oversight"]:
            return None
        return ok(r, 200)

    return wait_for(named, what="cic knows the overseer's Lead Plus certification")


def _accept_oversight(overseer, mp: dict) -> dict:
    """The overseer accepts; cic links their account to their person by event, so the
    microproject is invisible to them (404) until then."""

    def accepted():
        r = overseer.post(f"/api/v1/tracker/microprojects/{mp['id']}/overseer/accept")
        return None if r.status_code == 404 else ok(r, 200)

    return wait_for(accepted, what="cic knows the overseer's person")


def _sign_off(signer, mp: dict) -> dict:
    def signed():
        r = signer.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off")
        if r.status_code in (403, 404):  # cic has not yet learnt the signer's membership/person
            return None
        return ok(r, 200)

    return wait_for(signed, what="sign-off")


def test_the_child_story(stack, api, training_admin):
    head = api.signed_up(name="Ada Fictional-Head")
    org = _school(head)
    pro = api.signed_up(name="Robin Fictional-Child")
    person = own_person(pro, "Robin Fictional-Child")
    joins(head, pro, org, person)

    # the Child pathway names the Lead Plus overseer of its Type 1 practicum
    status = requirement_status(pro, person, "child")
    assert status["lead_plus_oversight"] == "missing" and status["lead_oversight"] == "missing", status
    # Enhanced needs the organisation's own accepted practitioners on a role pathway: none yet
    r = head.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"})
    assert r.status_code == 409 and r.json()["unmet"] == ["practitioner_in_training"], r.text

    # L1-2: every course of the catalogue, Foundation A part 1 before Foundation B
    l1_2_completed(pro, training_admin, person)
    # study support paid by the practitioner themself; Deep Dive and the Child practicum by the school
    booked_and_completed(training_admin, pro, person, "child", "study_support")
    r = head.post(
        f"/api/v1/people/{person['id']}/pathways/child/items", {"item": "study_support", "funding": "self"}
    )
    assert r.status_code == 403, r.text  # funding self only by the person
    booked_and_completed(training_admin, head, person, "child", "deep_dive", organisation_id=org["id"])
    booked_and_completed(training_admin, head, person, "child", "child_practicum", organisation_id=org["id"])
    # stage 4 (an accepted member training towards Child); the next steps name the Lead Plus role
    school = ok(head.get(f"/api/v1/organisations/{org['id']}"), 200)
    assert _stage(school) == 4 and any("Lead Plus" in step for step in _steps(school)), school
    # the practitioner (accepted, on the Child pathway) now lets the school hold the Enhanced Licence
    ok(head.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"}))

    # organisational Lead oversight: one of the school's team, a Lead Plus certified before the
    # platform. Invited, they count for nothing; accepted, they count once training recognises them
    # (below, after the practicum, so the story also shows oversight counted at certification).
    lead = api.signed_up(name="Lee Fictional-LeadPlus")
    lead_person = own_person(lead, "Lee Fictional-LeadPlus")
    invitation = ok(
        head.post(
            f"/api/v1/organisations/{org['id']}/members",
            {"person_id": lead_person["id"], "role": "senior_leader"},
        )
    )
    assert invitation["state"] == "invited"
    assert requirement_status(pro, person, "child")["lead_oversight"] == "missing"
    assert ok(lead.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)["state"] == "active"
    assert requirement_status(pro, person, "child")["lead_oversight"] == "missing"  # not certified yet

    # the Type 1 practicum: Tracker only, one use per case, set-up, a Lead Plus overseer
    package = ok(
        head.post(
            f"/api/v1/organisations/{org['id']}/packages",
            {"type": 1, "practitioner_id": person["id"], "funding": "organisation"},
        )
    )
    assert requirement_status(pro, person, "child")["package_type_1"] == "met"
    mp = workspace_of(pro, package)
    assert (mp["package_type"], mp["tracker_uses_per_case"], mp["credits_left"]) == (1, 1, 3), mp
    assert mp["needs_setup"] and mp["overseer_role_required"] == "lead_plus"
    cases = _open_cases(pro, mp)
    wait_for(
        lambda: _stage(head.get(f"/api/v1/organisations/{org['id']}").json()) == 5,
        what="stage 5: a microproject with 1-3 cases under way",
    )
    area = _area(pro)
    r = pro.post(f"/api/v1/tracker/cases/{cases[0]}/assessments", {"kind": "baseline", "scores": {area: 4}})
    assert r.status_code == 409 and {"tracker_setup", "lead_plus_oversight"} <= set(r.json()["unmet"]), r.text
    assert ok(pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/setup"), 200)["setup_done"] is True

    # the overseer: one of I Matter Training's own Lead Plus team, named by a training admin.
    # The school's admin may not name someone outside the school; the overseer accepts.
    overseer, overseer_person = recognised(api, training_admin, "Orla Fictional-Overseer", "lead_plus")
    wait_for(
        lambda: (
            head.post(
                f"/api/v1/tracker/microprojects/{mp['id']}/overseer", {"person_id": overseer_person["id"]}
            )
            .json()
            .get("unmet")
            == ["overseer_organisation_member"]
        ),
        what="cic refuses an outsider named by the school",
    )
    named = _assign_overseer(training_admin, mp, overseer_person)
    assert (named["overseer_state"], named["overseer_via"]) == ("pending", "training"), named
    r = pro.post(f"/api/v1/tracker/cases/{cases[0]}/assessments", {"kind": "baseline", "scores": {area: 4}})
    assert r.status_code == 409 and r.json()["unmet"] == ["lead_plus_oversight"], r.text  # not yet accepted
    assert _accept_oversight(overseer, mp)["overseer_state"] == "accepted"

    # 3 screened cases: a baseline each, the case's one use; no second use of a case
    for i, case_id in enumerate(cases):
        out = ok(
            pro.post(
                f"/api/v1/tracker/cases/{case_id}/assessments",
                {"kind": "baseline", "scores": {area: 3 + i}, "notes": "screening"},
            )
        )
        assert out["credits_left"] == 2 - i
    r = pro.post(f"/api/v1/tracker/cases/{cases[0]}/assessments", {"kind": "follow_up", "scores": {area: 6}})
    assert r.status_code == 409 and "tracker_credit" in r.json()["unmet"], r.text
    # the overseer reads the case (accepted); the school's admin does not
    assert ok(overseer.get(f"/api/v1/tracker/cases/{cases[0]}"), 200)["assessments"]
    assert head.get(f"/api/v1/tracker/cases/{cases[0]}").status_code == 404

    r = pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/completion", {"reflection": ""})
    assert r.status_code == 409 and r.json()["unmet"] == ["reflection"], r.text
    done = ok(
        pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/completion",
            {"reflection": "Screening showed where to begin with each pupil."},
        ),
        200,
    )
    assert done["state"] == "awaiting_sign_off"
    assert pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off").status_code == 403
    assert head.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off").status_code == 403
    signed = _sign_off(overseer, mp)
    assert (signed["state"], signed["signed_off_as"], signed["signed_off_by_person_id"]) == (
        "completed",
        "overseer",
        overseer_person["id"],
    ), signed

    # training hears of the signed-off practicum (counts only): everything is met but the Lead oversight
    wait_for(
        lambda: requirement_status(pro, person, "child")["practicum"] == "met",
        what="training records the signed-off practicum",
    )
    status = requirement_status(pro, person, "child")
    assert [c for c, s in status.items() if s != "met"] == ["lead_oversight"], status
    assert "child" not in certified_roles(pro, person)
    # the school's accepted Lead Plus is recognised by a training admin: the Child practitioner is
    # certified in the same request (a dead end before: nothing re-checked them)
    ok(
        training_admin.post(
            f"/api/v1/people/{lead_person['id']}/certifications",
            {"role": "lead_plus", "reason": "Certified before the platform (records held)"},
        )
    )
    assert "child" in certified_roles(pro, person)
    pathway = ok(pro.get(f"/api/v1/people/{person['id']}/pathways/child"), 200)
    assert pathway["certified"] and pathway["complete"], pathway
    assert all(r["status"] == "met" for r in pathway["requirements"]), pathway["requirements"]
    assert pathway["remaining_cost"] == 0
    # the organisation sees it too (an accepted member's certification status), and it stays at
    # the highest stage it reached: a completed microproject does not take it back to stage 4
    assert "child" in certified_roles(head, person)
    assert _stage(ok(head.get(f"/api/v1/organisations/{org['id']}"), 200)) == 5


def test_the_link_story(stack, api, training_admin):
    head = api.signed_up(name="Bea Fictional-Head")
    org = _school(head)
    pro = api.signed_up(name="Sam Fictional-Link")
    person = own_person(pro, "Sam Fictional-Link")
    joins(head, pro, org, person)

    # Informed: L1-2, study support, 3 monthly consolidation sessions -> certified on its own
    l1_2_completed(pro, training_admin, person)
    booked_and_completed(training_admin, pro, person, "informed", "study_support")
    consolidation = ok(
        head.post(
            f"/api/v1/people/{person['id']}/pathways/informed/items",
            {"item": "consolidation", "organisation_id": org["id"]},
        )
    )
    assert consolidation["quantity"] == 3, consolidation
    ok(training_admin.post(f"/api/v1/pathway-items/{consolidation['id']}/completion"), 200)
    assert "informed" in certified_roles(pro, person)

    # Link training (then the school may hold the Enhanced Licence), a Type 2 package
    booked_and_completed(training_admin, head, person, "link", "link_training", organisation_id=org["id"])
    ok(head.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"}))
    # the practitioner pays for their own package (funding self is the person's choice only)
    r = head.post(
        f"/api/v1/organisations/{org['id']}/packages",
        {"type": 2, "practitioner_id": person["id"], "funding": "self"},
    )
    assert r.status_code == 403, r.text
    package = ok(
        pro.post(
            f"/api/v1/organisations/{org['id']}/packages",
            {"type": 2, "practitioner_id": person["id"], "funding": "self"},
        )
    )
    assert requirement_status(pro, person, "link") == {
        "informed": "met",
        "link_training": "met",
        "package_type_2": "met",
        "practicum": "in_progress",
    }
    mp = workspace_of(pro, package)
    assert (mp["package_type"], mp["tracker_uses_per_case"], mp["credits_left"]) == (2, 0, 0), mp
    assert not mp["needs_setup"] and mp["overseer_role_required"] is None

    # cases with a reflection each; no Tracker use in a Type 2
    cases = _open_cases(pro, mp)
    area = _area(pro)
    r = pro.post(f"/api/v1/tracker/cases/{cases[0]}/assessments", {"kind": "baseline", "scores": {area: 5}})
    assert r.status_code == 409 and "tracker_credit" in r.json()["unmet"], r.text
    r = pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/completion", {"reflection": "Too early."})
    assert r.status_code == 409 and r.json()["unmet"], r.text
    for case_id in cases:
        ok(
            pro.post(
                f"/api/v1/tracker/cases/{case_id}/reflections", {"text": "What changed in the conversations."}
            )
        )
    done = ok(
        pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/completion",
            {"reflection": "Light-touch support worked for all three."},
        ),
        200,
    )
    assert done["state"] == "awaiting_sign_off"

    # sign-off by a Lead of the organisation (recognised Lead, accepted member); an invited one cannot
    lead, lead_person = recognised(api, training_admin, "Lou Fictional-Lead", "lead")
    invitation = ok(
        head.post(
            f"/api/v1/organisations/{org['id']}/members", {"person_id": lead_person["id"], "role": "lead"}
        )
    )
    assert lead.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off").status_code in (403, 404)
    ok(lead.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)
    signed = _sign_off(lead, mp)
    assert (signed["state"], signed["signed_off_as"], signed["signed_off_by_person_id"]) == (
        "completed",
        "lead",
        lead_person["id"],
    ), signed

    wait_for(lambda: "link" in certified_roles(pro, person), what="training certifies link")
    pathway = ok(pro.get(f"/api/v1/people/{person['id']}/pathways/link"), 200)
    assert pathway["certified"] and pathway["complete"], pathway
    assert all(r["status"] == "met" for r in pathway["requirements"]), pathway["requirements"]


def test_a_parent_mentors_route(stack, api, training_admin):
    parent = api.signed_up(name="Pat Fictional-Parent")
    person = own_person(parent, "Pat Fictional-Parent", kind="personal")
    pm = "/api/v1/parent-mentors"
    body = {
        "person_id": person["id"],
        "motivation": "Our family came through a hard few years; I would like to help other parents.",
        "references": [
            {"name": "Ref Fictional-One", "relationship": "family support worker"},
            {"name": "Ref Fictional-Two", "relationship": "class teacher"},
        ],
    }
    # not yet: the Foundation courses first (the rule is named, nothing is made)
    r = parent.post(f"{pm}/applications", body)
    assert r.status_code == 409 and r.json()["unmet"] == ["foundation_completion"], r.text
    # Foundation A parts 1 and 2 and Foundation B, self-funded, completed by a training admin
    for code in ("foundation_a1", "foundation_a2", "foundation_b"):
        e = ok(
            parent.post(
                "/api/v1/enrolments", {"person_id": person["id"], "course_code": code, "funding": "self"}
            )
        )
        assert parent.post(f"/api/v1/enrolments/{e['id']}/completion").status_code == 403  # never the learner
        ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)
    assert ok(parent.get(f"{pm}/eligibility", params={"person_id": person["id"]}), 200)["eligible"] is True

    a = ok(parent.post(f"{pm}/applications", body))
    assert a["state"] == "applied" and len(a["references"]) == 2, a
    again = parent.post(f"{pm}/applications", body)
    assert again.status_code == 409 and again.json()["unmet"] == ["one_application"], again.text

    # the interview (its note shown to the applicant), then the offer, by a training admin
    assert parent.post(f"{pm}/applications/{a['id']}/interview", {"outcome": "passed"}).status_code == 403
    ok(
        training_admin.post(
            f"{pm}/applications/{a['id']}/interview", {"outcome": "passed", "note": "Warm and reflective."}
        ),
        200,
    )
    assert ok(parent.get(f"{pm}/applications/{a['id']}"), 200)["interview_note"] == "Warm and reflective."
    offered = ok(training_admin.post(f"{pm}/applications/{a['id']}/decision", {"outcome": "offer"}), 200)
    assert offered["state"] == "offered"
    # only the person accepts
    assert training_admin.post(f"{pm}/applications/{a['id']}/answer", {"answer": "accept"}).status_code == 404
    held = ok(parent.post(f"{pm}/applications/{a['id']}/answer", {"answer": "accept"}), 200)
    assert held["state"] == "accepted" and held["role"] == "parent_mentor", held

    # shown on their page (and their account); not in the public directory
    mine, account = portal_pages(
        stack.url(), parent.email, "Plenty-long-passphrase-1", "/parent-mentor", "/account"
    )
    assert "Your role: Parent Mentor" in mine and "Warm and reflective." in mine
    assert "Level 3 advanced level Parent Mentor since" in account
    listed = ok(api.get("/api/v1/directory", params={"q": "Fictional-Parent"}), 200)
    assert all(e.get("person_id") != person["id"] for e in listed["items"]), listed
