"""Organisations: creation (the creator becomes its admin), members, and the derived
implementation stage with next steps."""
from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.messaging import outbox
from imatter_shared.web.errors import ApiError, NotFound, RuleViolation

from ..extensions import db
from ..models import Membership, Organisation, OrganisationAdmin, OutboxMessage, Person
from ..rules import licensing, policy as policy_table, stage as stage_rules
from . import licences, price_book, seats
from ._util import iso, now


def _check_size_band(code: str) -> None:
    codes = price_book.size_band_codes()
    if code not in codes:
        raise ApiError("Unknown size band.", 400,
                       errors={"size_band": [f"Must be a size band of the current price book: {', '.join(codes)}."]})


def create(data: dict, principal) -> Organisation:
    """The creating user becomes the organisation's admin (its link contact role)."""
    _check_size_band(data["size_band"])
    org = Organisation(name=data["name"].strip(), kind=data["kind"], size_band=data["size_band"],
                       link_contact_email=(data.get("link_contact_email") or principal.email or "").lower(),
                       senior_leadership_commitment=bool(data.get("senior_leadership_commitment", False)),
                       created_by=principal.user_id)
    db.session.add(org)
    db.session.flush()
    db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=principal.user_id))
    outbox.add(db.session, OutboxMessage, "training.organisation_admin.changed",
               {"organisation_id": org.id, "user_id": principal.user_id, "status": "active"},
               producer="training")
    db.session.flush()
    return org


def update(org: Organisation, data: dict) -> Organisation:
    if "size_band" in data:
        _check_size_band(data["size_band"])
    for key in ("name", "size_band", "link_contact_email", "senior_leadership_commitment"):
        if key in data and data[key] is not None:
            setattr(org, key, data[key].lower() if key == "link_contact_email" else data[key])
    return org


def get(organisation_id: str) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("No organisation with that id.")
    return org


def visible(c, page: int, per_page: int) -> tuple[list[Organisation], int]:
    """The caller's organisations (admin or member); every organisation for a training admin."""
    q = sa.select(Organisation)
    if not c.is_training_admin:
        q = q.where(Organisation.id.in_(c.admin_org_ids | c.member_org_ids))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(Organisation.created_at, Organisation.id)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


# ---- members -------------------------------------------------------------------------------

def _emit_membership(m: Membership) -> None:
    person = db.session.get(Person, m.person_id)
    outbox.add(db.session, OutboxMessage, "training.membership.changed",
               {"organisation_id": m.organisation_id, "person_id": m.person_id,
                "user_id": person.user_id if person else None, "role": m.role, "status": m.status},
               producer="training")


def add_member(org: Organisation, person_id: str, role: str) -> Membership:
    if db.session.get(Person, person_id) is None:
        raise NotFound("No person with that id.")
    existing = db.session.scalar(sa.select(Membership).where(
        Membership.organisation_id == org.id, Membership.person_id == person_id, Membership.status == "active"))
    if existing is not None:
        if existing.role == role:
            raise RuleViolation("That person is already a member of this organisation.", unmet=["already_member"])
        existing.role = role  # a change of role is announced like a new membership
        _emit_membership(existing)
        return existing
    m = Membership(organisation_id=org.id, person_id=person_id, role=role, status="active")
    db.session.add(m)
    db.session.flush()
    _emit_membership(m)
    from ..notifications import organisation_invitation  # issue 12: email to the new member, same commit
    organisation_invitation(org, person_id, role, m.id)
    return m


def find_membership(org: Organisation, member_id: str) -> Membership:
    """By membership id, or by the person's id (their active membership)."""
    m = db.session.get(Membership, member_id)
    if m is None or m.organisation_id != org.id:
        m = db.session.scalar(sa.select(Membership).where(
            Membership.organisation_id == org.id, Membership.person_id == member_id)
            .order_by((Membership.status == "active").desc(), Membership.created_at.desc()).limit(1))
    if m is None:
        raise NotFound("No member with that id in this organisation.")
    return m


def end_member(org: Organisation, m: Membership) -> Membership:
    """The member leaves: their seat goes back to the organisation. Nothing is deleted."""
    if m.status == "ended":
        return m
    m.status = "ended"
    seats.release_seat(org.id, m.person_id)
    _emit_membership(m)
    return m


def members(org: Organisation, page: int, per_page: int, include_ended: bool = False):
    q = sa.select(Membership).where(Membership.organisation_id == org.id)
    if not include_ended:
        q = q.where(Membership.status == "active")
    total = db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery()))
    rows = db.session.scalars(q.order_by(Membership.created_at, Membership.id)
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return rows, total


def member_json(m: Membership) -> dict:
    person = db.session.get(Person, m.person_id)
    seat = seats.active_assignment(m.organisation_id, m.person_id) if m.status == "active" else None
    return {"id": m.id, "organisation_id": m.organisation_id, "person_id": m.person_id,
            "name": person.name if person else None, "role": m.role, "status": m.status,
            "has_seat": seat is not None, "created_at": iso(m.created_at)}


def members_count_query(org_id: str) -> sa.Select:
    return sa.select(sa.func.count()).select_from(Membership).where(
        Membership.organisation_id == org_id, Membership.status == "active")


def members_count(org_id: str) -> int:
    return db.session.scalar(members_count_query(org_id)) or 0


# ---- stage ---------------------------------------------------------------------------------

def facts(org_id: str) -> dict:
    """Counts the stage is derived from. The people side's org_facts answers them; before it
    exists, seats in use stand in for learners and nothing else is counted."""
    return _counts(org_id)["facts"]


def _counts(org_id: str) -> dict:
    """The stage facts, the active members and the seats in use, in one statement (a scalar
    subquery each) rather than one round trip per count."""
    try:
        from .. import org_facts
    except ImportError:
        n_used = seats.used(org_id)
        return {"facts": {"learners": n_used, "practitioners": 0, "microprojects": 0},
                "members": members_count(org_id), "seats_used": n_used}
    row = db.session.execute(sa.select(
        org_facts.learners_query(org_id).scalar_subquery().label("learners"),
        org_facts.practitioners_count_query(org_id, roles=licensing.ENHANCED_PRACTITIONER_ROLES)
        .scalar_subquery().label("practitioners"),
        org_facts.microprojects_query(org_id).scalar_subquery().label("microprojects"),
        members_count_query(org_id).scalar_subquery().label("members"),
        seats.used_query(org_id).scalar_subquery().label("seats_used"),
    )).one()
    return {"facts": {"learners": row.learners or 0, "practitioners": row.practitioners or 0,
                      "microprojects": row.microprojects or 0},
            "members": row.members or 0, "seats_used": row.seats_used or 0}


def stage_of(org: Organisation, seat_summary: dict | None = None, held: licences.Held | None = None,
             f: dict | None = None) -> dict:
    """Stage and next steps. `seat_summary`, `held` (the organisation's licences) and `f` (the
    facts): what the caller has already read for this request; anything missing is read here."""
    f = f if f is not None else facts(org.id)
    n = stage_rules.stage(learners=f["learners"], practitioners=f["practitioners"], microprojects=f["microprojects"])
    held = held or licences.Held(org.id, practitioners=f["practitioners"])
    seat_summary = seat_summary or seats.summary(org.id, held)
    steps = stage_rules.next_steps(
        stage_no=n, starter=licences.has_active_licence(org.id, "starter", held),
        cpd=licences.has_active_licence(org.id, "cpd", held),
        enhanced=licences.has_active_licence(org.id, "enhanced", held),
        senior_leadership_commitment=bool(org.senior_leadership_commitment),
        seats_available=seat_summary["available"], learners=f["learners"])
    return {"stage": n, "stage_name": stage_rules.STAGES[n], "next_steps": steps, "facts": f}


def org_json(org: Organisation, detail: bool = False) -> dict:
    out = {"id": org.id, "name": org.name, "kind": org.kind, "size_band": org.size_band,
           "link_contact_email": org.link_contact_email,
           "senior_leadership_commitment": bool(org.senior_leadership_commitment),
           "created_at": iso(org.created_at)}
    if not detail:
        return out
    # everything below reads the organisation's licences and counts once (docs/performance.md:
    # this read was 18-29 statements, six or more of them the same licence look-up)
    counts = _counts(org.id)
    held = licences.Held(org.id, practitioners=counts["facts"]["practitioners"])
    seat_summary = seats.summary(org.id, held, n_used=counts["seats_used"])
    st = stage_of(org, seat_summary, held, counts["facts"])
    out.update({
        "stage": st["stage"], "stage_name": st["stage_name"], "next_steps": st["next_steps"],
        "stage_facts": st["facts"],
        "licences": [licences.licence_json(lic, held) for lic in held.rows],
        "seats": seat_summary,
        "members_count": counts["members"],
        "policy": policy_table.policy_for(org.kind),
        "as_of": iso(now()),
    })
    return out
