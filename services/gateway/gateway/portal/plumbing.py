"""What every portal page stands on: the blueprint, its hooks, the signed-in user and the
response headers. It imports no page: page modules import it and add their routes to `bp`.

Every portal response carries SECURITY_HEADERS, set by `secure()` in one place: the blueprint's
after-request hook for its own pages and `app_response` for pages made outside it (the app-wide
404 page).
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException

from imatter_shared.web.errors import handle_http_exception

from .client import Api, ServiceUnavailable
from .forms import check_csrf, csrf_token

bp = Blueprint(
    "portal", __name__, template_folder="templates", static_folder="static", static_url_path="/portal-static"
)

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


class SignInRequired(Exception):
    pass


def in_words(items: list[str], conjunction: str) -> str:
    """['a', 'b', 'c'] -> 'a, b or c' (with `conjunction` "or"); '' for none."""
    return f" {conjunction} ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


def money(pence) -> str:
    """Integer pence as pounds: 145000 -> '£1,450', 12550 -> '£125.50'."""
    if pence is None or pence == "":
        return "—"
    try:
        pence = int(pence)
    except (TypeError, ValueError):
        return "—"
    pounds, p = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}" + (f".{p:02d}" if p else "")


# -- responses -----------------------------------------------------------------------------


def secure(resp, cache: str = "no-store"):
    """The security headers (a header a page set itself is kept) and the cache policy: pages
    carry the CSRF token and, when signed in, personal or case data, so they are never cached."""
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    resp.headers["Cache-Control"] = cache
    return resp


def app_response(body: str, status: int):
    return secure(make_response(body, status))


def not_found(exc):
    """The app-wide 404: browsers get a page; API clients (and /api/...) keep problem+json."""
    wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
    if request.path.startswith("/api/") or not wants_html:
        return handle_http_exception(exc)
    return app_response(
        render_template(
            "portal/error.html",
            title="Page not found",
            status=404,
            message="There is no page at this address.",
        ),
        404,
    )


@bp.before_request
def _before():
    if request.method == "POST":
        check_csrf()


@bp.after_request
def _headers(resp):
    if request.endpoint == "portal.static":
        return secure(resp, "public, max-age=3600")
    resp.headers["Vary"] = "Cookie"
    return secure(resp)


@bp.app_context_processor
def _context():
    return {
        "csrf_token": csrf_token,
        "signed_in": bool(session.get("token")),
        "account": session.get("account") or {},
        "money": money,
    }


@bp.errorhandler(ServiceUnavailable)
def _unavailable(exc: ServiceUnavailable):
    names = {"training": "I Matter Training", "cic": "the Progress Tracker (Relationship Health Matters CIC)"}
    return render_template(
        "portal/error.html",
        title="Service unavailable",
        status=503,
        message=f"{names.get(exc.service, 'A service')} is not answering right now. "
        "Nothing was lost; please try again in a few minutes.",
    ), 503


@bp.errorhandler(SignInRequired)
def _sign_in_required(_exc):
    return redirect(
        url_for("portal.sign_in", next=request.full_path.rstrip("?") if request.method == "GET" else None)
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if exc.code == 400 and exc.description == "csrf":
        return render_template(
            "portal/error.html",
            title="Form expired",
            status=400,
            message="This form was out of date or not sent from this site. "
            "Go back, reload the page and try again.",
        ), 400
    titles = {403: "Not allowed", 404: "Page not found", 405: "Not allowed"}
    return render_template(
        "portal/error.html",
        title=titles.get(exc.code, "Something is not right"),
        status=exc.code,
        message=exc.description if exc.code != 404 else "There is nothing to show at this address.",
    ), exc.code


# -- the signed-in user ----------------------------------------------------------------------


def per_request() -> dict:
    """Scratch space for this request only (not `g`: an app context can outlive a request)."""
    return request.environ.setdefault("imatter.portal", {})


def gaps():
    return per_request().get("gaps")


def api() -> Api:
    return Api(session.get("token"))


def me() -> dict:
    """The signed-in user as of now (roles, person, organisations); checks the token fully."""
    cache = per_request()
    if "me" not in cache:
        if not session.get("token"):
            raise SignInRequired()
        r = api().me()
        if r.status == 401:
            session.clear()
            flash("Your session has ended; please sign in again.", "info")
            raise SignInRequired()
        if not r.ok:
            raise ServiceUnavailable("gateway", r.status)
        cache["me"] = r.data
        remember_verification(r.data)
    return cache["me"]


def remember_verification(user: dict | None) -> None:
    """Keep the session's copy of the email-verification state (the banner reads it) current."""
    account = session.get("account")
    if isinstance(account, dict) and isinstance(user, dict) and "email_verified" in user:
        if account.get("email_verified") != bool(user["email_verified"]):
            session["account"] = {**account, "email_verified": bool(user["email_verified"])}


def link_token_to_session(key: str, endpoint: str):
    """An emailed link's `?token=` goes into the session and the browser to the bare path (L1)."""
    session[key] = (request.args.get("token") or "").strip()[:200]
    resp = redirect(url_for(endpoint))
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def signed_in(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        me()
        return fn(*args, **kwargs)

    return wrapper


def has_role(*roles: str) -> bool:
    return bool(set(me().get("roles") or []) & set(roles))


def require_role(*roles: str):
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not has_role(*roles):
                abort(
                    403,
                    description="This page is for " + " or ".join(r.replace("_", " ") for r in roles) + ".",
                )
            return fn(*args, **kwargs)

        return signed_in(wrapper)

    return deco


# -- reading and answering ---------------------------------------------------------------------


def soft(result_fn):
    """Run an API read; a missing endpoint (404/405) or unavailable service gives None, and the
    page says which part could not be shown instead of failing as a whole."""
    try:
        r = result_fn()
    except ServiceUnavailable as exc:
        per_request().setdefault("gaps", set()).add(exc.service)
        return None
    return r if r.ok else None


def refusal(r) -> str:
    """A refusal as one line for a flash message: the detail, then what each field needs."""
    fields: dict[str, list[str]] = {}
    for name, msgs in (r.errors or {}).items():
        seen = fields.setdefault(name.removeprefix("json.").replace("_", " "), [])
        seen += [str(m) for m in (msgs if isinstance(msgs, list) else [msgs]) if str(m) not in seen]
    detail = r.detail or "refused"
    if detail.startswith("Invalid input.") and fields:
        detail = "Invalid input."  # the fields say it again below, one by one
    return " ".join([detail] + [f"{name}: {' '.join(msgs)}" for name, msgs in fields.items()])


def local_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return default
    return target
