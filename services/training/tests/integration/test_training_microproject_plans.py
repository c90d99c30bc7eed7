"""Microproject planning tools (decision 0063) through the API, on SQLite and PostgreSQL: only the
practitioner edits; 1-3 focus areas; review dates not in the past; no case data (unknown fields and
obvious identifiers refused); the supporter accepts before the plan shows as supported and sees it
only then; the organisation's admin sees that a plan exists and its review dates, nothing else."""

import uuid
from datetime import date, timedelta

import pytest

from support.testing import simultaneous_results
from training.models.base import utcnow
from training.models.certification import Certification
from training.models.microproject_plans import MicroprojectPlan
from training.models.packages import Package


def _user(keys):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=["learner"])


@pytest.fixture
def world(client, keys, db, join):
    admin = _user(keys)
    org = client.post(
        "/api/v1/organisations",
        headers=admin,
        json={
            "name": "Fictional Birch School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "link@birch.example",
            "senior_leadership_commitment": True,
        },
    ).get_json()
    me = join(admin, org["id"], "Pat Fictional-Practitioner")
    lead = join(admin, org["id"], "Lee Fictional-Lead")
    other = join(admin, org["id"], "Oli Fictional-Colleague")
    pkg = Package(
        organisation_id=org["id"],
        practitioner_id=me["id"],
        type=3,
        price=45000,
        funding="organisation",
        tracker_uses=6,
        online_accounts=3,
    )
    db.session.add(pkg)
    db.session.add(Certification(person_id=lead["id"], role="lead", certified_at=utcnow()))
    db.session.commit()
    return {"admin": admin, "org": org, "me": me, "lead": lead, "other": other, "pkg": pkg.id}


def _body(**change):
    soon = (date.today() + timedelta(days=30)).isoformat()
    later = (date.today() + timedelta(days=90)).isoformat()
    body = {
        "idea": "Calmer mornings: trying the I Matter routines with a small group of parents",
        "focus_areas": ["routines", "transitions"],
        "steps": [
            {"text": "Read the Foundation A unit on routines", "status": "done"},
            {"text": "Agree the review rhythm with my supporter"},
        ],
        "review_dates": [later, soon],
    }
    body.update(change)
    return body


def _plan(client, w, headers=None, **change):
    return client.put(
        f"/api/v1/packages/{w['pkg']}/plan", headers=headers or w["me"]["headers"], json=_body(**change)
    )


def test_practitioner_creates_and_replaces_the_plan(client, db, world):
    r = _plan(client, world)
    assert r.status_code == 201, r.get_json()
    got = r.get_json()
    assert got["view"] == "full" and got["focus_areas"] == ["routines", "transitions"]
    assert [s["position"] for s in got["steps"]] == [1, 2]
    assert got["steps"][1]["status"] == "planned"
    assert got["review_dates"] == sorted(got["review_dates"])  # stored ascending
    assert got["next_review"] == got["review_dates"][0]
    assert got["supported"] is False and got["supporter"] is None
    assert "No case data" in got["no_case_data"]
    r = _plan(client, world, focus_areas=["routines"], steps=[])
    assert (
        r.status_code == 200 and r.get_json()["focus_areas"] == ["routines"] and r.get_json()["steps"] == []
    )
    assert db.session.query(MicroprojectPlan).count() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"focus_areas": []}, "focus_areas"),
        ({"focus_areas": ["a", "b", "c", "d"]}, "focus_areas"),
        ({"focus_areas": ["same", "Same"]}, "focus_areas"),
        ({"review_dates": [(date.today() - timedelta(days=1)).isoformat()]}, "review_dates"),
        ({"review_dates": []}, "review_dates"),
        ({"idea": "x" * 2001}, "idea"),
        ({"steps": [{"text": "y" * 301}]}, "steps.0.text"),
        ({"steps": [{"text": "ok", "status": "finished"}]}, "steps.0.status"),
        # no case data: obvious identifiers of someone supported, and fields a plan does not have
        ({"idea": "Work with the Smith family, call 07700 900123"}, "idea"),
        ({"idea": "Contact mum at jo.smith@example.com"}, "idea"),
        ({"steps": [{"text": "Home visit at SW1A 1AA"}]}, "steps.0.text"),
        ({"steps": [{"text": "Child DOB 01/02/2015"}]}, "steps.0.text"),
        ({"focus_areas": ["NHS number 943 476 5919"]}, "focus_areas"),
        ({"child_name": "Sam"}, "child_name"),
        ({"case_code": "C-01"}, "case_code"),
    ],
)
def test_invalid_plans_are_refused_naming_the_field_and_change_nothing(client, db, world, change, field):
    r = _plan(client, world, **change)
    assert r.status_code == 400, r.get_json()
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert field in r.get_json()["errors"], r.get_json()
    assert db.session.query(MicroprojectPlan).count() == 0
    assert "Smith" not in str(r.get_json()) and "07700" not in str(r.get_json())


def test_a_past_review_date_the_plan_already_held_may_stay(client, db, world):
    assert _plan(client, world).status_code == 201
    plan = db.session.query(MicroprojectPlan).one()
    past = (date.today() - timedelta(days=3)).isoformat()
    plan.review_dates = [past]
    db.session.commit()
    r = _plan(client, world, review_dates=[past, (date.today() + timedelta(days=5)).isoformat()])
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["next_review"] != past


def test_only_the_practitioner_edits_and_others_get_404(client, keys, db, world):
    for h in (world["admin"], world["other"]["headers"], world["lead"]["headers"], _user(keys)):
        assert _plan(client, world, headers=h).status_code == 404
    trainer = keys.headers(user_id="ta-1", email="ta@example.org", roles=["training_admin"])
    assert _plan(client, world, headers=trainer).status_code == 404
    assert db.session.query(MicroprojectPlan).count() == 0
    assert (
        client.put("/api/v1/packages/nope/plan", headers=world["me"]["headers"], json=_body()).status_code
        == 404
    )


def test_organisation_admin_sees_only_that_a_plan_exists_and_its_review_dates(client, keys, world):
    assert (
        client.get(f"/api/v1/packages/{world['pkg']}/plan", headers=world["admin"]).status_code == 404
    )  # none yet
    assert _plan(client, world).status_code == 201
    got = client.get(f"/api/v1/packages/{world['pkg']}/plan", headers=world["admin"]).get_json()
    assert got["view"] == "summary"
    assert set(got) <= {"id", "package_id", "view", "updated_at", "review_dates", "no_case_data"}
    assert len(got["review_dates"]) == 2
    # a training admin sees the same summary, never the plan itself
    trainer = keys.headers(user_id="ta-3", email="ta3@example.org", roles=["training_admin"])
    as_trainer = client.get(f"/api/v1/packages/{world['pkg']}/plan", headers=trainer).get_json()
    assert as_trainer["view"] == "summary" and "idea" not in as_trainer
    # a colleague and a stranger see nothing
    for h in (world["other"]["headers"], _user(keys)):
        assert client.get(f"/api/v1/packages/{world['pkg']}/plan", headers=h).status_code == 404


def test_supporter_accepts_before_the_plan_shows_as_supported(client, db, world):
    pkg, me, lead = world["pkg"], world["me"], world["lead"]
    # no plan yet: nothing to support
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": lead["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["plan"]
    assert _plan(client, world).status_code == 201
    cands = client.get(f"/api/v1/packages/{pkg}/plan/supporter-candidates", headers=me["headers"]).get_json()
    assert [c["person_id"] for c in cands["items"]] == [lead["id"]] and cands["items"][0]["roles"] == ["lead"]
    # a colleague with no Link or Lead certification cannot support; nor the practitioner themself
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter",
        headers=me["headers"],
        json={"person_id": world["other"]["id"]},
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["supporter_role"]
    # an unknown id gets the same answer (asking cannot probe who exists or is certified)
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": "0" * 32}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["supporter_role"]
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": me["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["supporter_not_self"]
    # only the practitioner asks
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=world["admin"], json={"person_id": lead["id"]}
    )
    assert r.status_code == 404
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": lead["id"]}
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["supporter"]["state"] == "pending" and r.get_json()["supported"] is False
    # asked, not yet accepted: the invitation only, never the plan
    inv = client.get(f"/api/v1/packages/{pkg}/plan", headers=lead["headers"]).get_json()
    assert inv["view"] == "invitation" and "idea" not in inv and "steps" not in inv
    listed = client.get(f"/api/v1/people/{lead['id']}/supported-plans", headers=lead["headers"]).get_json()
    assert [p["package_id"] for p in listed["items"]] == [pkg]
    # someone else cannot answer for the supporter
    assert (
        client.post(
            f"/api/v1/packages/{pkg}/plan/supporter/accept", headers=world["other"]["headers"]
        ).status_code
        == 404
    )
    r = client.post(f"/api/v1/packages/{pkg}/plan/supporter/accept", headers=lead["headers"])
    assert (
        r.status_code == 200 and r.get_json()["view"] == "full" and r.get_json()["idea"].startswith("Calmer")
    )
    assert (
        client.post(f"/api/v1/packages/{pkg}/plan/supporter/decline", headers=lead["headers"]).status_code
        == 409
    )
    mine = client.get(f"/api/v1/packages/{pkg}/plan", headers=me["headers"]).get_json()
    assert mine["supported"] is True and mine["supporter"]["name"] == "Lee Fictional-Lead"
    # the supporter reads, never edits
    assert _plan(client, world, headers=lead["headers"]).status_code == 404


def test_a_declined_supporter_no_longer_sees_the_plan(client, db, world):
    pkg, me, lead = world["pkg"], world["me"], world["lead"]
    assert _plan(client, world).status_code == 201
    client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": lead["id"]}
    )
    r = client.post(f"/api/v1/packages/{pkg}/plan/supporter/decline", headers=lead["headers"])
    assert r.status_code == 200 and r.get_json()["supporter_state"] == "declined"
    assert client.get(f"/api/v1/packages/{pkg}/plan", headers=lead["headers"]).status_code == 404
    assert (
        client.get(f"/api/v1/people/{lead['id']}/supported-plans", headers=lead["headers"]).get_json()[
            "total"
        ]
        == 0
    )
    mine = client.get(f"/api/v1/packages/{pkg}/plan", headers=me["headers"]).get_json()
    assert mine["supported"] is False and mine["supporter"]["state"] == "declined"
    # removing the supporter
    r = client.delete(f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"])
    assert r.status_code == 200 and r.get_json()["supporter"] is None


def test_a_nul_byte_is_a_400_not_a_500(client, db, world):
    r = _plan(client, world, idea="calm\x00mornings")
    assert r.status_code == 400, r.get_json()
    assert db.session.query(MicroprojectPlan).count() == 0


def test_twenty_simultaneous_first_saves_make_one_plan(app, client, db, world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race needs PostgreSQL's concurrency (SQLite serialises writers)")
    headers, url = world["me"]["headers"], f"/api/v1/packages/{world['pkg']}/plan"
    out = simultaneous_results(
        app, 20, lambda c, i: c.put(url, headers=headers, json=_body(idea=f"Idea {i}"))
    )
    codes = sorted(s for s, _ in out)
    assert codes == [200] * 19 + [201], codes
    db.session.expire_all()
    assert db.session.query(MicroprojectPlan).count() == 1


def test_twenty_simultaneous_acknowledgements_record_one(app, client, keys, db, world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the race needs PostgreSQL's concurrency (SQLite serialises writers)")
    from training.models import OutboxMessage
    from training.models.microproject_plans import GuidelinesAcknowledgement

    trainer = keys.headers(user_id="ta-2", email="ta2@example.org", roles=["training_admin"])
    body = {"title": "Guidelines", "sections": [{"heading": "H", "points": ["p"]}]}
    assert client.post("/api/v1/practice-guidelines", headers=trainer, json=body).status_code == 201
    headers = world["me"]["headers"]
    out = simultaneous_results(
        app, 20, lambda c, i: c.post("/api/v1/practice-guidelines/1/acknowledgements", headers=headers)
    )
    codes = sorted(s for s, _ in out)
    assert codes == [200] * 19 + [201], codes
    db.session.expire_all()
    assert db.session.query(GuidelinesAcknowledgement).count() == 1
    sent = (
        db.session.query(OutboxMessage)
        .filter_by(type="training.practitioner.guidelines_acknowledged")
        .count()
    )
    assert sent == 1


def test_organisation_admin_lists_which_packages_have_a_plan_and_their_review_dates(client, keys, world):
    url = f"/api/v1/organisations/{world['org']['id']}/microproject-plans"
    r = client.get(url, headers=world["admin"])
    assert r.status_code == 200 and r.get_json()["total"] == 0, r.get_json()
    assert _plan(client, world).status_code == 201
    [item] = client.get(url, headers=world["admin"]).get_json()["items"]
    assert item["view"] == "summary" and item["package_id"] == world["pkg"] and len(item["review_dates"]) == 2
    assert item["practitioner_name"] == "Pat Fictional-Practitioner" and item["package_type"] == 3
    assert not {"idea", "focus_areas", "steps", "supporter"} & set(item)
    # a member (even the practitioner) and a stranger do not get the organisation's list
    for h in (world["me"]["headers"], world["other"]["headers"], _user(keys)):
        assert client.get(url, headers=h).status_code == 404


def test_the_asked_supporter_is_emailed_fixed_text_once(client, db, world):
    """Plan text, or the practitioner's name, never goes into an email (no open relay, M8)."""
    import sqlalchemy as sa

    from training.models import Notification

    pkg, me, lead = world["pkg"], world["me"], world["lead"]
    assert _plan(client, world).status_code == 201
    r = client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": lead["id"]}
    )
    assert r.status_code == 200
    rows = db.session.scalars(
        sa.select(Notification).where(Notification.kind == "plan_support_requested")
    ).all()
    assert [(n.recipient, n.to_email) for n in rows] == [(lead["id"], lead["email"])]
    body = rows[0].text_body + rows[0].html_body + rows[0].subject
    assert "/supporting" in body
    assert "Calmer mornings" not in body and "Pat Fictional-Practitioner" not in body


def test_erasing_the_supporter_keeps_the_plan_and_erasing_the_practitioner_removes_it(app, client, db, world):
    from training.models import Person

    pkg, me, lead = world["pkg"], world["me"], world["lead"]
    assert _plan(client, world).status_code == 201
    client.put(
        f"/api/v1/packages/{pkg}/plan/supporter", headers=me["headers"], json={"person_id": lead["id"]}
    )
    client.post(f"/api/v1/packages/{pkg}/plan/supporter/accept", headers=lead["headers"])
    r = app.test_cli_runner().invoke(args=["dp", "erase", "--person", lead["id"]])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    plan = db.session.query(MicroprojectPlan).one()
    assert plan.idea.startswith("Calmer mornings") and plan.focus_areas == ["routines", "transitions"]
    supporter = db.session.get(Person, lead["id"])
    assert supporter is None or supporter.name != "Lee Fictional-Lead"
    r = app.test_cli_runner().invoke(args=["dp", "erase", "--person", me["id"]])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    assert db.session.query(MicroprojectPlan).count() == 0
