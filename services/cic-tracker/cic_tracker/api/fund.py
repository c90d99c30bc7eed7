"""/api/v1/fund: the Microproject Development Fund (rounds, applications, reviews,
decisions, "Support a Journey" gifts, the ledger)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from imatter_shared.contract.packages import TYPE_MAX, TYPE_MIN
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.paging import query_page

from ..authz import caller
from ..extensions import db
from ..rules.fund import OUTCOMES, REVIEW_SCORE_MAX, REVIEW_SCORE_MIN
from ..services import fund as svc
from . import schemas as S
from .common import PageArgs

blp = Blueprint("fund", __name__, url_prefix="/api/v1/fund", description="Microproject Development Fund")

Id = lambda: fields.String(required=True, validate=validate.Length(min=1, max=100))  # noqa: E731


class ApplicationIn(Schema):
    practitioner_id = Id()
    organisation_id = Id()
    package_type = fields.Integer(required=True, strict=True, validate=validate.Range(TYPE_MIN, TYPE_MAX))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApplicationArgs(PageArgs):
    round_id = fields.String(load_default=None)


class ReviewIn(Schema):
    score = fields.Integer(
        required=True, strict=True, validate=validate.Range(REVIEW_SCORE_MIN, REVIEW_SCORE_MAX)
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))
    no_conflict = fields.Boolean(
        load_default=False,
        metadata={
            "description": "true declares that the reviewer has no conflict of interest with the application; "
            "only such reviews count towards an award"
        },
    )


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


GIFT_MAX = 1_000_000  # pence: £10,000 a pledge (a larger gift is arranged with the CIC directly)


class GiftIn(Schema):
    amount = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(1, GIFT_MAX),
        metadata={"description": "pence, 1 to 1,000,000 (£10,000)"},
    )
    currency = fields.String(load_default="GBP", validate=validate.OneOf(["GBP"]))
    name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "the supporter's name as they wish it shown"},
    )
    supporter_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "earlier name of `name`"},
    )


class GiftArgs(PageArgs):
    state = fields.String(load_default=None, validate=validate.OneOf(["pledged", "received", "void"]))


class GiftReceivedIn(Schema):
    reference = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "the payment's reference, for the accounts"},
    )


# ---- rounds ----------------------------------------------------------------------------------


@blp.get("/rounds")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.RoundPage)
def rounds(args):
    out = query_page(db.session, svc.list_rounds_stmt(), args, S.RoundOut().dump)
    db.session.commit()  # the current quarter's round, and rounds closed by date
    return out


@blp.get("/rounds/<round_id>")
@blp.response(200, S.RoundOut)
@require_auth
def get_round(round_id):
    r = svc.get_round(round_id)
    db.session.commit()
    return r


@blp.post("/rounds/<round_id>/close")
@blp.response(200, S.RoundOut)
@require_roles("cic_staff")
def close_round(round_id):
    r = svc.close_round(svc.get_round(round_id))
    db.session.commit()
    return r


@blp.get("/rounds/<round_id>/summary")
@blp.response(200, S.RoundSummaryOut)
@require_roles("cic_staff", "fund_reviewer")
def round_summary(round_id):
    r = svc.get_round(round_id)
    out = svc.summary(r)
    db.session.commit()
    return out


# ---- applications ----------------------------------------------------------------------------


@blp.post("/applications")
@require_auth
@blp.arguments(ApplicationIn)
@blp.response(201, S.ApplicationOut)
def apply(body):
    """Apply for a package award. Checked against what cic knows by event (409 with `unmet`):
    `own_practitioner` (the practitioner is the caller's own person), `organisation_known`,
    `enhanced_licence` (the organisation holds an active Enhanced Practice Licence),
    `accepted_member` (the practitioner is its accepted member)."""
    app = svc.apply(caller(), body)
    db.session.commit()
    return app, 201


@blp.get("/applications")
@require_auth
@blp.arguments(ApplicationArgs, location="query")
@blp.response(200, S.ApplicationPage)
def applications(args):
    return query_page(
        db.session, svc.applications_stmt(caller(), args["round_id"]), args, S.ApplicationOut().dump
    )


@blp.get("/applications/<app_id>")
@blp.response(200, S.ApplicationDetailOut)
@require_auth
def application(app_id):
    return svc.visible_application(caller(), app_id)


@blp.post("/applications/<app_id>/reviews")
@require_roles("fund_reviewer")
@blp.arguments(ReviewIn)
@blp.response(201, S.ReviewOut)
@blp.alt_response(
    200,
    schema=S.ReviewOut,
    success=True,
    description="A second review by the same reviewer replaced the first",
)
def review(body, app_id):
    """Review an application (fund reviewers). `no_conflict: true` declares no conflict of
    interest; a reviewer from the applicant's organisation, or the applicant, is refused
    (409 `independent_reviewer`)."""
    c = caller()
    rev, created = svc.review(
        svc.visible_application(c, app_id), c.user_id, body["score"], body["comment"], body["no_conflict"]
    )
    db.session.commit()
    return rev, (201 if created else 200)


@blp.post("/applications/<app_id>/decision")
@require_roles("cic_staff", "fund_reviewer")
@blp.arguments(DecisionIn)
@blp.response(200, S.ApplicationDecidedOut)
def decision(body, app_id):
    """Decide an application in a closed round. An award needs two reviews in the round by
    independent reviewers each declaring no conflict (409 `two_reviews`), and received gifts
    covering it (409 `fund_balance`: the balance counts received gifts only); decisions are
    serialised, so concurrent awards never exceed the balance."""
    c = caller()
    decided = svc.decide(svc.visible_application(c, app_id), body["outcome"], body["note"], c.user_id)
    db.session.commit()
    return decided


# ---- gifts and ledger ------------------------------------------------------------------------


@blp.post("/gifts")
@require_auth
@blp.arguments(GiftIn)
@blp.response(201, S.GiftOut)
def gift(body):
    """ "Support a Journey": pledge a gift to the fund (state `pledged`). It counts in the
    balance only once CIC staff mark it received."""
    g = svc.give(caller().user_id, body["amount"], body["name"] or body["supporter_name"])
    db.session.commit()
    return g, 201


@blp.get("/gifts")
@require_auth
@blp.arguments(GiftArgs, location="query")
@blp.response(200, S.GiftPage)
def gifts(args):
    """Gifts: all of them for CIC staff and fund reviewers (`?state=pledged` for the ones to
    confirm); the caller's own pledges for anyone else."""
    return query_page(db.session, svc.gifts_stmt(caller(), args["state"]), args, S.GiftOut().dump)


@blp.get("/gifts/<gift_id>")
@require_auth
@blp.response(200, S.GiftOut)
def get_gift(gift_id):
    """One gift: its pledger, CIC staff and fund reviewers (404 to anyone else)."""
    return svc.visible_gift(caller(), gift_id)


@blp.post("/gifts/<gift_id>/received")
@require_roles("cic_staff")
@blp.arguments(GiftReceivedIn)
@blp.response(200, S.GiftOut)
def gift_received(body, gift_id):
    """CIC staff: the pledged money arrived; the gift now counts in the balance (409
    `gift_pledged` if it is not pledged)."""
    c = caller()
    g = svc.receive_gift(svc.visible_gift(c, gift_id), c.user_id, body.get("reference"))
    db.session.commit()
    return g


@blp.post("/gifts/<gift_id>/void")
@require_roles("cic_staff")
@blp.response(200, S.GiftOut)
def gift_void(gift_id):
    """CIC staff: reverse a gift. A pledge that never came, or a received gift while the fund
    still holds it (409 `fund_holds_gift` once awards have committed the money; 409
    `gift_not_void` if already void)."""
    c = caller()
    g = svc.void_gift(svc.visible_gift(c, gift_id), c.user_id)
    db.session.commit()
    return g


@blp.get("/ledger")
@blp.response(200, S.LedgerOut)
@require_roles("cic_staff", "fund_reviewer")
def ledger():
    """The fund's ledger: `balance` counts received gifts only, minus awards; pledges are shown
    apart (`pledged_total`)."""
    return svc.ledger()
