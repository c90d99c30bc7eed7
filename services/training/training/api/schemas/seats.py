"""Seat quotes, purchases and transfers between organisations."""

from __future__ import annotations

from marshmallow import fields

from .base import Int, Opt, Out, Str, When, page_of
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


class TransferOut(Out):
    """A seat transfer request. Once approved it carries its `order` (the top-up fee invoiced to
    the receiver: `price`, `currency`); before, `top_up_fee` says what may apply."""

    id = Str()
    state = Str(metadata={"description": "requested | approved | refused"})
    from_organisation_id = Str()
    from_organisation_name = Opt()
    to_organisation_id = Str()
    to_organisation_name = Opt()
    count = Int()
    requested_by = Opt()
    requested_at = When()
    decided_by = Opt()
    decided_at = When()
    reason = Opt()
    consent = fields.Nested(TransferConsentOut, allow_none=True)
    order_id = Opt()
    price = Int()
    currency = Str()
    order = fields.Nested(OrderOut)
    top_up_fee = fields.Nested(TopUpFeeOut)


TransferPage = page_of(TransferOut)
