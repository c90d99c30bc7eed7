"""The bursary fund of an organisation: balance, ledger, deposits and places."""

from __future__ import annotations

from marshmallow import fields

from ...services import bursaries
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
    """An organisation's fund: the view gives `organisation_id` and a page of `entries`; the
    balance, pending deposits and the affiliate percentage in force are read here."""

    organisation_id = Str()
    balance = fields.Function(lambda f: bursaries.balance(f["organisation_id"]), metadata={"type": "integer"})
    pending = fields.Function(
        lambda f: bursaries.pending(f["organisation_id"]),
        metadata={"type": "integer", "description": "deposits ordered, not yet paid"},
    )
    currency = fields.Constant("GBP")
    affiliate = fields.Function(
        lambda f: bursaries.is_affiliate(f["organisation_id"]), metadata={"type": "boolean"}
    )
    affiliate_percentage = fields.Function(
        lambda f: bursaries.affiliate_percentage()[0], metadata={"type": "number"}
    )
    percentage_source = fields.Function(
        lambda f: bursaries.affiliate_percentage()[1], metadata={"type": "string"}
    )
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
