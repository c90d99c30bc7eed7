"""The ceilings: a bare Flask JSON route (reads) and a bare one-row insert (writes).

Started under exactly the gunicorn settings of the services (bench.common.gunicorn_argv), they are
the most a read or a write of this stack can reach on this machine; the benchmarks report every
figure as a ratio to them. No auth, no schema, no ORM objects: only what cannot be taken away.

CEILING_DATABASE_URL (optional) names the database of the write ceiling; SQLite gets the same
pragmas as the services (WAL, synchronous=NORMAL).
"""

import os
import uuid

import sqlalchemy as sa
from flask import Flask, jsonify

metadata = sa.MetaData()
rows = sa.Table(
    "ceiling_rows",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("body", sa.String(200), nullable=False),
)


def _engine():
    url = os.environ.get("CEILING_DATABASE_URL")
    if not url:
        return None
    engine = sa.create_engine(url, pool_pre_ping=True)
    if url.startswith("sqlite"):

        @sa.event.listens_for(engine, "connect")
        def pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

    return engine


def create_app() -> Flask:
    app = Flask(__name__)
    engine = _engine()

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/json")
    def bare_json():
        # a list-shaped body like the API's, small and constant
        return jsonify(
            items=[{"id": "x" * 32, "title": "A bare route", "price": 1000, "currency": "GBP"}],
            total=1,
            page=1,
            per_page=50,
        )

    @app.post("/insert")
    def bare_insert():
        row_id = uuid.uuid4().hex
        with engine.begin() as conn:
            conn.execute(rows.insert().values(id=row_id, body="one row, one commit"))
        return jsonify(id=row_id), 201

    return app


def prepare(url: str) -> None:
    """Create the ceiling table (run once, before gunicorn starts)."""
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
