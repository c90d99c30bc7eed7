"""The system under drill: the three services, both relays and both consumers as real processes
(support.stack.Stack) on the drill's databases and broker, plus what a drill does to them
(SIGKILL and restart) and what it samples (memory, connections, heartbeats)."""

from __future__ import annotations

import os
import signal
import time

import sqlalchemy as sa

from drills import infra as infra_mod
from support.stack import APPS, BIN, Stack

LOOPS = ("training_relay", "cic_relay", "training_consumer", "cic_consumer")
WEB = ("gateway", "training", "cic")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class DrillStack(Stack):
    def __init__(self, infrastructure, **kw):
        self.infra = infrastructure
        self.argv: dict[str, list[str]] = {}
        suffix = os.urandom(4).hex()
        urls = {
            name: infra_mod.create_database(infrastructure.pg_admin_url, f"imatter_drill_{name}_{suffix}")
            for name in ("training", "cic", "gateway")
        }
        extra = {
            "RATE_LIMIT_REGISTER": "off",  # the workload signs up hundreds of accounts from one address
            "RATE_LIMIT_LOGIN_IP": "off",
        }
        super().__init__(database_urls=urls, amqp_url=infrastructure.amqp_url, extra_env=extra, **kw)
        self.env["IMATTER_HEARTBEAT_DIR"] = os.path.join(self.var, "heartbeat")

    def start(self) -> DrillStack:
        """As Stack.start, with the three databases migrated and seeded side by side."""
        from concurrent.futures import ThreadPoolExecutor

        def prepare(app: str) -> None:
            self.flask(app, "db", "upgrade")
            self.flask(app, "seed", "--demo")

        with ThreadPoolExecutor(3) as pool:
            list(pool.map(prepare, APPS.values()))
        for name in APPS:
            self.start_web(name)
        for name, app in (("training", "training"), ("cic", "cic_tracker")):
            self._spawn(f"{name}_relay", [os.path.join(BIN, "flask"), "--app", app, "events", "relay"])
            self._spawn(f"{name}_consumer", [os.path.join(BIN, "flask"), "--app", app, "events", "consume"])
        for name in APPS:
            self.wait_healthy(name)
        return self

    def _spawn(self, name: str, argv: list[str]) -> None:
        self.argv[name] = argv
        super()._spawn(name, argv)

    def queue(self, service: str) -> str:
        """The queue the consumer of `training` or `cic-tracker` reads."""
        return f"{service}.events.{self.queue_suffix}"

    # -- faults ---------------------------------------------------------------------------------
    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """SIGKILL a process the drill started (its whole group: a gunicorn master and workers)."""
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def restart(self, name: str) -> None:
        self._spawn(name, self.argv[name])
        if name in WEB:
            self.wait_healthy(name, timeout=60)

    def web_workers(self, name: str) -> list[int]:
        """The gunicorn worker pids of a service (children of its master)."""
        return _children(self.procs[name].pid)

    # -- samples --------------------------------------------------------------------------------
    def rss_mib(self) -> dict[str, float]:
        out = {}
        for name, proc in self.procs.items():
            pids, todo = [], [proc.pid]
            while todo:
                pid = todo.pop()
                pids.append(pid)
                todo.extend(_children(pid))
            out[name] = round(sum(_rss_kib(p) for p in pids) / 1024, 1)
        return out

    def pg_connections(self) -> int:
        names = [u.rsplit("/", 1)[1] for u in self.database_urls.values()]
        engine = sa.create_engine(self.infra.pg_admin_url)
        try:
            with engine.connect() as conn:
                return conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = ANY(:names)"),
                    {"names": names},
                ).scalar()
        finally:
            engine.dispose()

    def amqp_connections(self) -> int:
        out = self.infra.ctl("list_connections", "-p", self.infra.vhost, "name", "--no-table-headers", "-q")
        return len([line for line in out.splitlines() if line.strip()])

    def heartbeat_ages(self) -> dict[str, float | None]:
        """Age in seconds of each loop process's heartbeat file (the relays' and consumers')."""
        from imatter_shared import heartbeat

        return {name: heartbeat.age(self.heartbeat_path(name)) for name in LOOPS}

    def heartbeat_path(self, name: str) -> str:
        # each loop process writes <dir>/<process>/relay or .../consumer
        return os.path.join(self.env["IMATTER_HEARTBEAT_DIR"], name, name.split("_")[1])

    def _env_for(self, name: str) -> dict:
        env = super()._env_for(name)
        if name in LOOPS:
            env["IMATTER_HEARTBEAT_DIR"] = os.path.join(self.env["IMATTER_HEARTBEAT_DIR"], name)
        return env

    def wait_heartbeats_fresh(self, max_age: float = 5, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ages = self.heartbeat_ages()
            if all(a is not None and a <= max_age for a in ages.values()):
                return
            time.sleep(0.2)
        raise AssertionError(f"stale heartbeats: {self.heartbeat_ages()}")

    def logs(self) -> str:
        chunks = []
        for entry in sorted(os.listdir(self.var)):
            if entry.endswith(".log"):
                chunks.append(self.read_log(entry[:-4]))
        return "\n".join(chunks)

    def drop_databases(self) -> None:
        for url in self.database_urls.values():
            try:
                infra_mod.drop_database(self.infra.pg_admin_url, url)
            except Exception:  # the infra may be gone already
                pass
