"""The bursary fund of an organisation: balance, ledger, deposits and places."""

from __future__ import annotations

from marshmallow import fields

from .base import Int, Opt, Out, Str, When, page_of
from .learning import EnrolmentMadeOut
from .orders import OrderOut


class EntryOut(Out):
    id = Str()
    kind = Str()
    state = Str()
    amount = Int()
    currency = fields.Constant("GBP")
    order_id = Opt()
    person_id = Opt()
    enrolment_id = Opt()
    percentage = fields.Raw(allow_none=True, metadata={"type": "number"})
    note = Opt()
    created_at = When()


class FundOut(Out):
    organisation_id = Str()
    balance = Int()
    pending = Int(metadata={"description": "deposits ordered, not yet paid"})
    currency = Str()
    affiliate = fields.Boolean()
    affiliate_percentage = fields.Raw(metadata={"type": "number"})
    percentage_source = Str()
    entries = fields.Nested(page_of(EntryOut, "BursaryEntryPage"))


class DepositOut(EntryOut):
    """The deposit ordered with its order; `balance` and `pending` for the fund's own admins and
    training admins only (a commissioner learns nothing of the fund)."""

    billed_to_organisation_id = Opt()
    order = fields.Nested(OrderOut)
    balance = Int()
    pending = Int()


class PlaceOut(EnrolmentMadeOut):
    fund_balance = Int()
