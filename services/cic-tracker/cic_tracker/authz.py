"""Who is calling, in cic-tracker's terms: the gateway user, the training person(s) they are,
the organisations they oversee. Learnt from training's events (see events/handlers.py),
resolved from local tables on every request, so a new link or role counts on the next request.

Rights come only from explicit facts, never from a free-text membership role (security L8):
- organisation admin: `training.organisation_admin.changed` (the OrgAdmin table), nothing else;
- Lead Plus: `training.practitioner.certified` with role lead_plus;
- only *active* memberships count (an ended one gives nothing).

Two levels of sight over a microproject (DOMAIN "Rulings" -> CIC, domain row 93):
- its overview (credits, credit use, case count, case ids, states and counts): the practitioner,
  the assigned overseer, the organisation's admins, Lead Plus members of the organisation and
  CIC staff (who support practitioners and run the Tracker);
- case content (case code, consent wording, scores, notes, goals, reflections, Q and wheel
  answers, progress): the practitioner and the assigned overseer (`overseer_person_id`, once ACCEPTED) only.
  Nobody else, CIC staff included, reads it; to them a case endpoint answers 404 (logged).

Object-level refusals answer 404 (the record's existence is not revealed) and are logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import g

from imatter_shared.contract.packages import OVERSEER_ROLE
from imatter_shared.web.auth import Principal, current_principal, log_refusal
from imatter_shared.web.errors import Forbidden, NotFound

from .extensions import db
from .models import Certification, KnownPerson, Microproject, OrgAdmin, OrgMembership

# a Lead member sees the overview of the organisation's practicums to sign off, and signed off
SIGN_OFF_STATES = ("awaiting_sign_off", "completed")


@dataclass
class Caller:
    principal: Principal
    person_ids: set[str] = field(default_factory=set)
    admin_org_ids: set[str] = field(default_factory=set)
    lead_plus_org_ids: set[str] = field(default_factory=set)
    # organisations where the caller is a certified Lead and an active member: they may sign a
    # practicum off there (row 35), so they see the overview of one awaiting (or past) sign-off
    lead_org_ids: set[str] = field(default_factory=set)

    @property
    def user_id(self) -> str:
        return self.principal.user_id

    @property
    def is_cic_staff(self) -> bool:
        return self.principal.has_role("cic_staff")

    @property
    def is_training_admin(self) -> bool:
        """I Matter Training's admin: names one of Training's own Lead Plus as an overseer, and
        sees microproject overviews (counts, never case content) to do so."""
        return self.principal.has_role("training_admin")

    @property
    def is_fund_reviewer(self) -> bool:
        return self.principal.has_role("fund_reviewer")

    @property
    def overseen_org_ids(self) -> set[str]:
        return self.admin_org_ids | self.lead_plus_org_ids

    def is_practitioner_of(self, mp: Microproject) -> bool:
        return mp.practitioner_id in self.person_ids

    def is_named_overseer_of(self, mp: Microproject) -> bool:
        """Named as overseer, accepted or not (sees the overview, to accept or decline)."""
        return mp.overseer_person_id is not None and mp.overseer_person_id in self.person_ids

    def is_assigned_overseer_of(self, mp: Microproject) -> bool:
        """The overseer who ACCEPTED: reads case content and signs the practicum off."""
        return self.is_named_overseer_of(mp) and mp.overseer_state == "accepted"

    def oversees(self, mp: Microproject) -> bool:
        return mp.organisation_id in self.overseen_org_ids or self.is_assigned_overseer_of(mp)

    def can_see(self, mp: Microproject) -> bool:
        """The microproject's overview: credits, credit use, case count and case counts."""
        return (
            self.is_cic_staff
            or self.is_training_admin
            or self.is_practitioner_of(mp)
            or self.oversees(mp)
            or self.is_named_overseer_of(mp)
            or (mp.state in SIGN_OFF_STATES and mp.organisation_id in self.lead_org_ids)
        )

    def can_read_cases(self, mp: Microproject) -> bool:
        """Case content (code, consent, scores, notes, goals, reflections): practitioner and
        assigned overseer only (DOMAIN "Rulings" -> CIC)."""
        return self.is_practitioner_of(mp) or self.is_assigned_overseer_of(mp)


def person_ids_of(user_id: str) -> set[str]:
    """The training persons this user is: `training.person.linked`, or an active membership
    that names the user."""
    linked = set(db.session.scalars(sa.select(KnownPerson.person_id).where(KnownPerson.user_id == user_id)))
    via_membership = set(
        db.session.scalars(
            sa.select(OrgMembership.person_id).where(
                OrgMembership.user_id == user_id, OrgMembership.status == "active"
            )
        )
    )
    return linked | via_membership


def caller() -> Caller:
    if "cic_caller" in g:
        return g.cic_caller
    principal = current_principal()
    persons = person_ids_of(principal.user_id)
    lead_plus_orgs: set[str] = set()
    lead_orgs: set[str] = set()
    if persons:
        # the membership role is free text in training and gives no rights here (L8)
        member_orgs = set(
            db.session.scalars(
                sa.select(OrgMembership.organisation_id).where(
                    OrgMembership.person_id.in_(persons), OrgMembership.status == "active"
                )
            )
        )
        certs = db.session.execute(
            sa.select(Certification.organisation_id).where(
                Certification.person_id.in_(persons), Certification.role == OVERSEER_ROLE
            )
        ).all()
        if certs:
            # a Lead Plus sees the overview of the organisations they are an active member of
            lead_plus_orgs = member_orgs
        if db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certification)
            .where(Certification.person_id.in_(persons), Certification.role == "lead")
        ):
            lead_orgs = member_orgs
    # admin rights only from the explicit event: the user who created (or administers) an
    # organisation in training, person or not
    admin_orgs = set(
        db.session.scalars(
            sa.select(OrgAdmin.organisation_id).where(
                OrgAdmin.user_id == principal.user_id, OrgAdmin.status == "active"
            )
        )
    )
    g.cic_caller = Caller(principal, persons, admin_orgs, lead_plus_orgs, lead_orgs)
    return g.cic_caller


def is_certified(person_id: str, role: str) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certification)
            .where(Certification.person_id == person_id, Certification.role == role)
        )
        > 0
    )


def is_active_member(person_id: str, organisation_id: str) -> bool:
    """An ACCEPTED membership (training sends `active` only once the person accepted)."""
    m = db.session.get(OrgMembership, (organisation_id, person_id))
    return m is not None and m.status == "active"


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
    """Case data is written by the microproject's practitioner; the assigned overseer reads it
    but does not write it. CIC staff support practitioners without handling case content, so
    they no longer record case data for them (the ruling keeps case text to practitioner and
    overseer)."""
    if not c.is_practitioner_of(mp):
        raise Forbidden("Only the microproject's practitioner records case data.")


def require_manager(c: Caller, mp: Microproject) -> None:
    """Set-up, overseer and hub choices: the practitioner, an admin of the organisation, CIC staff."""
    if not (c.is_practitioner_of(mp) or mp.organisation_id in c.admin_org_ids or c.is_cic_staff):
        raise Forbidden("Only the practitioner, the organisation's admin or CIC staff may change this.")


def organisations_of_user(user_id: str) -> set[str]:
    """Organisations a user belongs to as cic knows them: active admin grants and the active
    memberships of their persons (for a fund reviewer's independence)."""
    orgs = set(
        db.session.scalars(
            sa.select(OrgAdmin.organisation_id).where(
                OrgAdmin.user_id == user_id, OrgAdmin.status == "active"
            )
        )
    )
    persons = person_ids_of(user_id)
    if persons:
        orgs |= set(
            db.session.scalars(
                sa.select(OrgMembership.organisation_id).where(
                    OrgMembership.person_id.in_(persons), OrgMembership.status == "active"
                )
            )
        )
    return orgs
