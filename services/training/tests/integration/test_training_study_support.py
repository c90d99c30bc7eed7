"""Study support sessions and workshops through the API (seed 001 "supported learning workshops in
house or in partnership with us", seed 002 "Lead professionals ... do not provide unlimited
support"; decision 0060): who may host, the cap per series and per session, bookings and their
refusals (which leave nothing behind), attendance counting towards the host's obligations and log
book, a learner's bookings; the last place on PostgreSQL goes to exactly one of many."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from support.testing import simultaneously
from training.models.lead_professionals import ObligationRecord
from training.models.study_support import StudySupportBooking, StudySupportSession

from .lead_professional_setup import REFS, _complete, _level_3a_group, _org, _user

API = "/api/v1/study-support"
LP = "/api/v1/lead-professionals"


@pytest.fixture
def school(client, keys):
    admin = _user(keys)
    return admin, _org(client, admin)


def _trainee(client, staff, school, join, name="Bea Fictional-Trainee"):
    admin, org = school
    p = join(admin, org["id"], name)
    _complete(client, admin, staff, p, ("intermediate_a",))
    r = client.post(
        f"{LP}/applications",
        headers=p["headers"],
        json={
            "person_id": p["id"],
            "organisation_id": org["id"],
            "references": REFS,
            "senior_leadership_backing": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    r = client.post(f"{LP}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    assert r.get_json()["state"] == "trainee"
    return p, aid


def _series(client, host, org, **kw):
    body = {
        "organisation_id": org["id"],
        "host_person_id": host["id"],
        "course_code": "foundation_a1",
        "title": "Foundation A group, spring",
        "starts_on": date.today().isoformat(),
        **kw,
    }
    return client.post(f"{API}/series", headers=host["headers"], json=body)


def _at(days=1, hours=0):
    return (datetime.now(UTC) + timedelta(days=days, hours=hours)).replace(microsecond=0).isoformat()


def _session(client, host, sid, **kw):
    body = {"starts_at": _at(), "duration_minutes": 90, "online": False, "place": "Library", **kw}
    return client.post(f"{API}/series/{sid}/sessions", headers=host["headers"], json=body)


def _book(client, learner, session_id):
    return client.post(
        f"{API}/sessions/{session_id}/bookings", headers=learner["headers"], json={"person_id": learner["id"]}
    )


def _started(db, session_id):
    """Time passes: the session began an hour ago."""
    db.session.execute(
        sa.update(StudySupportSession)
        .where(StudySupportSession.id == session_id)
        .values(starts_at=datetime.utcnow() - timedelta(hours=1))
    )
    db.session.commit()


def _count(db, model, **where):
    q = sa.select(sa.func.count()).select_from(model)
    for k, val in where.items():
        q = q.where(getattr(model, k) == val)
    return db.session.scalar(q)


# -- who may host --------------------------------------------------------------------------------


def test_a_trainee_lead_professional_hosts_with_the_default_caps(client, staff, school, join):
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    r = _series(client, p, org)
    assert r.status_code == 201, r.get_json()
    s = r.get_json()
    assert (s["max_sessions"], s["places_per_session"], s["sessions_count"]) == (6, 12, 0)
    assert s["kind"] == "study_support" and s["delivery"] == "in_house" and s["i_host"] is True
    assert s["counts_towards"] == ["log_book", "foundation_a_courses"]


def test_a_certified_link_practitioner_hosts_in_house_but_not_in_partnership(
    client, keys, staff, school, join
):
    admin, org = school
    p = join(admin, org["id"], "Lin Fictional-Link")
    r = client.post(
        f"/api/v1/people/{p['id']}/certifications",
        headers=staff,
        json={"role": "link", "reason": "Certified before the platform"},
    )
    assert r.status_code == 201, r.get_json()
    assert _series(client, p, org, delivery="partnership").get_json()["unmet"] == ["lead_professional"]
    r = _series(client, p, org, kind="workshop")
    assert r.status_code == 201 and r.get_json()["counts_towards"] == []


def test_who_may_not_host(client, keys, staff, school, join, db):
    admin, org = school
    plain = join(admin, org["id"], "Pat Fictional-Learner")
    r = _series(client, plain, org)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["host_role"]
    p, _ = _trainee(client, staff, school, join)
    other = _org(client, admin, "Fictional Other School")
    r = _series(client, p, other)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_membership"]
    # nobody schedules for someone else: 404, as for a stranger
    body = {"organisation_id": org["id"], "host_person_id": p["id"], "course_code": "foundation_a1"}
    body |= {"title": "x", "starts_on": date.today().isoformat()}
    assert client.post(f"{API}/series", headers=plain["headers"], json=body).status_code == 404
    # caps above the ceiling and courses outside L1-2 are bad input naming the field
    r = _series(client, p, org, max_sessions=13)
    assert r.status_code == 400 and "max_sessions" in r.get_json()["errors"]
    r = _series(client, p, org, places_per_session=31)
    assert r.status_code == 400 and "places_per_session" in r.get_json()["errors"]
    r = _series(client, p, org, course_code="lead_training")
    assert r.status_code == 400 and "course_code" in r.get_json()["errors"]
    assert db.session.scalar(sa.text("SELECT count(*) FROM study_support_series")) == 0


# -- caps --------------------------------------------------------------------------------------


def test_the_cap_per_series_refuses_one_session_more(client, staff, school, join, db):
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, max_sessions=2, places_per_session=3).get_json()["id"]
    assert _session(client, p, sid).status_code == 201
    r = _session(client, p, sid, online=True, place=None, starts_at=_at(8))
    assert r.status_code == 201 and [x["number"] for x in r.get_json()["sessions"]] == [1, 2]
    r = _session(client, p, sid, starts_at=_at(15))
    assert r.status_code == 409 and r.get_json()["unmet"] == ["series_cap"]
    assert _count(db, StudySupportSession, series_id=sid) == 2
    r = _session(client, p, sid, places=4)
    assert r.status_code == 400 and "places" in r.get_json()["errors"]
    r = _session(client, p, sid, starts_at=_at(-1))
    assert r.status_code == 400 and "starts_at" in r.get_json()["errors"]
    r = _session(client, p, sid, place=None)
    assert r.status_code == 400 and "place" in r.get_json()["errors"]
    # only the host (or a training admin) schedules
    learner = join(admin, org["id"], "Lou Fictional-Learner")
    assert _session(client, learner, sid).status_code == 404


def test_booking_the_places_and_refusals_leave_no_trace(client, staff, school, join, db):
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, places_per_session=2).get_json()["id"]
    session = _session(client, p, sid).get_json()["sessions"][0]
    a, b, c = (join(admin, org["id"], f"Learner {n} Fictional") for n in "ABC")
    assert _book(client, a, session["id"]).status_code == 201
    r = _book(client, a, session["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["already_booked"]
    assert _book(client, b, session["id"]).status_code == 201
    r = _book(client, c, session["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["session_full"]
    assert _count(db, StudySupportBooking, session_id=session["id"]) == 2
    assert db.session.get(StudySupportSession, session["id"]).booked == 2
    # the host does not book; a stranger to an in-house series sees nothing
    r = client.post(
        f"{API}/sessions/{session['id']}/bookings", headers=p["headers"], json={"person_id": p["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["host"]
    outsider = join(
        _user_admin := admin, _org(client, _user_admin, "Fictional Far School")["id"], "Out Sider"
    )
    assert _book(client, outsider, session["id"]).status_code == 404
    # booking for someone else: 404
    r = client.post(
        f"{API}/sessions/{session['id']}/bookings", headers=c["headers"], json={"person_id": a["id"]}
    )
    assert r.status_code == 404
    # a cancellation frees the place for the next learner
    mine = client.get(f"{API}/series/{sid}", headers=a["headers"]).get_json()["sessions"][0]["my_booking"]
    r = client.post(f"{API}/bookings/{mine['id']}/cancel", headers=a["headers"])
    assert r.status_code == 200 and r.get_json()["state"] == "cancelled"
    r = client.post(f"{API}/bookings/{mine['id']}/cancel", headers=a["headers"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["booking_live"]
    assert client.post(f"{API}/bookings/{mine['id']}/cancel", headers=c["headers"]).status_code == 404
    assert _book(client, c, session["id"]).status_code == 201
    # after the start: no booking, no cancellation
    _started(db, session["id"])
    r = _book(client, a, session["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["session_started"]


def test_partnership_workshops_are_open_to_learners_of_other_organisations(client, staff, school, join):
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, kind="workshop", delivery="partnership").get_json()["id"]
    session = _session(client, p, sid, online=True, place=None).get_json()["sessions"][0]
    other_admin = admin
    elsewhere = join(other_admin, _org(client, other_admin, "Fictional Hill Surgery")["id"], "Eli Fictional")
    listed = client.get(f"{API}/series", headers=elsewhere["headers"]).get_json()["items"]
    assert [(s["id"], s["open_to_me"]) for s in listed] == [(sid, True)]
    assert _book(client, elsewhere, session["id"]).status_code == 201


# -- attendance ----------------------------------------------------------------------------------


def test_attendance_counts_for_the_trainee_and_shows_for_the_learner(client, staff, school, join, db):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    sid = _series(client, p, org).get_json()["id"]
    first = _session(client, p, sid).get_json()["sessions"][0]
    second = _session(client, p, sid, starts_at=_at(7)).get_json()["sessions"][1]
    a, b = (join(admin, org["id"], f"Learner {n} Fictional") for n in "AB")
    for learner in (a, b):
        assert _book(client, learner, first["id"]).status_code == 201
    # not before it starts
    r = client.post(
        f"{API}/sessions/{first['id']}/attendance", headers=p["headers"], json={"attended": [a["id"]]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["session_not_started"]
    _started(db, first["id"])
    # only the host or a training admin; only learners with a place
    r = client.post(
        f"{API}/sessions/{first['id']}/attendance", headers=a["headers"], json={"attended": [a["id"]]}
    )
    assert r.status_code == 404
    r = client.post(
        f"{API}/sessions/{first['id']}/attendance", headers=p["headers"], json={"attended": [p["id"]]}
    )
    assert r.status_code == 400 and "attended" in r.get_json()["errors"]
    assert _count(db, ObligationRecord, application_id=aid) == 0  # nothing counted yet
    r = client.post(
        f"{API}/sessions/{first['id']}/attendance", headers=p["headers"], json={"attended": [a["id"]]}
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert {x["person_id"]: x["state"] for x in body["session"]["bookings"]} == {
        a["id"]: "attended",
        b["id"]: "absent",
    }
    assert [x["obligation"] for x in body["recorded_for_host"]] == ["log_book", "foundation_a_courses"]
    r = client.post(f"{API}/sessions/{first['id']}/attendance", headers=p["headers"], json={"attended": []})
    assert r.status_code == 409 and r.get_json()["unmet"] == ["attendance_recorded"]
    # the second session delivered: another log book entry, the course counted once
    assert _book(client, a, second["id"]).status_code == 201
    _started(db, second["id"])
    r = client.post(f"{API}/sessions/{second['id']}/attendance", headers=staff, json={"attended": [a["id"]]})
    assert [x["obligation"] for x in r.get_json()["recorded_for_host"]] == ["log_book"]
    by_code = {
        o["code"]: o
        for o in client.get(f"{LP}/applications/{aid}/obligations", headers=p["headers"]).get_json()["items"]
    }
    assert by_code["foundation_a_courses"]["done"] == 1
    assert by_code["log_book"]["status"] in ("done", "due")
    log = client.get(f"{LP}/applications/{aid}/log-book", headers=p["headers"]).get_json()["items"]
    assert len(log) == 2 and all("delivered: Foundation A group, spring" in e["title"] for e in log)
    assert "1 of 2 booked learners attended" in log[-1]["note"]
    # the learner's own bookings: attended
    mine = client.get(f"{API}/people/{a['id']}/bookings", headers=a["headers"]).get_json()["items"]
    assert sorted(x["state"] for x in mine) == ["attended", "attended"]
    theirs = client.get(f"{API}/people/{b['id']}/bookings", headers=b["headers"]).get_json()["items"]
    assert [x["state"] for x in theirs] == ["absent"]
    assert client.get(f"{API}/people/{a['id']}/bookings", headers=b["headers"]).status_code == 404


def test_a_series_for_a_registered_level_3a_group_does_not_count_the_course_twice(
    client, staff, school, join, db
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join)
    # decision 0056: a Level 3A group is run under a Level 3A licence, granted by a training admin
    r = client.post(
        f"/api/v1/people/{p['id']}/lead-professional-licences",
        headers=staff,
        json={"kind": "level_3a", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    g = _level_3a_group(client, p, org["id"]).get_json()
    r = _series(client, p, org, level_3a_group_id=g["id"])
    assert r.status_code == 201 and r.get_json()["level_3a_group_id"] == g["id"]
    sid = r.get_json()["id"]
    session = _session(client, p, sid).get_json()["sessions"][0]
    _started(db, session["id"])
    r = client.post(f"{API}/sessions/{session['id']}/attendance", headers=p["headers"], json={"attended": []})
    assert [x["obligation"] for x in r.get_json()["recorded_for_host"]] == ["log_book"]
    assert _count(db, ObligationRecord, application_id=aid, obligation="foundation_a_courses") == 1
    r = _series(client, p, org, level_3a_group_id=g["id"], course_code="foundation_a2")
    assert r.status_code == 400 and "level_3a_group_id" in r.get_json()["errors"]


# -- the last place, on PostgreSQL ---------------------------------------------------------------


def _twenty_at_once(app, request):
    """The status codes of 20 simultaneous requests, `request(client, i)` each."""
    return [r.status_code for r in simultaneously(app, 20, request)]


def test_twenty_learners_race_for_the_last_place_and_exactly_one_wins(app, client, db, staff, school, join):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, places_per_session=3).get_json()["id"]
    session = _session(client, p, sid).get_json()["sessions"][0]
    early = [join(admin, org["id"], f"Early {n} Fictional") for n in range(2)]
    for learner in early:
        assert _book(client, learner, session["id"]).status_code == 201
    racers = [join(admin, org["id"], f"Racer {n} Fictional") for n in range(20)]
    db.session.commit()
    codes = _twenty_at_once(
        app,
        lambda c, i: c.post(
            f"{API}/sessions/{session['id']}/bookings",
            headers=racers[i]["headers"],
            json={"person_id": racers[i]["id"]},
        ),
    )
    assert sorted(codes) == [201] + [409] * 19
    db.session.expire_all()
    assert _count(db, StudySupportBooking, session_id=session["id"]) == 3
    assert db.session.get(StudySupportSession, session["id"]).booked == 3


def test_twenty_simultaneous_sessions_past_the_cap_make_exactly_the_cap(app, client, db, staff, school, join):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, max_sessions=4).get_json()["id"]
    db.session.commit()
    codes = _twenty_at_once(
        app,
        lambda c, i: c.post(
            f"{API}/series/{sid}/sessions",
            headers=p["headers"],
            json={"starts_at": _at(1 + i), "online": True},
        ),
    )
    assert sorted(codes) == [201] * 4 + [409] * 16
    db.session.expire_all()
    assert _count(db, StudySupportSession, series_id=sid) == 4


def test_the_rules_are_public_data(client):
    r = client.get(f"{API}/rules")
    assert r.status_code == 200
    body = r.get_json()
    assert body["caps"] == {
        "max_sessions": {"default": 6, "ceiling": 12},
        "places_per_session": {"default": 12, "ceiling": 30},
    }
    assert body["kinds"] == ["study_support", "workshop"] and body["deliveries"] == [
        "in_house",
        "partnership",
    ]
    assert {"foundation_a1", "foundation_a2"} <= {c["code"] for c in body["courses"]}
    assert body["supporter"]["preparation_course"] == "study_supporter_preparation"
    assert body["parent_mentor_deliveries"] == ["in_house"]


def test_erasing_a_learner_gives_their_booked_place_back(app, client, staff, school, join, db):
    """`flask dp erase` deletes the learner's bookings; a live booking's place is released with it,
    so the next learner can take it (the counter is not left holding a place nobody has)."""
    admin, org = school
    p, _ = _trainee(client, staff, school, join)
    sid = _series(client, p, org, places_per_session=1).get_json()["id"]
    session = _session(client, p, sid).get_json()["sessions"][0]
    a, b = (join(admin, org["id"], f"Learner {n} Fictional-Erased") for n in "AB")
    assert _book(client, a, session["id"]).status_code == 201
    r = _book(client, b, session["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["session_full"]
    r = app.test_cli_runner().invoke(args=["dp", "erase", "--person", a["id"]])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    assert db.session.get(StudySupportSession, session["id"]).booked == 0
    assert _count(db, StudySupportBooking, session_id=session["id"]) == 0
    assert _book(client, b, session["id"]).status_code == 201
