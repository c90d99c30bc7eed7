"""Practice guidelines facts from training (decision 0064): versions and acknowledgements, applied
idempotently, and the gate on a microproject's first case."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models import Case, Microproject
from ..models.guidelines import GuidelinesAcknowledgement, GuidelinesVersion
from ..rules import guidelines as rules


def published(d: dict) -> None:
    """training.practice_guidelines.published: the version is known (a replay changes nothing)."""
    if db.session.get(GuidelinesVersion, d["version"]) is None:
        db.session.add(GuidelinesVersion(version=d["version"], published_at=d["published_at"]))


def acknowledged(d: dict) -> None:
    """training.practitioner.guidelines_acknowledged: kept per person and version."""
    if db.session.get(GuidelinesAcknowledgement, (d["person_id"], d["version"])) is None:
        db.session.add(
            GuidelinesAcknowledgement(
                person_id=d["person_id"], version=d["version"], acknowledged_at=d["acknowledged_at"]
            )
        )


def current_version() -> int | None:
    return db.session.scalar(sa.select(sa.func.max(GuidelinesVersion.version)))


def require_for_first_case(mp: Microproject) -> None:
    """409 `practice_guidelines` when this would be the microproject's first case and its
    practitioner has not acknowledged the version in force (nothing is written)."""
    first = not db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.microproject_id == mp.id)
    )
    current = current_version()
    acks = set(
        db.session.scalars(
            sa.select(GuidelinesAcknowledgement.version).where(
                GuidelinesAcknowledgement.person_id == mp.practitioner_id
            )
        )
    )
    if rules.first_case_unmet(current, acks, first):
        raise RuleViolation(
            f"Before a microproject's first case, its practitioner acknowledges the Microproject "
            f"Practice Guidelines (version {current}) in the portal.",
            unmet=[rules.REQUIREMENT],
        )
