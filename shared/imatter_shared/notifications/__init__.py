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

import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from imatter_shared.notifications.models import PENDING
from imatter_shared.notifications.render import Renderer

EXTENSION_KEY = "imatter_notify"
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")

# Environment keys and their local defaults (the catcher of `make run` listens on 1025).
DEFAULTS: dict[str, Any] = {
    "SMTP_HOST": "127.0.0.1",
    "SMTP_PORT": 1025,
    "SMTP_TLS": "none",
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 15,
    "MAIL_FROM": "I Matter <no-reply@imatter.local>",
    "PORTAL_URL": "http://127.0.0.1:8000",
    "NOTIFY_RETRY_BASE_SECONDS": 30.0,  # first retry after this, doubling each time ...
    "NOTIFY_RETRY_MAX_SECONDS": 3600.0,  # ... up to this
    "NOTIFY_MAX_ATTEMPTS": 40,  # ~1.5 days of retries, then `failed` (still recorded)
    "NOTIFY_POLL_SECONDS": 2.0,
    "NOTIFY_BATCH_SIZE": 100,
}


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    essential: bool = False  # password reset, security: sent whatever the preferences say
    description: str = ""


def kinds_table(*kinds: Kind) -> dict[str, Kind]:
    return {k.code: k for k in kinds}


Reminder = Callable[[datetime], int]


@dataclass
class NotifyWiring:
    service: str
    db: Any
    Notification: type
    Preference: type | None
    kinds: dict[str, Kind]
    renderer: Renderer
    reminders: list[Reminder] = field(default_factory=list)
    sender_name: str = "I Matter"
    preferences_path: str = "/account/notifications"
    redact_after_send: tuple[str, ...] = ()  # kinds whose bodies hold a secret (a reset link)


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
    from imatter_shared.notifications.cli import register_notify_cli

    for key, default in DEFAULTS.items():
        value = os.environ.get(key)
        app.config.setdefault(key, value if value not in (None, "") else default)
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
    register_notify_cli(app, wiring)
    return wiring


def wiring_of(app: Any = None) -> NotifyWiring:
    return (app or current_app).extensions[EXTENSION_KEY]


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


def run_reminders(at: datetime, app: Any = None) -> dict[str, int]:
    """Run every reminder function of the service; returns {function name: reminders written}."""
    wiring = wiring_of(app)
    return {fn.__name__: fn(at) for fn in wiring.reminders}


def kinds_view(wiring: NotifyWiring, kinds: Iterable[str] | None = None) -> list[dict]:
    return [
        {"code": k.code, "title": k.title, "essential": k.essential, "description": k.description}
        for k in wiring.kinds.values()
        if kinds is None or k.code in kinds
    ]
