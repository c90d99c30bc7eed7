"""Reflective tools on the training side: content versions, the informal I Matter Q, community
wheel licences and community audits, and I Matter Q registration consultation orders."""

from __future__ import annotations

import os

import sqlalchemy as sa

from imatter_shared.questionnaires import AnswerErrors, check_answers, score, store
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import InvalidInput, NotFound, RuleViolation
from imatter_shared.web.paging import rows_page

from ..events import outgoing
from ..extensions import db
from ..models import Organisation, Person
from ..models.learning import Enrolment
from ..models.reflective import (
    CommunityAudit,
    CommunityWheelLicence,
    QResponse,
    QuestionnaireVersion,
)
from ..rules import reflective as rules
from ..rules.catalogue import COURSES_BY_CODE
from ..rules.licences import add_months
from . import licences
from .clock import now

CONTENT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "content"
)


# ---- content -------------------------------------------------------------------------------


def extra_check(content: dict) -> list[str]:
    """Training content may only suggest courses that are in the catalogue."""
    return rules.unknown_suggestions(content, COURSES_BY_CODE)


def load_samples() -> list[str]:
    """Install the shipped SAMPLE content for any instrument that has none yet (idempotent)."""
    return store.install_missing(
        db.session,
        QuestionnaireVersion,
        [os.path.join(CONTENT_DIR, name) for name in rules.SAMPLE_CONTENT_FILES],
        instruments=rules.INSTRUMENTS,
        extra_check=extra_check,
    )


def current_version(instrument: str) -> QuestionnaireVersion:
    return store.current_or_refuse(db.session, QuestionnaireVersion, instrument, rules.INSTRUMENTS)


def _scored(version: QuestionnaireVersion, answers: dict) -> tuple[dict, list[dict]]:
    try:
        clean = check_answers(version.content, answers)
    except AnswerErrors as exc:
        raise InvalidInput(
            None, detail="Some answers do not fit the questionnaire.", errors=exc.errors
        ) from None
    return clean, score(version.content, clean)


# ---- the informal I Matter Q (the learner about themself) ------------------------------------


def answer_q(user_id: str, person: Person | None, answers: dict) -> QResponse:
    version = current_version(rules.INFORMAL_Q)
    clean, sections = _scored(version, answers)
    r = QResponse(
        user_id=user_id,
        person_id=person.id if person else None,
        version_id=version.id,
        instrument=version.instrument,
        answers=clean,
        section_scores=sections,
    )
    db.session.add(r)
    db.session.flush()
    return r


def own_response(user_id: str, response_id: str) -> QResponse:
    """The learner's own Q; anyone else's is 404, whoever asks (admins included)."""
    r = db.session.get(QResponse, response_id)
    if r is None or r.user_id != user_id:
        if r is not None:
            log_refusal("q_response", response_id)
        raise NotFound("No I Matter Q response with that id.")
    return r


def own_responses(user_id: str, page: int, per_page: int) -> tuple[list[QResponse], int]:
    q = sa.select(QResponse).where(QResponse.user_id == user_id)
    return rows_page(db.session, q.order_by(QResponse.created_at.desc(), QResponse.id), page, per_page)


def _completed(person_id: str | None) -> set[str]:
    if not person_id:
        return set()
    return set(
        db.session.scalars(
            sa.select(Enrolment.course_code).where(
                Enrolment.person_id == person_id, Enrolment.state == "completed"
            )
        )
    )


def suggested_steps(r: QResponse, version: QuestionnaireVersion) -> list[dict]:
    """The learning steps an answer suggests: its weak sections' courses not yet completed."""
    return rules.suggestions(
        r.section_scores, version.content["sections"], _completed(r.person_id), COURSES_BY_CODE
    )


def delete_q(r: QResponse) -> None:
    db.session.delete(r)


# ---- community wheel licences --------------------------------------------------------------


def licence_status(lic: CommunityWheelLicence) -> str:
    return rules.licence_status(lic.valid_from, lic.valid_until, lic.revoked_at, now())


def _announce(lic: CommunityWheelLicence) -> None:
    """cic-tracker needs the licence facts for the personalised wheel: ids, status, dates."""
    outgoing.tool_licence_changed(lic, rules.COMMUNITY_WHEEL_TOOL, licence_status(lic))


def grant_licence(data: dict, user_id: str) -> CommunityWheelLicence:
    org_id, person_id = data.get("organisation_id"), data.get("person_id")
    if bool(org_id) == bool(person_id):
        raise InvalidInput(
            None,
            detail="Name one holder.",
            errors={
                "organisation_id": ["Give organisation_id or person_id."],
                "person_id": ["Give organisation_id or person_id."],
            },
        )
    holder = "organisation" if org_id else "person"
    if org_id and db.session.get(Organisation, org_id) is None:
        raise InvalidInput("organisation_id", "No organisation with that id.", detail="Unknown organisation.")
    if person_id and db.session.get(Person, person_id) is None:
        raise InvalidInput("person_id", "No person with that id.", detail="Unknown person.")
    unmet = rules.grant_unmet(holder, bool(org_id) and licences.in_date(org_id, "starter"))
    if unmet:
        raise RuleViolation(f"A community wheel licence needs {rules.describe(unmet)}.", unmet=unmet)
    if _active_licence(organisation_id=org_id, person_id=person_id) is not None:
        raise RuleViolation(
            "This holder already has an active community wheel licence.", unmet=["licence_already_active"]
        )
    start = now()
    lic = CommunityWheelLicence(
        holder=holder,
        organisation_id=org_id,
        person_id=person_id,
        with_level_3a=bool(data.get("with_level_3a")),
        valid_from=start,
        valid_until=add_months(start, data.get("months") or rules.LICENCE_TERM_MONTHS),
        granted_by=user_id,
    )
    db.session.add(lic)
    db.session.flush()
    _announce(lic)
    return lic


def revoke_licence(lic: CommunityWheelLicence) -> CommunityWheelLicence:
    if lic.revoked_at is None:
        lic.revoked_at = now()
        _announce(lic)
    return lic


def get_licence(licence_id: str) -> CommunityWheelLicence:
    lic = db.session.get(CommunityWheelLicence, licence_id)
    if lic is None:
        raise NotFound("No community wheel licence with that id.")
    return lic


def _active_licence(*, organisation_id: str | None = None, person_id: str | None = None):
    if not organisation_id and not person_id:
        return None
    col, value = (
        (CommunityWheelLicence.organisation_id, organisation_id)
        if organisation_id
        else (CommunityWheelLicence.person_id, person_id)
    )
    at = now()
    return db.session.scalar(
        sa.select(CommunityWheelLicence)
        .where(
            col == value,
            CommunityWheelLicence.revoked_at.is_(None),
            CommunityWheelLicence.valid_from <= at,
            CommunityWheelLicence.valid_until > at,
        )
        .order_by(CommunityWheelLicence.valid_until.desc())
        .limit(1)
    )


def licences_visible(caller, page: int, per_page: int) -> tuple[list[CommunityWheelLicence], int]:
    q = sa.select(CommunityWheelLicence)
    if not caller.is_training_admin:
        q = q.where(
            sa.or_(
                CommunityWheelLicence.organisation_id.in_(caller.organisation_ids or [""]),
                CommunityWheelLicence.person_id == (caller.person_id or ""),
            )
        )
    return rows_page(
        db.session,
        q.order_by(CommunityWheelLicence.created_at.desc(), CommunityWheelLicence.id),
        page,
        per_page,
    )


# ---- community audits ----------------------------------------------------------------------


def record_audit(
    caller, organisation_id: str, answers: dict, participants_count: int | None
) -> CommunityAudit:
    org_lic = _active_licence(organisation_id=organisation_id)
    own_lic = _active_licence(person_id=caller.person_id)
    unmet = rules.audit_unmet(org_lic is not None, own_lic is not None)
    if unmet:
        raise RuleViolation(f"A community audit with the wheel needs {rules.describe(unmet)}.", unmet=unmet)
    version = current_version(rules.COMMUNITY_AUDIT)
    clean, sections = _scored(version, answers)
    audit = CommunityAudit(
        organisation_id=organisation_id,
        version_id=version.id,
        instrument=version.instrument,
        licence_id=(org_lic or own_lic).id,
        participants_count=participants_count,
        answers=clean,
        section_scores=sections,
        created_by=caller.user_id,
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def get_audit(audit_id: str) -> CommunityAudit:
    a = db.session.get(CommunityAudit, audit_id)
    if a is None:
        raise NotFound("No community audit with that id.")
    return a


def audits_of(organisation_id: str, page: int, per_page: int) -> tuple[list[CommunityAudit], int]:
    q = sa.select(CommunityAudit).where(CommunityAudit.organisation_id == organisation_id)
    return rows_page(
        db.session, q.order_by(CommunityAudit.created_at.desc(), CommunityAudit.id), page, per_page
    )
