"""Renewing an active organisational licence from the portal (portal coverage gap of issue 21;
training POST .../licences/{id}/renew): buying it again is refused while it is active, so the
organisation page links to the renewal page, which shows the fee first; one confirmation renews
once (a repeat of the same page is refused and orders nothing); a member who is not an admin is
refused."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_lr", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def _orders(v: Visitor, org_id: str) -> int:
    return len(v.client.get(f"/api/v1/organisations/{org_id}/orders", headers=_bearer(v)).get_json()["items"])


def test_an_admin_renews_an_active_licence_once(world):
    head = Visitor(world, "Hana Head")
    org_id = head.client.post(
        "/api/v1/organisations",
        headers=_bearer(head),
        json={
            "name": f"Fictional Rowan {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": head.email,
            "senior_leadership_commitment": True,
        },
    ).get_json()["id"]
    lic = head.client.post(
        f"/api/v1/organisations/{org_id}/licences",
        headers=_bearer(head),
        json={"type": "starter", "agreement_accepted": True},
    ).get_json()
    html = head.get(f"/organisations/{org_id}").get_data(as_text=True)
    url = f"/organisations/{org_id}/licences/{lic['id']}/renew"
    assert url in html

    page = head.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Confirm and renew" in html and lic["valid_until"][:10] in html
    seen = re.search(r'name="seen_valid_until" value="([^"]+)"', html).group(1)
    before = _orders(head, org_id)

    r = head.post(url, {"seen_valid_until": seen}, page=url)
    assert r.status_code == 302
    after = head.client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(head)).get_json()
    renewed = next(x for x in after["licences"] if x["id"] == lic["id"])
    assert renewed["valid_until"][:4] == str(int(lic["valid_until"][:4]) + 1)
    assert _orders(head, org_id) == before + 1

    # the same page confirmed again (a second click): refused, nothing ordered
    r = head.post(url, {"seen_valid_until": seen}, page=url)
    assert r.status_code == 409 and "licence_changed" in r.get_data(as_text=True)
    assert _orders(head, org_id) == before + 1

    # a member who is not an admin
    nat = Visitor(world, "Nat Member")
    inv = head.client.post(
        f"/api/v1/organisations/{org_id}/members",
        headers=_bearer(head),
        json={"person_id": nat.me()["person_id"], "role": "staff"},
    ).get_json()
    assert nat.client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=_bearer(nat)).status_code == 200
    page = nat.get(url).get_data(as_text=True)
    seen = re.search(r'name="seen_valid_until" value="([^"]+)"', page).group(1)
    r = nat.post(url, {"seen_valid_until": seen}, page=url)
    assert r.status_code == 404  # training: the organisation's admins only
    assert _orders(head, org_id) == before + 1


def test_a_training_admin_ends_a_licence_now(world):
    head = Visitor(world, "Hana Head")
    org_id = head.client.post(
        "/api/v1/organisations",
        headers=_bearer(head),
        json={
            "name": f"Fictional Ended {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": head.email,
            "senior_leadership_commitment": True,
        },
    ).get_json()["id"]
    lic = head.client.post(
        f"/api/v1/organisations/{org_id}/licences",
        headers=_bearer(head),
        json={"type": "starter", "agreement_accepted": True},
    ).get_json()
    end_url = f"/organisations/{org_id}/licences/{lic['id']}/end"
    # the organisation's own admin sees no such button and is refused
    assert end_url not in head.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert head.post(end_url, {}, page=f"/organisations/{org_id}").status_code == 403

    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    page = staff.get(f"/organisations/{org_id}")
    assert page.status_code == 200 and end_url in page.get_data(as_text=True)
    r = staff.post(end_url, {}, page=f"/organisations/{org_id}")
    assert r.status_code == 302
    org = head.client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(head)).get_json()
    assert next(x for x in org["licences"] if x["id"] == lic["id"])["status"] != "active"
    html = head.get(f"/organisations/{org_id}").get_data(as_text=True)
    # ended, it is taken out again by buying it (not the renewal page)
    assert f"/organisations/{org_id}/licences/starter" in html
