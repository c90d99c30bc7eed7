"""Apply several events in one transaction; a failing event is taken out and the rest applied.

The transport hands the consumer the deliveries that are ready (up to EVENTS_CONSUMER_BATCH_SIZE).
Their inbox rows and handler writes go into ONE transaction with one COMMIT, flushed event by
event so that a database error is charged to the event that caused it. When a handler fails
(or its inbox row collides with a replica applying the same event), the transaction is rolled
back and the batch is applied again without that event: the others still commit, the failing
one is retried or dead-lettered on its own. A batch of n events takes at most n + 1
transactions, and one when nothing fails, which is the normal case.

Why not a SAVEPOINT per event: SQLAlchemy reports each RELEASE as a Session `after_commit`,
so anything listening for commits (a crash test, the relay's wake-up) would take a savepoint
for the commit; and Python's sqlite3 lets SQLite commit the whole transaction at the first
RELEASE unless BEGIN is issued by hand. Re-running handlers is safe: they only write through
the session, like on any redelivery. See docs/decisions/0033.

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

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

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
            ids = sorted({envelopes[i].event_id for i in todo})
            seen = set(session.scalars(sa.select(InboxModel.event_id).where(InboxModel.event_id.in_(ids))))
            for i in todo:
                envelope = envelopes[i]
                if envelope.event_id in seen:  # applied before, or earlier in this batch
                    results[i] = DUPLICATE
                    continue
                results[i] = _apply_one(session, InboxModel, handlers[envelope.type], envelope, i)
                seen.add(envelope.event_id)
            if todo:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return results


def _apply_one(session: Any, InboxModel: Any, handler: Callable, envelope: Envelope, index: int) -> Result:
    session.add(InboxModel(event_id=envelope.event_id, type=envelope.type, received_at=utcnow()))
    try:
        session.flush()
    except IntegrityError:
        # Another replica is applying (or has just applied) the same event.
        raise _Excluded(index, DUPLICATE) from None
    try:
        handler(session, envelope)
        session.flush()  # the handler's database errors are charged to this event
    except Exception as exc:
        raise _Excluded(index, Result("failed", exc)) from None
    return APPLIED
