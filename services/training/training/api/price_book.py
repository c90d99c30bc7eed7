"""The price book: public read in the catalogue; training admins edit it, and every edit is a
new version (orders keep the version they were sold at)."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.contract import packages as contract
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import current_principal, public, require_roles
from imatter_shared.web.errors import ApiError, NotFound

from ..extensions import db
from ..rules import pricing
from ..services import price_book
from .conditional import NOT_MODIFIED
from .schemas.catalogue import PriceBookOut

blp = Blueprint(
    "price_book",
    __name__,
    url_prefix="/api/v1",
    description="Price book (size bands, licence fees, seats, courses, roles, package types)",
)

# Upper bounds keep every order total (up to 1,000 seats) inside a 32-bit integer column.
MAX_FEE = 100_000_000  # £1,000,000
MAX_SEAT_PRICE = 1_000_000  # £10,000 a seat


def Pence(maximum: int = MAX_FEE, **kw):
    return fields.Integer(required=True, strict=True, validate=v.Range(min=0, max=maximum), **kw)


class SizeBand(Schema):
    code = fields.String(required=True, validate=v.Regexp(r"^[a-z0-9_-]{1,40}$"))
    label = fields.String(required=True, validate=v.Length(min=1, max=200))
    staff_min = fields.Integer(load_default=None, allow_none=True, validate=v.Range(min=0))
    staff_max = fields.Integer(load_default=None, allow_none=True, validate=v.Range(min=0))
    starter_fee = Pence()
    cpd_fee = Pence()
    enhanced_fee = Pence()
    cpd_seats_included = Pence(maximum=100_000)
    placeholder = fields.Boolean(load_default=False)


class Tier(Schema):
    from_seat = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=100_000))
    unit_price = Pence(maximum=MAX_SEAT_PRICE)
    placeholder = fields.Boolean(load_default=False)
    label = fields.String(validate=v.Length(max=200))


Code = fields.String(required=True, validate=v.Regexp(r"^[a-z0-9_]{1,40}$"))
Text = lambda n=200, **kw: fields.String(validate=v.Length(min=1, max=n), **kw)  # noqa: E731


class Course(Schema):
    code = fields.String(required=True, validate=v.Regexp(r"^[a-z0-9_]{1,40}$"))
    level = fields.Integer(required=True, strict=True, validate=v.Range(min=0, max=5))
    title = Text(required=True)
    price = Pence()
    unit = Text(load_default="per person")
    kind = fields.String(required=True, validate=v.OneOf(pricing.COURSE_KINDS))
    online_account = fields.Boolean(required=True)
    placeholder = fields.Boolean(load_default=False)
    placeholder_label = fields.String(validate=v.Length(max=200))
    price_status = fields.String(validate=v.OneOf(["published", "placeholder"]))


class RoleRequirement(Schema):
    code = fields.String(required=True, validate=v.Regexp(r"^[a-z0-9_]{1,40}$"))
    quantity = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=100))


class Role(Schema):
    code = fields.String(required=True, validate=v.Regexp(r"^[a-z0-9_]{1,40}$"))
    title = Text(required=True)
    level = fields.String(load_default=None, allow_none=True, validate=v.Length(max=40))
    package_type = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=v.Range(min=contract.TYPE_MIN, max=contract.TYPE_MAX),
    )
    requirements = fields.List(
        fields.Nested(RoleRequirement), required=True, validate=v.Length(min=1, max=30)
    )
    enables = fields.List(Text(), load_default=list, validate=v.Length(max=30))


class PackageType(Schema):
    type = fields.Integer(
        required=True, strict=True, validate=v.Range(min=contract.TYPE_MIN, max=contract.TYPE_MAX)
    )
    title = Text(required=True)
    purpose = fields.String(load_default="", validate=v.Length(max=1000))
    online_accounts = fields.Integer(
        required=True, strict=True, validate=v.Range(min=0, max=pricing.MAX_ONLINE_ACCOUNTS)
    )
    tracker_uses_per_case = fields.Integer(
        required=True, strict=True, validate=v.Range(min=0, max=pricing.MAX_TRACKER_USES_PER_CASE)
    )
    tracker_uses = fields.Integer(strict=True, validate=v.Range(min=0, max=100))  # derived: per case x 3
    price = Pence()
    price_per_person = fields.Integer(strict=True, validate=v.Range(min=0))  # derived
    contents = fields.List(Text(), load_default=list, validate=v.Length(max=20))
    use_requires = fields.List(
        fields.String(
            validate=v.OneOf([contract.oversight_requirement(contract.OVERSEER_ROLE), "lead_oversight"])
        ),
        load_default=list,
    )
    excludes = fields.List(Text(), load_default=list, validate=v.Length(max=20))
    placeholder = fields.Boolean(load_default=False)
    placeholder_label = fields.String(validate=v.Length(max=200))


class Product(Schema):
    code = fields.String(required=True, validate=v.OneOf(price_book.PRODUCT_CODES))
    title = Text(required=True)
    price = Pence()
    placeholder = fields.Boolean(load_default=False)
    placeholder_label = fields.String(validate=v.Length(max=200))
    price_status = fields.String(validate=v.OneOf(["published", "placeholder"]))


class PriceBookIn(Schema):
    """Any field left out keeps its value from the current version."""

    currency = fields.String(validate=v.OneOf(["GBP"]))
    size_bands = fields.List(fields.Nested(SizeBand), validate=v.Length(min=1, max=50))
    seat_bundle_tiers = fields.List(fields.Nested(Tier), validate=v.Length(min=1, max=50))
    transfer_top_up_fee = fields.Integer(strict=True, validate=v.Range(min=0, max=MAX_SEAT_PRICE))
    affiliate_percentage = fields.Float(validate=v.Range(min=0, max=100))
    placeholder = fields.Boolean()
    notice = fields.String(validate=v.Length(max=1000))
    # the catalogue: each list, when sent, replaces the current one whole
    courses = fields.List(fields.Nested(Course), validate=v.Length(min=1, max=200))
    requirement_titles = fields.Dict(
        keys=fields.String(validate=v.Length(max=40)), values=fields.String(validate=v.Length(min=1, max=200))
    )
    roles = fields.List(fields.Nested(Role), validate=v.Length(min=1, max=20))
    package_types = fields.List(
        fields.Nested(PackageType), validate=v.Length(min=1, max=len(contract.PACKAGE_TYPES))
    )
    # products sold on their own (the I Matter Q registration consultation): rows sent replace
    # those of the same code
    products = fields.List(fields.Nested(Product), validate=v.Length(min=1, max=20))


@blp.route("/catalogue/price-book")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.response(200, PriceBookOut)
@public
def public_price_book():
    """Licence fees by size band, seat bundle tiers, transfer top-up fee, affiliate percentage,
    and what each licence includes and excludes. Placeholder values are labelled as such."""
    return price_book.Book(*price_book.current())


@blp.route("/price-book")
class AdminPriceBook(MethodView):
    @require_roles("training_admin")
    @blp.response(200, PriceBookOut)
    def get(self):
        return price_book.Book(*price_book.current())

    @require_roles("training_admin")
    @blp.arguments(PriceBookIn)
    @blp.response(200, PriceBookOut)
    def put(self, data):
        """Publish a new version (the old ones stay as they were). Besides size bands and seat
        tiers it holds the catalogue: `courses`, `roles` (requirements by code and quantity),
        `requirement_titles` and `package_types`; each list sent replaces the current one whole.
        A book that does not hold together is refused with 400 naming the field. Every version
        is announced to cic-tracker (`training.package_types.published`); orders keep the version
        they were sold at."""
        number, current = price_book.current()
        if "affiliate_percentage" in data and float(data["affiliate_percentage"]).is_integer():
            data["affiliate_percentage"] = int(data["affiliate_percentage"])
        merged = {**current, **data}
        if "size_bands" in data and "placeholder" not in data:
            merged["placeholder"] = False  # the labels now come from the bands the admin sent
        try:
            number, book = price_book.publish(merged, current_principal().user_id)
        except pricing.PriceBookError as exc:
            raise ApiError("The price book does not hold together.", 400, errors=exc.errors) from None
        db.session.commit()
        return price_book.Book(number, book)


@blp.route("/price-book/versions/<int:number>")
@require_roles("training_admin")
@blp.response(200, PriceBookOut)
def price_book_version(number):
    book = price_book.version(number)
    if book is None:
        raise NotFound("No price-book version with that number.")
    return price_book.Book(number, book)
