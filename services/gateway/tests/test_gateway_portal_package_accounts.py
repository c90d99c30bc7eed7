"""A microproject package's online accounts in the portal (portal coverage gap of issue 21;
training GET/POST /api/v1/packages/{id}/accounts): the organisation's admin lets an active member
use one; twice is refused naming the rule; a member who is not an admin is refused (404)."""

from __future__ import annotations

import importlib.util
import pathlib
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_pa", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def _api(v: Visitor, method: str, path: str, body=None, status=201):
    r = getattr(v.client, method)(path, headers=_bearer(v), json=body)
    assert r.status_code == status, (path, r.get_json())
    return r.get_json()


def _joins(world, head: Visitor, org_id: str, name: str) -> Visitor:
    v = Visitor(world, name)
    pid = v.me()["person_id"]
    inv = _api(head, "post", f"/api/v1/organisations/{org_id}/members", {"person_id": pid, "role": "staff"})
    _api(v, "post", f"/api/v1/memberships/{inv['id']}/accept", status=200)
    return v


def test_an_admin_lets_a_member_use_a_packages_online_account(world):
    head = Visitor(world, "Hana Head")
    org = _api(
        head,
        "post",
        "/api/v1/organisations",
        {
            "name": f"Fictional Rowan {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": head.email,
            "senior_leadership_commitment": True,
        },
    )
    _api(
        head,
        "post",
        f"/api/v1/organisations/{org['id']}/licences",
        {"type": "starter", "agreement_accepted": True},
    )
    pro = _joins(world, head, org["id"], "Robin Practitioner")
    pid = pro.me()["person_id"]
    _api(pro, "post", f"/api/v1/people/{pid}/pathways/lead/items", {"item": "deep_dive"})
    _api(
        head,
        "post",
        f"/api/v1/people/{pid}/pathways/lead/items",
        {"item": "lead_training", "organisation_id": org["id"]},
    )
    _api(head, "post", f"/api/v1/organisations/{org['id']}/licences", {"type": "enhanced"})
    package = _api(
        head,
        "post",
        f"/api/v1/organisations/{org['id']}/packages",
        {"type": 3, "practitioner_id": pid, "funding": "organisation"},
    )
    nat = _joins(world, head, org["id"], "Nat Learner")
    url = f"/organisations/{org['id']}/packages/{package['id']}/accounts"

    assert url in head.get(f"/organisations/{org['id']}").get_data(as_text=True)
    page = head.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Only the practitioner so far." in html and "Nat Learner" in html

    r = head.post(url, {"person_id": ""})
    assert r.status_code == 400 and 'id="person_id-error"' in r.get_data(as_text=True)
    r = head.post(url, {"person_id": nat.me()["person_id"]})
    assert r.status_code == 302
    html = head.get(url).get_data(as_text=True)
    assert "Nat Learner (since" in html
    r = head.post(url, {"person_id": nat.me()["person_id"]})
    assert r.status_code == 409 and "package_account_assigned" in r.get_data(as_text=True)
    grants = _api(head, "get", f"/api/v1/packages/{package['id']}/accounts", status=200)
    assert len(grants["items"]) == 1

    # a member who is not an admin reaches neither
    assert nat.get(url).status_code == 404
    assert nat.post(url, {"person_id": nat.me()["person_id"]}, page="/account").status_code == 404
