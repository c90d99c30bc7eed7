"""The drill's own PostgreSQL cluster and RabbitMQ node (decision 0048).

A drill stops the broker and restarts the database. Done to the machine's shared PostgreSQL and
RabbitMQ, that would break every other test running at the same time, so by default the drill
starts a private PostgreSQL cluster (initdb in a temp directory, a free port) and a private
RabbitMQ node (own node name, ports and data directory) and injects those faults there only.
Both need root (to run them as the `postgres` and `rabbitmq` users) and the Debian binaries;
`Shared` uses the machine's own (pg_ctlcluster, rabbitmqctl) for a dedicated drill machine.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import uuid

from support.stack import free_port


def _run(argv: list[str], timeout: float = 120) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=True).stdout


def _as(user: str, command: str, timeout: float = 120) -> str:
    return _run(["su", user, "-s", "/bin/bash", "-c", command], timeout)


def private_possible() -> str | None:
    """None when a private cluster and node can be started here, else why not."""
    if os.geteuid() != 0:
        return "needs root (runs PostgreSQL and RabbitMQ as their own users)"
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "no PostgreSQL server binaries"
    if shutil.which("rabbitmq-server") is None or shutil.which("rabbitmqctl") is None:
        return "no rabbitmq-server"
    return None


class Private:
    """A PostgreSQL cluster and a RabbitMQ node of the drill's own, in one temp directory."""

    kind = "private"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="imatter-drill-infra-")
        os.chmod(self.dir, 0o755)
        self.pg_bin = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.pg_port, self.amqp_port, self.dist_port = free_port(), free_port(), free_port()
        self.node = f"imatter-drill-{uuid.uuid4().hex[:8]}@localhost"
        self.vhost = "/"
        self.pgdata = os.path.join(self.dir, "pg")
        self.mq = os.path.join(self.dir, "mq")

    # -- PostgreSQL ---------------------------------------------------------------------------
    def _pg_ctl(self, action: str) -> None:
        opts = f"-p {self.pg_port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300"
        _as(
            "postgres",
            f"{self.pg_bin}/pg_ctl -D {self.pgdata} -w -t 60 -m fast -l {self.dir}/pg.log "
            f"-o '{opts}' {action}",
        )

    def pg_restart(self) -> None:
        self._pg_ctl("restart")

    @property
    def pg_admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/postgres"

    # -- RabbitMQ -----------------------------------------------------------------------------
    def _mq_env(self) -> str:
        env = {
            "RABBITMQ_CONF_ENV_FILE": f"{self.mq}/env.conf",
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_CONFIG_FILE": f"{self.mq}/rabbitmq.conf",
            "RABBITMQ_MNESIA_BASE": f"{self.mq}/mnesia",
            "RABBITMQ_LOG_BASE": f"{self.mq}/log",
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{self.mq}/enabled_plugins",
        }
        return " ".join(f"{k}={v}" for k, v in env.items())

    def ctl(self, *args: str, timeout: float = 120) -> str:
        return _run(["rabbitmqctl", "-n", self.node, *args], timeout)

    def broker_stop(self) -> None:
        self.ctl("stop_app")

    def broker_start(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "60")

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/%2F"

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> Private:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> Private:
        os.makedirs(self.mq)
        with open(f"{self.mq}/rabbitmq.conf", "w") as fh:
            fh.write(f"listeners.tcp.local = 127.0.0.1:{self.amqp_port}\nloopback_users = none\n")
        with open(f"{self.mq}/env.conf", "w") as fh:
            fh.write("ERL_EPMD_ADDRESS=127.0.0.1\n")
        with open(f"{self.mq}/enabled_plugins", "w") as fh:
            fh.write("[].\n")
        shutil.chown(self.mq, "rabbitmq")
        for name in os.listdir(self.mq):
            shutil.chown(os.path.join(self.mq, name), "rabbitmq")
        # the node runs in the foreground of its own session: `-detached` dies with su's session
        self.mq_proc = subprocess.Popen(
            ["su", "rabbitmq", "-s", "/bin/bash", "-c", f"export {self._mq_env()}; exec rabbitmq-server"],
            stdout=open(os.path.join(self.dir, "mq.out"), "ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        shutil.chown(self.dir, "postgres")
        _as("postgres", f"{self.pg_bin}/initdb -D {self.pgdata} -A trust -U postgres --no-sync >/dev/null")
        self._pg_ctl("start")
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ctl("await_startup", "--timeout", "60", timeout=70)
                break
            except subprocess.CalledProcessError:  # not registered with epmd yet
                if time.monotonic() > deadline or self.mq_proc.poll() is not None:
                    raise
                time.sleep(0.3)
        return self

    def stop(self) -> None:
        # throwaway data: no graceful shutdown (a RabbitMQ node takes seconds to stop cleanly)
        try:
            _as("postgres", f"{self.pg_bin}/pg_ctl -D {self.pgdata} -w -m immediate stop")
        except (subprocess.SubprocessError, OSError):
            pass
        # the node (beam.smp) leaves su's process group: kill it by its pid file, then the rest
        try:
            with open(f"{self.mq}/mnesia/{self.node}.pid", encoding="ascii") as fh:
                os.kill(int(fh.read().strip()), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        proc = getattr(self, "mq_proc", None)
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


class Shared:
    """The machine's PostgreSQL and RabbitMQ: a fresh vhost, fresh databases. broker_stop and
    pg_restart hit everyone on the machine: only for a machine given to the drill."""

    kind = "shared"

    def __init__(self, pg_cluster: str = "15 main"):
        from support import testing

        self.pg_cluster = pg_cluster.split()
        self.pg_admin_url = testing.PG_ADMIN_URL.rsplit("/", 1)[0] + "/postgres"
        self.vhost = f"imatter_drill_{uuid.uuid4().hex[:10]}"
        base = testing.require_amqp()
        self.amqp_url = base.rsplit("/", 1)[0] + "/" + urllib.parse.quote(self.vhost, safe="")

    def ctl(self, *args: str, timeout: float = 120) -> str:
        return _run(["rabbitmqctl", *args], timeout)

    def start(self) -> Shared:
        self.ctl("add_vhost", self.vhost)
        self.ctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        return self

    def broker_stop(self) -> None:
        self.ctl("stop_app")

    def broker_start(self) -> None:
        self.ctl("start_app")
        self.ctl("await_startup", "--timeout", "60")

    def pg_restart(self) -> None:
        _run(["pg_ctlcluster", *self.pg_cluster, "restart"])

    def stop(self) -> None:
        try:
            self.ctl("delete_vhost", self.vhost)
        except (subprocess.SubprocessError, OSError):
            pass


def close_connections(infra, reason: str = "drill") -> None:
    """Close every client connection of the drill's vhost (never another vhost's)."""
    infra.ctl("close_all_connections", "-p", infra.vhost, reason)


def create_database(admin_url: str, name: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        engine.dispose()
