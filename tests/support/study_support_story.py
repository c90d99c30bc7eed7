"""Steps of the study support story (tests/e2e/test_e2e_study_support.py, the browser test):
a Level 3A school, its Lead Professional trainee, learners who are accepted members, and an
accepted volunteer study supporter, all made through the API as their owners would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from support.stories import SCHOOL, joins, l1_2_completed, ok, own_person

LP = "/api/v1/lead-professionals"
SS = "/api/v1/study-support"
SUP = f"{LP}/study-supporter-applications"
REFS = [
    {"name": "Hal Fictional-Head", "relationship": "head teacher"},
    {"name": "Rae Fictional-Colleague", "relationship": "colleague"},
]


def school_with_lead(api, training_admin, prefix="Fictional Birch"):
    """A school with its Starter Licence and a Lead Professional trainee (L1-2 completed, applied
    with references and senior leadership backing, interview passed). Returns (admin, lead client,
    org, lead person, application)."""
    admin, lead = api.signed_up(name="Ada Fictional-Head"), api.signed_up(name="Lee Fictional-Lead")
    org = ok(admin.post("/api/v1/organisations", {**SCHOOL, "name": f"{prefix} {uuid.uuid4().hex[:6]}"}))
    ok(admin.post(f"/api/v1/organisations/{org['id']}/licences", {"type": "starter"}))
    person = own_person(lead, "Lee Fictional-Lead")
    joins(admin, lead, org, person)
    l1_2_completed(lead, training_admin, person)
    app = ok(
        lead.post(
            f"{LP}/applications",
            {
                "person_id": person["id"],
                "organisation_id": org["id"],
                "references": REFS,
                "senior_leadership_backing": True,
                "senior_leader": {"name": "Hal Fictional-Head", "role": "Head teacher"},
            },
        )
    )
    app = ok(training_admin.post(f"{LP}/applications/{app['id']}/interview", {"outcome": "passed"}), 200)
    assert app["state"] == "trainee", app
    return admin, lead, org, person, app


def learner(api, admin, org, name: str):
    client = api.signed_up(name=name)
    person = own_person(client, name, kind="personal")
    joins(admin, client, org, person, role="learner")
    return client, person


def accepted_supporter(api, training_admin, name="Sol Fictional-Supporter"):
    """A volunteer study supporter: the courses completed, 2 references, interview passed with a
    note, the preparation course completed, accepted by a training admin."""
    client = api.signed_up(name=name)
    person = own_person(client, name)
    l1_2_completed(client, training_admin, person)
    sup = ok(
        client.post(SUP, {"person_id": person["id"], "motivation": "Buddying a group", "references": REFS})
    )
    sup = ok(
        training_admin.post(f"{SUP}/{sup['id']}/interview", {"outcome": "passed", "note": "Warm, clear"}), 200
    )
    r = training_admin.post(f"{SUP}/{sup['id']}/decision", {"outcome": "accepted"})
    assert r.status_code == 409 and r.json()["unmet"] == ["preparation_course"], r.text
    e = ok(
        client.post(
            "/api/v1/enrolments",
            {"person_id": person["id"], "course_code": "study_supporter_preparation", "funding": "self"},
        )
    )
    ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)
    sup = ok(training_admin.post(f"{SUP}/{sup['id']}/decision", {"outcome": "accepted"}), 200)
    assert sup["state"] == "accepted" and sup["interview_note"] == "Warm, clear", sup
    return client, person, sup


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0).isoformat()


def later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()
