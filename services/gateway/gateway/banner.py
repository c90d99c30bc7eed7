"""The first screen of `make run`: once every service answers /readyz, one banner saying where the
portal is, who to sign in as, how to get the password and where caught email lands.

    .venv/bin/python -m gateway.banner          (the Procfile's `banner` entry)

It waits (polling each service's /readyz, as long as it takes: gunicorn needs a few seconds),
prints the banner once, then sleeps until honcho stops it: honcho stops every process when one
exits, so the banner must not exit (`--once` does, for a script). It imports no app and opens
no database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable

from imatter_shared.config import var_dir

from .cli import STAFF

PORTAL = "http://127.0.0.1:8000"
SERVICES = {"gateway": PORTAL, "training": "http://127.0.0.1:8001", "cic": "http://127.0.0.1:8002"}
RESET = "flask --app gateway staff reset-password"


def ready(base_url: str, timeout: float = 2.0) -> bool:
    """True when GET <base_url>/readyz answers 200."""
    try:
        with urllib.request.urlopen(base_url.rstrip("/") + "/readyz", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_until_ready(
    urls: Iterable[str],
    deadline: float | None = None,
    interval: float = 1.0,
    check: Callable[[str], bool] = ready,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Poll until every URL is ready; returns those still not ready when `deadline` (seconds
    from now; None: no limit) passes, so [] means all answered."""
    waiting = list(urls)
    end = None if deadline is None else clock() + deadline
    while True:
        waiting = [u for u in waiting if not check(u)]
        if not waiting or (end is not None and clock() >= end):
            return waiting
        sleep(interval)


def banner_text(
    portal: str = PORTAL,
    staff: Iterable[str] = tuple(email for email, _n, _r in STAFF),  # a tuple: a default is made once
    mail_dir: str | None = None,
    password_set: bool = False,
) -> str:
    mail_dir = mail_dir or os.path.join(os.path.relpath(var_dir()), "mail")
    password = (
        "the one in IMATTER_ADMIN_PASSWORD"
        if password_set
        else "printed once, when the first `make run` created the accounts"
    )
    width = 78
    lines = [
        "I Matter is running.",
        "",
        f"  Portal:       {portal}",
        f"  API:          {portal}/api/v1  (reference: {portal}/api/docs)",
        "  Staff:        " + "\n                ".join(staff),
        f"  Password:     {password}",
        f"                forgotten? .venv/bin/{RESET}",
        "                (prints a new one; add --password to choose it)",
        f"  Caught email: {mail_dir}/*.eml  (nothing is sent anywhere; open with a text editor)",
        "",
        "Press Ctrl+C to stop everything.",
    ]
    rule = "=" * width
    return "\n".join([rule, *lines, rule])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--once", action="store_true", help="exit after printing (not under honcho)")
    args = parser.parse_args(argv)
    not_ready = wait_until_ready(SERVICES.values(), args.timeout, args.interval)
    if not_ready:
        print("banner: not ready yet: " + ", ".join(not_ready), file=sys.stderr, flush=True)
        return 1
    print(banner_text(password_set=bool(os.environ.get("IMATTER_ADMIN_PASSWORD"))), flush=True)
    while not args.once:
        time.sleep(3600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
