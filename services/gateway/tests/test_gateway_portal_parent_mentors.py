"""Portal pages for Parent Mentors through the Flask test client, against the real training app
(seed 001; decision 0058): a parent sees what they still need, applies with a motivation and at
least 2 references, a training admin records the interview (the note shown to the applicant) and
offers a place, the parent accepts it and the role shows on their page and account; refusals show
at the field or name the rule, and leave nothing behind; nobody else reaches the pages' actions.
An accepted Parent Mentor's page says what they can do now, and they schedule an in-house study
support series for parents of their organisation from /study-support (not one in partnership)."""

from __future__ import annotations

import importlib.util
import pathlib
import re
from datetime import date

_spec = importlib.util.spec_from_file_location(
    "_portal_world_pm", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture

REFS = {
    "ref0_name": "Ref One",
    "ref0_relationship": "family support worker",
    "ref1_name": "Ref Two",
    "ref1_relationship": "teacher",
}
WHY = "I came through a hard few years with my own children and want to help other parents."


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def _completed(v: Visitor, staff: Visitor, courses) -> None:
    pid = v.me()["person_id"]
    for course in courses:
        r = v.client.post(
            "/api/v1/enrolments",
            headers=_bearer(v),
            json={"person_id": pid, "course_code": course, "funding": "self"},
        )
        assert r.status_code == 201, r.get_json()
        r = staff.client.post(f"/api/v1/enrolments/{r.get_json()['id']}/completion", headers=_bearer(staff))
        assert r.status_code == 200, r.get_json()


def _apply(v: Visitor, **data):
    return v.post("/parent-mentor/apply", {"motivation": WHY, **REFS, **data}, page="/parent-mentor")


def test_a_parent_applies_is_interviewed_offered_and_accepts(world):
    pat = Visitor(world, "Pat Parent", kind="personal")
    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    assert "/parent-mentor" in pat.get("/account").get_data(as_text=True)

    page = pat.get("/parent-mentor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Foundation a1" in html and "References (at least 2)" in html and "You can apply once" in html

    # not yet eligible: the rule is named, nothing is made
    r = _apply(pat)
    assert r.status_code == 409 and "foundation_completion" in r.get_data(as_text=True)
    _completed(pat, staff, ("foundation_a1", "foundation_a2", "foundation_b"))
    assert "You can apply." in pat.get("/parent-mentor").get_data(as_text=True)

    # one referee: the error is at the first referee's field
    r = pat.post(
        "/parent-mentor/apply",
        {"motivation": WHY, "ref0_name": "Ref One", "ref0_relationship": "teacher"},
        page="/parent-mentor",
    )
    assert r.status_code == 400 and 'id="ref0_name-error"' in r.get_data(as_text=True)
    r = _apply(pat, motivation="")
    assert r.status_code == 400 and 'id="motivation-error"' in r.get_data(as_text=True)
    assert staff.get("/admin/parent-mentors").get_data(as_text=True).count("Pat Parent") == 0

    r = _apply(pat)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = pat.get("/parent-mentor").get_data(as_text=True)
    assert "Your application" in html and "Not yet: I Matter Training will invite you" in html
    assert "Send my application" not in html  # one open application: the form is gone

    # the training admin: linked from /admin, the list, the application, the interview and decision
    assert "/admin/parent-mentors" in staff.get("/admin").get_data(as_text=True)
    listing = staff.get("/admin/parent-mentors").get_data(as_text=True)
    one_h1_and_labels(listing)
    aid = re.search(r'/admin/parent-mentors/([0-9a-f]{32})"', listing).group(1)
    detail = staff.get(f"/admin/parent-mentors/{aid}").get_data(as_text=True)
    one_h1_and_labels(detail)
    assert "Ref One, family support worker" in detail and WHY in detail
    r = staff.post(
        f"/admin/parent-mentors/{aid}/decision", {"outcome": "offer"}, page=f"/admin/parent-mentors/{aid}"
    )
    assert r.status_code == 409 and "interview_passed" in r.get_data(as_text=True)
    r = staff.post(
        f"/admin/parent-mentors/{aid}/interview",
        {"outcome": "passed", "note": "Warm and reflective."},
        page=f"/admin/parent-mentors/{aid}",
    )
    assert r.status_code == 302
    assert "Warm and reflective." in pat.get("/parent-mentor").get_data(as_text=True)
    r = staff.post(
        f"/admin/parent-mentors/{aid}/decision",
        {"outcome": "offer", "note": "Welcome aboard."},
        page=f"/admin/parent-mentors/{aid}",
    )
    assert r.status_code == 302

    # the parent's page offers the place; nobody else may answer it
    other = Visitor(world, "Olly Other", kind="personal")
    r = other.post(f"/parent-mentor/{aid}/answer", {"answer": "accept"}, page="/parent-mentor")
    assert r.status_code == 404
    html = pat.get("/parent-mentor").get_data(as_text=True)
    assert "Accept the place" in html and "Welcome aboard." in html
    r = pat.post(f"/parent-mentor/{aid}/answer", {"answer": "accept"}, page="/parent-mentor")
    assert r.status_code == 302
    html = pat.get("/parent-mentor").get_data(as_text=True)
    assert "Your role: Parent Mentor" in html and "Parent Mentor since" in html
    assert "Level 3 advanced level Parent Mentor since" in pat.get("/account").get_data(as_text=True)
    # answered once
    r = pat.post(f"/parent-mentor/{aid}/answer", {"answer": "turn_down"}, page="/parent-mentor")
    assert r.status_code == 409
    # not listed in the public directory
    assert "Pat Parent" not in pat.get("/directory?q=Pat").get_data(as_text=True)


def test_a_professional_is_pointed_to_the_lead_professional_route_and_admin_pages_are_for_staff(world):
    pro = Visitor(world, "Pro Fessional")
    html = pro.get("/parent-mentor").get_data(as_text=True)
    assert "Lead Professional programme" in html
    assert pro.get("/admin/parent-mentors").status_code == 403
    assert (
        pro.post("/admin/parent-mentors/x/interview", {"outcome": "passed"}, page="/account").status_code
        == 403
    )


def test_a_training_admin_records_course_completions_in_the_portal(world):
    pat = Visitor(world, "Pat Parent", kind="personal")
    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    pid = pat.me()["person_id"]
    r = pat.client.post(
        "/api/v1/enrolments",
        headers=_bearer(pat),
        json={"person_id": pid, "course_code": "foundation_a1", "funding": "self"},
    )
    assert r.status_code == 201, r.get_json()
    eid = r.get_json()["id"]
    assert f"<code>{pid}</code>" in pat.get("/parent-mentor").get_data(as_text=True)

    # from /admin by the learner's reference
    assert 'id="learner-person_id"' in staff.get("/admin").get_data(as_text=True)
    r = staff.get(f"/admin/learners?person_id={pid}")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/learners/{pid}")
    html = staff.get(f"/admin/learners/{pid}").get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Pat Parent: courses" in html and "Record completion" in html
    # never the learner, nor another signed-in user
    assert pat.get(f"/admin/learners/{pid}").status_code == 403
    r = pat.post(f"/admin/learners/{pid}/enrolments/{eid}/completion", {}, page="/account")
    assert r.status_code == 403
    r = staff.post(f"/admin/learners/{pid}/enrolments/{eid}/completion", {}, page=f"/admin/learners/{pid}")
    assert r.status_code == 302
    html = staff.get(f"/admin/learners/{pid}").get_data(as_text=True)
    assert "completion recorded" in html and "Record completion" not in html
    e = pat.client.get(f"/api/v1/enrolments/{eid}", headers=_bearer(pat)).get_json()
    assert e["state"] == "completed"
    # twice: refused by training with its reason, nothing changes
    r = staff.post(f"/admin/learners/{pid}/enrolments/{eid}/completion", {}, page=f"/admin/learners/{pid}")
    assert r.status_code == 302
    assert staff.get("/admin/learners/" + "0" * 32).status_code == 404


def test_a_training_admin_recognises_and_withdraws_a_certification(world):
    lee = Visitor(world, "Lee Lead")
    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    pid = lee.me()["person_id"]
    url = f"/admin/learners/{pid}"
    html = staff.get(url).get_data(as_text=True)
    one_h1_and_labels(html)
    assert "No certifications." in html

    r = staff.post(f"{url}/certifications", {"role": "lead", "reason": ""}, page=url)
    assert r.status_code == 400 and 'id="rec-reason-error"' in r.get_data(as_text=True)
    r = staff.post(
        f"{url}/certifications", {"role": "lead", "reason": "Certified before the platform"}, page=url
    )
    assert r.status_code == 302
    certs = lee.client.get(f"/api/v1/people/{pid}/certifications", headers=_bearer(lee)).get_json()["items"]
    assert [(c["role"], c["status"], c["basis"]) for c in certs] == [("lead", "current", "recognised")]
    html = staff.get(url).get_data(as_text=True)
    one_h1_and_labels(html)
    cid = certs[0]["id"]

    r = staff.post(f"{url}/certifications/{cid}/withdraw", {"reason": ""}, page=url)
    assert r.status_code == 400
    assert (
        lee.client.get(f"/api/v1/people/{pid}/certifications", headers=_bearer(lee)).get_json()["items"][0][
            "status"
        ]
        == "current"
    )
    # the person themself may not
    assert (
        lee.post(f"{url}/certifications/{cid}/withdraw", {"reason": "mine"}, page="/account").status_code
        == 403
    )
    r = staff.post(f"{url}/certifications/{cid}/withdraw", {"reason": "Records found wrong"}, page=url)
    assert r.status_code == 302
    cert = lee.client.get(f"/api/v1/people/{pid}/certifications", headers=_bearer(lee)).get_json()["items"][0]
    assert cert["status"] == "withdrawn" and cert["withdrawal_reason"] == "Records found wrong"
    r = staff.post(f"{url}/certifications/{cid}/withdraw", {"reason": "Again please"}, page=url)
    assert r.status_code == 409  # already withdrawn: training's rule, shown on the page
    assert "Withdraw<span" not in staff.get(url).get_data(as_text=True)


def _accepted_parent_mentor(world, person_id: str) -> None:
    """A place accepted (the route to it is the test above)."""
    from training.extensions import db
    from training.models.parent_mentors import ParentMentorApplication

    with world["training"].app_context():
        db.session.add(
            ParentMentorApplication(
                person_id=person_id,
                motivation=WHY,
                references=[{"name": "Ref One", "relationship": "teacher"}] * 2,
                state="accepted",
                interview_outcome="passed",
            )
        )
        db.session.commit()


def _series_hosted_by(world, person_id: str) -> list:
    from training.extensions import db
    from training.models.study_support import StudySupportSeries

    with world["training"].app_context():
        return [
            (s.delivery, s.title)
            for s in db.session.query(StudySupportSeries).filter_by(host_person_id=person_id)
        ]


def test_an_accepted_parent_mentor_is_shown_and_hosts_parents_study_support_in_house(world):
    head = Visitor(world, "Hana Head-PM")
    org_id = _world._organisation_with_starter(head)
    pam = Visitor(world, "Pam Mentor", kind="personal")
    assert (
        head.post(
            f"/organisations/{org_id}/memberships", {"email": pam.email, "role": "parent_mentor"}
        ).status_code
        == 302
    )
    html = pam.get("/memberships").get_data(as_text=True)
    membership_id = html.split("/memberships/")[1].split("/accept")[0]
    assert pam.post(f"/memberships/{membership_id}/accept", {}, page="/memberships").status_code == 302
    pid = pam.me()["person_id"]
    form = {
        "organisation_id": org_id,
        "kind": "study_support",
        "delivery": "in_house",
        "course_code": "foundation_a1",
        "title": "Foundation A for parents",
        "starts_on": date.today().isoformat(),
    }
    # not a Parent Mentor yet: no host role, nothing scheduled, nothing new on their page
    r = pam.post("/study-support/series", form, page="/study-support")
    assert r.status_code == 302 and r.headers["Location"].endswith("/study-support#host")
    assert "host_role" in pam.get("/study-support").get_data(as_text=True)
    assert "What you can do now" not in pam.get("/parent-mentor").get_data(as_text=True)

    _accepted_parent_mentor(world, pid)
    html = pam.get("/parent-mentor").get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Your role: Parent Mentor" in html and "What you can do now" in html
    assert "Host study support for parents" in html and 'href="/study-support#host"' in html
    # in partnership with I Matter Training: refused, naming the Lead Professional route
    r = pam.post("/study-support/series", {**form, "delivery": "partnership"}, page="/study-support")
    assert r.status_code == 302
    assert "lead_professional" in pam.get("/study-support").get_data(as_text=True)
    assert _series_hosted_by(world, pid) == []
    # in house, for their organisation: scheduled, and they host it
    r = pam.post("/study-support/series", form, page="/study-support")
    assert r.status_code == 302 and "/study-support/series/" in r.headers["Location"]
    assert _series_hosted_by(world, pid) == [("in_house", "Foundation A for parents")]
    assert "Foundation A for parents" in pam.get("/study-support").get_data(as_text=True)
