"""Cases of a microproject: 1-3 per microproject, pseudonymous codes, consent, time-limited
support, erasure (a tombstone of ids, dates and counts stays)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from imatter_shared.contract.packages import LICENCE_REQUIREMENT, MAX_CASES
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation

from ...authz import Caller, caller
from ...extensions import db
from ...models import Assessment, Case, Goal, Microproject, Reflection
from ...rules import tracker as rules
from ..common import now, to_naive_utc
from ..directory import licence_status
from ..guidelines import require_for_first_case
from ..reflective import erase_case_answers
from .workspaces import announce_progress

# cases that still count as part of the microproject (a withdrawn case leaves it)
COUNTED = ("open", "closed", "erased")


def visible_case(case_id: str, content: bool = True) -> tuple[Caller, Microproject, Case]:
    """The case if the caller may reach it; else 404 (logged). `content` (the default): its
    code, consent, scores, notes, goals and reflections, which only the practitioner and the
    assigned overseer reach (DOMAIN "Rulings" -> CIC). Without `content`, whoever sees the
    microproject's overview."""
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound("No case with that id.")
    c = caller()
    mp = db.session.get(Microproject, case.microproject_id)
    if not (c.can_read_cases(mp) if content else c.can_see(mp)):
        log_refusal("case", case_id)
        raise NotFound("No case with that id.")
    close_if_expired(case, mp)
    return c, mp, case


def _take_case_slot(mp: Microproject) -> bool:
    """Claim one of the microproject's case slots with a guarded UPDATE (security L9): it
    serialises on PostgreSQL (row lock) and on SQLite (one writer), so concurrent openings can
    never pass 3 cases, and the loser gets a 409, not a 500."""
    taken = db.session.execute(
        sa.update(Microproject)
        .where(Microproject.id == mp.id, Microproject.state == "open", Microproject.cases_count < MAX_CASES)
        .values(cases_count=Microproject.cases_count + 1)
    ).rowcount
    db.session.refresh(mp)
    return bool(taken)


def open_case(mp: Microproject, code: str, consent: dict) -> Case:
    problem = rules.code_problem(code)
    if problem:
        raise InvalidInput("code", problem, detail="Invalid case code.")
    given_at = to_naive_utc(consent["given_at"]) if consent.get("given_at") else now()
    if (given_at - now()).total_seconds() > 300:
        raise InvalidInput(
            "consent.given_at", "Is in the future.", detail="Consent cannot be given in the future."
        )
    for case in db.session.scalars(
        sa.select(Case).where(Case.microproject_id == mp.id, Case.state == "open")
    ):
        close_if_expired(case, mp)
    unmet = rules.can_open_case(mp.cases_count, mp.state) + rules.can_open_case_for_use(
        licence_status(mp.organisation_id)
    )
    if not unmet:  # the Microproject Practice Guidelines before the first case (decision 0064)
        require_for_first_case(mp)
    if LICENCE_REQUIREMENT in unmet:
        raise RuleViolation(
            "Tracker use needs an active Enhanced Practice Licence for the organisation.", unmet=unmet
        )
    if not unmet and not _take_case_slot(mp):  # lost the race for the last slot
        unmet = rules.can_open_case(mp.cases_count, mp.state) or ["max_cases"]
    if unmet:
        detail = (
            "A microproject has at most 3 cases."
            if "max_cases" in unmet
            else "The microproject is completed."
        )
        raise RuleViolation(detail, unmet=unmet)
    # a second case with the same code: refused here, and by uq_case_code under a race
    clash = db.session.scalar(
        sa.select(sa.func.count()).select_from(Case).where(Case.microproject_id == mp.id, Case.code == code)
    )
    if clash:
        raise RuleViolation("Another case of this microproject has that code.", unmet=["unique_code"])
    opened = now()
    case = Case(
        microproject_id=mp.id,
        code=code,
        state="open",
        consent_given_by=consent["given_by"],
        consent_scope=consent["scope"],
        consent_given_at=given_at,
        opened_at=opened,
        support_until=rules.support_until(opened, current_app.config["CASE_SUPPORT_WINDOW_DAYS"]),
    )
    db.session.add(case)
    announce_progress(mp)
    return case


def close_if_expired(case: Case, mp: Microproject, at: datetime | None = None) -> bool:
    """Support is time-limited: past its window an open case closes (kept for retention)."""
    if case.state == "open" and rules.support_expired(at or now(), case.support_until):
        case.state = "closed"
        case.closed_at = case.support_until
        return True
    return False


def erase(case: Case, state: str) -> None:
    """Erase everything recorded about a case; keep a tombstone (ids, dates, counts)."""
    for model in (Assessment, Goal, Reflection):
        db.session.execute(sa.delete(model).where(model.case_id == case.id))
    erase_case_answers(case.id)  # the formal Q and wheel answers go with the case
    case.code = None
    case.consent_given_by = None
    case.consent_scope = None
    case.state = state
    case.erased_at = now()


def withdraw_consent(mp: Microproject, case: Case) -> Case:
    if case.state == "withdrawn":
        return case
    counted = case.state in COUNTED
    case.consent_withdrawn_at = now()
    case.closed_at = case.closed_at or case.consent_withdrawn_at
    erase(case, "withdrawn")
    if counted:  # a withdrawn case leaves the microproject and frees its slot
        db.session.execute(
            sa.update(Microproject)
            .where(Microproject.id == mp.id, Microproject.cases_count > 0)
            .values(cases_count=Microproject.cases_count - 1)
        )
        db.session.refresh(mp)
    announce_progress(mp)
    return case


def cases_of(mp: Microproject) -> list[Case]:
    cases = db.session.scalars(
        sa.select(Case).where(Case.microproject_id == mp.id).order_by(Case.opened_at, Case.id)
    ).all()
    for case in cases:
        close_if_expired(case, mp)
    return cases


def require_writable(case: Case, mp: Microproject) -> None:
    if mp.state != "open":
        raise RuleViolation("The microproject is completed.", unmet=["microproject_open"])
    if case.state != "open":
        raise RuleViolation(
            "The case is not open (its support has ended or consent was withdrawn).", unmet=["case_open"]
        )
