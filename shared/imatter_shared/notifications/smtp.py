"""Delivery over SMTP, configured from the environment (through the service's Flask config):

| key | meaning | default |
|---|---|---|
| SMTP_HOST, SMTP_PORT | the mail server | 127.0.0.1, 1025 (the local catcher of `make run`) |
| SMTP_TLS | `starttls`, `ssl` (implicit TLS, usually port 465) or `none` | none |
| SMTP_USERNAME, SMTP_PASSWORD | credentials; no login when the username is empty | unset |
| SMTP_TIMEOUT | seconds for connect and each command | 15 |
| MAIL_FROM | the From address | "I Matter <no-reply@imatter.local>" |

A failure is either `SmtpUnavailable` (the server cannot be reached or would not take
anything: retry later, nothing is lost) or `SmtpRefused(permanent=...)` (this message was
refused; permanent when every recipient got a 5xx, as for an unknown mailbox).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

TLS_MODES = ("starttls", "ssl", "none")


class SmtpConfigError(ValueError):
    pass


class SmtpUnavailable(Exception):
    """The server is down, unreachable, or refused the session (auth, sender): retry later."""


class SmtpRefused(Exception):
    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "127.0.0.1"
    port: int = 1025
    tls: str = "none"
    username: str | None = None
    password: str | None = None
    timeout: float = 15.0
    mail_from: str = "I Matter <no-reply@imatter.local>"

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> SmtpConfig:
        tls = str(config.get("SMTP_TLS") or "none").lower()
        if tls not in TLS_MODES:
            raise SmtpConfigError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        try:
            port = int(config.get("SMTP_PORT") or (465 if tls == "ssl" else 1025))
            timeout = float(config.get("SMTP_TIMEOUT") or 15)
        except (TypeError, ValueError) as exc:
            raise SmtpConfigError(f"SMTP_PORT/SMTP_TIMEOUT: {exc}") from None
        mail_from = config.get("MAIL_FROM") or cls.mail_from
        if "@" not in parseaddr(mail_from)[1]:
            raise SmtpConfigError(f"MAIL_FROM is not an address: {mail_from!r}")
        return cls(
            host=config.get("SMTP_HOST") or "127.0.0.1",
            port=port,
            tls=tls,
            username=config.get("SMTP_USERNAME") or None,
            password=config.get("SMTP_PASSWORD") or None,
            timeout=timeout,
            mail_from=mail_from,
        )

    def describe(self) -> str:  # never the password
        who = f"{self.username}@" if self.username else ""
        return f"smtp://{who}{self.host}:{self.port} (tls={self.tls})"


class SmtpTransport:
    """One SMTP session reused across messages; reopened after the server dropped it."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self._conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        c = self.config
        try:
            if c.tls == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            conn.ehlo()
            if c.tls == "starttls":
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if c.username:
                conn.login(c.username, c.password or "")
        except (OSError, smtplib.SMTPException) as exc:  # refused, timeout, TLS, auth
            raise SmtpUnavailable(f"{c.describe()}: {type(exc).__name__}: {exc}"[:500]) from exc
        return conn

    def send(self, message: EmailMessage) -> None:
        """Returns only once the server accepted the message for its recipient."""
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._open()
            try:
                self._conn.send_message(message)
                return
            except smtplib.SMTPServerDisconnected as exc:
                self.close()  # a reused session the server closed meanwhile: one fresh try
                if attempt == 2:
                    raise SmtpUnavailable(f"disconnected: {exc}"[:500]) from exc
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                raise SmtpRefused(
                    f"recipient refused: {codes}", permanent=all(500 <= c < 600 for c in codes)
                ) from exc
            except smtplib.SMTPDataError as exc:
                raise SmtpRefused(
                    f"message refused: {exc.smtp_code} {exc.smtp_error!r}"[:500],
                    permanent=500 <= exc.smtp_code < 600,
                ) from exc
            except (smtplib.SMTPSenderRefused, smtplib.SMTPResponseException) as exc:
                self.close()
                raise SmtpUnavailable(f"session refused: {exc}"[:500]) from exc
            except (TimeoutError, OSError, smtplib.SMTPException) as exc:
                self.close()
                raise SmtpUnavailable(f"{type(exc).__name__}: {exc}"[:500]) from exc

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                try:
                    conn.close()
                except OSError:
                    pass
