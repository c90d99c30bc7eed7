"""The public catalogue: courses, roles, package types, the price book and organisation kinds.
The rows come from the price book's tables (dicts); a placeholder price says so."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from imatter_shared.contract.packages import LICENCE_REQUIREMENT

from ...rules import licences as licence_rules
from ...rules.catalogue import PLACEHOLDER, PUBLISHED
from ...rules.roles import role_row
from ...services import price_book
from .base import Int, Opt, Out, Str, When, page_of


class CourseOut(Out):
    code = Str()
    level = Int()
    title = Str()
    price = Int()
    unit = Str()
    kind = Str()
    online_account = fields.Boolean()
    currency = fields.Constant("GBP")
    # the rows are the price book's dicts: a fee the seeds do not publish says so
    placeholder = fields.Function(lambda c: bool(c.get("placeholder")), metadata={"type": "boolean"})
    placeholder_label = Str()
    price_status = fields.Function(
        lambda c: PLACEHOLDER if c.get("placeholder") else PUBLISHED,
        metadata={"type": "string", "description": "published | placeholder"},
    )


class RoleRequirementOut(Out):
    code = Str()
    title = Str()
    kind = Str()
    price = Int()
    quantity = Int()
    currency = Str()
    placeholder = fields.Boolean()
    placeholder_label = Str()


class RoleOut(Out):
    """A role of the price book with its requirements priced (rules.roles.role_row, which the
    pathway estimate reads too)."""

    code = Str()
    title = Str()
    level = Opt()
    requirements = fields.List(fields.Nested(RoleRequirementOut))
    practicum_package_type = Opt(fields.Integer)
    enables = fields.List(fields.String())
    price = Int(metadata={"description": "what the role's items cost together"})
    currency = Str()

    @pre_dump
    def _priced(self, role, **kw):
        return role_row(role)


class PackageTypeOut(Out):
    type = Int()
    title = Str()
    purpose = Str()
    online_accounts = Int()
    tracker_uses_per_case = Int()
    tracker_uses = Int()
    price = Int()
    price_per_person = Int()
    contents = fields.List(fields.String())
    use_requires = fields.List(fields.String())
    excludes = fields.List(fields.String())
    # sold only under an active Enhanced Practice Licence
    requires = fields.Constant([LICENCE_REQUIREMENT], metadata={"type": "array", "items": {"type": "string"}})
    currency = fields.Constant("GBP")
    placeholder = fields.Function(lambda p: bool(p.get("placeholder")), metadata={"type": "boolean"})
    placeholder_label = Str()


class PriceBookOut(Out):
    """One version of the price book: the size bands, seat tiers and fees, and the catalogue
    (`courses`, `roles`, `requirement_titles`, `package_types`, `products`) it prices. Views give
    a `price_book.Book` (its version number and data)."""

    version = Int()
    currency = Str()
    size_bands = fields.List(fields.Dict())
    seat_bundle_tiers = fields.List(fields.Dict())
    transfer_top_up_fee = Int()
    affiliate_percentage = fields.Raw(metadata={"type": "number"})
    placeholder = fields.Boolean()
    notice = Str()
    courses = fields.List(fields.Dict())
    requirement_titles = fields.Dict(keys=fields.String(), values=fields.String())
    roles = fields.List(fields.Dict())
    package_types = fields.List(fields.Dict())
    products = fields.List(fields.Dict())
    licences = fields.Function(
        lambda book: [licence_rules.public_terms(t) for t in licence_rules.TYPES],
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "each licence type's public terms",
        },
    )
    created_at = When()

    @pre_dump
    def _numbered(self, book, **kw):
        return {"version": book.number, **book.data, "created_at": price_book.published_at(book.number)}


class PolicyActionOut(Out):
    action = Str()
    description = Str()


class OrganisationKindsOut(Out):
    kinds = fields.List(fields.Dict(), metadata={"description": "{kind, holds, forbidden}"})
    actions = fields.List(fields.Nested(PolicyActionOut))


CoursePage = page_of(CourseOut)
RolePage = page_of(RoleOut)
PackageTypePage = page_of(PackageTypeOut)
