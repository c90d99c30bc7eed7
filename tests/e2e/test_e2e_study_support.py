"""The study support story of issue 21, through the gateway, against the whole system as real
processes (the embedded default and PostgreSQL + RabbitMQ):

A Level 3A school's Lead is granted the Level 3A licence by a training admin (the group is refused
before it), registers a Foundation A group (POST /lead-professionals/level-3a-groups) and its
Lead Professional trainee runs a study-support series for it: two sessions scheduled (a third is
refused by the cap per series), learners of the school book (one over the places is refused),
attendance is recorded once the session has started, the trainee's log book and obligations show
it, the learner's bookings show "attended", and an accepted volunteer study supporter is assigned
as the group's buddy and appears on both the series and the supporter's record.

No case data anywhere: a series holds a course, times and places; bookings hold who booked."""

from __future__ import annotations

import time
from datetime import date, datetime

import pytest

from support import testing as t
from support.stack import Stack
from support.stories import ok
from support.study_support_story import (
    LP,
    SS,
    SUP,
    accepted_supporter,
    later,
    learner,
    school_with_lead,
    soon,
)

pytestmark = pytest.mark.e2e
START_IN = 15  # seconds: the first session starts this soon, so its attendance can be recorded


@pytest.fixture(scope="module", params=["embedded", "postgres_rabbitmq"])
def stack(request):
    urls, amqp = {}, None
    if request.param == "postgres_rabbitmq":
        amqp = t.require_amqp()
        urls = {
            name: t.create_postgres_database(f"imatter_e2e_ss_{name}")
            for name in ("training", "cic", "gateway")
        }
    s = Stack(database_urls=urls, amqp_url=amqp)
    try:
        s.start()
        yield s
    finally:
        s.cleanup()
        for url in urls.values():
            t.drop_postgres_database(url)


def test_a_level_3a_school_runs_a_study_support_series(stack, api, training_admin):
    admin, lead, org, person, app = school_with_lead(api, training_admin)
    group_body = {
        "organisation_id": org["id"],
        "lead_person_id": person["id"],
        "course_code": "foundation_a1",
        "audience": "parents",
        "starts_on": date.today().isoformat(),
        "participants_count": 8,
    }
    # the school's group is run under a Level 3A licence (decision 0056): refused until a training
    # admin grants it, with nothing registered
    r = lead.post(f"{LP}/level-3a-groups", group_body)
    assert r.status_code == 409 and "level_3a_licence" in r.json()["unmet"], r.text
    ok(
        training_admin.post(
            f"/api/v1/people/{person['id']}/lead-professional-licences",
            {"kind": "level_3a", "organisation_id": org["id"]},
        )
    )
    group = ok(lead.post(f"{LP}/level-3a-groups", group_body))
    series = ok(
        lead.post(
            f"{SS}/series",
            {
                "organisation_id": org["id"],
                "host_person_id": person["id"],
                "course_code": "foundation_a1",
                "title": "Foundation A parents' group",
                "starts_on": date.today().isoformat(),
                "level_3a_group_id": group["id"],
                "max_sessions": 2,
                "places_per_session": 2,
            },
        )
    )
    assert (series["max_sessions"], series["places_per_session"]) == (2, 2)
    people = [learner(api, admin, org, f"Parent {n} Fictional") for n in ("Ash", "Bay", "Cy")]
    (a, pa), (b, pb), (c, pc) = people
    first_at = soon(START_IN)
    series = ok(
        lead.post(f"{SS}/series/{series['id']}/sessions", {"starts_at": first_at, "place": "School library"})
    )
    series = ok(lead.post(f"{SS}/series/{series['id']}/sessions", {"starts_at": later(7), "online": True}))
    r = lead.post(f"{SS}/series/{series['id']}/sessions", {"starts_at": later(14), "online": True})
    assert r.status_code == 409 and r.json()["unmet"] == ["series_cap"], r.text
    first = series["sessions"][0]

    # learners of the school find it and book; one over the places is refused and leaves nothing
    assert [s["id"] for s in ok(a.get(f"{SS}/series"), 200)["items"] if s["open_to_me"]] == [series["id"]]
    ok(a.post(f"{SS}/sessions/{first['id']}/bookings", {"person_id": pa["id"]}))
    ok(b.post(f"{SS}/sessions/{first['id']}/bookings", {"person_id": pb["id"]}))
    r = c.post(f"{SS}/sessions/{first['id']}/bookings", {"person_id": pc["id"]})
    assert r.status_code == 409 and r.json()["unmet"] == ["session_full"], r.text
    assert ok(c.get(f"{SS}/people/{pc['id']}/bookings"), 200)["items"] == []
    shown = ok(lead.get(f"{SS}/series/{series['id']}"), 200)["sessions"][0]
    assert (shown["booked"], shown["places_left"]) == (2, 0)
    assert sorted(x["person_name"] for x in shown["bookings"]) == [
        "Parent Ash Fictional",
        "Parent Bay Fictional",
    ]

    # before the start, attendance is refused; once it has started, the host records it
    r = lead.post(f"{SS}/sessions/{first['id']}/attendance", {"attended": [pa["id"]]})
    assert r.status_code == 409 and r.json()["unmet"] == ["session_not_started"], r.text
    wait = (
        datetime.fromisoformat(first_at) - datetime.now(datetime.fromisoformat(first_at).tzinfo)
    ).total_seconds()
    time.sleep(max(0.0, wait) + 1)
    done = ok(lead.post(f"{SS}/sessions/{first['id']}/attendance", {"attended": [pa["id"]]}), 200)
    assert {x["person_id"]: x["state"] for x in done["session"]["bookings"]} == {
        pa["id"]: "attended",
        pb["id"]: "absent",
    }
    # the group already counted once for "2 Foundation A courses a year": the session is a log book entry
    assert [x["obligation"] for x in done["recorded_for_host"]] == ["log_book"]

    log = ok(lead.get(f"{LP}/applications/{app['id']}/log-book"), 200)["items"]
    assert [e["title"] for e in log] == ["Study support session 1 delivered: Foundation A parents' group"]
    assert "1 of 2 booked learners attended" in log[0]["note"]
    obligations = {
        o["code"]: o for o in ok(lead.get(f"{LP}/applications/{app['id']}/obligations"), 200)["items"]
    }
    assert obligations["log_book"]["status"] == "done" and obligations["log_book"]["done"] == 1
    assert obligations["foundation_a_courses"]["done"] == 1
    assert [x["state"] for x in ok(a.get(f"{SS}/people/{pa['id']}/bookings"), 200)["items"]] == ["attended"]
    assert [x["state"] for x in ok(b.get(f"{SS}/people/{pb['id']}/bookings"), 200)["items"]] == ["absent"]

    # a volunteer study supporter becomes the group's buddy, shown on both sides
    sup_client, sup_person, sup = accepted_supporter(api, training_admin)
    buddy = ok(lead.post(f"{SS}/series/{series['id']}/buddies", {"supporter_application_id": sup["id"]}))
    assert buddy["person_id"] == sup_person["id"]
    assert [x["person_name"] for x in ok(a.get(f"{SS}/series/{series['id']}"), 200)["buddies"]] == [
        "Sol Fictional-Supporter"
    ]
    mine = ok(sup_client.get(f"{SUP}/{sup['id']}"), 200)
    assert [g["series_id"] for g in mine["buddy_for"]] == [series["id"]]
