"""Parent Mentors (seed 001: "some experienced parents positions as Level 3 advanced level Parent
Mentor"; places "offered on the basis of application, references and interview"). Decision 0058.

Who may do what: only the person themself applies and answers an offer; training admins record the
interview and decide (offer or decline); the person and training admins read the record. Anyone
else gets 404. A Parent Mentor place is not listed in the public directory (DOMAIN: the directory
is for certified Lead Professionals and Advanced Practitioners who opt in)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound

from ..authz import caller, is_self_or_training_admin
from ..extensions import db
from ..models import Person
from ..rules.parent_mentor import ELIGIBILITY
from ..services import parent_mentors as svc
from .common import PageArgs, own_or_training_admin, page, require_training_admin, self_only
from .schemas.parent_mentors import EligibilityOut, ParentMentorApplicationOut, ParentMentorApplicationPage

blp = Blueprint(
    "parent_mentors",
    __name__,
    url_prefix="/api/v1/parent-mentors",
    description="Parent Mentors: application, references, interview, offer and acceptance",
)


def _motivation(value: str) -> None:
    """At least 20 characters that are not white space (the applicant's own statement)."""
    if len(value.strip()) < 20:
        raise ValidationError(
            "Say in at least 20 characters (not counting spaces) why you would like to be a Parent Mentor."
        )


class ParentMentorReference(Schema):
    name = fields.String(required=True, validate=v.Length(min=1, max=200))
    relationship = fields.String(required=True, validate=v.Length(min=1, max=200))
    contact = fields.String(load_default=None, validate=v.Length(max=254))


class ParentMentorApplicationIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    motivation = fields.String(required=True, validate=[v.Length(max=3000), _motivation])
    references = fields.List(
        fields.Nested(ParentMentorReference),
        required=True,
        validate=v.Length(max=ELIGIBILITY["max_references"]),
    )


class ParentMentorPersonArgs(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class ParentMentorApplicationsArgs(PageArgs):
    state = fields.String(load_default=None, validate=v.OneOf(svc.STATES))
    person_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))


class ParentMentorInterviewIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("passed", "failed")))
    note = fields.String(load_default=None, validate=v.Length(max=1000))


class ParentMentorDecisionIn(Schema):
    outcome = fields.String(required=True, validate=v.OneOf(("offer", "decline")))
    note = fields.String(load_default=None, validate=v.Length(max=1000))


class ParentMentorAnswerIn(Schema):
    answer = fields.String(required=True, validate=v.OneOf(("accept", "turn_down")))


def _self_only(person_id: str) -> Person:
    self_only(person_id)
    person = db.session.get(Person, person_id)
    if person is None:  # the caller's own person, erased since their token was issued
        raise NotFound("No person with that id.")
    return person


def _readable(application_id: str):
    a = svc.get(application_id)
    c = caller()
    if not is_self_or_training_admin(c, a.person_id):
        log_refusal("parent_mentor_application", application_id)
        raise NotFound("No Parent Mentor application with that id.")
    return a, c


@blp.route("/eligibility")
@blp.arguments(ParentMentorPersonArgs, location="query")
@blp.response(200, EligibilityOut)
def eligibility(args):
    """Whether the person may apply now and what they lack (the person themself or a training admin)."""
    c = caller()
    person = db.session.get(Person, args["person_id"])
    if person is None or not is_self_or_training_admin(c, person.id):
        log_refusal("person", args["person_id"])
        raise NotFound("No person with that id.")
    return svc.eligibility(person)


@blp.route("/applications", methods=["POST"])
@blp.arguments(ParentMentorApplicationIn)
@blp.response(201, ParentMentorApplicationOut)
def apply(data):
    """The person applies for themself, with a motivation and at least 2 references (400
    `references`); 409 with `unmet`: `parent_learner` (learning as a parent, carer or individual),
    `foundation_completion` (Foundation A parts 1 and 2 and Foundation B completed),
    `one_application` (one open application or place per person; a racing second is refused)."""
    c = caller()
    person = _self_only(data["person_id"])
    a = svc.apply(person, data["motivation"].strip(), data["references"], c.user_id)
    db.session.commit()
    return a


@blp.route("/applications", methods=["GET"])
@blp.arguments(ParentMentorApplicationsArgs, location="query")
@blp.response(200, ParentMentorApplicationPage)
def applications(args):
    """Training admins: every application, oldest first (filter by `state`, `person_id`). Anyone
    else: their own, with `person_id` set to their own person."""
    own_or_training_admin(args["person_id"])
    rows, total = svc.applications_page(args["state"], args["person_id"], args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/applications/<application_id>")
@blp.response(200, ParentMentorApplicationOut)
def one(application_id):
    """The person themself and training admins."""
    a, _ = _readable(application_id)
    return a


@blp.route("/applications/<application_id>/interview", methods=["POST"])
@blp.arguments(ParentMentorInterviewIn)
@blp.response(200, ParentMentorApplicationOut)
def interview(data, application_id):
    """Training admins record the interview once (passed or failed) with a note the applicant sees
    (409 `interview_open` when already recorded or the application is closed)."""
    c = require_training_admin()
    a = svc.interview(svc.get(application_id), data["outcome"], data["note"], c.user_id)
    db.session.commit()
    return a


@blp.route("/applications/<application_id>/decision", methods=["POST"])
@blp.arguments(ParentMentorDecisionIn)
@blp.response(200, ParentMentorApplicationOut)
def decide(data, application_id):
    """Training admins offer a place (409 `interview_passed` until a passed interview) or decline
    the application (409 `application_open` once decided)."""
    c = require_training_admin()
    a = svc.decide(svc.get(application_id), data["outcome"], data["note"], c.user_id)
    db.session.commit()
    return a


@blp.route("/applications/<application_id>/answer", methods=["POST"])
@blp.arguments(ParentMentorAnswerIn)
@blp.response(200, ParentMentorApplicationOut)
def answer(data, application_id):
    """The person themself accepts the offered place (`accepted`: they hold the Parent Mentor role)
    or turns it down (409 `offer_open` when there is no offer to answer). Nobody answers for them."""
    a = svc.get(application_id)
    c = caller()
    if c.person_id is None or c.person_id != a.person_id:
        log_refusal("parent_mentor_application", application_id)
        raise NotFound("No Parent Mentor application with that id.")
    a = svc.answer(a, data["answer"] == "accept")
    db.session.commit()
    return a
