"""When each scheduled job of a service last ran, kept in the service's own database (decision 0053),
so that a new leader (a fail-over, every rolling update) carries on the schedule instead of running
every daily job at once.

    class SchedulerRun(SchedulerRunMixin, db.Model): __tablename__ = "scheduler_runs"

One row per job name (the table belongs to one service's database, so the job name is the key).
`started_at` is written before the job starts, `finished_at` and `exit_code` after it: a job is due
again `every_seconds` after its last start, whether it finished or not (a leader that lost its lock
mid-job may still be running it). The scheduler writes it with its own short transactions; a
database it cannot write (not migrated yet, away) costs the record, not the job: the times are also
kept in the process, as before this table existed.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from . import sqlite_writers
from .config import sqlite_file_of
from .dataprotection.annotations import NOT_PII
from .messaging.models import UtcDateTime

log = logging.getLogger("imatter.scheduler")

TABLE = "scheduler_runs"


class SchedulerRunMixin:
    job: Mapped[str] = mapped_column(sa.String(64), primary_key=True, info=NOT_PII)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)


# the same table for Core statements, without a service's metadata
_RUNS = sa.table(
    TABLE,
    sa.column("job", sa.String),
    sa.column("started_at", UtcDateTime()),
    sa.column("finished_at", UtcDateTime()),
    sa.column("exit_code", sa.Integer),
)


class RunLog:
    """The service's record of job runs, read at each round and written around each job."""

    def __init__(self, url: str):
        in_memory = url.startswith("sqlite") and sqlite_file_of(url) is None
        # an in-memory database is this process' alone: another engine would see an empty one
        # its writes queue with the service's own for the SQLite file (decision 0070)
        options = sqlite_writers.engine_options(url, {"poolclass": sa.pool.NullPool})
        self._engine = None if in_memory else sa.create_engine(url, **options)
        self._memory: dict[str, datetime] = {}

    def last_started(self) -> dict[str, datetime]:
        out = dict(self._memory)
        if self._engine is None:
            return out
        try:
            with self._engine.connect() as conn:
                rows = conn.execute(sa.select(_RUNS.c.job, _RUNS.c.started_at)).all()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("scheduler: past runs unreadable", extra={"ctx_error": type(exc).__name__})
            return out
        for job, started in rows:
            out[job] = max(started, out.get(job, started))
        return out

    def started(self, job: str, at: datetime) -> None:
        self._memory[job] = at
        self._write(job, {"started_at": at, "finished_at": None, "exit_code": None}, insert=True)

    def finished(self, job: str, at: datetime, code: int) -> None:
        self._write(job, {"finished_at": at, "exit_code": code}, insert=False)

    def _write(self, job: str, values: dict, *, insert: bool) -> None:
        if self._engine is None:
            return
        try:
            with self._engine.begin() as conn:
                done = conn.execute(sa.update(_RUNS).where(_RUNS.c.job == job).values(**values)).rowcount
                if not done and insert:
                    conn.execute(sa.insert(_RUNS).values(job=job, **values))
        except sa.exc.SQLAlchemyError as exc:
            log.warning(
                "scheduler: job run not recorded", extra={"ctx_job": job, "ctx_error": type(exc).__name__}
            )

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
