"""Automatic certification: a person's facts gathered from the database, and every role whose
requirements are all met certified (`training.practitioner.certified` through the outbox, in the
caller's transaction).

The pure rules are in rules/pathway.py. This module sits below bookings (certification.py),
packages and what cic-tracker reports (reports.py): they all call certify_ready() after a change
that may complete a role, and nothing here calls back up into them.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from imatter_shared.contract.packages import LEAD_ROLES

from ..events import outgoing
from ..extensions import db
from ..models import Membership, Organisation
from ..models.certification import Certification, PathwayItem
from ..models.learning import Enrolment
from ..models.packages import Package
from ..notifications import certification_granted
from ..queries.certification import OVERSEER_TRAINING_ITEMS
from ..rules import pathway as rules
from ..rules.catalogue import L1_2_COURSES
from ..rules.roles import REGISTERED_SETTING_KINDS, REQUIREMENTS, ROLES_BY_CODE
from . import credentials, directory
from .clock import now


def member_org_ids(person_id: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Membership.organisation_id)
            .where(Membership.person_id == person_id, Membership.status == "active")
            .order_by(Membership.created_at)
        )
    )


def _oversight(person_id: str, org_ids: list[str], overseer_roles: tuple[str, ...]) -> str:
    """Organisational oversight (domain row 29, DOMAIN.md "Rulings"): met when someone else who is
    an ACTIVE (accepted) member of one of the person's organisations is certified in an overseer
    role; in_progress when such a member has a booked or completed Lead / Lead Plus training item;
    missing otherwise. An invitation counts for nothing, and holding a package is not training."""
    if not org_ids:
        return rules.MISSING
    members = sa.select(Membership.person_id).where(
        Membership.organisation_id.in_(org_ids),
        Membership.status == "active",
        Membership.person_id != person_id,
    )
    certified = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certification)
        .where(
            Certification.person_id.in_(members),
            Certification.role.in_(overseer_roles),
            Certification.status == "current",
        )
    )
    if certified:
        return rules.MET
    items = [OVERSEER_TRAINING_ITEMS[r] for r in overseer_roles if r in OVERSEER_TRAINING_ITEMS]
    training = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(PathwayItem)
        .where(
            PathwayItem.person_id.in_(members), PathwayItem.item.in_(items), PathwayItem.state != "cancelled"
        )
    )
    return rules.IN_PROGRESS if training else rules.MISSING


def facts_of(person_id: str) -> rules.Facts:
    f = rules.Facts()
    items: dict[str, dict] = defaultdict(lambda: {"booked": 0, "completed": 0})
    for it in db.session.scalars(
        sa.select(PathwayItem).where(PathwayItem.person_id == person_id, PathwayItem.state != "cancelled")
    ):
        items[it.item]["completed" if it.state == "completed" else "booked"] += it.quantity
    f.items = dict(items)
    for e in db.session.scalars(
        sa.select(Enrolment).where(
            Enrolment.person_id == person_id,
            Enrolment.course_code.in_(L1_2_COURSES),
            Enrolment.state != "cancelled",
        )
    ):
        f.l1_2_enrolled.add(e.course_code)
        if e.state == "completed":
            f.l1_2_completed.add(e.course_code)
    f.certified = set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "current"
            )
        )
    )
    # counted by the database per type (a practitioner may hold many packages: no row is loaded)
    f.packages = {
        ptype: {"bought": bought, "practicum_completed": completed or 0}
        for ptype, bought, completed in db.session.execute(
            sa.select(
                Package.type,
                sa.func.count(),
                sa.func.sum(sa.case((Package.practicum_state == "completed", 1), else_=0)),
            )
            .where(Package.practitioner_id == person_id, Package.cancelled_at.is_(None))
            .group_by(Package.type)
        )
    }
    orgs = member_org_ids(person_id)
    # the Type 1 practicum's Lead Plus oversight (rules.PRACTICUM_OVERSIGHT) is met with the
    # practicum itself, so it is not looked up here
    f.oversight = {
        code: _oversight(person_id, orgs, req["overseer_roles"])
        for code, req in REQUIREMENTS.items()
        if req["kind"] == "oversight" and code not in rules.PRACTICUM_OVERSIGHT
    }
    f.registered_setting = bool(orgs) and bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.id.in_(orgs), Organisation.kind.in_(REGISTERED_SETTING_KINDS))
        )
    )
    return f


def _certifying_org(person_id: str, role: str) -> str | None:
    ptype = ROLES_BY_CODE[role]["package_type"]
    if ptype:
        org = db.session.scalar(
            sa.select(Package.organisation_id)
            .where(Package.practitioner_id == person_id, Package.type == ptype)
            .order_by(Package.created_at)
            .limit(1)
        )
        if org:
            return org
    orgs = member_org_ids(person_id)
    return orgs[0] if orgs else None


def _withdrawn_roles(person_id: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "withdrawn"
            )
        )
    )


def certify_ready(person_id: str) -> list[Certification]:
    """Certify every role of the person whose requirements are all met (repeating, since one
    certification can meet another role's `informed`); a new Lead or Lead Plus may in turn
    complete the oversight of Child practitioners in their organisations."""
    done: list[Certification] = []
    queue, seen = [person_id], set()
    while queue:
        pid = queue.pop(0)
        seen.add(pid)
        withdrawn = _withdrawn_roles(pid)  # a withdrawn role is never certified again by itself
        while True:
            ready = [r for r in rules.roles_ready_to_certify(facts_of(pid)) if r not in withdrawn]
            if not ready:
                break
            for role in ready:
                c = Certification(
                    person_id=pid,
                    role=role,
                    organisation_id=_certifying_org(pid, role),
                    status="current",
                    certified_at=now(),
                )
                db.session.add(c)
                db.session.flush()
                credentials.issue_for_certification(c)
                outgoing.practitioner_certified(c)
                certification_granted(pid, role, c.id, c.certified_at)  # its email, in the same commit
                done.append(c)
                if role in LEAD_ROLES:
                    for org_id in member_org_ids(pid):
                        queue += [
                            m
                            for m in db.session.scalars(
                                sa.select(Membership.person_id).where(
                                    Membership.organisation_id == org_id, Membership.status == "active"
                                )
                            )
                            if m not in seen and m not in queue
                        ]
    if done:
        directory.refresh_eligibility(c.person_id for c in done)
    return done


def certify_after_joining(person_id: str, organisation_id: str) -> list[Certification]:
    """A membership just became active: the person may now have their Lead oversight (Child), and a
    certified Lead or Lead Plus joining gives it to the organisation's Child practitioners."""
    done = certify_ready(person_id)
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certification)
        .where(
            Certification.person_id == person_id,
            Certification.role.in_(tuple(OVERSEER_TRAINING_ITEMS)),
            Certification.status == "current",
        )
    ):
        for other in list(
            db.session.scalars(
                sa.select(Membership.person_id).where(
                    Membership.organisation_id == organisation_id,
                    Membership.status == "active",
                    Membership.person_id != person_id,
                )
            )
        ):
            done += certify_ready(other)
    return done
