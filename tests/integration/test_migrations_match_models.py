"""Each service's Alembic migrations build exactly the schema its models declare, on SQLite and on
the real PostgreSQL, whether the database is new or was deployed at an earlier head.

"Exactly": Alembic's autogenerate comparison (tables, columns, types, indexes, unique and foreign
keys) finds nothing, and the names of every primary key, unique, foreign key and check constraint
and index the database reports are the names the models' metadata gives them (compare_metadata does
not compare primary key or unique constraint names). The metadata names every constraint by the
convention (imatter_shared.db_base.NAMING_CONVENTION, decision 0042).

A deployed database was built by the released revisions before the naming convention existed: the
test builds it that way (convention off, one revision at a time), keeps a copy at each of the last
PREVIOUS_HEADS heads (a SQLite backup, a PostgreSQL template), puts a row in every table, upgrades
the copy to head, and requires the same schema and every row still there.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy.sql.schema import DEFAULT_NAMING_CONVENTION

from support import testing as t

APPS = ["training", "cic_tracker", "gateway"]
PREVIOUS_HEADS = 2  # upgrade from each of the last two heads (the newest revision's base among them)
PG_MAX_NAME = 63  # PostgreSQL cuts longer names, and then they no longer match the metadata's


def _module(name):
    return __import__(name)


def _app(name, url, tmp_path):
    return _module(name).create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "ACCESS_LOG": False,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
        }
    )


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """Makes empty databases of one kind and clones them; drops what it made."""
    made: list[str] = []

    class Backend:
        name = request.param

        def new(self) -> str:
            if self.name == "sqlite":
                url = f"sqlite:///{tmp_path}/db-{uuid.uuid4().hex[:8]}.sqlite"
            else:
                url = t.create_postgres_database("imatter_migr")
            made.append(url)
            return url

        def clone(self, url: str) -> str:
            """A copy of a database no connection is open on."""
            copy = self.new()
            if self.name == "sqlite":
                src, dst = sqlite3.connect(url.split("///", 1)[1]), sqlite3.connect(copy.split("///", 1)[1])
                with dst:
                    src.backup(dst)
                src.close()
                dst.close()
                return copy
            t.drop_postgres_database(copy)
            admin = sa.create_engine(t.PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            try:
                with admin.connect() as conn:
                    new, old = copy.rsplit("/", 1)[1], url.rsplit("/", 1)[1]
                    conn.execute(sa.text(f'CREATE DATABASE "{new}" TEMPLATE "{old}"'))
            finally:
                admin.dispose()
            return copy

    yield Backend()
    for url in made:
        if not url.startswith("sqlite"):
            t.drop_postgres_database(url)


# -- what the database has and what the models declare ---------------------------------------


def schema_names(conn) -> set[tuple]:
    insp = sa.inspect(conn)
    kinds = (
        ("pk", insp.get_multi_pk_constraint),
        ("uq", insp.get_multi_unique_constraints),
        ("fk", insp.get_multi_foreign_keys),
        ("ck", insp.get_multi_check_constraints),
        ("ix", insp.get_multi_indexes),
    )
    out = set()
    for kind, reflect in kinds:  # one query per kind, not per table
        for (_, table), found in reflect().items():
            if table == "alembic_version":
                continue
            for c in [found] if kind == "pk" else found:
                if c.get("duplicates_constraint"):
                    continue  # PostgreSQL: the index behind a unique key
                columns = c.get("constrained_columns") or c.get("column_names") or ()
                out.add((table, kind, c.get("name"), () if kind == "ck" else tuple(columns)))
    return out


KINDS = {
    sa.PrimaryKeyConstraint: "pk",
    sa.UniqueConstraint: "uq",
    sa.ForeignKeyConstraint: "fk",
    sa.CheckConstraint: "ck",
}


def model_names(metadata: sa.MetaData) -> set[tuple]:
    out = set()
    for table in metadata.tables.values():
        for const in table.constraints:
            kind = KINDS[type(const)]
            if kind == "pk" and not const.columns:
                continue
            columns = () if kind == "ck" else tuple(c.name for c in const.columns)
            out.add((table.name, kind, const.name and str(const.name), columns))
        out |= {(table.name, "ix", str(i.name), tuple(c.name for c in i.columns)) for i in table.indexes}
    return out


def assert_schema_is_the_models(name, db, where):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        have = schema_names(conn)
    want = model_names(db.metadata)
    assert diff == [], f"{name} ({where}): the schema differs from the models: {diff}"
    unnamed = sorted(str(w) for w in want if w[2] is None)
    assert not unnamed, f"{name}: constraints without a name (the naming convention is off?): {unnamed}"
    too_long = sorted(w[2] for w in want if len(w[2]) > PG_MAX_NAME)
    assert not too_long, f"{name}: names PostgreSQL would cut: {too_long}"
    assert sorted(have - want, key=str) == [] and sorted(want - have, key=str) == [], (
        f"{name} ({where}): names in the database only: {sorted(have - want, key=str)}; "
        f"in the models only: {sorted(want - have, key=str)}. Add a new revision in "
        "services/<svc>/migrations/versions (`flask db migrate`, then read it), never edit a released one."
    )


def revisions(app) -> list[str]:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    heads = script.get_heads()
    assert len(heads) == 1, f"more than one migration head: {heads}"
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


# -- from empty -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", APPS)
def test_upgrade_from_empty_builds_the_models_schema(name, backend, tmp_path, monkeypatch):
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    app = _app(name, backend.new(), tmp_path)
    db = _module(name).extensions.db
    with app.app_context():
        upgrade()
        assert_schema_is_the_models(name, db, "from empty")
        db.engine.dispose()


# -- from each previous head, with data --------------------------------------------------------


# columns whose CHECK constraint allows only some values (a_value's would be refused)
CHECKED_VALUES = {("credentials", "kind"): "certification", ("lp_licences", "status"): "current"}


def a_value(column: sa.Column, key: int):
    if (column.table.name, column.name) in CHECKED_VALUES:
        return CHECKED_VALUES[(column.table.name, column.name)]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return key
    if isinstance(kind, sa.Numeric | sa.Float):
        return 0
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 2, 3, 4, 5)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 1, 2)
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.LargeBinary):
        return b"x"
    if isinstance(kind, sa.String):  # Text, Unicode and VARCHAR(n) alike
        return f"r{key}"[: kind.length or 32]
    raise AssertionError(f"{column.table.name}.{column.name}: no test value for {kind!r}")


def put_a_row_in_every_table(conn) -> list[str]:
    """One row per table, parents first, every NOT NULL column without a server default filled,
    foreign keys pointing at the parent's row; returns the tables filled."""
    metadata = sa.MetaData()
    metadata.reflect(conn)
    values: dict[tuple[str, str], object] = {}
    filled = []
    for key, table in enumerate(metadata.sorted_tables, start=1):
        if table.name == "alembic_version":
            continue
        row = {}
        for column in table.columns:
            fk = next(iter(column.foreign_keys), None)
            if fk is not None and (fk.column.table.name, fk.column.name) in values:
                row[column.name] = values[(fk.column.table.name, fk.column.name)]
            elif column.primary_key or (not column.nullable and column.server_default is None):
                # a column with a server default keeps it: a check may allow only certain values
                # (credentials.kind IN ('certification'))
                row[column.name] = a_value(column, key)
        conn.execute(table.insert().values(row))
        values.update({(table.name, c): v for c, v in row.items()})
        filled.append(table.name)
    return filled


def row_counts(conn, tables) -> dict[str, int]:
    return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables}


@pytest.mark.parametrize("name", APPS)
def test_upgrade_from_each_previous_head_keeps_the_rows_and_builds_the_models_schema(
    name, backend, tmp_path, monkeypatch
):
    """The released revisions, run one at a time as they were released (before the naming
    convention), build the database a deployment has at each earlier head; from each of the last
    few, with a row in every table, the upgrade to head reaches the models' schema and loses
    nothing."""
    monkeypatch.setenv("IMATTER_VAR_DIR", str(tmp_path))
    db = _module(name).extensions.db
    url = backend.new()
    app = _app(name, url, tmp_path)
    snapshots = []
    with app.app_context():
        chain = revisions(app)
        starts = chain[-PREVIOUS_HEADS - 1 : -1]
        with monkeypatch.context() as released:
            released.setattr(db.metadata, "naming_convention", DEFAULT_NAMING_CONVENTION)
            for rev in starts:
                upgrade(revision=rev)  # from empty, then from the previous start
                db.engine.dispose()
                snapshots.append((rev, url if rev == starts[-1] else backend.clone(url)))
        assert [rev for rev, _ in snapshots] == starts and starts
    for rev, copy in snapshots:
        app = _app(name, copy, tmp_path)
        with app.app_context():
            with db.engine.begin() as conn:
                before = row_counts(conn, put_a_row_in_every_table(conn))
            upgrade()
            with db.engine.connect() as conn:
                current = MigrationContext.configure(conn).get_current_revision()
                after = row_counts(conn, before)
            assert current == chain[-1]
            assert after == before, f"{name}: rows lost upgrading from {rev}"
            assert_schema_is_the_models(name, db, f"from {rev}")
            db.engine.dispose()
