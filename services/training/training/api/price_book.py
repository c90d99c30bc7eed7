"""The price book: public read in the catalogue; training admins edit it, and every edit is a
new version (orders keep the version they were sold at)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import current_principal, require_roles
from imatter_shared.web.errors import ApiError, NotFound

from ..extensions import db
from ..rules import pricing
from ..services import price_book

blp = Blueprint("price_book", __name__, url_prefix="/api/v1", description="Price book (size bands, licence fees, seats)")

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


class PriceBookIn(Schema):
    """Any field left out keeps its value from the current version."""
    currency = fields.String(validate=v.OneOf(["GBP"]))
    size_bands = fields.List(fields.Nested(SizeBand), validate=v.Length(min=1, max=50))
    seat_bundle_tiers = fields.List(fields.Nested(Tier), validate=v.Length(min=1, max=50))
    transfer_top_up_fee = fields.Integer(strict=True, validate=v.Range(min=0, max=MAX_SEAT_PRICE))
    affiliate_percentage = fields.Float(validate=v.Range(min=0, max=100))
    placeholder = fields.Boolean()
    notice = fields.String(validate=v.Length(max=1000))


@blp.route("/catalogue/price-book")
@blp.response(200)
def public_price_book():
    """Licence fees by size band, seat bundle tiers, transfer top-up fee, affiliate percentage,
    and what each licence includes and excludes. Placeholder values are labelled as such."""
    return price_book.book_json(*price_book.current())


@blp.route("/price-book")
class AdminPriceBook(MethodView):
    @require_roles("training_admin")
    @blp.response(200)
    def get(self):
        return price_book.book_json(*price_book.current())

    @require_roles("training_admin")
    @blp.arguments(PriceBookIn)
    @blp.response(200)
    def put(self, data):
        """Publish a new version (the old ones stay as they were)."""
        number, current = price_book.current()
        if "affiliate_percentage" in data and float(data["affiliate_percentage"]).is_integer():
            data["affiliate_percentage"] = int(data["affiliate_percentage"])
        merged = {**current, **data}
        if "size_bands" in data and "placeholder" not in data:
            merged["placeholder"] = False  # the labels now come from the bands the admin sent
        try:
            number, book = price_book.publish(merged, current_principal().user_id)
        except pricing.PriceBookError as exc:
            raise ApiError("The price book does not hold together.", 400, errors=exc.errors)
        db.session.commit()
        return price_book.book_json(number, book)


@blp.route("/price-book/versions/<int:number>")
@require_roles("training_admin")
@blp.response(200)
def price_book_version(number):
    book = price_book.version(number)
    if book is None:
        raise NotFound("No price-book version with that number.")
    return price_book.book_json(number, book)
