"""Who is calling, in training's terms: the gateway user, their person, their organisations.

Resolved on every request from the database, so what a user becomes after signing in
(their person, memberships, admin rights) takes effect on their next request.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g

from imatter_shared.messaging import outbox
from imatter_shared.web.auth import Principal, current_principal, log_refusal
from imatter_shared.web.errors import NotFound

from .extensions import db
from .models import Membership, OrganisationAdmin, OutboxMessage, Person


@dataclass
class Caller:
    principal: Principal
    person: Person | None
    admin_org_ids: set[str] = field(default_factory=set)
    member_org_ids: set[str] = field(default_factory=set)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def person_id(self) -> str | None:
        return self.person.id if self.person else None

    @property
    def is_training_admin(self) -> bool:
        return self.principal.has_role("training_admin")

    @property
    def organisation_ids(self) -> list[str]:
        return sorted(self.admin_org_ids | self.member_org_ids)

    def roles(self) -> list[str]:
        roles = set(self.principal.roles) | {"learner"}
        if self.admin_org_ids:
            roles.add("org_admin")
        if self.person is not None:
            from .rules.roles_of import practitioner_roles  # late: optional module of the people side
            if practitioner_roles(self.person.id):
                roles.add("practitioner")
        return sorted(roles)


def link_person(person: Person, user_id: str) -> None:
    """Attach a person to a gateway user and tell cic-tracker (ids only)."""
    person.user_id = user_id
    outbox.add(db.session, OutboxMessage, "training.person.linked",
               {"person_id": person.id, "user_id": user_id,
                "email": person.email or None},  # issue 12: so cic-tracker can say "sign in"
               producer="training")


def caller(optional: bool = False) -> Caller | None:
    if "caller" in g:
        return g.caller
    principal = current_principal(optional=optional)
    if principal is None:
        return None
    person = db.session.scalar(sa.select(Person).where(Person.user_id == principal.user_id))
    if person is None and principal.email:
        # a person created (by an org admin) with this user's email before they signed up
        person = db.session.scalar(sa.select(Person).where(
            Person.email == principal.email, Person.user_id.is_(None)).limit(1))
        if person is not None:
            link_person(person, principal.user_id)
            db.session.commit()
    admin = set(db.session.scalars(sa.select(OrganisationAdmin.organisation_id)
                                   .where(OrganisationAdmin.user_id == principal.user_id)))
    member = set()
    if person is not None:
        member = set(db.session.scalars(sa.select(Membership.organisation_id).where(
            Membership.person_id == person.id, Membership.status == "active")))
    g.caller = Caller(principal, person, admin, member)
    return g.caller


def require_org_admin(organisation_id: str) -> Caller:
    """Object-level check: an admin of this organisation, or a training admin. Else 404."""
    c = caller()
    if c.is_training_admin or organisation_id in c.admin_org_ids:
        return c
    log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


def require_org_access(organisation_id: str) -> Caller:
    """Read access: admins and members of this organisation, or a training admin. Else 404."""
    c = caller()
    if c.is_training_admin or organisation_id in c.admin_org_ids or organisation_id in c.member_org_ids:
        return c
    log_refusal("organisation", organisation_id)
    raise NotFound("No organisation with that id.")


def require_person_access(person_id: str) -> Caller:
    """The person themself, an admin of an organisation they belong to, or a training admin. Else 404."""
    c = caller()
    if c.is_training_admin or c.person_id == person_id:
        return c
    created_by_caller = db.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
        Person.id == person_id, Person.created_by == c.user_id))
    if created_by_caller:
        return c
    if c.admin_org_ids:
        shared = db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
            Membership.person_id == person_id, Membership.organisation_id.in_(c.admin_org_ids)))
        if shared:
            return c
    log_refusal("person", person_id)
    raise NotFound("No person with that id.")
