"""Microproject plans and the Microproject Practice Guidelines (decisions 0063, 0064)."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from ...rules import microproject_plans as rules
from .base import Int, Opt, Out, Str, When, page_of


class StepIn(Schema):
    text = fields.String(required=True, validate=v.Length(min=1, max=rules.STEP_TEXT_MAX))
    status = fields.String(load_default="planned", validate=v.OneOf(rules.STEP_STATUSES))


class PlanIn(Schema):
    """The whole plan (PUT replaces it). Closed: an unknown field (a name, a case code) is 400."""

    idea = fields.String(required=True, validate=v.Length(min=1, max=rules.IDEA_MAX))
    # 1-3 is checked by the rules so the error names the rule; the shape is checked here
    focus_areas = fields.List(
        fields.String(validate=v.Length(max=rules.FOCUS_AREA_MAX)), required=True, validate=v.Length(max=10)
    )
    steps = fields.List(fields.Nested(StepIn), load_default=list, validate=v.Length(max=100))
    review_dates = fields.List(fields.Date(), required=True, validate=v.Length(min=1, max=20))


class PlanSupporterIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class StepOut(Out):
    position = Int()
    text = Str()
    status = Str(metadata={"enum": list(rules.STEP_STATUSES)})


class PlanSupporterOut(Out):
    person_id = Str()
    name = Str()
    state = Str(metadata={"enum": list(rules.SUPPORTER_STATES)})
    roles = fields.List(fields.String())


class PlanOut(Out):
    """`view` says what the caller sees: `full` (the practitioner; the supporter once accepted),
    `invitation` (a supporter still asked), `summary` (the organisation's admins and training
    admins: that a plan exists and its review dates, nothing else)."""

    id = Str()
    package_id = Str()
    view = Str(metadata={"enum": ["full", "invitation", "summary"]})
    practitioner_id = Str()
    practitioner_name = Str()
    package_type = Int()
    idea = Str()
    focus_areas = fields.List(fields.String())
    focus_areas_count = Int()
    steps = fields.List(fields.Nested(StepOut))
    review_dates = fields.List(fields.String(), metadata={"description": "ISO dates, ascending"})
    next_review = Opt()
    supporter = fields.Nested(PlanSupporterOut, allow_none=True)
    supporter_state = Opt()
    supported = fields.Boolean(metadata={"description": "a supporter has accepted"})
    no_case_data = fields.Constant(rules.NO_CASE_DATA)
    created_at = Str()
    updated_at = Str()


PlanPage = page_of(PlanOut)


class CandidateOut(Out):
    person_id = Str()
    name = Str()
    roles = fields.List(fields.String())


CandidatePage = page_of(CandidateOut)


class GuidelinesSectionIn(Schema):
    heading = fields.String(required=True, validate=v.Length(min=1, max=200))
    points = fields.List(
        fields.String(validate=v.Length(min=1, max=1000)), required=True, validate=v.Length(min=1, max=30)
    )


class GuidelinesIn(Schema):
    title = fields.String(required=True, validate=v.Length(min=1, max=200))
    sections = fields.List(
        fields.Nested(GuidelinesSectionIn), required=True, validate=v.Length(min=1, max=30)
    )


class GuidelinesSectionOut(Out):
    heading = Str()
    points = fields.List(fields.String())


class GuidelinesOut(Out):
    version = Int()
    title = Str()
    sections = fields.List(fields.Nested(GuidelinesSectionOut))
    published_at = When()
    current = fields.Boolean()


GuidelinesPage = page_of(GuidelinesOut)


class AcknowledgementOut(Out):
    id = Str()
    person_id = Str()
    version = Int()
    acknowledged_at = When()
    current = fields.Boolean(metadata={"description": "the version acknowledged is the current one"})


AcknowledgementPage = page_of(AcknowledgementOut)
