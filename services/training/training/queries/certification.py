"""Certification facts read by authz and the organisation pages: which practitioner roles a person
holds or is training for (authz gives them `practitioner`), and an organisation's oversight counts."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract.packages import LEAD_ROLES

from ..extensions import db
from ..models import Membership
from ..models.certification import Certification, PathwayItem

# the training item that puts someone "in training" for an overseer role
OVERSEER_TRAINING_ITEMS = {"lead": "lead_training", "lead_plus": "lead_plus_training"}


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


def oversight_facts(organisation_id: str) -> dict:
    """Counts behind the organisation's oversight next steps, over ACTIVE (accepted) members only,
    in one statement: Child practitioners (certified or with a Child item booked), certified Lead
    Plus, Lead Plus in training (training item booked), certified Lead or Lead Plus."""
    global _OVERSIGHT
    if _OVERSIGHT is None:  # built once (it names no data that can change), run with the organisation
        _OVERSIGHT = _oversight_statement()
    row = db.session.execute(_OVERSIGHT, {"org_id": organisation_id}).one()
    return {
        "child_practitioners": row.child or 0,
        "lead_plus": row.lead_plus or 0,
        "lead_plus_in_training": row.lead_plus_in_training or 0,
        "leads": row.leads or 0,
    }


_OVERSIGHT: sa.Select | None = None


def _oversight_statement() -> sa.Select:
    members = sa.select(Membership.person_id).where(
        Membership.organisation_id == sa.bindparam("org_id", type_=sa.String), Membership.status == "active"
    )

    def certified(roles):
        return sa.select(Certification.person_id).where(
            Certification.person_id.in_(members),
            Certification.role.in_(roles),
            Certification.status == "current",
        )

    def count(q):
        return sa.select(sa.func.count(sa.distinct(q.subquery().c.person_id))).scalar_subquery()

    child = sa.union(
        certified(("child",)),
        sa.select(PathwayItem.person_id).where(
            PathwayItem.person_id.in_(members), PathwayItem.role == "child", PathwayItem.state != "cancelled"
        ),
    )
    training = sa.select(PathwayItem.person_id).where(
        PathwayItem.person_id.in_(members),
        PathwayItem.item == OVERSEER_TRAINING_ITEMS["lead_plus"],
        PathwayItem.state != "cancelled",
    )
    return sa.select(
        count(child).label("child"),
        count(certified(("lead_plus",))).label("lead_plus"),
        count(training).label("lead_plus_in_training"),
        count(certified(LEAD_ROLES)).label("leads"),
    )
