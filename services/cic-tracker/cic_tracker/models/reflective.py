"""Reflective tools with someone else: questionnaire versions, formal I Matter Q and
personalised wellbeing wheel answers attached to a case (erased with the case's data when
consent is withdrawn or retention ends), community wheel licence facts learnt from training,
and the bookings of I Matter Q registration consultations ordered in training.

Answers and notes about a case never leave this service."""

import sqlalchemy as sa

from imatter_shared.questionnaires.models import QuestionnaireAnswersMixin, QuestionnaireVersionMixin

from .base import created_column, db, utcnow


class QuestionnaireVersion(QuestionnaireVersionMixin, db.Model):
    __tablename__ = "questionnaire_versions"


class CaseToolResponse(QuestionnaireAnswersMixin, db.Model):
    """A formal I Matter Q or a personalised wellbeing wheel, about a case's participant."""

    __tablename__ = "case_tool_responses"
    case_id = sa.Column(
        sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version_id = sa.Column(sa.String(32), sa.ForeignKey("questionnaire_versions.id"), nullable=False)
    notes = sa.Column(sa.Text, nullable=True)
    recorded_by = sa.Column(sa.String(100), nullable=False)


class ToolLicence(db.Model):
    """training.tool_licence.changed: the latest state of a community wheel licence."""

    __tablename__ = "tool_licences"
    licence_id = sa.Column(sa.String(100), primary_key=True)
    tool = sa.Column(sa.String(40), nullable=False)
    holder = sa.Column(sa.String(20), nullable=False)
    organisation_id = sa.Column(sa.String(100), nullable=True, index=True)
    person_id = sa.Column(sa.String(100), nullable=True, index=True)
    status = sa.Column(sa.String(20), nullable=False)
    valid_until = sa.Column(sa.DateTime, nullable=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class QRegistrationBooking(db.Model):
    """training.q_consultation.ordered -> a Priorities Consultation request (one per order)."""

    __tablename__ = "q_registration_bookings"
    order_id = sa.Column(sa.String(100), primary_key=True)
    registration_id = sa.Column(sa.String(100), nullable=False)
    person_id = sa.Column(sa.String(100), nullable=False, index=True)
    organisation_id = sa.Column(sa.String(100), nullable=True)
    consultation_id = sa.Column(sa.String(32), sa.ForeignKey("consultations.id"), nullable=False)
    created_at = created_column()
