"""The learner's personal resource licence in the portal (portal coverage gap of issue 21; seed
001 i; training GET /api/v1/people/{id}/resource-licence): not held before any Level 1-2 learning,
held with its basis once they enrol; what it does not allow is always shown."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_rl", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world


def test_the_resource_licence_is_held_after_level_1_learning(world):
    pat = Visitor(world, "Pat Parent", kind="personal")
    assert "/learning/resource-licence" in pat.get("/account").get_data(as_text=True)
    page = pat.get("/learning/resource-licence")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "You do not hold it yet." in html and "It does not allow you to" in html

    with pat.client.session_transaction() as s:
        bearer = {"Authorization": f"Bearer {s['token']}"}
    r = pat.client.post(
        "/api/v1/enrolments",
        headers=bearer,
        json={"person_id": pat.me()["person_id"], "course_code": "foundation_a1", "funding": "self"},
    )
    assert r.status_code == 201, r.get_json()
    html = pat.get("/learning/resource-licence").get_data(as_text=True)
    assert "You hold it through: foundation a1." in html and "It allows you to" in html
