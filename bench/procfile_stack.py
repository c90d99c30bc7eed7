"""The `make run` topology for the memory benchmark: every line of the repository's Procfile started
as its own process group, as honcho starts them, but on free ports and in a Stack's own var
directory (so it never collides with a `make run` on the same machine, or with another stack).

Only the ports and the mail catcher's port are rewritten; the commands, worker counts and flags are
the Procfile's own, so what is measured is what `make run` starts.
"""

from __future__ import annotations

import os
import re
import time
from email import policy
from email.parser import BytesParser

from .common import REPO, Stack, free_port

PROCFILE = os.path.join(REPO, "Procfile")
# the Procfile's fixed ports -> the Stack's service names
WEB_PORTS = {"8000": "gateway", "8001": "training", "8002": "cic"}
MAIL_PORT = "1025"


def procfile_lines(path: str = PROCFILE) -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, _, command = line.partition(":")
            out.append((name.strip(), command.strip()))
    return out


class ProcfileStack(Stack):
    """Stack whose processes are the Procfile's (web, workers, mailers, mail catcher, schedulers)."""

    def __init__(self, **kw):
        super().__init__(consumers=False, **kw)
        self.mail_port = free_port()
        self.env["SMTP_PORT"] = str(self.mail_port)
        self.env["SMTP_HOST"] = "127.0.0.1"

    def command(self, command: str) -> str:
        for fixed, name in WEB_PORTS.items():
            command = re.sub(rf"127\.0\.0\.1:{fixed}\b", f"127.0.0.1:{self.ports[name]}", command)
        command = re.sub(rf"--port {MAIL_PORT}\b", f"--port {self.mail_port}", command)
        return command.replace("var/mail", os.path.join(self.var, "mail"))

    def emailed_token(self, email: str, kind: str = "email_verification") -> str:
        """The Procfile runs the mailers, which redact a sent token from the outbox: read it from
        the mail catcher's files instead (the newest message to `email` that carries one)."""
        folder = os.path.join(self.var, "mail")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            names = sorted(os.listdir(folder), reverse=True) if os.path.isdir(folder) else []
            for name in names:
                with open(os.path.join(folder, name), "rb") as fh:
                    msg = BytesParser(policy=policy.default).parse(fh)
                if email.lower() not in str(msg["To"]).lower():
                    continue
                text = msg.get_body(preferencelist=("plain",)).get_content()
                found = re.search(r"token=([A-Za-z0-9_\-]+)", text)
                if found:
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no {kind} email for {email} in {folder}")

    def start(self) -> ProcfileStack:
        self.prepare()  # `flask db upgrade` and `flask seed --demo` of each service, in one process
        for name, command in procfile_lines():
            # honcho runs each line with a shell, so does this (the scheduler lines are shell loops)
            self._spawn(name, ["/bin/sh", "-c", self.command(command)])
        for name in ("gateway", "training", "cic"):
            self.wait_healthy(name, timeout=120)  # three apps importing at once on a shared machine
        return self
