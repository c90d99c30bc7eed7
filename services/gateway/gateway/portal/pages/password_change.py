"""Change the password while signed in (gateway POST /api/v1/auth/password): the current password,
the new one twice. Every token issued before stops working (the gateway's rule), this session's
included, so the user signs in again with the new password. Wrong current passwords are limited
per account (429). Forgotten passwords are reset by email (pages/accounts.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from ..forms import FormState
from ..plumbing import api, bp, signed_in


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = FormState()
    if request.method == "GET":
        return render_template("portal/account_password.html", form=form)
    current = request.form.get("current_password") or ""
    new = request.form.get("new_password") or ""
    if not current:
        form.add("current_password", "Enter your current password.")
    if not new:
        form.add("new_password", "Enter a new password.")
    elif new != (request.form.get("password_confirm") or ""):
        form.add("password_confirm", "The two new passwords are not the same.")
    if form.failed:
        return render_template("portal/account_password.html", form=form), 400
    r = api().change_password({"current_password": current, "new_password": new})
    if not r.ok:
        form.from_result(r)
        return render_template("portal/account_password.html", form=form), 429 if r.status == 429 else 400
    session.clear()  # the session's token no longer works: every earlier token was revoked
    flash("Your password is changed. Sign in with the new one.", "success")
    return redirect(url_for("portal.sign_in"))
