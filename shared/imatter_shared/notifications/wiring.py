"""What a service's notifications are wired to (its db, tables, kinds, templates, reminders),
kept on the app by register_notifications and found again by the sender and the commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app

from imatter_shared.notifications.render import Renderer

EXTENSION_KEY = "imatter_notify"

Reminder = Callable[[datetime], int]


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    essential: bool = False  # password reset, security: sent whatever the preferences say
    description: str = ""


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


def wiring_of(app: Any = None) -> NotifyWiring:
    return (app or current_app).extensions[EXTENSION_KEY]


def run_reminders(at: datetime, app: Any = None) -> dict[str, int]:
    """Run every reminder function of the service; returns {function name: reminders written}."""
    wiring = wiring_of(app)
    return {fn.__name__: fn(at) for fn in wiring.reminders}
