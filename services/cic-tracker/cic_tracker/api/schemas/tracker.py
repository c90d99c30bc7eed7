"""Microprojects, cases and what is recorded about them."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.contract.packages import package_type as rule_for

from ...rules import tracker as rules
from ...services.tracker.assessments import assessments_of, credits_left_of, goals_of, reflections_of
from .base import Computed, ComputedNested, Opt, Out, Str, When, page_of


class CountsOut(Out):
    baselines = fields.Integer()
    follow_ups = fields.Integer()
    goals = fields.Integer()
    reflections = fields.Integer()


class ConsentOut(Out):
    given_by = Opt()
    scope = Opt()
    given_at = When()
    withdrawn_at = When()


def _consent(case) -> dict:
    return {
        "given_by": case.consent_given_by,
        "scope": case.consent_scope,
        "given_at": case.consent_given_at,
        "withdrawn_at": case.consent_withdrawn_at,
    }


def _counts(case) -> dict:
    return {
        "baselines": case.baselines_count,
        "follow_ups": case.follow_ups_count,
        "goals": case.goals_count,
        "reflections": case.reflections_count,
    }


class CaseOut(Out):
    id = Str()
    microproject_id = Str()
    code = Opt(metadata={"description": "the case's pseudonym; null once erased"})
    state = Str()
    consent = ComputedNested(ConsentOut, _consent)
    opened_at = When()
    support_until = When()
    closed_at = When()
    erased_at = When()
    counts = ComputedNested(CountsOut, _counts)


# What only the microproject's practitioner and its assigned overseer read of a case (DOMAIN
# "Rulings" -> CIC). A view excludes it for anyone else who sees the microproject (organisation
# admins, Lead Plus members of the organisation, CIC staff): ids, states, dates and counts remain.
CASE_CONTENT = ("code", "consent")


def _completion_rules(mp) -> dict:
    return {
        "cases": [1, rules.MAX_CASES],
        "each_case": list(rule_for(mp.package_type).case_completion),
        "final_reflection": True,
        "sign_off": True,
    }


class MicroprojectOut(Out):
    id = Str()
    package_id = Str()
    package_type = fields.Integer()
    organisation_id = Opt()
    practitioner_id = Opt()
    hub_id = Opt()
    state = Str()
    tracker_credits = fields.Integer()
    credits_used = fields.Integer()
    credits_left = fields.Integer()
    needs_setup = Computed(lambda mp: rule_for(mp.package_type).needs_setup, metadata={"type": "boolean"})
    setup_done = Computed(lambda mp: mp.setup_done_at is not None, metadata={"type": "boolean"})
    setup_done_at = When()
    overseer_role_required = Computed(
        lambda mp: rule_for(mp.package_type).overseer_role, metadata={"type": "string", "nullable": True}
    )
    overseer_person_id = Opt()
    overseer_state = Opt(
        metadata={"description": "pending (named, not yet accepted) | accepted; null without"}
    )
    overseer_via = Opt(
        metadata={"description": "organisation (a Lead Plus member) | training (named by a training admin)"}
    )
    overseer_assigned_at = When()
    overseer_accepted_at = When()
    tracker_uses_per_case = fields.Integer(metadata={"description": "each case's share of the Tracker uses"})
    completion_rules = Computed(
        _completion_rules,
        metadata={
            "type": "object",
            "description": "what the practicum needs: cases [min, max], what "
            "each case needs, a final reflection, a sign-off",
        },
    )
    cases_count = fields.Integer()
    max_cases = fields.Constant(rules.MAX_CASES)
    completion_requested_at = When()
    signed_off_by_person_id = Opt()
    signed_off_as = Opt(metadata={"description": "overseer | lead | lead_plus"})
    signed_off_at = When()
    completed_at = When()
    created_at = When()


class MicroprojectDetailOut(MicroprojectOut):
    cases = fields.List(fields.Nested(CaseOut))


class AssessmentOut(Out):
    id = Str()
    case_id = Str()
    kind = Str()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    notes = Opt()
    created_at = When()


class AssessmentCreatedOut(AssessmentOut):
    credits_left = Computed(
        credits_left_of,
        metadata={"type": "integer", "description": "the microproject's Tracker credits left"},
    )


class GoalOut(Out):
    id = Str()
    case_id = Str()
    text = Str()
    status = Str()
    created_at = When()
    updated_at = When()


class ReflectionOut(Out):
    id = Str()
    case_id = Str()
    text = Str()
    created_at = When()


class CaseDetailOut(CaseOut):
    assessments = ComputedNested(AssessmentOut, assessments_of, many=True)
    goals = ComputedNested(GoalOut, goals_of, many=True)
    reflections = ComputedNested(ReflectionOut, reflections_of, many=True)


class AreaChangeOut(Out):
    area = Str()
    label = Str()
    baseline = Opt(fields.Integer)
    latest = Opt(fields.Integer)
    change = Opt(fields.Integer)


class ProgressOut(Out):
    case_id = Str()
    state = Str()
    baseline_at = When()
    latest_at = When()
    assessments = fields.Integer()
    areas = fields.List(fields.Nested(AreaChangeOut))


class AreaOut(Out):
    code = Str()
    label = Str()
    position = fields.Integer()
    active = fields.Boolean()


MicroprojectPage = page_of(MicroprojectOut)
AreaPage = page_of(AreaOut)
