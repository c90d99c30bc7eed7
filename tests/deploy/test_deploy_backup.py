"""The backup scripts and the restore drill, run for real on the local PostgreSQL: a service's
database migrated and seeded, dumped by deploy/backup/backup.sh, restored by restore-drill.sh into
a fresh database on which the service starts (/readyz 200) with the same rows as the original."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
import sqlalchemy as sa

from support import testing as t

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(REPO, "deploy", "backup")
FLASK_STEPS = os.path.join(REPO, "tests", "support", "flask_steps.py")
URL_VARS = {"training": "TRAINING_DATABASE_URL", "cic_tracker": "CIC_DATABASE_URL"}


def _migrate_and_seed(service, url, var_dir):
    """`flask db upgrade` and `flask seed --demo`, in one process (support/flask_steps.py)."""
    env = {**os.environ, URL_VARS[service]: url, "IMATTER_VAR_DIR": str(var_dir)}
    env.pop("AMQP_URL", None)  # the embedded transport: seeding publishes nothing to a broker
    steps = [[service, {}, ["db", "upgrade"]], [service, {}, ["seed", "--demo"]]]
    subprocess.run(
        [sys.executable, FLASK_STEPS, json.dumps(steps)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )


def _counts(url) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables}
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", ["training", "cic_tracker"])
def test_a_dump_restores_into_a_fresh_database_the_service_starts_on(service, tmp_path):
    url = t.create_postgres_database("imatter_backup")
    try:
        _migrate_and_seed(service, url, tmp_path)
        original = _counts(url)
        assert sum(original.values()) > 0  # the seed wrote rows to compare

        backups = tmp_path / "backups"
        out = subprocess.run(
            [os.path.join(SCRIPTS, "backup.sh"), url, str(backups), "30"],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout.strip()
        assert out.startswith(str(backups)) and out.endswith(".dump") and os.path.getsize(out) > 0
        assert oct(os.stat(out).st_mode & 0o777) == "0o600"  # a dump of personal data is private
        assert not list(backups.glob("*.partial"))

        env = {**os.environ, "IMATTER_VAR_DIR": str(tmp_path), "PYTHON": sys.executable}
        env.pop("AMQP_URL", None)
        drill = subprocess.run(
            [os.path.join(SCRIPTS, "restore-drill.sh"), out, t.PG_ADMIN_URL, service, "--keep"],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        assert drill.returncode == 0, drill.stderr[-2000:]
        assert f"{service} /readyz: 200" in drill.stdout and "restore drill passed" in drill.stdout
        restored_url = re.search(r"drill database: (\S+)", drill.stdout).group(1)
        try:
            assert _counts(restored_url) == original
        finally:
            t.drop_postgres_database(restored_url)
    finally:
        t.drop_postgres_database(url)


def test_the_drill_fails_loudly_on_a_broken_dump(tmp_path):
    t.drop_postgres_database(t.create_postgres_database("imatter_backup"))  # PostgreSQL is there
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"not a pg_dump archive")
    drill = subprocess.run(
        [os.path.join(SCRIPTS, "restore-drill.sh"), str(broken), t.PG_ADMIN_URL, "training"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHON": sys.executable},
    )
    assert drill.returncode != 0 and "restore drill passed" not in drill.stdout
