"""Reflective tools: questionnaires, the informal I Matter Q, community wheel licences and
audits, and I Matter Q registration consultations."""

from __future__ import annotations

from marshmallow import fields

from ...extensions import db
from ...models import QuestionnaireVersion
from ...rules import reflective as reflective_rules
from ...services import orders, reflective
from .base import Computed, ComputedNested, Int, Opt, Out, Str, When, page_of
from .learning import EnrolmentMadeOut
from .orders import OrderOut


class QResponseOut(Out):
    """An I Matter Q answered about oneself: visible to its author alone."""

    id = Str()
    instrument = Str()
    version = Computed(lambda r: _version(r).version, metadata={"type": "string"})
    version_id = Str()
    sample = Computed(lambda r: _version(r).sample, metadata={"type": "boolean"})
    notice = Computed(
        lambda r: _version(r).content.get("notice"), metadata={"type": "string", "nullable": True}
    )
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())
    sections = fields.List(
        fields.Dict(), attribute="section_scores", metadata={"description": "section scores and bands"}
    )
    suggested_steps = Computed(
        lambda r: reflective.suggested_steps(r, _version(r)),
        metadata={"type": "array", "items": {"type": "object"}},
    )
    visible_to = fields.Constant("you alone")
    created_at = When()


class WheelLicenceOut(Out):
    id = Str()
    tool = fields.Constant(reflective_rules.COMMUNITY_WHEEL_TOOL)
    title = fields.Constant("Community wheel licence")
    holder = Str()
    organisation_id = Opt()
    person_id = Opt()
    with_level_3a = fields.Raw(allow_none=True, metadata={"type": "boolean"})
    status = Computed(reflective.licence_status, metadata={"type": "string"})
    valid_from = When()
    valid_until = When()
    revoked_at = When()
    created_at = When()
    allows = fields.Constant(
        [
            "community audit with the wheel (organisation-level, aggregate)",
            "personalised wellbeing consultation with the wheel (in cic-tracker, with consent)",
        ]
    )


def _version(a):
    return db.session.get(QuestionnaireVersion, a.version_id)


class CommunityAuditOut(Out):
    """Aggregate answers of a community audit: no individuals."""

    id = Str()
    organisation_id = Str()
    instrument = Str()
    version = Computed(lambda a: _version(a).version, metadata={"type": "string"})
    sample = Computed(lambda a: _version(a).sample, metadata={"type": "boolean"})
    licence_id = Opt()
    participants_count = Opt(fields.Integer)
    answers = fields.Raw()
    sections = fields.Raw(attribute="section_scores")
    created_at = When()


class ConsultationOfferOut(Out):
    code = Str()
    title = Str()
    for_ = Str(data_key="for", attribute="for")
    note = Str()
    optional = fields.Boolean()
    price = Int()
    currency = Str()
    placeholder = fields.Boolean()
    placeholder_label = Str()
    price_status = Str()


class OptionalCourseOut(Out):
    course_code = Str()
    title = Str()
    price = Int()
    currency = Str()
    optional = fields.Boolean()


class RegistrationOfferOut(Out):
    """What is offered (optional, never required), its price, and whether it applies."""

    person_id = Str()
    eligible = fields.Boolean()
    unmet = fields.List(fields.String())
    consultation = fields.Nested(ConsultationOfferOut)
    optional_courses = fields.List(fields.Nested(OptionalCourseOut))
    required = fields.Boolean()


class RegistrationOut(Out):
    id = Str()
    person_id = Str()
    organisation_id = Opt()
    order_id = Str()
    enrolment_id = Opt()
    purpose = fields.Constant(reflective_rules.Q_REGISTRATION["purpose"])
    optional = fields.Constant(True)
    booking = fields.Constant("requested from Relationship Health Matters CIC (a Priorities Consultation)")
    created_at = When()
    # the order it was placed with: the one just made (a purchase), or read by its id (a list)
    order = ComputedNested(
        OrderOut,
        lambda r: r.order if isinstance(r, orders.Purchase) else orders.get_order(r.order_id),
        allow_none=True,
    )
    online_course = fields.Nested(EnrolmentMadeOut, allow_none=True)


QResponsePage = page_of(QResponseOut)
WheelLicencePage = page_of(WheelLicenceOut)
CommunityAuditPage = page_of(CommunityAuditOut)
RegistrationPage = page_of(RegistrationOut, "QRegistrationPage")
