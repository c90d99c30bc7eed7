"""Helpers for tests that need the real PostgreSQL and RabbitMQ on 127.0.0.1.

With REQUIRE_SERVICES=1 a missing service fails the test; without it the test skips
with a clear reason. Nothing here mocks a service: each helper opens a real connection.
"""

from __future__ import annotations

import os
import socket
import uuid

import pytest

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AMQP_TEST_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def _missing(what: str, why: str):
    msg = f"{what} not reachable ({why}); start it or unset REQUIRE_SERVICES to skip"
    if services_required():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def create_postgres_database(prefix: str = "imatter_test") -> str:
    """Create a fresh, uniquely named PostgreSQL database and return its SQLAlchemy URL.

    Each test session gets its own database so parallel runs never share state.
    Call drop_postgres_database(url) when done.
    """
    if not _port_open("127.0.0.1", 5432):
        _missing("PostgreSQL at 127.0.0.1:5432", "port closed")
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            # A test database needs PostgreSQL's locking and isolation, not durability across a
            # power cut: commits don't wait for the WAL flush (the same server, a cheaper commit).
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        _missing("PostgreSQL", str(exc).splitlines()[0])
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    import sqlalchemy as sa

    name = url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def require_amqp() -> str:
    """Return the AMQP URL of the real RabbitMQ, after checking it answers."""
    if not _port_open("127.0.0.1", 5672):
        _missing("RabbitMQ at 127.0.0.1:5672", "port closed")
    import pika

    try:
        conn = pika.BlockingConnection(pika.URLParameters(AMQP_TEST_URL))
        conn.close()
    except Exception as exc:  # pragma: no cover - depends on the machine
        _missing("RabbitMQ", repr(exc))
    return AMQP_TEST_URL


def unique_exchange(prefix: str = "imatter.test") -> str:
    """An exchange name no other test run uses, so runs on one broker never mix."""
    return f"{prefix}.{uuid.uuid4().hex[:10]}"


# -- tokens for service-level tests ----------------------------------------------------------


class KeyPair:
    """An RSA key pair made for one test session (the gateway's real key never leaves it)."""

    def __init__(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key = key  # signing with the loaded key: PyJWT would parse the PEM (~0.1 s) per token
        self.private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.public = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def token(
        self,
        user_id: str | None = None,
        email: str | None = None,
        roles=("learner",),
        name: str = "Test User",
        ttl: int = 600,
        email_verified: bool = True,
        **overrides,
    ) -> str:
        """A hop token as the gateway forwards it to a service (audience imatter-services)."""
        import time

        import jwt

        now = int(time.time())
        user_id = user_id or uuid.uuid4().hex
        claims = {
            "iss": "imatter-gateway",
            "aud": "imatter-services",
            "sub": user_id,
            "email": email or f"{user_id[:8]}@example.org",
            "name": name,
            "roles": list(roles),
            "email_verified": email_verified,
            "ver": 1,
            "iat": now,
            "nbf": now,
            "exp": now + ttl,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return jwt.encode(claims, self._key, algorithm="RS256")

    def headers(self, **kw) -> dict:
        return {"Authorization": "Bearer " + self.token(**kw)}


def truncate_all(db) -> None:
    """Empty every table of a Flask-SQLAlchemy db between tests (fast on both engines)."""
    import sqlalchemy as sa

    tables = list(reversed(db.metadata.sorted_tables))
    if not tables:
        return
    # One statement finds the tables a test wrote to (a test touches a handful of the ~40);
    # only those are emptied. TRUNCATE of every table cost 0.1-0.25 s per PostgreSQL test.
    probe = " UNION ALL ".join(
        f'SELECT {i} WHERE EXISTS (SELECT 1 FROM "{t.name}")' for i, t in enumerate(tables)
    )
    used = [tables[i] for (i,) in db.session.execute(sa.text(probe)).all()]
    if used and db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in used)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for t in used:
            db.session.execute(t.delete())
    db.session.commit()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request, tmp_path_factory):
    """Every integration test of a service runs twice: on a SQLite file and on a fresh PostgreSQL
    database (REQUIRE_SERVICES=1 makes the latter mandatory). Import it into a conftest."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def simultaneously(app, n: int, call) -> list:
    """`call(client, i)` on n threads at once, each with its own Flask test client, released
    together by a barrier: how the race tests fire 20 requests at one limit. The responses, in
    i order; a request that did not finish fails the test."""
    import threading

    from flask.testing import FlaskClient

    barrier, out = threading.Barrier(n), [None] * n

    def run(i):
        client = FlaskClient(app, app.response_class)
        barrier.wait(timeout=30)
        out[i] = call(client, i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert all(r is not None for r in out), "a simultaneous request did not finish"
    return out


def simultaneous_results(app, n: int, call) -> list[tuple[int, object]]:
    """As `simultaneously`, as (status, JSON body) pairs."""
    return [(r.status_code, r.get_json(silent=True)) for r in simultaneously(app, n, call)]
