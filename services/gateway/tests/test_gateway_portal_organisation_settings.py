"""An organisation's admin edits its details and gives a member an online account from its seats
(portal coverage gaps of issue 21; training PATCH /api/v1/organisations/{id} and POST
.../seats/assignments). Errors at their fields; a member who is not an admin is refused (404) and
nothing changes."""

from __future__ import annotations

import importlib.util
import pathlib
import uuid

_spec = importlib.util.spec_from_file_location(
    "_portal_world_os", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world


def _bearer(v: Visitor) -> dict:
    with v.client.session_transaction() as s:
        return {"Authorization": f"Bearer {s['token']}"}


def test_an_admin_edits_the_details_and_gives_a_member_an_account(world):
    head = Visitor(world, "Hana Head")
    r = head.client.post(
        "/api/v1/organisations",
        headers=_bearer(head),
        json={
            "name": f"Fictional Rowan {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": head.email,
            "senior_leadership_commitment": True,
        },
    )
    org_id = r.get_json()["id"]
    for t in ("starter", "cpd"):
        body = {"type": t, **({"agreement_accepted": True} if t == "starter" else {})}
        assert (
            head.client.post(
                f"/api/v1/organisations/{org_id}/licences", headers=_bearer(head), json=body
            ).status_code
            == 201
        )
    nat = Visitor(world, "Nat Learner")
    inv = head.client.post(
        f"/api/v1/organisations/{org_id}/members",
        headers=_bearer(head),
        json={"person_id": nat.me()["person_id"], "role": "staff"},
    ).get_json()
    assert nat.client.post(f"/api/v1/memberships/{inv['id']}/accept", headers=_bearer(nat)).status_code == 200
    url = f"/organisations/{org_id}/settings"
    assert url in head.get(f"/organisations/{org_id}").get_data(as_text=True)
    page = head.get(url)
    assert page.status_code == 200
    one_h1_and_labels(page.get_data(as_text=True))

    form = {
        "name": "",
        "size_band": "small",
        "link_contact_email": head.email,
        "senior_leadership_commitment": "on",
    }
    r = head.post(url, form)
    assert r.status_code == 400 and 'id="d-name-error"' in r.get_data(as_text=True)
    r = head.post(url, {**form, "name": "Fictional Rowan Primary", "link_contact_email": "not an email"})
    assert r.status_code == 400 and 'id="d-link_contact_email-error"' in r.get_data(as_text=True)
    r = head.post(
        url, {**form, "name": "Fictional Rowan Primary", "link_contact_email": "link@rowan.example"}
    )
    assert r.status_code == 302
    org = head.client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(head)).get_json()
    assert org["name"] == "Fictional Rowan Primary" and org["link_contact_email"] == "link@rowan.example"

    # a seat for the member: once, then the rule is named
    used = head.client.get(f"/api/v1/organisations/{org_id}/seats", headers=_bearer(head)).get_json()["used"]
    r = head.post(
        f"/organisations/{org_id}/seats/assignments", {"person_id": nat.me()["person_id"]}, page=url
    )
    assert r.status_code == 302
    seats = head.client.get(f"/api/v1/organisations/{org_id}/seats", headers=_bearer(head)).get_json()
    assert seats["used"] == used + 1
    # asked again: the seat they hold (one per person); a non-member: the rule is named
    r = head.post(
        f"/organisations/{org_id}/seats/assignments", {"person_id": nat.me()["person_id"]}, page=url
    )
    assert r.status_code == 302
    stranger = Visitor(world, "Sam Stranger")
    r = head.post(
        f"/organisations/{org_id}/seats/assignments", {"person_id": stranger.me()["person_id"]}, page=url
    )
    assert r.status_code == 409 and "membership" in r.get_data(as_text=True)
    seats = head.client.get(f"/api/v1/organisations/{org_id}/seats", headers=_bearer(head)).get_json()
    assert seats["used"] == used + 1

    # a member who is not an admin
    r = nat.post(url, {**form, "name": "Taken over"}, page="/account")
    assert r.status_code == 404
    org = head.client.get(f"/api/v1/organisations/{org_id}", headers=_bearer(head)).get_json()
    assert org["name"] == "Fictional Rowan Primary"
