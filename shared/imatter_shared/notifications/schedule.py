"""When a reminder is due: pure functions, no Flask, no database.

A reminder has steps before a due date (a licence: 60, 30 and 7 days). At any moment the
step to send is the nearest one already reached; the larger ones passed while nobody looked
are not sent late (one email, the most urgent, rather than three at once). With the due date
in the dedup key, each step goes once per due date, and a renewal (new due date) starts over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def due_step(due: datetime, at: datetime, steps: Sequence[int]) -> int | None:
    """The smallest step (days) whose window `due - step days <= at < due` holds; None when
    no step is reached yet or the due date has passed."""
    if at >= due:
        return None
    reached = [s for s in steps if due - timedelta(days=s) <= at]
    return min(reached) if reached else None


def reminder_key(*parts: object) -> str:
    """`licence:<id>:2027-01-31:30d` — the thing, the due date and the step."""
    out = []
    for p in parts:
        out.append(p.date().isoformat() if isinstance(p, datetime) else str(p))
    return ":".join(out)[:200]
