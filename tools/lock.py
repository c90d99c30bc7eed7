#!/usr/bin/env python3
"""Regenerate the lock files with pip-tools (`make lock`; README "Dependencies").

    requirements-dev.lock           what `make venv` installs: every service, the common package
                                    and the development tools (requirements-dev.in)
    services/<svc>/requirements.lock  what that service's image installs: its own and the common
                                    package's runtime dependencies, at the dev lock's versions

Every line is pinned with the hashes of every file the index offers for that version (wheels
for every platform), so `pip install --require-hashes` refuses anything else. Our own four
packages are inputs (pip-compile reads their pyproject.toml dependencies) but never lines of a
lock: they are installed from the checkout, with --no-deps, and are never looked up on an index.

    .venv/bin/python tools/lock.py                     keep what is locked, add what is new
    .venv/bin/python tools/lock.py --upgrade-package flask    move one package (repeatable)
    .venv/bin/python tools/lock.py --upgrade           move everything to the newest allowed
"""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = ("training", "cic-tracker", "gateway")
OURS = ("file:shared", *(f"file:services/{svc}" for svc in SERVICES))
DEV_LOCK = "requirements-dev.lock"
OPTIONS = [
    "--generate-hashes",
    "--allow-unsafe",  # pip and setuptools are locked too (setuptools builds our editable installs)
    "--strip-extras",
    "--no-emit-index-url",  # this machine's index settings are not the reader's
    "--no-emit-find-links",
    "--no-emit-trusted-host",
    "--quiet",
]


def without_our_packages(text: str) -> str:
    """Drop each `-e file:<our package>` entry with its warning and `# via` lines: pip refuses an
    editable requirement in --require-hashes mode, and our packages come from the checkout."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("-e ") and line[3:].strip() in OURS:
            while out and out[-1].startswith(("# WARNING: pip install will require", "# Consider using")):
                out.pop()
            skipping = True
            continue
        if skipping and line.startswith("    #"):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out) + "\n"


def compile_lock(source: str, output: str, extra: list[str]) -> None:
    env = {**os.environ, "CUSTOM_COMPILE_COMMAND": "make lock"}
    pip_compile = os.path.join(os.path.dirname(sys.executable), "pip-compile")
    subprocess.run([pip_compile, *OPTIONS, *extra, "-o", output, source], cwd=REPO, env=env, check=True)
    path = os.path.join(REPO, output)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(without_our_packages(text))
    # pip-compile's "may be rejected by pip install" warning is about those -e lines, gone now.
    print(f"lock: wrote {output} (without our own packages' -e lines)")


def main(argv: list[str]) -> int:
    compile_lock("requirements-dev.in", DEV_LOCK, argv)
    # The images follow the dev lock (its versions are what the tests ran), hence no --upgrade here.
    for svc in SERVICES:
        compile_lock(f"services/{svc}/requirements.in", f"services/{svc}/requirements.lock", [])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
