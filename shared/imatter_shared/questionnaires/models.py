"""Declarative mixins for a service's own questionnaire tables.

    class QuestionnaireVersion(QuestionnaireVersionMixin, db.Model):
        __tablename__ = "questionnaire_versions"

    class QResponse(QuestionnaireAnswersMixin, db.Model):
        __tablename__ = "q_responses"
        version_id = sa.Column(sa.String(32), sa.ForeignKey("questionnaire_versions.id"), nullable=False)
        ... who answered, about whom ...

A version row is never updated after it is loaded (only `current` moves), and an answers
row keeps its version id, its answers and the section scores computed when they were
given: loading a new version never alters answers given to an old one.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import declared_attr

from imatter_shared.dataprotection.annotations import NOT_PII
from imatter_shared.timeutil import naive_utcnow


def _new_id() -> str:
    return uuid.uuid4().hex


class QuestionnaireVersionMixin:
    id = sa.Column(sa.String(32), primary_key=True, default=_new_id)
    instrument = sa.Column(sa.String(60), nullable=False, index=True)
    version = sa.Column(sa.String(60), nullable=False)
    title = sa.Column(sa.String(1000), nullable=False)
    sample = sa.Column(sa.Boolean, nullable=False, default=False)
    # the normalised document (questions, scales, sections, bands): the organisation's
    # content, about no one
    content = sa.Column(sa.JSON, nullable=False, info=NOT_PII)
    checksum = sa.Column(sa.String(64), nullable=False)
    current = sa.Column(sa.Boolean, nullable=False, default=False)
    loaded_by = sa.Column(sa.String(100), nullable=True, info=NOT_PII)  # "cli" or a staff user id
    loaded_at = sa.Column(sa.DateTime, nullable=False, default=naive_utcnow)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (
            sa.UniqueConstraint("instrument", "version", name=f"uq_{cls.__tablename__}_instrument_version"),
        )


class QuestionnaireAnswersMixin:
    """Answers to one version, with the section scores as computed when they were given.
    The service adds `version_id` (a foreign key to its versions table) and whose answers
    these are."""

    id = sa.Column(sa.String(32), primary_key=True, default=_new_id)
    instrument = sa.Column(sa.String(60), nullable=False)
    answers = sa.Column(sa.JSON, nullable=False)
    section_scores = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=naive_utcnow)
