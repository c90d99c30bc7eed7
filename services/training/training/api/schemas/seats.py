"""Seat quotes, purchases and transfers between organisations."""

from __future__ import annotations

from marshmallow import fields, missing

from ...extensions import db
from ...models import Order, Organisation
from ...services import seat_transfers
from .base import Computed, ComputedNested, Int, Opt, Out, Str, When, page_of
from .orders import OrderOut
from .organisations import SeatSummaryOut


class QuoteTierOut(Out):
    from_seat = Int()
    to_seat = Int()
    quantity = Int()
    unit_price = Int()
    amount = Int()


class SeatPriceOut(Out):
    seat = Int()
    unit_price = Int()


class SeatQuoteOut(Out):
    """What `count` extra seats cost now; the tiers follow the seats already bought this CPD
    licence year."""

    count = Int()
    price = Int()
    currency = Str()
    already_bought_this_year = Int()
    breakdown = fields.List(fields.Nested(SeatPriceOut))
    tiers = fields.List(fields.Nested(QuoteTierOut))
    price_book_version = Opt(fields.Integer)
    placeholder = fields.Boolean()


class SeatPurchaseOut(SeatQuoteOut):
    id = Str()
    organisation_id = Str()
    order_id = Str()
    order = fields.Nested(OrderOut)
    seats = fields.Nested(SeatSummaryOut)
    created_at = When()


class TopUpFeeOut(Out):
    unit_price = Int()
    price = Int()
    currency = Str()
    price_book_version = Opt(fields.Integer)
    placeholder = fields.Boolean()
    note = Str()


class TransferConsentOut(Out):
    given_by = Opt()
    given_at = When()


def _org_name(organisation_id):
    org = db.session.get(Organisation, organisation_id)
    return org.name if org else None


def _order(t):
    return db.session.get(Order, t.order_id) if t.order_id else None


def _top_up_fee(t):
    if t.order_id:
        return missing
    return {
        **seat_transfers.top_up_fee(t.count),
        "note": "A top-up fee may apply: invoiced to the receiving organisation if the transfer is approved.",
    }


class TransferOut(Out):
    """A seat transfer request. Once approved it carries its `order` (the top-up fee invoiced to
    the receiver: `price`, `currency`); before, `top_up_fee` says what may apply."""

    id = Str()
    state = Str(metadata={"description": "requested | approved | refused"})
    from_organisation_id = Str()
    from_organisation_name = Computed(
        lambda t: _org_name(t.from_organisation_id), metadata={"type": "string", "nullable": True}
    )
    to_organisation_id = Str()
    to_organisation_name = Computed(
        lambda t: _org_name(t.to_organisation_id), metadata={"type": "string", "nullable": True}
    )
    count = Int()
    requested_by = Opt(attribute="created_by")
    requested_at = When(attribute="created_at")
    decided_by = Opt()
    decided_at = When()
    reason = Opt()
    consent = ComputedNested(
        TransferConsentOut,
        lambda t: (
            {"given_by": t.consent_given_by, "given_at": t.consent_given_at}
            if t.state == "approved"
            else None
        ),
        allow_none=True,
    )
    order_id = Opt()
    price = Computed(lambda t: _order(t).total if t.order_id else missing, metadata={"type": "integer"})
    currency = Computed(lambda t: _order(t).currency if t.order_id else missing, metadata={"type": "string"})
    order = ComputedNested(OrderOut, lambda t: _order(t) if t.order_id else missing)
    top_up_fee = ComputedNested(TopUpFeeOut, _top_up_fee)


TransferPage = page_of(TransferOut)
