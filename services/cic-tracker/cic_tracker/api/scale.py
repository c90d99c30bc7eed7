"""The score ranges (public), so a client shows and checks the ranges the rules accept instead
of holding its own copy: GET /api/v1/tracker/scale for a Tracker assessment, GET
/api/v1/fund/review-scale for a Fund reviewer's score of an application."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public
from imatter_shared.web.responses import Out

from ..rules import fund
from ..rules import tracker as rules

blp = Blueprint("scales", __name__, url_prefix="/api/v1", description="Score ranges (public)")


class ScaleOut(Out):
    min = fields.Integer(required=True, metadata={"description": "lowest score"})
    max = fields.Integer(required=True, metadata={"description": "highest score"})
    step = fields.Integer(required=True, metadata={"description": "scores are whole numbers"})


class AssessmentScaleOut(ScaleOut):
    kinds = fields.List(fields.String(), required=True, metadata={"description": "assessment kinds"})


@blp.get("/tracker/scale")
@blp.response(200, AssessmentScaleOut)
@public
def tracker_scale():
    """The score range of every area in an assessment (POST .../cases/{id}/assessments refuses
    any other score with 400) and the kinds of assessment."""
    return {
        "min": rules.SCORE_MIN,
        "max": rules.SCORE_MAX,
        "step": 1,
        "kinds": list(rules.ASSESSMENT_KINDS),
    }


@blp.get("/fund/review-scale")
@blp.response(200, ScaleOut)
@public
def fund_review_scale():
    """The score a reviewer gives an application (POST .../applications/{id}/reviews refuses any
    other with 400)."""
    return {"min": fund.REVIEW_SCORE_MIN, "max": fund.REVIEW_SCORE_MAX, "step": 1}
