"""Renewing an active organisational licence before it ends (training POST
/api/v1/organisations/{id}/licences/{licence_id}/renew: one more annual term from the later of now
and the current end, ordered and invoiced). Buying the licence again (pages/organisations.py) is
refused while it is active ("renew it instead"), so the organisation page links here for an active
licence. The fee is shown before confirming (with its placeholder label); a renewal the page did
not see (the licence's end moved since it was shown: a second click, another admin) is refused
rather than sent, so one confirmation renews once. Training decides who may (the organisation's
admins) and names the rule when it refuses.

A training admin may also end a licence's term now (POST .../licences/{licence_id}/end, e.g. the
agreement was terminated): it expires, what depends on it is suspended until renewed, nothing is
deleted. The organisation page shows that button to training admins only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for

from .. import reference
from ..forms import FormState, text
from ..plumbing import api, bp, has_role, money, refusal, require_role, signed_in
from ..reads import org_or_404, price_book, refused_status, size_bands


def _render(org: dict, lic: dict, form: FormState | None = None, status: int = 200):
    info = reference.licence(lic.get("type")) or {"name": lic.get("title") or lic.get("type")}
    band = next((b for b in size_bands() if b.get("code") == org.get("size_band")), {})
    fee_key = info.get("fee_key")
    return render_template(
        "portal/licence_renewal.html",
        title="Renew: " + str(info.get("name")),
        org=org,
        lic=lic,
        info=info,
        price=band.get(fee_key) if fee_key else None,
        placeholder=bool(band.get("placeholder")),
        notice=(price_book() or {}).get("notice"),
        form=form or FormState(),
    ), status


def _licence(org: dict, licence_id: str) -> dict:
    return next((lic for lic in org.get("licences") or [] if lic.get("id") == licence_id), None) or abort(404)


@bp.get("/organisations/<org_id>/licences/<licence_id>/renew")
@signed_in
def renew_licence(org_id: str, licence_id: str):
    org = org_or_404(org_id)
    return _render(org, _licence(org, licence_id))


@bp.post("/organisations/<org_id>/licences/<licence_id>/renew")
@signed_in
def renew_licence_confirm(org_id: str, licence_id: str):
    org = org_or_404(org_id)
    lic = _licence(org, licence_id)
    form = FormState()
    if text("seen_valid_until", 40) != (lic.get("valid_until") or ""):
        form.detail = (
            "This licence was renewed or changed since the page was shown: check its new end date first."
        )
        form.unmet = ["licence_changed"]
        return _render(org, lic, form, 409)
    r = api().post(f"/api/v1/organisations/{org_id}/licences/{licence_id}/renew")
    if r.status == 404:
        abort(404)
    if not r.ok:
        return _render(org, lic, form.from_result(r), refused_status(r))
    data = r.data or {}
    flash(
        f"{data.get('title') or 'Licence'} renewed for {money(data.get('price'))}; "
        f"valid until {(data.get('valid_until') or '')[:10]}. An invoice was raised.",
        "success",
    )
    return redirect(url_for("portal.organisation", org_id=org_id))


@bp.app_template_global()
def may_end_licences() -> bool:
    """Whether the signed-in user is a training admin (the organisation page's "End now")."""
    return bool(session.get("token")) and has_role("training_admin")


@bp.post("/organisations/<org_id>/licences/<licence_id>/end")
@require_role("training_admin")
def end_licence(org_id: str, licence_id: str):
    r = api().post(f"/api/v1/organisations/{org_id}/licences/{licence_id}/end")
    if r.status == 404:
        abort(404)
    if r.ok:
        flash(
            f"{(r.data or {}).get('title') or 'Licence'} ended now: what depends on it is suspended until it is renewed.",
            "success",
        )
    else:
        flash(refusal(r), "error")
    return redirect(url_for("portal.organisation", org_id=org_id))
