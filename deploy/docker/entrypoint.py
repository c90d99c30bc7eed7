#!/usr/bin/env python3
"""Container entrypoint of the I Matter services (one image per service, this script in each).

    imatter-entrypoint web        wait for the database, migrate (MIGRATE_ON_START=1), load reference
                                  data (SEED_ON_START=1), demo data (DEMO_ON_START=1, trials only),
                                  then exec gunicorn on 0.0.0.0:$PORT
    imatter-entrypoint relay      wait for the database, exec `flask events relay`
    imatter-entrypoint consume    wait for the database, exec `flask events consume`
    imatter-entrypoint mailer     wait for the database, exec `flask notify send` (the email outbox's
                                  SMTP sender; SMTP_* and MAIL_FROM from the environment)
    imatter-entrypoint migrate    wait for the database, `flask db upgrade`, exit (Kubernetes Job)
    imatter-entrypoint seed       wait for the database, load the reference data, exit: training and
                                  cic-tracker `flask catalogue load`, the gateway `flask seed` (staff
                                  accounts); never demo data
    imatter-entrypoint demo       wait for the database, `flask seed --demo` (fictional demo data, for a
                                  trial installation only), exit
    imatter-entrypoint schedule   wait for the database, exec `flask schedule run`: the service's
                                  housekeeping jobs (licence expiry, retention, pruning, reminders)
                                  on their intervals, run only by the replica holding the service's
                                  scheduler lock (imatter_shared.scheduler); `schedule --once` runs
                                  each job once and exits (3: another replica leads)
    imatter-entrypoint keys       create the gateway's JWT key pair once (gateway image), or
                                  training's credential signing key (CREDENTIALS_KEY_FILE) once
                                  (training image; the trial compose file's one-off step)
                                  and a random /metrics token in MAKE_METRICS_TOKEN_FILE once when it
                                  is set (the development compose file: no secret file to make)
    imatter-entrypoint probe PATH exit 0 when http://127.0.0.1:$PORT/PATH answers 2xx (health checks)
    imatter-entrypoint CMD...     anything else: exec CMD with the secrets loaded (e.g. `flask events status`)

Which service: $IMATTER_APP (training | cic_tracker | gateway), set by each Dockerfile.

Secrets: for each variable in SECRET_VARIABLES, `<NAME>_FILE` names a file holding its value
(Docker/Kubernetes secrets); a value set directly wins. JWT_PRIVATE_KEY_FILE and
JWT_PUBLIC_KEY_FILE are not in the list: they already are paths the services read themselves
(and re-read when the file changes, which is how a rotated key reaches a running service).
`PGPASSWORD_FILE` lets the database URL carry no password (libpq reads PGPASSWORD).

Written in Python, not shell: the image has no shell tools worth relying on (python:3.11-slim),
and the same code waits for PostgreSQL through the service's own configuration.
"""

from __future__ import annotations

import importlib
import logging
import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request

SECRET_VARIABLES = (
    "DATABASE_URL",
    "TRAINING_DATABASE_URL",
    "CIC_DATABASE_URL",
    "GATEWAY_DATABASE_URL",
    "AMQP_URL",
    "IMATTER_ADMIN_PASSWORD",
    "GATEWAY_SECRET_KEY",
    "PGPASSWORD",
    "SMTP_USERNAME",
    "SMTP_PASSWORD",  # the relay's login: the mailer containers only
    "METRICS_TOKEN",  # the bearer token Prometheus presents to /metrics (decision 0044)
)
APPS = ("training", "cic_tracker", "gateway")
SERVICE_NAMES = {"training": "training", "cic_tracker": "cic-tracker", "gateway": "gateway"}
# what `seed` (and SEED_ON_START) runs: reference data only; demo data only by `demo`
REFERENCE_DATA = {
    "training": ("catalogue", "load"),
    "cic_tracker": ("catalogue", "load"),
    "gateway": ("seed",),  # the staff accounts, with IMATTER_ADMIN_PASSWORD
}
# Any constant both sides agree on: all starting replicas of one service queue on it, so one
# runs the migration and the others find it done (Alembic itself takes no lock).
MIGRATION_LOCK_KEY = 0x1A77E5

log = logging.getLogger("imatter-entrypoint")


class EntrypointError(RuntimeError):
    pass


def load_secrets(environ: dict) -> list[str]:
    """Fill NAME from the file named by NAME_FILE; returns the names loaded."""
    loaded = []
    for name in SECRET_VARIABLES:
        path = environ.get(f"{name}_FILE")
        if not path or environ.get(name):
            continue
        try:
            with open(path, encoding="utf-8") as fh:
                environ[name] = fh.read().strip()
        except OSError as exc:
            raise EntrypointError(f"{name}_FILE={path}: {exc.strerror}") from None
        loaded.append(name)
    return loaded


def app_name(environ: dict) -> str:
    app = environ.get("IMATTER_APP", "")
    if app not in APPS:
        raise EntrypointError(f"IMATTER_APP must be one of {', '.join(APPS)} (got {app!r})")
    return app


def database_url(app: str) -> str:
    """The URL the service itself will use (same precedence as its Config)."""
    config = importlib.import_module(f"{app}.config")
    return config.Config().SQLALCHEMY_DATABASE_URI


def wait_for_database(url: str, timeout: float) -> None:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return
    engine = sa.create_engine(url, pool_pre_ping=False)
    deadline = time.monotonic() + timeout
    delay = 0.5
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(sa.text("SELECT 1"))
                return
            except sa.exc.OperationalError as exc:
                if time.monotonic() >= deadline:
                    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
                    raise EntrypointError(f"database not reachable after {timeout:.0f} s: {reason}") from None
                log.info("waiting for the database (%s)", type(exc.orig).__name__ if exc.orig else "error")
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
    finally:
        engine.dispose()


def flask(app: str, *args: str) -> list[str]:
    return ["flask", "--app", app, *args]


def run(argv: list[str]) -> None:
    log.info("running: %s", shlex.join(argv))
    result = subprocess.run(argv)
    if result.returncode != 0:
        raise EntrypointError(f"{shlex.join(argv)} exited with {result.returncode}")


def migrate(app: str, url: str) -> None:
    """`flask db upgrade`, serialised across replicas by a PostgreSQL advisory lock."""
    import sqlalchemy as sa

    if not url.startswith("postgresql"):
        run(flask(app, "db", "upgrade"))
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                run(flask(app, "db", "upgrade"))
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()


def gunicorn_argv(app: str, environ: dict) -> list[str]:
    # --no-control-socket: gunicorn 27's control socket path is shared by every instance on a host.
    # --reuse-port: without it one gthread worker can end up holding every keep-alive connection.
    # No gunicorn access log: the app writes one JSON line per request itself.
    # imatter_shared.gunicorn_conf: gunicorn's own lines in the same JSON, and the metrics of every
    # worker added up in one scrape (PROMETHEUS_MULTIPROC_DIR under IMATTER_VAR_DIR).
    # More flags (TLS, limits): GUNICORN_CMD_ARGS, which gunicorn reads itself.
    argv = [
        "gunicorn",
        "-c",
        "python:imatter_shared.gunicorn_conf",
        "--no-control-socket",
        "--reuse-port",
        "--bind",
        f"0.0.0.0:{environ.get('PORT', '8000')}",
        "--workers",
        environ.get("WEB_WORKERS", "2"),
        "--threads",
        environ.get("WEB_THREADS", "4"),
        "--timeout",
        environ.get("WEB_TIMEOUT", "60"),
        "--graceful-timeout",
        environ.get("WEB_GRACEFUL_TIMEOUT", "20"),
    ]
    if environ.get("FORWARDED_ALLOW_IPS"):
        # behind the TLS-terminating proxy: trust its X-Forwarded-* (scheme https, client address)
        argv += ["--forwarded-allow-ips", environ["FORWARDED_ALLOW_IPS"]]
    return argv + [f"{app}:create_app()"]


def probe(path: str, environ: dict) -> int:
    url = f"http://127.0.0.1:{environ.get('PORT', '8000')}/{path.lstrip('/')}"
    try:
        with urllib.request.urlopen(url, timeout=float(environ.get("PROBE_TIMEOUT", "3"))) as resp:
            return 0 if 200 <= resp.status < 300 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"probe {url}: {exc}", file=sys.stderr)
        return 1


def ensure_keys(app: str, environ: dict) -> None:
    if app == "training":
        # the one key every training web replica signs credentials with (decision 0052)
        from training.services.issuer_keys import make_key_file

        path = environ.get("CREDENTIALS_KEY_FILE")
        if not path:
            raise EntrypointError("keys needs CREDENTIALS_KEY_FILE (training's credential signing key)")
        make_key_file(path)
        log.info("credential signing key present: %s", path)
        return
    from gateway.keys import ensure_keypair

    private, public = environ.get("JWT_PRIVATE_KEY_FILE"), environ.get("JWT_PUBLIC_KEY_FILE")
    if not private or not public:
        raise EntrypointError("keys needs JWT_PRIVATE_KEY_FILE and JWT_PUBLIC_KEY_FILE")
    ensure_keypair(private, public)
    log.info("JWT key pair present: %s (private), %s (public)", private, public)
    token_file = environ.get("MAKE_METRICS_TOKEN_FILE")
    if token_file:
        ensure_token_file(token_file)
        log.info("metrics token present: %s", token_file)


def ensure_token_file(path: str) -> None:
    """A random token written once (never replaced): the gateway reads it as METRICS_TOKEN_FILE."""
    import secrets

    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)  # Prometheus' user may differ
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(32) + "\n")


def main(argv: list[str], environ=os.environ) -> int:
    # the one JSON line format of every process (decision 0045); imported here, not at the top,
    # so that `probe`, run every few seconds by the health checks, stays quick when it logs nothing
    from imatter_shared.jsonlog import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(SERVICE_NAMES.get(environ.get("IMATTER_APP", ""))))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    command, args = (argv[0], argv[1:]) if argv else ("web", [])
    try:
        loaded = load_secrets(environ)
        if loaded:
            log.info("secrets read from files: %s", ", ".join(loaded))
        if command == "probe":
            return probe(args[0] if args else "/healthz", environ)
        app = app_name(environ)
        timeout = float(environ.get("DB_WAIT_SECONDS", "90"))
        if command == "keys":
            ensure_keys(app, environ)
            return 0
        if command in ("web", "relay", "consume", "mailer", "schedule", "migrate", "seed", "demo"):
            url = database_url(app)
            wait_for_database(url, timeout)
            if command == "migrate" or (command == "web" and environ.get("MIGRATE_ON_START", "1") == "1"):
                migrate(app, url)
            if command == "seed" or (command == "web" and environ.get("SEED_ON_START", "0") == "1"):
                run(flask(app, *REFERENCE_DATA[app]))
            if command == "demo" or (command == "web" and environ.get("DEMO_ON_START", "0") == "1"):
                run(flask(app, "seed", "--demo"))
            if command in ("migrate", "seed", "demo"):
                return 0
            if command == "web":
                target = gunicorn_argv(app, environ)
            elif command == "mailer":
                # several replicas are safe: each row is claimed FOR UPDATE SKIP LOCKED
                target = flask(app, "notify", "send")
            elif command == "schedule":
                # the jobs are the service's own (its cli.SCHEDULE); several replicas are safe:
                # one leads (PostgreSQL advisory lock), the others stand by to take over
                target = flask(app, "schedule", "run", *args)
            else:
                target = flask(app, "events", command)
        else:
            target = [command, *args]
    except EntrypointError as exc:
        log.error("%s", exc)
        return 1
    log.info("exec: %s", shlex.join(target))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp(target[0], target)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
