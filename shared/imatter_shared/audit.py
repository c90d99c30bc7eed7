"""The audit trail: who read, exported, changed or erased which personal record, when and
from where. One append-only table per service (each organisation audits its own data).

    # models
    class AuditEvent(AuditMixin, db.Model):
        __tablename__ = "audit_events"

    # app factory, after the blueprints (imatter_shared.web.audit_api)
    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/training", roles=("training_admin",))

    # views
    audit.record("read", "person", person.id)

Append-only is enforced twice: in the application (mapper events refuse any UPDATE or
DELETE of a loaded row, and a listener on the service's own session refuses ORM bulk
update/delete of the model), and on PostgreSQL by a trigger installed with the table (by
`db.create_all`, through a listener on the model's table, and by the migrations, which call
`install_pg_guards` after upgrading), which refuses UPDATE always and DELETE unless the
retention job says so for its own transaction (`SET LOCAL imatter.audit_retention = 'on'`).

Rows hold ids, never names, emails or bodies: the trail must not itself become a second copy
of the personal data it watches.
"""

from __future__ import annotations

import getpass
import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from imatter_shared.timeutil import iso, naive_utcnow

log = logging.getLogger("imatter.audit")

ACTIONS = ("read", "export", "change", "erase", "refused")
RETENTION_GUC = "imatter.audit_retention"

# table names of every AuditMixin model: the PostgreSQL trigger is attached to these
APPEND_ONLY_TABLES: set[str] = set()
_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditAppendOnly(RuntimeError):
    """Someone tried to change or delete an audit row through the application."""


def _pii(category, purpose, retention):
    return {
        "pii": {
            "category": category,
            "purpose": purpose,
            "lawful_basis": "legal_obligation",
            "retention": retention,
        }
    }


_AUDIT_PURPOSE = "accountability: audit trail of access to personal records (UK GDPR art. 5(2), 32)"


class AuditMixin:
    id: Mapped[int] = mapped_column(_BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(
        sa.DateTime, nullable=False, default=naive_utcnow, index=True, info={"pii": False}
    )
    user_id: Mapped[str | None] = mapped_column(
        sa.String(64),
        nullable=True,
        index=True,
        info=_pii("account identifier", _AUDIT_PURPOSE, "6 years after at"),
    )
    action: Mapped[str] = mapped_column(sa.String(16), nullable=False, info={"pii": False})
    record_type: Mapped[str] = mapped_column(sa.String(60), nullable=False, info={"pii": False})
    record_id: Mapped[str] = mapped_column(
        sa.String(64),
        nullable=False,
        info=_pii("pseudonymous record identifier", _AUDIT_PURPOSE, "6 years after at"),
    )
    ip: Mapped[str | None] = mapped_column(
        sa.String(64), nullable=True, info=_pii("network identifier", _AUDIT_PURPOSE, "6 years after at")
    )
    request_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True, info={"pii": False})
    via: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="api", info={"pii": False})

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        name = cls.__dict__.get("__tablename__")
        if name:
            APPEND_ONLY_TABLES.add(name)
            sa.event.listen(cls, "before_update", _refuse_update)
            sa.event.listen(cls, "before_delete", _refuse_delete)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.Index(f"ix_{cls.__tablename__}_record", "record_type", "record_id"),)

    def to_dict(self) -> dict:
        return {
            "id": str(self.id),
            "at": iso(self.at),
            "user_id": self.user_id,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "ip": self.ip,
            "request_id": self.request_id,
            "via": self.via,
        }


def _refuse_update(mapper, connection, target):
    raise AuditAppendOnly("The audit trail is append-only: a row cannot be changed.")


def _refuse_delete(mapper, connection, target):
    raise AuditAppendOnly("The audit trail is append-only: a row cannot be deleted.")


def _refuse_bulk(state):
    """ORM bulk UPDATE/DELETE of an audit model skips mapper events; refuse those too.
    (Core statements on the bare Table stay possible for the retention job and test resets.)"""
    if not (state.is_update or state.is_delete) or not state.is_orm_statement:
        return
    for mapper in state.all_mappers:
        if issubclass(mapper.class_, AuditMixin):
            raise AuditAppendOnly("The audit trail is append-only: no bulk update or delete.")


# -- PostgreSQL guard ---------------------------------------------------------------------


def pg_guard_sql(table: str) -> list[str]:
    fn = f"{table}_append_only"
    return [
        f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND coalesce(current_setting('{RETENTION_GUC}', true), '') = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION USING MESSAGE = 'audit trail {table} is append-only (' || TG_OP || ' refused)';
END $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {fn} ON {table}",
        f"CREATE TRIGGER {fn} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {fn}()",
    ]


def _install_pg_guard(table, connection, **kw):
    if table.name in APPEND_ONLY_TABLES and connection.dialect.name == "postgresql":
        for stmt in pg_guard_sql(table.name):
            connection.exec_driver_sql(stmt)


def install_pg_guards(connection, metadata: sa.MetaData) -> None:
    """Install (again: the SQL is idempotent) the trigger on every append-only table of
    `metadata` that exists on `connection`: the migrations call it after an upgrade, since
    Alembic's op.create_table builds its own Table object that no listener of ours is on."""
    if connection.dialect.name != "postgresql":
        return
    present = set(sa.inspect(connection).get_table_names())
    for name in sorted(APPEND_ONLY_TABLES & set(metadata.tables) & present):
        for stmt in pg_guard_sql(name):
            connection.exec_driver_sql(stmt)


def allow_retention_delete(session_or_conn) -> None:
    """Let this transaction's DELETEs past the PostgreSQL guard (the retention job only)."""
    bind = session_or_conn.get_bind() if isinstance(session_or_conn, Session) else session_or_conn
    if bind.dialect.name == "postgresql":
        session_or_conn.execute(sa.text(f"SET LOCAL {RETENTION_GUC} = 'on'"))


# -- recording ----------------------------------------------------------------------------


def _state():
    state = current_app.extensions.get("imatter_audit")
    if state is None:
        raise RuntimeError("init_audit(app, ...) was not called for this service")
    return state


def client_ip() -> str | None:
    """The caller's address: the first X-Forwarded-For hop (set by the gateway), else the peer."""
    first = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
    ip = first or request.remote_addr
    return ip[:64] if ip else None


def register(app, db, model) -> None:
    """Make `model` the app's audit trail: rows go there, the app's own session refuses ORM bulk
    UPDATE/DELETE of it, and `db.create_all` puts the PostgreSQL trigger on its table."""
    app.extensions["imatter_audit"] = (db, model)
    app.after_request(_flush)
    session_factory = db.session.session_factory
    if not sa.event.contains(session_factory, "do_orm_execute", _refuse_bulk):
        sa.event.listen(session_factory, "do_orm_execute", _refuse_bulk)
    if not sa.event.contains(model.__table__, "after_create", _install_pg_guard):
        sa.event.listen(model.__table__, "after_create", _install_pg_guard)


def record(action: str, record_type: str, record_id, *, user_id: str | None = None) -> None:
    """Note that the caller did `action` to one personal record.

    In a request the row is written when the response is ready, in its own commit after the
    view's (so reads and refusals are kept even when the view changes nothing or fails).
    Outside a request (flask dp ...) it joins the caller's session and commit.
    """
    if action not in ACTIONS:
        raise ValueError(f"audit action must be one of {ACTIONS}, not {action!r}")
    db, model = _state()
    row = dict(
        action=action, record_type=str(record_type)[:60], record_id=str(record_id)[:64], at=naive_utcnow()
    )
    if has_request_context():
        p = g.get("principal")
        row.update(
            user_id=user_id or getattr(p, "user_id", None) or g.get("user_id"),
            ip=client_ip(),
            request_id=g.get("request_id"),
            via="api",
        )
        g.setdefault("_audit_rows", []).append(row)
    else:
        row.update(user_id=user_id or _cli_actor(), ip=None, request_id=None, via="cli")
        db.session.add(model(**row))


def _cli_actor() -> str:
    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


def _flush(response):
    rows = g.pop("_audit_rows", None)
    if not rows:
        return response
    db, model = _state()
    try:
        if response.status_code >= 400:
            db.session.rollback()  # the failed request's own work is discarded anyway
        db.session.add_all(model(**row) for row in rows)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        # the class only: a database error's message can quote the rows' values (M6)
        log.error(
            "audit rows could not be written", extra={"ctx_rows": len(rows), "ctx_error": type(exc).__name__}
        )
        raise
    return response
