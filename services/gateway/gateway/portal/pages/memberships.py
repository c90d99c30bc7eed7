"""Portal pages for membership by consent (second contract, "Accounts and consent"):

- "My invitations and memberships" (GET /api/v1/memberships): accept or decline an invitation,
  leave an organisation (POST /api/v1/memberships/{id}/accept, /decline, /leave);
- an organisation's members and invitations with their state, and the invitation form (by email
  or by person id, with a role from the closed list) for its admins.

An invitation gives the organisation nothing until the person accepts: the pages say so.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from .. import reference
from ..forms import FormState, text
from ..plumbing import api, bp, me, signed_in, soft
from ..reads import org_or_404

# what an organisation sees of a member who accepted (DOMAIN "Consent and identity")
SHARES = ("your name", "your practitioner roles", "your pathway and certification status")
NEVER = ("your email preferences", "your practitioner licence ideas", "invoices to you")


# -- my invitations and memberships ------------------------------------------------------------


@bp.get("/memberships")
@signed_in
def memberships():
    user = me()
    r = soft(lambda: api().get("/api/v1/memberships", per_page=100))
    items = r.items() if r else None
    groups = {"invited": [], "active": [], "past": []}
    for m in items or []:
        groups[
            "invited" if m["state"] == "invited" else "active" if m["state"] == "active" else "past"
        ].append(m)
    return render_template(
        "portal/memberships.html",
        title="My invitations and memberships",
        user=user,
        items=items,
        groups=groups,
        shares=SHARES,
        never=NEVER,
    )


def _act(membership_id: str, action: str, done: str):
    r = api().post(f"/api/v1/memberships/{membership_id}/{action}")
    if r.status == 404:
        abort(404)
    if r.ok:
        flash(done, "success")
    else:
        flash(r.detail, "error")
    return redirect(url_for("portal.memberships"))


@bp.post("/memberships/<membership_id>/accept")
@signed_in
def accept_membership(membership_id: str):
    return _act(membership_id, "accept", "Invitation accepted: you are now a member.")


@bp.post("/memberships/<membership_id>/decline")
@signed_in
def decline_membership(membership_id: str):
    return _act(membership_id, "decline", "Invitation declined. The organisation sees nothing of you.")


@bp.post("/memberships/<membership_id>/leave")
@signed_in
def leave_membership(membership_id: str):
    return _act(membership_id, "leave", "You have left the organisation.")


# -- an organisation's members and invitations ------------------------------------------------


def _render_members(org_id: str, form: FormState | None = None, status: int = 200):
    org = org_or_404(org_id)
    r = soft(lambda: api().get(f"/api/v1/organisations/{org_id}/members", per_page=100))
    # only the organisation's admins (and training admins) may read its orders: that answers who may invite
    is_admin = soft(lambda: api().get(f"/api/v1/organisations/{org_id}/orders", per_page=1)) is not None
    return render_template(
        "portal/organisation_members.html",
        title=f"Members · {org.get('name')}",
        org=org,
        members=r.items() if r else None,
        form=form or FormState({"role": "staff"}),
        roles=reference.membership_roles() or [],
        is_admin=is_admin,
        shares=SHARES,
    ), status


@bp.get("/organisations/<org_id>/memberships")
@signed_in
def organisation_members(org_id: str):
    return _render_members(org_id)


@bp.post("/organisations/<org_id>/memberships")
@signed_in
def invite_member(org_id: str):
    """Invite by email (or a person id); the person accepts on their "My invitations" page."""
    email, person_id, role = text("email", 254), text("person_id", 64), text("role", 40)
    form = FormState({"email": email, "person_id": person_id, "role": role})
    roles = reference.membership_roles()
    if roles is not None and role not in {code for code, _ in roles}:  # training checks it too
        form.add("role", "Choose a role from the list.")
    if bool(email) == bool(person_id):
        form.add("email", "Enter the email address to invite (or a person id, not both).")
    if form.failed:
        return _render_members(org_id, form, 400)
    body = {"role": role, **({"email": email} if email else {"person_id": person_id})}
    r = api().post(f"/api/v1/organisations/{org_id}/members", body)
    if r.status == 404 and not r.errors:
        abort(404)
    if not r.ok:
        return _render_members(
            org_id, form.from_result(r), 409 if r.status == 409 else 400 if r.status < 500 else 503
        )
    state = (r.data or {}).get("state")
    flash(
        "Invitation sent: it counts for nothing until they accept."
        if state == "invited"
        else "You are now a member.",
        "success",
    )
    return redirect(url_for("portal.organisation_members", org_id=org_id))
