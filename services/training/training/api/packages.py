"""Microproject packages bought for a practitioner of an organisation."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.contract import packages as contract
from imatter_shared.web.api import Blueprint
from imatter_shared.web.errors import NotFound

from ..authz import may_buy_package, require_org_access, require_org_admin
from ..extensions import db
from ..models import Package
from ..services import packages as svc
from .common import PageArgs, page, paged
from .idempotency import idempotent
from .schemas.packages import GrantOut, GrantPage, PackageOut, PackagePage, PackagePurchasedOut

blp = Blueprint("packages", __name__, url_prefix="/api/v1", description="Microproject packages")


class PackageIn(Schema):
    type = fields.Integer(
        required=True, strict=True, validate=v.Range(min=contract.TYPE_MIN, max=contract.TYPE_MAX)
    )
    practitioner_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    funding = fields.String(required=True, validate=v.OneOf(svc.FUNDINGS))
    fund_award_id = fields.String(load_default=None, validate=v.Length(min=1, max=100))


class AccountIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


@blp.route("/organisations/<organisation_id>/packages", methods=["POST"])
@idempotent(blp)
@blp.arguments(PackageIn)
@blp.response(201, PackagePurchasedOut)
def buy(data, organisation_id):
    """Buy a package for a practitioner: needs the organisation's active Enhanced Practice Licence
    (409 `unmet: ["enhanced_licence"]`); emits `training.package.purchased`."""
    c = may_buy_package(organisation_id, data["practitioner_id"], data["funding"])
    return svc.purchase(organisation_id, data, c.user_id)  # committed by @idempotent


@blp.route("/organisations/<organisation_id>/packages")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PackagePage)
def of_org(args, organisation_id):
    require_org_access(organisation_id)
    svc.get_org(organisation_id)
    rows, total = svc.of_organisation(organisation_id, args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/organisations/<organisation_id>/packages/<package_id>")
@blp.response(200, PackageOut)
def one(organisation_id, package_id):
    require_org_access(organisation_id)
    p = db.session.get(Package, package_id)
    if p is None or p.organisation_id != organisation_id:
        raise NotFound("No package with that id.")
    return p


def _package(package_id: str):
    p = db.session.get(Package, package_id)
    if p is None:
        raise NotFound("No package with that id.")
    return p


@blp.route("/packages/<package_id>/accounts", methods=["POST"])
@blp.arguments(AccountIn)
@blp.response(201, GrantOut)
def assign_account(data, package_id):
    """The package's organisation admin lets an active member use one of the package's online
    L1-2 accounts (`funding: package` enrolments). The practitioner may always use them.
    409 `membership` for someone who is not an active member; 409 `package_account_assigned` twice."""
    p = _package(package_id)
    c = require_org_admin(p.organisation_id)
    g = svc.grant_account(p, data["person_id"], c.user_id)
    db.session.commit()
    return g


@blp.route("/packages/<package_id>/accounts", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, GrantPage)
def accounts(args, package_id):
    """Who may use the package's online accounts besides its practitioner (organisation admins)."""
    p = _package(package_id)
    require_org_admin(p.organisation_id)
    rows = svc.grants_of(p.id)
    return paged(rows, args)
