"""/api/v1/tracker: microproject workspaces, cases, assessments, goals, reflections, progress.

Thin views: validate, call one service function, commit, serialise. Every response here
carries Cache-Control: no-store (case data).
"""

from __future__ import annotations

from datetime import UTC

from flask import Response
from marshmallow import Schema, fields, validate

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.errors import NotFound, RuleViolation
from imatter_shared.web.fields import UtcDateTime
from imatter_shared.web.paging import query_page

from ..authz import caller, require_case_writer, require_manager, visible_microproject
from ..extensions import db
from ..models import Area, Goal
from ..rules import tracker as rules
from ..services import tracker as svc
from ..services.chart import progress_svg
from . import schemas as S
from .common import PageArgs, no_store, paged

blp = Blueprint(
    "tracker", __name__, url_prefix="/api/v1/tracker", description="Progress Tracker (case data stays here)"
)
blp.after_request(no_store)

Text = lambda n, **kw: fields.String(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class ConsentIn(Schema):
    given_by = Text(200, required=True)
    scope = Text(1000, required=True)
    # when consent was recorded; defaults to now (naive times are read as UTC)
    given_at = UtcDateTime(load_default=None, default_timezone=UTC)


class CaseIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    consent = fields.Nested(ConsentIn, required=True)


class AssessmentIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(rules.ASSESSMENT_KINDS))
    scores = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.Integer(strict=True, validate=validate.Range(rules.SCORE_MIN, rules.SCORE_MAX)),
        required=True,
    )
    notes = fields.String(validate=validate.Length(max=4000), allow_none=True)


class GoalIn(Schema):
    text = Text(2000, required=True)
    status = fields.String(load_default="open", validate=validate.OneOf(rules.GOAL_STATUSES))


class GoalPatch(Schema):
    status = fields.String(required=True, validate=validate.OneOf(rules.GOAL_STATUSES))


class ReflectionIn(Schema):
    text = Text(4000, required=True)


class CompletionIn(Schema):
    reflection = fields.String(required=True, validate=validate.Length(max=8000))


class OverseerIn(Schema):
    person_id = Text(100, required=True)


class MicroprojectHubIn(Schema):
    hub_id = fields.String(required=True, allow_none=True, validate=validate.Length(max=32))


class AreaIn(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"))
    label = Text(200, required=True)
    position = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))  # fits the column


class AreaPatch(Schema):
    label = Text(200)
    position = fields.Integer(validate=validate.Range(min=0, max=100_000))
    active = fields.Boolean()


class ProgressArgs(Schema):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "svg"]))


# ---- microprojects -------------------------------------------------------------------------


@blp.get("/microprojects")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.MicroprojectPage)
def list_microprojects(args):
    """The caller's microprojects (as practitioner or overseer; all for CIC staff)."""
    return query_page(db.session, svc.list_stmt(caller()), args, S.MicroprojectOut().dump)


@blp.get("/microprojects/<mp_id>")
@blp.response(200, S.MicroprojectDetailOut)
def get_microproject(mp_id):
    """A microproject with its cases. The practitioner and the assigned overseer see each case's
    code and consent; organisation admins, Lead Plus members of the organisation and CIC staff
    see counts and credit use only (ids, states, dates, counts)."""
    c, mp = visible_microproject(mp_id)
    cases = S.CaseOut(many=True, exclude=() if c.can_read_cases(mp) else S.CASE_CONTENT)
    out = {**S.MicroprojectOut().dump(mp), "cases": cases.dump(svc.cases_of(mp))}
    db.session.commit()  # lazily closed cases
    return out


@blp.post("/microprojects/<mp_id>/setup")
@blp.response(200, S.MicroprojectOut)
def setup(mp_id):
    c, mp = visible_microproject(mp_id)
    require_manager(c, mp)
    svc.set_up(mp)
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/overseer")
@require_auth
@blp.arguments(OverseerIn)
@blp.response(200, S.MicroprojectOut)
def overseer(body, mp_id):
    """Name the overseer (a certified Lead Plus): an ACTIVE member of the organisation, named by
    the practitioner, an organisation admin or a training admin; or one of I Matter Training's
    own Lead Plus practitioners, named by a training admin. Nobody names themself (409
    `overseer_not_self`); anyone else -> 409 `overseer_organisation_member` or
    `lead_plus_oversight`. The assignment is `pending` until the overseer accepts."""
    c, mp = visible_microproject(mp_id)
    svc.assign_overseer(c, mp, body["person_id"])
    audit.record("change", "microproject", mp.id)
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/overseer/accept")
@require_auth
@blp.response(200, S.MicroprojectOut)
def accept_overseer(mp_id):
    """The named overseer accepts the oversight (`overseer_state` -> accepted). Only then do they
    read the cases' content and may sign the practicum off; a Type 1 needs it before any use."""
    c, mp = visible_microproject(mp_id)
    svc.accept_oversight(c, mp)
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/overseer/decline")
@require_auth
@blp.response(200, S.MicroprojectOut)
def decline_overseer(mp_id):
    """The named overseer declines (or steps down): the microproject has no overseer again."""
    c, mp = visible_microproject(mp_id)
    svc.decline_oversight(c, mp)
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/sign-off")
@require_auth
@blp.response(200, S.MicroprojectOut)
def sign_off(mp_id):
    """Sign the supervised practicum off (row 35): the accepted overseer, or a certified Lead or
    Lead Plus who is an active member of the organisation (never the practitioner; else 403).
    Only a microproject `awaiting_sign_off` (409 `awaiting_sign_off`); records who and when, and
    only now reports `cic.practicum.completed` to training."""
    c, mp = visible_microproject(mp_id)
    svc.sign_off(c, mp)
    audit.record("change", "microproject", mp.id)
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/hub")
@require_auth
@blp.arguments(MicroprojectHubIn)
@blp.response(200, S.MicroprojectOut)
def hub(body, mp_id):
    c, mp = visible_microproject(mp_id)
    require_manager(c, mp)
    svc.set_hub(mp, body["hub_id"])
    db.session.commit()
    return mp


@blp.post("/microprojects/<mp_id>/cases")
@require_auth
@blp.arguments(CaseIn)
@blp.response(201, S.CaseOut)
def create_case(body, mp_id):
    c, mp = visible_microproject(mp_id)
    require_case_writer(c, mp)
    case = svc.open_case(mp, body["code"], body["consent"])
    audit.record("change", "case", case.id)
    db.session.commit()
    return case, 201


@blp.post("/microprojects/<mp_id>/completion")
@require_auth
@blp.arguments(CompletionIn)
@blp.response(200, S.MicroprojectOut)
def completion(body, mp_id):
    """The practitioner completes the practicum: 200 when the rules of its type are met (1-3
    cases; Type 1 a baseline per case, Type 2 a reflection per case, Types 3 and 4 a baseline and
    a follow-up per case; a final reflection), else 409 with `unmet`. The microproject then
    waits for sign-off (`state: awaiting_sign_off`); training hears of it once signed off."""
    c, mp = visible_microproject(mp_id)
    require_case_writer(c, mp)
    svc.complete(mp, body["reflection"])
    db.session.commit()
    return mp


# ---- cases ---------------------------------------------------------------------------------


@blp.get("/cases/<case_id>")
@blp.response(200, S.CaseDetailOut)
def get_case(case_id):
    """A case with its assessments, goals and reflections: for the microproject's practitioner
    and its assigned overseer only (404 to anyone else, organisation admins and CIC staff
    included; they see counts on the microproject)."""
    _, _, case = svc.visible_case(case_id)
    audit.record("read", "case", case.id)
    db.session.commit()
    return case


@blp.post("/cases/<case_id>/consent/withdraw")
@blp.response(200, S.CaseOut)
def withdraw(case_id):
    """Withdraw consent: the case's data is erased. The practitioner, or CIC staff acting on a
    participant's request (erasure reveals nothing of the case)."""
    c, mp, case = svc.visible_case(case_id, content=False)
    if not c.is_cic_staff:
        require_case_writer(c, mp)
    svc.withdraw_consent(mp, case)
    audit.record("erase", "case", case.id)
    db.session.commit()
    return case


@blp.post("/cases/<case_id>/assessments")
@require_auth
@blp.arguments(AssessmentIn)
@blp.response(201, S.AssessmentCreatedOut)
def assess(body, case_id):
    c, mp, case = svc.visible_case(case_id)
    require_case_writer(c, mp)
    a = svc.add_assessment(mp, case, body["kind"], body["scores"], body.get("notes"), c.user_id)
    audit.record("change", "case", case.id)
    db.session.commit()
    return a, 201


@blp.post("/cases/<case_id>/goals")
@require_auth
@blp.arguments(GoalIn)
@blp.response(201, S.GoalOut)
def add_goal(body, case_id):
    c, mp, case = svc.visible_case(case_id)
    require_case_writer(c, mp)
    goal = svc.add_goal(mp, case, body["text"], body["status"])
    audit.record("change", "case", case.id)
    db.session.commit()
    return goal, 201


@blp.patch("/cases/<case_id>/goals/<goal_id>")
@require_auth
@blp.arguments(GoalPatch)
@blp.response(200, S.GoalOut)
def patch_goal(body, case_id, goal_id):
    c, mp, case = svc.visible_case(case_id)
    require_case_writer(c, mp)
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.case_id != case.id:
        raise NotFound("No goal with that id in this case.")
    svc.require_writable(case, mp)
    goal.status = body["status"]
    audit.record("change", "case", case.id)
    db.session.commit()
    return goal


@blp.post("/cases/<case_id>/reflections")
@require_auth
@blp.arguments(ReflectionIn)
@blp.response(201, S.ReflectionOut)
def add_reflection(body, case_id):
    c, mp, case = svc.visible_case(case_id)
    require_case_writer(c, mp)
    r = svc.add_reflection(mp, case, body["text"])
    audit.record("change", "case", case.id)
    db.session.commit()
    return r, 201


@blp.get("/cases/<case_id>/progress")
@require_auth
@blp.arguments(ProgressArgs, location="query")
@blp.response(200, S.ProgressOut)
def progress(args, case_id):
    """Per-area change from baseline (scores are case content: practitioner and assigned
    overseer only)."""
    _, _, case = svc.visible_case(case_id)
    data = svc.progress_of(case)
    audit.record("read", "case", case.id)
    db.session.commit()
    wants_svg = args["format"] == "svg"
    if wants_svg:
        return Response(progress_svg(data), mimetype="image/svg+xml")
    return data


# ---- areas (configurable data) -------------------------------------------------------------


@blp.get("/areas")
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.AreaPage)
def list_areas(args):
    caller()
    items = S.AreaOut(many=True).dump(svc.areas())
    db.session.commit()
    return paged(items, args)


@blp.post("/areas")
@require_roles("cic_staff")
@blp.arguments(AreaIn)
@blp.response(201, S.AreaOut)
def create_area(body):
    svc.ensure_areas()
    if db.session.get(Area, body["code"]) is not None:
        raise RuleViolation("An area with that code exists.", unmet=["unique_code"])
    area = Area(code=body["code"], label=body["label"], position=body["position"], active=True)
    db.session.add(area)
    db.session.commit()
    return area, 201


@blp.patch("/areas/<code>")
@require_roles("cic_staff")
@blp.arguments(AreaPatch)
@blp.response(200, S.AreaOut)
def patch_area(body, code):
    svc.ensure_areas()
    area = db.session.get(Area, code)
    if area is None:
        raise NotFound("No area with that code.")
    for key, value in body.items():
        setattr(area, key, value)
    db.session.commit()
    return area
