"""Fixtures of the event-backbone tests: two stand-in services (training, cic-tracker),
each on its own real database (SQLite file or a fresh PostgreSQL database), talking over
the embedded transport or the real RabbitMQ. Nothing here mocks the broker or the DB.

RabbitMQ tests run in a virtual host of their own (created with rabbitmqctl when it is
available) and with unique exchange/queue names, so they never touch other runs; the
connection-drop test closes only the connections of that virtual host.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from imatter_events_helpers import can_rabbitmqctl, rabbitmqctl  # noqa: E402
from imatter_events_testapp import Service, make_service  # noqa: E402

from support.testing import (  # noqa: E402
    create_postgres_database,
    drop_postgres_database,
    require_amqp,
    unique_exchange,
)

# ---- real services ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def amqp_vhost() -> Iterator[tuple[str, str | None]]:
    """(AMQP URL, vhost we own or None). A private vhost when rabbitmqctl works."""
    base = require_amqp()
    if not can_rabbitmqctl():
        yield base, None
        return
    vhost = f"imatter_test_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield base.rsplit("/", 1)[0] + "/" + urllib.parse.quote(vhost, safe=""), vhost
    finally:
        try:
            rabbitmqctl("await_startup", timeout=60)
            rabbitmqctl("delete_vhost", vhost)
        except subprocess.SubprocessError:
            pass


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=["embedded", "amqp"])
def transport_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def _dropper() -> Iterator[ThreadPoolExecutor]:
    """Drops used PostgreSQL databases in the background while later tests run."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-db") as pool:
        yield pool


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, tmp_path: Any, _dropper: ThreadPoolExecutor
) -> Iterator[Callable[..., str]]:
    """database_url(name, backend=None) -> a fresh, empty database; the backend defaults to
    the test's `backend` parameter."""
    made: list[str] = []

    def make(name: str, backend: str | None = None) -> str:
        backend = backend or request.getfixturevalue("backend")
        if backend == "sqlite":
            return f"sqlite:///{tmp_path}/{name}-{uuid.uuid4().hex[:6]}.db"
        url = create_postgres_database()
        made.append(url)
        return url

    yield make
    for url in made:
        _dropper.submit(drop_postgres_database, url)


@pytest.fixture
def bus_config(request: pytest.FixtureRequest, tmp_path: Any) -> Callable[[str], dict[str, Any]]:
    """bus_config(kind) -> config shared by both services for that transport."""

    def make(kind: str) -> dict[str, Any]:
        exchange = unique_exchange()
        if kind == "embedded":
            return {"EVENTS_EXCHANGE": exchange, "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db")}
        url, vhost = request.getfixturevalue("amqp_vhost")
        return {"AMQP_URL": url, "EVENTS_EXCHANGE": exchange, "_vhost": vhost}

    return make


@pytest.fixture
def make_pair(database_url: Callable[..., str], bus_config: Callable[[str], dict]) -> Iterator[Callable]:
    """make_pair(kind, backend=None, **config) -> Pair(training, cic); the backend defaults
    to the test's `backend` parameter."""
    pairs: list[Pair] = []

    def make(kind: str, backend: str | None = None, **extra: Any) -> Pair:
        bus = bus_config(kind)
        vhost = bus.pop("_vhost", None)
        services = []
        for name in ("training", "cic-tracker"):
            config = {**bus, "EVENTS_QUEUE": f"{bus['EVENTS_EXCHANGE']}.{name}", **extra}
            services.append(make_service(name, database_url(name, backend), config))
        pair = Pair(services[0], services[1], kind, vhost)
        pairs.append(pair)
        return pair

    yield make
    for pair in pairs:
        pair.cleanup()


class Pair:
    def __init__(self, training: Service, cic: Service, kind: str, vhost: str | None):
        self.training, self.cic, self.kind, self.vhost = training, cic, kind, vhost

    def cleanup(self) -> None:
        for service in (self.training, self.cic):
            if self.kind == "amqp":
                transport = service.consumer().transport
                try:
                    transport.delete_topology(service.app.config["EVENTS_QUEUE"])
                except Exception:
                    pass
            service.drop()


@pytest.fixture
def pair(make_pair: Callable, backend: str, transport_kind: str) -> Pair:
    """training + cic-tracker on every backend x transport combination."""
    return make_pair(transport_kind)
