"""The public directory: opt-in entries of people CURRENTLY certified as Lead Professionals or
Advanced Practitioners (Child, Lead, Lead Plus, or an approved Lead Professional), and of
professionals on the Lead Professional programme (trainee or implementation year: seed 001
"Professionals on our Lead Professional/Advanced Practitioner program can be listed", domain row
74), shown as in training. Eligibility is stored on the entry and refreshed in the same transaction
as whatever changes it, so a withdrawn certification or application drops the entry at once; the
listing's total is a counter kept in step with it (services/directory_totals.py, decision 0036)."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models import Person
from ..models.certification import Certification
from ..models.credentials import Credential
from ..models.directory import DirectoryEntry
from ..models.lead_professionals import LeadProfessionalApplication
from ..queries.lead_professionals import lapsed_lead_professionals
from ..rules.roles import DIRECTORY_ROLES, ROLES_BY_CODE
from . import directory_totals as totals
from .clock import iso, now

# Lead Professional application states that may be listed: on the programme or approved
LISTED_LP_STATES = ("trainee", "implementation", "approved")
LP_TITLES = {
    "trainee": "Lead Professional programme (training year)",
    "implementation": "Lead Professional programme (implementation year)",
    "approved": "Lead Professional",
}


def _eligible_people(person_id: str):
    certified = sa.select(Certification.person_id).where(
        Certification.person_id == person_id,
        Certification.status == "current",
        Certification.role.in_(DIRECTORY_ROLES),
    )
    approved = sa.select(LeadProfessionalApplication.person_id).where(
        LeadProfessionalApplication.person_id == person_id,
        LeadProfessionalApplication.state.in_(LISTED_LP_STATES),
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
    if person_id not in set(db.session.scalars(_eligible_people(person_id))):  # this person's rows only
        return False
    return _certified(person_id) or person_id not in lapsed_lead_professionals([person_id])


def credentials_of(person_ids: list[str]) -> dict[str, list[dict]]:
    """Credentials of several people in two queries (a directory page used to make two per entry)."""
    out: dict[str, list[dict]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return out
    for c, credential_id in db.session.execute(
        sa.select(Certification, Credential.id)
        .outerjoin(Credential, Credential.certification_id == Certification.id)
        .where(
            Certification.person_id.in_(person_ids),
            Certification.status == "current",
            Certification.role.in_(DIRECTORY_ROLES),
        )
        .order_by(Certification.certified_at)
    ):
        out[c.person_id].append(
            {
                "role": c.role,
                "title": ROLES_BY_CODE[c.role]["title"],
                "certified_at": iso(c.certified_at),
                "credential_id": credential_id,  # its public verification: /credentials/<id>
            }
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
    if e is None:  # made unlisted, then listed by the counted flips below
        e = DirectoryEntry(person_id=person.id, display_name=person.name, opted_in=False, eligible=False)
        db.session.add(e)
    e.display_name = (data.get("display_name") or e.display_name or person.name).strip()
    e.locality = data.get("locality", e.locality)
    e.summary = data.get("summary", e.summary)
    e.opted_in_at, e.withdrawn_at = now(), None
    db.session.flush()
    totals.entry_changed()  # its words may have changed: searches count again
    here = [DirectoryEntry.person_id == person.id]
    totals.flip("opted_in", True, here)
    refresh_eligibility([person.id])
    db.session.refresh(e)
    return e


def opt_out(person_id: str) -> DirectoryEntry | None:
    totals.flip("opted_in", False, [DirectoryEntry.person_id == person_id], withdrawn_at=now())
    e = db.session.scalar(sa.select(DirectoryEntry).where(DirectoryEntry.person_id == person_id))
    if e is not None:
        db.session.refresh(e)
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


def _words(q: str | None) -> list:
    if not q:
        return []
    like = f"%{q.strip().lower()}%"
    return [
        sa.or_(
            sa.func.lower(DirectoryEntry.display_name).like(like),
            sa.func.lower(sa.func.coalesce(DirectoryEntry.locality, "")).like(like),
            sa.func.lower(sa.func.coalesce(DirectoryEntry.summary, "")).like(like),
        )
    ]


def _count(*where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryEntry).where(*where))


def search(q: str | None, page: int, per_page: int) -> tuple[list[DirectoryEntry], int]:
    # opted_in = true AND eligible = true: the form the partial index ix_directory_entries_listed
    # matches, so the page is a walk of that index in name order (docs/performance.md section 4)
    listed = [DirectoryEntry.opted_in == sa.true(), DirectoryEntry.eligible == sa.true()]
    words = _words(q)
    stmt = sa.select(DirectoryEntry).where(*listed, *words)
    lapsed = sorted(_lapsed())
    certified = sa.exists().where(
        Certification.person_id == DirectoryEntry.person_id,
        Certification.status == "current",
        Certification.role.in_(DIRECTORY_ROLES),
    )
    if lapsed:
        # row 72i: an approved Lead Professional whose linked CPD is overdue is not listed on that
        # approval while it is (time makes it overdue, so this is checked when listing, not stored)
        stmt = stmt.where(sa.or_(DirectoryEntry.person_id.not_in(lapsed), certified))
    rows = db.session.scalars(
        stmt.order_by(DirectoryEntry.display_name, DirectoryEntry.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    # the total: the maintained counter (no words), or a search's count remembered until the
    # listing next changes; less the few listed entries row 72i hides now (decision 0036)
    if words:
        total = totals.search_total(q.strip().lower(), lambda: _count(*listed, *words))
    else:
        total = totals.listed()[0]
    if lapsed:
        total -= _count(*listed, *words, DirectoryEntry.person_id.in_(lapsed), ~certified)
    return list(rows), total


def refresh_eligibility(person_ids) -> None:
    """Set each of these people's directory entry `eligible` from their certifications and
    approvals now, counting each entry that becomes (or stops being) listed. Called, in the same
    transaction, by whatever changes them: certifying a role, recording a certification, moving a
    Lead Professional application, opting in."""
    ids = sorted(set(person_ids))
    if not ids:
        return
    here = DirectoryEntry.person_id.in_(ids)
    totals.flip("eligible", True, [here, _eligible_entry()])
    totals.flip("eligible", False, [here, ~_eligible_entry()])
