"""Training admins' page: booked pathway items to mark completed, licence applications, the
price book's size bands, interest received and the community wheel licences."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..client import Api
from ..forms import FormState, checkbox, integer, pence, text
from ..plumbing import api, bp, gaps, require_role, soft
from ..price_changes import changes, preview_or_go


@bp.get("/admin")
@require_role("training_admin")
def training_admin():
    return render_admin()


def render_admin(wheel_form=None, status=200, band_form=None, band_key=None):
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
        wheel_licences=_wheel_licences(),
        wheel_form=wheel_form or FormState({"holder": "organisation"}),
        band_form=band_form,
        band_key=band_key,
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


BAND_FEES = {"starter_fee": "Starter fee", "cpd_fee": "CPD fee", "enhanced_fee": "Enhanced fee"}
BAND_LABELS = {
    **BAND_FEES,
    "cpd_seats_included": "CPD seats included",
    "label": "Label",
    "placeholder": "Placeholder (not yet published by I Matter)",
}
BAND_KEEP = (
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


@bp.post("/admin/price-book/<band_code>")
@require_role("training_admin")
def edit_band(band_code: str):
    """Edit one size band: fees in pounds and pence (kept to the penny); an amount that is not one
    is refused at its field. The change is previewed (old -> new), then published on confirmation
    as a new price-book version (the whole band list is sent back). A field not posted is kept."""
    book = api().get("/api/v1/price-book")
    bands = [dict(b) for b in (book.data or {}).get("size_bands", [])] if book.ok else []
    index = next((i for i, b in enumerate(bands) if b.get("code") == band_code), None)
    if index is None:
        abort(404)
    band = bands[index]
    posted = [k for k in (*BAND_FEES, "cpd_seats_included") if k in request.form]
    form, new = FormState({k: request.form.get(k, "") for k in posted}), dict(band)
    for key, label in BAND_FEES.items():
        if key in posted:
            amount = pence(key)  # pounds.pence: the pence are kept
            if amount is None:
                form.add(key, f"Enter the {label.lower()} in pounds and pence, e.g. 150 or 125.50.")
            new[key] = amount
    if "cpd_seats_included" in posted:
        new["cpd_seats_included"] = integer("cpd_seats_included")
        if new["cpd_seats_included"] is None or new["cpd_seats_included"] < 0:
            form.add("cpd_seats_included", "Enter a whole number of seats, 0 or more.")
    if form.failed:
        form.detail = "The band was not changed: correct the amounts shown."
        return render_admin(band_form=form, band_key=band_code, status=400)
    # the band edited is confirmed by the admin (no longer a placeholder); the others keep their labels
    new["placeholder"] = False
    new["label"] = (band.get("label") or band_code).split(" — PLACEHOLDER")[0]
    back = url_for("portal.training_admin", _anchor="price-book")
    wait = preview_or_go(f"size band {new['label']}", changes(band, new, BAND_LABELS), book.data, back)
    if wait is not None:
        return wait
    bands[index] = new
    r = api().put(
        "/api/v1/price-book", {"size_bands": [{k: b.get(k) for k in BAND_KEEP if k in b} for b in bands]}
    )
    flash(
        f"Price book updated (version {(r.data or {}).get('version')})."
        if r.ok
        else f"Not updated: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(back)


# -- community wheel licences ----------------------------------------------------------------


def _wheel_licences() -> list[dict] | None:
    r = soft(lambda: api().get("/api/v1/training/community-wheel/licences", per_page=100))
    return r.items() if r else None


@bp.post("/admin/community-wheel/licences")
@require_role("training_admin")
def grant_wheel_licence():
    holder = request.form.get("holder") if request.form.get("holder") in ("organisation", "person") else ""
    form = FormState(
        {
            "holder": holder,
            "organisation_id": text("organisation_id", 32),
            "person_id": text("person_id", 32),
            "with_level_3a": checkbox("with_level_3a"),
            "months": text("months", 4),
        }
    )
    if not holder:
        form.add("holder", "Choose who holds the licence.")
    elif not form.get(f"{holder}_id"):
        form.add(
            f"{holder}_id",
            "Choose the organisation." if holder == "organisation" else "Enter the person's reference.",
        )
    months = None
    if form.get("months"):
        months = integer("months")
        if months is None or not 1 <= months <= 36:
            form.add("months", "Enter a number of months from 1 to 36, or leave it empty for a year.")
    if not form.failed:
        body = {f"{holder}_id": form.get(f"{holder}_id"), "with_level_3a": form.get("with_level_3a")}
        if months:
            body["months"] = months
        r = api().post("/api/v1/training/community-wheel/licences", body)
        if r.ok:
            flash(
                f"Community wheel licence granted, valid until {(r.data.get('valid_until') or '')[:10]}.",
                "success",
            )
            return redirect(url_for("portal.training_admin", _anchor="community-wheel"))
        form.from_result(r)
        # the API names both ids when neither or both are given; show only the one chosen
        other = "person_id" if holder == "organisation" else "organisation_id"
        form.errors.pop(other, None)
    return render_admin(wheel_form=form, status=409 if form.unmet else 400)


@bp.post("/admin/community-wheel/licences/<licence_id>/revoke")
@require_role("training_admin")
def revoke_wheel_licence(licence_id: str):
    r = api().post(f"/api/v1/training/community-wheel/licences/{licence_id}/revoke")
    if r.status == 404:
        abort(404)
    flash(
        "Community wheel licence revoked." if r.ok else f"Not revoked: {r.detail}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.training_admin", _anchor="community-wheel"))
