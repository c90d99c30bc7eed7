"""What the cic-tracker API answers, for the OpenAPI document (and schemathesis, which checks
every real answer against it). Each schema mirrors a `*_view` function in services/; `Out`
documents without reshaping, so a field a view adds later still reaches the client."""

from __future__ import annotations

from marshmallow import fields

from imatter_shared.web.responses import Out, page_of


def Str(**kw):
    return fields.String(**kw)


def Opt(field_cls=fields.String, *args, **kw):
    """A field that may be null (an unset date, an erased code)."""
    return field_cls(*args, allow_none=True, **kw)


def When(**kw):
    return fields.String(allow_none=True, metadata={"format": "date-time"}, **kw)


# ---- tracker -----------------------------------------------------------------------------------


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


class CaseOut(Out):
    id = Str()
    microproject_id = Str()
    code = Opt(metadata={"description": "the case's pseudonym; null once erased"})
    state = Str()
    consent = fields.Nested(ConsentOut)
    opened_at = When()
    support_until = When()
    closed_at = When()
    erased_at = When()
    counts = fields.Nested(CountsOut)


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
    needs_setup = fields.Boolean()
    setup_done = fields.Boolean()
    setup_done_at = When()
    overseer_role_required = Opt()
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
    completion_rules = fields.Dict(
        metadata={
            "description": "what the practicum needs: cases [min, max], what "
            "each case needs, a final reflection, a sign-off"
        }
    )
    cases_count = fields.Integer()
    max_cases = fields.Integer()
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
    credits_left = fields.Integer()


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
    assessments = fields.List(fields.Nested(AssessmentOut))
    goals = fields.List(fields.Nested(GoalOut))
    reflections = fields.List(fields.Nested(ReflectionOut))


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


# ---- consultations and hubs --------------------------------------------------------------------


class ConsultationOut(Out):
    id = Str()
    for_kind = Str()
    purpose = Str()
    hub_id = Opt()
    state = Str()
    requested_by = Opt()
    scheduled_for = When()
    expires_at = When()
    completed_at = When()
    cancelled_at = When()
    created_at = When()


class HubOut(Out):
    id = Str()
    name = Str()
    locality = Opt()
    description = Opt()
    organisation_id = Opt(metadata={"description": "training's locality_hub organisation this hub is"})
    created_at = When()


# ---- the fund --------------------------------------------------------------------------------


class RoundOut(Out):
    id = Str()
    quarter = Str()
    state = Str(metadata={"enum": ["open", "closed", "decided"]})
    opens_at = When()
    closes_at = When()
    closed_at = When()


class ReviewOut(Out):
    id = Str()
    application_id = Str()
    round_id = Str()
    reviewer_user_id = Str()
    score = Opt(fields.Integer)
    comment = Opt()
    no_conflict = fields.Boolean(metadata={"description": "the reviewer declared no conflict of interest"})
    created_at = When()


class DecisionOut(Out):
    id = Str()
    round_id = Str()
    outcome = Str()
    note = Opt()
    decided_by = Opt()
    decided_at = When()


class ApplicationOut(Out):
    id = Str()
    round_id = Str()
    practitioner_id = Str()
    organisation_id = Str()
    package_type = fields.Integer()
    summary = Str()
    state = Str()
    deferrals = fields.Integer()
    amount_requested = fields.Integer(metadata={"description": "pence"})
    currency = Str()
    reviews_count = fields.Integer()
    average_score = Opt(fields.Float)
    qualifying_reviews = fields.Integer(
        metadata={
            "description": "this round's reviews that count towards an award (independent, no conflict)"
        }
    )
    reviews_needed = fields.Integer()
    award_id = Opt()
    created_at = When()
    # with one application (GET /applications/{id})
    reviews = fields.List(fields.Nested(ReviewOut))
    decisions = fields.List(fields.Nested(DecisionOut))
    # with a decision just given (POST /applications/{id}/decision)
    decision = fields.Nested(DecisionOut)


class RoundCountsOut(Out):
    applications = fields.Integer()
    undecided = fields.Integer()
    awarded = fields.Integer()
    declined = fields.Integer()
    deferred = fields.Integer()


class RoundApplicationOut(Out):
    id = Str()
    practitioner_id = Str()
    organisation_id = Str()
    package_type = fields.Integer()
    summary = Str()
    amount_requested = fields.Integer()
    reviews_count = fields.Integer()
    average_score = Opt(fields.Float)
    outcome = Opt()


class RoundSummaryOut(Out):
    round = fields.Nested(RoundOut)
    currency = Str()
    counts = fields.Nested(RoundCountsOut)
    amount_requested = fields.Integer()
    amount_awarded = fields.Integer()
    applications = fields.List(fields.Nested(RoundApplicationOut))


class GiftOut(Out):
    id = Str()
    state = Str(metadata={"enum": ["pledged", "received", "void"]})
    amount = fields.Integer(metadata={"description": "pence"})
    currency = Str()
    name = Opt()
    supporter_name = Opt(metadata={"description": "same as name (earlier field name)"})
    created_at = When()
    received_at = When()
    voided_at = When()


class LedgerEntryOut(Out):
    kind = Str(metadata={"enum": ["gift", "award"]})
    id = Str()
    amount = fields.Integer(metadata={"description": "pence; awards negative"})
    application_id = Str()
    state = Str()
    at = When()


class LedgerOut(Out):
    currency = Str()
    gifts_total = fields.Integer(metadata={"description": "received gifts only, pence"})
    awards_total = fields.Integer()
    balance = fields.Integer(metadata={"description": "received gifts minus awards, pence"})
    pledged_total = fields.Integer(metadata={"description": "pledged, not yet received (not in the balance)"})
    pledged_count = fields.Integer()
    gifts_count = fields.Integer()
    awards_count = fields.Integer()
    shortfall = fields.Integer()
    entries = fields.List(fields.Nested(LedgerEntryOut))


# ---- evaluation --------------------------------------------------------------------------------


class EvaluationTotalsOut(Out):
    microprojects = fields.Integer()
    cases = Opt(fields.Integer, metadata={"description": "null when suppressed"})
    suppressed = fields.Boolean()


class EvaluationCellOut(Out):
    package_type = fields.Integer()
    hub_id = Opt()
    hub_name = Opt()
    microprojects = fields.Integer()
    cases = Opt(fields.Integer, metadata={"description": "null when the cell is under the minimum size"})
    average_change = Opt(fields.Dict, keys=fields.String(), values=fields.Float())
    suppressed = fields.Boolean()


class EvaluationOut(Out):
    min_cell_size = fields.Integer()
    totals = fields.Nested(EvaluationTotalsOut)
    cells = fields.List(fields.Nested(EvaluationCellOut))


# ---- reflective tools --------------------------------------------------------------------------


class QuestionnaireSectionOut(Out):
    code = Str()
    title = Str()
    description = Opt()
    questions = fields.List(fields.Raw())


class QuestionnaireOut(Out):
    id = Str()
    instrument = Str()
    version = Str()
    title = Str()
    sample = fields.Boolean()
    notice = Opt()
    current = fields.Boolean()
    scales = fields.Raw()
    bands = fields.Raw()
    sections = fields.List(fields.Nested(QuestionnaireSectionOut))


class CaseToolResponseOut(Out):
    id = Str()
    case_id = Str()
    instrument = Str()
    version = Str()
    sample = fields.Boolean()
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())
    sections = fields.Raw()
    notes = Opt()
    created_at = When()


class QBookingOut(Out):
    order_id = Str()
    registration_id = Str()
    person_id = Str()
    organisation_id = Opt()
    consultation_id = Str()
    consultation_state = Opt()
    created_at = When()


MicroprojectPage = page_of(MicroprojectOut)
AreaPage = page_of(AreaOut)
ConsultationPage = page_of(ConsultationOut)
HubPage = page_of(HubOut)
RoundPage = page_of(RoundOut)
ApplicationPage = page_of(ApplicationOut)
GiftPage = page_of(GiftOut)
CaseToolResponsePage = page_of(CaseToolResponseOut)
QBookingPage = page_of(QBookingOut)
