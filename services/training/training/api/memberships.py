"""The member's side of memberships: my memberships and invitations, accept, decline, leave.

A membership is an invitation until the person accepts it (DOMAIN "Consent and identity").
Invitations are addressed to a person or to an email; the caller sees those to their own person
and, once their email is verified, those to that email or to an unclaimed person carrying it."""

from __future__ import annotations

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth
from imatter_shared.web.paging import PageArgs, page

from ..authz import caller, require_verified
from ..extensions import db
from ..services import memberships
from .schemas.memberships import MyMembershipOut, MyMembershipPage

blp = Blueprint(
    "memberships",
    __name__,
    url_prefix="/api/v1/memberships",
    description="The caller's memberships and invitations: accept, decline, leave",
)


@blp.route("")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, MyMembershipPage)
def mine(args):
    """The caller's own memberships in every state (invited, active, declined, ended), newest first."""
    rows, total = memberships.my_memberships(caller(), args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/<membership_id>")
@require_auth
@blp.response(200, MyMembershipOut)
def one(membership_id):
    return memberships.my_membership(caller(), membership_id)


@blp.route("/<membership_id>/accept", methods=["POST"])
@require_auth
@blp.response(200, MyMembershipOut)
def accept(membership_id):
    """Accept an invitation (verified accounts only): links or creates the caller's person when
    needed; the membership becomes `active`. Someone else's invitation -> 404."""
    c = require_verified()
    m = memberships.accept(c, memberships.my_membership(c, membership_id))
    db.session.commit()
    return m


@blp.route("/<membership_id>/decline", methods=["POST"])
@require_auth
@blp.response(200, MyMembershipOut)
def decline(membership_id):
    """Decline an invitation (verified accounts only); the organisation learns nothing more."""
    c = require_verified()
    m = memberships.decline(memberships.my_membership(c, membership_id))
    db.session.commit()
    return m


@blp.route("/<membership_id>/leave", methods=["POST"])
@require_auth
@blp.response(200, MyMembershipOut)
def leave(membership_id):
    """End your own active membership (`state: ended`); your seat goes back to the organisation."""
    c = caller()
    m = memberships.leave(c, memberships.my_membership(c, membership_id))
    db.session.commit()
    return m
