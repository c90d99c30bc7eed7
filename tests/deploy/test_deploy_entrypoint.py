"""The container entrypoint (deploy/docker/entrypoint.py), run as a real process on this machine
the way each image runs it: secrets from files, waiting for the database, migrations serialised
across replicas on PostgreSQL, gunicorn exec'd in place, the scheduler role. The commands that stop
before they exec anything (a refusal, `keys`) run its main() in the test's own process."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from support.testing import create_postgres_database, drop_postgres_database

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENTRYPOINT = os.path.join(REPO, "deploy", "docker", "entrypoint.py")
BIN = os.path.dirname(sys.executable)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(tmp_path, app: str = "gateway", **extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith(("DATABASE_URL", "DATABASE_URL_FILE")) and k not in ("AMQP_URL", "PGPASSWORD")
    }
    env.update(
        PATH=BIN + os.pathsep + env.get("PATH", ""),
        IMATTER_APP=app,
        IMATTER_VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
        DB_WAIT_SECONDS="20",
    )
    env.update(extra)
    return env


def entrypoint(env: dict, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, ENTRYPOINT, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def in_process(monkeypatch, capsys):
    """entrypoint.main(ARGS) in this process, with `env` as the whole environment (the service's
    Config reads os.environ): for the commands that stop before they exec anything, which would
    otherwise each pay a process start-up and an import of the service. -> (exit code, stderr)."""
    spec = importlib.util.spec_from_file_location("imatter_entrypoint", ENTRYPOINT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def call(env: dict, *args: str) -> tuple[int, str]:
        for name in list(os.environ):
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = module.main(list(args), os.environ)
        return code, capsys.readouterr().err

    return call


@pytest.fixture
def pg_url():
    url = create_postgres_database("imatter_deploy")
    yield url
    drop_postgres_database(url)


def test_a_secret_file_fills_its_variable_and_a_direct_value_wins(tmp_path):
    (tmp_path / "amqp").write_text("amqp://svc:from-file@broker:5672/imatter\n")
    (tmp_path / "pw").write_text("s3cret\n")
    show = ["python", "-c", "import os; print(os.environ['AMQP_URL']); print(os.environ['PGPASSWORD'])"]
    result = entrypoint(
        base_env(tmp_path, AMQP_URL_FILE=str(tmp_path / "amqp"), PGPASSWORD_FILE=str(tmp_path / "pw")), *show
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["amqp://svc:from-file@broker:5672/imatter", "s3cret"]

    direct = entrypoint(
        base_env(tmp_path, AMQP_URL="amqp://direct", AMQP_URL_FILE=str(tmp_path / "amqp"), PGPASSWORD="x"),
        *show,
    )
    assert direct.stdout.splitlines() == ["amqp://direct", "x"]


def test_a_missing_secret_file_stops_the_container_with_its_name(tmp_path):
    result = entrypoint(base_env(tmp_path, GATEWAY_SECRET_KEY_FILE=str(tmp_path / "absent")), "web")
    assert result.returncode == 1
    assert "GATEWAY_SECRET_KEY_FILE" in result.stderr


def test_the_key_paths_are_left_alone_for_the_service_to_read(tmp_path):
    """JWT_*_KEY_FILE are paths the services read themselves, not secrets to inline."""
    (tmp_path / "pub.pem").write_text("PEM")
    result = entrypoint(
        base_env(tmp_path, JWT_PUBLIC_KEY_FILE=str(tmp_path / "pub.pem")),
        "python",
        "-c",
        "import os; print(os.environ.get('JWT_PUBLIC_KEY_FILE'), os.environ.get('JWT_PUBLIC_KEY'))",
    )
    assert result.stdout.strip() == f"{tmp_path / 'pub.pem'} None"


def test_an_unknown_app_is_refused(tmp_path):
    result = entrypoint(base_env(tmp_path, app="billing"), "web")
    assert result.returncode == 1 and "IMATTER_APP" in result.stderr


def test_an_unreachable_database_fails_after_the_wait_with_the_reason(tmp_path, in_process):
    port = free_port()  # nothing listens there
    env = base_env(
        tmp_path,
        GATEWAY_DATABASE_URL=f"postgresql+psycopg://gateway@127.0.0.1:{port}/gateway",
        DB_WAIT_SECONDS="1",
    )
    code, stderr = in_process(env, "migrate")
    assert code == 1
    assert "database not reachable" in stderr


def test_replicas_starting_together_migrate_once_each_waiting_for_the_other(tmp_path, pg_url):
    """Two `migrate` at once on an empty PostgreSQL database: both succeed (the advisory lock
    makes the second find the schema in place instead of racing to create it)."""
    url_file = tmp_path / "db_url"
    url_file.write_text(pg_url)
    env = base_env(tmp_path, GATEWAY_DATABASE_URL_FILE=str(url_file))
    procs = [
        subprocess.Popen(
            [sys.executable, ENTRYPOINT, "migrate"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(outputs)
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
            tables = set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert len(versions) == 1
    assert "users" in tables
    assert sum("Running upgrade" in out for out in outputs) == 1, "exactly one replica ran the migration"


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def test_web_migrates_seeds_and_becomes_gunicorn_answering_readyz(tmp_path, pg_url):
    """... with two workers whose requests one scrape of /metrics adds up, and gunicorn's own
    lines in the JSON format of every other line (decisions 0044, 0045)."""
    port = free_port()
    (tmp_path / "admin").write_text("Deploy-test-pass-1")
    env = base_env(
        tmp_path,
        GATEWAY_DATABASE_URL=pg_url,
        PORT=str(port),
        SEED_ON_START="1",
        WEB_WORKERS="2",
        IMATTER_ADMIN_PASSWORD_FILE=str(tmp_path / "admin"),
        METRICS_TOKEN_FILE=str(tmp_path / "metrics_token"),  # the gateway's /metrics: its token only
    )
    (tmp_path / "metrics_token").write_text(METRICS_TOKEN + "\n")
    log = open(tmp_path / "web.log", "w")
    proc = subprocess.Popen(
        [sys.executable, ENTRYPOINT, "web"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and not _ready(port):
            time.sleep(0.1)
        assert entrypoint(env, "probe", "/readyz", timeout=30).returncode == 0, (
            tmp_path / "web.log"
        ).read_text()[-3000:]
        # exec, not a child: the container's main process is gunicorn itself (signals reach it)
        cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read().split(b"\0")
        assert any(part.endswith(b"gunicorn") for part in cmdline), cmdline
        assert b"--no-control-socket" in cmdline
        assert entrypoint(env, "probe", "/no-such-page").returncode == 1
        # seeded on start with the password from the file (argon2 hash of exactly that password)
        from argon2 import PasswordHasher

        engine = sa.create_engine(pg_url)
        try:
            with engine.connect() as conn:
                hashes = dict(conn.execute(sa.text("SELECT email, password_hash FROM users")).all())
        finally:
            engine.dispose()
        assert {"training-admin@imatter.local", "cic-admin@imatter.local"} <= set(hashes)
        assert PasswordHasher().verify(hashes["cic-admin@imatter.local"], "Deploy-test-pass-1")
        assert_metrics_add_up_both_workers(port, tmp_path / "var" / "prometheus", proc.pid)
        log.flush()
        lines = (tmp_path / "web.log").read_text().splitlines()
        booted = [json.loads(x) for x in lines if x.startswith("{") and "Booting worker" in x]
        assert len(booted) == 2 and all(b["service"] == "gateway" and b["level"] == "info" for b in booted)
        assert not [x for x in lines if x.startswith("[20")], "gunicorn's plain-text format is gone"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


METRICS_TOKEN = "deploy-test-metrics-token-0123456789abcdef"


def assert_metrics_add_up_both_workers(port: int, prometheus_dir, master_pid: int) -> None:
    """Each request on a new connection: the kernel spreads them over both workers
    (--reuse-port), and a scrape answered by either one counts all of them."""
    url = f"http://127.0.0.1:{port}"
    n = 24
    for _ in range(n):
        with urllib.request.urlopen(url + "/.well-known/jwks.json", timeout=10) as r:
            assert r.status == 200
    scrape = urllib.request.Request(url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    with urllib.request.urlopen(scrape, timeout=10) as r:
        text = r.read().decode()
    counted = {
        (s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "imatter_http_requests_total"
    }
    assert counted[("/.well-known/jwks.json", "200")] == n, counted
    files = sorted(p.name for p in (prometheus_dir / f"gunicorn-{master_pid}").iterdir())
    assert len([f for f in files if f.startswith("counter_")]) == 2, files  # one per worker


@pytest.mark.parametrize("app", ["training", "cic_tracker", "gateway"])
def test_the_schedule_role_execs_the_services_own_scheduler(app, tmp_path):
    """One way to schedule: the role is `flask schedule run` (the service's jobs, under its leader
    lock), with the role's arguments passed on; no list of commands of the entrypoint's own. A
    `flask` stand-in first on PATH records what the entrypoint execs."""
    fake = tmp_path / "bin" / "flask"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\necho "exec: $*"\n')
    fake.chmod(0o755)
    url_var = {"training": "TRAINING_DATABASE_URL", "cic_tracker": "CIC_DATABASE_URL"}.get(
        app, "GATEWAY_DATABASE_URL"
    )
    env = base_env(tmp_path, app, **{url_var: f"sqlite:///{tmp_path / 'db.sqlite'}"})
    env["PATH"] = f"{fake.parent}{os.pathsep}{env['PATH']}"
    env["SCHEDULE_COMMANDS"] = "licences expire"  # the old twin loop's setting: ignored now
    result = entrypoint(env, "schedule")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"exec: --app {app} schedule run"
    result = entrypoint(env, "schedule", "--once")
    assert result.stdout.strip() == f"exec: --app {app} schedule run --once"


def test_keys_creates_the_pair_once_in_two_places(tmp_path, in_process):
    private, public = tmp_path / "private" / "jwt.pem", tmp_path / "public" / "jwt.pub"
    env = base_env(tmp_path, JWT_PRIVATE_KEY_FILE=str(private), JWT_PUBLIC_KEY_FILE=str(public))
    assert in_process(env, "keys")[0] == 0
    first = public.read_text()
    assert "PUBLIC KEY" in first and "PRIVATE KEY" in private.read_text()
    assert oct(private.stat().st_mode & 0o777) == "0o600"
    assert in_process(env, "keys")[0] == 0
    assert public.read_text() == first, "a second run keeps the existing pair"


def test_keys_in_the_training_image_makes_the_credential_signing_key_once(tmp_path, in_process):
    """The trial compose file's one-off step (docker-compose.yml `training-keys`): the one key every
    training web replica then reads; a second run keeps it (decision 0052)."""
    key = tmp_path / "credentials-key" / "credentials_issuer.pem"
    env = base_env(tmp_path, "training", CREDENTIALS_KEY_FILE=str(key))
    assert in_process(env, "keys")[0] == 0
    first = key.read_bytes()
    assert b"PRIVATE KEY" in first and oct(key.stat().st_mode & 0o777) == "0o600"
    assert in_process(env, "keys")[0] == 0
    assert key.read_bytes() == first, "a second run keeps the existing key"
    env.pop("CREDENTIALS_KEY_FILE")
    assert in_process(env, "keys")[0] == 1


def test_keys_writes_the_development_metrics_token_once(tmp_path, in_process):
    token = tmp_path / "metrics" / "metrics_token"
    env = base_env(
        tmp_path,
        JWT_PRIVATE_KEY_FILE=str(tmp_path / "jwt.pem"),
        JWT_PUBLIC_KEY_FILE=str(tmp_path / "jwt.pub"),
        MAKE_METRICS_TOKEN_FILE=str(token),
    )
    assert in_process(env, "keys")[0] == 0
    first = token.read_text()
    assert len(first.strip()) >= 40, "a random token of 32 bytes"
    assert in_process(env, "keys")[0] == 0
    assert token.read_text() == first, "a second run keeps the token Prometheus already has"


# -- mailer: `flask notify send` -------------------------------------------------------------------


def test_the_smtp_login_is_read_from_secret_files(tmp_path):
    (tmp_path / "user").write_text("relay-user\n")
    (tmp_path / "pw").write_text("relay-pass\n")
    result = entrypoint(
        base_env(
            tmp_path, SMTP_USERNAME_FILE=str(tmp_path / "user"), SMTP_PASSWORD_FILE=str(tmp_path / "pw")
        ),
        "python",
        "-c",
        "import os; print(os.environ['SMTP_USERNAME'], os.environ['SMTP_PASSWORD'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "relay-user relay-pass"


def test_a_mailer_with_a_bad_tls_setting_stops_with_its_name(tmp_path):
    env = base_env(tmp_path, GATEWAY_DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}", SMTP_TLS="tls")
    result = entrypoint(env, "mailer")
    assert result.returncode != 0
    assert "SMTP_TLS" in result.stderr


def test_the_mailer_becomes_notify_send_and_delivers_the_outbox(tmp_path, pg_url):
    """A password reset asked for through the gateway's API lands in its outbox; the mailer
    container's command (waiting for PostgreSQL, no broker, no signing key) delivers it to a real
    SMTP server, marks it sent, and stops cleanly on SIGTERM."""
    from flask_migrate import upgrade

    from gateway import create_app
    from gateway.extensions import db
    from support.smtp import SmtpCatcher

    keys = tmp_path / "keys"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": pg_url,
            "TESTING": True,
            "JWT_PRIVATE_KEY_FILE": str(keys / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(keys / "public.pem"),
            "PORTAL_URL": "https://portal.example",
        }
    )
    with app.app_context():
        upgrade()  # what `migrate` runs (test_replicas_... runs it through the entrypoint)
        client = app.test_client()
        assert (
            client.post(
                "/api/v1/auth/register",
                json={
                    "email": "mailer.fictional@example.org",
                    "password": "correct horse 42 battery",
                    "name": "Mailer Fictional",
                },
            ).status_code
            == 201
        )
        assert (
            client.post(
                "/api/v1/auth/password-reset", json={"email": "mailer.fictional@example.org"}
            ).status_code
            == 202
        )
        db.engine.dispose()

    catcher = SmtpCatcher().start()
    env = base_env(
        tmp_path,
        GATEWAY_DATABASE_URL=pg_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(catcher.port),
        SMTP_TLS="none",
        MAIL_FROM="I Matter <no-reply@imatter.example>",
        NOTIFY_POLL_SECONDS="0.2",
    )
    log = open(tmp_path / "mailer.log", "w")
    proc = subprocess.Popen(
        [sys.executable, ENTRYPOINT, "mailer"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    engine = sa.create_engine(pg_url)
    try:
        deadline = time.monotonic() + 90
        state = None
        while time.monotonic() < deadline and proc.poll() is None:
            with engine.connect() as conn:
                state = conn.execute(
                    sa.text("SELECT state FROM notifications WHERE kind = 'password_reset'")
                ).scalar()
            if state == "sent" and len(catcher.messages) == 2:
                break
            time.sleep(0.2)
        assert state == "sent", (tmp_path / "mailer.log").read_text()[-3000:]
        (msg,) = [
            m for m in catcher.messages if "password" in m["Subject"]
        ]  # the other: sign-up's verification
        assert msg["To"] == "mailer.fictional@example.org"
        assert "no-reply@imatter.example" in msg["From"]
        assert "https://portal.example/" in msg.get_body(("plain",)).get_content()
        # exec, not a child: the container's main process is `flask notify send` itself
        cmdline = open(f"/proc/{proc.pid}/cmdline", "rb").read().split(b"\0")
        assert b"notify" in cmdline and b"send" in cmdline, cmdline
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, (tmp_path / "mailer.log").read_text()[-3000:]
    finally:
        engine.dispose()
        catcher.stop()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
