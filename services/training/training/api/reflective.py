"""/api/v1/training/...: reflective tools on the training side.

- the informal I Matter Q: a learner's self-assessment, visible to them alone (404 for anyone
  else, their organisation's admins and training admins included), with suggested learning steps;
- community wheel licences (granted by a training admin) and the community audit version of the
  wheel (organisation-level, aggregate; 409 `community_wheel_licence` without a licence);
- I Matter Q registration consultations for parents learning face to face (optional, paid, an
  order here and a booking with the CIC)."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.questionnaires import store
from imatter_shared.questionnaires.schemas import QuestionnaireOut
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth
from imatter_shared.web.errors import NotFound

from ..authz import caller, require_org_access, require_person_access
from ..extensions import db
from ..models import Person
from ..rules import reflective as rules
from ..services import q_registrations
from ..services import reflective as svc
from .common import PageArgs, page, paged, require_training_admin
from .schemas.reflective import (
    CommunityAuditOut,
    CommunityAuditPage,
    QResponseOut,
    QResponsePage,
    RegistrationOfferOut,
    RegistrationOut,
    RegistrationPage,
    WheelLicenceOut,
    WheelLicencePage,
)

blp = Blueprint(
    "reflective",
    __name__,
    url_prefix="/api/v1/training",
    description="Reflective tools: informal I Matter Q, community wheel, Q registration consultations",
)


@blp.after_request
def _private(response):
    # answers about oneself are nobody else's: keep them out of shared caches
    response.headers["Cache-Control"] = "no-store"
    return response


class QAnswersIn(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=v.Length(min=1, max=60)), values=fields.Raw(), required=True
    )


class WheelLicenceIn(Schema):
    organisation_id = fields.String(load_default=None, allow_none=True, validate=v.Length(min=1, max=32))
    person_id = fields.String(load_default=None, allow_none=True, validate=v.Length(min=1, max=32))
    with_level_3a = fields.Boolean(load_default=False)
    months = fields.Integer(load_default=None, allow_none=True, strict=True, validate=v.Range(min=1, max=36))


class CommunityAuditIn(QAnswersIn):
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    participants_count = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=v.Range(min=0, max=100000)
    )


class CommunityAuditArgs(PageArgs):
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class QPersonArgs(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class QRegistrationIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    organisation_id = fields.String(load_default=None, allow_none=True, validate=v.Length(min=1, max=32))
    online_course = fields.String(
        load_default=None, allow_none=True, validate=v.OneOf(rules.OPTIONAL_COURSES)
    )


# ---- content -------------------------------------------------------------------------------


@blp.route("/questionnaires/<instrument>/current")
@require_auth
@blp.response(200, QuestionnaireOut)
def current(instrument):
    """The current version's questions (SAMPLE content until the organisation loads its own)."""
    return store.public_view(svc.current_version(instrument))


# ---- the informal I Matter Q ---------------------------------------------------------------


@blp.route("/q/responses", methods=["POST"])
@require_auth
@blp.arguments(QAnswersIn)
@blp.response(201, QResponseOut)
def answer_q(data):
    """Answer the current version about yourself: section scores and suggested learning steps."""
    c = caller()
    r = svc.answer_q(c.user_id, c.person, data["answers"])
    db.session.commit()
    return r


@blp.route("/q/responses", methods=["GET"])
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, QResponsePage)
def my_qs(args):
    """Your own I Matter Q responses only."""
    rows, total = svc.own_responses(caller().user_id, args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/q/responses/<response_id>", methods=["GET"])
@require_auth
@blp.response(200, QResponseOut)
def my_q(response_id):
    return svc.own_response(caller().user_id, response_id)


@blp.route("/q/responses/<response_id>", methods=["DELETE"])
@require_auth
@blp.response(204)
def delete_q(response_id):
    svc.delete_q(svc.own_response(caller().user_id, response_id))
    db.session.commit()
    return ""


# ---- community wheel licences --------------------------------------------------------------


@blp.route("/community-wheel/licences", methods=["POST"])
@require_auth
@blp.arguments(WheelLicenceIn)
@blp.response(201, WheelLicenceOut)
def grant(data):
    """Grant a community wheel licence to an organisation or a person (training admin)."""
    c = require_training_admin()
    lic = svc.grant_licence(data, c.user_id)
    db.session.commit()
    return lic


@blp.route("/community-wheel/licences", methods=["GET"])
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, WheelLicencePage)
def licences(args):
    """Training admins see every licence; others those of their organisations and their own."""
    rows, total = svc.licences_visible(caller(), args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/community-wheel/licences/<licence_id>/revoke", methods=["POST"])
@require_auth
@blp.response(200, WheelLicenceOut)
def revoke(licence_id):
    require_training_admin()
    lic = svc.revoke_licence(svc.get_licence(licence_id))
    db.session.commit()
    return lic


# ---- community audits ----------------------------------------------------------------------


@blp.route("/community-wheel/audits", methods=["POST"])
@require_auth
@blp.arguments(CommunityAuditIn)
@blp.response(201, CommunityAuditOut)
def audit(data):
    """Record a community audit for an organisation you belong to (aggregate, no individuals)."""
    c = require_org_access(data["organisation_id"])
    a = svc.record_audit(c, data["organisation_id"], data["answers"], data["participants_count"])
    db.session.commit()
    return a


@blp.route("/community-wheel/audits", methods=["GET"])
@require_auth
@blp.arguments(CommunityAuditArgs, location="query")
@blp.response(200, CommunityAuditPage)
def audits(args):
    require_org_access(args["organisation_id"])
    rows, total = svc.audits_of(args["organisation_id"], args["page"], args["per_page"])
    return page(rows, total, args)


@blp.route("/community-wheel/audits/<audit_id>", methods=["GET"])
@require_auth
@blp.response(200, CommunityAuditOut)
def one_audit(audit_id):
    a = svc.get_audit(audit_id)
    require_org_access(a.organisation_id)
    return a


# ---- I Matter Q registration consultations -------------------------------------------------


def _person(person_id: str, org_may: bool = False) -> Person:
    # the consultation and its optional course are ordered and invoiced to the person (funding
    # self): only they order or list them; their organisation's admin may see the offer
    require_person_access(person_id, org_may=org_may)
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    return p


@blp.route("/q/registration-offer", methods=["GET"])
@require_auth
@blp.arguments(QPersonArgs, location="query")
@blp.response(200, RegistrationOfferOut)
def registration_offer(args):
    """What is offered to this person (optional, never required), its price, and whether it applies."""
    return q_registrations.offer(_person(args["person_id"], org_may=True))


@blp.route("/q/registration-consultations", methods=["POST"])
@require_auth
@blp.arguments(QRegistrationIn)
@blp.response(201, RegistrationOut)
def order_registration(data):
    """Order an I Matter Q registration consultation (and, if wished, the online Foundation A
    part 1). The CIC books the consultation from the order (an event carrying ids only)."""
    c = caller()
    person = _person(data["person_id"])
    made = q_registrations.order_registration(person, data, c.user_id)
    db.session.commit()
    return made


class QRegistrationsArgs(PageArgs, QPersonArgs):
    pass


@blp.route("/q/registration-consultations", methods=["GET"])
@require_auth
@blp.arguments(QRegistrationsArgs, location="query")
@blp.response(200, RegistrationPage)
def registrations(args):
    person = _person(args["person_id"])
    return paged(q_registrations.registrations_of(person.id), args)
