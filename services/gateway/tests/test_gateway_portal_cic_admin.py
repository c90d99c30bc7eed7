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


def test_cic_staff_see_the_q_registration_bookings(world):
    staff = Visitor(world, "Cara Staff", roles=["cic_staff"])
    order_id, reg_id = uuid.uuid4().hex, uuid.uuid4().hex
    pat = Visitor(world, "Pat Parent", kind="personal")
    me = pat.me()
    _world.feed_cic(world, "training.person.linked", {"person_id": me["person_id"], "user_id": me["id"]})
    _world.feed_cic(
        world,
        "training.q_consultation.ordered",
        {
            "order_id": order_id,
            "registration_id": reg_id,
            "person_id": me["person_id"],
            "user_id": me["id"],
            "requested_by": me["id"],
            "organisation_id": None,
        },
    )
    assert "/cic/q-registrations" in staff.get("/cic").get_data(as_text=True)
    page = staff.get("/cic/q-registrations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert f"<code>{order_id[:8]}</code>" in html and "badge-requested" in html
    assert pat.get("/cic/q-registrations").status_code == 403


def test_a_practitioner_runs_a_microproject_within_a_hub(world):
    staff = Visitor(world, "Cara Staff", roles=["cic_staff"])
    hub_name = f"Fictional Kendal Hub {uuid.uuid4().hex[:4]}"
    assert (
        staff.post("/cic/hubs", {"name": hub_name, "locality": "Kendal"}, page="/cic/hubs").status_code == 302
    )
    pat = Visitor(world, "Pat Practitioner")
    me = pat.me()
    _world.feed_cic(world, "training.person.linked", {"person_id": me["person_id"], "user_id": me["id"]})
    package_id = "pkg-" + uuid.uuid4().hex[:10]
    with world["training"].app_context():
        from training.services.price_book import current, package_types_event

        number, book = current()
        types = package_types_event(book)
    _world.feed_cic(
        world, "training.package_types.published", {"price_book_version": number, "package_types": types}
    )
    _world.feed_cic(
        world,
        "training.package.purchased",
        {
            "package_id": package_id,
            "package_type": 3,
            "organisation_id": "org-" + uuid.uuid4().hex[:6],
            "practitioner_id": me["person_id"],
            "tracker_uses": 6,
            "online_accounts": 3,
        },
    )
    mp_id = re.findall(r'/tracker/microprojects/([^"/]+)"', pat.get("/tracker").get_data(as_text=True))[-1]
    assert f"/tracker/microprojects/{mp_id}/hub" in pat.get(f"/tracker/microprojects/{mp_id}").get_data(
        as_text=True
    )
    page = pat.get(f"/tracker/microprojects/{mp_id}/hub")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    hub_id = re.search(rf'<option value="([^"]+)">{re.escape(hub_name)}', html).group(1)

    r = pat.post(f"/tracker/microprojects/{mp_id}/hub", {"hub_id": "no-such-hub"})
    assert r.status_code in (400, 404, 409)
    assert (
        pat.client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=_bearer(pat)).get_json()["hub_id"]
        is None
    )
    r = pat.post(f"/tracker/microprojects/{mp_id}/hub", {"hub_id": hub_id})
    assert r.status_code == 302
    assert (
        pat.client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=_bearer(pat)).get_json()["hub_id"]
        == hub_id
    )
    assert "Runs within a locality hub" in pat.get(f"/tracker/microprojects/{mp_id}").get_data(as_text=True)
    # someone else reaches neither the page nor the change
    other = Visitor(world, "Olly Other")
    assert other.get(f"/tracker/microprojects/{mp_id}/hub").status_code == 404
    assert (
        other.post(f"/tracker/microprojects/{mp_id}/hub", {"hub_id": ""}, page="/account").status_code == 404
    )
    r = pat.post(f"/tracker/microprojects/{mp_id}/hub", {"hub_id": ""})
    assert r.status_code == 302
    assert (
        pat.client.get(f"/api/v1/tracker/microprojects/{mp_id}", headers=_bearer(pat)).get_json()["hub_id"]
        is None
    )
