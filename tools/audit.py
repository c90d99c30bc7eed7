#!/usr/bin/env python3
"""`make audit` (part of `make test`): pip-audit over the lock, with three outcomes (decision 0046).

    audited, a known vulnerability   exit 1, each one listed with the versions that fix it
    audited, none known              exit 0
    NOT AUDITED                      the vulnerability service did not answer (offline, a mirror
                                     without the per-version JSON API, OSV unreachable): a loud
                                     warning naming what was not checked, and exit 0, unless
                                     AUDIT_STRICT=1 (a release pipeline with the network), exit 3

Anything else that goes wrong (an unreadable lock, pip-audit missing) fails: that is ours to fix.

    .venv/bin/python tools/audit.py [LOCK]        LOCK defaults to requirements-dev.lock
    AUDIT_SERVICE=osv                              pip-audit's other service (default pypi)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What pip-audit's traceback says when the service cannot be reached at all.
NETWORK_ERRORS = (
    "ConnectionError",
    "NameResolutionError",
    "Max retries exceeded",
    "ConnectTimeout",
    "ReadTimeout",
    "Temporary failure in name resolution",
)
NOT_AUDITED = 3


def run_pip_audit(lock: str, service: str) -> tuple[int, dict | None, str]:
    pip_audit = os.path.join(os.path.dirname(sys.executable), "pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "audit.json")
        argv = [pip_audit, "-r", lock, "--require-hashes", "--disable-pip", "--vulnerability-service"]
        argv += [service, "--format", "json", "--output", report, "--progress-spinner", "off"]
        result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=600)
        data = None
        if os.path.exists(report) and os.path.getsize(report):
            with open(report, encoding="utf-8") as fh:
                data = json.load(fh)
    return result.returncode, data, result.stderr


def verdict(returncode: int, data: dict | None, stderr: str, strict: bool) -> tuple[int, list[str]]:
    """(exit code, lines to print) for one pip-audit run."""
    if data is None:
        if any(marker in stderr for marker in NETWORK_ERRORS):
            last = stderr.strip().splitlines()[-1][:300] if stderr.strip() else ""
            return _not_audited(["every package"], f"the service is unreachable ({last})", strict)
        return 2, [f"pip-audit failed (exit {returncode}):", stderr.strip()[-2000:]]
    deps = data.get("dependencies", [])
    found = [
        f"  {d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v.get('fix_versions') or []) or 'no release yet'})"
        for d in deps
        for v in d.get("vulns") or []
    ]
    if found:
        return 1, ["pip-audit: known vulnerabilities in the lock:", *found]
    skipped = [d["name"] for d in deps if d.get("skip_reason")]
    if skipped:
        reason = next(d["skip_reason"] for d in deps if d.get("skip_reason"))
        return _not_audited(skipped, f"e.g. {reason}", strict, total=len(deps))
    return 0, [f"pip-audit: {len(deps)} packages, no known vulnerabilities"]


def _not_audited(names: list[str], why: str, strict: bool, total: int | None = None) -> tuple[int, list[str]]:
    count = f"{len(names)} of {total}" if total else names[0]
    shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
    lines = [
        "#" * 78,
        f"# pip-audit: NOT AUDITED: {count} packages could not be checked; {why}",
        f"#   not checked: {shown}",
        "#   No vulnerability is known to be absent. Run `make audit` where the service answers",
        "#   (AUDIT_STRICT=1 makes this a failure; docs/decisions/0046).",
        "#" * 78,
    ]
    return (NOT_AUDITED if strict else 0), lines


def main(argv: list[str]) -> int:
    lock = argv[0] if argv else "requirements-dev.lock"
    strict = os.environ.get("AUDIT_STRICT", "") not in ("", "0", "false", "no")
    returncode, data, stderr = run_pip_audit(lock, os.environ.get("AUDIT_SERVICE", "pypi"))
    code, lines = verdict(returncode, data, stderr, strict)
    loud = code or any("NOT AUDITED" in line for line in lines)
    print("\n".join(lines), file=sys.stderr if loud else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
