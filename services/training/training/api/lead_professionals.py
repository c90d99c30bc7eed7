"""The Lead Professional route, Level 3A group registration and volunteer study supporters."""
from __future__ import annotations

from marshmallow import Schema, fields, validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import Forbidden, NotFound

from ..authz import is_self_or_training_admin, require_org_admin, require_person_access
from ..extensions import db
from ..models.lead_professionals import StudySupporterApplication
from ..rules.trainee import ENTRY_ROUTES
from ..services import lead_professionals as svc
from ._people_common import PageArgs, page, paged, require_training_admin

blp = Blueprint("lead_professionals", __name__, url_prefix="/api/v1/lead-professionals",
                description="Lead Professionals: application, trainee and implementation years, obligations")


class Reference(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=v.Length(min=1, max=200))
    contact = fields.String(load_default=None, validate=v.Length(max=254))


class ApplicationIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    route = fields.String(load_default="standard", validate=v.OneOf(tuple(ENTRY_ROUTES)))
    specialism = fields.String(load_default=None, validate=v.Length(max=200))
    references = fields.List(fields.Nested(Reference), required=True, validate=v.Length(max=5))
    senior_leadership_backing = fields.Boolean(required=True)


class ApplicationsArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(svc.STATES))
    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


class InterviewIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("passed", "failed")))


class RecordIn(Schema):
    occurred_at = fields.AwareDateTime(load_default=None)
    note = fields.String(load_default=None, validate=v.Length(max=500))


class GroupIn(Schema):
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    lead_person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    course_code = fields.String(required=True, validate=v.OneOf(("foundation_a1", "foundation_a2")))
    audience = fields.String(required=True, validate=v.OneOf(("professionals", "parents")))
    starts_on = fields.Date(required=True)
    participants_count = fields.Integer(required=True, strict=True, validate=v.Range(min=1, max=100))


class SupporterIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    motivation = fields.String(required=True, validate=v.Length(min=1, max=3000))


class DecisionIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("accepted", "declined")))


def _application(application_id):
    a = svc.get(application_id)
    # the organisation that backs the application (its `organisation_id`) tracks its obligations:
    # the person's certification route it arranges; no other organisation of the person sees it
    c = require_person_access(a.person_id, org_may=True)
    if not is_self_or_training_admin(c, a.person_id) and a.organisation_id not in c.admin_org_ids:
        log_refusal("lead_professional_application", a.id)
        raise NotFound("No application with that id.")
    return a


@blp.route("/applications", methods=["POST"])
@blp.arguments(ApplicationIn)
@blp.response(201)
def apply(data):
    """Apply with references and senior leadership backing; the standard route follows Intermediate
    A or B, the fast track Foundation A and B (409 with `unmet` otherwise)."""
    c = require_person_access(data["person_id"], org_may=True)
    if not is_self_or_training_admin(c, data["person_id"]) and data.get("organisation_id") not in c.admin_org_ids:
        raise Forbidden("An organisation admin applies for a member only with their own organisation's backing "
                        "(organisation_id).")
    a = svc.apply(data, c.user_id)
    db.session.commit()
    return svc.application_json(a)


@blp.route("/applications", methods=["GET"])
@blp.arguments(ApplicationsArgs, location="query")
@blp.response(200)
def applications(args):
    """Training admins: every application, oldest first (filter by `state`, `person_id`)."""
    require_training_admin()
    rows, total = svc.applications_page(args["state"], args["person_id"], args["page"], args["per_page"])
    return page([svc.application_json(a) for a in rows], total, args)


@blp.route("/applications/<application_id>")
@blp.response(200)
def one(application_id):
    """With the trainee / implementation years and each obligation's status and next deadline."""
    return svc.application_json(_application(application_id))


@blp.route("/applications/<application_id>/interview", methods=["POST"])
@blp.arguments(InterviewIn)
@blp.response(200)
def interview(data, application_id):
    require_training_admin()
    a = svc.interview(svc.get(application_id), data["outcome"])
    db.session.commit()
    return svc.application_json(a)


@blp.route("/applications/<application_id>/advance", methods=["POST"])
@blp.response(200)
def advance(application_id):
    require_training_admin()
    a = svc.advance(svc.get(application_id))
    db.session.commit()
    return svc.application_json(a)


@blp.route("/applications/<application_id>/obligations")
@blp.arguments(PageArgs, location="query")
@blp.response(200)
def obligations(args, application_id):
    return paged(svc.obligations(_application(application_id)), args)


@blp.route("/applications/<application_id>/obligations/<code>/records", methods=["POST"])
@blp.arguments(RecordIn)
@blp.response(201)
def record(data, application_id, code):
    """Record one fulfilment (a log book entry, a session attended, a plan submitted ...)."""
    a = _application(application_id)
    r = svc.record(a, code, data)
    db.session.commit()
    return {"id": r.id, "obligation": r.obligation, "occurred_at": svc.iso(r.occurred_at),
            "obligations": svc.obligations(a)}


@blp.route("/level-3a-groups", methods=["POST"])
@blp.arguments(GroupIn)
@blp.response(201)
def register_group(data):
    """Register an in-house Foundation A group run under a Level 3A licence (no charge)."""
    c = require_person_access(data["lead_person_id"], org_may=True)
    if not (c.is_training_admin or data["organisation_id"] in c.admin_org_ids | c.member_org_ids):
        require_org_admin(data["organisation_id"])
    g = svc.register_group(data, c.user_id)
    db.session.commit()
    return svc.group_json(g)


@blp.route("/study-supporter-applications", methods=["POST"])
@blp.arguments(SupporterIn)
@blp.response(201)
def apply_supporter(data):
    require_person_access(data["person_id"], org_may=True)
    s = svc.apply_supporter(data)
    db.session.commit()
    return svc.supporter_json(s)


@blp.route("/study-supporter-applications/<application_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200)
def decide_supporter(data, application_id):
    require_training_admin()
    s = db.session.get(StudySupporterApplication, application_id)
    if s is None:
        raise NotFound("No study supporter application with that id.")
    s = svc.decide_supporter(s, data["outcome"])
    db.session.commit()
    return svc.supporter_json(s)
