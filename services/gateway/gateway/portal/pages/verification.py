"""Email verification in the portal (security review L1; gateway/email_verification.py).

- `GET /verify-email?token=...` (the emailed link): the token moves into the session and the
  browser goes to the bare `/verify-email` at once, so the token is in no access log, history
  entry or Referer header. The page then shows a "Confirm my email" button: a POST (with the
  CSRF token) that runs accounts.verify_email (as `POST /api/v1/auth/verify-email` does). Signed in or not, it works: the
  token is the proof. A GET never confirms (mail scanners follow links).
- `POST /account/verify-email/resend`: the signed-in user asks for a new link
  (`POST /api/v1/auth/verify-email/resend`; a 429 is shown as the API words it).
The account page and a banner on every page show whether the address is confirmed.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for

from ..forms import FormState
from ..plumbing import api, bp, link_token_to_session, local_next, remember_verification, signed_in

SESSION_KEY = "verify_token"


@bp.route("/verify-email", methods=["GET", "POST"])
def verify_email():
    if request.method == "GET" and request.args.get("token"):
        return link_token_to_session(SESSION_KEY, "portal.verify_email")
    token = session.get(SESSION_KEY) or ""
    form = FormState()
    status = 200
    if request.method == "POST":
        if not token:
            form.add(
                "token", "This page has no confirmation link any more; open the link in the email again."
            )
        else:
            r = api().verify_email({"token": token})
            if r.ok:
                session.pop(SESSION_KEY, None)
                if session.get("token"):
                    remember_verification({"email_verified": True})
                flash("Thank you: your email address is confirmed.", "success")
                return redirect(url_for("portal.account" if session.get("token") else "portal.sign_in"))
            form.from_result(r)
            if r.status == 400 and "token" in form.errors:
                session.pop(SESSION_KEY, None)  # used, expired or unknown: it will not work again
        status = 400 if form.failed else 200
    resp = make_response(
        render_template("portal/verify_email.html", form=form, has_token=bool(session.get(SESSION_KEY))),
        status,
    )
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.post("/account/verify-email/resend")
@signed_in
def resend_verification():
    r = api().resend_verification()
    back = local_next(request.form.get("next"), url_for("portal.account"))
    if r.ok:
        if (r.data or {}).get("email_verified"):
            remember_verification({"email_verified": True})
            flash("Your email address is already confirmed.", "info")
        else:
            flash(
                "We have emailed you a new link to confirm your address. It works once, for 48 hours.",
                "success",
            )
    else:
        flash(f"No new link was sent: {r.detail}", "error")
    return redirect(back)
