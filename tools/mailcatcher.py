#!/usr/bin/env python3
"""A local SMTP catcher for development (`make run` starts it): accepts every message on
127.0.0.1 and writes each one, as received, to <dir>/<UTC timestamp>-<id>.eml. Open the files
with any mail reader or a text editor. Nothing is relayed anywhere.

    .venv/bin/python tools/mailcatcher.py --port 1025 --dir var/mail

A message it cannot write (disk full) is answered with a 451 so the sender retries it; the
catcher itself keeps going until SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime

from aiosmtpd.controller import Controller


class MaildirHandler:
    def __init__(self, directory: str):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)

    async def handle_DATA(self, server, session, envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = os.path.join(self.directory, f"{stamp}-{uuid.uuid4().hex[:8]}.eml")
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8")
        header = (
            f"X-Catcher-Mail-From: {envelope.mail_from}\r\n"
            f"X-Catcher-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        try:
            tmp = path + ".tmp"
            with open(tmp, "wb") as fh:
                fh.write(header + data)
            os.replace(tmp, path)  # a reader never sees half a message
        except OSError as exc:
            print(f"mailcatcher: could not write {path}: {exc}", file=sys.stderr, flush=True)
            return "451 Requested action aborted: local error in processing"
        print(f"mailcatcher: {envelope.mail_from} -> {', '.join(envelope.rcpt_tos)}: {path}", flush=True)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default=os.path.join("var", "mail"))
    args = parser.parse_args(argv)
    controller = Controller(MaildirHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    print(
        f"mailcatcher: listening on {args.host}:{args.port}, writing to {os.path.abspath(args.dir)}",
        flush=True,
    )
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(stop.wait())
    finally:
        controller.stop()
        loop.close()
    print("mailcatcher: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
