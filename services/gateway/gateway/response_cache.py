"""The gateway's cache of training's public catalogue answers (decision 0034).

Training answers every public GET under /api/v1/catalogue/ with a strong `ETag` (the price-book
version and a digest of the body) and `Cache-Control: public, max-age=0, s-maxage=N,
must-revalidate`. This cache, one per gateway worker (the app instance), bounded, keeps those
answers keyed by service and path with query, and for a catalogue GET (from an API client through
the proxy, or from a portal page through portal/client.py):

- within s-maxage it answers from memory without contacting training: 200 with the body, or 304
  when the client's `If-None-Match` holds the tag;
- after it, it revalidates with its own tag (`If-None-Match`): training's 304 costs training one
  small query and no body; a 200 replaces the entry.

Only answers training marks `public` with an ETag are kept (never one with `Set-Cookie`, `Vary`,
`private` or `no-store`), so nothing that depends on the caller can be served to another caller.
The caller's token is still checked in full before the cache is looked at; the catalogue is then
asked for without it (its answers do not depend on the caller), and the client's own answer still
says `no-store` when its request carried a token (security review L11).

Staleness: a non-GET request this gateway sends to training under a path that can change a
catalogue answer (`/api/v1/price-book`, `/api/v1/catalogue/`: the price-book edit; every catalogue
answer is built from the price book in force) empties the cache of this worker at once and bumps a generation file that every worker of this
host checks (one stat) before using its cache, so an edit through any worker is seen by all of
them on their next request. An edit that does not pass through this host (another gateway host,
`flask catalogue publish`) is seen within s-maxage seconds. An answer fetched while an edit was
in flight is not kept as fresh (the generation is compared before storing).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import parse_cache_control_header, parse_etags, unquote_etag

log = logging.getLogger("imatter.gateway.cache")

CACHEABLE_PREFIX = "/api/v1/catalogue/"
CACHEABLE_SERVICE = "TRAINING_URL"
# the writes that can change a catalogue answer: only these empty the cache. Any other write (an
# organisation, a purchase...) leaves it alone: emptying it cost every write a file write and a
# rename (28 % of the gateway's CPU per created organisation, py-spy, docs/performance.md 2c).
INVALIDATING_PREFIXES = ("/api/v1/price-book", CACHEABLE_PREFIX)
MAX_BODY = 512 * 1024  # bytes; a larger answer is passed through, not kept
# not kept with an entry: hop-by-hop, per-answer or per-request headers
_NOT_STORED = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "date",
    "x-request-id",
    "age",
}


# request headers a catalogue GET through the cache does not forward (see fetch)
_NOT_FORWARDED = {"if-none-match", "if-modified-since", "authorization", "cookie"}


@dataclass(frozen=True)
class Answer:
    """What the caller sends back: status, body and headers (already filtered)."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str  # as sent, quoted
    cache_control: str
    stored: float  # time.monotonic()
    fresh_until: float

    def answer(self, client_etags: str | None, now: float) -> Answer:
        age = ("Age", str(max(int(now - self.stored), 0)))
        if client_etags and _matches(client_etags, self.etag):
            return Answer(304, b"", [("ETag", self.etag), ("Cache-Control", self.cache_control), age])
        return Answer(200, self.body, [*self.headers, age])


def _matches(client_etags: str, etag: str) -> bool:
    tag, _weak = unquote_etag(etag)
    return parse_etags(client_etags).contains_weak(tag)


def _freshness(cache_control: str | None) -> float | None:
    """Seconds a shared cache may reuse the answer; None when it may not be kept at all."""
    if not cache_control:
        return None
    cc = parse_cache_control_header(cache_control, cls=ResponseCacheControl)
    if not cc.public or cc.private or cc.no_store:
        return None
    if cc.no_cache:
        return 0.0
    seconds = cc.s_maxage if cc.s_maxage is not None else cc.max_age
    return float(max(seconds or 0, 0))


def _entry(status: int, headers, body: bytes, now: float) -> Entry | None:
    """An entry for a 200 training marked public and tagged, else None."""
    if status != 200 or len(body) > MAX_BODY:
        return None
    lower = {k.lower() for k, _v in headers.items()}
    if "set-cookie" in lower or "vary" in lower:
        return None
    etag, cache_control = headers.get("ETag"), headers.get("Cache-Control")
    seconds = _freshness(cache_control)
    if not etag or seconds is None or etag.startswith("W/"):
        return None
    kept = tuple((k, v) for k, v in headers.items() if k.lower() not in _NOT_STORED)
    return Entry(body, kept, etag, cache_control, now, now + seconds)


class ResponseCache:
    """One worker's entries: a bounded LRU, and the host-wide generation it was filled under."""

    def __init__(self, generation_file: str | None, max_entries: int = 256):
        self.generation_file = generation_file
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._seen = self._stamp()

    def _stamp(self):
        if not self.generation_file:
            return None
        try:
            st = os.stat(self.generation_file)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def generation(self):
        """The host's generation now; entries filled under an older one are dropped first."""
        stamp = self._stamp()
        if stamp != self._seen:
            with self._lock:
                self._entries.clear()
                self._seen = stamp
        return stamp

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry, generation) -> None:
        """Keep `entry` unless an edit went through since its request started (`generation`):
        then it is kept already stale, so that its next use revalidates."""
        if self._stamp() != generation:
            entry = Entry(entry.body, entry.headers, entry.etag, entry.cache_control, entry.stored, 0.0)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)

    def invalidate(self) -> None:
        """Forget everything here, and tell the other workers of this host (a new generation file:
        a new inode and mtime, written whole and renamed into place)."""
        with self._lock:
            self._entries.clear()
        if not self.generation_file:
            return
        tmp = f"{self.generation_file}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        try:
            with open(tmp, "w") as fh:
                fh.write(uuid.uuid4().hex)
            os.replace(tmp, self.generation_file)
        except OSError as exc:
            log.warning("cache generation not written", extra={"ctx_error": type(exc).__name__})
            try:
                os.unlink(tmp)
            except OSError:
                pass
        with self._lock:
            self._seen = self._stamp()


def init_app(app) -> None:
    app.extensions["response_cache"] = ResponseCache(
        app.config.get("CATALOGUE_CACHE_GENERATION_FILE"),
        int(app.config.get("CATALOGUE_CACHE_ENTRIES", 256)),
    )


def cache() -> ResponseCache:
    return current_app.extensions["response_cache"]


def cacheable(method: str, service_key: str, path: str) -> bool:
    return method == "GET" and service_key == CACHEABLE_SERVICE and path.startswith(CACHEABLE_PREFIX)


def after_write(method: str, service_key: str, path: str) -> None:
    """Call once a request to a service has been answered (or failed): a write to training that can
    change the catalogue (INVALIDATING_PREFIXES) empties the cache."""
    if (
        method not in ("GET", "HEAD")
        and service_key == CACHEABLE_SERVICE
        and path.startswith(INVALIDATING_PREFIXES)
    ):
        cache().invalidate()


def _wants_revalidation(request_headers: dict) -> bool:
    for k, v in request_headers.items():
        if k.lower() == "cache-control" and "no-cache" in v.lower():
            return True
        if k.lower() == "pragma" and "no-cache" in v.lower():
            return True
    return False


def fetch(key: str, headers: dict, send: Callable[[dict], object]) -> Answer:
    """A catalogue GET through the cache. `headers` are the ones the caller would send upstream
    (the client's `If-None-Match` among them); `send(headers)` makes the upstream request and
    returns the urllib3 response (its exceptions go to the caller, as without a cache)."""
    c = cache()
    generation = c.generation()
    client_etags = next((v for k, v in headers.items() if k.lower() == "if-none-match"), None)
    entry = c.get(key)
    now = time.monotonic()
    if entry is not None and now < entry.fresh_until and not _wants_revalidation(headers):
        return entry.answer(client_etags, now)
    # asked for as an anonymous visitor would ask: a public catalogue answer does not depend on
    # the caller (whose token was checked in full already), and training marks an answer to a
    # request with a token no-store (security review L11), which nothing may keep
    out = {k: v for k, v in headers.items() if k.lower() not in _NOT_FORWARDED}
    if entry is not None:
        out["If-None-Match"] = entry.etag
    elif client_etags:
        out["If-None-Match"] = client_etags
    r = send(out)
    now = time.monotonic()
    if r.status == 304 and entry is not None:
        seconds = _freshness(r.headers.get("Cache-Control", entry.cache_control)) or 0.0
        entry = Entry(entry.body, entry.headers, entry.etag, entry.cache_control, now, now + seconds)
        c.put(key, entry, generation)
        return entry.answer(client_etags, now)
    body = r.data
    fresh = _entry(r.status, r.headers, body, now)
    if fresh is not None:
        c.put(key, fresh, generation)
        return fresh.answer(client_etags, now)
    if entry is not None:
        c.drop(key)
    return Answer(r.status, body, list(r.headers.items()))
