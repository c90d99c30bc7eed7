"""Level 3A groups a Lead Professional trainee registers (the groups they lead)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models.lead_professionals import (
    LeadProfessionalApplication,
    Level3AGroup,
    ObligationRecord,
)
from . import lp_licences
from .obligations import ACTIVE_STATES, active_member


def register_group(data: dict, user_id: str) -> Level3AGroup:
    lp = db.session.scalar(
        sa.select(LeadProfessionalApplication)
        .where(
            LeadProfessionalApplication.person_id == data["lead_person_id"],
            LeadProfessionalApplication.state.in_(ACTIVE_STATES),
        )
        .limit(1)
    )
    if lp is None:
        raise RuleViolation(
            "Level 3A groups are run by Lead Professionals (trainee or approved).",
            unmet=["lead_professional"],
        )
    if not active_member(data["lead_person_id"], data["organisation_id"]):
        raise RuleViolation(
            "A Level 3A group is run in-house: the Lead Professional is an accepted member of "
            "the organisation.",
            unmet=["organisation_membership"],
        )
    # decision 0056: a current Level 3A (or Level 4 or 5) licence held in the organisation that gives
    # the programme's scope (Increased Pressure Parenting is not in a Level 3A licence); decision
    # 0057: children and young people need Level 4 or 5 and a specialist licence in that area
    lic = lp_licences.group_licence(
        data["lead_person_id"], data["organisation_id"], data["scope"], data["audience"]
    )
    g = Level3AGroup(
        organisation_id=data["organisation_id"],
        lead_person_id=data["lead_person_id"],
        course_code=data["course_code"],
        audience=data["audience"],
        starts_on=data["starts_on"],
        participants_count=data["participants_count"],
        scope=data["scope"],
        licence_id=lic.id,
        created_by=user_id,
    )
    db.session.add(g)
    db.session.flush()
    # a registered Foundation A group counts towards "support at least 2 Foundation A courses a year"
    db.session.add(
        ObligationRecord(
            application_id=lp.id,
            obligation="foundation_a_courses",
            occurred_at=datetime.combine(g.starts_on, datetime.min.time()),
            note=f"Level 3A group {g.id}",
        )
    )
    return g


def groups_of(a: LeadProfessionalApplication) -> list[Level3AGroup]:
    return list(
        db.session.scalars(
            sa.select(Level3AGroup)
            .where(Level3AGroup.lead_person_id == a.person_id)
            .order_by(Level3AGroup.starts_on.desc(), Level3AGroup.id)
        )
    )
