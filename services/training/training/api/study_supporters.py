"""Volunteer study supporters (seed 001; decision 0061): the person applies for themself (the
Foundation courses completed, at least 2 references); a training admin records the interview
(outcome and a note the applicant sees) and decides (acceptance needs the interview passed and the
study supporters preparation course completed). The applicant and training admins see the record,
with the learner groups (study-support series) the supporter is buddy to. Anyone else: 404."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound

from ..authz import caller
from ..extensions import db
from ..models import Person
from ..rules.study_support import SUPPORTER_STATES
from ..services import study_support_records as records
from ..services import study_supporters as svc
from .common import PageArgs, page, require_training_admin
from .schemas.study_support import StudySupporterOut, SupporterPage

blp = Blueprint(
    "study_supporters",
    __name__,
    url_prefix="/api/v1/lead-professionals/study-supporter-applications",
    description="Volunteer study supporters: application, references, interview, decision, buddy groups",
)


class SupporterReference(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=v.Length(min=1, max=200))
    contact = fields.String(load_default=None, validate=v.Length(max=254))


class SupporterIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    motivation = fields.String(required=True, validate=v.Length(min=1, max=3000))
    references = fields.List(fields.Nested(SupporterReference), load_default=list, validate=v.Length(max=5))


class SupporterInterviewIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("passed", "failed")))
    note = fields.String(load_default=None, validate=v.Length(max=1000))


class SupporterDecisionIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("accepted", "declined")))


class SupportersArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(SUPPORTER_STATES))
    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


def _out(s) -> dict:
    person = db.session.get(Person, s.person_id)
    return {
        **{k: getattr(s, k) for k in ("id", "person_id", "state", "motivation", "interview_outcome")},
        **{k: getattr(s, k) for k in ("interview_at", "interview_note", "decided_at", "created_at")},
        "references": s.references or [],
        "person_name": person.name if person else None,
        "acceptance_unmet": svc.decision_unmet(s) if s.state in ("applied", "interviewed") else [],
        "buddy_for": records.series_buddied_by(s),
    }


def _own(application_id: str):
    s = svc.get(application_id)
    c = caller()
    if not c.is_training_admin and c.person_id != s.person_id:
        log_refusal("study_supporter_application", application_id)
        raise NotFound("No study supporter application with that id.")
    return s, c


@blp.route("", methods=["POST"])
@blp.arguments(SupporterIn)
@blp.response(201, StudySupporterOut)
def apply_supporter(data):
    """The person applies for themself (404 for anyone else): the Foundation courses completed (409
    `foundation_completion`), at least 2 references (400 `references`), one open application (409
    `one_application`)."""
    c = caller()
    if c.person_id is None or c.person_id != data["person_id"]:
        log_refusal("person", data["person_id"])
        raise NotFound("No person with that id.")
    s = svc.apply_supporter(data)
    db.session.commit()
    return _out(s)


@blp.route("", methods=["GET"])
@blp.arguments(SupportersArgs, location="query")
@blp.response(200, SupporterPage)
def list_supporters(args):
    """Training admins: every application, oldest first (filter by `state`, `person_id`). Anyone
    else: their own, with `person_id` set to their own person."""
    c = caller()
    if not c.is_training_admin:
        if not args["person_id"] or args["person_id"] != c.person_id:
            require_training_admin()
        rows = svc.of_person(c.person_id)
        return page([_out(s) for s in rows], len(rows), args)
    rows, total = svc.page_all(args["state"], args["person_id"], args["page"], args["per_page"])
    return page([_out(s) for s in rows], total, args)


@blp.route("/<application_id>")
@blp.response(200, StudySupporterOut)
def one_supporter(application_id):
    """The applicant and training admins: the record, the interview outcome and note, what
    acceptance still needs and the learner groups the supporter is buddy to."""
    s, _ = _own(application_id)
    return _out(s)


@blp.route("/<application_id>/interview", methods=["POST"])
@blp.arguments(SupporterInterviewIn)
@blp.response(200, StudySupporterOut)
def interview_supporter(data, application_id):
    """Training admins record the interview (passed: `interviewed`; failed: `declined`) with a note
    the applicant sees (409 `application_open` once recorded)."""
    c = require_training_admin()
    s = svc.interview(svc.get(application_id), data["outcome"], data["note"], c.user_id)
    db.session.commit()
    return _out(s)


@blp.route("/<application_id>/decision", methods=["POST"])
@blp.arguments(SupporterDecisionIn)
@blp.response(200, StudySupporterOut)
def decide_supporter(data, application_id):
    """Training admins decide: `accepted` needs the interview passed and the study supporters
    preparation course completed (409 `interview_passed`, `preparation_course`); `declined` at any
    open stage."""
    c = require_training_admin()
    s = svc.decide_supporter(svc.get(application_id), data["outcome"], c.user_id)
    db.session.commit()
    return _out(s)
