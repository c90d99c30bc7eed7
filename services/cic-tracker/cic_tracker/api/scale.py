"""GET /api/v1/tracker/scale: how an assessment is scored (public), so a client shows and checks
the range the Tracker's rules accept instead of holding its own copy."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.api import Blueprint
from imatter_shared.web.responses import Out

from ..rules import tracker as rules

blp = Blueprint(
    "tracker_scale",
    __name__,
    url_prefix="/api/v1/tracker",
    description="How Tracker assessments are scored (public)",
)


class ScaleOut(Out):
    min = fields.Integer(required=True, metadata={"description": "lowest score of an area"})
    max = fields.Integer(required=True, metadata={"description": "highest score of an area"})
    step = fields.Integer(required=True, metadata={"description": "scores are whole numbers"})
    kinds = fields.List(fields.String(), required=True, metadata={"description": "assessment kinds"})


@blp.get("/scale")
@blp.response(200, ScaleOut)
def scale():
    """The score range of every area in an assessment (POST .../cases/{id}/assessments refuses
    any other score with 400) and the kinds of assessment."""
    return {
        "min": rules.SCORE_MIN,
        "max": rules.SCORE_MAX,
        "step": 1,
        "kinds": list(rules.ASSESSMENT_KINDS),
    }
