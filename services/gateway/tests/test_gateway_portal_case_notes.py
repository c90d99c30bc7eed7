"""A Tracker case's reflections and goal status in the portal (portal coverage gaps of issue 21):
a Type 2 practicum needs a reflection for each case, and a goal's status moves on. Through the
Flask test client against the real training and cic-tracker apps (events fed through the real
consumer). Only the case's practitioner writes; anyone else gets 404 and nothing changes."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_cn", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world, feed_cic = (
    _world.Visitor,
    _world.one_h1_and_labels,
    _world.world,
    _world.feed_cic,
)


def _case_of(world, pat: Visitor, package_type: int) -> str:
    me = pat.me()
    feed_cic(world, "training.person.linked", {"person_id": me["person_id"], "user_id": me["id"]})
    with world["training"].app_context():
        from training.services.price_book import current, package_types_event

        number, book = current()
        types = package_types_event(book)
    feed_cic(
        world, "training.package_types.published", {"price_book_version": number, "package_types": types}
    )
    org_id = "org-" + uuid.uuid4().hex[:6]
    feed_cic(
        world,
        "training.licence.changed",
        {
            "organisation_id": org_id,
            "licence_type": "enhanced",
            "status": "active",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    )
    package_id = "pkg-" + uuid.uuid4().hex[:10]
    feed_cic(
        world,
        "training.package.purchased",
        {
            "package_id": package_id,
            "package_type": package_type,
            "organisation_id": org_id,
            "practitioner_id": me["person_id"],
            "tracker_uses": 0,
            "online_accounts": 3,
        },
    )
    projects = pat.get("/tracker").get_data(as_text=True)
    mp_id = re.findall(r'/tracker/microprojects/([^"/]+)"', projects)[-1]
    r = pat.post(
        f"/tracker/microprojects/{mp_id}",
        {
            "code": "C-01",
            "given_by": "Adult participant",
            "scope": "Reflection",
            "given_at": "2026-01-05",
            "consent": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return r.headers["Location"]


def test_a_practitioner_adds_a_reflection_and_moves_a_goal_on(world):
    pat = Visitor(world, "Pat Practitioner")
    case_url = _case_of(world, pat, 2)
    html = pat.get(case_url).get_data(as_text=True)
    one_h1_and_labels(html)
    assert "No reflections yet." in html

    r = pat.post(f"{case_url}/reflections", {"text": "   "}, page=case_url)
    assert r.status_code == 302 and "No reflections yet." in pat.get(case_url).get_data(as_text=True)
    r = pat.post(f"{case_url}/reflections", {"text": "The conversations became calmer."}, page=case_url)
    assert r.status_code == 302 and r.headers["Location"].endswith("#reflections")
    html = pat.get(case_url).get_data(as_text=True)
    assert "The conversations became calmer." in html and "Reflection added." in html

    assert (
        pat.post(
            f"{case_url}/goals", {"text": "Bedtime routine", "status": "open"}, page=case_url
        ).status_code
        == 302
    )
    html = pat.get(case_url).get_data(as_text=True)
    one_h1_and_labels(html)
    goal_id = re.search(r'/goals/([^/"]+)/status"', html).group(1)
    r = pat.post(f"{case_url}/goals/{goal_id}/status", {"status": "sideways"}, page=case_url)
    assert r.status_code == 302 and "Choose the goal" in pat.get(case_url).get_data(as_text=True)
    r = pat.post(f"{case_url}/goals/{goal_id}/status", {"status": "achieved"}, page=case_url)
    assert r.status_code == 302
    html = pat.get(case_url).get_data(as_text=True)
    assert "Goal status updated: achieved." in html and "badge-achieved" in html

    # another user reaches neither
    other = Visitor(world, "Olly Other")
    assert other.post(f"{case_url}/reflections", {"text": "Not mine"}, page="/account").status_code == 404
    assert (
        other.post(f"{case_url}/goals/{goal_id}/status", {"status": "dropped"}, page="/account").status_code
        == 404
    )
    html = pat.get(case_url).get_data(as_text=True)
    assert "Not mine" not in html and "badge-achieved" in html
