"""Accounts: sign-up, sign-in and sign-out, and the password reset by email. The gateway's own
account service answers these (gateway/api/auth.py, gateway/api/password_reset.py)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for

from ..forms import FormState, csrf_token, text
from ..plumbing import api, bp, link_token_to_session, local_next


def _start_session(token: str, email: str) -> None:
    """A fresh session on sign-in (no fixation): new CSRF token, the access token, the name."""
    session.clear()
    session["token"] = token
    csrf_token()
    r = api().me()
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
            r = api().sign_up(
                {"name": form.get("name"), "email": form.get("email"), "password": password},
            )
            if r.ok:
                login = api().sign_in({"email": form.get("email"), "password": password})
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
        r = api().sign_in({"email": form.get("email"), "password": request.form.get("password") or ""})
        if r.ok:
            _start_session(r.data["access_token"], form.get("email"))
            return redirect(nxt)
        form.from_result(r)
        return render_template("portal/sign_in.html", form=form, next=nxt), 400 if r.status != 429 else 429
    return render_template("portal/sign_in.html", form=form, next=nxt)


@bp.post("/sign-out")
def sign_out():
    if session.get("token"):
        api().sign_out()  # the token is revoked, not just forgotten
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
            r = api().request_reset({"email": form.get("email")})
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
            r = api().confirm_reset({"token": token, "new_password": password})
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
