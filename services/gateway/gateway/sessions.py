"""The portal's signed session cookie, opened without work for a request that sends no cookie."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    """Flask's own signed-cookie session. A request without any `Cookie` header (every API call
    the gateway forwards) gets the empty session at once: Flask would first build its signing
    serializer (an itsdangerous object with the key and its fallbacks, ~5 % of a forwarded call's
    CPU, docs/performance.md "P1: the gateway hop") and then answer that same empty session,
    since there is no cookie to read. Without a secret key Flask's own path runs (no session)."""

    def open_session(self, app, request):
        if app.secret_key and not request.environ.get("HTTP_COOKIE"):
            return self.session_class()
        return super().open_session(app, request)
