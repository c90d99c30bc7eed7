"""The sender: delivers pending notifications over SMTP, with retries and exponential backoff.

One row at a time, each in its own transaction: take the oldest due pending row (FOR UPDATE
SKIP LOCKED, so several senders on PostgreSQL never send the same row), check the recipient's
preferences, hand it to the SMTP server, and mark it `sent` only after the server accepted
it. A server that cannot be reached costs that row one attempt (recorded, with the error and
the next attempt time) and ends the round; nothing is dropped. A crash between the server's
acceptance and our commit sends that one message again later (at least once); its Message-ID
is the same both times.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

import sqlalchemy as sa

from imatter_shared.messaging.runtime import flask_session_scope
from imatter_shared.messaging.transports import Backoff, delay_for
from imatter_shared.notifications.models import FAILED, PENDING, SENT, SKIPPED
from imatter_shared.notifications.smtp import SmtpConfig, SmtpRefused, SmtpTransport, SmtpUnavailable
from imatter_shared.timeutil import utcnow

log = logging.getLogger("imatter.notify")
REDACTED = "[redacted after delivery: it held a single-use secret]"
SessionScope = Callable[[], AbstractContextManager]


@dataclass
class SendRound:
    sent: int = 0
    skipped: int = 0
    retrying: int = 0
    failed: int = 0
    unavailable: str | None = None  # why the round stopped early (server unreachable)

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.retrying + self.failed


def allowed(kind: Any, essential: bool, prefs: Any) -> bool:
    """Essential email always goes; otherwise the recipient's choices decide (none: all on)."""
    if essential or prefs is None:
        return True
    return bool(prefs.non_essential_email) and kind not in (prefs.disabled_kinds or [])


def build_message(row: Any, mail_from: str, service: str) -> EmailMessage:
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "imatter.local"
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = row.to_email
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(usegmt=True)
    # stable across retries: a receiver can recognise the rare duplicate after a crash
    msg["Message-ID"] = f"<notification.{service}.{row.id}@{domain}>"
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-IMatter-Notification"] = row.kind
    msg.set_content(row.text_body)
    msg.add_alternative(row.html_body, subtype="html")
    return msg


class Sender:
    def __init__(
        self,
        session_scope: SessionScope,
        Notification: type,
        Preference: type | None,
        transport: SmtpTransport,
        *,
        service: str,
        retry_base: float = 30.0,
        retry_max: float = 3600.0,
        max_attempts: int = 40,
        poll_interval: float = 2.0,
        batch_size: int = 100,
        redact_after_send: tuple[str, ...] = (),
    ):
        self.session_scope = session_scope
        self.Notification, self.Preference = Notification, Preference
        self.transport = transport
        self.service = service
        self.retry_base, self.retry_max, self.max_attempts = retry_base, retry_max, max_attempts
        self.poll_interval, self.batch_size = poll_interval, batch_size
        self.redact_after_send = tuple(redact_after_send)

    def run_once(self) -> SendRound:
        """Deliver up to batch_size due notifications; stop early when the server is unreachable."""
        result = SendRound()
        try:
            for _ in range(self.batch_size):
                if not self._one(result):
                    break
        finally:
            self.transport.close()
        if result.handled:
            log.info(
                "notify round: sent %s, skipped %s, retrying %s, failed %s%s",
                result.sent,
                result.skipped,
                result.retrying,
                result.failed,
                f" (stopped: {result.unavailable})" if result.unavailable else "",
            )
        return result

    def _one(self, result: SendRound) -> bool:
        M = self.Notification
        with self.session_scope() as session:
            row = session.scalars(
                sa.select(M)
                .where(M.state == PENDING, M.next_attempt_at <= utcnow())
                .order_by(M.next_attempt_at, M.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                session.rollback()
                return False
            prefs = (
                session.get(self.Preference, row.recipient) if (self.Preference and row.recipient) else None
            )
            if not allowed(row.kind, row.essential, prefs):
                row.state, row.last_error = SKIPPED, "turned off by the recipient"
                session.commit()
                result.skipped += 1
                return True
            row.attempts += 1
            try:
                self.transport.send(build_message(row, self.transport.config.mail_from, self.service))
            except SmtpUnavailable as exc:
                self._retry(row, str(exc), result)
                session.commit()
                result.unavailable = str(exc)[:200]
                return False
            except SmtpRefused as exc:
                if exc.permanent:
                    row.state, row.last_error = FAILED, str(exc)[:500]
                    result.failed += 1
                    log.warning("notification %s refused for good: %s", row.id, exc)
                else:
                    self._retry(row, str(exc), result)
                session.commit()
                return True
            row.state, row.sent_at, row.last_error = SENT, utcnow(), None
            if row.kind in self.redact_after_send:  # the secret lives on only in the recipient's mailbox
                row.text_body = row.html_body = REDACTED
            session.commit()
            result.sent += 1
            return True

    def _retry(self, row: Any, error: str, result: SendRound) -> None:
        row.last_error = error[:500]
        if row.attempts >= self.max_attempts:
            row.state = FAILED
            result.failed += 1
            log.error("notification %s failed after %s attempts: %s", row.id, row.attempts, error)
            return
        delay = delay_for(row.attempts, self.retry_base, self.retry_max)
        row.next_attempt_at = utcnow() + timedelta(seconds=delay)
        result.retrying += 1
        log.warning(
            "notification %s not delivered (attempt %s), retry in %.0f s: %s",
            row.id,
            row.attempts,
            delay,
            error,
        )

    def run_forever(self, stop: threading.Event) -> None:
        """Send until `stop` is set; an SMTP or database outage only pauses it."""
        backoff = Backoff(1.0, 60.0)
        log.info("notify sender started: %s", self.transport.config.describe())
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception as exc:  # database down, or a bug: log it, keep the sender alive
                delay = backoff.next()
                log.warning("notify round failed (%s: %s); again in %.1f s", type(exc).__name__, exc, delay)
                stop.wait(delay)
                continue
            if result.unavailable:
                stop.wait(backoff.next())
                continue
            backoff.reset()
            if result.handled < self.batch_size:
                stop.wait(self.poll_interval)
        log.info("notify sender stopped")


def make_sender(app: Any, wiring: Any, transport: SmtpTransport | None = None) -> Sender:
    cfg = app.config
    return Sender(
        flask_session_scope(app, wiring.db),
        wiring.Notification,
        wiring.Preference,
        transport or SmtpTransport(SmtpConfig.from_mapping(cfg)),
        service=wiring.service,
        retry_base=float(cfg["NOTIFY_RETRY_BASE_SECONDS"]),
        retry_max=float(cfg["NOTIFY_RETRY_MAX_SECONDS"]),
        max_attempts=int(cfg["NOTIFY_MAX_ATTEMPTS"]),
        poll_interval=float(cfg["NOTIFY_POLL_SECONDS"]),
        batch_size=int(cfg["NOTIFY_BATCH_SIZE"]),
        redact_after_send=wiring.redact_after_send,
    )
