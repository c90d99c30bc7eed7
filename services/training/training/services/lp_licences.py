"""Lead Professional licences (decisions 0055-0057): eligibility against the person's facts in
training, grant and revocation by a training admin, and the checks other rules make (a Level 3A
group needs a current licence giving its scope and its audience; a children-and-young-people
audience also needs the specialist licence in that area). Each licence carries an Open Badges 3.0
credential (services/credentials.py), revoked with it."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation

from ..extensions import db
from ..models import Person
from ..models.lead_professionals import LeadProfessionalApplication
from ..models.lp_licences import LeadProfessionalLicence
from ..rules import lp_licence_kinds as rules
from . import credentials
from .clock import now
from .obligations import ACTIVE_STATES, active_member, completed_courses

# an application still on the route, most advanced first
_STATE_ORDER = {"approved": 0, "implementation": 1, "trainee": 2}


def get(licence_id: str) -> LeadProfessionalLicence:
    lic = db.session.get(LeadProfessionalLicence, licence_id)
    if lic is None:
        raise NotFound("No Lead Professional licence with that id.")
    return lic


def _person(person_id: str) -> Person:
    p = db.session.get(Person, person_id)
    if p is None:
        raise NotFound("No person with that id.")
    return p


def _route(person_id: str) -> LeadProfessionalApplication | None:
    rows = db.session.scalars(
        sa.select(LeadProfessionalApplication).where(
            LeadProfessionalApplication.person_id == person_id,
            LeadProfessionalApplication.state.in_(ACTIVE_STATES),
        )
    ).all()
    return min(rows, key=lambda a: _STATE_ORDER.get(a.state, 9)) if rows else None


def current_of(person_id: str) -> list[LeadProfessionalLicence]:
    return list(
        db.session.scalars(
            sa.select(LeadProfessionalLicence)
            .where(
                LeadProfessionalLicence.person_id == person_id, LeadProfessionalLicence.status == "current"
            )
            .order_by(LeadProfessionalLicence.granted_at, LeadProfessionalLicence.id)
        )
    )


def facts(person_id: str, organisation_id: str | None, employment: str | None, area: str | None) -> dict:
    route = _route(person_id)
    member = active_member(person_id, organisation_id)
    org_licences = {
        lic.kind
        for lic in current_of(person_id)
        if organisation_id and lic.organisation_id == organisation_id
    }
    return {
        "completed": completed_courses(person_id),
        "lp_state": route.state if route else None,
        "backing": bool(route and route.senior_leadership_backing),
        "member": member,
        "org_licences": org_licences,
        "employment": employment,
        "area": area,
    }


def eligibility(person_id: str, organisation_id: str | None, employment: str | None) -> list[dict]:
    """Each kind with what is unmet for this person (in that organisation, with that employment);
    a specialist kind is read for each of its areas."""
    _person(person_id)
    held = {(lic.kind, lic.area) for lic in current_of(person_id)}
    out = []
    for kind in rules.KINDS:
        areas = [kind["area"]] if kind["area"] is not None else sorted(rules.SPECIALIST_AREAS)
        for area in areas:
            unmet = rules.unmet(kind, facts(person_id, organisation_id, employment, area))
            if (kind["code"], area) in held:
                unmet.append("one_current_licence")
            out.append(
                {
                    "kind": kind["code"],
                    "title": kind["title"],
                    "area": area,
                    "eligible": not unmet,
                    "unmet": unmet,
                    "unmet_titles": [rules.requirement_title(u) for u in unmet],
                }
            )
    return out


def grant(person_id: str, data: dict, user_id: str) -> LeadProfessionalLicence:
    """A training admin grants a licence of a kind whose eligibility is met (409 listing `unmet`)."""
    _person(person_id)
    kind = rules.KINDS_BY_CODE[data["kind"]]
    area = data.get("area")
    if kind["area"] is not None and area not in (None, kind["area"]):
        raise InvalidInput("area", f"A {kind['title']} is for work with {kind['area']}.")
    if kind["area"] is None and area not in rules.SPECIALIST_AREAS:
        raise InvalidInput("area", "Name the specialist application area.", detail="Area required.")
    organisation_id = data.get("organisation_id") if kind["in_organisation"] else None
    if kind["in_organisation"] and not organisation_id:
        raise InvalidInput("organisation_id", "This licence is held in an organisation: name it.")
    # one grant of a person at a time (PostgreSQL row lock); the partial unique index holds it too
    db.session.execute(sa.select(Person.id).where(Person.id == person_id).with_for_update())
    unmet = rules.unmet(kind, facts(person_id, organisation_id, data.get("employment"), area))
    if unmet:
        raise RuleViolation(
            f"Not eligible for a {kind['title']}: "
            + "; ".join(rules.requirement_title(u) for u in unmet)
            + ".",
            unmet=unmet,
        )
    lic = LeadProfessionalLicence(
        person_id=person_id,
        kind=kind["code"],
        area=rules.area_of(kind, area),
        organisation_id=organisation_id,
        scopes=list(kind["scopes"]),
        employment=data.get("employment"),
        status="current",
        note=data.get("note"),
        granted_at=now(),
        granted_by=user_id,
    )
    db.session.add(lic)
    db.session.flush()  # uq_lp_licences_current_person_kind_area: a second current one is a 409
    credentials.issue_for_licence(lic)
    return lic


def revoke(licence_id: str, reason: str, user_id: str) -> LeadProfessionalLicence:
    """A training admin revokes (or withdraws) a licence with the reason: its credential is
    revoked too. Guarded: a second revocation is a 409 and changes nothing."""
    lic = get(licence_id)
    done = db.session.execute(
        sa.update(LeadProfessionalLicence)
        .where(LeadProfessionalLicence.id == lic.id, LeadProfessionalLicence.status == "current")
        .values(status="revoked", revoked_at=now(), revoked_by=user_id, revoke_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        db.session.rollback()
        raise RuleViolation("This licence is already revoked.", unmet=["licence_current"])
    db.session.refresh(lic)
    credentials.revoke_for_licence(lic)
    return lic


def of_person(person_id: str) -> list[LeadProfessionalLicence]:
    _person(person_id)
    return list(
        db.session.scalars(
            sa.select(LeadProfessionalLicence)
            .where(LeadProfessionalLicence.person_id == person_id)
            .order_by(LeadProfessionalLicence.granted_at.desc(), LeadProfessionalLicence.id)
        )
    )


def group_licence(person_id: str, organisation_id: str, scope: str, audience: str) -> LeadProfessionalLicence:
    """The current licence a Level 3A group runs under (decisions 0056, 0057): a kind that runs
    Level 3A groups, held in the group's organisation, giving the group's scope and delivering to its
    audience. 409 `level_3a_licence` when there is none, `licence_scope` when the licences held do
    not give the scope; for an audience beyond adults, `unmet` lists `licence_audience` (no kind held
    delivers to it: Level 4 or 5) and `specialist_licence` (no current specialist licence, in any
    organisation, in the audience's application area)."""
    current = current_of(person_id)
    held = [
        lic for lic in current if lic.kind in rules.GROUP_KINDS and lic.organisation_id == organisation_id
    ]
    if not held:
        raise RuleViolation(
            "Level 3A groups are run under a current Level 3A (or Level 4 or 5) licence held in the "
            "group's organisation: a training admin grants it.",
            unmet=["level_3a_licence"],
        )
    fit = [lic for lic in held if scope in (lic.scopes or [])]
    if not fit:
        raise RuleViolation(
            f"The licence held covers {', '.join(rules.SCOPE_TITLES[s] for s in held[0].scopes)} only: "
            f"{rules.SCOPE_TITLES[scope]} needs a Level 4 or Level 5 licence.",
            unmet=["licence_scope"],
        )
    specialist = {lic.area for lic in current if lic.kind == "specialist"}
    missing = rules.group_audience_unmet([lic.kind for lic in fit], specialist, audience)
    if missing:
        title = rules.GROUP_AUDIENCE_TITLES[audience].lower()
        raise RuleViolation(
            f"A group for {title} is work beyond adults: it needs a current Level 4 or Level 5 licence "
            f"in the group's organisation and a current specialist licence in {title} "
            "(a Level 3A licence covers professionals and parents).",
            unmet=missing,
        )
    fit = [lic for lic in fit if audience in rules.KINDS_BY_CODE[lic.kind]["group_audiences"]]
    return min(fit, key=lambda lic: rules.KINDS_BY_CODE[lic.kind]["level"] or 0)
