"""The public directory's exact total without counting the listing per request (issue 18 P3,
decision 0036).

`directory_counters` row "listed" holds the number of directory entries that are opted in and
eligible. Every change to an entry's `opted_in` or `eligible` goes through `flip()` here: a
guarded `UPDATE ... WHERE <flag> = <old value> RETURNING <other flag>`, so each statement reports
exactly the entries whose listed state it changed. On PostgreSQL a concurrent change of the same
entry waits for its row lock and then re-checks the guard against the committed row, so two
requests never both count one flip; SQLite serialises writers. A new entry is inserted unlisted
(opted_in false) and flipped like any other.

A transaction's flips are summed in the session and applied to the counter once, just before it
commits (`before_commit`, registered on training's own session factory by `register()` from
create_app), as `n = n + :delta` (the row is made at 0 first where it is missing:
a database made by `create_all`, or emptied). The counter's single row is thus locked only for the commit
and always after the entry rows, so two transactions cannot deadlock on it; a rollback discards
the sum with the entries. The same statement gives the row a new random `version`: a search's
count (`search_total`) is remembered per (version, words) and is exact while the version stands.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models.base import new_id
from ..models.directory import DirectoryCounter, DirectoryEntry

LISTED = "listed"
_PENDING = "directory_listed_delta"  # session.info key: this transaction's net flips
_REMEMBERED = 512  # search totals kept per process (a few KB)
_search_totals: OrderedDict[tuple[str, str], int] = OrderedDict()
_lock = threading.Lock()


def _note(delta: int) -> None:
    """Record this transaction's change (also 0: an entry's words changed, so searches did)."""
    info = db.session.info
    info[_PENDING] = info.get(_PENDING, 0) + delta


def flip(flag: str, value: bool, where: Iterable, **values) -> int:
    """Set `flag` (opted_in | eligible) to `value` on the entries matching `where` whose flag is not
    `value` yet (with `values` besides); count, in the counter, those whose other flag is true.
    Returns how many entries changed."""
    column, other = (
        (DirectoryEntry.opted_in, DirectoryEntry.eligible)
        if flag == "opted_in"
        else (DirectoryEntry.eligible, DirectoryEntry.opted_in)
    )
    others = (
        db.session.execute(
            sa.update(DirectoryEntry)
            .where(*where, column == (not value))
            .values({flag: value, **values})
            .returning(other)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    sign = 1 if value else -1
    _note(sign * sum(1 for o in others if o))
    return len(others)


def entry_changed() -> None:
    """An entry's shown words changed without a flip: searches may count differently."""
    _note(0)


def _apply(session) -> None:
    delta = session.info.pop(_PENDING, None)
    if delta is None:
        return
    change = (
        sa.update(DirectoryCounter)
        .where(DirectoryCounter.scope == LISTED)
        .values(n=DirectoryCounter.n + delta, version=new_id())
        .execution_options(synchronize_session=False)
    )
    if session.execute(change).rowcount == 1:
        return
    # no row (a database made by create_all, or emptied): nothing was listed; make it at 0, once
    # even if two transactions get here together, then change it like any other time
    dialect = postgresql if session.connection().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(DirectoryCounter)
        .values(scope=LISTED, n=0, version=new_id())
        .on_conflict_do_nothing(index_elements=[DirectoryCounter.scope])
    )
    session.execute(change)


def _discard(session, *_args) -> None:
    session.info.pop(_PENDING, None)


def register() -> None:
    """Apply each transaction's flips when it commits, on this service's own sessions only (called
    by create_app, as audit.register is: no listener on every Session in the process, 0026)."""
    factory = db.session.session_factory
    for event, fn in (("before_commit", _apply), ("after_soft_rollback", _discard)):
        if not sa.event.contains(factory, event, fn):
            sa.event.listen(factory, event, fn)


def listed() -> tuple[int, str | None]:
    """(entries opted in and eligible, the counter's version). No row yet: nothing was listed."""
    row = db.session.execute(
        sa.select(DirectoryCounter.n, DirectoryCounter.version).where(DirectoryCounter.scope == LISTED)
    ).first()
    return (int(row.n), row.version) if row else (0, None)


def search_total(words: str, count: Callable[[], int]) -> int:
    """The exact number of listed entries matching `words`: `count()` once per counter version,
    then remembered until any listed entry changes (which gives the counter a new version)."""
    _n, version = listed()
    if version is None:
        return count()
    key = (version, words)
    with _lock:
        if key in _search_totals:
            _search_totals.move_to_end(key)
            return _search_totals[key]
    total = count()  # read after the version: it is at least as new as that version
    with _lock:
        _search_totals[key] = total
        while len(_search_totals) > _REMEMBERED:
            _search_totals.popitem(last=False)
    return total
