"""Practitioner pathways, bookings, item completion and certifications."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.errors import Forbidden

from ..authz import is_self_or_training_admin, require_person_access
from ..extensions import db
from ..services import certification as svc
from .common import PageArgs, page, paged, require_training_admin, written_out
from .schemas.pathways import (
    BookingOut,
    CertificationOut,
    CertificationPage,
    ItemOut,
    ItemPage,
    ItemWithNamePage,
    PathwayOut,
    PathwayPage,
)

blp = Blueprint(
    "pathways", __name__, url_prefix="/api/v1", description="Practitioner pathways and certification"
)


class BookingIn(Schema):
    item = fields.String(required=True, validate=v.Length(min=1, max=40))
    quantity = fields.Integer(load_default=None, strict=True, validate=v.Range(min=1, max=10))
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    funding = fields.String(load_default=None, validate=v.OneOf(("organisation", "self", "fund_award")))
    fund_award_id = fields.String(load_default=None, validate=v.Length(min=1, max=100))


class ItemsArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(("booked", "completed")))
    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


def _may_book(c, person_id: str, role: str, data: dict) -> None:
    """Nobody is billed for what they did not choose: `funding: self` (also the default without an
    organisation) is booked by the person themself only; `funding: organisation` only by an admin
    of the organisation that pays (or a training admin), never by an ordinary member for
    themself. A person may use their own fund award."""
    is_self = c.person_id is not None and c.person_id == person_id
    req = svc.REQUIREMENTS.get(data["item"], {})
    if req.get("kind") not in ("item", "package"):
        return  # not bookable at all: the service answers 400 naming the item
    if req.get("kind") == "package":
        funding = data.get("funding") or "organisation"
    else:
        funding = data.get("funding") or ("organisation" if data.get("organisation_id") else "self")
    if funding == "self":
        if is_self:
            return
        raise Forbidden("Only the person themself may book with funding: self (they pay for it).")
    if c.is_training_admin or (is_self and funding != "organisation"):
        return
    org_id = data.get("organisation_id")
    if org_id is None:
        orgs = svc.member_org_ids(person_id)
        org_id = orgs[0] if len(orgs) == 1 else None
    if org_id is not None and org_id not in c.admin_org_ids:
        raise Forbidden("Only an admin of the organisation books what it pays for (funding: organisation).")


@blp.route("/people/<person_id>/pathways")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PathwayPage)
def all_pathways(args, person_id):
    require_person_access(person_id, org_may=True)
    svc.get_person(person_id)
    audit.record("read", "pathways", person_id)
    return paged([svc.pathway(person_id, role) for role in svc.ROLES_BY_CODE], args)


@blp.route("/people/<person_id>/pathways/<role>")
@blp.response(200, PathwayOut)
def pathway(person_id, role):
    """Each requirement met / in_progress / missing, and what the rest would cost (nothing twice)."""
    require_person_access(person_id, org_may=True)
    svc.get_person(person_id)
    out = svc.pathway(person_id, role)
    audit.record("read", "pathways", person_id)
    return out


@blp.route("/people/<person_id>/pathways/<role>/items", methods=["POST"])
@blp.arguments(BookingIn)
@blp.response(201, BookingOut)
def book(data, person_id, role):
    """Book a requirement: an order and invoice come with it. 409 with `unmet` when a prerequisite
    or oversight is missing, or the item is already met or booked (never charged twice)."""
    c = require_person_access(person_id, org_may=True)
    svc.get_person(person_id)
    _may_book(c, person_id, role, data)
    out = svc.book(person_id, role, data, c.user_id)
    if isinstance(out, dict):  # a package requirement: answered with the package bought
        audit.record("change", "package", out["id"])
    else:
        audit.record("change", "pathway_item", out.id)
    db.session.commit()
    return out


@blp.route("/people/<person_id>/pathway-items")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ItemPage)
def items_of(args, person_id):
    require_person_access(person_id, org_may=True)
    svc.get_person(person_id)
    rows = svc.items_of(person_id)
    audit.record("read", "pathway_items", person_id)
    return paged(rows, args)


@blp.route("/pathway-items")
@blp.arguments(ItemsArgs, location="query")
@blp.response(200, ItemWithNamePage)
def all_items(args):
    """Training admins: every booked or completed item (filter by `state`, `person_id`,
    `organisation_id`), oldest first, with the person's name (the completions page)."""
    require_training_admin()
    rows, total = svc.items_page(
        args["state"], args["person_id"], args["organisation_id"], args["page"], args["per_page"]
    )
    for person_id in sorted({it.person_id for it, _ in rows}):
        audit.record("read", "pathway_items", person_id)
    return page([{**ItemOut().dump(it), "person_name": name} for it, name in rows], total, args)


@blp.route("/pathway-items/<item_id>/completion", methods=["POST"])
@blp.response(200, ItemOut)
def complete(item_id):
    """A training admin marks a booked item done; a role is certified as soon as it is complete."""
    c = require_training_admin()
    out = svc.complete_item(item_id, c.user_id)
    audit.record("change", "pathway_item", item_id)
    db.session.commit()
    return out


class RecognitionIn(Schema):
    role = fields.String(
        required=True, validate=v.OneOf(("informed", "senior_link", "link", "child", "lead", "lead_plus"))
    )
    reason = fields.String(required=True, validate=[v.Length(max=300), written_out(5)])


@blp.route("/people/<person_id>/certifications", methods=["POST"])
@blp.arguments(RecognitionIn)
@blp.response(201, CertificationOut)
def recognise(data, person_id):
    """A training admin records a certification gained before or outside this system, with the
    reason: how I Matter Training's own team (the Lead Plus practitioners who oversee and sign off
    practicums) comes to be certified. Announced to cic-tracker like any certification."""
    c = require_training_admin()
    svc.get_person(person_id)
    cert = svc.recognise(person_id, data["role"], data["reason"], c.user_id)
    audit.record("change", "certification", cert.id)
    db.session.commit()
    return cert


@blp.route("/people/<person_id>/certifications")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CertificationPage)
def certifications(args, person_id):
    """The person's certifications (the person, a training admin, or an admin of an organisation
    they accepted membership of). Why one was withdrawn is the holder's and training admins'
    only: an organisation admin sees that it was withdrawn and when, not the reason."""
    c = require_person_access(person_id, org_may=True)
    svc.get_person(person_id)
    rows = svc.certifications_of(person_id)
    audit.record("read", "certifications", person_id)
    if not is_self_or_training_admin(c, person_id):
        rows = [CertificationOut(exclude=("withdrawal_reason",)).dump(row) for row in rows]
    return paged(rows, args)
