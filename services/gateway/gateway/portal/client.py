"""How the portal talks to the APIs: the same paths and bodies any API client uses.

Service paths (/api/v1/<segment>/...) go to the owning service through the gateway's one
upstream pool (upstream.pool(), the proxy's too), carrying a hop token for the signed-in user.
The gateway's own account operations are direct calls into gateway/accounts.py, the code the
account API runs: the input is loaded by the same schemas and a refusal is the same problem+json
the API answers, so sign-up, sign-in and token checks have one implementation and one set of
error messages.
"""

from __future__ import annotations

import json as jsonlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Response, g
from marshmallow import Schema, ValidationError
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as UpstreamTimeout
from werkzeug.exceptions import HTTPException

# the check every API request's JSON body gets (NUL, lone surrogates, depth), for the same answer
from imatter_shared.web.api import MAX_JSON_DEPTH, _check_json
from imatter_shared.web.errors import (
    ApiError,
    Unauthorized,
    handle_api_error,
    handle_http_exception,
    handle_validation_error,
)

from .. import accounts, response_cache, tokens
from ..upstream import ROUTES, base_url, pool, pool_timeout

log = logging.getLogger("imatter.gateway.portal")


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


def _refused(status: int, detail: str) -> Result:
    return Result(
        status,
        {"status": status, "title": "Unauthorized", "detail": detail},
        b"",
        "application/problem+json",
        {},
    )


def call(
    method: str,
    path: str,
    *,
    token: str | None = None,
    json: Any = None,
    params: dict | None = None,
    accept: str = "application/json",
    extra_headers: dict | None = None,
) -> Result:
    """One call to a service. Raises ServiceUnavailable when the owning service cannot answer."""
    service_key = ROUTES.get(_segment(path))
    if service_key is None:
        raise ValueError(f"no route for {path}")  # a programming error in the portal, not user input
    service = service_key.removesuffix("_URL").lower()
    headers = {"Accept": accept, "X-Request-ID": g.get("request_id", ""), **(extra_headers or {})}
    if token:
        # services take the gateway's hop token only: the session's token is checked in full here
        # (signed out, password changed) and a 401 answered as the API would
        try:
            headers["Authorization"] = tokens.hop_authorization(token)
        except Unauthorized as exc:
            return _refused(401, str(exc.detail))
    url = base_url(service_key) + path
    if params:
        url += ("&" if "?" in path else "?") + urlencode(params, doseq=True)
    body = None
    if json is not None:
        body = jsonlib.dumps(json).encode()
        headers["Content-Type"] = "application/json"

    def send(out_headers: dict):
        return pool().request(
            method, url, body=body, headers=out_headers, timeout=pool_timeout(), redirect=False, retries=False
        )

    try:
        if response_cache.cacheable(method, service_key, path):  # the proxy's cache, the same entries
            r = response_cache.fetch(url, headers, send)
        else:
            upstream = send(headers)
            r = response_cache.Answer(upstream.status, upstream.data, list(upstream.headers.items()))
    except NewConnectionError:  # refused or unresolvable (a subclass of the connect timeout: test first)
        log.warning(
            "portal upstream unavailable", extra={"ctx_upstream": service, "ctx_error": "NewConnectionError"}
        )
        raise ServiceUnavailable(service, 502) from None
    except UpstreamTimeout:
        log.warning("portal upstream timeout", extra={"ctx_upstream": service})
        raise ServiceUnavailable(service, 504) from None
    except HTTPError as exc:  # connection dropped mid-answer, unreadable answer
        log.warning(
            "portal upstream unavailable", extra={"ctx_upstream": service, "ctx_error": type(exc).__name__}
        )
        raise ServiceUnavailable(service, 502) from None
    finally:
        response_cache.after_write(method, service_key, path)  # an edit: forget the catalogue
    if r.status in (502, 503, 504):
        raise ServiceUnavailable(service, r.status)
    headers_out = dict(r.headers)
    content_type = next((v for k, v in r.headers if k.lower() == "content-type"), "")
    return _result(r.status, r.body, content_type, headers_out)


def _result(status: int, content: bytes, content_type: str, headers: dict) -> Result:
    data = None
    if "json" in content_type:
        try:
            data = jsonlib.loads(content or b"null")
        except ValueError:
            data = None
    return Result(status, data, content, content_type, headers)


def account(
    operation: Callable, *args, status: int = 200, schema: type[Schema] | None = None, body=None
) -> Result:
    """One of the gateway's own account operations, answered as the account API answers it: the
    body checked and loaded as the API loads it, a refusal rendered by the same error handlers."""
    try:
        if schema is not None:
            _check_json(body, MAX_JSON_DEPTH)
            args = (*args, schema().load(body))
        data = operation(*args)
    except ValidationError as exc:
        return _from_response(handle_validation_error(exc))
    except ApiError as exc:
        return _from_response(handle_api_error(exc))
    except HTTPException as exc:  # a 429 from the rate limits, a 400 from the body check
        return _from_response(exc.get_response() if exc.response is not None else handle_http_exception(exc))
    return Result(status, data, b"", "application/json", {})


def _from_response(resp: Response) -> Result:
    return _result(
        resp.status_code, resp.get_data(), resp.headers.get("Content-Type", ""), dict(resp.headers)
    )


class Api:
    """Calls on behalf of one portal user (or an anonymous visitor)."""

    def __init__(self, token: str | None = None):
        self.token = token

    def get(self, path: str, **params) -> Result:
        return call(
            "GET", path, token=self.token, params={k: v for k, v in params.items() if v not in (None, "")}
        )

    def post(self, path: str, body: Any = None, idempotency_key: str | None = None) -> Result:
        extra = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return call(
            "POST", path, token=self.token, json=body if body is not None else {}, extra_headers=extra
        )

    def put(self, path: str, body: Any) -> Result:
        return call("PUT", path, token=self.token, json=body)

    def patch(self, path: str, body: Any) -> Result:
        return call("PATCH", path, token=self.token, json=body)

    def delete(self, path: str) -> Result:
        return call("DELETE", path, token=self.token)

    def svg(self, path: str) -> Result:
        return call("GET", path, token=self.token, accept="image/svg+xml")

    def csv(self, path: str) -> Result:
        return call("GET", path, token=self.token, accept="text/csv, application/problem+json")

    # -- the gateway's own account operations (gateway/accounts.py) --------------------------

    def _claims(self) -> dict:
        if not self.token:
            raise Unauthorized("Sign in first: this needs an access token.")
        return tokens.verify_token(self.token)

    def _signed_in(self, operation: Callable, status: int = 200) -> Result:
        return account(lambda: operation(self._claims()), status=status)

    def me(self) -> Result:
        return self._signed_in(accounts.me)

    def sign_up(self, body: dict) -> Result:
        return account(accounts.register, schema=accounts.RegisterIn, body=body, status=201)

    def sign_in(self, body: dict) -> Result:
        return account(accounts.login, schema=accounts.LoginIn, body=body)

    def sign_out(self) -> Result:
        return self._signed_in(accounts.logout, status=204)

    def verify_email(self, body: dict) -> Result:
        return account(accounts.verify_email, schema=accounts.VerifyIn, body=body)

    def resend_verification(self) -> Result:
        return self._signed_in(accounts.resend_verification, status=202)

    def change_password(self, body: dict) -> Result:
        return account(
            lambda data: accounts.change_password(self._claims(), data),
            schema=accounts.PasswordChangeIn,
            body=body,
            status=204,
        )

    def request_reset(self, body: dict) -> Result:
        return account(accounts.request_reset, schema=accounts.ResetIn, body=body, status=202)

    def confirm_reset(self, body: dict) -> Result:
        return account(accounts.confirm_reset, schema=accounts.ConfirmIn, body=body, status=204)
