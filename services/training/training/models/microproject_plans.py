"""Microproject planning tools (seed 000 "Access to the I Matter Learning Planning Tools") and the
Microproject Practice Guidelines (seed 003), on the training side.

A plan is the practitioner's own planning of one microproject (a package): the idea, 1-3 focus
areas, ordered steps with a status, review dates and the Link or Lead practitioner who supports it
(seeds 003/004), once they accept. It holds NO case data: no family, child or case details, no
names of anyone supported (decision 0063). Case records live only in cic-tracker.
"""

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import NOT_PII, pii

from .base import created_column, db, id_column, utcnow

_PLANNING = "the practitioner's microproject planning tools (no case details)"
_KEPT = "while the package's practicum runs, then 6 years; erased on request"


def _person(purpose: str = _PLANNING):
    return pii("person identifier", purpose, "contract", _KEPT, subject="person_id")


def _account():
    return pii(
        "account identifier",
        "accountability: which account recorded or changed a record",
        "legitimate_interests",
        _KEPT,
        subject="user_id",
        erase="pseudonymise",
    )


class MicroprojectPlan(db.Model):
    """One plan per package, edited only by the package's practitioner."""

    __tablename__ = "microproject_plans"
    id = id_column()
    package_id = sa.Column(sa.String(32), sa.ForeignKey("packages.id"), nullable=False, unique=True)
    practitioner_id = sa.Column(
        sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True, info=_person()
    )
    idea = sa.Column(
        sa.Text,
        nullable=False,
        info=pii("the practitioner's microproject idea", _PLANNING, "contract", _KEPT),
    )
    focus_areas = sa.Column(sa.JSON, nullable=False, info=pii("focus areas", _PLANNING, "contract", _KEPT))
    # [{"text", "status"}] in order (the list order is the step order)
    steps = sa.Column(sa.JSON, nullable=False, info=pii("planned steps", _PLANNING, "contract", _KEPT))
    review_dates = sa.Column(sa.JSON, nullable=False, info=NOT_PII)  # ISO dates, ascending
    # the supporting Link or Lead practitioner: pending until they accept (or decline)
    # the supporter's person id, deliberately without a foreign key: a foreign key to people would
    # make it an erasure subject (decision 0063), and erasing the supporter must neither delete nor
    # rewrite the practitioner's plan; once the supporter is erased the id names nobody
    supporter_person_id = sa.Column(
        sa.String(32),
        nullable=True,
        index=True,
        info=pii("person identifier of the supporter", _PLANNING, "contract", _KEPT),
    )
    supporter_state = sa.Column(sa.String(20), nullable=True, info=NOT_PII)
    supporter_asked_at = sa.Column(sa.DateTime, nullable=True, info=NOT_PII)
    supporter_answered_at = sa.Column(sa.DateTime, nullable=True, info=NOT_PII)
    created_by = sa.Column(sa.String(64), nullable=False, info=_account())
    created_at = created_column()
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class PracticeGuidelinesVersion(db.Model):
    """A published version of the Microproject Practice Guidelines (content as data; versions never
    change: a change is a new version, which practitioners acknowledge again)."""

    __tablename__ = "practice_guidelines_versions"
    version = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    title = sa.Column(sa.String(200), nullable=False)
    # [{"heading", "points": [...]}]
    sections = sa.Column(sa.JSON, nullable=False, info=NOT_PII)
    published_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    published_by = sa.Column(sa.String(64), nullable=False, info=_account())


class GuidelinesAcknowledgement(db.Model):
    """A practitioner acknowledged a version (announced to cic-tracker, which gates first cases)."""

    __tablename__ = "guidelines_acknowledgements"
    id = id_column()
    person_id = sa.Column(
        sa.String(32),
        sa.ForeignKey("people.id"),
        nullable=False,
        index=True,
        info=_person("the practitioner's acknowledgement of the practice guidelines"),
    )
    version = sa.Column(sa.Integer, sa.ForeignKey("practice_guidelines_versions.version"), nullable=False)
    acknowledged_by = sa.Column(sa.String(64), nullable=False, info=_account())
    acknowledged_at = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    __table_args__ = (sa.UniqueConstraint("person_id", "version"),)
