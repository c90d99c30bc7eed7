"""Rate limits on sign-in, sign-up, password change and reset, shared by every gunicorn worker
and process.

A sliding-window counter per key lives in the gateway's own database (`rate_limits`), bumped
by one atomic upsert (INSERT ... ON CONFLICT DO UPDATE ... RETURNING on SQLite and PostgreSQL
alike), so any number of workers see one count. The window slides by weighting the previous
fixed window's count by how much of it still overlaps (so a burst across a window boundary
is still caught). Keys are hashes (of the client address, of the email), never the address
or email itself.

- sign-in (lockout without denial of service, security review M7): failed attempts are counted
  per (email, client address) (RATE_LIMIT_LOGIN, default 10/minute), per client address
  (RATE_LIMIT_LOGIN_IP, default 30/minute) and per email from all addresses
  (RATE_LIMIT_LOGIN_EMAIL, default 100/hour). The first two refuse (429) every attempt of
  that pair or address until the window ends, even with the right password. The per-email
  limit refuses only clients that have themselves failed on that email in the window: a
  correct password from a client that has not been guessing is never refused because OTHER
  clients failed on the account.
- sign-up: every attempt per client address (RATE_LIMIT_REGISTER, default 100/minute: a shared
  office or a test suite signs many people up from one address; still stops scripted mass sign-up).
- password change: wrong current passwords per account (RATE_LIMIT_PASSWORD_CHANGE, 5/15minutes).
- password-reset requests: per client address (RATE_LIMIT_RESET_IP, 20/hour; then 429) and per
  email (RATE_LIMIT_RESET_EMAIL, 5/hour; past it the answer is still 202 but nothing is sent).
- notices to an existing account's owner when someone signs up with their address
  (RATE_LIMIT_ACCOUNT_NOTICE, 3/hour per email; past it nothing is sent, the answer unchanged).
Limits are "N/second|minute|hour|day" or "N/<k><unit>" (e.g. "5/10minutes"); "off" disables.

The client address is the peer. X-Forwarded-For is believed only when the peer is one of the
proxies named in RATE_LIMIT_TRUSTED_PROXIES (addresses or networks, comma separated; NONE by
default), and then the right-most hop that is not itself a trusted proxy is the client (the
left part of the header is whatever the client sent). Behind a proxy, set it to the proxy's
address (docs/deploying.md), or every client shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import re
import time

import sqlalchemy as sa
from flask import abort, current_app, request
from sqlalchemy.dialects import postgresql, sqlite

from imatter_shared.dataprotection import NOT_PII, pii
from imatter_shared.web.errors import problem

from .config import RATE_LIMIT_DEFAULTS
from .extensions import db

_UNITS = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_LIMIT = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


class RateLimit(db.Model):
    __tablename__ = "rate_limits"
    key = sa.Column(
        sa.String(80),
        primary_key=True,
        info=pii(
            "hash of a client address or sign-in email",
            "protecting sign-in and sign-up from password guessing and abuse",
            "legitimate_interests",
            "until its window ends (minutes); swept by the limiter",
        ),
    )
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
    return parse_limit(current_app.config.get(name) or RATE_LIMIT_DEFAULTS[name])


def _trusted_networks() -> list:
    text = current_app.config.get("RATE_LIMIT_TRUSTED_PROXIES") or ""
    nets = []
    for part in str(text).split(","):
        part = part.strip()
        if part:
            try:
                nets.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"RATE_LIMIT_TRUSTED_PROXIES: {part!r} is not an address or network"
                ) from None
    return nets


def _is_trusted(address: str, nets: list) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in nets)


def client_ip() -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the right-most
    X-Forwarded-For hop that is not a trusted proxy (each proxy appends the address it saw)."""
    peer = request.remote_addr or ""
    nets = _trusted_networks()
    if not nets or not _is_trusted(peer, nets):
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, nets):
            return hop[:64]
    return (hops[0] if hops else peer)[:64]


def _key(scope: str, ident: str) -> str:
    return scope + ":" + hashlib.sha256(ident.strip().lower().encode()).hexdigest()[:40]


def _estimate(count: int, prev: int, window: int, period: int, now: float) -> float:
    return prev * max(0.0, 1 - (now - window) / period) + count


def _upsert(key: str, window: int, period: int, now: float) -> float:
    table = RateLimit.__table__
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    ins = insert(table).values(
        key=key, window_start=window, count=1, prev_count=0, expires_at=window + 2 * period
    )
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
        row = conn.execute(
            sa.select(RateLimit.window_start, RateLimit.count, RateLimit.prev_count).where(
                RateLimit.key == key
            )
        ).first()
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
    abort(
        problem(
            429,
            f"Too many {what} attempts; try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )
    )


def _window(period: int, now: float) -> int:
    return int(now // period * period)


def _login_keys(email: str) -> dict[str, str]:
    ip = client_ip()
    return {
        "RATE_LIMIT_LOGIN": _key("login", "pair:" + email.strip().lower() + "\n" + ip),
        "RATE_LIMIT_LOGIN_IP": _key("login", "ip:" + ip),
        "RATE_LIMIT_LOGIN_EMAIL": _key("login", "email:" + email),
    }


def _count(name: str, key: str, now: float) -> tuple[float, int, int, int] | None:
    limit = _limit(name)
    if limit is None:
        return None
    n, period = limit
    window = _window(period, now)
    return _current(key, window, period, now), n, period, window


def check_login(email: str) -> None:
    """Before checking a password: 429 when this address, or this address on this email, has
    used up its failures; or when the email's failures from everywhere are used up AND this
    client has itself failed on it (so nobody else can lock the owner out)."""
    now = time.time()
    keys = _login_keys(email)
    pair = None
    for name in ("RATE_LIMIT_LOGIN_IP", "RATE_LIMIT_LOGIN"):
        got = _count(name, keys[name], now)
        if got is None:
            continue
        current, n, period, window = got
        if name == "RATE_LIMIT_LOGIN":
            pair = current
        if current >= n:
            _refuse(period, now, window, "sign-in")
    got = _count("RATE_LIMIT_LOGIN_EMAIL", keys["RATE_LIMIT_LOGIN_EMAIL"], now)
    if got is not None and got[0] >= got[1]:
        if pair is None:  # the pair limit is off: look at this client's own failures anyway
            pair = _current(keys["RATE_LIMIT_LOGIN"], _window(got[2], now), got[2], now)
        if pair > 0:
            _refuse(got[2], now, got[3], "sign-in")


def login_failed(email: str) -> None:
    """Count one failed sign-in against the (email, address) pair, the address and the email."""
    now = time.time()
    for name, key in _login_keys(email).items():
        limit = _limit(name)
        if limit is not None:
            _upsert(key, _window(limit[1], now), limit[1], now)


def check(scope: str, name: str, ident: str, what: str) -> None:
    """429 when `ident` has used up the limit `name` in `scope` (without counting this one)."""
    now = time.time()
    got = _count(name, _key(scope, ident), now)
    if got is not None and got[0] >= got[1]:
        _refuse(got[2], now, got[3], what)


def count(scope: str, name: str, ident: str) -> None:
    """Count one event of `scope` by `ident` (a failure checked later by check())."""
    limit = _limit(name)
    if limit is not None:
        now = time.time()
        _upsert(_key(scope, ident), _window(limit[1], now), limit[1], now)


def allow(scope: str, name: str, ident: str) -> bool:
    """Count one event and say whether it is still within the limit (no 429: the caller goes
    on quietly, e.g. sends no email but answers as always)."""
    limit = _limit(name)
    if limit is None:
        return True
    n, period = limit
    now = time.time()
    return _upsert(_key(scope, ident), _window(period, now), period, now) <= n


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
