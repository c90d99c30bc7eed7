"""The public portal: server-rendered pages in the gateway, over the same public APIs.

`register_portal(app)` is called by the gateway's app factory. It sets the session cookie
(`__Host-imatter`: Secure, HttpOnly, SameSite=Lax, Path=/, signed by SECRET_KEY; it holds
the access token and the CSRF token) and registers the pages, whose responses all carry
the security headers below.
"""

from __future__ import annotations

import os

from flask import Flask, render_template, request

from imatter_shared.web.errors import handle_http_exception

# 'self' only, no inline script or style: the one JS file and one CSS file are served from here.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def cookie_settings(insecure: bool) -> dict:
    """`__Host-` needs Secure and Path=/ and no Domain. Chromium treats http://127.0.0.1 and
    localhost as secure contexts, so this works for `make run` too; PORTAL_INSECURE_COOKIES=1
    is only for plain-http hosts that are not loopback (then the prefix must go as well)."""
    return {
        "SESSION_COOKIE_NAME": "imatter" if insecure else "__Host-imatter",
        "SESSION_COOKIE_SECURE": not insecure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
    }


def register_portal(app: Flask) -> None:
    insecure = (
        str(app.config.get("PORTAL_INSECURE_COOKIES", os.environ.get("PORTAL_INSECURE_COOKIES", ""))) == "1"
    )
    app.config.update(cookie_settings(insecure))
    from . import reflective, views  # noqa: F401  (reflective adds its pages to views.bp)
    from .pages import (
        cic_finance,  # noqa: F401  (fund gifts and ledger pages)
        cic_practice,  # noqa: F401  (overseers, practicum sign-off, hubs; issue 16)
        finance,  # noqa: F401  (finance: invoices, payments, voids)
        lead_professionals,  # noqa: F401  (the Lead Professional route, trainee and admin)
        memberships,  # noqa: F401  (membership by consent: invitations, members)
        organisation_kinds,  # noqa: F401  (the organisation-kind policy table, from training)
        price_book,  # noqa: F401  (the catalogue in the price book: courses, roles, packages)
        seat_transfers,  # noqa: F401  (seat transfers: requests and training admin decisions)
        verification,  # noqa: F401  (email verification pages; security review L1)
    )

    app.register_blueprint(views.bp)
    app.jinja_env.filters["money"] = views.money
    from .forms import pounds

    app.jinja_env.filters["pounds"] = pounds  # a money input's value: pounds.pence (issue 16)
    app.jinja_env.globals["csrf_token"] = views.csrf_token  # globals reach imported macros too
    app.register_error_handler(404, _not_found)


def _not_found(exc):
    """Browsers get a page; API clients (and /api/...) keep problem+json."""
    wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    if request.path.startswith("/api/") or not wants_html:
        return handle_http_exception(exc)
    resp = app_response(
        render_template(
            "portal/error.html",
            title="Page not found",
            status=404,
            message="There is no page at this address.",
        ),
        404,
    )
    return resp


def app_response(body: str, status: int):
    from flask import make_response

    resp = make_response(body, status)
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    resp.headers["Cache-Control"] = "no-store"
    return resp
