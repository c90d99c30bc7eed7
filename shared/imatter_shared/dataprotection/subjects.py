"""Subject access (export) and erasure, driven by the column annotations.

A person is found through the columns annotated `subject=...` (person ids, emails, gateway
user ids) and through foreign keys to the service's subject table (training's `people`, the
gateway's `users`). Erasure walks the tables children first: a row is deleted when nothing
that stays still points at it; otherwise, and always for financial records and message
payloads, its personal columns are pseudonymised in place (consistent pseudonyms within one
run, from a random salt, so they cannot be reversed by guessing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from .annotations import annotation

ERASED_DOMAIN = "erased.invalid"


@dataclass
class SubjectTable:
    """The table whose rows are the service's data subjects (None for cic-tracker)."""

    model: Any
    id_column: str = "id"
    id_kind: str = "person_id"
    email_column: str | None = "email"
    user_id_column: str | None = None

    @property
    def table(self) -> sa.Table:
        return getattr(self.model, "__table__", self.model)


@dataclass
class DPConfig:
    service: str
    db: Any
    subject: SubjectTable | None = None
    financial_tables: tuple[str, ...] = ()
    exempt_tables: tuple[str, ...] = ()  # accountability records: audit trail, breach register
    breach_model: Any = None
    # before_erase(conn, subject, on_row): the service keeps what must outlive the person in a
    # form that no longer points at them (training: revoked credential tombstones), before the
    # generic erasure below deletes or pseudonymises the rest
    before_erase: Any = None


@dataclass
class Subject:
    person_ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)

    def values(self, kind: str) -> set[str]:
        return {"person_id": self.person_ids, "email": self.emails, "user_id": self.user_ids}[kind]

    def all_values(self) -> set[str]:
        return {v for v in self.person_ids | self.emails | self.user_ids if v}

    def as_dict(self) -> dict:
        return {
            "person_ids": sorted(self.person_ids),
            "emails": sorted(self.emails),
            "user_ids": sorted(self.user_ids),
        }


def resolve(cfg: DPConfig, conn, *, email: str | None = None, person: str | None = None) -> Subject:
    s = Subject()
    kind = cfg.subject.id_kind if cfg.subject else "person_id"
    if email:
        s.emails.add(email.strip().lower())
    if person:
        s.values(kind).add(person.strip())
    if cfg.subject:
        t, sub = cfg.subject.table, cfg.subject
        conds = []
        if person:
            conds.append(t.c[sub.id_column] == person.strip())
        if email and sub.email_column:
            conds.append(sa.func.lower(t.c[sub.email_column]) == email.strip().lower())
        for row in conn.execute(sa.select(t).where(sa.or_(*conds))).mappings() if conds else []:
            s.values(sub.id_kind).add(str(row[sub.id_column]))
            if sub.email_column and row[sub.email_column]:
                s.emails.add(str(row[sub.email_column]).lower())
            if sub.user_id_column and row[sub.user_id_column]:
                s.user_ids.add(str(row[sub.user_id_column]))
    return s


# -- which columns point at a person ---------------------------------------------------------


def subject_columns(cfg: DPConfig, table: sa.Table) -> list[tuple[sa.Column, str]]:
    out = []
    sub = cfg.subject
    for col in table.columns:
        spec = annotation(col)
        kind = spec.get("subject") if spec else None
        if kind is None and sub is not None:
            if table is sub.table:
                kind = {
                    sub.id_column: sub.id_kind,
                    sub.email_column: "email",
                    sub.user_id_column: "user_id",
                }.get(col.name)
            elif any(
                fk.column.table is sub.table and fk.column.name == sub.id_column for fk in col.foreign_keys
            ):
                kind = sub.id_kind
        if kind:
            out.append((col, kind))
    return out


def payload_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if (annotation(c) or {}).get("format") == "json"]


def match_condition(cfg: DPConfig, table: sa.Table, subject: Subject):
    conds = []
    for col, kind in subject_columns(cfg, table):
        values = subject.values(kind)
        if not values:
            continue
        conds.append(sa.func.lower(col).in_(sorted(values)) if kind == "email" else col.in_(sorted(values)))
    for col in payload_columns(table):
        for value in sorted(subject.all_values()):
            conds.append(sa.func.lower(col).contains(value.lower(), autoescape=True))
    return sa.or_(*conds) if conds else None


def _tables(cfg: DPConfig) -> list[sa.Table]:
    return [t for t in cfg.db.metadata.sorted_tables if t.name not in cfg.exempt_tables]


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    return value


def _pk(table: sa.Table, row) -> str:
    return ":".join(str(row[c.name]) for c in table.primary_key.columns)


# -- subject access ----------------------------------------------------------------------


def export(cfg: DPConfig, conn, subject: Subject) -> dict:
    records: dict[str, list] = {}
    for table in _tables(cfg):
        cond = match_condition(cfg, table, subject)
        if cond is None:
            continue
        hidden = {c.name for c in table.columns if (annotation(c) or {}).get("export") is False}
        payloads = {c.name for c in payload_columns(table)}
        rows = []
        for row in conn.execute(sa.select(table).where(cond)).mappings():
            out = {}
            for name, value in row.items():
                if name in hidden:
                    continue
                if name in payloads and isinstance(value, str):
                    try:
                        value = json.loads(value)
                    except ValueError:
                        pass
                out[name] = jsonable(value)
            rows.append(out)
        if rows:
            records[table.name] = rows
    return {
        "service": cfg.service,
        "generated_at": jsonable(datetime.now(UTC)),
        "subject": subject.as_dict(),
        "records": records,
    }


# -- erasure -----------------------------------------------------------------------------


class Pseudonymiser:
    """The same value always gets the same pseudonym within one run (so ids stay joinable
    across tables and payloads); a fresh random salt per run makes them irreversible."""

    def __init__(self):
        self.salt = secrets.token_bytes(16)

    def token(self, value: str) -> str:
        return "erased-" + hmac.new(self.salt, value.encode(), hashlib.sha256).hexdigest()[:12]

    def email(self, value: str) -> str:
        return self.token(value.lower()) + "@" + ERASED_DOMAIN


def _fit(col: sa.Column, value: str) -> str:
    length = getattr(col.type, "length", None)
    return value[:length] if length else value


class _Rewriter:
    def __init__(self, subject: Subject, pseudo: Pseudonymiser):
        self.exact = {v: pseudo.token(v) for v in subject.person_ids | subject.user_ids if v}
        self.emails = {e.lower(): pseudo.email(e) for e in subject.emails if e}

    def text(self, s: str) -> str:
        if s in self.exact:
            return self.exact[s]
        if s.lower() in self.emails:
            return self.emails[s.lower()]
        for email, alias in self.emails.items():
            s = re.sub(re.escape(email), alias, s, flags=re.I)
        for value, alias in self.exact.items():
            s = s.replace(value, alias)
        return s

    def walk(self, obj):
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            return [self.walk(v) for v in obj]
        if isinstance(obj, dict):
            return {k: self.walk(v) for k, v in obj.items()}
        return obj

    def payload(self, value: str) -> str:
        try:
            return json.dumps(self.walk(json.loads(value)), separators=(",", ":"), sort_keys=True)
        except ValueError:
            return self.text(value)


def _referenced_keys(metadata: sa.MetaData) -> set[sa.Column]:
    return {fk.column for t in metadata.tables.values() for c in t.columns for fk in c.foreign_keys}


def _still_referenced(conn, metadata: sa.MetaData, table: sa.Table, row) -> bool:
    for child in metadata.tables.values():
        for col in child.columns:
            for fk in col.foreign_keys:
                if fk.column.table is table and row[fk.column.name] is not None:
                    if conn.execute(
                        sa.select(sa.literal(1)).select_from(child).where(col == row[fk.column.name]).limit(1)
                    ).first():
                        return True
    return False


def pseudonymised_values(
    cfg: DPConfig,
    table: sa.Table,
    row,
    subject_kinds: dict,
    rewriter: _Rewriter,
    pseudo: Pseudonymiser,
    keys: set,
) -> dict:
    values = {}
    for col in table.columns:
        spec = annotation(col)
        value = row[col.name]
        if not spec or value is None or col.foreign_keys or col in keys:
            continue
        kind = subject_kinds.get(col.name)
        if spec.get("format") == "json" and isinstance(value, str):
            values[col.name] = rewriter.payload(value)
        elif isinstance(value, str) and (kind == "email" or ("email" in col.name and "@" in value)):
            values[col.name] = _fit(col, pseudo.email(value))
        elif isinstance(value, str) and (kind or not col.nullable):
            values[col.name] = _fit(col, pseudo.token(value))
        elif col.nullable:
            values[col.name] = None
    return values


def _matches(value, values: set[str], kind: str) -> bool:
    if value is None:
        return False
    return (str(value).lower() if kind == "email" else str(value)) in values


def erase(cfg: DPConfig, conn, subject: Subject, *, on_row=None) -> dict:
    """Erase the subject everywhere in this service. `on_row(action, table, pk)` is told of
    every row (for the audit trail). Returns counts per table."""
    if cfg.before_erase is not None:
        cfg.before_erase(conn, subject, on_row)
    pseudo = Pseudonymiser()
    rewriter = _Rewriter(subject, pseudo)
    metadata = cfg.db.metadata
    keys = _referenced_keys(metadata)
    summary = {"deleted": {}, "pseudonymised": {}}
    for table in reversed(_tables(cfg)):
        cond = match_condition(cfg, table, subject)
        if cond is None:
            continue
        subject_cols = subject_columns(cfg, table)
        kinds = {c.name: k for c, k in subject_cols}
        # columns through which a match may delete the row (others only pseudonymise it)
        deleting = [(c, k) for c, k in subject_cols if (annotation(c) or {}).get("erase") != "pseudonymise"]
        keep = table.name in cfg.financial_tables or bool(payload_columns(table))
        for row in conn.execute(sa.select(table).where(cond)).mappings().all():
            pk = sa.and_(*(c == row[c.name] for c in table.primary_key.columns))
            owned = any(_matches(row[c.name], subject.values(k), k) for c, k in deleting)
            if owned and not keep and not _still_referenced(conn, metadata, table, row):
                conn.execute(sa.delete(table).where(pk))
                action = "deleted"
            else:
                values = pseudonymised_values(cfg, table, row, kinds, rewriter, pseudo, keys)
                if not values:
                    continue
                conn.execute(sa.update(table).where(pk).values(**values))
                action = "pseudonymised"
            summary[action][table.name] = summary[action].get(table.name, 0) + 1
            if on_row:
                on_row(action, table.name, _pk(table, row))
    return summary
