"""The public directory: opt-in entries of people CURRENTLY certified as Lead Professionals or
Advanced Practitioners (Child, Lead, Lead Plus, or an approved Lead Professional), and of
professionals on the Lead Professional programme (trainee or implementation year: seed 001
"Professionals on our Lead Professional/Advanced Practitioner program can be listed", domain row
74), shown as in training. Eligibility is checked when listing, so a withdrawn certification or
application drops the entry at once."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation
from imatter_shared.web.paging import rows_page

from ..extensions import db
from ..models import Person
from ..models.certification import Certification
from ..models.directory import DirectoryEntry
from ..models.lead_professionals import LeadProfessionalApplication
from ..queries.lead_professionals import lapsed_lead_professionals
from ..rules.roles import DIRECTORY_ROLES, ROLES_BY_CODE
from .clock import iso, now

# Lead Professional application states that may be listed: on the programme or approved
LISTED_LP_STATES = ("trainee", "implementation", "approved")
LP_TITLES = {
    "trainee": "Lead Professional programme (training year)",
    "implementation": "Lead Professional programme (implementation year)",
    "approved": "Lead Professional",
}


def _eligible_people():
    certified = sa.select(Certification.person_id).where(
        Certification.status == "current", Certification.role.in_(DIRECTORY_ROLES)
    )
    approved = sa.select(LeadProfessionalApplication.person_id).where(
        LeadProfessionalApplication.state.in_(LISTED_LP_STATES)
    )
    return certified.union(approved)


def _lapsed() -> set[str]:
    return lapsed_lead_professionals()


def _certified(person_id) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Certification)
            .where(
                Certification.person_id == person_id,
                Certification.status == "current",
                Certification.role.in_(DIRECTORY_ROLES),
            )
        )
    )


def is_eligible(person_id: str) -> bool:
    """Certified now, on the Lead Professional programme, or an approved Lead Professional whose
    linked CPD is not overdue (row 72i)."""
    if person_id not in set(db.session.scalars(_eligible_people())):
        return False
    return _certified(person_id) or person_id not in _lapsed()


def credentials_of(person_ids: list[str]) -> dict[str, list[dict]]:
    """Credentials of several people in two queries (a directory page used to make two per entry)."""
    out: dict[str, list[dict]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return out
    for c in db.session.scalars(
        sa.select(Certification)
        .where(
            Certification.person_id.in_(person_ids),
            Certification.status == "current",
            Certification.role.in_(DIRECTORY_ROLES),
        )
        .order_by(Certification.certified_at)
    ):
        out[c.person_id].append(
            {"role": c.role, "title": ROLES_BY_CODE[c.role]["title"], "certified_at": iso(c.certified_at)}
        )
    approved: dict[str, LeadProfessionalApplication] = {}
    for lp in db.session.scalars(
        sa.select(LeadProfessionalApplication)
        .where(
            LeadProfessionalApplication.person_id.in_(person_ids),
            LeadProfessionalApplication.state.in_(LISTED_LP_STATES),
        )
        .order_by(LeadProfessionalApplication.state == "approved")
    ):
        approved[lp.person_id] = lp  # an approval wins over a later application still in training
    lapsed = _lapsed() if any(lp.state == "approved" for lp in approved.values()) else set()
    for pid, lp in approved.items():
        if lp.state == "approved" and pid in lapsed:  # row 72i: linked CPD overdue - not shown while it is
            continue
        in_training = lp.state != "approved"
        out[pid].append(
            {
                "role": "lead_professional",
                "title": LP_TITLES[lp.state],
                "in_training": in_training,
                "certified_at": None if in_training else iso(lp.approved_at),
            }
        )
    return out


def opt_in(person: Person, data: dict) -> DirectoryEntry:
    if not is_eligible(person.id):
        raise RuleViolation(
            "Only currently certified Lead Professionals and Advanced Practitioners "
            "(Child, Lead, Lead Plus) and professionals on the Lead Professional programme "
            "may be listed.",
            unmet=["directory_certification"],
        )
    e = db.session.scalar(sa.select(DirectoryEntry).where(DirectoryEntry.person_id == person.id))
    if e is None:
        e = DirectoryEntry(person_id=person.id, display_name=person.name)
        db.session.add(e)
    e.display_name = (data.get("display_name") or e.display_name or person.name).strip()
    e.locality = data.get("locality", e.locality)
    e.summary = data.get("summary", e.summary)
    e.opted_in, e.opted_in_at, e.withdrawn_at = True, now(), None
    db.session.flush()
    refresh_eligibility([person.id])
    return e


def opt_out(person_id: str) -> DirectoryEntry | None:
    e = db.session.scalar(sa.select(DirectoryEntry).where(DirectoryEntry.person_id == person_id))
    if e is not None and e.opted_in:
        e.opted_in, e.withdrawn_at = False, now()
    return e


def _eligible_entry():
    """The entry's person is eligible now, as a correlated EXISTS per entry: the database probes
    certifications and approvals by person (indexed) for the listed entries only, instead of
    collecting every certified person first as `IN (... UNION ...)` did."""
    certified = sa.exists().where(
        Certification.person_id == DirectoryEntry.person_id,
        Certification.status == "current",
        Certification.role.in_(DIRECTORY_ROLES),
    )
    approved = sa.exists().where(
        LeadProfessionalApplication.person_id == DirectoryEntry.person_id,
        LeadProfessionalApplication.state.in_(LISTED_LP_STATES),
    )
    return sa.or_(certified, approved)


def search(q: str | None, page: int, per_page: int) -> tuple[list[DirectoryEntry], int]:
    # opted_in = true AND eligible = true: the form the partial index ix_directory_entries_listed
    # matches, so the page is a walk of that index in name order and the total counts its entries
    # (at 50,000 listed entries the per-request eligibility check cost ~70 ms: docs/performance.md)
    listed = sa.select(DirectoryEntry).where(
        DirectoryEntry.opted_in == sa.true(), DirectoryEntry.eligible == sa.true()
    )
    lapsed = _lapsed()
    if lapsed:
        # row 72i: an approved Lead Professional whose linked CPD is overdue is not listed on that
        # approval while it is (time makes it overdue, so this is checked when listing, not stored)
        certified = sa.exists().where(
            Certification.person_id == DirectoryEntry.person_id,
            Certification.status == "current",
            Certification.role.in_(DIRECTORY_ROLES),
        )
        listed = listed.where(sa.or_(DirectoryEntry.person_id.not_in(sorted(lapsed)), certified))
    if q:
        like = f"%{q.strip().lower()}%"
        listed = listed.where(
            sa.or_(
                sa.func.lower(DirectoryEntry.display_name).like(like),
                sa.func.lower(sa.func.coalesce(DirectoryEntry.locality, "")).like(like),
                sa.func.lower(sa.func.coalesce(DirectoryEntry.summary, "")).like(like),
            )
        )
    return rows_page(
        db.session, listed.order_by(DirectoryEntry.display_name, DirectoryEntry.id), page, per_page
    )


def refresh_eligibility(person_ids) -> None:
    """Set each of these people's directory entry `eligible` from their certifications and
    approvals now. Called, in the same transaction, by whatever changes them: certifying a role,
    recording a certification, moving a Lead Professional application, opting in."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    db.session.execute(
        sa.update(DirectoryEntry)
        .where(DirectoryEntry.person_id.in_(ids))
        .values(eligible=_eligible_entry())
        .execution_options(synchronize_session=False)
    )
