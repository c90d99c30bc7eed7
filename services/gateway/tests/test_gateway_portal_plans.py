"""The microproject plan and practice guidelines pages (pages/plans.py; decisions 0063, 0064)
through the Flask test client, with the real training and cic-tracker apps behind the gateway: the
plan form puts each API refusal at its own input (a step's text, a review date, a focus area), keeps
what was typed, and saves nothing; a stranger gets 404; the guidelines page is public and its
Acknowledge button records the acknowledgement for the signed-in practitioner."""

from __future__ import annotations

import importlib.util
import pathlib
from datetime import date, timedelta

_spec = importlib.util.spec_from_file_location(
    "_portal_world_plans", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture


def _package_for(world, person_id: str) -> str:
    from training.extensions import db
    from training.models import Organisation, Package

    with world["training"].app_context():
        org = Organisation(
            name="Fictional Hazel School",
            kind="school",
            size_band="small",
            link_contact_email="l@h.example",
            created_by="x",
        )
        db.session.add(org)
        db.session.flush()
        p = Package(
            organisation_id=org.id,
            practitioner_id=person_id,
            type=2,
            price=30000,
            funding="organisation",
            tracker_uses=0,
            online_accounts=3,
        )
        db.session.add(p)
        db.session.commit()
        return p.id


def _form(**change):
    soon = (date.today() + timedelta(days=10)).isoformat()
    data = {
        "idea": "Calmer mornings with routines",
        "focus_area_1": "routines",
        "step_text_1": "Read the unit",
        "step_status_1": "planned",
        "review_date_1": soon,
    }
    data.update(change)
    return data


def test_plan_form_errors_sit_at_their_inputs_and_nothing_is_saved(world):
    pat = Visitor(world, "Pat Planner")
    pkg = _package_for(world, pat.me()["person_id"])
    page = pat.get(f"/microprojects/{pkg}/plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "No case data here" in html
    past = (date.today() - timedelta(days=2)).isoformat()
    r = pat.post(
        f"/microprojects/{pkg}/plan",
        _form(step_text_2="Visit at SW1A 1AA", review_date_1=past, focus_area_1=""),
        page=f"/microprojects/{pkg}/plan",
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    for fid in ("step_text_2-error", "review_date_1-error", "focus_area_1-error"):
        assert f'id="{fid}"' in html, fid
    assert 'value="Read the unit"' in html  # what was typed is kept
    assert pat.get(f"/api/v1/packages/{pkg}/plan").status_code in (401, 404)  # no plan saved
    r = pat.post(f"/microprojects/{pkg}/plan", _form(), page=f"/microprojects/{pkg}/plan")
    assert r.status_code == 302
    page = pat.get(f"/microprojects/{pkg}/plan").get_data(as_text=True)
    assert "Plan saved." in page and "Calmer mornings with routines" in page


def test_a_stranger_gets_404_for_someone_elses_plan(world):
    pat = Visitor(world, "Pat Owner")
    pkg = _package_for(world, pat.me()["person_id"])
    assert (
        pat.post(f"/microprojects/{pkg}/plan", _form(), page=f"/microprojects/{pkg}/plan").status_code == 302
    )
    sam = Visitor(world, "Sam Stranger")
    assert sam.get(f"/microprojects/{pkg}/plan").status_code == 404
    r = sam.post(f"/microprojects/{pkg}/plan", _form(idea="Overwritten"), page="/supporting")
    assert r.status_code == 404
    assert "Overwritten" not in pat.get(f"/microprojects/{pkg}/plan").get_data(as_text=True)


def test_guidelines_page_is_public_and_its_button_records_the_acknowledgement(world):
    from training.extensions import db
    from training.services import practice_guidelines

    with world["training"].app_context():
        row, _ = practice_guidelines.load_content()
        db.session.commit()
        version = row.version
    anon = world["gateway"].test_client().get("/practice-guidelines", headers={"Accept": "text/html"})
    html = anon.get_data(as_text=True)
    assert (
        anon.status_code == 200
        and "Consent and case records" in html
        and "Sign in</a> to acknowledge" in html
    )
    ada = Visitor(world, "Ada Acknowledger")
    page = ada.get("/practice-guidelines").get_data(as_text=True)
    one_h1_and_labels(page)
    assert f"Acknowledge version {version}" in page
    assert ada.post("/practice-guidelines", {}).status_code == 302
    page = ada.get("/practice-guidelines").get_data(as_text=True)
    assert f"You have acknowledged version {version}." in page


def test_the_organisation_admin_sees_which_microprojects_have_a_plan_and_when_they_are_reviewed(world):
    from training.extensions import db
    from training.models import OrganisationAdmin, Package

    pat = Visitor(world, "Pat Practitioner")
    pkg = _package_for(world, pat.me()["person_id"])
    assert (
        pat.post(f"/microprojects/{pkg}/plan", _form(), page=f"/microprojects/{pkg}/plan").status_code == 302
    )
    ada = Visitor(world, "Ada Admin")
    with world["training"].app_context():
        org_id = db.session.get(Package, pkg).organisation_id
        db.session.add(OrganisationAdmin(organisation_id=org_id, user_id=ada.me()["id"]))
        db.session.commit()
    page = ada.get(f"/organisations/{org_id}/plans")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Pat Practitioner" in html and _form()["review_date_1"] in html
    assert "Calmer mornings" not in html and "Read the unit" not in html  # never the plan itself
    assert pat.get(f"/organisations/{org_id}/plans").status_code == 404


def _ask(world, pkg: str, person_id: str, state: str = "pending") -> None:
    """As if the practitioner asked this person (the ask itself is tested in training's own tests)."""
    from training.extensions import db
    from training.models import MicroprojectPlan

    with world["training"].app_context():
        plan = db.session.query(MicroprojectPlan).filter_by(package_id=pkg).one()
        plan.supporter_person_id, plan.supporter_state = person_id, state
        db.session.commit()


def _supporter_of(world, pkg: str):
    from training.extensions import db
    from training.models import MicroprojectPlan

    with world["training"].app_context():
        plan = db.session.query(MicroprojectPlan).filter_by(package_id=pkg).one()
        return plan.supporter_person_id, plan.supporter_state


def test_the_practitioner_stops_asking_or_ends_the_support_and_the_supporter_no_longer_sees_it(world):
    pat = Visitor(world, "Pat Planner-End")
    pkg = _package_for(world, pat.me()["person_id"])
    page = f"/microprojects/{pkg}/plan"
    assert pat.post(page, _form(), page=page).status_code == 302
    sam = Visitor(world, "Sam Supporter")
    sam_pid = sam.me()["person_id"]
    _ask(world, pkg, sam_pid)
    html = pat.get(page).get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Stop asking Sam Supporter" in html
    assert "Pat Planner-End asks you to support" in sam.get(page).get_data(as_text=True)
    # nobody else ends it: the supporter and a stranger get 404, and nothing changes
    assert sam.post(f"{page}/supporter/end", {}, page="/supporting").status_code == 404
    assert _supporter_of(world, pkg) == (sam_pid, "pending")
    r = pat.post(f"{page}/supporter/end", {}, page=page)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"{page}#supporter")
    assert _supporter_of(world, pkg) == (None, None)
    html = pat.get(page).get_data(as_text=True)
    assert "they no longer see your plan" in html and "No supporter yet." in html
    assert sam.get(page).status_code == 404  # no invitation any more

    # an accepted supporter: the button ends their support
    _ask(world, pkg, sam_pid, state="accepted")
    assert "Calmer mornings" in sam.get(page).get_data(as_text=True)
    html = pat.get(page).get_data(as_text=True)
    assert "End Sam Supporter&#39;s support" in html or "End Sam Supporter's support" in html
    assert pat.post(f"{page}/supporter/end", {}, page=page).status_code == 302
    assert _supporter_of(world, pkg) == (None, None)
    assert sam.get(page).status_code == 404
