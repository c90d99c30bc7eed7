"""Start the whole system as real processes (gunicorn, relays, consumers) for e2e tests.

Each Stack has its own var directory (SQLite files, keys, embedded event store) and free
ports, so stacks never share state. Optionally PostgreSQL databases and RabbitMQ with a
unique exchange and queues.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
APPS = {"training": "training", "cic": "cic_tracker", "gateway": "gateway"}


def _name_of(app: str) -> str:
    return next(name for name, module in APPS.items() if module == app)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_group(proc: subprocess.Popen) -> None:
    """Stop a process started with start_new_session, and its children: TERM, then KILL."""
    stop_groups([proc])


def stop_groups(procs: list[subprocess.Popen]) -> None:
    """stop_group for several at once: every group is sent TERM first, then each is waited for (a
    service takes a second or two to shut down; one after the other that adds up), KILL after 10 s."""
    alive = []
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            alive.append(proc)
        except ProcessLookupError:
            proc.wait(timeout=5)
    deadline = time.monotonic() + 10
    for proc in alive:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)


class Stack:
    def __init__(
        self,
        *,
        amqp_url: str | None = None,
        database_urls: dict | None = None,
        workers: int = 1,
        consumers: bool = True,
        extra_env: dict | None = None,
    ):
        self.var = tempfile.mkdtemp(prefix="imatter-stack-")
        self.ports = {name: free_port() for name in APPS}
        self.procs: dict[str, subprocess.Popen] = {}
        self.workers = workers
        self.consumers = consumers
        self.admin_password = "Staff-pass-" + uuid.uuid4().hex[:8]
        suffix = uuid.uuid4().hex[:8]
        self.env = {
            **os.environ,
            "IMATTER_VAR_DIR": self.var,
            "IMATTER_ADMIN_PASSWORD": self.admin_password,
            "TRAINING_URL": f"http://127.0.0.1:{self.ports['training']}",
            "CIC_URL": f"http://127.0.0.1:{self.ports['cic']}",
            "PYTHONUNBUFFERED": "1",
            "EVENTS_RELAY_INTERVAL": "0.1",
        }
        for key in (
            "AMQP_URL",
            "TRAINING_DATABASE_URL",
            "CIC_DATABASE_URL",
            "GATEWAY_DATABASE_URL",
            "DATABASE_URL",
        ):
            self.env.pop(key, None)
        if amqp_url:
            self.env["AMQP_URL"] = amqp_url
            self.env["EVENTS_EXCHANGE"] = f"imatter.test.{suffix}"
            self.queue_suffix = suffix
        self.database_urls = database_urls or {}
        self.env.update({f"{k.upper()}_DATABASE_URL": v for k, v in self.database_urls.items()})
        self.env.update(extra_env or {})

    # -- helpers -------------------------------------------------------------------------
    def url(self, name: str = "gateway") -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def log_path(self, name: str) -> str:
        return os.path.join(self.var, f"{name}.log")

    def _env_for(self, name: str) -> dict:
        env = dict(self.env)
        if "AMQP_URL" in env:
            env["EVENTS_QUEUE"] = (
                f"{'training' if name.startswith('training') else 'cic-tracker'}.events.{self.queue_suffix}"
            )
        return env

    def flask(self, app: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [os.path.join(BIN, "flask"), "--app", app, *args],
            cwd=REPO,
            env=self._env_for(_name_of(app)),
            capture_output=True,
            text=True,
            check=check,
            timeout=300,
        )

    def flask_steps(self, steps: list[tuple[str, ...]]) -> subprocess.CompletedProcess:
        """`flask --app APP ARGS...` for each (APP, *ARGS) in one process (support/flask_steps.py):
        the same commands as self.flask, each with its service's environment, one import each."""
        plan = []
        for app, *args in steps:
            env = self._env_for(_name_of(app))
            plan.append([app, {k: v for k, v in env.items() if self.env.get(k) != v}, args])
        return subprocess.run(
            [sys.executable, os.path.join(REPO, "tests", "support", "flask_steps.py"), json.dumps(plan)],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )

    def prepare(self) -> None:
        """Migrate and seed every service (`flask db upgrade`, `flask seed --demo`), in one process."""
        self.flask_steps(
            [step for app in APPS.values() for step in ((app, "db", "upgrade"), (app, "seed", "--demo"))]
        )

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.log_path(name), "ab")
        self.procs[name] = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self._env_for(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def gateway_database_url(self) -> str:
        return self.database_urls.get("gateway") or "sqlite:///" + os.path.join(self.var, "gateway.db")

    def emailed_token(self, email: str, kind: str = "email_verification") -> str:
        """The token in the newest email of `kind` queued for `email` (no mailer runs in a test
        stack: the gateway's email outbox holds the message as it would be sent)."""
        import re

        import sqlalchemy as sa

        engine = sa.create_engine(self.gateway_database_url())
        try:
            with engine.connect() as conn:
                body = conn.execute(
                    sa.text(
                        "SELECT text_body FROM notifications WHERE kind = :kind AND to_email = :email "
                        "ORDER BY id DESC LIMIT 1"
                    ),
                    {"kind": kind, "email": email.lower()},
                ).scalar()
        finally:
            engine.dispose()
        assert body, f"no {kind} email for {email}"
        return re.search(r"token=([A-Za-z0-9_\-]+)", body).group(1)

    def hop_token(self, client_token: str, ttl: int = 3600) -> str:
        """What the gateway forwards for `client_token` (a hop token, audience imatter-services),
        signed with this stack's gateway key: for measuring a service directly, without the hop.
        The claims are the client token's own (roles and verification as at sign-in)."""
        import time

        import jwt

        claims = jwt.decode(client_token, options={"verify_signature": False})
        now = int(time.time())
        claims.update(aud="imatter-services", iat=now, nbf=now, exp=now + ttl)
        with open(os.path.join(self.var, "keys", "jwt_private.pem"), encoding="ascii") as fh:
            return jwt.encode(claims, fh.read(), algorithm="RS256")

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> Stack:
        self.prepare()
        for name in APPS:
            self.start_web(name)
        if self.consumers:
            for name, app in (("training", "training"), ("cic", "cic_tracker")):
                self._spawn(f"{name}_relay", [os.path.join(BIN, "flask"), "--app", app, "events", "relay"])
                self._spawn(
                    f"{name}_consumer", [os.path.join(BIN, "flask"), "--app", app, "events", "consume"]
                )
        for name in APPS:
            self.wait_healthy(name)
        return self

    def start_web(self, name: str) -> None:
        # --reuse-port: each gthread worker gets its own listening socket and the kernel spreads
        # connections over them; without it one worker can hold every keep-alive connection
        # (bench/read_path.py saw the bare route swing between 2,600 and 7,600 req/s).
        self._spawn(
            name,
            [
                os.path.join(BIN, "gunicorn"),
                "--no-control-socket",
                "--reuse-port",
                "--workers",
                str(self.workers),
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{self.ports[name]}",
                "--graceful-timeout",
                "2",
                f"{APPS[name]}:create_app()",
            ],
        )

    def wait_healthy(self, name: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.read_log(name)[-3000:]}")
            try:
                if requests.get(self.url(name) + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{name} not healthy in {timeout}s:\n{self.read_log(name)[-3000:]}")

    def stop_process(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc is not None:
            stop_group(proc)

    def read_log(self, name: str) -> str:
        try:
            with open(self.log_path(name), encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        stop_groups([self.procs.pop(name) for name in list(self.procs)])

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.var, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()
