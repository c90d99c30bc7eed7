"""Apply several events in one transaction; a failing event is taken out and the rest applied.

The transport hands the consumer the deliveries that are ready (up to EVENTS_CONSUMER_BATCH_SIZE).
Their inbox rows (one INSERT ... ON CONFLICT DO NOTHING for the batch: an event whose row is
there already is a duplicate) and handler writes go into ONE transaction with one COMMIT, the
handlers' writes flushed event by event so that a database error is charged to the event that
caused it. When a handler fails, the transaction is rolled back and the batch is applied again without that event: the others still commit, the failing
one is retried or dead-lettered on its own. A batch of n events takes at most n + 1
transactions, and one when nothing fails, which is the normal case.

Why not a SAVEPOINT per event: SQLAlchemy reports each RELEASE as a Session `after_commit`,
so anything listening for commits (a crash test, the relay's wake-up) would take a savepoint
for the commit; and Python's sqlite3 lets SQLite commit the whole transaction at the first
RELEASE unless BEGIN is issued by hand. Re-running handlers is safe: they only write through
the session, like on any redelivery. See docs/decisions/0033 and 0067 (the inbox claim).

The transport acks (or dead-letters, or retries) the deliveries only after `apply` has
returned, so after the commit. A crash before the commit leaves nothing and every delivery comes
back; a crash between the commit and the acks redelivers events whose inbox rows are committed,
and the inbox turns them into no-ops. If the transaction fails for another reason (database
gone, commit refused), nothing of the batch is applied and every event is retried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from imatter_shared.events.envelope import Envelope
from imatter_shared.timeutil import utcnow

SessionScope = Callable[[], AbstractContextManager]


@dataclass(frozen=True)
class Result:
    """What became of one event: applied, duplicate, or failed with `error`."""

    kind: str  # "applied" | "duplicate" | "failed" (its handler) | "not_committed" (the batch)
    error: BaseException | None = None


APPLIED = Result("applied")
DUPLICATE = Result("duplicate")


def apply(
    session_scope: SessionScope,
    InboxModel: Any,
    handlers: Mapping[str, Callable[[Any, Envelope], None]],
    envelopes: Sequence[Envelope],
) -> list[Result]:
    """Apply `envelopes` in one committed transaction; one Result per envelope, in order."""
    results: dict[int, Result] = {}
    while True:
        todo = [i for i in range(len(envelopes)) if i not in results]
        try:
            settled = _attempt(session_scope, InboxModel, handlers, envelopes, todo)
        except _Excluded as excluded:
            results[excluded.index] = excluded.result  # without it, try the others again
            continue
        except Exception as exc:  # the transaction failed: nothing of it is applied
            failed = Result("not_committed", exc)
            return [
                results[i] if results.get(i, APPLIED).kind == "failed" else failed
                for i in range(len(envelopes))
            ]
        results.update(settled)
        return [results[i] for i in range(len(envelopes))]


class _Excluded(Exception):
    def __init__(self, index: int, result: Result):
        super().__init__(result.kind)
        self.index, self.result = index, result


def _attempt(
    session_scope: SessionScope,
    InboxModel: Any,
    handlers: Mapping[str, Callable],
    envelopes: Sequence[Envelope],
    todo: list[int],
) -> dict[int, Result]:
    """One transaction over `todo`; raises _Excluded (after a rollback) for the first event
    that cannot be applied with the others."""
    results: dict[int, Result] = {}
    with session_scope() as session:
        try:
            claimed = _claim(session, InboxModel, [envelopes[i] for i in todo])
            for i in todo:
                envelope = envelopes[i]
                if envelope.event_id not in claimed:  # applied before, or earlier in this batch
                    results[i] = DUPLICATE
                    continue
                claimed.discard(envelope.event_id)
                results[i] = _apply_one(session, handlers[envelope.type], envelope, i)
            if todo:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return results


def _claim(session: Any, InboxModel: Any, envelopes: Sequence[Envelope]) -> set[str]:
    """Insert the batch's inbox rows in one statement; returns the event_ids inserted now. An id
    already in the inbox is skipped (ON CONFLICT DO NOTHING), so its event is a duplicate; one
    that a replica is inserting in a transaction still open waits for it and is then skipped
    (it committed) or inserted (it rolled back). Rows go in event_id order, so two replicas lock
    shared ids in the same order and cannot deadlock. One statement per batch, where an INSERT
    and a flush per event took ~0.2 ms of CPU each (docs/performance.md 3c)."""
    if not envelopes:
        return set()
    first: dict[str, str] = {}
    for envelope in envelopes:
        first.setdefault(envelope.event_id, envelope.type)
    now = utcnow()
    rows = [{"event_id": eid, "type": first[eid], "received_at": now} for eid in sorted(first)]
    table = InboxModel.__table__  # a Core insert: the ORM's bulk path cost ~8 ms per batch
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.event_id)
    return set(session.scalars(stmt, rows))  # one INSERT ... VALUES (..), (..) (insertmanyvalues)


def _apply_one(session: Any, handler: Callable, envelope: Envelope, index: int) -> Result:
    try:
        handler(session, envelope)
        session.flush()  # the handler's database errors are charged to this event
    except Exception as exc:
        raise _Excluded(index, Result("failed", exc)) from None
    return APPLIED
