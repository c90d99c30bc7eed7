"""The retention job: deletes (or clears) what has passed its schedule.

Each personal column's schedule is "<N> <unit> after <anchor column>". Per table:
- a row whose every personal column is past its schedule is deleted, unless it is a
  financial record, something that stays still points at it, or all its personal columns
  can simply be set to NULL (then the rest of the row, not personal, is kept);
- otherwise each column past its own schedule is cleared in that row (NULL, or "[erased]"
  when the column cannot be NULL).
Columns whose retention is ended by an event ("until erased on request") are left alone.
Append-only tables (the audit trail) are only ever deleted from, never updated.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from imatter_shared import audit as audit_mod

from .annotations import annotation, parse_schedule

PLACEHOLDER = "[erased]"


def _cutoff_for(col: sa.Column, cutoff: datetime):
    # TypeDecorators over DateTime (the messaging UtcDateTime) want aware datetimes; plain
    # DateTime columns hold naive UTC.
    if isinstance(col.type, sa.types.TypeDecorator):
        return cutoff.replace(tzinfo=UTC)
    return cutoff


def _not_referenced(metadata: sa.MetaData, table: sa.Table):
    conds = []
    for child in metadata.tables.values():
        alias = child.alias()  # aliased, so a self-reference correlates correctly
        for col in child.columns:
            for fk in col.foreign_keys:
                if fk.column.table is table:
                    conds.append(~sa.exists().where(alias.c[col.name] == fk.column))
    return conds


def run(cfg, conn, now: datetime, *, dry_run: bool = False) -> list[dict]:
    now = now.astimezone(UTC).replace(tzinfo=None) if now.tzinfo else now
    metadata = cfg.db.metadata
    report = []
    for table in reversed(metadata.sorted_tables):
        specs = {c.name: annotation(c) for c in table.columns if annotation(c)}
        scheds = {name: parse_schedule(spec.get("retention", "")) for name, spec in specs.items()}
        due = {
            name: table.c[s.anchor] < _cutoff_for(table.c[s.anchor], s.cutoff(now))
            for name, s in scheds.items()
            if s
        }
        if not due:
            continue
        entry = {"table": table.name, "deleted": 0, "cleared": {}}
        append_only = table.name in audit_mod.APPEND_ONLY_TABLES
        clearable = all(
            table.c[n].nullable and not table.c[n].foreign_keys and not table.c[n].primary_key for n in specs
        )
        if len(due) == len(specs) and not clearable and table.name not in cfg.financial_tables:
            where = sa.and_(*due.values(), *_not_referenced(metadata, table))
            if dry_run:
                entry["deleted"] = conn.execute(
                    sa.select(sa.func.count()).select_from(table).where(where)
                ).scalar()
            else:
                if append_only:
                    audit_mod.allow_retention_delete(conn)
                entry["deleted"] = conn.execute(sa.delete(table).where(where)).rowcount
        if not append_only:
            for name, cond in due.items():
                col = table.c[name]
                if col.primary_key or col.foreign_keys:
                    continue
                if col.nullable:
                    where, value = sa.and_(cond, col.isnot(None)), None
                elif isinstance(col.type, sa.String):
                    where, value = sa.and_(cond, col != PLACEHOLDER), PLACEHOLDER[: col.type.length or None]
                else:
                    continue
                if dry_run:
                    n = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar()
                else:
                    n = conn.execute(sa.update(table).where(where).values({name: value})).rowcount
                if n:
                    entry["cleared"][name] = n
        if entry["deleted"] or entry["cleared"]:
            report.append(entry)
    return report
