"""Affiliate bursary funds: credited with the agreed percentage of online course fees paid by the
organisation's learners (and deposits), spent on places for those who cannot pay."""
from __future__ import annotations

from marshmallow import Schema, fields, validate as v

from imatter_shared.web.api import Blueprint

from ..authz import require_org_access, require_org_admin
from ..extensions import db
from ..services import bursary as svc, learning
from ..services.packages import get_org
from ._people_common import PageArgs

blp = Blueprint("bursaries", __name__, url_prefix="/api/v1/bursaries", description="Affiliate bursary funds")


class DepositIn(Schema):
    amount = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=100_000_000))
    note = fields.String(load_default=None, validate=v.Length(max=300))


class PlaceIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    course_code = fields.String(required=True, validate=v.Length(min=1, max=60))


@blp.route("/<organisation_id>")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def fund(args, organisation_id):
    """Balance, the affiliate percentage in force, and the ledger (newest first)."""
    require_org_access(organisation_id)
    get_org(organisation_id)
    return svc.fund_json(organisation_id, args["page"], args["per_page"])


@blp.route("/<organisation_id>/deposits", methods=["POST"])
@blp.arguments(DepositIn)
@blp.response(201)
def deposit(data, organisation_id):
    """Money paid into the fund (e.g. by a commissioner or grant body)."""
    c = require_org_admin(organisation_id)
    get_org(organisation_id)
    e = svc.deposit(organisation_id, data["amount"], data["note"], c.user_id)
    db.session.commit()
    return {**svc.entry_json(e), "balance": svc.balance(organisation_id)}


@blp.route("/<organisation_id>/places", methods=["POST"])
@blp.arguments(PlaceIn)
@blp.response(201)
def place(data, organisation_id):
    """Spend a place from the fund: an enrolment funded by the bursary (409 when the fund is short)."""
    c = require_org_admin(organisation_id)
    get_org(organisation_id)
    out = learning.enrol({"person_id": data["person_id"], "course_code": data["course_code"], "funding": "bursary",
                          "organisation_id": organisation_id}, c.user_id)
    db.session.commit()
    return {**out, "fund_balance": svc.balance(organisation_id)}
