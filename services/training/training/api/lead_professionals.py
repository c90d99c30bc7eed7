"""The Lead Professional route, Level 3A group registration and volunteer study supporters.

Who may do what (DOMAIN "Rulings", consent and identity): only the person themself applies and
keeps their log book; training admins record the interview, agree the action plan outline and
move an application on (ending a year early only with a recorded reason); an admin of an
organisation where the person is an accepted member sees the status only (name, route, state,
years). Anyone else gets 404."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import ApiError, NotFound, RuleViolation
from imatter_shared.web.fields import UtcDateTime

from ..authz import admins_person_through_membership, caller, is_self_or_training_admin
from ..extensions import db
from ..rules.lp_licence_kinds import EVERYDAY, SCOPES
from ..rules.trainee import ENTRY_ROUTES, GROUP_AUDIENCES
from ..services import lead_professionals as svc
from ..services import level3a_groups
from ..services import obligations as obligations_svc
from .common import PageArgs, own_or_training_admin, page, paged, require_training_admin, self_only
from .schemas.lead_professionals import (
    ApplicationOut,
    ApplicationPage,
    GroupOut,
    GroupPage,
    LogBookPage,
    ObligationPage,
    RecordOut,
    StatusOnly,
)

blp = Blueprint(
    "lead_professionals",
    __name__,
    url_prefix="/api/v1/lead-professionals",
    description="Lead Professionals: application, trainee and implementation years, obligations",
)


class Reference(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=v.Length(min=1, max=200))
    contact = fields.String(load_default=None, validate=v.Length(max=254))


class SeniorLeader(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    role = fields.String(load_default=None, validate=v.Length(max=200))


class ApplicationIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    # the school or service the applicant works in and is an accepted member of (seed 001)
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    route = fields.String(load_default="standard", validate=v.OneOf(tuple(ENTRY_ROUTES)))
    specialism = fields.String(load_default=None, validate=v.Length(max=200))
    references = fields.List(fields.Nested(Reference), required=True, validate=v.Length(max=5))
    senior_leadership_backing = fields.Boolean(required=True)
    senior_leader = fields.Nested(SeniorLeader, load_default=None)


class ApplicationsArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(svc.STATES))
    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


class InterviewIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("passed", "failed")))
    note = fields.String(load_default=None, validate=v.Length(max=1000))


class AdvanceIn(Schema):
    # end the current year before its date: training admins only, with the reason (kept on the record)
    override = fields.Boolean(load_default=False)
    reason = fields.String(load_default=None, validate=v.Length(max=1000))
    # the state the admin is moving on from: a repeated or racing request is refused, not applied twice
    from_state = fields.String(load_default=None, validate=v.OneOf(("trainee", "implementation")))


class RecordIn(Schema):
    occurred_at = UtcDateTime(load_default=None)
    title = fields.String(load_default=None, validate=v.Length(max=200))
    note = fields.String(load_default=None, validate=v.Length(max=500))


class GroupIn(Schema):
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    lead_person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    course_code = fields.String(required=True, validate=v.OneOf(("foundation_a1", "foundation_a2")))
    audience = fields.String(required=True, validate=v.OneOf(GROUP_AUDIENCES))
    starts_on = fields.Date(required=True)
    participants_count = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=100))
    # the programme's practice scope (decision 0056)
    scope = fields.String(load_default=EVERYDAY, validate=v.OneOf(SCOPES))


def _refuse(application_id):
    log_refusal("lead_professional_application", application_id)
    raise NotFound("No Lead Professional application with that id.")


def _own(application_id):
    """The person themself or a training admin (the whole record). Else 404."""
    a = svc.get(application_id)
    c = caller()
    if not is_self_or_training_admin(c, a.person_id):
        _refuse(application_id)
    return a, c


@blp.route("/applications", methods=["POST"])
@blp.arguments(ApplicationIn)
@blp.response(201, ApplicationOut)
def apply(data):
    """The person applies for themself (nobody applies for them), from an organisation they are an
    accepted member of, with at least 2 references and senior leadership backing; the standard route
    follows Intermediate A or B, the fast track Foundation A and B (409 with `unmet` otherwise:
    `intermediate_completion`, `foundation_completion`, `senior_leadership_backing`,
    `organisation_membership`, `one_application`)."""
    c = self_only(data["person_id"])
    a = svc.apply(data, c.user_id)
    db.session.commit()
    return a


@blp.route("/applications", methods=["GET"])
@blp.arguments(ApplicationsArgs, location="query")
@blp.response(200, ApplicationPage)
def applications(args):
    """Training admins: every application, oldest first (filter by `state`, `person_id`). Anyone
    else: their own, with `person_id` set to their own person."""
    own_or_training_admin(args["person_id"])
    rows, total = svc.applications_page(args["state"], args["person_id"], args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/applications/<application_id>")
@blp.response(200, ApplicationOut)
def one(application_id):
    """The person and training admins: the whole record, with the years (and whether each is complete
    by date), overrides, the interview outcome, each obligation's status and what falls due next.
    An admin of an organisation where the person is an accepted member: the status only
    (`view: "status"`)."""
    a = svc.get(application_id)
    c = caller()
    if is_self_or_training_admin(c, a.person_id):
        return a
    if admins_person_through_membership(c, a.person_id):
        return StatusOnly(a)
    _refuse(application_id)


@blp.route("/applications/<application_id>/interview", methods=["POST"])
@blp.arguments(InterviewIn)
@blp.response(200, ApplicationOut)
def interview(data, application_id):
    """Training admins record the interview outcome (and a note the applicant sees); passed starts
    the trainee year."""
    c = require_training_admin()
    a = svc.interview(svc.get(application_id), data["outcome"], data["note"], c.user_id)
    db.session.commit()
    return a


@blp.route("/applications/<application_id>/advance", methods=["POST"])
@blp.arguments(AdvanceIn)
@blp.response(200, ApplicationOut)
def advance(data, application_id):
    """Training admins: trainee -> implementation -> approved. Each step waits for its year to be
    complete by date (409 `unmet: ["trainee_year"]` / `["implementation_year"]`) unless
    `override: true` with a `reason` (kept on the record with who and when). Also 409 for
    `foundation_a_courses` (2 in the trainee year), `subscription_licence` (the organisation's
    active Starter), and at approval `senior_leadership_backing` and, on the fast track,
    `outstanding_coursework` (Intermediate A or B completed). `from_state` (optional) makes the
    step happen once: a request for a state the application has left is a 409 `application_state`."""
    c = require_training_admin()
    reason = (data["reason"] or "").strip()
    if data["override"] and not reason:
        raise ApiError(
            "Say why the year is overridden.",
            400,
            errors={"reason": ["A reason is required to override a year."]},
        )
    a = svc.get(application_id)
    if data["from_state"] and a.state != data["from_state"]:
        raise RuleViolation(
            f"The application is {a.state} now, not {data['from_state']}: nothing was changed.",
            unmet=["application_state"],
        )
    a = svc.advance(a, data["override"], reason or None, c.principal)
    db.session.commit()
    return a


@blp.route("/applications/<application_id>/obligations")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ObligationPage)
def obligations(args, application_id):
    """Each obligation: standing ones (senior leadership backing, the subscription licence, on the
    fast track the outstanding coursework) `met`/`unmet` with the `reason`; recorded ones
    `done`/`due`/`overdue` with `due_on`."""
    a, _ = _own(application_id)
    return paged(obligations_svc.obligations(a), args)


@blp.route("/applications/<application_id>/obligations/<code>/records", methods=["POST"])
@blp.arguments(RecordIn)
@blp.response(201, RecordOut)
def record(data, application_id, code):
    """Record one fulfilment (a session attended, a plan submitted ...). Log book entries are the
    trainee's own; an action plan outline is recorded by a training admin once agreed."""
    a, c = _own(application_id)
    as_role = "trainee" if c.person_id is not None and c.person_id == a.person_id else "training_admin"
    r = obligations_svc.record(a, code, data, c.user_id, as_role)
    db.session.commit()
    return {
        "id": r.id,
        "obligation": r.obligation,
        "occurred_at": r.occurred_at,
        "title": r.title,
        "obligations": obligations_svc.obligations(a),
    }


@blp.route("/applications/<application_id>/log-book")
@blp.arguments(PageArgs, location="query")
@blp.response(200, LogBookPage)
def log_book(args, application_id):
    """The trainee's personal log book, newest first (the person and training admins)."""
    a, _ = _own(application_id)
    return paged(obligations_svc.log_book(a), args)


@blp.route("/applications/<application_id>/level-3a-groups")
@blp.arguments(PageArgs, location="query")
@blp.response(200, GroupPage)
def groups(args, application_id):
    """The Level 3A groups this Lead Professional registered (participants counted, never named)."""
    a, _ = _own(application_id)
    return paged(level3a_groups.groups_of(a), args)


@blp.route("/level-3a-groups", methods=["POST"])
@blp.arguments(GroupIn)
@blp.response(201, GroupOut)
def register_group(data):
    """Register an in-house Foundation A group run under a Level 3A licence (no charge): the Lead
    Professional themself (or a training admin), in an organisation they are an accepted member of,
    holding a current Level 3A (or Level 4 or 5) licence in that organisation (409
    `level_3a_licence`). `scope` is the programme's: `everyday_parenting` (the default) or
    `increased_pressure_parenting`, which a Level 3A licence does not give (409 `licence_scope`).
    `audience`: `professionals`, `parents` or `children_and_young_people` (pupils or young people in
    the school or service: decision 0057), which needs a current Level 4 or 5 licence in the
    organisation (409 `licence_audience`: a Level 3A licence covers professionals and parents) and a
    current specialist licence in `children_and_young_people` (409 `specialist_licence`); `unmet`
    lists every one missing.
    Participants are counted, never named."""
    c = caller()
    if not is_self_or_training_admin(c, data["lead_person_id"]):
        self_only(data["lead_person_id"])
    g = level3a_groups.register_group(data, c.user_id)
    db.session.commit()
    return g
