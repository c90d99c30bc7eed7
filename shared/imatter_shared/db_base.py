"""Column helpers every service's models use: 32-character hex ids and creation times.

A service's `models/base.py` re-exports these next to its own `db`. DateTime columns hold naive
UTC (see imatter_shared.timeutil), so the creation time's default is the naive clock.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from imatter_shared.timeutil import naive_utcnow


def new_id() -> str:
    return uuid.uuid4().hex


def id_column() -> sa.Column:
    return sa.Column(sa.String(32), primary_key=True, default=new_id)


def created_column() -> sa.Column:
    return sa.Column(sa.DateTime, nullable=False, default=naive_utcnow)


def _ck_columns(constraint, table) -> str:
    columns = [c.name for c in constraint.columns]
    if not columns:
        raise ValueError(
            f"a CHECK constraint on {table.name} built from text needs a name (ck_{table.name}_...)"
        )
    return "_".join(columns)


# Every constraint and index a model declares without a name gets one from here, the same on SQLite
# and PostgreSQL, so a later revision can drop or alter it by name (decision 0042). An explicit name
# is kept as written: give CHECKs built from text one of the form `ck_<table>_<what>`. Revisions
# that renamed the databases' earlier names to these: training 0012, cic-tracker 0005, gateway 0003.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(ck_columns)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s",
    "pk": "pk_%(table_name)s",
    "ck_columns": _ck_columns,
}


def naming_metadata() -> sa.MetaData:
    """The MetaData a service's `db = SQLAlchemy(metadata=naming_metadata())` starts from."""
    return sa.MetaData(naming_convention=NAMING_CONVENTION)
