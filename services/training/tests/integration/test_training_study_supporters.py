"""Volunteer study supporters through the API (seed 001: "Professionals and parents who have
completed the courses can apply ... act as a buddy for others"; "offered on the basis of
application, references and interview"; decision 0061): eligibility, references, the interview
recorded by a training admin with a note the applicant sees, the decision (the preparation course
as data), and the buddy assignment to a study-support series shown on both sides."""

from datetime import date

import pytest
import sqlalchemy as sa

from support.testing import simultaneously
from training.models.lead_professionals import StudySupporterApplication
from training.models.study_support import StudySupportBuddy

from .lead_professional_setup import REFS, _complete, _org, _user

SUP = "/api/v1/lead-professionals/study-supporter-applications"
LP = "/api/v1/lead-professionals"
API = "/api/v1/study-support"
FOUNDATION = ("foundation_a1", "foundation_a2", "foundation_b")


@pytest.fixture
def school(client, keys):
    admin = _user(keys)
    return admin, _org(client, admin, "Fictional Ash School", "link@ash.example")


def _apply(client, p, **kw):
    body = {
        "person_id": p["id"],
        "motivation": "To buddy others through Foundation A",
        "references": REFS,
        **kw,
    }
    return client.post(SUP, headers=p["headers"], json=body)


def test_applying_needs_the_courses_two_references_and_one_open_application(client, staff, school, join, db):
    admin, org = school
    p = join(admin, org["id"], "Sam Fictional-Supporter")
    r = _apply(client, p)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["foundation_completion"]
    _complete(client, admin, staff, p, FOUNDATION)
    r = _apply(client, p, references=REFS[:1])
    assert r.status_code == 400 and "references" in r.get_json()["errors"]
    other = join(admin, org["id"], "Oli Fictional")
    assert _apply(client, other | {"id": p["id"]}).status_code == 404  # nobody applies for someone else
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StudySupporterApplication)) == 0
    r = _apply(client, p)
    assert r.status_code == 201 and r.get_json()["state"] == "applied"
    assert r.get_json()["acceptance_unmet"] == ["interview_passed", "preparation_course"]
    r = _apply(client, p)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["one_application"]


def test_interview_note_is_shown_and_acceptance_needs_the_preparation_course(client, staff, school, join):
    admin, org = school
    p = join(admin, org["id"], "Sam Fictional-Supporter")
    _complete(client, admin, staff, p, FOUNDATION)
    sid = _apply(client, p).get_json()["id"]
    # only training admins interview and decide
    assert (
        client.post(f"{SUP}/{sid}/interview", headers=p["headers"], json={"outcome": "passed"}).status_code
        == 403
    )
    r = client.post(f"{SUP}/{sid}/decision", headers=staff, json={"outcome": "accepted"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["interview_passed", "preparation_course"]
    r = client.post(
        f"{SUP}/{sid}/interview", headers=staff, json={"outcome": "passed", "note": "Warm and clear"}
    )
    assert r.status_code == 200 and r.get_json()["state"] == "interviewed"
    seen = client.get(f"{SUP}/{sid}", headers=p["headers"]).get_json()
    assert (seen["interview_outcome"], seen["interview_note"]) == ("passed", "Warm and clear")
    assert client.get(f"{SUP}/{sid}", headers=admin).status_code == 404
    r = client.post(f"{SUP}/{sid}/decision", headers=staff, json={"outcome": "accepted"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["preparation_course"]
    _complete(client, admin, staff, p, ("study_supporter_preparation",), funding="self")
    r = client.post(f"{SUP}/{sid}/decision", headers=staff, json={"outcome": "accepted"})
    assert r.status_code == 200 and r.get_json()["state"] == "accepted"
    mine = client.get(SUP, headers=p["headers"], query_string={"person_id": p["id"]}).get_json()["items"]
    assert [s["state"] for s in mine] == ["accepted"]


def test_a_failed_interview_declines(client, staff, school, join):
    admin, org = school
    p = join(admin, org["id"], "Sam Fictional-Supporter")
    _complete(client, admin, staff, p, FOUNDATION)
    sid = _apply(client, p).get_json()["id"]
    r = client.post(f"{SUP}/{sid}/interview", headers=staff, json={"outcome": "failed", "note": "Not yet"})
    assert r.get_json()["state"] == "declined"
    r = client.post(f"{SUP}/{sid}/decision", headers=staff, json={"outcome": "accepted"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["application_open"]


def test_buddy_assignment_to_a_series_shows_on_both_pages(client, staff, school, join, db):
    admin, org = school
    host = join(admin, org["id"], "Bea Fictional-Trainee")
    _complete(client, admin, staff, host, ("intermediate_a",))
    aid = client.post(
        f"{LP}/applications",
        headers=host["headers"],
        json={
            "person_id": host["id"],
            "organisation_id": org["id"],
            "references": REFS,
            "senior_leadership_backing": True,
        },
    ).get_json()["id"]
    client.post(f"{LP}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    series = client.post(
        f"{API}/series",
        headers=host["headers"],
        json={
            "organisation_id": org["id"],
            "host_person_id": host["id"],
            "course_code": "foundation_a1",
            "title": "Foundation A group",
            "starts_on": date.today().isoformat(),
        },
    ).get_json()
    p = join(admin, org["id"], "Sam Fictional-Supporter")
    _complete(client, admin, staff, p, FOUNDATION)
    sup = _apply(client, p).get_json()["id"]
    body = {"supporter_application_id": sup}
    r = client.post(f"{API}/series/{series['id']}/buddies", headers=host["headers"], json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["supporter_accepted"]
    client.post(f"{SUP}/{sup}/interview", headers=staff, json={"outcome": "passed"})
    _complete(client, admin, staff, p, ("study_supporter_preparation",), funding="self")
    client.post(f"{SUP}/{sup}/decision", headers=staff, json={"outcome": "accepted"})
    # a learner of the school may not assign; the host may
    learner = join(admin, org["id"], "Lou Fictional-Learner")
    assert (
        client.post(f"{API}/series/{series['id']}/buddies", headers=learner["headers"], json=body).status_code
        == 404
    )
    r = client.post(f"{API}/series/{series['id']}/buddies", headers=host["headers"], json=body)
    assert r.status_code == 201 and r.get_json()["person_name"] == "Sam Fictional-Supporter"
    r = client.post(f"{API}/series/{series['id']}/buddies", headers=staff, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["already_assigned"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StudySupportBuddy)) == 1
    shown = client.get(f"{API}/series/{series['id']}", headers=learner["headers"]).get_json()["buddies"]
    assert [b["person_id"] for b in shown] == [p["id"]]
    mine = client.get(f"{SUP}/{sup}", headers=p["headers"]).get_json()["buddy_for"]
    assert [(b["series_id"], b["title"]) for b in mine] == [(series["id"], "Foundation A group")]
    # the buddy sees the series page
    assert client.get(f"{API}/series/{series['id']}", headers=p["headers"]).status_code == 200


def test_twenty_simultaneous_applications_make_one(app, client, staff, school, join, db):
    """One open application per person is the database's rule (a partial unique index), not only
    a check in code: twenty at once make one row and nineteen 409s."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p = join(admin, org["id"], "Rae Fictional-Racer")
    _complete(client, admin, staff, p, FOUNDATION)
    db.session.commit()
    codes = [r.status_code for r in simultaneously(app, 20, lambda c, i: _apply(c, p))]
    assert sorted(codes) == [201] + [409] * 19, codes
    db.session.expire_all()
    count = sa.select(sa.func.count()).select_from(StudySupporterApplication)
    assert db.session.scalar(count.where(StudySupporterApplication.person_id == p["id"])) == 1
