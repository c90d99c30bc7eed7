"""Forwarding /api/v1/... to the owning service. Bodies pass through and are never logged or stored."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, request
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as UpstreamTimeout

from imatter_shared.web.errors import problem
from imatter_shared.web.hop_by_hop import HOP_BY_HOP

from .. import response_cache, tokens
from ..ratelimit import client_ip
from ..upstream import ROUTES, base_url, pool, pool_timeout

log = logging.getLogger("imatter.gateway.proxy")
bp = Blueprint("proxy", __name__)

# the client's token is replaced by a hop token (services accept nothing else) and the portal's
# session cookie never leaves the gateway
REPLACED = HOP_BY_HOP | {"x-request-id", "x-forwarded-for", "authorization", "cookie"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.route("/api/v1/<segment>", methods=METHODS)
@bp.route("/api/v1/<segment>/<path:rest>", methods=METHODS)
def forward(segment: str, rest: str = ""):
    service_key = ROUTES.get(segment)
    if service_key is None:
        return problem(404, f"No API at /api/v1/{segment}.")
    g.metrics_route = f"/api/v1/{segment}"  # one series per routed segment (web/metrics.py)
    if _has_dot_segment():
        return problem(400, "A path may not contain '.' or '..' segments.")
    claims = tokens.verify_request_token(optional=True)  # a bad, expired or revoked token is a 401 here
    return relay(
        service_key,
        request.full_path.rstrip("?") if request.query_string else request.path,
        tokens.hop_token(claims) if claims else None,
    )


def _has_dot_segment() -> bool:
    """'.' or '..' in the path as sent or once decoded (%2e%2e): urllib3 would resolve them and
    reach routes outside /api/v1/<segment>/ (security review L2)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
    for path in (raw.split("?", 1)[0], request.path):
        for seg in path.replace("\\", "/").split("/"):
            if seg.lower().replace("%2e", ".") in (".", ".."):
                return True
    return False


def relay(service_key: str, path: str, hop: str | None = None) -> Response:
    # a plain dict goes out as is (urllib3 does not fold case): the two set below replace the
    # caller's own, whatever case the caller spelt them in
    headers = {k: v for k, v in request.headers.items() if k.lower() not in REPLACED}
    headers["X-Request-ID"] = g.request_id
    # the client as the gateway believes it (M7), never the client's own header
    headers["X-Forwarded-For"] = client_ip()
    if hop:
        headers["Authorization"] = "Bearer " + hop
    url = base_url(service_key) + path
    body = request.get_data()
    if not body and request.method == "GET":
        body = None  # no Content-Length: 0 on a bodiless GET (a POST/PUT/PATCH/DELETE keeps its Content-Length, even 0)

    def send(out_headers: dict):
        return pool().request(
            request.method,
            url,
            body=body,
            headers=out_headers,
            timeout=pool_timeout(),
            redirect=False,
            retries=False,
        )

    try:
        if response_cache.cacheable(request.method, service_key, path):
            answer = response_cache.fetch(url, headers, send)
        else:
            upstream = send(headers)
            answer = response_cache.Answer(upstream.status, upstream.data, list(upstream.headers.items()))
    except NewConnectionError:  # refused or unresolvable (a subclass of the connect timeout: test first)
        return _unavailable(service_key)
    except UpstreamTimeout:  # connect or read timeout
        log.warning("upstream timeout", extra={"ctx_upstream": service_key, "ctx_path": request.path})
        return problem(
            504,
            "The service behind this path did not answer in time; try again shortly.",
            service=service_key.removesuffix("_URL").lower(),
        )
    except HTTPError:  # connection dropped mid-answer, unreadable answer
        return _unavailable(service_key)
    finally:
        response_cache.after_write(request.method, service_key, path)  # an edit: forget the catalogue
    out = Response(answer.body, status=answer.status)
    _copy_headers(answer.headers, out)
    return out


# what never goes back to the client from a service's answer (the gateway's own X-Request-ID is set
# by the request log after this)
DROPPED = HOP_BY_HOP | {"x-request-id"}


def _copy_headers(upstream: list[tuple[str, str]], out: Response) -> None:
    """The service's headers onto `out`, as setting each name's first value and adding the rest
    would (a repeated header such as Set-Cookie comes once per value, in order), in one pass: the
    service's first Content-Type takes the place of the default one, everything else is appended.
    (Setting them one by one scanned the headers already there for every name, ~0.1 ms a call.)"""
    kept = [(k, v) for k, v in upstream if k.lower() not in DROPPED]
    for i, (k, v) in enumerate(kept):
        if k.lower() == "content-type":
            out.headers[k] = v
            del kept[i]
            break
    out.headers.extend(kept)


def _unavailable(service_key: str) -> Response:
    log.warning("upstream unavailable", extra={"ctx_upstream": service_key, "ctx_path": request.path})
    return problem(
        502,
        "The service behind this path is unavailable right now; try again shortly.",
        service=service_key.removesuffix("_URL").lower(),
    )
