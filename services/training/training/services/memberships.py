"""Memberships, by consent: an organisation's admin invites (an invitation until the person
accepts), the member accepts, declines or leaves; an `admin` membership gives admin rights.
cic-tracker hears of a membership only when it becomes active or ends."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import LimitReached, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..authz import forget_caller
from ..events import outgoing
from ..extensions import db
from ..models import Membership, Organisation, OrganisationAdmin, Person
from ..models.organisations import OPEN_STATES
from ..notifications import organisation_invitation
from ..rules.membership import ADMIN_ROLE, MEMBER_ROLE_LABELS
from . import people, seats
from .certifying import certify_after_joining
from .clock import now

# ---- members (membership by consent: an invitation until the person accepts) -------------------

# The closed list of membership roles (security review L8) and the one that grants anything
# live in rules/membership.py.
MEMBER_ROLES = tuple(MEMBER_ROLE_LABELS)
# invitations an organisation may send in a day (security review M8: no open email relay), and
# one user across all the organisations they administer (creating organisations buys no more)
INVITATIONS_PER_DAY = 50
INVITATIONS_PER_USER_PER_DAY = 100


def _emit_membership(m: Membership) -> None:
    """cic-tracker hears of a membership only when it becomes active or ends, never of an invitation."""
    if m.status not in ("active", "ended") or m.person_id is None:
        return
    person = db.session.get(Person, m.person_id)
    outgoing.membership_changed(m, person.user_id if person else None)


def _set_admin(org_id: str, user_id: str | None, on: bool) -> None:
    """Organisation admin rights from an accepted `admin` membership (and back when it ends)."""
    if not user_id:
        return
    row = db.session.get(OrganisationAdmin, (org_id, user_id))
    if on and row is None:
        db.session.add(OrganisationAdmin(organisation_id=org_id, user_id=user_id))
    elif not on and row is not None:
        org = db.session.get(Organisation, org_id)
        if org is not None and org.created_by == user_id:
            return  # the creator stays the organisation's admin (its link contact)
        db.session.delete(row)
    else:
        return
    kind_of = db.session.get(Organisation, org_id)
    outgoing.organisation_admin_changed(
        org_id, user_id, "active" if on else "ended", kind_of.kind if kind_of is not None else None
    )


def _lock_org(org_id: str) -> None:
    """Serialise membership and seat changes of one organisation (PostgreSQL row lock)."""
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == org_id).with_for_update())


def _check_invitation_limit(org: Organisation, c) -> None:
    since = now() - timedelta(days=1)
    sent = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(
                Membership.organisation_id == org.id,
                Membership.invited_by.is_not(None),
                Membership.created_at >= since,
            )
        )
        or 0
    )
    if sent >= INVITATIONS_PER_DAY:
        raise LimitReached(
            f"An organisation may send {INVITATIONS_PER_DAY} invitations a day; try again tomorrow.",
            retry_after=3600,
        )
    # the user's invitations from all their organisations: serialised by their admin rows (PostgreSQL)
    db.session.execute(
        sa.select(OrganisationAdmin.organisation_id)
        .where(OrganisationAdmin.user_id == c.user_id)
        .with_for_update()
    )
    q = (
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.invited_by == c.user_id, Membership.created_at >= since)
    )
    if c.person_id is not None:  # their own memberships are no invitations
        q = q.where(sa.or_(Membership.person_id.is_(None), Membership.person_id != c.person_id))
    by_user = db.session.scalar(q) or 0
    if by_user >= INVITATIONS_PER_USER_PER_DAY:
        raise LimitReached(
            f"One person may send {INVITATIONS_PER_USER_PER_DAY} invitations a day across all "
            "their organisations; try again tomorrow.",
            retry_after=3600,
        )


def _open_membership(
    org_id: str, person_id: str | None = None, email: str | None = None
) -> Membership | None:
    q = sa.select(Membership).where(Membership.organisation_id == org_id, Membership.status.in_(OPEN_STATES))
    q = q.where(Membership.person_id == person_id) if person_id else q.where(Membership.email == email)
    return db.session.scalar(q.limit(1))


def _refuse_duplicate(existing: Membership) -> None:
    if existing.status == "active":
        raise RuleViolation("That person is already a member of this organisation.", unmet=["already_member"])
    raise RuleViolation(
        "That person has already been invited to this organisation.", unmet=["already_invited"]
    )


def add_member(
    org: Organisation, role: str, c, person_id: str | None = None, email: str | None = None
) -> Membership:
    """Invite a person (by id) or an email address. The admin adding their own person is active at
    once; everyone else is `invited` until they accept, and the invitation counts for nothing."""
    _lock_org(org.id)
    if (
        email is not None
        and c.person_id
        and c.principal.email_verified
        and email.strip().lower() == (c.principal.email or "").strip().lower()
    ):
        person_id, email = c.person_id, None  # the admin's own (verified) address: their own person
    if person_id is not None:
        if db.session.get(Person, person_id) is None:
            raise NotFound("No person with that id.")
        existing = _open_membership(org.id, person_id=person_id)
    else:
        email = email.strip().lower()
        existing = _open_membership(org.id, email=email)
    if existing is not None:
        _refuse_duplicate(existing)
    own = person_id is not None and c.person_id == person_id
    if own:
        m = Membership(
            organisation_id=org.id,
            person_id=person_id,
            role=role,
            status="active",
            invited_by=c.user_id,
            responded_at=now(),
        )
    else:
        _check_invitation_limit(org, c)
        m = Membership(
            organisation_id=org.id,
            person_id=person_id,
            email=email,
            role=role,
            status="invited",
            invited_by=c.user_id,
        )
    db.session.add(m)
    db.session.flush()
    if own:
        _emit_membership(m)
        if role == ADMIN_ROLE:
            _set_admin(org.id, c.user_id, True)
    else:
        organisation_invitation(org, m)  # the invitation email, in the same commit
    return m


def find_membership(org: Organisation, member_id: str) -> Membership:
    """By membership id, or by the person's id (their active membership)."""
    m = db.session.get(Membership, member_id)
    if m is None or m.organisation_id != org.id:
        m = db.session.scalar(
            sa.select(Membership)
            .where(Membership.organisation_id == org.id, Membership.person_id == member_id)
            .order_by((Membership.status == "active").desc(), Membership.created_at.desc())
            .limit(1)
        )
    if m is None:
        raise NotFound("No member with that id in this organisation.")
    return m


def end_member(org: Organisation, m: Membership) -> Membership:
    """The member leaves (or the admin ends it, or withdraws an invitation): an active member's
    seat goes back to the organisation. Nothing is deleted."""
    if m.status in ("ended", "declined"):
        return m
    was_active = m.status == "active"
    m.status = "ended"
    if was_active:
        seats.release_seat(org.id, m.person_id)
        _emit_membership(m)
        if m.role == ADMIN_ROLE:
            person = db.session.get(Person, m.person_id)
            _set_admin(org.id, person.user_id if person else None, False)
    return m


def members(
    org: Organisation, page: int, per_page: int, include_ended: bool = False, include_invited: bool = False
):
    q = sa.select(Membership).where(Membership.organisation_id == org.id)
    if not include_ended:
        q = q.where(Membership.status.in_(OPEN_STATES) if include_invited else Membership.status == "active")
    return rows_page(db.session, q.order_by(Membership.created_at, Membership.id), page, per_page)


# ---- the member's side: my memberships, accept, decline, leave -----------------------------------


def _addressed_to(c):
    """Memberships addressed to the caller: their person's, and (verified email only) those
    addressed to that email or to an unclaimed person carrying it (invited, declined, withdrawn)."""
    conds = []
    if c.person_id:
        conds.append(Membership.person_id == c.person_id)
    email = (c.principal.email or "").strip().lower()
    if c.principal.email_verified and email:
        unclaimed = sa.select(Person.id).where(Person.email == email, Person.user_id.is_(None))
        conds.append(
            sa.or_(
                sa.and_(Membership.person_id.is_(None), Membership.email == email),
                Membership.person_id.in_(unclaimed),
            )
        )
    return sa.or_(*conds) if conds else sa.false()


def my_memberships(c, page: int, per_page: int):
    q = sa.select(Membership).where(_addressed_to(c))
    return rows_page(db.session, q.order_by(Membership.created_at.desc(), Membership.id), page, per_page)


def my_membership(c, membership_id: str) -> Membership:
    m = db.session.scalar(sa.select(Membership).where(Membership.id == membership_id, _addressed_to(c)))
    if m is None:
        log_refusal("membership", membership_id)
        raise NotFound("No membership with that id.")
    return m


def accept(c, m: Membership) -> Membership:
    """The person accepts: the caller's person is linked (or created) when needed, the membership
    becomes active (announced to cic-tracker), and an `admin` role grants admin rights now."""
    if m.status == "active":
        return m
    if m.status != "invited":
        raise RuleViolation("Only an open invitation can be accepted.", unmet=["invitation_open"])
    _lock_org(m.organisation_id)
    # the invitation is taken by exactly one request (guarded UPDATE; SQLite too): a simultaneous
    # accept that lost finds it active and changes and announces nothing
    taken = db.session.execute(
        sa.update(Membership)
        .where(Membership.id == m.id, Membership.status == "invited")
        .values(status="active", responded_at=now())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(m)
    if not taken:
        holder = db.session.get(Person, m.person_id) if m.person_id else None
        if m.status == "active" and holder is not None and holder.user_id == c.user_id:
            return m  # the same person's simultaneous accept: harmless, nothing announced twice
        raise RuleViolation("Only an open invitation can be accepted.", unmet=["invitation_open"])
    if m.person_id is None or m.person_id != c.person_id:
        target = db.session.get(Person, m.person_id) if m.person_id else None
        if c.person is None and target is not None and target.user_id is None:
            people.link_person(target, c.user_id)  # the unclaimed person carrying the caller's verified email
            person = target
        else:
            person, _ = people.claim_own_person(c.principal)
        if _open_membership(m.organisation_id, person_id=person.id) not in (None, m):
            raise RuleViolation("You are already a member of this organisation.", unmet=["already_member"])
        m.person_id = person.id
    db.session.flush()
    _emit_membership(m)
    if m.role == ADMIN_ROLE:
        _set_admin(m.organisation_id, c.user_id, True)

    certify_after_joining(m.person_id, m.organisation_id)
    forget_caller()
    return m


def decline(m: Membership) -> Membership:
    if m.status == "declined":
        return m
    if m.status != "invited":
        raise RuleViolation(
            "Only an open invitation can be declined; leave an active membership instead.",
            unmet=["invitation_open"],
        )
    m.status, m.responded_at = "declined", now()
    return m


def leave(c, m: Membership) -> Membership:
    if m.status != "active" or m.person_id != c.person_id:
        raise RuleViolation("Only your own active membership can be left.", unmet=["membership_active"])
    org = db.session.get(Organisation, m.organisation_id)
    return end_member(org, m)
