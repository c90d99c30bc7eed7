"""Rate limits on sign-in and sign-up, shared by every gunicorn worker and process.

A sliding-window counter per key lives in the gateway's own database (`rate_limits`), bumped
by one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING on SQLite and PostgreSQL
alike), so any number of workers see one count. The window slides by weighting the previous
fixed window's count by how much of it still overlaps (so a burst across a window boundary
is still caught). Keys are hashes (of the client address, of the email), never the address
or email itself.

- sign-in: failed attempts are counted per email (RATE_LIMIT_LOGIN, default 10/minute) and
  per client address (RATE_LIMIT_LOGIN_IP, default 30/minute); once either is used up every
  attempt is refused with 429 until the window ends, even with the right password, so
  guessing gains nothing.
- sign-up: every attempt per client address (RATE_LIMIT_REGISTER, default 100/minute: a shared
  office or a test suite signs many people up from one address; still stops scripted mass sign-up).
Limits are "N/second|minute|hour|day" or "N/<k><unit>" (e.g. "5/10minutes"); "off" disables.
The client address is the peer, or the first X-Forwarded-For hop when the peer is a trusted
proxy (RATE_LIMIT_TRUSTED_PROXIES, default loopback: the portal calls the API in-process).
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import time

import sqlalchemy as sa
from flask import abort, current_app, request
from sqlalchemy.dialects import postgresql, sqlite

from imatter_shared.dataprotection import NOT_PII, pii
from imatter_shared.web.errors import problem

from .extensions import db

DEFAULTS = {"RATE_LIMIT_LOGIN": "10/minute", "RATE_LIMIT_LOGIN_IP": "30/minute", "RATE_LIMIT_REGISTER": "100/minute",
            "RATE_LIMIT_VERIFY_RESEND": "5/hour"}
_UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


class RateLimit(db.Model):
    __tablename__ = "rate_limits"
    key = sa.Column(sa.String(80), primary_key=True,
                    info=pii("hash of a client address or sign-in email", "protecting sign-in and sign-up from "
                             "password guessing and abuse", "legitimate_interests",
                             "until its window ends (minutes); swept by the limiter"))
    window_start = sa.Column(sa.BigInteger, nullable=False, info=NOT_PII)
    count = sa.Column(sa.Integer, nullable=False, info=NOT_PII)
    prev_count = sa.Column(sa.Integer, nullable=False, default=0, info=NOT_PII)
    expires_at = sa.Column(sa.BigInteger, nullable=False, index=True, info=NOT_PII)


def parse_limit(text: str) -> tuple[int, int] | None:
    """'10/minute' -> (10, 60); 'off' -> None."""
    if str(text).strip().lower() in ("off", "none", "0", ""):
        return None
    m = _LIMIT.match(str(text).lower())
    if not m or m.group(3) not in _UNITS:
        raise ValueError(f"rate limit {text!r} is not like '10/minute'")
    return int(m.group(1)), int(m.group(2) or 1) * _UNITS[m.group(3)]


def _limit(name: str) -> tuple[int, int] | None:
    value = current_app.config.get(name) or os.environ.get(name) or DEFAULTS[name]
    return parse_limit(value)


def client_ip() -> str:
    peer = request.remote_addr or ""
    trusted = current_app.config.get("RATE_LIMIT_TRUSTED_PROXIES") or os.environ.get(
        "RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1,::1")
    if peer in {p.strip() for p in str(trusted).split(",")}:
        first = request.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if first:
            return first[:64]
    return peer


def _key(scope: str, ident: str) -> str:
    return scope + ":" + hashlib.sha256(ident.strip().lower().encode()).hexdigest()[:40]


def _estimate(count: int, prev: int, window: int, period: int, now: float) -> float:
    return prev * max(0.0, 1 - (now - window) / period) + count


def _upsert(key: str, window: int, period: int, now: float) -> float:
    table = RateLimit.__table__
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    ins = insert(table).values(key=key, window_start=window, count=1, prev_count=0, expires_at=window + 2 * period)
    same = table.c.window_start == ins.excluded.window_start
    previous = table.c.window_start == ins.excluded.window_start - period
    stmt = ins.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={  # every SET sees the row as it was before this statement
            "prev_count": sa.case((same, table.c.prev_count), (previous, table.c.count), else_=0),
            "count": sa.case((same, table.c.count + 1), else_=1),
            "window_start": ins.excluded.window_start,
            "expires_at": ins.excluded.expires_at,
        },
    ).returning(table.c.count, table.c.prev_count)
    # its own short transaction: the count must stick whatever the request does next
    with db.engine.begin() as conn:
        count, prev = conn.execute(stmt).one()
        if random.random() < 0.02:  # sweep finished windows now and then
            conn.execute(sa.delete(table).where(table.c.expires_at < int(now)))
    return _estimate(count, prev, window, period, now)


def _current(key: str, window: int, period: int, now: float) -> float:
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(RateLimit.window_start, RateLimit.count, RateLimit.prev_count)
                           .where(RateLimit.key == key)).first()
    if row is None:
        return 0.0
    start, count, prev = row
    if start == window:
        return _estimate(count, prev, window, period, now)
    if start == window - period:
        return _estimate(0, count, window, period, now)
    return 0.0


def _refuse(period: int, now: float, window: int, what: str):
    retry = max(1, int(window + period - now + 0.999))
    abort(problem(429, f"Too many {what} attempts; try again in {retry} seconds.",
                  headers={"Retry-After": str(retry)}))


def _window(period: int, now: float) -> int:
    return int(now // period * period)


def check_login(email: str) -> None:
    """Before checking a password: 429 when this email or address has used up its failures."""
    now = time.time()
    for name, ident in (("RATE_LIMIT_LOGIN", "email:" + email), ("RATE_LIMIT_LOGIN_IP", "ip:" + client_ip())):
        limit = _limit(name)
        if limit is None:
            continue
        n, period = limit
        window = _window(period, now)
        if _current(_key("login", ident), window, period, now) >= n:
            _refuse(period, now, window, "sign-in")


def login_failed(email: str) -> None:
    """Count one failed sign-in against the email and the client address."""
    now = time.time()
    for name, ident in (("RATE_LIMIT_LOGIN", "email:" + email), ("RATE_LIMIT_LOGIN_IP", "ip:" + client_ip())):
        limit = _limit(name)
        if limit is not None:
            _upsert(_key("login", ident), _window(limit[1], now), limit[1], now)


def hit_register() -> None:
    """Count one sign-up attempt from this address; 429 past the limit."""
    limit = _limit("RATE_LIMIT_REGISTER")
    if limit is None:
        return
    n, period = limit
    now = time.time()
    window = _window(period, now)
    if _upsert(_key("register", "ip:" + client_ip()), window, period, now) > n:
        _refuse(period, now, window, "sign-up")


def hit(scope: str, name: str, ident: str, what: str) -> None:
    """Count one attempt of `scope` by `ident` against the limit `name`; 429 past it."""
    limit = _limit(name)
    if limit is None:
        return
    n, period = limit
    now = time.time()
    window = _window(period, now)
    if _upsert(_key(scope, ident), window, period, now) > n:
        _refuse(period, now, window, what)
