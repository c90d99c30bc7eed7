"""A small API client for whole-system tests (cosmicpython's tests/e2e/api_client.py idea)."""

from __future__ import annotations

import time
import uuid

import requests


class Client:
    def __init__(self, base_url: str, token: str | None = None, emailed_token=None):
        self.base = base_url.rstrip("/")
        self.token = token
        # (email) -> the token of the verification email sent to it (Stack.emailed_token)
        self.emailed_token = emailed_token
        self.http = requests.Session()
        self.http.trust_env = False

    def _headers(self, extra=None):
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    def get(self, path, **kw):
        return self.http.get(
            self.base + path, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw
        )

    def post(self, path, json=None, **kw):
        return self.http.post(
            self.base + path, json=json, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw
        )

    def signed_up(
        self,
        name: str = "Test User",
        email: str | None = None,
        password: str = "Plenty-long-passphrase-1",
        verified: bool = True,
    ) -> Client:
        """Register and sign in a new user; returns a client carrying their token. With
        `verified` (the default) the user first follows the link of their verification email."""
        email = email or f"user-{uuid.uuid4().hex[:10]}@example.org"
        r = self.post("/api/v1/auth/register", {"email": email, "password": password, "name": name})
        assert r.status_code == 201, r.text
        if verified:
            self.verify_email(email)
        return self.signed_in(email, password)

    def verify_email(self, email: str) -> None:
        assert self.emailed_token is not None, "this client cannot read email: build it with emailed_token"
        r = self.post("/api/v1/auth/verify-email", {"token": self.emailed_token(email)})
        assert r.status_code == 200, r.text

    def signed_in(self, email: str, password: str) -> Client:
        r = self.post("/api/v1/auth/login", {"email": email, "password": password})
        assert r.status_code == 200, r.text
        other = Client(self.base, r.json()["access_token"], self.emailed_token)
        other.email = email
        return other


def wait_for(fn, timeout: float = 30, interval: float = 0.2, what: str = "condition"):
    """Poll fn() until it returns a truthy value; bounded, never a timing assertion."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")
