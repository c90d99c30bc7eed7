"""Portal pages for membership by consent through the Flask test client, against the real
training app: an organisation admin invites by email, the invited person sees the invitation on
"My invitations" and accepts (or declines), the admin sees each member's state, and the member
leaves the organisation."""

from __future__ import annotations

import importlib.util
import pathlib

# the world (gateway, training and cic-tracker apps) and the Visitor of the reflective portal tests
_spec = importlib.util.spec_from_file_location(
    "_portal_world", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture


def _org(admin: Visitor, name: str = "Fictional Consent Primary") -> str:
    r = admin.post(
        "/organisations/new",
        {
            "name": name,
            "kind": "school",
            "size_band": "small",
            "link_contact_email": admin.email,
            "senior_leadership_commitment": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return r.headers["Location"].rstrip("/").split("/")[-1].split("#")[0]


def test_an_admin_invites_by_email_and_the_person_accepts_then_leaves(world):
    admin = Visitor(world, "Ada Admin")
    org_id = _org(admin)
    page = admin.get(f"/organisations/{org_id}/memberships")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert 'name="email"' in html and '<option value="senior_leader"' in html and "counts for nothing" in html

    # the form names the field it refuses
    r = admin.post(f"/organisations/{org_id}/memberships", {"email": "", "person_id": "", "role": "staff"})
    assert r.status_code == 400 and 'id="invite-email-error"' in r.get_data(as_text=True)
    r = admin.post(f"/organisations/{org_id}/memberships", {"email": "x@example.org", "role": "overlord"})
    assert r.status_code == 400 and 'id="invite-role-error"' in r.get_data(as_text=True)

    robin = Visitor(world, "Robin Teacher")
    r = admin.post(f"/organisations/{org_id}/memberships", {"email": robin.email, "role": "teacher"})
    assert r.status_code == 302
    members = admin.get(f"/organisations/{org_id}/memberships").get_data(as_text=True)
    assert robin.email in members and "badge-invited" in members
    again = admin.post(f"/organisations/{org_id}/memberships", {"email": robin.email, "role": "teacher"})
    assert again.status_code == 409 and "already_invited" in again.get_data(as_text=True)

    # the invitation gives nothing yet; Robin sees it and accepts
    assert org_id not in robin.me()["organisation_ids"]
    mine = robin.get("/memberships")
    assert mine.status_code == 200
    html = mine.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Fictional Consent Primary" in html and "Accept" in html and "Decline" in html
    membership_id = html.split("/memberships/")[1].split("/accept")[0]
    r = robin.post(f"/memberships/{membership_id}/accept", {}, page="/memberships")
    assert r.status_code == 302
    assert org_id in robin.me()["organisation_ids"]
    html = robin.get("/memberships").get_data(as_text=True)
    assert "Leave this organisation" in html
    members = admin.get(f"/organisations/{org_id}/memberships").get_data(as_text=True)
    assert "badge-active" in members

    # someone else cannot accept or leave it
    stranger = Visitor(world, "Sam Stranger")
    assert stranger.post(f"/memberships/{membership_id}/leave", {}, page="/memberships").status_code == 404
    assert stranger.get(f"/organisations/{org_id}/memberships").status_code == 404

    r = robin.post(f"/memberships/{membership_id}/leave", {}, page="/memberships")
    assert r.status_code == 302
    assert org_id not in robin.me()["organisation_ids"]
    assert "Declined and ended" in robin.get("/memberships").get_data(as_text=True)


def test_a_declined_invitation_and_the_links_to_the_pages(world):
    admin = Visitor(world, "Bea Admin")
    org_id = _org(admin, "Fictional Decline School")
    kit = Visitor(world, "Kit Parent")
    # the organisation page's own form invites by email too
    r = admin.post(
        f"/organisations/{org_id}/members",
        {"email": kit.email, "role": "staff"},
        page=f"/organisations/{org_id}",
    )
    assert r.status_code == 302
    org_page = admin.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert f"/organisations/{org_id}/memberships" in org_page and "Invite a member" in org_page
    account = kit.get("/account").get_data(as_text=True)
    assert 'href="/memberships"' in account
    html = kit.get("/memberships").get_data(as_text=True)
    membership_id = html.split("/memberships/")[1].split("/decline")[0].split("/accept")[0]
    assert kit.post(f"/memberships/{membership_id}/decline", {}, page="/memberships").status_code == 302
    assert org_id not in kit.me()["organisation_ids"]
    assert "badge-declined" in kit.get("/memberships").get_data(as_text=True)
