"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, keeping each message.

    catcher = SmtpCatcher(); catcher.start()
    ... app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=catcher.port) ...
    catcher.messages -> [email.message.EmailMessage]
    catcher.stop(); ... outage ...; catcher.start()   # same port again

`refuse_rcpt` makes it answer RCPT TO for those addresses with 550 (a permanent refusal).
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, catcher: SmtpCatcher):
        self.catcher = catcher

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.catcher.refuse_rcpt:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        with self.catcher.lock:
            self.catcher.messages.append(msg)
        return "250 Message accepted for delivery"


class SmtpCatcher:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list = []
        self.refuse_rcpt: set[str] = set()
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> SmtpCatcher:
        for _ in range(50):  # the port may linger for a moment after stop()
            try:
                self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
                self._controller.start()
                return self
            except (OSError, RuntimeError):
                self._controller = None
                time.sleep(0.1)
        raise RuntimeError(f"could not listen on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def text_of(msg) -> str:
        """Every part of a message, headers included, as one string (for "never contains")."""
        parts = [str(msg)]
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)
