"""An organisation's admin ends a membership (or withdraws an invitation) from the members page
(portal coverage gap of issue 21; training POST /api/v1/organisations/{id}/members/{id}/end).
Through the Flask test client against the real training app: the person no longer counts for the
organisation; a member who is not an admin sees no such button and is refused."""

from __future__ import annotations

import importlib.util
import pathlib
import re

_spec = importlib.util.spec_from_file_location(
    "_portal_world_me", pathlib.Path(__file__).with_name("test_gateway_portal_memberships.py")
)
_m = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_m)
Visitor, one_h1_and_labels, world, _org = _m.Visitor, _m.one_h1_and_labels, _m.world, _m._org


def test_an_admin_ends_a_membership_and_withdraws_an_invitation(world):
    admin = Visitor(world, "Ada Admin")
    org_id = _org(admin, "Fictional Ending Primary")
    robin, sam = Visitor(world, "Robin Teacher"), Visitor(world, "Sam Invited")
    for v in (robin, sam):
        assert (
            admin.post(
                f"/organisations/{org_id}/memberships", {"email": v.email, "role": "teacher"}
            ).status_code
            == 302
        )
    html = robin.get("/memberships").get_data(as_text=True)
    membership_id = html.split("/memberships/")[1].split("/accept")[0]
    assert robin.post(f"/memberships/{membership_id}/accept", {}, page="/memberships").status_code == 302
    assert org_id in robin.me()["organisation_ids"]

    page = admin.get(f"/organisations/{org_id}/memberships").get_data(as_text=True)
    one_h1_and_labels(page)
    assert "End the membership" in page and "Withdraw the invitation" in page
    # a member (not an admin) sees no button and is refused
    assert "End the membership" not in robin.get(f"/organisations/{org_id}/memberships").get_data(
        as_text=True
    )
    assert f"/organisations/{org_id}/members/{membership_id}/end" in page
    r = robin.post(f"/organisations/{org_id}/members/{membership_id}/end", {}, page="/memberships")
    assert r.status_code in (403, 404) and org_id in robin.me()["organisation_ids"]

    r = admin.post(
        f"/organisations/{org_id}/members/{membership_id}/end",
        {},
        page=f"/organisations/{org_id}/memberships",
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("#list")
    assert org_id not in robin.me()["organisation_ids"]
    html = admin.get(f"/organisations/{org_id}/memberships").get_data(as_text=True)
    assert "Membership ended" in html
    # the invitation too: withdrawn, it can no longer be accepted
    assert "/accept" in sam.get("/memberships").get_data(as_text=True)
    page = admin.get(f"/organisations/{org_id}/memberships").get_data(as_text=True)
    row = next(r for r in page.split("<tr>") if sam.email in r)
    invitation_id = re.search(rf"/organisations/{org_id}/members/([^/\"]+)/end", row).group(1)
    r = admin.post(
        f"/organisations/{org_id}/members/{invitation_id}/end",
        {},
        page=f"/organisations/{org_id}/memberships",
    )
    assert r.status_code == 302
    assert "/accept" not in sam.get("/memberships").get_data(as_text=True)
    assert org_id not in sam.me()["organisation_ids"]
