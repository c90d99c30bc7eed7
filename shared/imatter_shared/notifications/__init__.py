"""Email notifications: an outbox per service, written in the same commit as the change that
causes it, delivered over SMTP by `flask notify send`, with scheduled reminders from
`flask notify reminders` and per-recipient preferences.

A service declares its kinds (one table), templates and reminder functions once:

    # <service>/notifications.py
    KINDS = kinds_table(Kind("certification_granted", "A certification was granted"), ...)
    def register(app): register_notifications(app, db, Notification, NotificationPreference, KINDS,
                                              TEMPLATES, reminders=[licence_reminders], sender_name=...)

and, anywhere inside a request before db.session.commit():

    notify("certification_granted", to=person.email, recipient=person.id, context={...})

Essential kinds (password reset, security notices) always go; a recipient may turn off
non-essential ones (all at once or kind by kind). See docs/decisions/0012-notifications.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from imatter_shared.config import NOTIFICATION_DEFAULTS
from imatter_shared.notifications.cli import notify_cli
from imatter_shared.notifications.models import PENDING
from imatter_shared.notifications.render import Renderer
from imatter_shared.notifications.wiring import (
    EXTENSION_KEY,
    Kind,
    NotifyWiring,
    Reminder,
    run_reminders,
    wiring_of,
)

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")

# The settings of email and their local defaults (the catcher of `make run` listens on 1025),
# kept with the other settings, which Config() reads from the environment.
DEFAULTS = NOTIFICATION_DEFAULTS


def kinds_table(*kinds: Kind) -> dict[str, Kind]:
    return {k.code: k for k in kinds}


def register_notifications(
    app: Any,
    db: Any,
    Notification: type,
    Preference: type | None,
    kinds: Mapping[str, Kind],
    template_folder: str,
    *,
    reminders: Sequence[Reminder] = (),
    sender_name: str = "I Matter",
    preferences_path: str = "/account/notifications",
    redact_after_send: Sequence[str] = (),
) -> NotifyWiring:
    """Wire a service's notifications and add `flask notify send|reminders|status`."""
    for key, default in DEFAULTS.items():  # Config() has read the environment's values
        app.config.setdefault(key, default)
    renderer = Renderer(template_folder)
    renderer.check(kinds)
    wiring = NotifyWiring(
        app.config.get("SERVICE_NAME") or app.name,
        db,
        Notification,
        Preference,
        dict(kinds),
        renderer,
        list(reminders),
        sender_name,
        preferences_path,
        tuple(redact_after_send),
    )
    app.extensions[EXTENSION_KEY] = wiring
    app.cli.add_command(notify_cli)
    return wiring


def valid_email(address: str | None) -> bool:
    return bool(address) and len(address) <= 254 and bool(_EMAIL.match(address))


def base_context(wiring: NotifyWiring, kind: Kind, app: Any = None) -> dict[str, Any]:
    portal = str((app or current_app).config.get("PORTAL_URL") or DEFAULTS["PORTAL_URL"]).rstrip("/")
    return {
        "portal_url": portal,
        "sign_in_url": portal + "/sign-in",
        "preferences_url": portal + wiring.preferences_path,
        "sender_name": wiring.sender_name,
        "essential": kind.essential,
        "kind_title": kind.title,
    }


def notify(
    kind: str,
    *,
    to: str | None,
    recipient: str | None = None,
    context: Mapping[str, Any] | None = None,
    dedup_key: str | None = None,
    session: Any = None,
) -> Any:
    """Render `kind` and add it to the outbox in the caller's transaction (never commits).
    Returns the row, or None when there is no usable address or `dedup_key` was used before."""
    wiring = wiring_of()
    spec = wiring.kinds[kind]  # KeyError for an undeclared kind: a bug, not input
    session = session or wiring.db.session
    to = (to or "").strip().lower()
    if not valid_email(to):
        return None
    M = wiring.Notification
    if dedup_key is not None and session.scalar(sa.select(M.id).where(M.dedup_key == dedup_key)) is not None:
        return None
    ctx = {**base_context(wiring, spec), **dict(context or {})}
    subject, text, html = wiring.renderer.render(kind, ctx)
    row = M(
        kind=kind,
        recipient=recipient,
        to_email=to,
        essential=spec.essential,
        subject=subject,
        text_body=text,
        html_body=html,
        dedup_key=dedup_key,
        state=PENDING,
        attempts=0,
    )
    session.add(row)
    return row


def remind(
    kind: str,
    *,
    to: str | None,
    recipient: str | None = None,
    context: Mapping[str, Any] | None = None,
    dedup_key: str,
) -> bool:
    """A scheduled reminder: written and committed on its own, once per `dedup_key` however often
    the reminders command runs (a concurrent run loses on the unique key and rolls back)."""
    session = wiring_of().db.session
    try:
        row = notify(kind, to=to, recipient=recipient, context=context, dedup_key=dedup_key, session=session)
        if row is None:
            return False
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
        return False


__all__ = ["EXTENSION_KEY", "Kind", "NotifyWiring", "Reminder", "run_reminders", "wiring_of"]
