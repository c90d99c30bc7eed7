"""/api/v1/fund: the Microproject Development Fund (rounds, applications, reviews,
decisions, "Support a Journey" gifts, the ledger)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles

from ..authz import caller
from ..extensions import db
from ..rules.fund import OUTCOMES
from ..services import fund as svc
from ..services.common import page_of
from . import schemas as S
from .common import PageArgs

blp = Blueprint("fund", __name__, url_prefix="/api/v1/fund", description="Microproject Development Fund")

Id = lambda: fields.String(required=True, validate=validate.Length(min=1, max=100))  # noqa: E731


class ApplicationIn(Schema):
    practitioner_id = Id()
    organisation_id = Id()
    package_type = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ApplicationArgs(PageArgs):
    round_id = fields.String(load_default=None)


class ReviewIn(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class GiftIn(Schema):
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000_000))
    currency = fields.String(load_default="GBP", validate=validate.OneOf(["GBP"]))
    supporter_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


# ---- rounds ----------------------------------------------------------------------------------

@blp.get("/rounds")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.RoundPage)
def rounds(args):
    out = page_of(svc.list_rounds_stmt(), args["page"], args["per_page"], svc.round_view)
    db.session.commit()  # the current quarter's round, and rounds closed by date
    return out


@blp.get("/rounds/<round_id>")
@blp.response(200, S.RoundOut)
@require_auth
def get_round(round_id):
    r = svc.get_round(round_id)
    db.session.commit()
    return svc.round_view(r)


@blp.post("/rounds/<round_id>/close")
@blp.response(200, S.RoundOut)
@require_roles("cic_staff")
def close_round(round_id):
    r = svc.close_round(svc.get_round(round_id))
    db.session.commit()
    return svc.round_view(r)


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
    app = svc.apply(caller().user_id, body)
    db.session.commit()
    return svc.application_view(app), 201


@blp.get("/applications")
@require_auth
@blp.arguments(ApplicationArgs, location="query")
@blp.response(200, S.ApplicationPage)
def applications(args):
    return page_of(svc.applications_stmt(caller(), args["round_id"]), args["page"], args["per_page"],
                   svc.application_view)


@blp.get("/applications/<app_id>")
@blp.response(200, S.ApplicationOut)
@require_auth
def application(app_id):
    return svc.application_view(svc.visible_application(caller(), app_id), with_reviews=True)


@blp.post("/applications/<app_id>/reviews")
@require_roles("fund_reviewer")
@blp.arguments(ReviewIn)
@blp.response(201, S.ReviewOut)
@blp.alt_response(200, schema=S.ReviewOut, success=True, description="A second review by the same reviewer replaced the first")
def review(body, app_id):
    c = caller()
    rev, created = svc.review(svc.visible_application(c, app_id), c.user_id, body["score"], body["comment"])
    db.session.commit()
    return svc.review_view(rev), (201 if created else 200)


@blp.post("/applications/<app_id>/decision")
@require_roles("cic_staff", "fund_reviewer")
@blp.arguments(DecisionIn)
@blp.response(200, S.ApplicationOut)
def decision(body, app_id):
    c = caller()
    out = svc.decide(svc.visible_application(c, app_id), body["outcome"], body["note"], c.user_id)
    db.session.commit()
    return out


# ---- gifts and ledger ------------------------------------------------------------------------

@blp.post("/gifts")
@require_auth
@blp.arguments(GiftIn)
@blp.response(201, S.GiftOut)
def gift(body):
    g = svc.give(caller().user_id, body["amount"], body["supporter_name"])
    db.session.commit()
    return svc.gift_view(g), 201


@blp.get("/ledger")
@blp.response(200, S.LedgerOut)
@require_roles("cic_staff", "fund_reviewer")
def ledger():
    return svc.ledger()
