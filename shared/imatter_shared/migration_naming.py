"""Give existing constraints the names of the naming convention (decision 0042), from a revision.

    RENAMES = [("users", "pk", ("id",), "pk_users"), ("users", "uq", ("email",), "uq_users_email"), ...]

    def upgrade():
        rename_constraints(op, RENAMES)

Each entry names a primary key, unique or foreign key constraint by its table, kind and columns
(what identifies it whatever the database called it) and the name it must have. A constraint that
already has it is left alone, so the same revision serves a database built before the convention
(PostgreSQL's `users_pkey`, SQLite's unnamed constraints, earlier explicit names) and one built
after it. A listed constraint that is missing stops the upgrade: the schema is not what the
revision was written for.

PostgreSQL: `ALTER TABLE … RENAME CONSTRAINT` (no rewrite; the index behind a key is renamed with
it). SQLite cannot rename a constraint: the table is rebuilt in batch mode (copy, drop, rename)
from its reflected definition with the new names, and its indexes are re-created from the SQL
SQLite kept for them, verbatim (partial and expression indexes included). The migrations
environment turns SQLite's foreign keys off while it migrates, so dropping a referenced table
deletes nothing (imatter_shared.migrations_env).

Released revisions call this: change what it does only by adding a new function.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

Rename = tuple[str, str, tuple[str, ...], str]  # table, "pk" | "uq" | "fk", columns, name

_KINDS = {"pk": sa.PrimaryKeyConstraint, "uq": sa.UniqueConstraint, "fk": sa.ForeignKeyConstraint}


class SchemaMismatch(RuntimeError):
    pass


def rename_constraints(op, renames: Iterable[Rename]) -> None:
    renames = list(renames)
    if any(kind not in _KINDS for _, kind, _, _ in renames):
        raise ValueError(f"constraint kinds are {sorted(_KINDS)}")
    bind = op.get_bind()
    current = _current_names(bind, sorted({table for table, *_ in renames}))
    todo: dict[str, list[tuple[str, tuple[str, ...], str | None, str]]] = {}
    for table, kind, columns, name in renames:
        found = current.get((table, kind, tuple(columns)), [])
        if len(found) != 1:
            raise SchemaMismatch(f"{table}: expected one {kind} constraint on {columns}, found {len(found)}")
        if found[0] != name:
            todo.setdefault(table, []).append((kind, tuple(columns), found[0], name))
    quote = bind.dialect.identifier_preparer.quote
    for table, changes in todo.items():
        if bind.dialect.name == "sqlite":
            _rebuild_sqlite_table(op, bind, table, changes)
            continue
        for _, _, old, new in changes:
            op.execute(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(old)} TO {quote(new)}")


def _current_names(bind, tables: list[str]) -> dict[tuple, list[str | None]]:
    """(table, kind, columns) -> the names the database has for it, one query per kind."""
    insp = sa.inspect(bind)
    out: dict[tuple, list[str | None]] = {}
    for (_, table), pk in insp.get_multi_pk_constraint(filter_names=tables).items():
        out.setdefault((table, "pk", tuple(pk["constrained_columns"])), []).append(pk.get("name"))
    for (_, table), found in insp.get_multi_unique_constraints(filter_names=tables).items():
        for u in found:
            out.setdefault((table, "uq", tuple(u["column_names"])), []).append(u["name"])
    for (_, table), found in insp.get_multi_foreign_keys(filter_names=tables).items():
        for f in found:
            out.setdefault((table, "fk", tuple(f["constrained_columns"])), []).append(f["name"])
    return out


def _rebuild_sqlite_table(op, bind, table: str, changes: list) -> None:
    reflected = sa.Table(table, sa.MetaData(), autoload_with=bind)
    for kind, columns, _, name in changes:
        (const,) = [
            c
            for c in reflected.constraints
            if type(c) is _KINDS[kind] and tuple(col.name for col in c.columns) == columns
        ]
        const.name = conv(name)
    index_sql = [
        row[0]
        for row in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        )
    ]
    for index in list(reflected.indexes):
        reflected.indexes.discard(index)  # re-created below from SQLite's own text
    created = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar()
    if "AUTOINCREMENT" in created.upper():
        reflected.dialect_options["sqlite"]["autoincrement"] = True
    with op.batch_alter_table(table, copy_from=reflected, recreate="always"):
        pass
    for sql in index_sql:
        op.execute(sql)
