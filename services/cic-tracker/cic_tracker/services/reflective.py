"""Reflective tools with someone else: the formal I Matter Q and the personalised wellbeing
wheel on a case (same consent rules as the Tracker), community wheel licence facts from
training, and I Matter Q registration consultations booked from training's orders."""

from __future__ import annotations

import os

import sqlalchemy as sa

from imatter_shared.events.envelope import parse_timestamp
from imatter_shared.questionnaires import AnswerErrors, check_answers, score, store
from imatter_shared.web.errors import InvalidInput, RuleViolation

from ..authz import require_case_writer
from ..extensions import db
from ..models import Case, Microproject
from ..models.reflective import CaseToolResponse, QRegistrationBooking, QuestionnaireVersion, ToolLicence
from ..rules import reflective as rules
from .common import now, to_naive_utc
from .consultations import request_consultation
from .directory import licence_status

CONTENT_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "content"
)


# ---- content -------------------------------------------------------------------------------


def load_samples() -> list[str]:
    """Install the shipped SAMPLE content for any instrument that has none yet (idempotent)."""
    return store.install_missing(
        db.session,
        QuestionnaireVersion,
        [os.path.join(CONTENT_DIR, name) for name in rules.SAMPLE_CONTENT_FILES],
        instruments=rules.INSTRUMENTS,
    )


def current_version(instrument: str) -> QuestionnaireVersion:
    return store.current_or_refuse(db.session, QuestionnaireVersion, instrument, rules.INSTRUMENTS)


# ---- licence facts -------------------------------------------------------------------------


def wheel_licence_active(organisation_id: str, practitioner_id: str) -> bool:
    rows = db.session.scalars(
        sa.select(ToolLicence).where(
            ToolLicence.tool == "community_wheel",
            sa.or_(ToolLicence.organisation_id == organisation_id, ToolLicence.person_id == practitioner_id),
        )
    )
    at = now()
    return any(rules.licence_active(r.status, r.valid_until, at) for r in rows)


def _facts(mp: Microproject, case: Case) -> rules.UseFacts:
    return rules.UseFacts(
        case_state=case.state,
        microproject_state=mp.state,
        enhanced_status=licence_status(mp.organisation_id),
        in_hub=mp.hub_id is not None,
        wheel_licence_active=wheel_licence_active(mp.organisation_id, mp.practitioner_id),
    )


def on_tool_licence_changed(data: dict) -> None:
    lic = db.session.get(ToolLicence, data["licence_id"])
    if lic is None:
        lic = ToolLicence(licence_id=data["licence_id"])
        db.session.add(lic)
    lic.tool, lic.holder, lic.status = data["tool"], data["holder"], data["status"]
    lic.organisation_id, lic.person_id = data.get("organisation_id"), data.get("person_id")
    lic.valid_until = to_naive_utc(parse_timestamp(data["valid_until"])) if data.get("valid_until") else None


# ---- answers on a case ---------------------------------------------------------------------


def record(
    c, mp: Microproject, case: Case, instrument: str, answers: dict, notes: str | None
) -> CaseToolResponse:
    require_case_writer(c, mp)
    unmet = rules.use_unmet(instrument, _facts(mp, case))
    if unmet:
        raise RuleViolation(f"This use needs {rules.describe(unmet)}.", unmet=unmet)
    version = current_version(instrument)
    try:
        clean = check_answers(version.content, answers)
    except AnswerErrors as exc:
        raise InvalidInput(
            None, detail="Some answers do not fit the questionnaire.", errors=exc.errors
        ) from None
    r = CaseToolResponse(
        case_id=case.id,
        instrument=instrument,
        version_id=version.id,
        answers=clean,
        section_scores=score(version.content, clean),
        notes=notes,
        recorded_by=c.user_id,
    )
    db.session.add(r)
    db.session.flush()
    return r


def responses_of(case: Case, instrument: str) -> list[CaseToolResponse]:
    return list(
        db.session.scalars(
            sa.select(CaseToolResponse)
            .where(CaseToolResponse.case_id == case.id, CaseToolResponse.instrument == instrument)
            .order_by(CaseToolResponse.created_at, CaseToolResponse.id)
        )
    )


def erase_case_answers(case_id: str) -> int:
    """Called when a case's data is erased (consent withdrawn, retention over)."""
    return db.session.execute(sa.delete(CaseToolResponse).where(CaseToolResponse.case_id == case_id)).rowcount


# ---- I Matter Q registration consultations -------------------------------------------------


def on_q_consultation_ordered(data: dict) -> QRegistrationBooking:
    """A Priorities Consultation request for the parent (or whoever ordered it for them)."""
    booking = db.session.get(QRegistrationBooking, data["order_id"])
    if booking is not None:
        return booking
    c = request_consultation(
        data.get("user_id") or data["requested_by"], "family", rules.Q_REGISTRATION_PURPOSE, None
    )
    db.session.flush()
    booking = QRegistrationBooking(
        order_id=data["order_id"],
        registration_id=data["registration_id"],
        person_id=data["person_id"],
        organisation_id=data.get("organisation_id"),
        consultation_id=c.id,
    )
    db.session.add(booking)
    return booking


def bookings_stmt():
    return sa.select(QRegistrationBooking).order_by(
        QRegistrationBooking.created_at.desc(), QRegistrationBooking.order_id
    )
