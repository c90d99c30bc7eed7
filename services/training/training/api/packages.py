"""Microproject packages bought for a practitioner of an organisation."""
from __future__ import annotations

from marshmallow import Schema, fields, validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound

from ..authz import caller, require_org_access
from ..extensions import db
from ..services import packages as svc
from ._people_common import PageArgs, page

blp = Blueprint("packages", __name__, url_prefix="/api/v1", description="Microproject packages")


class PackageIn(Schema):
    type = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=4))
    practitioner_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    funding = fields.String(required=True, validate=v.OneOf(svc.FUNDINGS))
    fund_award_id = fields.String(load_default=None, validate=v.Length(min=1, max=100))


def _may_buy(organisation_id: str, practitioner_id: str):
    """Admins of the organisation and training admins; a member may buy for themself."""
    c = caller()
    if c.is_training_admin or organisation_id in c.admin_org_ids:
        return c
    if organisation_id in c.member_org_ids and c.person_id == practitioner_id:
        return c
    log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


@blp.route("/organisations/<organisation_id>/packages", methods=["POST"])
@blp.arguments(PackageIn)
@blp.response(201)
def buy(data, organisation_id):
    """Buy a package for a practitioner: needs the organisation's active Enhanced Practice Licence
    (409 `unmet: ["enhanced_licence"]`); emits `training.package.purchased`."""
    c = _may_buy(organisation_id, data["practitioner_id"])
    out = svc.purchase(organisation_id, data, c.user_id)
    db.session.commit()
    return out


@blp.route("/organisations/<organisation_id>/packages")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def of_org(args, organisation_id):
    require_org_access(organisation_id)
    svc.get_org(organisation_id)
    rows, total = svc.of_organisation(organisation_id, args["page"], args["per_page"])
    return page([svc.package_json(p) for p in rows], total, args)


@blp.route("/organisations/<organisation_id>/packages/<package_id>")
@blp.response(200)
def one(organisation_id, package_id):
    require_org_access(organisation_id)
    p = db.session.get(svc.Package, package_id)
    if p is None or p.organisation_id != organisation_id:
        raise NotFound("No package with that id.")
    return svc.package_json(p)
