"""An organisation's admin ends a membership or withdraws an invitation (training POST
/api/v1/organisations/{id}/members/{member_id}/end): the person's seat is released; nothing is
deleted. The member leaving themself is on /memberships (pages/memberships.py). Training refuses
anyone but the organisation's admins (404/403); the refusal is shown on the members page."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for

from ..plumbing import api, bp, refusal, signed_in


@bp.post("/organisations/<org_id>/members/<member_id>/end")
@signed_in
def end_membership(org_id: str, member_id: str):
    r = api().post(f"/api/v1/organisations/{org_id}/members/{member_id}/end")
    if r.status == 404:
        abort(404)
    if r.ok:
        flash(
            "Membership ended: the person no longer counts for the organisation, and any seat is released.",
            "success",
        )
    else:
        flash(refusal(r), "error")
    return redirect(url_for("portal.organisation_members", org_id=org_id, _anchor="list"))
