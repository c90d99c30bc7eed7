"""Parent Mentors through the API (seed 001: "some experienced parents positions as Level 3
advanced level Parent Mentor"; places "offered on the basis of application, references and
interview"; decision 0058): eligibility as data (a parent learner who completed Foundation A parts
1 and 2 and Foundation B), at least 2 references, the interview and decision by a training admin,
the offer answered by the person only, one open application per person (also under a race on
PostgreSQL), refusals leave nothing behind, and no Parent Mentor in the public directory. An
accepted Parent Mentor hosts study support for parents in house (not in partnership, and only for
an organisation they are an accepted member of); an applicant or an offer turned down does not."""

import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from support.testing import simultaneously
from training.models.parent_mentors import ParentMentorApplication
from training.models.study_support import StudySupportSeries

from .lead_professional_setup import _org as _school

API = "/api/v1/parent-mentors"
REFS = [
    {"name": "Ref One", "relationship": "family support worker"},
    {"name": "Ref Two", "relationship": "teacher"},
]
FOUNDATION = ("foundation_a1", "foundation_a2", "foundation_b")
WHY = "I have come through a hard time with my own children and want to help other parents."


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:10]}@example.org", roles=list(roles))


@pytest.fixture
def staff(keys):
    return _user(keys, roles=["training_admin"])


def _parent(client, keys, kind="personal", name="Pat Fictional-Parent"):
    uid = uuid.uuid4().hex
    email = f"{uid[:10]}@example.org"
    h = keys.headers(user_id=uid, email=email, name=name)
    r = client.post("/api/v1/people", headers=h, json={"name": name, "email": email, "kind": kind})
    assert r.status_code in (200, 201), r.get_json()
    return {**r.get_json(), "headers": h}


def _complete(client, staff, p, courses=FOUNDATION):
    for course in courses:
        r = client.post(
            "/api/v1/enrolments",
            headers=p["headers"],
            json={"person_id": p["id"], "course_code": course, "funding": "self"},
        )
        assert r.status_code == 201, r.get_json()
        r = client.post(f"/api/v1/enrolments/{r.get_json()['id']}/completion", headers=staff)
        assert r.status_code == 200, r.get_json()


def _apply(client, p, refs=REFS, motivation=WHY):
    return client.post(
        f"{API}/applications",
        headers=p["headers"],
        json={"person_id": p["id"], "motivation": motivation, "references": refs},
    )


def _count(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ParentMentorApplication))


def test_eligibility_is_foundation_a_and_b_completed_by_a_parent_learner(client, db, keys, staff):
    p = _parent(client, keys)
    r = client.get(f"{API}/eligibility", query_string={"person_id": p["id"]}, headers=p["headers"])
    assert r.status_code == 200
    e = r.get_json()
    assert e["eligible"] is False and e["unmet"] == ["foundation_completion"]
    assert [c["code"] for c in e["required_courses"]] == list(FOUNDATION) and e["min_references"] == 2

    r = _apply(client, p)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["foundation_completion"]
    _complete(client, staff, p, FOUNDATION[:2])  # Foundation A only
    assert _apply(client, p).get_json()["unmet"] == ["foundation_completion"]
    assert _count(db) == 0

    _complete(client, staff, p, FOUNDATION[2:])
    e = client.get(f"{API}/eligibility", query_string={"person_id": p["id"]}, headers=p["headers"]).get_json()
    assert e["eligible"] is True and e["unmet"] == [] and all(c["completed"] for c in e["required_courses"])

    pro = _parent(client, keys, kind="professional", name="Pro Fictional")
    _complete(client, staff, pro)
    r = _apply(client, pro)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["parent_learner"]
    assert _count(db) == 0


def test_references_and_motivation_are_required_and_bad_input_changes_nothing(client, db, keys, staff):
    p = _parent(client, keys)
    _complete(client, staff, p)
    r = _apply(client, p, refs=REFS[:1])
    assert r.status_code == 400 and "references" in r.get_json()["errors"]
    r = _apply(client, p, refs=[{"name": "", "relationship": "x"}, REFS[1]])
    assert r.status_code == 400 and "references.0.name" in r.get_json()["errors"]
    r = _apply(client, p, motivation="     too short      ")
    assert r.status_code == 400 and "motivation" in r.get_json()["errors"]
    assert _count(db) == 0


def test_the_route_applied_interviewed_offered_accepted(client, db, keys, staff):
    p = _parent(client, keys)
    _complete(client, staff, p)
    r = _apply(client, p)
    assert r.status_code == 201, r.get_json()
    a = r.get_json()
    assert (
        a["state"] == "applied" and a["references"][0]["name"] == "Ref One" and a["role"] == "parent_mentor"
    )

    # no offer before a passed interview
    r = client.post(f"{API}/applications/{a['id']}/decision", headers=staff, json={"outcome": "offer"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["interview_passed"]
    # the applicant cannot interview or decide for themself
    for path, body in (("interview", {"outcome": "passed"}), ("decision", {"outcome": "offer"})):
        assert (
            client.post(f"{API}/applications/{a['id']}/{path}", headers=p["headers"], json=body).status_code
            == 403
        )
    r = client.post(
        f"{API}/applications/{a['id']}/interview",
        headers=staff,
        json={"outcome": "passed", "note": "Warm, reflective, connects well with stressed parents."},
    )
    assert r.status_code == 200 and r.get_json()["interview_outcome"] == "passed"
    # recorded once
    r = client.post(f"{API}/applications/{a['id']}/interview", headers=staff, json={"outcome": "failed"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["interview_open"]
    # the applicant sees the note
    mine = client.get(f"{API}/applications/{a['id']}", headers=p["headers"]).get_json()
    assert mine["interview_note"].startswith("Warm") and mine["interview_at"]

    # a training admin cannot accept for the person
    assert (
        client.post(
            f"{API}/applications/{a['id']}/answer", headers=staff, json={"answer": "accept"}
        ).status_code
        == 404
    )
    r = client.post(f"{API}/applications/{a['id']}/answer", headers=p["headers"], json={"answer": "accept"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["offer_open"]

    r = client.post(
        f"{API}/applications/{a['id']}/decision", headers=staff, json={"outcome": "offer", "note": "Welcome"}
    )
    assert r.status_code == 200 and r.get_json()["state"] == "offered"
    r = client.post(f"{API}/applications/{a['id']}/answer", headers=p["headers"], json={"answer": "accept"})
    assert r.status_code == 200 and r.get_json()["state"] == "accepted" and r.get_json()["answered_at"]
    # holding a place, a second application is refused
    r = _apply(client, p)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["one_application"]
    assert _count(db) == 1

    # the admin list, filtered
    r = client.get(f"{API}/applications", query_string={"state": "accepted"}, headers=staff)
    assert r.status_code == 200 and [x["id"] for x in r.get_json()["items"]] == [a["id"]]

    # a Parent Mentor is not in the public directory (DOMAIN: Lead Professionals and Advanced Practitioners)
    d = client.get("/api/v1/directory", query_string={"q": "Fictional-Parent"}).get_json()
    assert all(p["id"] != e.get("person_id") for e in d["items"])
    assert "Pat Fictional-Parent" not in str(d)


def test_failed_interview_then_decline_and_a_new_application_later(client, db, keys, staff):
    p = _parent(client, keys)
    _complete(client, staff, p)
    aid = _apply(client, p).get_json()["id"]
    client.post(
        f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "failed", "note": "Not yet"}
    )
    r = client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "offer"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["interview_passed"]
    r = client.post(
        f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "decline", "note": "Try again"}
    )
    assert r.status_code == 200 and r.get_json()["state"] == "declined"
    r = client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "decline"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["application_open"]
    # declined is closed: the person may apply again
    assert _apply(client, p).status_code == 201
    assert _count(db) == 2


def test_turning_an_offer_down_closes_the_application(client, db, keys, staff):
    p = _parent(client, keys)
    _complete(client, staff, p)
    aid = _apply(client, p).get_json()["id"]
    client.post(f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "offer"})
    r = client.post(f"{API}/applications/{aid}/answer", headers=p["headers"], json={"answer": "turn_down"})
    assert r.status_code == 200 and r.get_json()["state"] == "turned_down"
    r = client.post(f"{API}/applications/{aid}/answer", headers=p["headers"], json={"answer": "accept"})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["offer_open"]


def test_only_the_person_and_training_admins_see_an_application(client, db, keys, staff):
    p = _parent(client, keys)
    _complete(client, staff, p)
    other = _parent(client, keys, name="Olly Fictional-Other")
    aid = _apply(client, p).get_json()["id"]
    # nobody applies for someone else
    r = client.post(
        f"{API}/applications",
        headers=other["headers"],
        json={"person_id": p["id"], "motivation": WHY, "references": REFS},
    )
    assert r.status_code == 404
    assert client.get(f"{API}/applications/{aid}", headers=other["headers"]).status_code == 404
    assert client.get(f"{API}/applications/{aid}", headers=staff).status_code == 200
    assert (
        client.get(
            f"{API}/eligibility", query_string={"person_id": p["id"]}, headers=other["headers"]
        ).status_code
        == 404
    )
    assert client.get(f"{API}/applications", headers=other["headers"]).status_code == 403
    r = client.get(f"{API}/applications", query_string={"person_id": p["id"]}, headers=other["headers"])
    assert r.status_code == 404
    r = client.get(f"{API}/applications", query_string={"person_id": p["id"]}, headers=p["headers"])
    assert [x["id"] for x in r.get_json()["items"]] == [aid]
    assert (
        client.post(
            f"{API}/applications/{aid}/answer", headers=other["headers"], json={"answer": "accept"}
        ).status_code
        == 404
    )
    assert client.get(f"{API}/applications/{aid}").status_code == 401


def test_twenty_simultaneous_applications_make_one(app, client, db, keys, staff):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    p = _parent(client, keys)
    _complete(client, staff, p)
    db.session.commit()
    body = {"person_id": p["id"], "motivation": WHY, "references": REFS}
    codes = simultaneously(
        app, 20, lambda c, _i: c.post(f"{API}/applications", headers=p["headers"], json=body).status_code
    )
    assert sorted(codes) == [201] + [409] * 19
    assert _count(db) == 1


def test_twenty_simultaneous_acceptances_accept_once(app, client, db, keys, staff):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    p = _parent(client, keys)
    _complete(client, staff, p)
    aid = _apply(client, p).get_json()["id"]
    client.post(f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "offer"})
    db.session.commit()
    codes = simultaneously(
        app,
        20,
        lambda c, i: (
            c.post(
                f"{API}/applications/{aid}/answer",
                headers=p["headers"],
                json={"answer": "accept" if i % 2 else "turn_down"},
            ).status_code
        ),
    )
    assert sorted(codes) == [200] + [409] * 19
    db.session.expire_all()
    assert db.session.get(ParentMentorApplication, aid).state in ("accepted", "turned_down")


# -- what an accepted Parent Mentor can do: host study support for parents, in house only --------


def _org(client, admin, name="Fictional Alder School"):
    return _school(client, admin, name, "link@alder.example", licences=())


def _series(client, p, org_id, delivery="in_house"):
    return client.post(
        "/api/v1/study-support/series",
        headers=p["headers"],
        json={
            "organisation_id": org_id,
            "host_person_id": p["id"],
            "course_code": "foundation_a1",
            "title": "Foundation A for parents, autumn",
            "starts_on": date.today().isoformat(),
            "delivery": delivery,
        },
    )


def _series_count(db):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(StudySupportSeries))


def test_an_accepted_parent_mentor_hosts_parents_study_support_in_house_only(client, db, keys, staff, join):
    admin = _user(keys)
    org = _org(client, admin)
    p = join(admin, org["id"], "Pam Fictional-Mentor", kind="personal")
    _complete(client, staff, p)
    aid = _apply(client, p).get_json()["id"]
    # an applicant (and then an offered one) is not a Parent Mentor yet: no host role
    r = _series(client, p, org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["host_role"]
    client.post(f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "offer"})
    r = _series(client, p, org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["host_role"]
    assert _series_count(db) == 0

    r = client.post(f"{API}/applications/{aid}/answer", headers=p["headers"], json={"answer": "accept"})
    assert r.status_code == 200 and r.get_json()["state"] == "accepted"
    # in partnership with I Matter Training: Lead Professionals only
    r = _series(client, p, org["id"], delivery="partnership")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["lead_professional"]
    # an organisation they are not an accepted member of
    other = _org(client, admin, "Fictional Other School")
    r = _series(client, p, other["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_membership"]
    assert _series_count(db) == 0
    # in house, for their own organisation: hosted (no Lead Professional log book to count towards)
    r = _series(client, p, org["id"])
    assert r.status_code == 201, r.get_json()
    s = r.get_json()
    assert s["delivery"] == "in_house" and s["host_person_id"] == p["id"] and s["i_host"] is True
    assert s["counts_towards"] == []
    assert _series_count(db) == 1


def test_a_turned_down_offer_gives_no_host_role(client, db, keys, staff, join):
    admin = _user(keys)
    org = _org(client, admin)
    p = join(admin, org["id"], "Tam Fictional-Parent", kind="personal")
    _complete(client, staff, p)
    aid = _apply(client, p).get_json()["id"]
    client.post(f"{API}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    client.post(f"{API}/applications/{aid}/decision", headers=staff, json={"outcome": "offer"})
    client.post(f"{API}/applications/{aid}/answer", headers=p["headers"], json={"answer": "turn_down"})
    r = _series(client, p, org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["host_role"]
    assert _series_count(db) == 0
