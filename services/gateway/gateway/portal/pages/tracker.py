"""The Progress Tracker's microprojects (cic-tracker): the practitioner's workspaces, creating a
case with consent recorded, the set-up and the completion with its reflection."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..forms import FormState, checkbox, text
from ..plumbing import api, bp, signed_in
from ..reads import cases_of, microproject_of

# -- tracker (cic-tracker) -----------------------------------------------------------------


@bp.get("/tracker")
@signed_in
def tracker():
    projects = api().get("/api/v1/tracker/microprojects", per_page=100).items()
    return render_template("portal/tracker.html", projects=projects)


@bp.route("/tracker/microprojects/<mp_id>", methods=["GET", "POST"])
@signed_in
def microproject(mp_id: str):
    mp = microproject_of(mp_id)
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
        "portal/microproject.html", mp=mp, cases=cases_of(mp_id), form=form, completion=FormState()
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
    mp = microproject_of(mp_id)
    completion = FormState({"reflection": text("reflection", 8000)}).from_result(r)
    return render_template(
        "portal/microproject.html", mp=mp, cases=cases_of(mp_id), form=FormState(), completion=completion
    ), 409 if r.status == 409 else 400
