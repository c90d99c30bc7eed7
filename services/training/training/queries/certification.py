"""Certification facts read by authz and the organisation pages: which practitioner roles a person
holds or is training for (authz gives them `practitioner`), and an organisation's oversight counts."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.contract.packages import LEAD_ROLES

from ..extensions import db
from ..models import Membership
from ..models.certification import Certification, PathwayItem
from .org_facts import one_of

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


def oversight_query(organisation_id: str) -> sa.Select:
    """Counts behind the organisation's oversight next steps, over ACTIVE (accepted) members only,
    in one statement (one row): Child practitioners (certified or with a Child item booked), certified Lead
    Plus, Lead Plus in training (training item booked), certified Lead or Lead Plus."""
    members = sa.select(Membership.person_id).where(
        Membership.organisation_id == organisation_id, Membership.status == "active"
    )

    def certified(roles):
        return sa.select(Certification.person_id).where(
            Certification.person_id.in_(members),
            one_of(Certification.role, roles),
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


def oversight_facts(organisation_id: str) -> dict:
    """Counts behind the organisation's oversight next steps (oversight_query), as a dict."""
    return oversight_of(db.session.execute(oversight_query(organisation_id)).one())


def oversight_of(row) -> dict:
    """The oversight facts from a row holding oversight_query's columns."""
    return {
        "child_practitioners": row.child or 0,
        "lead_plus": row.lead_plus or 0,
        "lead_plus_in_training": row.lead_plus_in_training or 0,
        "leads": row.leads or 0,
    }
