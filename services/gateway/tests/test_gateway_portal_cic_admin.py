"""CIC staff pages that were API only (portal coverage gaps of issue 21): a Fund round's summary
(CIC staff and fund reviewers) and the Tracker's assessment areas (CIC staff: add, rename,
retire). Through the Flask test client against the real cic-tracker app; others are refused and a
refusal changes nothing."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_ca", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def _areas(v: Visitor) -> dict:
    items = v.client.get("/api/v1/tracker/areas", headers=_bearer(v)).get_json()["items"]
    return {a["code"]: a for a in items}


def test_cic_staff_add_rename_and_retire_an_assessment_area(world):
    staff = Visitor(world, "Cara Staff", roles=["cic_staff"])
    assert "/cic/areas" in staff.get("/cic").get_data(as_text=True)
    page = staff.get("/cic/areas")
    assert page.status_code == 200
    one_h1_and_labels(page.get_data(as_text=True))

    code = "sleep_" + uuid.uuid4().hex[:6]
    r = staff.post("/cic/areas", {"code": "Not A Code", "label": "Sleep", "position": "5"})
    assert r.status_code == 400 and 'id="code-error"' in r.get_data(as_text=True)
    r = staff.post("/cic/areas", {"code": code, "label": "", "position": "5"})
    assert r.status_code == 400 and 'id="label-error"' in r.get_data(as_text=True)
    assert code not in _areas(staff)
    r = staff.post("/cic/areas", {"code": code, "label": "Sleep routine", "position": "5"})
    assert r.status_code == 302 and _areas(staff)[code]["label"] == "Sleep routine"
    r = staff.post("/cic/areas", {"code": code, "label": "Again", "position": "5"})
    assert r.status_code == 409 and "unique_code" in r.get_data(as_text=True)

    assert staff.post(f"/cic/areas/{code}", {"label": "Sleep and rest"}, page="/cic/areas").status_code == 302
    assert _areas(staff)[code]["label"] == "Sleep and rest"
    assert staff.post(f"/cic/areas/{code}", {"active": "no"}, page="/cic/areas").status_code == 302
    assert code not in _areas(staff)  # retired: no longer offered
    assert "Area retired" in staff.get("/cic/areas").get_data(as_text=True)

    # a practitioner or a fund reviewer may not
    pat = Visitor(world, "Pat Practitioner")
    assert pat.get("/cic/areas").status_code == 403
    reviewer = Visitor(world, "Rene Reviewer", roles=["fund_reviewer"])
    assert reviewer.post("/cic/areas", {"code": "x_" + code, "label": "X"}, page="/cic").status_code == 403


def test_a_fund_rounds_summary_for_staff_and_reviewers(world):
    staff = Visitor(world, "Cara Staff", roles=["cic_staff"])
    rounds = staff.client.get("/api/v1/fund/rounds", headers=_bearer(staff)).get_json()["items"]
    assert rounds, "cic-tracker keeps a current round"
    html = staff.get("/cic").get_data(as_text=True)
    round_id = re.search(r'/cic/rounds/([^"/]+)"', html).group(1)
    page = staff.get(f"/cic/rounds/{round_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Applications" in html and "Requested" in html and "Awarded" in html

    reviewer = Visitor(world, "Rene Reviewer", roles=["fund_reviewer"])
    assert reviewer.get(f"/cic/rounds/{round_id}").status_code == 200
    pat = Visitor(world, "Pat Practitioner")
    assert pat.get(f"/cic/rounds/{round_id}").status_code == 403
    assert f"/cic/rounds/{round_id}" not in pat.get("/cic").get_data(as_text=True)
    assert staff.get("/cic/rounds/no-such-round").status_code == 404
