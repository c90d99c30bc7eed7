"""Pathways to a role, the items booked on them and certifications."""

from __future__ import annotations

from marshmallow import fields

from ...rules.roles import ROLES_BY_CODE
from .base import Computed, Int, Opt, Out, Str, When, page_of
from .orders import OrderOut
from .packages import PackagePurchasedOut


class RequirementOut(Out):
    code = Str()
    title = Str()
    kind = Str()
    status = Str(metadata={"description": "met | in_progress | missing"})
    quantity = Int()
    price = Int()
    charge = Int(metadata={"description": "what meeting it would still cost (nothing twice)"})
    currency = Str()
    placeholder = fields.Boolean()
    placeholder_label = Str()
    courses_needed = fields.List(fields.String(), metadata={"description": "L1-2 requirements only"})


class PathwayOut(Out):
    person_id = Str()
    role = Str()
    title = Str()
    requirements = fields.List(fields.Nested(RequirementOut))
    remaining_cost = Int()
    currency = Str()
    placeholder = fields.Boolean()
    placeholder_label = Str()
    certified = fields.Boolean()
    complete = fields.Boolean()


class ItemOut(Out):
    id = Str()
    person_id = Str()
    item = Str()
    role = Str()
    state = Str()
    quantity = Int()
    price = Int()
    currency = fields.Constant("GBP")
    organisation_id = Opt()
    order_id = Opt()
    created_at = When()
    completed_at = When()


class ItemWithNameOut(ItemOut):
    person_name = Opt()


class BookingOut(ItemOut):
    """The item booked with its order; a package requirement answers with the package bought."""

    order = fields.Nested(OrderOut, allow_none=True)
    package = fields.Nested(PackagePurchasedOut)


class CertificationOut(Out):
    id = Str()
    person_id = Str()
    role = Str()
    title = Computed(lambda c: ROLES_BY_CODE[c.role]["title"], metadata={"type": "string"})
    organisation_id = Opt()
    status = Str()
    certified_at = When()
    basis = Computed(lambda c: c.basis or "pathway", metadata={"type": "string"})
    reason = Opt()
    withdrawn_at = When()
    # the holder's and training admins' only: left out for an organisation admin
    withdrawal_reason = Opt(
        metadata={"description": "why it was withdrawn; only to the holder and training admins"}
    )
    credential_id = Computed(
        lambda c: c.credential.id if c.credential else None,
        metadata={"type": "string", "nullable": True, "description": "its Open Badges credential"},
    )


PathwayPage = page_of(PathwayOut)
ItemPage = page_of(ItemOut)
ItemWithNamePage = page_of(ItemWithNameOut, "PathwayItemWithNamePage")
CertificationPage = page_of(CertificationOut)
