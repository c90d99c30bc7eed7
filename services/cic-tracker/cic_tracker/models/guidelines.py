"""The Microproject Practice Guidelines as cic-tracker knows them, from training's events (decision
0064): the versions published (numbers and dates, no text) and who acknowledged which version.
A microproject's first case needs its practitioner's acknowledgement of the latest version."""

import sqlalchemy as sa

from imatter_shared.dataprotection.annotations import pii

from .base import db, utcnow


class GuidelinesVersion(db.Model):
    """training.practice_guidelines.published"""

    __tablename__ = "guidelines_versions"
    version = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    published_at = sa.Column(sa.String(40), nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class GuidelinesAcknowledgement(db.Model):
    """training.practitioner.guidelines_acknowledged"""

    __tablename__ = "guidelines_acknowledgements"
    person_id = sa.Column(
        sa.String(100),
        primary_key=True,
        info=pii(
            "person identifier",
            "knowing who may do what (facts mirrored from I Matter Training by event)",
            "contract",
            "while the practitioner works with us; erased on request (flask dp erase)",
            subject="person_id",
        ),
    )
    version = sa.Column(sa.Integer, primary_key=True, autoincrement=False)
    acknowledged_at = sa.Column(sa.String(40), nullable=False)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
