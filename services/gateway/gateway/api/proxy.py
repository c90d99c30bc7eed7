"""Forwarding /api/v1/... to the owning service. Bodies pass through and are never logged or stored."""
from __future__ import annotations

import logging

import requests
from flask import Blueprint, Response, g, request

from imatter_shared.web.errors import problem

from .. import tokens
from ..upstream import ROUTES, base_url, session, timeouts

log = logging.getLogger("imatter.gateway.proxy")
bp = Blueprint("proxy", __name__)

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "content-encoding", "host"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.route("/api/v1/<segment>", methods=METHODS)
@bp.route("/api/v1/<segment>/<path:rest>", methods=METHODS)
def forward(segment: str, rest: str = ""):
    service_key = ROUTES.get(segment)
    if service_key is None:
        return problem(404, f"No API at /api/v1/{segment}.")
    tokens.verify_request_token(optional=True)  # a bad, expired or revoked token is a 401 here
    return relay(service_key, request.full_path.rstrip("?") if request.query_string else request.path)


def relay(service_key: str, path: str) -> Response:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers["X-Request-ID"] = g.request_id
    headers["X-Forwarded-For"] = request.remote_addr or ""
    url = base_url(service_key) + path
    try:
        upstream = session().request(request.method, url, data=request.get_data(), headers=headers,
                                     timeout=timeouts(), allow_redirects=False)
    except requests.Timeout:
        log.warning("upstream timeout", extra={"ctx_upstream": service_key, "ctx_path": request.path})
        return problem(504, "The service behind this path did not answer in time; try again shortly.",
                       service=service_key.removesuffix("_URL").lower())
    except requests.ConnectionError:
        log.warning("upstream unavailable", extra={"ctx_upstream": service_key, "ctx_path": request.path})
        return problem(502, "The service behind this path is unavailable right now; try again shortly.",
                       service=service_key.removesuffix("_URL").lower())
    out = Response(upstream.content, status=upstream.status_code)
    for k, v in upstream.headers.items():
        if k.lower() not in HOP_BY_HOP and k.lower() != "x-request-id":
            out.headers[k] = v
    return out
