"""Personal-data annotations on model columns, and the record of processing built from them.

A column holding personal data says so where it is declared:

    email = sa.Column(sa.String(254), info=pii("contact details", "sign-in and service messages",
                                                "contract", "until erased on request", subject="email"))

and a column that looks personal but is not says that too: `info=NOT_PII`.

`retention` is either a schedule the retention job can act on, "<N> days|months|years after
<column>" (e.g. "6 years after created_at", short forms "90d", "18m", "6y" too), or a plain
sentence for what only an event ends ("until erased on request", "while the account is open").
`subject` marks a column that identifies the data subject ("person_id", "email", "user_id"):
subject access and erasure find a person's rows through these columns.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

LAWFUL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)
SUBJECT_KINDS = ("person_id", "email", "user_id")
REQUIRED_KEYS = ("category", "purpose", "lawful_basis", "retention")
NOT_PII = {"pii": False}

# Words in a column name that suggest personal data (split on "_"); any Text/JSON column too,
# since free text can hold anything about anyone.
PERSONAL_WORDS = frozenset(
    """
name names email phone mobile telephone address postcode notes note text message comment comments
reflection reflections summary idea ideas dob birth ip payload person people practitioner user reviewer
overseer supporter donor contact given consent score scores goal goals purpose reason feedback body
content description detail details answer answers diagnosis family child
""".split()
)
PERSONAL_NAMES = frozenset({"created_by", "updated_by", "given_by", "recorded_by", "decided_by", "sub"})

_SCHEDULE = re.compile(r"^\s*(\d+)\s*(d|days?|m|months?|y|years?)\s+after\s+([a-z_][a-z0-9_]*)\s*$", re.I)


def pii(
    category: str,
    purpose: str,
    lawful_basis: str,
    retention: str,
    *,
    subject: str | None = None,
    export: bool = True,
    fmt: str | None = None,
    erase: str | None = None,
    **extra,
) -> dict:
    """The `info=` dict for a personal-data column. `export=False` keeps a column (e.g. a
    password hash) out of subject-access exports; `fmt="json"` marks a JSON text whose
    values erasure rewrites (outbox/inbox payloads); `erase="pseudonymise"` on a subject
    column means a row found only through it is pseudonymised, never deleted (an
    organisation whose link contact asks for erasure keeps existing)."""
    spec = {"category": category, "purpose": purpose, "lawful_basis": lawful_basis, "retention": retention}
    if subject:
        spec["subject"] = subject
    if erase:
        spec["erase"] = erase
    if not export:
        spec["export"] = False
    if fmt:
        spec["format"] = fmt
    spec.update(extra)
    return {"pii": spec}


@dataclass(frozen=True)
class Schedule:
    days: int
    months: int
    anchor: str

    def cutoff(self, now: datetime) -> datetime:
        month = now.month - 1 - self.months
        year = now.year + month // 12
        month = month % 12 + 1
        day = min(now.day, calendar.monthrange(year, month)[1])
        return now.replace(year=year, month=month, day=day) - timedelta(days=self.days)

    def __str__(self) -> str:
        return f"{self.days}d{self.months}m after {self.anchor}"


STALE_KEY = "dp_stale_annotations"


def annotate(metadata: sa.MetaData, mapping: dict[str, dict]) -> None:
    """Annotate columns from one table kept beside the models: {"table.column": pii(...) or
    NOT_PII}. A column annotated where it is declared keeps its own annotation. An entry
    naming a column that no longer exists is reported by `flask dp register`."""
    stale = metadata.info.setdefault(STALE_KEY, [])
    for where, info in mapping.items():
        table_name, _, col_name = where.partition(".")
        table = metadata.tables.get(table_name)
        col = table.columns.get(col_name) if table is not None else None
        if col is None:
            if where not in stale:
                stale.append(where)
            continue
        if "pii" not in col.info:
            col.info["pii"] = info["pii"]


def parse_schedule(text: str) -> Schedule | None:
    """The actionable part of a retention text, or None for an event-bound retention."""
    m = _SCHEDULE.match(text or "")
    if not m:
        return None
    n, unit, anchor = int(m.group(1)), m.group(2).lower()[0], m.group(3)
    if unit == "d":
        return Schedule(n, 0, anchor)
    return Schedule(0, n * (12 if unit == "y" else 1), anchor)


def annotation(column: sa.Column):
    """The column's pii dict, False when declared non-personal, None when undeclared."""
    if "pii" not in column.info:
        return None
    return column.info["pii"] or False


def looks_personal(table: sa.Table, column: sa.Column) -> bool:
    name = column.name.lower()
    words = set(name.split("_"))
    if name in PERSONAL_NAMES or words & PERSONAL_WORDS:
        return True
    if name == "code" and "case" in table.name.lower():
        return True
    return isinstance(column.type, (sa.Text, sa.JSON))


def problems(metadata: sa.MetaData) -> list[str]:
    """What keeps the record of processing from being complete and correct."""
    out = [
        f"{where}: annotated but no such column (rename or remove the entry)"
        for where in metadata.info.get(STALE_KEY, [])
    ]
    for table in metadata.sorted_tables:
        for column in table.columns:
            where = f"{table.name}.{column.name}"
            spec = annotation(column)
            if spec is None:
                if looks_personal(table, column):
                    out.append(
                        f"{where}: looks like personal data but has no info={{'pii': ...}} annotation "
                        "(use pii(...) or NOT_PII)"
                    )
                continue
            if spec is False:
                continue
            if not isinstance(spec, dict):
                out.append(f"{where}: the pii annotation must be a dict or False")
                continue
            missing = [k for k in REQUIRED_KEYS if not str(spec.get(k) or "").strip()]
            if missing:
                out.append(f"{where}: the pii annotation lacks {', '.join(missing)}")
            if spec.get("lawful_basis") and spec["lawful_basis"] not in LAWFUL_BASES:
                out.append(
                    f"{where}: lawful_basis {spec['lawful_basis']!r} is not one of {', '.join(LAWFUL_BASES)}"
                )
            if spec.get("subject") and spec["subject"] not in SUBJECT_KINDS:
                out.append(f"{where}: subject {spec['subject']!r} is not one of {', '.join(SUBJECT_KINDS)}")
            sched = parse_schedule(str(spec.get("retention") or ""))
            if sched and sched.anchor not in table.columns:
                out.append(
                    f"{where}: retention counts from {sched.anchor!r}, which is not a column of {table.name}"
                )
    return out


def record_of_processing(metadata: sa.MetaData, service: str, exempt: tuple[str, ...] = ()) -> dict:
    tables, without = [], []
    for table in metadata.sorted_tables:
        fields = []
        for column in table.columns:
            spec = annotation(column)
            if not spec:
                continue
            sched = parse_schedule(spec.get("retention", ""))
            fields.append(
                {
                    "column": column.name,
                    "category": spec.get("category"),
                    "purpose": spec.get("purpose"),
                    "lawful_basis": spec.get("lawful_basis"),
                    "retention": spec.get("retention"),
                    "retention_enforced": bool(sched),
                    **({"identifies": spec["subject"]} if spec.get("subject") else {}),
                }
            )
        if fields:
            tables.append(
                {
                    "table": table.name,
                    "fields": fields,
                    **(
                        {"note": "exempt from erasure (accountability record)"}
                        if table.name in exempt
                        else {}
                    ),
                }
            )
        else:
            without.append(table.name)
    return {
        "service": service,
        "controller": service,
        "tables": tables,
        "tables_without_personal_data": without,
    }


def render_text(record: dict) -> str:
    lines = [f"Record of processing: {record['service']}", ""]
    for t in record["tables"]:
        lines.append(f"table {t['table']}" + (f"  ({t['note']})" if t.get("note") else ""))
        for f in t["fields"]:
            lines.append(f"  {f['column']}: {f['category']}")
            lines.append(f"      purpose: {f['purpose']}")
            lines.append(
                f"      lawful basis: {f['lawful_basis']}; retention: {f['retention']}"
                + ("" if f["retention_enforced"] else " (ended by an event, not by the schedule)")
            )
        lines.append("")
    if record["tables_without_personal_data"]:
        lines.append("tables without personal data: " + ", ".join(record["tables_without_personal_data"]))
    return "\n".join(lines)
