"""Microproject packages and the online accounts granted from them."""

from __future__ import annotations

from marshmallow import fields

from ...rules.catalogue import PACKAGE_TYPES_BY_TYPE
from ...services.packages import accounts_used
from .base import Computed, Int, Opt, Out, Str, When, page_of
from .orders import OrderOut


def _type(p):
    row = PACKAGE_TYPES_BY_TYPE.peek(p.type)  # read only: the shared row, not a deep copy per field
    if row is None:
        raise KeyError(p.type)
    return row


def _accounts_used(p) -> int:
    known = getattr(p, "online_accounts_used", None)  # a purchase's answer knows it (none yet)
    return accounts_used(p.id) if known is None else known


class PackageOut(Out):
    id = Str()
    organisation_id = Str()
    practitioner_id = Str()
    type = Int()
    title = Computed(lambda p: _type(p)["title"])
    price = Int()
    currency = fields.Constant("GBP")
    funding = Opt()
    fund_award_id = Opt()
    tracker_uses = Int()
    online_accounts = Int()
    online_accounts_used = Computed(_accounts_used, metadata={"type": "integer"})
    credits_left = Opt(fields.Integer)
    cases_count = Opt(fields.Integer)
    practicum_state = Opt()
    completed_at = When()
    use_requires = Computed(lambda p: list(_type(p)["use_requires"]), metadata={"type": "array"})
    excludes = Computed(lambda p: list(_type(p)["excludes"]), metadata={"type": "array"})
    order_id = Opt()
    state = Computed(
        lambda p: "cancelled" if p.cancelled_at else "active", metadata={"description": "active | cancelled"}
    )
    practitioner_licence_id = Opt()
    cancelled_at = When()
    created_at = When()


class PackagePurchasedOut(PackageOut):
    """The package just bought, with its order and invoice."""

    order = fields.Nested(OrderOut)


class GrantOut(Out):
    id = Str()
    package_id = Str()
    person_id = Str()
    created_at = When()


PackagePage = page_of(PackageOut)
GrantPage = page_of(GrantOut)
