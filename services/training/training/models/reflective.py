"""Reflective tools: questionnaire versions, the informal I Matter Q (about the
learner themself), community wheel licences and community audits (organisation-level,
aggregate: no individuals), and I Matter Q registration consultation orders.

Nothing here is about a family, child or anyone being supported: the formal Q and the
personalised wheel are case-adjacent and live in cic-tracker."""

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import NOT_PII, pii
from imatter_shared.questionnaires.models import QuestionnaireAnswersMixin, QuestionnaireVersionMixin

from .base import created_column, db, id_column

_SELF = ("self-assessment answers", "the learner's own reflection and suggested learning steps", "consent")


class QuestionnaireVersion(QuestionnaireVersionMixin, db.Model):
    __tablename__ = "questionnaire_versions"


class QResponse(QuestionnaireAnswersMixin, db.Model):
    """One informal I Matter Q, answered by a signed-in learner about themself. Visible to that
    user alone (not their organisation's admins, not training admins)."""

    __tablename__ = "q_responses"
    user_id = sa.Column(
        sa.String(64),
        nullable=False,
        index=True,
        info=pii(
            "account identifier", "whose Q this is", "consent", "until erased on request", subject="user_id"
        ),
    )
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("people.id"),
        nullable=True,
        index=True,
        info=pii(
            "person identifier", "whose Q this is", "consent", "until erased on request", subject="person_id"
        ),
    )
    version_id = sa.Column(sa.String(32), sa.ForeignKey("questionnaire_versions.id"), nullable=False)
    answers = sa.Column(sa.JSON, nullable=False, info=pii(*_SELF, "until erased on request"))
    section_scores = sa.Column(sa.JSON, nullable=False, info=pii(*_SELF, "until erased on request"))


class CommunityWheelLicence(db.Model):
    """Permission to use the community wheel, granted by a training admin to an organisation
    (often a GP practice or community group) or to a person (often a community leader)."""

    __tablename__ = "community_wheel_licences"
    id = id_column()
    holder = sa.Column(sa.String(20), nullable=False)  # organisation | person
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True, index=True)
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("people.id"),
        nullable=True,
        index=True,
        info=pii(
            "person identifier",
            "who holds the licence",
            "contract",
            "while the licence is held",
            subject="person_id",
        ),
    )
    with_level_3a = sa.Column(
        sa.Boolean, nullable=False, default=False
    )  # offered alongside a Level 3A licence
    valid_from = sa.Column(sa.DateTime, nullable=False)
    valid_until = sa.Column(sa.DateTime, nullable=False)
    revoked_at = sa.Column(sa.DateTime, nullable=True)
    granted_by = sa.Column(sa.String(64), nullable=False, info=NOT_PII)  # a training admin's user id
    created_at = created_column()


class CommunityAudit(QuestionnaireAnswersMixin, db.Model):
    """A community audit with the wheel: the organisation's view of its community, in aggregate."""

    __tablename__ = "community_wheel_audits"
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=False, index=True)
    version_id = sa.Column(sa.String(32), sa.ForeignKey("questionnaire_versions.id"), nullable=False)
    licence_id = sa.Column(sa.String(32), sa.ForeignKey("community_wheel_licences.id"), nullable=False)
    participants_count = sa.Column(sa.Integer, nullable=True)  # how many took part: a count, never who
    answers = sa.Column(sa.JSON, nullable=False, info=NOT_PII)  # organisation-level ratings
    section_scores = sa.Column(sa.JSON, nullable=False, info=NOT_PII)
    created_by = sa.Column(
        sa.String(64),
        nullable=False,
        info=pii(
            "account identifier",
            "who recorded the audit",
            "legitimate_interests",
            "6 years after created_at",
            subject="user_id",
        ),
    )


class QRegistration(db.Model):
    """An I Matter Q registration consultation ordered for a face-to-face learner. The order is
    training's; the booking is the CIC's (training.q_consultation.ordered carries ids only)."""

    __tablename__ = "q_registrations"
    id = id_column()
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("people.id"),
        nullable=False,
        index=True,
        info=pii(
            "person identifier",
            "the consultation ordered",
            "contract",
            "6 years after created_at",
            subject="person_id",
        ),
    )
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True)
    order_id = sa.Column(sa.String(32), sa.ForeignKey("orders.id"), nullable=False, unique=True)
    enrolment_id = sa.Column(sa.String(32), nullable=True)  # the optional online course, when taken
    created_by = sa.Column(
        sa.String(64),
        nullable=False,
        info=pii(
            "account identifier", "who ordered", "contract", "6 years after created_at", subject="user_id"
        ),
    )
    created_at = created_column()
