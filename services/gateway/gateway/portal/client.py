"""How the portal talks to the APIs: the same paths and bodies any API client uses.

Service paths (/api/v1/<segment>/...) go straight to the owning service through the
gateway's own pooled upstream session, carrying the signed-in user's access token.
The gateway's own account endpoints (/api/v1/auth/..., /api/v1/me) are dispatched inside
this process to the very same views, so sign-up, sign-in and token checks have one
implementation (gateway/api/auth.py) and one set of error messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import current_app, g
from werkzeug.test import Client as WsgiClient

from ..upstream import ROUTES, base_url, session, timeouts

log = logging.getLogger("imatter.gateway.portal")

LOCAL_SEGMENTS = {"auth", "me"}


class ServiceUnavailable(Exception):
    """A service did not answer (connection refused, 502/503/504, timeout)."""

    def __init__(self, service: str, status: int):
        super().__init__(f"{service} unavailable ({status})")
        self.service = service
        self.status = status


@dataclass
class Result:
    status: int
    data: Any = None
    content: bytes = b""
    content_type: str = ""
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> dict:
        return self.data if isinstance(self.data, dict) and not self.ok else {}

    @property
    def detail(self) -> str | None:
        if self.ok:
            return None
        return (
            self.problem.get("detail")
            or self.problem.get("title")
            or f"The request was refused ({self.status})."
        )

    @property
    def errors(self) -> dict:
        errs = self.problem.get("errors")
        return errs if isinstance(errs, dict) else {}

    @property
    def unmet(self) -> list:
        unmet = self.problem.get("unmet")
        return unmet if isinstance(unmet, list) else []

    def items(self) -> list:
        """The items of a list response (or [] when the API refused or is not there yet)."""
        if self.ok and isinstance(self.data, dict) and isinstance(self.data.get("items"), list):
            return self.data["items"]
        if self.ok and isinstance(self.data, list):
            return self.data
        return []


def _segment(path: str) -> str:
    parts = path.split("?")[0].strip("/").split("/")
    return parts[2] if len(parts) > 2 and parts[:2] == ["api", "v1"] else ""


def call(
    method: str,
    path: str,
    *,
    token: str | None = None,
    json: Any = None,
    params: dict | None = None,
    accept: str = "application/json",
) -> Result:
    """One API call. Raises ServiceUnavailable when the owning service cannot answer."""
    segment = _segment(path)
    headers = {"Accept": accept, "X-Request-ID": g.get("request_id", "")}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if segment in LOCAL_SEGMENTS:
        return _local(method, path, headers, json, params)
    if token:
        # services take the gateway's hop token only: the session's token is checked in full here
        # (signed out, password changed) and a 401 answered as the API would
        from imatter_shared.web.errors import Unauthorized

        from .. import tokens

        try:
            headers["Authorization"] = tokens.hop_authorization(token)
        except Unauthorized as exc:
            return Result(
                401,
                {"status": 401, "title": "Unauthorized", "detail": str(exc.detail)},
                b"",
                "application/problem+json",
                {},
            )
    service_key = ROUTES.get(segment)
    if service_key is None:
        raise ValueError(f"no route for {path}")  # a programming error in the portal, not user input
    service = service_key.removesuffix("_URL").lower()
    try:
        r = session().request(
            method,
            base_url(service_key) + path,
            headers=headers,
            json=json,
            params=params,
            timeout=timeouts(),
            allow_redirects=False,
        )
    except requests.Timeout:
        log.warning("portal upstream timeout", extra={"ctx_upstream": service})
        raise ServiceUnavailable(service, 504) from None
    except requests.RequestException as exc:
        log.warning(
            "portal upstream unavailable", extra={"ctx_upstream": service, "ctx_error": type(exc).__name__}
        )
        raise ServiceUnavailable(service, 502) from None
    if r.status_code in (502, 503, 504):
        raise ServiceUnavailable(service, r.status_code)
    return _result(r.status_code, r.content, r.headers.get("Content-Type", ""), dict(r.headers))


def _local(method, path, headers, json, params) -> Result:
    """Dispatch to the gateway's own account views in-process (no network, same code)."""
    app = current_app._get_current_object()
    saved = {k: g.get(k) for k in ("request_id", "started", "principal", "user_id", "claims") if k in g}
    try:
        # the visitor's own address, so per-client limits (sign-in attempts) count them, not the portal
        # (as the API would see it: behind a trusted proxy, the forwarded client, not the proxy)
        from ..ratelimit import client_ip

        resp = WsgiClient(app).open(
            path,
            method=method,
            headers=headers,
            json=json,
            query_string=params,
            environ_overrides={"REMOTE_ADDR": client_ip() or "127.0.0.1"},
        )
        return _result(
            resp.status_code, resp.get_data(), resp.headers.get("Content-Type", ""), dict(resp.headers)
        )
    finally:
        # the inner request shares this app context (and its `g`): put the outer values back
        for k in ("principal", "user_id", "claims"):
            g.pop(k, None)
        for k, v in saved.items():
            setattr(g, k, v)


def _result(status: int, content: bytes, content_type: str, headers: dict) -> Result:
    data = None
    if "json" in content_type:
        try:
            import json as _json

            data = _json.loads(content or b"null")
        except ValueError:
            data = None
    return Result(status, data, content, content_type, headers)


class Api:
    """Calls on behalf of one portal user (or an anonymous visitor)."""

    def __init__(self, token: str | None = None):
        self.token = token

    def get(self, path: str, **params) -> Result:
        return call(
            "GET", path, token=self.token, params={k: v for k, v in params.items() if v not in (None, "")}
        )

    def post(self, path: str, body: Any = None) -> Result:
        return call("POST", path, token=self.token, json=body if body is not None else {})

    def put(self, path: str, body: Any) -> Result:
        return call("PUT", path, token=self.token, json=body)

    def svg(self, path: str) -> Result:
        return call("GET", path, token=self.token, accept="image/svg+xml")
