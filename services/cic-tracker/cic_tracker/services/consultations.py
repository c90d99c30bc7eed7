"""Priorities Consultations: requested -> scheduled -> completed, or cancelled; lapse when
their time is up (expired). Opt-in: only the person asking can open one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import Forbidden, InvalidInput, NotFound, RuleViolation

from ..authz import Caller
from ..extensions import db
from ..models import Consultation, Hub
from ..notifications import consultation_scheduled
from .common import now, to_naive_utc

FOR_KINDS = ("family", "professional", "organisation")
LIVE = ("requested", "scheduled")


def refresh(c: Consultation) -> Consultation:
    if c.state in LIVE and now() >= c.expires_at:
        c.state = "expired"
    return c


def request_consultation(user_id: str, for_kind: str, purpose: str, hub_id: str | None) -> Consultation:
    if hub_id is not None and db.session.get(Hub, hub_id) is None:
        raise InvalidInput("hub_id", "No hub with that id.", detail="Unknown hub.")
    created = now()
    c = Consultation(
        requested_by=user_id,
        for_kind=for_kind,
        purpose=purpose,
        hub_id=hub_id,
        state="requested",
        created_at=created,
        expires_at=created + timedelta(days=current_app.config["CONSULTATION_VALID_DAYS"]),
    )
    db.session.add(c)
    return c


def visible(caller: Caller, consultation_id: str) -> Consultation:
    c = db.session.get(Consultation, consultation_id)
    if c is None:
        raise NotFound("No consultation with that id.")
    if not (caller.is_cic_staff or c.requested_by == caller.user_id):
        log_refusal("consultation", consultation_id)
        raise NotFound("No consultation with that id.")
    return refresh(c)


def list_stmt(caller: Caller):
    stmt = sa.select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id)
    return stmt if caller.is_cic_staff else stmt.where(Consultation.requested_by == caller.user_id)


def _live(c: Consultation) -> None:
    if c.state not in LIVE:
        raise RuleViolation(f"The consultation is {c.state}.", unmet=["consultation_live"])


def schedule(c: Consultation, scheduled_for) -> Consultation:
    _live(c)
    when = to_naive_utc(scheduled_for)
    if when <= now():
        raise InvalidInput("scheduled_for", "Must be in the future.", detail="Schedule it in the future.")
    if when > c.expires_at:
        raise RuleViolation(
            "Consultations are time-limited: schedule it before it lapses.", unmet=["time_limited"]
        )
    c.scheduled_for = when
    c.state = "scheduled"
    consultation_scheduled(c)  # a sign-in prompt, in the same commit as the change
    return c


def complete(c: Consultation) -> Consultation:
    if c.state != "scheduled":
        raise RuleViolation("Only a scheduled consultation can be completed.", unmet=["scheduled"])
    c.state = "completed"
    c.completed_at = now()
    return c


def cancel(caller: Caller, c: Consultation) -> Consultation:
    if not (caller.is_cic_staff or c.requested_by == caller.user_id):
        raise Forbidden("Only the requester or CIC staff may cancel.")
    _live(c)
    c.state = "cancelled"
    c.cancelled_at = now()
    return c
