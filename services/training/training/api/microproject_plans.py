"""Microproject planning tools (seed 000 "Access to the I Matter Learning Planning Tools";
decision 0063): the practitioner's plan of each microproject (package) and its supporter.

NO CASE DATA: a plan is held by I Matter Training, which never holds anything about a family,
child or anyone being supported. Never put a name, contact details, a date of birth or any case
detail in a plan; text that obviously carries them (an email address, a phone number, a postcode,
a date of birth, an NHS number) is refused with 400, and an unknown field is refused too.
"""

from __future__ import annotations

from imatter_shared import audit
from imatter_shared.web.api import Blueprint

from ..authz import require_org_admin, require_person_access
from ..extensions import db
from ..services import microproject_plans as svc
from ..services.certification import get_person
from .common import PageArgs, paged
from .schemas.microproject_plans import CandidatePage, PlanIn, PlanOut, PlanPage, PlanSupporterIn

blp = Blueprint(
    "microproject_plans",
    __name__,
    url_prefix="/api/v1",
    description="Microproject planning tools: a plan per microproject, no case data (decision 0063)",
)
P = "/packages/<package_id>/plan"


@blp.route(P)
@blp.response(200, PlanOut)
def one(package_id):
    """The plan as the caller may see it (`view`): the practitioner and an accepted supporter see it
    all; a supporter still asked sees the invitation; the package's organisation admins and training
    admins see only that it exists and its review dates. 404 for anyone else, and when no plan exists."""
    p, plan, view = svc.readable(package_id)
    audit.record("read", "microproject_plan", plan.id)
    return svc.as_view(plan, p, view)


@blp.route(P, methods=["PUT"])
@blp.arguments(PlanIn)
@blp.response(200, PlanOut)
@blp.alt_response(201, schema=PlanOut, description="The plan was created.")
def save(data, package_id):
    """Create or replace the plan of the caller's own microproject (only its practitioner; 404 for
    anyone else). **No case data**: no names, contact details or details of anyone supported.
    Rules (400 naming the field): the idea (1-2000 characters); 1-3 different focus areas; up to 20
    ordered steps, each with a status (planned, in_progress, done, dropped); 1-6 different review
    dates, none in the past (a date the plan already held may stay); text that looks like case data
    is refused. 409 `package_active` for a cancelled package."""
    plan, created = svc.save(package_id, data)
    db.session.commit()
    p, plan, view = svc.readable(package_id)
    return svc.as_view(plan, p, view), 201 if created else 200


@blp.route(P + "/supporter", methods=["PUT"])
@blp.arguments(PlanSupporterIn)
@blp.response(200, PlanOut)
def ask_supporter(data, package_id):
    """Ask a certified Link, Lead or Lead Plus practitioner to support the plan (the practitioner
    only). The plan shows as supported only once they accept. 409 `supporter_role`,
    `supporter_not_self`, or `plan` when no plan is saved yet; 400 for an unknown person."""
    svc.ask_supporter(package_id, data["person_id"])
    db.session.commit()
    p, plan, view = svc.readable(package_id)
    return svc.as_view(plan, p, view)


@blp.route(P + "/supporter", methods=["DELETE"])
@blp.response(200, PlanOut)
def remove_supporter(package_id):
    """The practitioner withdraws the request or ends the support: the supporter no longer sees it."""
    svc.remove_supporter(package_id)
    db.session.commit()
    p, plan, view = svc.readable(package_id)
    return svc.as_view(plan, p, view)


@blp.route(P + "/supporter/accept", methods=["POST"])
@blp.response(200, PlanOut)
def accept(package_id):
    """The asked supporter accepts: they see the plan from now on (404 for anyone else; 409
    `supporter_pending` once answered)."""
    svc.answer(package_id, "accept")
    db.session.commit()
    p, plan, view = svc.readable(package_id)
    return svc.as_view(plan, p, view)


@blp.route(P + "/supporter/decline", methods=["POST"])
@blp.response(200, PlanOut)
def decline(package_id):
    """The asked supporter declines: they no longer see the plan or its invitation."""
    svc.answer(package_id, "decline")
    db.session.commit()
    return {"package_id": package_id, "view": "invitation", "supporter_state": "declined"}


@blp.route(P + "/supporter-candidates")
@blp.arguments(PageArgs, location="query")
@blp.response(200, CandidatePage)
def candidates(args, package_id):
    """Who the practitioner may ask: active members of the package's organisation with a current
    Link, Lead or Lead Plus certification (the practitioner only)."""
    return paged(svc.candidates(package_id), args)


@blp.route("/people/<person_id>/supported-plans")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PlanPage)
def supported(args, person_id):
    """Plans the person is asked to support (`invitation`) or supports (`full`): the person only."""
    c = require_person_access(person_id)
    get_person(person_id)
    if c.person_id != person_id:  # a training admin reads no one's supported plans
        return paged([], args)
    rows = []
    for plan in svc.supported_by(person_id):
        p = svc.package_of(plan.package_id)
        rows.append(svc.as_view(plan, p, svc.view_for(c, p, plan)))
    return paged(rows, args)


@blp.route("/organisations/<organisation_id>/microproject-plans")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PlanPage)
def of_organisation(args, organisation_id):
    """The organisation's admins (and training admins): which of its packages have a plan, and each
    plan's review dates (`view: "summary"`), nothing else. 404 for anyone else."""
    require_org_admin(organisation_id)
    svc.get_org(organisation_id)
    return paged(svc.summaries_of_organisation(organisation_id), args)
