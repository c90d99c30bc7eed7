"""The read-by-id ceiling: a bare Flask-SQLAlchemy + marshmallow GET of one row by primary key.

What a database read of this stack can reach at best on this machine (issue 18, P2): the same
framework pieces as the services (Flask-SQLAlchemy session, an ORM model, a marshmallow schema),
nothing else: no auth, no derived facts, one SELECT by primary key. Started by bench.common.Ceiling
under exactly the services' gunicorn flags; the organisation read is compared with it.

CEILING_DATABASE_URL names its database (SQLite gets the services' pragmas); `prepare(url)` makes
the table and ROWS organisation-like rows with ids `row_id(0)` ... before gunicorn starts.
"""

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, abort
from flask_sqlalchemy import SQLAlchemy
from marshmallow import Schema, fields

ROWS = 1000
db = SQLAlchemy()


class Item(db.Model):
    __tablename__ = "ceiling_organisations"
    id = sa.Column(sa.String(32), primary_key=True)
    name = sa.Column(sa.String(200), nullable=False)
    kind = sa.Column(sa.String(40), nullable=False)
    size_band = sa.Column(sa.String(40), nullable=False)
    link_contact_email = sa.Column(sa.String(254), nullable=True)
    senior_leadership_commitment = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, nullable=False)


class ItemOut(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    size_band = fields.String()
    link_contact_email = fields.String()
    senior_leadership_commitment = fields.Boolean()
    created_at = fields.DateTime()


def row_id(i: int) -> str:
    return f"{i:032x}"


def _pragmas(engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def pragmas(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
        cur.close()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["CEILING_DATABASE_URL"]
    db.init_app(app)
    schema = ItemOut()
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _pragmas(db.engine)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/organisations/<item_id>")
    def one(item_id):
        item = db.session.get(Item, item_id)
        if item is None:
            abort(404)
        return schema.dump(item)

    return app


def prepare(url: str) -> None:
    engine = sa.create_engine(url)
    Item.metadata.create_all(engine, tables=[Item.__table__])
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(sa.delete(Item.__table__))
        conn.execute(
            sa.insert(Item.__table__),
            [
                {
                    "id": row_id(i),
                    "name": f"Fictional Ceiling School {i}",
                    "kind": "school",
                    "size_band": "small",
                    "link_contact_email": f"link{i}@ceiling.example",
                    "senior_leadership_commitment": True,
                    "created_at": now,
                }
                for i in range(ROWS)
            ],
        )
    engine.dispose()
