"""Who is calling, in cic-tracker's terms: the gateway user, the training person(s) they are,
the organisations they oversee. Learnt from training's events (see events/handlers.py),
resolved from local tables on every request, so a new link or role counts on the next request.

Object-level refusals answer 404 (the record's existence is not revealed) and are logged.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g

from imatter_shared.web.auth import Principal, current_principal, log_refusal
from imatter_shared.web.errors import Forbidden, NotFound

from .extensions import db
from .models import Certification, KnownPerson, Microproject, OrgAdmin, OrgMembership

# Membership roles (as training names them) that make a person an overseer of their
# organisation's microprojects: the organisation's admins / link contact.
ADMIN_MEMBERSHIP_ROLES = frozenset({"admin", "org_admin", "link_contact", "owner"})
OVERSEER_CERTIFICATION = "lead_plus"


@dataclass
class Caller:
    principal: Principal
    person_ids: set[str] = field(default_factory=set)
    admin_org_ids: set[str] = field(default_factory=set)
    lead_plus_org_ids: set[str] = field(default_factory=set)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def is_cic_staff(self) -> bool:
        return self.principal.has_role("cic_staff")

    @property
    def is_fund_reviewer(self) -> bool:
        return self.principal.has_role("fund_reviewer")

    @property
    def overseen_org_ids(self) -> set[str]:
        return self.admin_org_ids | self.lead_plus_org_ids

    def is_practitioner_of(self, mp: Microproject) -> bool:
        return mp.practitioner_id in self.person_ids

    def oversees(self, mp: Microproject) -> bool:
        return (mp.organisation_id in self.overseen_org_ids
                or (mp.overseer_person_id is not None and mp.overseer_person_id in self.person_ids))

    def can_see(self, mp: Microproject) -> bool:
        return self.is_cic_staff or self.is_practitioner_of(mp) or self.oversees(mp)


def person_ids_of(user_id: str) -> set[str]:
    linked = set(db.session.scalars(sa.select(KnownPerson.person_id).where(KnownPerson.user_id == user_id)))
    via_membership = set(db.session.scalars(sa.select(OrgMembership.person_id)
                                            .where(OrgMembership.user_id == user_id)))
    return linked | via_membership


def caller() -> Caller:
    if "cic_caller" in g:
        return g.cic_caller
    principal = current_principal()
    persons = person_ids_of(principal.user_id)
    admin_orgs: set[str] = set()
    lead_plus_orgs: set[str] = set()
    if persons:
        rows = db.session.execute(sa.select(OrgMembership.organisation_id, OrgMembership.role).where(
            OrgMembership.person_id.in_(persons), OrgMembership.status == "active")).all()
        member_orgs = {org for org, _ in rows}
        admin_orgs = {org for org, role in rows if role in ADMIN_MEMBERSHIP_ROLES}
        certs = db.session.execute(sa.select(Certification.organisation_id).where(
            Certification.person_id.in_(persons), Certification.role == OVERSEER_CERTIFICATION)).all()
        if certs:
            # a Lead Plus oversees the organisations they are certified in or are a member of
            lead_plus_orgs = {org for (org,) in certs if org} | member_orgs
    # the user who created (or administers) an organisation in training, person or not
    admin_orgs |= set(db.session.scalars(sa.select(OrgAdmin.organisation_id).where(
        OrgAdmin.user_id == principal.user_id, OrgAdmin.status == "active")))
    g.cic_caller = Caller(principal, persons, admin_orgs, lead_plus_orgs)
    return g.cic_caller


def is_certified(person_id: str, role: str) -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Certification).where(
        Certification.person_id == person_id, Certification.role == role)) > 0


def visible_microproject(microproject_id: str) -> tuple[Caller, Microproject]:
    """The microproject if the caller may see it; else 404 (logged)."""
    c = caller()
    mp = db.session.get(Microproject, microproject_id)
    if mp is None:
        raise NotFound("No microproject with that id.")
    if not c.can_see(mp):
        log_refusal("microproject", microproject_id)
        raise NotFound("No microproject with that id.")
    return c, mp


def require_case_writer(c: Caller, mp: Microproject) -> None:
    """Case data is written by the microproject's practitioner (CIC staff may act for them);
    overseers read it but do not write it."""
    if not (c.is_practitioner_of(mp) or c.is_cic_staff):
        raise Forbidden("Only the microproject's practitioner records case data.")


def require_manager(c: Caller, mp: Microproject) -> None:
    """Set-up, overseer and hub choices: the practitioner, an admin of the organisation, CIC staff."""
    if not (c.is_practitioner_of(mp) or mp.organisation_id in c.admin_org_ids or c.is_cic_staff):
        raise Forbidden("Only the practitioner, the organisation's admin or CIC staff may change this.")
