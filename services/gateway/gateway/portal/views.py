"""Portal pages. Each view reads or writes through the public API (client.Api) and renders.

Views stay thin: fetch, call, render; a refusal from the API is shown next to the form
field it names (problem+json `errors`) or as the page's message (`detail`, `unmet`).
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException

from . import SECURITY_HEADERS, content
from .client import Api, ServiceUnavailable
from .forms import FormState, check_csrf, checkbox, csrf_token, integer, text

bp = Blueprint(
    "portal", __name__, template_folder="templates", static_folder="static", static_url_path="/portal-static"
)


# -- plumbing ------------------------------------------------------------------------------


class SignInRequired(Exception):
    pass


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


@bp.before_request
def _before():
    if request.method == "POST":
        check_csrf()


@bp.after_request
def _headers(resp):
    for k, v in SECURITY_HEADERS.items():
        resp.headers.setdefault(k, v)
    if request.endpoint == "portal.static":
        resp.headers["Cache-Control"] = "public, max-age=3600"
    else:
        # pages carry the CSRF token and, when signed in, personal or case data: never cache
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["Vary"] = "Cookie"
    return resp


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
        r = api().get("/api/v1/me")
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


# -- public pages --------------------------------------------------------------------------


@bp.get("/")
def home():
    return render_template(
        "portal/home.html", journey=content.JOURNEY, elements=content.ELEMENTS, licences=content.LICENCES
    )


@bp.get("/elements")
def elements():
    return render_template(
        "portal/elements.html", elements=content.ELEMENTS, principles=content.SYSTEM_PRINCIPLES, forms={}
    )


@bp.post("/elements/<code>/interest")
def express_interest(code: str):
    if code not in content.ELEMENT_CODES:
        abort(404)
    form = FormState(
        {"name": text("name", 200), "email": text("email", 254), "message": text("message", 2000)}
    )
    if not form.get("name"):
        form.add("name", "Enter your name.")
    if "@" not in form.get("email"):
        form.add("email", "Enter an email address, like name@example.org.")
    if not form.failed:
        body = {"element": code, "name": form.get("name"), "email": form.get("email")}
        if form.get("message"):
            body["message"] = form.get("message")
        r = api().post("/api/v1/interest", body)
        if r.ok:
            flash(
                "Thank you: your interest has been recorded and I Matter Training will be in touch.",
                "success",
            )
            return redirect(url_for("portal.elements", _anchor=code) + "")
        form.from_result(r)
    return render_template(
        "portal/elements.html",
        elements=content.ELEMENTS,
        principles=content.SYSTEM_PRINCIPLES,
        forms={code: form},
    ), 400


@bp.get("/licences")
def licences():
    book = soft(lambda: api().get("/api/v1/catalogue/price-book"))
    data = book.data if book and isinstance(book.data, dict) else None
    return render_template("portal/licences.html", licences=merged_licences(data), price_book=data)


def merged_licences(book: dict | None) -> list[dict]:
    """The seed's words, with what the price book says each licence includes and excludes
    taking precedence where it answers (one source of truth once training publishes it)."""
    from_api = {lic.get("type"): lic for lic in (book or {}).get("licences") or [] if isinstance(lic, dict)}
    out = []
    for lic in content.LICENCES:
        api_lic = from_api.get(lic["type"], {})
        out.append({**lic, **{k: api_lic[k] for k in ("includes", "excludes") if api_lic.get(k)}})
    return out


@bp.get("/catalogue")
def catalogue():
    a = api()
    courses = a.get("/api/v1/catalogue/courses", per_page=100)
    roles = a.get("/api/v1/catalogue/roles", per_page=100)
    packages = a.get("/api/v1/catalogue/packages", per_page=100)
    return render_template(
        "portal/catalogue.html", courses=courses.items(), roles=roles.items(), packages=packages.items()
    )


def requirement_cost(req: dict) -> int:
    """A requirement's price is per unit; `quantity` units are needed (3 consolidation sessions)."""
    return int(req.get("price") or 0) * int(req.get("quantity") or 1)


def pathway_estimate(role: dict, roles: dict[str, dict], have: set[str]) -> dict:
    """Every requirement of a role with its cost, skipping what the visitor already has; and the
    cost from scratch including prerequisite roles, each requirement counted once (Deep Dive once)."""
    rows = [
        {**req, "cost": requirement_cost(req), "have": req.get("code") in have}
        for req in role.get("requirements", [])
    ]
    total = sum(r["cost"] for r in rows if not r["have"])
    seen: set[str] = set(have)

    def walk(r: dict) -> int:
        cost = 0
        for req in r.get("requirements", []):
            code = req.get("code")
            if code in seen:
                continue
            seen.add(code)
            cost += walk(roles[code]) if code in roles else requirement_cost(req)
        return cost

    for r in rows:
        if r.get("code") in roles:  # a prerequisite role: shown with its own cost, not added here
            r["role_cost"] = pathway_estimate(roles[r["code"]], roles, have)["with_prerequisites"]
    prerequisites = [roles[r["code"]] for r in rows if r.get("code") in roles and not r["have"]]
    return {"rows": rows, "total": total, "with_prerequisites": walk(role), "prerequisites": prerequisites}


@bp.get("/pathway-calculator")
def calculator():
    roles_list = api().get("/api/v1/catalogue/roles", per_page=100).items()
    roles = {r.get("code"): r for r in roles_list}
    chosen = request.args.get("role") or ""
    have = set(request.args.getlist("have"))
    estimate = pathway_estimate(roles[chosen], roles, have) if chosen in roles else None
    if chosen and chosen not in roles:
        flash("Choose one of the roles in the list.", "error")
    return render_template(
        "portal/calculator.html", roles=roles_list, chosen=roles.get(chosen), have=have, estimate=estimate
    )


@bp.get("/directory")
def directory():
    q = (request.args.get("q") or "").strip()[:200]
    page = max(1, integer("page", 1) or 1)
    r = api().get("/api/v1/directory", q=q, page=page)
    data = r.data if r.ok and isinstance(r.data, dict) else {}
    return render_template(
        "portal/directory.html",
        q=q,
        entries=r.items(),
        page=page,
        total=data.get("total", 0),
        per_page=data.get("per_page", 20),
    )


# -- accounts ------------------------------------------------------------------------------


def _start_session(token: str, email: str) -> None:
    """A fresh session on sign-in (no fixation): new CSRF token, the access token, the name."""
    session.clear()
    session["token"] = token
    csrf_token()
    r = api().get("/api/v1/me")
    session["account"] = {
        "name": (r.data or {}).get("name", "") if r.ok else "",
        "email": email,
        "email_verified": bool((r.data or {}).get("email_verified")) if r.ok else None,
    }


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    form = FormState()
    if request.method == "POST":
        form = FormState({"name": text("name", 200), "email": text("email", 254)})
        password = request.form.get("password") or ""
        if password != (request.form.get("password_confirm") or ""):
            form.add("password_confirm", "The two passwords are not the same.")
        if not form.failed:
            r = api().post(
                "/api/v1/auth/register",
                {"name": form.get("name"), "email": form.get("email"), "password": password},
            )
            if r.ok:
                login = api().post("/api/v1/auth/login", {"email": form.get("email"), "password": password})
                if login.ok:
                    _start_session(login.data["access_token"], form.get("email"))
                    flash(
                        "Welcome: your account is ready. We have emailed you a link to confirm your address.",
                        "success",
                    )
                    return redirect(url_for("portal.account"))
                # the address already had an account (the API does not say so; its owner got an email)
                flash(
                    "We have sent an email to that address. If you already have an account, sign in "
                    "or reset your password.",
                    "info",
                )
                return redirect(url_for("portal.sign_in"))
            form.from_result(r)
        return render_template("portal/sign_up.html", form=form), 400
    return render_template("portal/sign_up.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = FormState()
    nxt = local_next(request.values.get("next"), url_for("portal.account"))
    if request.method == "POST":
        form = FormState({"email": text("email", 254)})
        r = api().post(
            "/api/v1/auth/login", {"email": form.get("email"), "password": request.form.get("password") or ""}
        )
        if r.ok:
            _start_session(r.data["access_token"], form.get("email"))
            return redirect(nxt)
        form.from_result(r)
        return render_template("portal/sign_in.html", form=form, next=nxt), 400 if r.status != 429 else 429
    return render_template("portal/sign_in.html", form=form, next=nxt)


@bp.post("/sign-out")
def sign_out():
    if session.get("token"):
        api().post("/api/v1/auth/logout")  # the token is revoked, not just forgotten
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("portal.home"))


# -- password reset (gateway: /api/v1/auth/password-reset and /confirm) --------------------

RESET_SENT = (
    "If an account uses that address, we have emailed it a link to choose a new password. "
    "The link works once, for 30 minutes. Check your spam folder if nothing arrives."
)


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    """Ask for a reset link. The answer is the same whether or not the address has an account."""
    form = FormState()
    if request.method == "POST":
        form = FormState({"email": text("email", 254)})
        status = 400
        if "@" not in form.get("email"):
            form.add("email", "Enter your email address, like name@example.org.")
        else:
            r = api().post("/api/v1/auth/password-reset", {"email": form.get("email")})
            if r.ok:
                # no address in the URL or the page: the neutral message is all anyone learns
                return redirect(url_for("portal.forgotten_password", sent=1))
            form.from_result(r)
            status = 429 if r.status == 429 else 400
        return render_template("portal/forgotten_password.html", form=form, sent=False), status
    return render_template(
        "portal/forgotten_password.html", form=form, sent=request.args.get("sent") == "1", message=RESET_SENT
    )


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    """The emailed link (`PORTAL_URL/reset-password?token=...`, gateway/password_reset.py) lands
    here; without a token in the link the code from the email can be typed in. The link's token
    moves into the session at once and the browser is sent to the bare path, so it stays out of
    access logs, history and Referer headers (security review L1)."""
    if request.method == "GET" and request.args.get("token"):
        return link_token_to_session("reset_token", "portal.reset_password")
    token = (request.form.get("token") or session.get("reset_token") or "").strip()[:200]
    form = FormState({"token": token})
    if request.method == "POST":
        password = request.form.get("new_password") or ""
        if not token:
            form.add("token", "Enter the reset code from the email.")
        if not password:
            form.add("new_password", "Enter a new password.")
        elif password != (request.form.get("password_confirm") or ""):
            form.add("password_confirm", "The two passwords are not the same.")
        if not form.failed:
            r = api().post("/api/v1/auth/password-reset/confirm", {"token": token, "new_password": password})
            if r.ok:
                session.clear()  # every earlier access token has stopped working anyway (and the reset token)
                flash("Your password has been changed. Sign in with the new one.", "success")
                return redirect(url_for("portal.sign_in"))
            form.from_result(r)
    resp = make_response(
        render_template(
            "portal/reset_password.html",
            form=form,
            show_token=not token or "token" in form.errors,
            token_in_session=bool(session.get("reset_token")),
        ),
        400 if form.failed else 200,
    )
    resp.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's URL
    return resp


@bp.get("/account")
@signed_in
def account():
    user = me()
    orgs = []
    for org_id in user.get("organisation_ids") or []:
        r = soft(lambda oid=org_id: api().get(f"/api/v1/organisations/{oid}"))
        orgs.append(r.data if r else {"id": org_id, "name": org_id})
    return render_template(
        "portal/account.html", user=user, orgs=orgs, form=FormState(), roles=set(user.get("roles") or [])
    )


# -- notification preferences (each organisation keeps its own) ------------------------------


def _preference_sources(user: dict) -> list[dict]:
    """Where each organisation keeps the user's email preferences: training by person (so only
    once the user has a learner profile), the CIC by user id."""
    out = []
    if user.get("person_id"):
        out.append(
            {
                "key": "training",
                "name": "I Matter Training",
                "path": f"/api/v1/people/{user['person_id']}/notification-preferences",
            }
        )
    out.append(
        {
            "key": "cic",
            "name": "Relationship Health Matters CIC",
            "path": "/api/v1/cic/notification-preferences",
        }
    )
    return out


def preference_form(data: dict | None) -> FormState:
    """The API's preferences as form values: `non_essential_email`, and `kind.<code>` ticked for
    each non-essential kind still on (independent of the all-off switch, so it is remembered)."""
    data = data or {}
    values = {"non_essential_email": bool(data.get("non_essential_email", True))}
    disabled = set(data.get("disabled_kinds") or [])
    for k in data.get("kinds") or []:
        if isinstance(k, dict) and not k.get("essential"):
            values[f"kind.{k.get('code')}"] = k.get("code") not in disabled
    return FormState(values)


def _render_notifications(forms: dict | None = None, status: int = 200):
    user = me()
    sources = []
    for src in _preference_sources(user):
        r = soft(lambda p=src["path"]: api().get(p))
        data = r.data if r and isinstance(r.data, dict) else None
        sources.append({**src, "data": data, "form": (forms or {}).get(src["key"]) or preference_form(data)})
    return render_template("portal/notifications.html", user=user, sources=sources, gaps=gaps()), status


@bp.get("/account/notifications")
@signed_in
def notifications():
    return _render_notifications()


@bp.post("/account/notifications/<source>")
@signed_in
def save_notifications(source: str):
    src = next((s for s in _preference_sources(me()) if s["key"] == source), None) or abort(404)
    current = api().get(src["path"])
    kinds = [k for k in (current.data or {}).get("kinds", []) if isinstance(k, dict)] if current.ok else []
    optional = [k["code"] for k in kinds if not k.get("essential")]
    body = {
        "non_essential_email": checkbox("non_essential_email"),
        "disabled_kinds": [code for code in optional if not checkbox(f"kind.{code}")],
    }
    r = api().put(src["path"], body)
    if r.ok:
        flash(f"Your email preferences for {src['name']} are saved.", "success")
        return redirect(url_for("portal.notifications", _anchor=f"prefs-{source}"))
    form = FormState(
        {
            "non_essential_email": body["non_essential_email"],
            **{f"kind.{c}": c not in body["disabled_kinds"] for c in optional},
        }
    ).from_result(r)
    return _render_notifications({source: form}, status=400)


@bp.post("/account/person")
@signed_in
def create_person():
    """The user's own person record (created with their own email, so it becomes theirs)."""
    user = me()
    kind = (
        request.form.get("kind")
        if request.form.get("kind") in ("professional", "personal")
        else "professional"
    )
    r = api().post(
        "/api/v1/people",
        {"name": text("name", 200) or user.get("name"), "email": user.get("email"), "kind": kind},
    )
    if r.ok:
        flash("Your learner profile is ready.", "success")
    else:
        flash(r.detail, "error")
    return redirect(local_next(request.form.get("next"), url_for("portal.account")))


# -- organisations -------------------------------------------------------------------------


def _size_bands() -> list[dict]:
    book = soft(lambda: api().get("/api/v1/catalogue/price-book"))
    return (book.data or {}).get("size_bands", []) if book and isinstance(book.data, dict) else []


@bp.route("/organisations/new", methods=["GET", "POST"])
@signed_in
def new_organisation():
    user = me()
    form = FormState({"link_contact_email": user.get("email", ""), "senior_leadership_commitment": False})
    status = 200
    if request.method == "POST":
        form = FormState(
            {
                "name": text("name", 200),
                "kind": text("kind", 40),
                "size_band": text("size_band", 40),
                "link_contact_email": text("link_contact_email", 254),
                "senior_leadership_commitment": checkbox("senior_leadership_commitment"),
            }
        )
        r = api().post("/api/v1/organisations", dict(form.values))
        if r.ok:
            flash(f"{form.get('name')} is registered. Next: buy the Starter Licence.", "success")
            return redirect(url_for("portal.organisation", org_id=r.data["id"]))
        form.from_result(r)
        status = 400
    bands = [
        (
            b.get("code"),
            f"{b.get('label') or b.get('code')} (Starter Licence {money(b.get('starter_fee'))} a year)",
        )
        for b in _size_bands()
    ]
    return render_template(
        "portal/organisation_new.html", form=form, kinds=content.ORG_KINDS, size_bands=bands
    ), status


def _org_or_404(org_id: str) -> dict:
    r = api().get(f"/api/v1/organisations/{org_id}")
    if r.status in (403, 404):
        abort(404)
    if not r.ok:
        abort(r.status if r.status < 500 else 503)
    return r.data


def seat_summary(seats) -> dict | None:
    """Used and total seats from whatever counts the organisation reports."""
    if not isinstance(seats, dict):
        return None
    used = int(seats.get("used") or seats.get("in_use") or seats.get("assigned") or 0)
    total = seats.get("total")
    if total is None and seats.get("available") is not None:
        total = used + int(seats["available"])
    if total is None:
        total = int(seats.get("included") or 0) + int(seats.get("purchased") or 0)
    total = int(total or 0)
    return {
        "used": used,
        "total": total,
        "available": max(total - used, 0),
        "percent": round(100 * used / total) if total else 0,
    }


def _org_lists(org_id: str, org: dict) -> dict:
    """Members, orders and invoices: embedded in the organisation or read from their lists."""
    a = api()
    out = {}
    for key in ("members", "orders", "packages"):
        if isinstance(org.get(key), list):
            out[key] = org[key]
        else:
            r = soft(lambda k=key: a.get(f"/api/v1/organisations/{org_id}/{k}", per_page=100))
            out[key] = r.items() if r else []
    return out


def _catalogue_items(path: str) -> list:
    r = soft(lambda: api().get(path, per_page=100))
    return r.items() if r else []


@bp.get("/organisations/<org_id>")
@signed_in
def organisation(org_id: str):
    org = _org_or_404(org_id)
    lists = _org_lists(org_id, org)
    return render_template(
        "portal/organisation.html",
        org=org,
        seats=seat_summary(org.get("seats")),
        stages=content.STAGES,
        licence_info=content.LICENCES,
        **lists,
        courses=_catalogue_items("/api/v1/catalogue/courses"),
        package_types=_catalogue_items("/api/v1/catalogue/packages"),
        funding=content.FUNDING_CHOICES,
        member_form=FormState(),
        wheel_licences=_wheel_licences(org_id),
        gaps=gaps(),
    )


def _wheel_licences(org_id: str):
    from .reflective import wheel_licences_of

    return wheel_licences_of(org_id)


def _licence_price(org: dict, licence_type: str) -> int | None:
    fee_key = {lic["type"]: lic["fee_key"] for lic in content.LICENCES}.get(licence_type)
    for band in _size_bands():
        if band.get("code") == org.get("size_band"):
            return band.get(fee_key)
    return None


@bp.route("/organisations/<org_id>/licences/<licence_type>", methods=["GET", "POST"])
@signed_in
def buy_licence(org_id: str, licence_type: str):
    info = {lic["type"]: lic for lic in content.LICENCES}.get(licence_type) or abort(404)
    org = _org_or_404(org_id)
    agreement = _licence_agreement(licence_type)  # row 3: the Starter's agreement to participate
    form = FormState({"agreement_accepted": request.form.get("agreement_accepted") == "on"})
    if request.method == "POST" and agreement and not form.get("agreement_accepted"):
        form.add(
            "agreement_accepted",
            "Accept the organisational agreement to participate to buy the Starter Licence.",
        )
    elif request.method == "POST":
        body = {"type": licence_type, **({"agreement_accepted": True} if agreement else {})}
        r = api().post(f"/api/v1/organisations/{org_id}/licences", body)
        if r.ok:
            flash(
                f"{info['title']} bought for {money((r.data or {}).get('price'))}; "
                f"valid until {(r.data or {}).get('valid_until', '')[:10]}.",
                "success",
            )
            return redirect(url_for("portal.organisation", org_id=org_id))
        form.from_result(r)
    band = next((b for b in _size_bands() if b.get("code") == org.get("size_band")), {})
    return render_template(
        "portal/confirm_licence.html",
        org=org,
        info=info,
        form=form,
        price=_licence_price(org, licence_type),
        placeholder=bool(band.get("placeholder")),
        notice=book_notice(),
        agreement=agreement,
    ), 409 if form.unmet else (400 if form.failed else 200)


def _licence_agreement(licence_type: str) -> str | None:
    """The agreement text training's licensing terms attach to a licence type (the Starter's)."""
    r = soft(lambda: api().get("/api/v1/catalogue/price-book"))
    book = r.data if r is not None and isinstance(r.data, dict) else {}
    return next(
        (lic.get("agreement") for lic in book.get("licences") or [] if lic.get("type") == licence_type), None
    )


def book_notice() -> str | None:
    """The price book's placeholder notice (row 111: every page showing a placeholder says so)."""
    r = soft(lambda: api().get("/api/v1/catalogue/price-book"))
    return (r.data or {}).get("notice") if r is not None and isinstance(r.data, dict) else None


@bp.route("/organisations/<org_id>/seats", methods=["GET", "POST"])
@signed_in
def buy_seats(org_id: str):
    org = _org_or_404(org_id)
    count = integer("count")
    form = FormState({"count": count or ""})
    quote = None
    if not count or count < 1 or count > 1000:
        form.add("count", "Enter a number of seats from 1 to 1000.")
    elif request.method == "POST":
        r = api().post(f"/api/v1/organisations/{org_id}/seat-purchases", {"count": count})
        if r.ok:
            flash(
                f"{count} extra online L1–2 seats bought for {money((r.data or {}).get('price'))}.", "success"
            )
            return redirect(url_for("portal.organisation", org_id=org_id))
        form.from_result(r)
    else:
        q = api().get(f"/api/v1/organisations/{org_id}/seat-quote", count=count)
        if q.ok:
            quote = q.data
        else:
            form.from_result(q)
    return render_template(
        "portal/confirm_seats.html", org=org, form=form, quote=quote, count=count
    ), 400 if form.failed else 200


@bp.route("/organisations/<org_id>/packages", methods=["GET", "POST"])
@signed_in
def buy_package(org_id: str):
    """Choose type, practitioner and funding (GET), see the price, then confirm (POST)."""
    org = _org_or_404(org_id)
    types = {str(p.get("type")): p for p in _catalogue_items("/api/v1/catalogue/packages")}
    form = FormState(
        {
            k: (request.values.get(k) or "").strip()[:64]
            for k in ("type", "practitioner_id", "funding", "fund_award_id")
        }
    )
    form.values["funding"] = form.get("funding") or "organisation"
    chosen = types.get(form.get("type"))
    if request.method == "POST" or "type" in request.args:
        if chosen is None:
            form.add("type", "Choose a package type.")
        if not form.get("practitioner_id"):
            form.add("practitioner_id", "Choose the practitioner who will run the microproject.")
    if request.method == "POST" and not form.failed:
        body = {
            "type": int(form.get("type")),
            "practitioner_id": form.get("practitioner_id"),
            "funding": form.get("funding"),
        }
        if form.get("fund_award_id"):
            body["fund_award_id"] = form.get("fund_award_id")
        r = api().post(f"/api/v1/organisations/{org_id}/packages", body)
        if r.ok:
            flash(
                f"{chosen.get('title', 'Package')} bought for {money((r.data or {}).get('price', chosen.get('price')))}. "
                "The practitioner's Tracker workspace appears shortly.",
                "success",
            )
            return redirect(url_for("portal.organisation", org_id=org_id))
        form.from_result(r)
    members = _org_lists(org_id, org)["members"]
    type_options = [
        (str(p.get("type")), f"Type {p.get('type')}: {p.get('title')} ({money(p.get('price'))})")
        for p in types.values()
    ]
    member_options = [
        (_member_person_id(m), m.get("name") or m.get("email") or _member_person_id(m)) for m in members
    ]
    return render_template(
        "portal/confirm_package.html",
        org=org,
        form=form,
        package=chosen,
        members=member_options,
        types=type_options,
    ), 400 if form.failed else 200


def _member_person_id(m: dict) -> str:
    person = m.get("person") if isinstance(m.get("person"), dict) else {}
    return str(m.get("person_id") or person.get("id") or m.get("id") or "")


@bp.post("/organisations/<org_id>/members")
@signed_in
def add_member(org_id: str):
    """Invite someone by email (or person id): they join once they accept (pages/memberships.py)."""
    email, role, person_id = text("email", 254), text("role", 40) or "staff", text("person_id", 64)
    body = {"role": role, **({"person_id": person_id} if person_id else {"email": email})}
    r = api().post(f"/api/v1/organisations/{org_id}/members", body)
    if not r.ok:
        return _org_with_member_form(org_id, FormState({"email": email, "role": role}).from_result(r))
    flash(
        "Invitation sent: they join once they accept."
        if (r.data or {}).get("state") == "invited"
        else "You are now a member.",
        "success",
    )
    return redirect(url_for("portal.organisation", org_id=org_id, _anchor="members"))


def _org_with_member_form(org_id: str, form: FormState):
    org = _org_or_404(org_id)
    return render_template(
        "portal/organisation.html",
        org=org,
        seats=seat_summary(org.get("seats")),
        stages=content.STAGES,
        licence_info=content.LICENCES,
        **_org_lists(org_id, org),
        courses=_catalogue_items("/api/v1/catalogue/courses"),
        package_types=_catalogue_items("/api/v1/catalogue/packages"),
        funding=content.FUNDING_CHOICES,
        member_form=form,
        wheel_licences=_wheel_licences(org_id),
        gaps=gaps(),
    ), 400


@bp.post("/enrolments")
@signed_in
def enrol():
    body = {
        "person_id": text("person_id", 64),
        "course_code": text("course_code", 40),
        "funding": text("funding", 20),
    }
    if request.form.get("organisation_id"):  # the organisation page places its own member (row 80)
        body["organisation_id"] = text("organisation_id", 64)
    r = api().post("/api/v1/enrolments", body)
    flash("Enrolled." if r.ok else f"Not enrolled: {r.detail}", "success" if r.ok else "error")
    return redirect(local_next(request.form.get("next"), url_for("portal.learning")))


# -- learner and practitioner --------------------------------------------------------------


def _person_enrolments(person_id: str) -> list:
    for path, params in (
        (f"/api/v1/people/{person_id}/enrolments", {}),
        ("/api/v1/enrolments", {"person_id": person_id}),
    ):
        r = soft(lambda p=path, q=params: api().get(p, per_page=100, **q))
        if r:
            return r.items()
    return []


def progress_percent(enrolment: dict) -> int:
    if enrolment.get("progress") is not None:
        p = float(enrolment["progress"])
        return int(round(p * 100 if p <= 1 and enrolment.get("state") != "started" and p != int(p) else p))
    return 100 if enrolment.get("state") in ("completed", "complete") or enrolment.get("completed_at") else 0


@bp.get("/learning")
@signed_in
def learning():
    user = me()
    pid = user.get("person_id")
    enrolments = _person_enrolments(pid) if pid else []
    for e in enrolments:
        e["_percent"] = max(0, min(100, progress_percent(e)))
    courses = [
        (c.get("code"), f"{c.get('title')} ({money(c.get('price'))})")
        for c in _catalogue_items("/api/v1/catalogue/courses")
    ]
    return render_template(
        "portal/learning.html",
        user=user,
        enrolments=enrolments,
        courses=courses,
        funding=content.LEARNER_FUNDING_CHOICES,
    )


@bp.get("/practitioner")
@signed_in
def practitioner():
    user = me()
    pid = user.get("person_id")
    pathways, certifications, licences = [], [], []
    if pid:
        r = soft(lambda: api().get(f"/api/v1/people/{pid}/pathways"))
        pathways = [{"code": p.get("role"), **p} for p in (r.items() if r else [])]
        c = soft(lambda: api().get(f"/api/v1/people/{pid}/certifications"))
        certifications = c.items() if c else []
        licences = _my_licences(pid)
    return render_template(
        "portal/practitioner.html",
        user=user,
        pathways=pathways,
        certifications=certifications,
        licences=licences,
        bookable=content.BOOKABLE_ITEMS,
        form=FormState(),
        licence_actions=content.LICENCE_ACTIONS,
        licence_notes=content.LICENCE_STATE_NOTES,
        gaps=gaps(),
    )


def _my_licences(pid: str) -> list[dict]:
    """The person's Microproject Practitioner Licences, newest first (training's by-person list)."""
    r = soft(lambda: api().get(f"/api/v1/people/{pid}/practitioner-licences", per_page=100))
    return r.items() if r else []


@bp.post("/practitioner/pathways/<role>/items")
@signed_in
def book_item(role: str):
    pid = me().get("person_id") or abort(404)
    item = text("item", 60)
    r = api().post(f"/api/v1/people/{pid}/pathways/{role}/items", {"item": item})
    if r.ok:
        flash(f"Booked {item.replace('_', ' ')} for {money((r.data or {}).get('price'))}.", "success")
    else:
        flash(
            f"Not booked: {r.detail}"
            + (f" (still needed: {', '.join(map(str, r.unmet))})" if r.unmet else ""),
            "error",
        )
    return redirect(url_for("portal.practitioner", _anchor=f"pathway-{role}"))


@bp.post("/practitioner/licences")
@signed_in
def apply_licence():
    user = me()
    pid = user.get("person_id") or abort(404)
    areas = [a for a in (text(f"focus_area_{i}", 200) for i in (1, 2, 3)) if a]
    form = FormState(
        {"idea": text("idea", 4000), **{f"focus_area_{i}": text(f"focus_area_{i}", 200) for i in (1, 2, 3)}}
    )
    r = api().post(
        "/api/v1/practitioner-licences", {"person_id": pid, "idea": form.get("idea"), "focus_areas": areas}
    )
    if r.ok:
        flash("Your Microproject Practitioner Licence application is recorded.", "success")
        return redirect(url_for("portal.practitioner", _anchor="licence"))
    form.from_result(r)
    if "focus_areas" in form.errors:
        form.errors["focus_area_1"] = form.errors.pop("focus_areas")
    return render_template(
        "portal/practitioner.html",
        user=user,
        pathways=[],
        certifications=[],
        licences=_my_licences(pid),
        bookable=content.BOOKABLE_ITEMS,
        form=form,
        licence_actions=content.LICENCE_ACTIONS,
        licence_notes=content.LICENCE_STATE_NOTES,
        gaps=gaps(),
    ), 400


@bp.post("/practitioner/licences/<licence_id>/<action>")
@signed_in
def licence_action(licence_id: str, action: str):
    if action not in ("pause", "resume", "renew"):
        abort(404)
    r = api().post(f"/api/v1/practitioner-licences/{licence_id}/{action}")
    past = {"pause": "paused", "resume": "resumed", "renew": "renewed"}[action]
    flash(f"Licence {past}." if r.ok else f"Not {past}: {r.detail}", "success" if r.ok else "error")
    return redirect(url_for("portal.practitioner", _anchor="licence"))


@bp.post("/practitioner/directory")
@signed_in
def directory_opt():
    pid = me().get("person_id") or abort(404)
    opt_in = request.form.get("listed") == "1"
    if opt_in:
        body = {k: text(k, 500) for k in ("display_name", "locality", "summary") if text(k, 500)}
        r = api().post(f"/api/v1/people/{pid}/directory-entry", body)
    else:
        r = api().post(f"/api/v1/people/{pid}/directory-entry/withdraw")
    flash(
        ("You are listed in the directory." if opt_in else "You are no longer listed in the directory.")
        if r.ok
        else f"Not changed: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.practitioner", _anchor="directory"))


@bp.post("/fund/applications")
@signed_in
def fund_apply():
    user = me()
    body = {
        "practitioner_id": user.get("person_id") or "",
        "organisation_id": text("organisation_id", 64),
        "package_type": integer("package_type", 0),
        "summary": text("summary", 4000),
    }
    r = api().post("/api/v1/fund/applications", body)
    flash(
        "Your fund application is in the next review round." if r.ok else f"Not sent: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.practitioner", _anchor="fund"))


# -- tracker (cic-tracker) -----------------------------------------------------------------


@bp.get("/tracker")
@signed_in
def tracker():
    projects = api().get("/api/v1/tracker/microprojects", per_page=100).items()
    return render_template("portal/tracker.html", projects=projects)


def _microproject(mp_id: str) -> dict:
    r = api().get(f"/api/v1/tracker/microprojects/{mp_id}")
    if r.ok:
        return r.data
    for p in api().get("/api/v1/tracker/microprojects", per_page=100).items():
        if str(p.get("id")) == mp_id:
            return p
    abort(404)


def _cases_of(mp_id: str, mp: dict) -> list:
    if isinstance(mp.get("cases"), list):
        return mp["cases"]
    r = soft(lambda: api().get(f"/api/v1/tracker/microprojects/{mp_id}/cases", per_page=100))
    return r.items() if r else []


@bp.route("/tracker/microprojects/<mp_id>", methods=["GET", "POST"])
@signed_in
def microproject(mp_id: str):
    mp = _microproject(mp_id)
    form = FormState({"given_at": ""})
    if request.method == "POST":
        form = FormState(
            {
                "code": text("code", 40),
                "given_by": text("given_by", 200),
                "scope": text("scope", 500),
                "given_at": text("given_at", 40),
                "consent": checkbox("consent"),
            }
        )
        if not form.get("consent"):
            form.add("consent", "Record that consent was given before creating the case.")
        if not form.failed:
            given_at = form.get("given_at")
            body = {
                "code": form.get("code"),
                "consent": {
                    "given_by": form.get("given_by"),
                    "scope": form.get("scope"),
                    "given_at": given_at + "T00:00:00Z" if len(given_at) == 10 else given_at,
                },
            }
            r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/cases", body)
            if r.ok:
                flash(
                    "Case created with consent recorded.", "success"
                )  # no case code in the session cookie (L5)
                return redirect(url_for("portal.case", case_id=r.data["id"]))
            form.from_result(r)
            for k in ("given_by", "scope", "given_at"):
                if f"consent.{k}" in form.errors:
                    form.errors[k] = form.errors.pop(f"consent.{k}")
    return render_template(
        "portal/microproject.html", mp=mp, cases=_cases_of(mp_id, mp), form=form, completion=FormState()
    ), 400 if form.failed else 200


@bp.post("/tracker/microprojects/<mp_id>/setup")
@signed_in
def microproject_setup(mp_id: str):
    r = api().post(f"/api/v1/tracker/microprojects/{mp_id}/setup")
    flash("Tracker set-up recorded." if r.ok else f"Not set up: {r.detail}", "success" if r.ok else "error")
    return redirect(url_for("portal.microproject", mp_id=mp_id))


@bp.post("/tracker/microprojects/<mp_id>/completion")
@signed_in
def microproject_complete(mp_id: str):
    r = api().post(
        f"/api/v1/tracker/microprojects/{mp_id}/completion", {"reflection": text("reflection", 8000)}
    )
    if r.ok:
        flash(
            "Microproject completed; the practicum is reported to I Matter Training (counts only).", "success"
        )
        return redirect(url_for("portal.microproject", mp_id=mp_id))
    mp = _microproject(mp_id)
    completion = FormState({"reflection": text("reflection", 8000)}).from_result(r)
    return render_template(
        "portal/microproject.html", mp=mp, cases=_cases_of(mp_id, mp), form=FormState(), completion=completion
    ), 409 if r.status == 409 else 400


DEFAULT_AREAS_NOTE = "Name up to three areas and score each from 0 to 10."


def _case(case_id: str) -> dict:
    r = api().get(f"/api/v1/tracker/cases/{case_id}")
    if r.status in (403, 404):
        abort(404)
    return r.data if r.ok else {"id": case_id}


def _areas() -> list[tuple[str, str]]:
    """The scored areas are configurable data in cic-tracker: (code, label) of the active ones."""
    r = soft(lambda: api().get("/api/v1/tracker/areas"))
    items = r.items() if r else []
    return [
        (a.get("code"), a.get("label") or a.get("code"))
        for a in items
        if isinstance(a, dict) and a.get("active", True)
    ]


def progress_rows(data) -> list[dict]:
    """Per-area rows (area, baseline, latest, change) from the progress answer, list- or map-shaped."""
    if not isinstance(data, dict):
        return []
    areas = data.get("areas", data.get("changes", data.get("items")))
    rows = []
    if isinstance(areas, dict):
        areas = [{"area": k, **(v if isinstance(v, dict) else {"change": v})} for k, v in areas.items()]
    for a in areas if isinstance(areas, list) else []:
        if isinstance(a, dict):
            rows.append(
                {
                    "area": a.get("label") or a.get("area") or a.get("name") or a.get("code"),
                    "baseline": a.get("baseline"),
                    "latest": a.get("latest", a.get("follow_up", a.get("current"))),
                    "change": a.get("change"),
                }
            )
    return rows


def _next_kind(case: dict) -> str:
    counts = case.get("counts") if isinstance(case.get("counts"), dict) else {}
    return "follow_up" if counts.get("baselines") else "baseline"


def _render_case(case_id: str, assessment=None, goal=None, status=200, tools=None):
    from .reflective import case_tools

    case = _case(case_id)
    progress = soft(lambda: api().get(f"/api/v1/tracker/cases/{case_id}/progress"))
    return render_template(
        "portal/case.html",
        case=case,
        areas=_areas(),
        tools=case_tools(case_id, tools),
        areas_progress=progress_rows(progress.data) if progress else [],
        has_progress=bool(progress),
        assessment=assessment or FormState({"kind": _next_kind(case)}),
        goal=goal or FormState(),
        area_note=DEFAULT_AREAS_NOTE,
    ), status


@bp.get("/tracker/cases/<case_id>")
@signed_in
def case(case_id: str):
    return _render_case(case_id)


@bp.post("/tracker/cases/<case_id>/assessments")
@signed_in
def record_assessment(case_id: str):
    form = FormState({"kind": text("kind", 20), "notes": text("notes", 4000)})
    scores: dict[str, int] = {}
    for key, raw in request.form.items():
        name = None
        if key.startswith("score."):
            name = key[6:]
        elif key.startswith("area_name_") and raw.strip():
            name = raw.strip()[:60]
            raw = request.form.get("area_score_" + key.removeprefix("area_name_"), "")
        if name is None:
            continue
        form.values[key] = raw
        if raw.strip() == "":
            continue
        try:
            value = int(raw)
        except ValueError:
            form.add(key, "Enter a whole number from 0 to 10.")
            continue
        if not 0 <= value <= 10:
            form.add(key, "Enter a whole number from 0 to 10.")
        scores[name] = value
    if not scores and not form.failed:
        form.add("scores", "Score at least one area.")
    if not form.failed:
        body = {"kind": form.get("kind"), "scores": scores}
        if form.get("notes"):
            body["notes"] = form.get("notes")
        r = api().post(f"/api/v1/tracker/cases/{case_id}/assessments", body)
        if r.ok:
            flash(
                f"{'Baseline' if form.get('kind') == 'baseline' else 'Follow-up'} recorded; one Tracker credit used.",
                "success",
            )
            return redirect(url_for("portal.case", case_id=case_id, _anchor="progress"))
        form.from_result(r)
        for k in list(form.errors):
            if k.startswith("scores."):
                form.errors["score." + k[7:]] = form.errors.pop(k)
    return _render_case(
        case_id, assessment=form, status=409 if form.unmet or "credit" in (form.detail or "") else 400
    )


@bp.post("/tracker/cases/<case_id>/goals")
@signed_in
def add_goal(case_id: str):
    form = FormState({"text": text("text", 2000), "status": text("status", 20) or "open"})
    r = api().post(
        f"/api/v1/tracker/cases/{case_id}/goals", {"text": form.get("text"), "status": form.get("status")}
    )
    if r.ok:
        flash("Goal added.", "success")
        return redirect(url_for("portal.case", case_id=case_id, _anchor="goals"))
    return _render_case(case_id, goal=form.from_result(r), status=400)


@bp.post("/tracker/cases/<case_id>/withdraw")
@signed_in
def withdraw_consent(case_id: str):
    r = api().post(f"/api/v1/tracker/cases/{case_id}/consent/withdraw")
    flash(
        "Consent withdrawn; the case's data is erased as the policy says."
        if r.ok
        else f"Not withdrawn: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.tracker"))


@bp.get("/tracker/cases/<case_id>/progress.svg")
@signed_in
def progress_svg(case_id: str):
    """The CIC's chart, fetched with the user's token; served as an image (scripts in an <img>
    never run) with the same headers as any case page."""
    r = api().svg(f"/api/v1/tracker/cases/{case_id}/progress?format=svg")
    if r.status in (403, 404):
        abort(404)
    if not r.ok or "svg" not in r.content_type:
        abort(404)
    from flask import Response

    resp = Response(r.content, mimetype="image/svg+xml")
    resp.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    )
    return resp


# -- CIC staff -----------------------------------------------------------------------------


@bp.get("/cic")
@signed_in
def cic():
    """CIC staff and reviewers work here; anyone else sees their own consultations and fund
    applications (the CIC's emails link here: a scheduled consultation, a fund decision)."""
    a = api()
    staff, reviewer = has_role("cic_staff"), has_role("fund_reviewer")
    consultations = soft(lambda: a.get("/api/v1/consultations", per_page=100))
    rounds = soft(lambda: a.get("/api/v1/fund/rounds", per_page=100))
    applications = soft(lambda: a.get("/api/v1/fund/applications", per_page=100))
    summary = soft(lambda: a.get("/api/v1/evaluation/summary")) if staff or reviewer else None
    return render_template(
        "portal/cic.html",
        consultations=consultations.items() if consultations else [],
        rounds=rounds.items() if rounds else [],
        applications=applications.items() if applications else [],
        summary=summary.data if summary else None,
        staff=staff,
        reviewer=reviewer,
        gaps=gaps(),
    )


@bp.post("/cic/consultations")
@signed_in
def request_consultation():
    body = {"for_kind": text("for_kind", 20), "purpose": text("purpose", 2000)}
    r = api().post("/api/v1/consultations", body)
    flash(
        "Consultation requested." if r.ok else f"Not requested: {refusal(r)}", "success" if r.ok else "error"
    )
    return redirect(local_next(request.form.get("next"), url_for("portal.cic")))


@bp.post("/cic/consultations/<cid>/<action>")
@signed_in
def consultation_action(cid: str, action: str):
    """Staff schedule and complete; the requester (or staff) may cancel."""
    if action not in ("schedule", "complete", "cancel"):
        abort(404)
    if action != "cancel" and not has_role("cic_staff"):
        abort(403, description="This page is for cic staff.")
    body = {"scheduled_for": text("scheduled_for", 40)} if action == "schedule" else {}
    r = api().post(f"/api/v1/consultations/{cid}/{action}", body)
    past = {"schedule": "scheduled", "complete": "completed", "cancel": "cancelled"}[action]
    flash(f"Consultation {past}." if r.ok else f"Not {past}: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic", _anchor="consultations"))


@bp.post("/cic/rounds/<round_id>/close")
@require_role("cic_staff")
def close_round(round_id: str):
    r = api().post(f"/api/v1/fund/rounds/{round_id}/close")
    flash(
        "Round closed; its applications are ready for decision." if r.ok else f"Not closed: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.cic", _anchor="fund"))


@bp.post("/cic/applications/<app_id>/reviews")
@require_role("fund_reviewer")
def review_application(app_id: str):
    r = api().post(
        f"/api/v1/fund/applications/{app_id}/reviews",
        {
            "score": integer("score", -1),
            "comment": text("comment", 2000),
            "no_conflict": checkbox("no_conflict"),
        },
    )
    flash("Review recorded." if r.ok else f"Not recorded: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic", _anchor="fund"))


@bp.post("/cic/applications/<app_id>/decision")
@require_role("cic_staff", "fund_reviewer")
def decide_application(app_id: str):
    body = {"outcome": text("outcome", 20)}
    if text("note", 2000):
        body["note"] = text("note", 2000)
    r = api().post(f"/api/v1/fund/applications/{app_id}/decision", body)
    flash(
        f"Decision recorded: {body['outcome']}." if r.ok else f"Not recorded: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.cic", _anchor="fund"))


# -- training admin ------------------------------------------------------------------------


@bp.get("/admin")
@require_role("training_admin")
def training_admin():
    return render_admin()


def render_admin(wheel_form=None, status=200):
    from .reflective import admin_wheel_licences

    a = api()
    orgs = soft(lambda: a.get("/api/v1/organisations", per_page=100))
    org_id = (request.args.get("org") or "").strip()[:64]
    page = max(1, integer("page", 1) or 1)
    booked, total = booked_items(a, org_id, page)
    interest = soft(lambda: a.get("/api/v1/interest", per_page=20))
    book = soft(lambda: a.get("/api/v1/price-book"))
    return render_template(
        "portal/admin.html",
        orgs=orgs.items() if orgs else [],
        org_id=org_id,
        booked=booked,
        total=total,
        page=page,
        per_page=ADMIN_PER_PAGE,
        interest=interest.items() if interest else [],
        price_book=book.data if book else None,
        wheel_licences=admin_wheel_licences(),
        wheel_form=wheel_form or FormState({"holder": "organisation"}),
        gaps=gaps(),
    ), status


ADMIN_PER_PAGE = 100


def booked_items(a: Api, org_id: str, page: int) -> tuple[list[dict] | None, int]:
    """Booked pathway items waiting to be marked completed, oldest first, each with the person's
    name (training's admin list); None when training cannot answer."""
    r = soft(
        lambda: a.get(
            "/api/v1/pathway-items",
            state="booked",
            organisation_id=org_id or None,
            page=page,
            per_page=ADMIN_PER_PAGE,
        )
    )
    if r is None:
        return None, 0
    total = (r.data or {}).get("total") if isinstance(r.data, dict) else None
    return r.items(), int(total if total is not None else len(r.items()))


@bp.post("/admin/pathway-items/<item_id>/completion")
@require_role("training_admin")
def complete_item(item_id: str):
    r = api().post(f"/api/v1/pathway-items/{item_id}/completion")
    flash("Marked completed." if r.ok else f"Not completed: {r.detail}", "success" if r.ok else "error")
    return redirect(
        url_for("portal.training_admin", org=request.form.get("org") or None, _anchor="completions")
    )


@bp.post("/admin/practitioner-licences")
@require_role("training_admin")
def approve_licence():
    licence_id = text("licence_id", 64)
    r = api().post(f"/api/v1/practitioner-licences/{licence_id}/approve") if licence_id else None
    ok = bool(r and r.ok)
    flash(
        "Review recorded: licence approved."
        if ok
        else f"Not approved: {r.detail if r else 'enter the licence reference.'}",
        "success" if ok else "error",
    )
    return redirect(url_for("portal.training_admin", _anchor="applications"))


@bp.post("/admin/price-book/<band_code>")
@require_role("training_admin")
def edit_band(band_code: str):
    """Edit one size band: the whole band list is sent back as a new price-book version."""
    book = api().get("/api/v1/price-book")
    bands = [dict(b) for b in (book.data or {}).get("size_bands", [])] if book.ok else []
    band = next((b for b in bands if b.get("code") == band_code), None) or abort(404)
    from .forms import pence

    for key in ("starter_fee", "cpd_fee", "enhanced_fee"):
        amount = pence(key)  # pounds.pence: the pence are kept
        if amount is not None:
            band[key] = amount
    seats = integer("cpd_seats_included")
    if seats is not None:
        band["cpd_seats_included"] = seats
    # the band edited is confirmed by the admin (no longer a placeholder); the others keep their labels
    band["placeholder"] = False
    band["label"] = (band.get("label") or band_code).split(" — PLACEHOLDER")[0]
    keep = (
        "code",
        "label",
        "staff_min",
        "staff_max",
        "starter_fee",
        "cpd_fee",
        "enhanced_fee",
        "cpd_seats_included",
        "placeholder",
    )
    r = api().put(
        "/api/v1/price-book", {"size_bands": [{k: b.get(k) for k in keep if k in b} for b in bands]}
    )
    flash(
        f"Price book updated (version {(r.data or {}).get('version')})."
        if r.ok
        else f"Not updated: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.training_admin", _anchor="price-book"))
