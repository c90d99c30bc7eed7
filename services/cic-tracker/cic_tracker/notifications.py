"""cic-tracker's email. Every message says only that something needs the
recipient's attention and links to sign in: never a case's code, consent, scores, notes,
goals, reflections, a consultation's purpose, a fund application's summary or outcome.
The templates receive no case object at all, so they cannot leak one.

Addresses: cic-tracker holds no directory of people. It learns a professional's own sign-in
email from `training.person.linked` (professional contact data, training -> cic), and any
user's own email from their token when they act here (a consultation request, a fund
application); both kept in `notification_contacts`, keyed by user id.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request

from imatter_shared.notifications import (
    EXTENSION_KEY,
    Kind,
    kinds_table,
    notify,
    register_notifications,
    remind,
    valid_email,
)
from imatter_shared.notifications.schedule import due_step, reminder_key

from .extensions import db
from .models import (
    Case,
    Certification,
    FundApplication,
    FundRound,
    KnownPerson,
    Microproject,
    Notification,
    NotificationContact,
    NotificationPreference,
)

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notification_templates")

KINDS = kinds_table(
    Kind("fund_decision", "A decision on your Microproject Development Fund application"),
    Kind("consultation_scheduled", "A Priorities Consultation was scheduled"),
    Kind(
        "fund_round_closing",
        "A Microproject Development Fund round is closing",
        description="To practitioners, 7 days before a round closes.",
    ),
    Kind(
        "case_support_ending",
        "A case's support window is ending",
        description="To the microproject's practitioner, 14 and 3 days before a case's support window ends.",
    ),
)
ROUND_CLOSING_STEPS = (7,)
SUPPORT_ENDING_STEPS = (14, 3)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def register(app) -> None:
    register_notifications(
        app,
        db,
        Notification,
        NotificationPreference,
        KINDS,
        TEMPLATES,
        reminders=[fund_round_reminders, support_window_reminders],
        sender_name="Relationship Health Matters CIC",
        preferences_path="/account/notifications",
    )
    app.after_request(_remember_caller)


# ---- contact addresses -----------------------------------------------------------------------


def remember_contact(session, user_id: str | None, email: str | None, source: str) -> None:
    """Keep a user's own address (no commit: the caller's transaction carries it)."""
    email = (email or "").strip().lower()
    if not user_id or not valid_email(email):
        return
    c = session.get(NotificationContact, user_id)
    if c is None:
        session.add(NotificationContact(user_id=user_id, email=email, source=source))
    elif c.email != email:
        c.email, c.source = email, source


def _remember_caller(response):
    """After a successful write by a signed-in user, remember their own address (one primary
    key lookup; a write only when it is new or changed). Never fails the request."""
    principal = g.get("principal")
    if principal is None or request.method not in WRITE_METHODS or response.status_code >= 400:
        return response
    try:
        c = db.session.get(NotificationContact, principal.user_id)
        if c is None or c.email != (principal.email or "").lower():
            remember_contact(db.session, principal.user_id, principal.email, "token")
            db.session.commit()
    except Exception:  # the request already succeeded; an address can be learnt next time
        db.session.rollback()
        current_app.logger.warning("could not remember a contact address", exc_info=True)
    return response


def _contact(user_id: str | None) -> str | None:
    c = db.session.get(NotificationContact, user_id) if user_id else None
    return c.email if c else None


def _user_of_person(person_id: str) -> str | None:
    return db.session.scalar(sa.select(KnownPerson.user_id).where(KnownPerson.person_id == person_id))


def _on() -> bool:
    return EXTENSION_KEY in current_app.extensions


def _send(kind: str, user_id: str | None, context: dict | None = None, dedup_key: str | None = None):
    to = _contact(user_id)
    if to is None:
        return None
    return notify(kind, to=to, recipient=user_id, context=context or {}, dedup_key=dedup_key)


# ---- written with the change that causes them ---------------------------------------------


def fund_decision(application: FundApplication, decision_id: str) -> None:
    """To the applicant and the practitioner (one email each; the same person gets one)."""
    if not _on():
        return
    users = {application.applicant_user_id, _user_of_person(application.practitioner_id)}
    for user_id in sorted(u for u in users if u):
        _send("fund_decision", user_id, dedup_key=f"fund_decision:{decision_id}:{user_id}")


def consultation_scheduled(consultation) -> None:
    if _on():
        _send(
            "consultation_scheduled",
            consultation.requested_by,
            dedup_key=reminder_key("consultation", consultation.id, consultation.scheduled_for),
        )


# ---- scheduled reminders ---------------------------------------------------------------------


def _date(dt: datetime) -> str:
    return dt.strftime("%d %B %Y").lstrip("0")


def fund_round_reminders(at: datetime) -> int:
    """7 days before an open round closes, to practitioners who have not applied in it."""
    sent = 0
    rounds = db.session.scalars(
        sa.select(FundRound).where(
            FundRound.state == "open",
            FundRound.closes_at > at,
            FundRound.closes_at <= at + timedelta(days=max(ROUND_CLOSING_STEPS)),
        )
    ).all()
    if not rounds:
        return 0
    practitioners = set(db.session.scalars(sa.select(Microproject.practitioner_id))) | set(
        db.session.scalars(sa.select(Certification.person_id))
    )
    users = (
        set(
            db.session.scalars(
                sa.select(KnownPerson.user_id).where(
                    KnownPerson.person_id.in_(practitioners), KnownPerson.user_id.is_not(None)
                )
            )
        )
        if practitioners
        else set()
    )
    for r in rounds:
        step = due_step(r.closes_at, at, ROUND_CLOSING_STEPS)
        if step is None:
            continue
        applied = set(
            db.session.scalars(
                sa.select(FundApplication.applicant_user_id).where(FundApplication.round_id == r.id)
            )
        )
        for user_id in sorted(users - applied):
            sent += remind(
                "fund_round_closing",
                to=_contact(user_id),
                recipient=user_id,
                dedup_key=reminder_key("round", r.id, r.closes_at, f"{step}d", user_id),
                context={"closes_on": _date(r.closes_at)},
            )
    return sent


def support_window_reminders(at: datetime) -> int:
    """14 and 3 days before an open case's support window ends, to its practitioner. The email
    names no case: several cases ending together send several identical prompts."""
    sent = 0
    rows = db.session.execute(
        sa.select(Case.id, Case.support_until, Microproject.practitioner_id)
        .join(Microproject, Microproject.id == Case.microproject_id)
        .where(
            Case.state == "open",
            Case.support_until > at,
            Case.support_until <= at + timedelta(days=max(SUPPORT_ENDING_STEPS)),
        )
    ).all()
    for case_id, until, practitioner_id in rows:
        step = due_step(until, at, SUPPORT_ENDING_STEPS)
        user_id = _user_of_person(practitioner_id)
        if step is None or user_id is None:
            continue
        sent += remind(
            "case_support_ending",
            to=_contact(user_id),
            recipient=user_id,
            dedup_key=reminder_key("support", case_id, until, f"{step}d"),
        )
    return sent
