"""The training admin's Microproject Practice Guidelines page (pages/practice_guidelines_admin.py;
decision 0064, issue 21) and one volunteer study supporter application's page
(pages/study_supporters.py), through the Flask test client with the real training and cic-tracker
apps behind the gateway: the versions are listed, the form starts from the version in force, the
API's refusals (problem+json `sections.1.points.0` ...) are shown at the title or the sections box
naming the section and point and publish nothing, a valid form publishes the next version which the
public page then shows (with the earlier one linked, read only); only training admins get the page."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_guidelines", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture

PAGE = "/admin/practice-guidelines"


def _versions(world) -> list[int]:
    from training.extensions import db
    from training.models import PracticeGuidelinesVersion

    with world["training"].app_context():
        return sorted(v.version for v in db.session.query(PracticeGuidelinesVersion))


def _shipped(world) -> int:
    from training.extensions import db
    from training.services import practice_guidelines

    with world["training"].app_context():
        row, _ = practice_guidelines.load_content()
        db.session.commit()
        return row.version


def test_sections_text_round_trips_and_blank_lines_split_sections():
    from gateway.portal.pages.practice_guidelines_admin import parse_sections, sections_text

    sections = [
        {"heading": "Consent", "points": ["Ask first.", "Write it down."]},
        {"heading": "Records", "points": ["In the Progress Tracker only."]},
    ]
    assert parse_sections(sections_text(sections)) == sections
    raw = "Consent\r\n* Ask first.\r\n\r\n\r\n  Records  \n- In the tracker\n\n   \n"
    assert parse_sections(raw) == [
        {"heading": "Consent", "points": ["Ask first."]},
        {"heading": "Records", "points": ["In the tracker"]},
    ]


def test_a_training_admin_publishes_the_next_version_and_refusals_sit_at_their_inputs(world):
    v1 = _shipped(world)
    staff = Visitor(world, "Tess Publisher", roles=["training_admin"])
    assert PAGE in staff.get("/admin").get_data(as_text=True)
    page = staff.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert f"Version {v1}</a>" in html and "In force" in html
    assert f"Publish version {v1 + 1}" in html
    assert "every practitioner must acknowledge" in html.lower()
    assert "Consent and case records" in html  # the form starts from the version in force

    # nothing typed: the page's own words at both inputs, nothing published
    r = staff.post(PAGE, {"title": "", "sections": "  "})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="title-error"' in html and 'id="sections-error"' in html
    # a heading with no points and a point too long: training's refusal names the section and point
    long_point = "x" * 1001
    r = staff.post(PAGE, {"title": "Guidelines 2027", "sections": f"Consent\n\nRecords\n- {long_point}"})
    assert r.status_code == 400, r.get_data(as_text=True)[:1500]
    html = r.get_data(as_text=True)
    assert 'id="sections-error"' in html and 'aria-invalid="true"' in html
    assert "Section 1 (Consent), points" in html and "Section 2 (Records), point 1" in html
    assert "Guidelines 2027" in html and long_point in html  # what was typed is kept
    assert _versions(world) == [v1]

    r = staff.post(
        PAGE,
        {
            "title": "Microproject Practice Guidelines 2027",
            "sections": "Consent\n- Ask first.\n- Write down what was agreed.\n\nRecords\n- Progress Tracker only.",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(PAGE)
    assert _versions(world) == [v1, v1 + 1]
    html = staff.get(PAGE).get_data(as_text=True)
    assert f"Version {v1 + 1} published and in force" in html and f"Publish version {v1 + 2}" in html

    # the public page shows the new version and links the earlier one, which shows read only
    anon = world["gateway"].test_client()
    html = anon.get("/practice-guidelines", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Microproject Practice Guidelines 2027" in html and "Write down what was agreed." in html
    assert f"/practice-guidelines?version={v1}" in html
    old = anon.get(f"/practice-guidelines?version={v1}", headers={"Accept": "text/html"})
    html = old.get_data(as_text=True)
    assert old.status_code == 200 and "since replaced" in html and "Consent and case records" in html
    assert "Acknowledge version" not in html and "to acknowledge them" not in html
    assert anon.get("/practice-guidelines?version=999", headers={"Accept": "text/html"}).status_code == 404


def test_the_guidelines_admin_page_is_for_training_admins_only(world):
    _shipped(world)
    pat = Visitor(world, "Pat Practitioner-Guidelines")
    assert pat.get(PAGE).status_code == 403
    before = _versions(world)
    r = pat.post(PAGE, {"title": "Mine", "sections": "A\n- b"}, page="/practice-guidelines")
    assert r.status_code == 403
    assert _versions(world) == before
    anon = world["gateway"].test_client()
    assert anon.get(PAGE, headers={"Accept": "text/html"}).status_code in (302, 401)


def _supporter_application(world, person_id: str) -> str:
    from training.extensions import db
    from training.models.lead_professionals import StudySupporterApplication

    with world["training"].app_context():
        a = StudySupporterApplication(
            person_id=person_id,
            motivation="I finished the Foundation courses and want to help a group keep going.",
            references=[
                {"name": "Rae Referee", "relationship": "head teacher"},
                {"name": "Cal Colleague", "relationship": "colleague", "contact": "cal@example.org"},
            ],
            state="applied",
        )
        db.session.add(a)
        db.session.commit()
        return a.id


def test_a_training_admin_reads_one_study_supporter_application_and_acts_on_it_there(world):
    vic = Visitor(world, "Vic Volunteer")
    sid = _supporter_application(world, vic.me()["person_id"])
    staff = Visitor(world, "Tess Supporters", roles=["training_admin"])
    assert f"/admin/study-supporters/{sid}" in staff.get("/admin/study-supporters").get_data(as_text=True)
    page = staff.get(f"/admin/study-supporters/{sid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Vic Volunteer" in html and "want to help a group keep going" in html
    assert "Rae Referee" in html and "cal@example.org" in html
    assert "Record the interview" in html and "Decide" in html
    r = staff.post(
        f"/admin/study-supporters/{sid}/interview",
        {"outcome": "passed", "note": "Calm and clear", "back": "record"},
        page=f"/admin/study-supporters/{sid}",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/study-supporters/{sid}")
    html = staff.get(f"/admin/study-supporters/{sid}").get_data(as_text=True)
    assert "Interview recorded." in html and "Calm and clear" in html and "Record the interview" not in html
    # the list's forms still come back to the list
    r = staff.post(
        f"/admin/study-supporters/{sid}/decision", {"outcome": "declined"}, page="/admin/study-supporters"
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/admin/study-supporters#sup-{sid}")
    # not for the applicant (their page is /study-supporter) nor for an unknown id
    assert vic.get(f"/admin/study-supporters/{sid}").status_code == 403
    assert staff.get("/admin/study-supporters/nosuchapplication").status_code == 404
