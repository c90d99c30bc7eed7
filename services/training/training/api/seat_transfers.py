"""Seat transfers outside an organisation: requested by the sending organisation's admin
(POST /api/v1/organisations/{id}/seats/transfers), approved or refused by a training admin.
On approval the seats move and the top-up fee (price book) is invoiced to the receiver."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal, require_auth, require_roles
from imatter_shared.web.errors import NotFound
from imatter_shared.web.paging import PageArgs, page

from ..authz import caller
from ..extensions import db
from ..services import seat_transfers
from .schemas.seats import TransferOut, TransferPage

blp = Blueprint(
    "seat_transfers",
    __name__,
    url_prefix="/api/v1/seat-transfers",
    description="Seat transfers between organisations: requests and I Matter Training's decision",
)

STATES = ("requested", "approved", "refused")


class TransferListArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(STATES))


class RefuseIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=v.Length(max=500))


def _visible(transfer_id: str):
    c = caller()
    t = seat_transfers.get_transfer(transfer_id)
    if t is not None and (
        c.is_training_admin
        or t.from_organisation_id in c.admin_org_ids
        or t.to_organisation_id in c.admin_org_ids
    ):
        return t
    if t is not None:
        log_refusal("seat_transfer", transfer_id)
    raise NotFound("No seat transfer with that id.")


@blp.route("")
@require_auth
@blp.arguments(TransferListArgs, location="query")
@blp.response(200, TransferPage)
def list_transfers(args):
    """Transfer requests, newest first, optionally by `state`: every one for a training admin,
    otherwise those from or to organisations the caller administers."""
    c = caller()
    scope = None if c.is_training_admin else set(c.admin_org_ids)
    rows, total = seat_transfers.list_transfers(args["state"], scope, args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/<transfer_id>")
@require_auth
@blp.response(200, TransferOut)
def one_transfer(transfer_id):
    return _visible(transfer_id)


@blp.route("/<transfer_id>/approve", methods=["POST"])
@require_roles("training_admin")
@blp.response(200, TransferOut)
def approve(transfer_id):
    """I Matter Training's consent (training admin): the seats move and the top-up fee is
    invoiced to the receiving organisation, in one transaction. 409 `transfer_requested` when
    already decided, `seats_available` when the sender no longer has the seats."""
    t = seat_transfers.approve_transfer(_visible(transfer_id), caller().user_id)
    db.session.commit()
    return t


@blp.route("/<transfer_id>/refuse", methods=["POST"])
@require_roles("training_admin")
@blp.arguments(RefuseIn)
@blp.response(200, TransferOut)
def refuse(data, transfer_id):
    """Refuse the request (training admin), with an optional `reason`; nothing moves."""
    t = seat_transfers.refuse_transfer(_visible(transfer_id), caller().user_id, data["reason"])
    db.session.commit()
    return t
