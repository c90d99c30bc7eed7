"""Each organisation's record of processing is complete: `flask dp register` (run as the
real command, per service) exits 0, lists the personal tables, and names a lawful basis and
retention for every personal field."""

import json
import os
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLASK = os.path.join(os.path.dirname(sys.executable), "flask")
EXPECTED = {
    "training": {"people", "audit_events"},
    "cic_tracker": {"cases", "audit_events"},
    "gateway": {"users", "audit_events"},
}


@pytest.mark.parametrize("app", sorted(EXPECTED))
def test_dp_register_passes(app, tmp_path):
    env = {**os.environ, "IMATTER_VAR_DIR": str(tmp_path)}
    for key in ("DATABASE_URL", "TRAINING_DATABASE_URL", "CIC_DATABASE_URL", "GATEWAY_DATABASE_URL"):
        env.pop(key, None)
    r = subprocess.run(
        [FLASK, "--app", app, "dp", "register", "--format", "json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    record = json.loads(r.stdout)
    assert record["problems"] == []
    tables = {t["table"]: t for t in record["tables"]}
    assert EXPECTED[app] <= set(tables)
    for t in record["tables"]:
        for f in t["fields"]:
            assert f["purpose"] and f["lawful_basis"] and f["retention"], (t["table"], f)
