"""Which practitioner roles a person holds or is training for (authz gives them `practitioner`)."""

from __future__ import annotations

import sqlalchemy as sa

from .extensions import db
from .models.certification import Certification, PathwayItem


def roles_in_progress_or_certified(person_id: str) -> list[str]:
    certified = set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "current"
            )
        )
    )
    booked = set(
        db.session.scalars(
            sa.select(PathwayItem.role).where(
                PathwayItem.person_id == person_id, PathwayItem.state != "cancelled"
            )
        )
    )
    return sorted(certified | booked)
