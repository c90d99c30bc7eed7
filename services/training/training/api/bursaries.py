"""Affiliate bursary funds: credited with the agreed percentage of online course fees paid by the
organisation's learners (and deposits), spent on places for those who cannot pay."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import ApiError, NotFound

from ..authz import caller, require_org_access, require_org_admin
from ..extensions import db
from ..models import Organisation
from ..services import bursaries as svc
from ..services import learning
from ..services.packages import get_org
from .common import PageArgs, page
from .idempotency import idempotent
from .schemas.bursaries import DepositOut, EntryOut, FundOut, PlaceOut

blp = Blueprint("bursaries", __name__, url_prefix="/api/v1/bursaries", description="Affiliate bursary funds")


class DepositIn(Schema):
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=v.Range(min=1, max=svc.MAX_DEPOSIT),
        metadata={"description": "Pence, at most 5,000,000 (£50,000) a deposit."},
    )
    note = fields.String(load_default=None, validate=v.Length(max=300))
    billed_to_organisation_id = fields.String(
        load_default=None,
        validate=v.Length(min=1, max=32),
        metadata={
            "description": "The commissioner organisation (one the caller administers) to invoice; "
            "by default the organisation itself when the caller is its admin."
        },
    )


class PlaceIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    course_code = fields.String(required=True, validate=v.Length(min=1, max=60))


@blp.route("/<organisation_id>")
@blp.arguments(PageArgs, location="query")
@blp.response(200, FundOut)
def fund(args, organisation_id):
    """Balance, the affiliate percentage in force, and the ledger (newest first)."""
    require_org_access(organisation_id)
    get_org(organisation_id)
    rows, total = svc.ledger_page(organisation_id, args["page"], args["per_page"])
    return {"organisation_id": organisation_id, "entries": page(rows, total, args)}


@blp.route("/<organisation_id>/deposits", methods=["POST"])
@idempotent(blp)
@blp.arguments(DepositIn)
@blp.response(201, DepositOut)
def deposit(data, organisation_id):
    """Order a deposit into the fund: by the organisation's admin, or by an admin of any
    commissioner organisation ("a commissioner organisation may fund bursary places in any
    organisation"; the order is then billed to the commissioner). Creates an order and invoice
    (`order_id`); the balance counts the deposit only once the invoice is paid (`pending` until then).
    The fund's `balance` and `pending` are in the answer only for its own admins and training admins."""
    org = get_org_for_deposit(organisation_id)
    c = caller()
    billed_to = _billed_to(c, org.id, data["billed_to_organisation_id"])
    e, order = svc.order_deposit(org.id, data["amount"], data["note"], c.user_id, billed_to)
    db.session.flush()  # committed by @idempotent, with the key's stored answer
    out = {
        **EntryOut().dump(e),
        "order_id": order.id,
        "billed_to_organisation_id": billed_to,
        "order": order,
    }
    if c.is_training_admin or org.id in c.admin_org_ids:  # a commissioner learns nothing of the fund
        out.update(balance=svc.balance(org.id), pending=svc.pending(org.id))
    return out


def _commissioner_admin_of(c) -> list[str]:
    """The commissioner organisations the caller administers."""
    if not c.admin_org_ids:
        return []
    return sorted(
        db.session.scalars(
            sa.select(Organisation.id).where(
                Organisation.id.in_(c.admin_org_ids), Organisation.kind == "commissioner"
            )
        )
    )


def get_org_for_deposit(organisation_id: str) -> Organisation:
    c = caller()
    org = db.session.get(Organisation, organisation_id)
    if org is not None and (
        c.is_training_admin or organisation_id in c.admin_org_ids or _commissioner_admin_of(c)
    ):
        return org
    if org is not None:
        log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


def _billed_to(c, organisation_id: str, asked: str | None) -> str:
    commissioners = _commissioner_admin_of(c)
    if asked:
        if asked == organisation_id and (organisation_id in c.admin_org_ids or c.is_training_admin):
            return asked
        if asked in commissioners:
            return asked
        raise ApiError(
            "You may bill only this organisation or a commissioner organisation you administer.",
            400,
            errors={"billed_to_organisation_id": ["Not an organisation you may bill."]},
        )
    if organisation_id in c.admin_org_ids or c.is_training_admin:
        return organisation_id
    return commissioners[0]


@blp.route("/<organisation_id>/places", methods=["POST"])
@blp.arguments(PlaceIn)
@blp.response(201, PlaceOut)
def place(data, organisation_id):
    """Spend a place from the fund: an enrolment funded by the bursary (409 when the fund is short)."""
    c = require_org_admin(organisation_id)
    get_org(organisation_id)
    made = learning.enrol(
        {
            "person_id": data["person_id"],
            "course_code": data["course_code"],
            "funding": "bursary",
            "organisation_id": organisation_id,
        },
        c.user_id,
    )
    db.session.commit()
    made.fund_balance = svc.balance(organisation_id)
    return made
