"""The invariants checked after each drill, against both databases and the broker.

- every accepted package is one microproject in cic-tracker, and nothing else is (exactly once
  on both sides); every signed-off practicum is recorded once in training; every award is paid
  (redeemed) once, by one package;
- no outbox row left unpublished after recovery; no message left on a consumer's queue;
- each dead-letter queue holds exactly the poison sent to it;
- no 5xx but 502/503 (and refused connections) inside a window where a service was down;
- no request data (the workload's marker, its password, a token) in any log.
"""

from __future__ import annotations

import re
import time

import pika
import sqlalchemy as sa

from drills.workload import MARKER, PASSWORD, Ledger


def _rows(url: str, sql: str) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


def _ids(url: str, sql: str) -> set:
    return {row[0] for row in _rows(url, sql)}


def backlog(stack) -> dict[str, int]:
    """Unpublished outbox rows per service, and messages waiting on each consumer's queue."""
    out = {}
    for name in ("training", "cic"):
        out[f"{name}_outbox"] = _rows(
            stack.database_urls[name], "SELECT count(*) FROM outbox_messages WHERE state <> 'published'"
        )[0][0]
    for service in ("training", "cic-tracker"):
        out[f"{service}_queue"] = queue_depth(stack, stack.queue(service))
        out[f"{service}_unacked"] = unacked(stack, stack.queue(service))
    return out


def unacked(stack, queue: str) -> int:
    """Messages delivered to a consumer and not settled yet (queue_declare counts only ready ones)."""
    out = stack.infra.ctl(
        "list_queues", "-p", stack.infra.vhost, "name", "messages_unacknowledged", "-q", "--no-table-headers"
    )
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == queue:
            return int(parts[1])
    raise AssertionError(f"no queue {queue}")


def queue_depth(stack, queue: str) -> int:
    conn = pika.BlockingConnection(pika.URLParameters(stack.infra.amqp_url))
    try:
        ch = conn.channel()
        return ch.queue_declare(queue, passive=True).method.message_count
    finally:
        conn.close()


def dead_letter_ids(stack, queue: str) -> list[str]:
    """message_ids on `queue`.dead, read without taking them (unacked, returned on close)."""
    conn = pika.BlockingConnection(pika.URLParameters(stack.infra.amqp_url))
    ids = []
    try:
        ch = conn.channel()
        ch.basic_qos(prefetch_count=1000)
        dead = f"{queue}.dead"
        for _ in range(ch.queue_declare(dead, passive=True).method.message_count):
            method, props, _body = ch.basic_get(dead, auto_ack=False)
            if method is None:
                break
            ids.append(props.message_id)
    finally:
        conn.close()
    return ids


def wait_recovered(stack, timeout: float = 180) -> float:
    """Seconds until every outbox is published and every queue drained (twice in a row)."""
    start = time.monotonic()
    calm = 0
    while time.monotonic() - start < timeout:
        try:
            calm = calm + 1 if not any(backlog(stack).values()) else 0
        except Exception:  # the broker or a database is still coming back
            calm = 0
        if calm >= 2:
            return time.monotonic() - start
        time.sleep(0.3)
    raise AssertionError(f"no recovery in {timeout} s: {backlog(stack)}")


def invariants(stack, ledger: Ledger, poison: dict[str, list[str]], baseline: dict, down: list) -> list[str]:
    """Every broken invariant, as a sentence (empty: all held). `baseline` is `counts()` before the
    workload (the demo seed); `down` the (start, end) windows a service or the database was down.

    A request answered 502/503 (or cut off) inside such a window may still have committed: its
    answer, not its effect, was lost (the client cannot tell; docs/reliability.md). Such effects
    are allowed, no more of them than there were lost answers on that path, except for package
    purchases: the workload repeats them under an Idempotency-Key (decision 0054), so the packages
    stored are exactly the ones the clients saw accepted."""
    t, c = stack.database_urls["training"], stack.database_urls["cic"]
    broken = []
    packages = _ids(t, "SELECT id FROM packages") - baseline["packages"]
    workspaces = _ids(c, "SELECT package_id FROM microprojects") - baseline["workspaces"]
    if packages != workspaces:
        broken.append(f"packages sold != workspaces: {len(packages)} vs {len(workspaces)}")
    lost = lost_answers(ledger, down, PACKAGE_PATH)
    if ledger.packages != packages:  # no allowance: every purchase is repeated with its key
        broken.append(
            f"accepted packages {len(ledger.packages)} vs stored {len(packages)} ({lost} answers lost, "
            "repeated with their Idempotency-Key)"
        )
    done_t = _ids(t, "SELECT id FROM packages WHERE practicum_state = 'completed'") - baseline["done_t"]
    done_c = _ids(c, "SELECT package_id FROM microprojects WHERE state = 'completed'") - baseline["done_c"]
    lost = lost_answers(ledger, down, SIGN_OFF_PATH)
    if done_t != done_c or not ledger.signed_off <= done_c or len(done_c - ledger.signed_off) > lost:
        broken.append(
            f"practicums: signed off {len(ledger.signed_off)}, cic {len(done_c)}, training {len(done_t)}; "
            f"{trace(stack, done_c ^ done_t, 'cic.practicum.completed')}"
        )
    paid_c = set(_rows(c, PAID_C)) - baseline["paid_c"]
    used_t = set(_rows(t, USED_T)) - baseline["used_t"]
    by_award = set(_rows(t, BY_AWARD)) - baseline["by_award"]
    if not (paid_c == used_t == by_award) or {a for a, _ in paid_c} != ledger.awards:
        broken.append(
            f"awards: accepted {len(ledger.awards)}, redeemed in cic {len(paid_c)}, used in training {len(used_t)}"
        )
    for service, proc in (("training", "training_consumer"), ("cic", "cic_consumer")):
        missing = handled(stack, proc) - _ids(
            stack.database_urls[service], "SELECT event_id FROM inbox_messages"
        )
        if missing:
            broken.append(
                f"{proc} reported {len(missing)} event(s) handled that its inbox lacks: {sorted(missing)[:5]}"
            )
    waiting = backlog(stack)
    if any(waiting.values()):
        broken.append(f"left after recovery: {waiting}")
    for service, sent in poison.items():
        held = dead_letter_ids(stack, stack.queue(service))
        if sorted(held) != sorted(sent):
            broken.append(f"dead letters of {service}: {len(held)} held, {len(sent)} poison sent")
    outside = [a for a in ledger.server_errors() if not (a[3] in (502, 503, 599) and _within(a[0], down))]
    if outside:
        broken.append(f"{len(outside)} server errors outside an outage, e.g. {outside[:3]}")
    failed = [f for f in ledger.failures if not _within(f[0], down, grace=EVENT_GRACE)]
    if failed:
        broken.append(f"{len(failed)} journeys broke outside an outage, e.g. {failed[:2]}")
    logs = stack.logs()
    for secret, what in ((MARKER, "request text"), (PASSWORD, "a password"), ("Bearer ey", "a token")):
        if secret in logs:
            broken.append(f"{what} found in a log")
    return broken


EVENT_GRACE = 2.0
PACKAGE_PATH = re.compile(r"^/api/v1/organisations/[^/]+/packages$")
SIGN_OFF_PATH = re.compile(r"^/api/v1/tracker/microprojects/[^/]+/sign-off$")
PAID_C = "SELECT id, package_id FROM fund_awards WHERE state = 'redeemed'"
USED_T = "SELECT id, package_id FROM fund_awards WHERE state = 'used'"
BY_AWARD = "SELECT fund_award_id, id FROM packages WHERE fund_award_id IS NOT NULL"


def handled(stack, process: str) -> set:
    """event_ids a consumer process logged as handled (applied or found in its inbox)."""
    import json

    ids = set()
    for line in stack.read_log(process).splitlines():
        if '"event handled"' in line:
            try:
                ids.add(json.loads(line)["event_id"])
            except (ValueError, KeyError):
                pass
    return ids


def trace(stack, package_ids: set, event_type: str) -> str:
    """Where the events of these packages are: the producer's outbox row, the consumer's inbox."""
    t, c = stack.database_urls["training"], stack.database_urls["cic"]
    out = []
    for pid in sorted(package_ids)[:5]:
        rows = _rows(
            c,
            f"SELECT event_id, state, times_sent, published_at FROM outbox_messages "
            f"WHERE type = '{event_type}' AND payload LIKE '%{pid}%'",
        )
        for event_id, state, times, published in rows:
            seen = _rows(t, f"SELECT received_at FROM inbox_messages WHERE event_id = '{event_id}'")
            out.append(f"{pid}: event {event_id} {state} x{times} at {published}, inbox {seen}")
        if not rows:
            out.append(f"{pid}: no {event_type} in the outbox")
    return "; ".join(out)


def lost_answers(ledger: Ledger, down: list, path: re.Pattern) -> int:
    """POSTs to `path` answered 502/503 or cut off inside an outage window."""
    return sum(
        1
        for at, method, p, status in ledger.answers
        if method == "POST" and status in (502, 503, 599) and path.match(p) and _within(at, down)
    )


def _within(t: float, windows: list, grace: float = 1.0) -> bool:
    return any(start - grace <= t <= end + grace for start, end in windows)


def counts(stack) -> dict:
    t, c = stack.database_urls["training"], stack.database_urls["cic"]
    return {
        "packages": _ids(t, "SELECT id FROM packages"),
        "workspaces": _ids(c, "SELECT package_id FROM microprojects"),
        "done_t": _ids(t, "SELECT id FROM packages WHERE practicum_state = 'completed'"),
        "done_c": _ids(c, "SELECT package_id FROM microprojects WHERE state = 'completed'"),
        "paid_c": set(_rows(c, PAID_C)),
        "used_t": set(_rows(t, USED_T)),
        "by_award": set(_rows(t, BY_AWARD)),
    }
