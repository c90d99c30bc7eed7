"""Microproject plans (decision 0063): the practitioner's planning of one microproject (a package),
its supporting Link or Lead practitioner who accepts or declines, and who sees what.

Who sees a plan: its practitioner (everything, and the only one who edits it); the supporter once
they have accepted (everything, read-only); a supporter still asked sees the invitation (who asks,
which package type, the focus areas' count), not the plan; the admins of the package's
organisation and training admins see only that a plan exists and its review dates (DOMAIN
"Rulings": an organisation never sees practitioner-licence ideas, so it never sees a plan's idea).
Anyone else: 404.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation

from ..authz import Caller, caller
from ..extensions import db
from ..models import Membership, Organisation, Package, Person
from ..models.certification import Certification
from ..models.microproject_plans import MicroprojectPlan
from ..notifications import plan_support_requested
from ..rules import microproject_plans as rules
from .clock import iso, now

FULL, INVITATION, SUMMARY = "full", "invitation", "summary"


def package_of(package_id: str) -> Package:
    p = db.session.get(Package, package_id)
    if p is None:
        raise NotFound("No package with that id.")
    return p


def plan_of(package_id: str) -> MicroprojectPlan | None:
    return db.session.scalar(sa.select(MicroprojectPlan).where(MicroprojectPlan.package_id == package_id))


def view_for(c: Caller, p: Package, plan: MicroprojectPlan | None) -> str | None:
    if c.person_id is not None and c.person_id == p.practitioner_id:
        return FULL
    if plan is not None and c.person_id is not None and c.person_id == plan.supporter_person_id:
        if plan.supporter_state == "accepted":
            return FULL
        if plan.supporter_state == "pending":
            return INVITATION
    if c.is_training_admin or c.administers(p.organisation_id):
        return SUMMARY
    return None


def readable(package_id: str) -> tuple[Package, MicroprojectPlan, str]:
    """The plan and the caller's view of it; 404 (logged) when there is none they may see."""
    c = caller()
    p = package_of(package_id)
    plan = plan_of(package_id)
    view = view_for(c, p, plan)
    if view is None:
        log_refusal("microproject_plan", package_id)
        raise NotFound("No package with that id.")
    if plan is None:
        raise NotFound("This microproject has no plan yet.")
    return p, plan, view


def own_package(package_id: str) -> tuple[Caller, Package]:
    """Only the package's practitioner plans it (404 for anyone else, as if it did not exist)."""
    c = caller()
    p = package_of(package_id)
    if c.person_id is None or c.person_id != p.practitioner_id:
        log_refusal("microproject_plan", package_id)
        raise NotFound("No package with that id.")
    return c, p


def save(package_id: str, data: dict) -> tuple[MicroprojectPlan, bool]:
    """Create or replace the plan (PUT). (plan, created)."""
    c, p = own_package(package_id)
    if p.cancelled_at is not None:
        raise RuleViolation(
            "The package was cancelled: it has no microproject to plan.", unmet=["package_active"]
        )
    # one plan per package, also under simultaneous first saves: they queue on the package's row
    db.session.execute(sa.select(Package.id).where(Package.id == p.id).with_for_update())
    plan = plan_of(package_id)
    kept = {date.fromisoformat(d) for d in plan.review_dates} if plan else set()
    errors = rules.plan_errors(data, now().date(), kept)
    if errors:
        raise InvalidInput(None, detail="The plan is not valid.", errors=errors)
    created = plan is None
    if created:
        plan = MicroprojectPlan(package_id=p.id, practitioner_id=p.practitioner_id, created_by=c.user_id)
        db.session.add(plan)
    plan.idea = data["idea"].strip()
    plan.focus_areas = [a.strip() for a in data["focus_areas"]]
    plan.steps = [{"text": s["text"].strip(), "status": s.get("status") or "planned"} for s in data["steps"]]
    plan.review_dates = sorted(d.isoformat() for d in data["review_dates"])
    plan.updated_at = now()
    return plan, created


def _current_roles(person_id: str) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(Certification.role).where(
                Certification.person_id == person_id, Certification.status == "current"
            )
        )
    )


def ask_supporter(package_id: str, person_id: str) -> MicroprojectPlan:
    """The practitioner asks a certified Link, Lead or Lead Plus practitioner to support the plan;
    it shows as supported only once they accept. Asking someone else replaces the request."""
    _, p = own_package(package_id)
    plan = plan_of(package_id)
    if plan is None:
        raise RuleViolation("Save the plan before asking someone to support it.", unmet=["plan"])
    if person_id == p.practitioner_id:
        raise RuleViolation("You cannot support your own microproject.", unmet=["supporter_not_self"])
    # only someone the practitioner may ask (candidates): an unknown id, a stranger and an
    # uncertified colleague get the same answer, so asking cannot probe who exists or holds a
    # certification (and nobody outside the organisation is emailed)
    if person_id not in {c["person_id"] for c in candidates(package_id)}:
        raise RuleViolation(
            "A supporter is a certified Link, Lead or Lead Plus practitioner who is an accepted "
            "member of the microproject's organisation.",
            unmet=["supporter_role"],
        )
    plan.supporter_person_id, plan.supporter_state = person_id, "pending"
    plan.supporter_asked_at, plan.supporter_answered_at = now(), None
    plan_support_requested(plan)
    return plan


def remove_supporter(package_id: str) -> MicroprojectPlan:
    own_package(package_id)
    plan = plan_of(package_id)
    if plan is None:
        raise NotFound("This microproject has no plan yet.")
    plan.supporter_person_id = plan.supporter_state = None
    plan.supporter_asked_at = plan.supporter_answered_at = None
    return plan


def answer(package_id: str, answer: str) -> MicroprojectPlan:
    """The asked supporter accepts or declines (404 for anyone else; 409 once answered)."""
    c = caller()
    plan = db.session.scalar(
        sa.select(MicroprojectPlan).where(MicroprojectPlan.package_id == package_id).with_for_update()
    )
    if plan is None or c.person_id is None or c.person_id != plan.supporter_person_id:
        log_refusal("microproject_plan", package_id)
        raise NotFound("No package with that id.")
    state = rules.next_supporter_state(plan.supporter_state, answer)
    if state is None:
        raise RuleViolation(
            f"The request to support this plan is already {plan.supporter_state}.",
            unmet=["supporter_pending"],
        )
    plan.supporter_state, plan.supporter_answered_at = state, now()
    return plan


def supported_by(person_id: str) -> list[MicroprojectPlan]:
    """Plans the person is asked to support or supports (declined ones drop out)."""
    return list(
        db.session.scalars(
            sa.select(MicroprojectPlan)
            .where(
                MicroprojectPlan.supporter_person_id == person_id,
                MicroprojectPlan.supporter_state.in_(("pending", "accepted")),
            )
            .order_by(MicroprojectPlan.supporter_asked_at.desc(), MicroprojectPlan.id)
        )
    )


def candidates(package_id: str) -> list[dict]:
    """Who the practitioner may ask: active members of the package's organisation holding a
    current Link, Lead or Lead Plus certification (not the practitioner)."""
    _, p = own_package(package_id)
    rows = db.session.execute(
        sa.select(Person.id, Person.name, Certification.role)
        .join(Membership, Membership.person_id == Person.id)
        .join(Certification, Certification.person_id == Person.id)
        .where(
            Membership.organisation_id == p.organisation_id,
            Membership.status == "active",
            Certification.status == "current",
            Certification.role.in_(rules.SUPPORTER_ROLES),
            Person.id != p.practitioner_id,
        )
        .order_by(Person.name, Person.id)
    ).all()
    out: dict[str, dict] = {}
    for pid, name, role in rows:
        out.setdefault(pid, {"person_id": pid, "name": name, "roles": []})
        if role not in out[pid]["roles"]:
            out[pid]["roles"].append(role)
    return list(out.values())


def as_view(plan: MicroprojectPlan, p: Package, view: str) -> dict:
    """The plan as this caller may see it (see the module docstring)."""
    base = {"id": plan.id, "package_id": p.id, "view": view, "updated_at": iso(plan.updated_at)}
    if view == SUMMARY:
        return {**base, "review_dates": list(plan.review_dates)}
    practitioner = db.session.get(Person, p.practitioner_id)
    who = {
        "practitioner_id": p.practitioner_id,
        "practitioner_name": practitioner.name,
        "package_type": p.type,
    }
    if view == INVITATION:
        return {
            **base,
            **who,
            "supporter_state": plan.supporter_state,
            "focus_areas_count": len(plan.focus_areas),
        }
    supporter = db.session.get(Person, plan.supporter_person_id) if plan.supporter_person_id else None
    return {
        **base,
        **who,
        "idea": plan.idea,
        "focus_areas": list(plan.focus_areas),
        "steps": [{"position": i + 1, **s} for i, s in enumerate(plan.steps)],
        "review_dates": list(plan.review_dates),
        "next_review": next((d for d in plan.review_dates if d >= now().date().isoformat()), None),
        "supporter": None
        if supporter is None
        else {
            "person_id": supporter.id,
            "name": supporter.name,
            "state": plan.supporter_state,
            "roles": sorted(_current_roles(supporter.id) & set(rules.SUPPORTER_ROLES)),
        },
        "supported": supporter is not None and plan.supporter_state == "accepted",
        "created_at": iso(plan.created_at),
    }


def get_org(organisation_id: str) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No organisation with that id.")
    return org


def summaries_of_organisation(organisation_id: str) -> list[dict]:
    """For the organisation's admins: each of its packages that has a plan, with the review dates
    only (the summary view), newest first."""
    rows = db.session.execute(
        sa.select(MicroprojectPlan, Package)
        .join(Package, Package.id == MicroprojectPlan.package_id)
        .where(Package.organisation_id == organisation_id)
        .order_by(MicroprojectPlan.created_at.desc(), MicroprojectPlan.id)
    ).all()
    ids = sorted({p.practitioner_id for _, p in rows})
    names = dict(
        db.session.execute(sa.select(Person.id, Person.name).where(Person.id.in_(ids))).tuples().all()
    )
    # the package and its practitioner are the organisation's own facts (its packages list);
    # nothing of the plan beyond its review dates
    return [
        {
            **as_view(plan, p, SUMMARY),
            "package_type": p.type,
            "practitioner_name": names.get(p.practitioner_id),
        }
        for plan, p in rows
    ]
