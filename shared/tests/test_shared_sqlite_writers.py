"""SQLite writers queue for the file instead of polling in SQLite's busy handler (decision 0070).

Every engine here has a busy timeout of 0: a writer that found SQLite's write lock taken would
fail at once with "database is locked" instead of sleeping, so a test that passes shows that no
writer ever waited in SQLite's handler.
"""

from __future__ import annotations

import gc
import multiprocessing
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from imatter_shared import sqlite_writers
from imatter_shared.sqlite_writers import Connection, begins_write, slot_for

PROCESSES, THREADS, TRANSACTIONS = 3, 4, 30


def _engine(url: str, queued: bool = True):
    options = {"connect_args": {"timeout": 0}}  # busy_timeout 0: no waiting in SQLite's handler
    return sa.create_engine(url, **(sqlite_writers.engine_options(url, options) if queued else options))


@pytest.fixture
def db_url(tmp_path):
    url = f"sqlite:///{tmp_path}/w.db"
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
        conn.exec_driver_sql("CREATE TABLE counter (n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (0)")
    return url


def _writers(url: str, who: str) -> list[str]:
    """THREADS threads of this process, each TRANSACTIONS transactions: a read, then two writes."""
    engine, errors = _engine(url), []

    def run(thread: int) -> None:
        for i in range(TRANSACTIONS):
            try:
                with engine.begin() as conn:
                    conn.execute(sa.text("SELECT n FROM counter")).scalar()  # a read, then writes
                    conn.execute(sa.text("INSERT INTO t (who) VALUES (:w)"), {"w": f"{who}-{thread}-{i}"})
                    time.sleep(0.001)  # a transaction that lasts: the others must find the lock taken
                    conn.execute(sa.text("UPDATE counter SET n = n + 1"))
            except sa.exc.OperationalError as exc:
                errors.append(str(exc.orig))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    return errors


def _process(url: str, who: str, out) -> None:
    out.put(_writers(url, who))


def _totals(url: str) -> tuple[int, int, int]:
    with sa.create_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*), count(DISTINCT who) FROM t")).one()
        return rows[0], rows[1], conn.execute(sa.text("SELECT n FROM counter")).scalar()


def test_writers_of_several_processes_and_threads_all_commit_without_the_busy_handler(db_url):
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_process, args=(db_url, f"p{n}", out)) for n in range(PROCESSES)]
    for p in procs:
        p.start()
    errors = [e for _ in procs for e in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
    assert errors == []
    total = PROCESSES * THREADS * TRANSACTIONS
    assert _totals(db_url) == (total, total, total)  # no write lost, the counter exact


def test_without_the_queue_a_busy_timeout_of_0_fails_as_soon_as_another_writer_holds_the_lock(db_url):
    holder, other = _engine(db_url, queued=False), _engine(db_url, queued=False)
    with holder.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('holder')"))
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            with other.begin() as c2:
                c2.execute(sa.text("INSERT INTO t (who) VALUES ('other')"))


def _wait_until(check, what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def test_a_writer_finding_the_slot_taken_waits_for_the_commit_then_writes(db_url):
    holder, other = _engine(db_url), _engine(db_url)
    slot = slot_for(db_url.split("///", 1)[1])
    waits, errors = slot.waits, []

    def write() -> None:
        try:
            with other.begin() as conn:
                conn.execute(sa.text("INSERT INTO t (who) VALUES ('second')"))
        except sa.exc.OperationalError as exc:
            errors.append(exc)

    with holder.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('first')"))
        second = threading.Thread(target=write)
        second.start()
        _wait_until(lambda: slot.queued == 1, "the second writer never queued")
    second.join(timeout=10)
    assert errors == [] and not second.is_alive()
    assert slot.waits == waits + 1
    assert _totals(db_url)[0] == 2


def test_a_thread_holding_the_slot_does_not_queue_behind_itself(db_url):
    """A second connection of the same thread gets SQLite's answer (locked), not a deadlock."""
    first, second = _engine(db_url), _engine(db_url)
    with first.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('first')"))
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            with second.begin() as c2:
                c2.execute(sa.text("INSERT INTO t (who) VALUES ('second')"))
    with second.begin() as c2:  # and the slot was given back by both
        c2.execute(sa.text("INSERT INTO t (who) VALUES ('third')"))
    assert _totals(db_url)[0] == 2


def test_a_read_transaction_that_then_writes_gets_sqlites_answer_not_a_deadlock(db_url):
    """BEGIN, a read, then a write while another writer commits: SQLite refuses the stale snapshot's
    write at once (as without the queue), the slot is given back, the next writer goes through."""
    path = db_url.split("///", 1)[1]
    reader = sqlite3.connect(
        path, timeout=0, factory=Connection, isolation_level=None, check_same_thread=False
    )
    holder = _engine(db_url)
    slot, outcome = slot_for(path), []
    cur = reader.cursor()
    cur.execute("BEGIN")
    cur.execute("SELECT count(*) FROM t").fetchall()  # a read snapshot

    def late_write() -> None:
        try:
            cur.execute("INSERT INTO t (who) VALUES ('late')")
            outcome.append("written")
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        cur.execute("ROLLBACK")

    with holder.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('holder')"))
        late = threading.Thread(target=late_write)
        late.start()
        _wait_until(lambda: slot.queued == 1, "the late writer never queued")
    late.join(timeout=10)
    assert not late.is_alive() and outcome == ["database is locked"]
    assert not reader.holds_slot
    with holder.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('next')"))
    reader.close()
    assert _totals(db_url)[0] == 2


def test_the_slot_is_given_back_after_a_failed_write_a_rollback_and_a_close(db_url):
    path = db_url.split("///", 1)[1]
    conn = sqlite3.connect(path, timeout=0, factory=Connection)
    cur = conn.cursor()
    cur.execute("INSERT INTO t (id, who) VALUES (1, 'a')")
    assert conn.holds_slot
    with pytest.raises(sqlite3.IntegrityError):
        cur.execute("INSERT INTO t (id, who) VALUES (1, 'again')")
    assert conn.holds_slot  # the transaction is still open
    conn.rollback()
    assert not conn.holds_slot
    cur.execute("UPDATE counter SET n = 5")
    conn.close()
    auto = sqlite3.connect(path, timeout=0, factory=Connection, isolation_level=None)
    auto.cursor().execute("INSERT INTO t (who) VALUES ('autocommit')")
    assert not auto.holds_slot  # no transaction left open: given back at once
    auto.close()
    assert _totals(db_url) == (1, 1, 0)


def test_a_connection_dropped_in_its_write_transaction_gives_the_slot_back(db_url):
    path = db_url.split("///", 1)[1]
    dropped = sqlite3.connect(path, timeout=0, factory=Connection)
    dropped.cursor().execute("INSERT INTO t (who) VALUES ('dropped')")
    slot = slot_for(path)
    assert dropped.holds_slot and slot.held
    del dropped
    gc.collect()
    assert not slot.held
    with _engine(db_url).begin() as conn:  # no wait: the slot and SQLite's lock are free
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('next')"))
    assert _totals(db_url)[0] == 1 and slot.waits == 0


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t SET x = 1", True),
        ("DELETE FROM t", True),
        ("REPLACE INTO t VALUES (1)", True),
        ("BEGIN IMMEDIATE", True),
        ("begin  exclusive", True),
        ("CREATE TABLE u (x INTEGER)", True),
        ("DROP INDEX ix_u", True),
        ("ALTER TABLE u ADD COLUMN y", True),
        ("BEGIN", False),
        ("SELECT * FROM t", False),
        ("PRAGMA journal_mode=WAL", False),
        ("SAVEPOINT sa_1", False),
    ],
)
def test_what_takes_the_write_lock(sql, writes):
    assert begins_write(sql) is writes


def test_only_sqlite_files_get_the_queue():
    assert sqlite_writers.engine_options("sqlite:////tmp/x.db", {"connect_args": {"timeout": 3}}) == {
        "connect_args": {"factory": Connection, "timeout": 3}
    }
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u@h/db"):
        assert sqlite_writers.engine_options(url, {"pool_pre_ping": True}) == {"pool_pre_ping": True}


def test_a_service_on_a_sqlite_file_writes_through_the_queue(tmp_path):
    from support.testing import KeyPair  # tests/support: importable in the repository's test run
    from training import create_app
    from training.extensions import db

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/training.db",
            "JWT_PUBLIC_KEY": KeyPair().public,
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        raw = db.engine.raw_connection()
        assert isinstance(raw.driver_connection, Connection)
        assert raw.driver_connection.writer_slot.lock_path == f"{tmp_path}/training.db.writers.lock"
        raw.close()
        db.engine.dispose()


def test_a_connection_let_in_by_sqlite_after_its_queueing_timed_out_does_not_queue_again(db_url, monkeypatch):
    """Found in review: a writer whose queueing timed out and whom SQLite's handler then let in
    holds SQLite's write lock without the slot; queueing again for its next write would wait on the
    slot's next holder, who waits on that lock. It does not queue again until its transaction ends."""
    path = db_url.split("///", 1)[1]
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 0.2)
    late = sqlite3.connect(path, timeout=5, factory=Connection, check_same_thread=False)
    slot, steps, second = slot_for(path), [], threading.Event()

    def write_twice() -> None:
        cur = late.cursor()
        cur.execute("INSERT INTO t (who) VALUES ('late-1')")  # queues 0.2 s, then SQLite's handler
        steps.append("first")
        second.wait(10)
        t0 = time.monotonic()
        cur.execute("INSERT INTO t (who) VALUES ('late-2')")  # must not queue behind the slot's holder
        steps.append(time.monotonic() - t0)
        late.commit()

    holder = _engine(db_url)
    with holder.begin() as conn:
        conn.execute(sa.text("INSERT INTO t (who) VALUES ('holder')"))
        writer = threading.Thread(target=write_twice)
        writer.start()
        _wait_until(lambda: late.unqueued, "the late writer's queueing never timed out")
    _wait_until(lambda: steps == ["first"], "SQLite never let the late writer in")
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 5.0)
    assert not late.holds_slot and slot.acquire()  # another writer takes the slot, as one would now
    try:
        second.set()
        writer.join(timeout=3)
        assert not writer.is_alive(), "the late writer queued behind the slot's holder"
        assert steps[1] < 1.0
    finally:
        slot.release()
    assert not late.unqueued and not late.holds_slot  # its transaction ended: it queues again next time
    late.close()
    assert _totals(db_url)[0] == 3
