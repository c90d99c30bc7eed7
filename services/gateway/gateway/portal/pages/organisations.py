"""An organisation's pages: registering one, its page (stage, licences, seats, members, packages)
and what its admins buy there: a licence, extra seats, a microproject package; and inviting a
member. A refusal shows the organisation page again with the API's reasons."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import reference
from ..client import ServiceUnavailable
from ..forms import FormState, checkbox, integer, sent_idempotency_key, text
from ..plumbing import api, bp, me, money, signed_in
from ..reads import (
    catalogue_items,
    org_lists,
    org_or_404,
    organisation_kinds,
    price_book,
    render_organisation,
    size_bands,
)


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
    starter = reference.licence("starter") or {}  # each band with the fee of the licence taken first
    bands = [
        (
            b.get("code"),
            f"{b.get('label') or b.get('code')}"
            + (f" ({starter['name']} {money(b.get(starter['fee_key']))} a year)" if starter else ""),
        )
        for b in size_bands()
    ]
    return render_template(
        "portal/organisation_new.html", form=form, kinds=organisation_kinds(), size_bands=bands
    ), status


@bp.get("/organisations/<org_id>")
@signed_in
def organisation(org_id: str):
    return render_organisation(org_id)


def _licence_price(org: dict, fee_key: str) -> int | None:
    """The licence's annual fee for the organisation's size band (the band's `fee_key` field)."""
    for band in size_bands():
        if band.get("code") == org.get("size_band"):
            return band.get(fee_key)
    return None


def _book_notice() -> str | None:
    """The price book's placeholder notice (row 111: every page showing a placeholder says so)."""
    return (price_book() or {}).get("notice")


@bp.route("/organisations/<org_id>/licences/<licence_type>", methods=["GET", "POST"])
@signed_in
def buy_licence(org_id: str, licence_type: str):
    if reference.licences() is None:
        raise ServiceUnavailable("training", 503)
    info = reference.licence(licence_type) or abort(404)
    org = org_or_404(org_id)
    agreement = info.get("agreement")  # the Starter's agreement to participate
    form = FormState({"agreement_accepted": request.form.get("agreement_accepted") == "on"})
    if request.method == "POST" and agreement and not form.get("agreement_accepted"):
        form.add(
            "agreement_accepted",
            "Accept the organisational agreement to participate to buy the Starter Licence.",
        )
    elif request.method == "POST":
        body = {"type": licence_type, **({"agreement_accepted": True} if agreement else {})}
        r = api().post(f"/api/v1/organisations/{org_id}/licences", body, sent_idempotency_key())
        if r.ok:
            flash(
                f"{info['name']} bought for {money((r.data or {}).get('price'))}; "
                f"valid until {(r.data or {}).get('valid_until', '')[:10]}.",
                "success",
            )
            return redirect(url_for("portal.organisation", org_id=org_id))
        form.from_result(r)
    band = next((b for b in size_bands() if b.get("code") == org.get("size_band")), {})
    return render_template(
        "portal/confirm_licence.html",
        org=org,
        info=info,
        form=form,
        price=_licence_price(org, info.get("fee_key")),
        placeholder=bool(band.get("placeholder")),
        notice=_book_notice(),
        agreement=agreement,
    ), 409 if form.unmet else (400 if form.failed else 200)


@bp.route("/organisations/<org_id>/seats", methods=["GET", "POST"])
@signed_in
def buy_seats(org_id: str):
    org = org_or_404(org_id)
    count = integer("count")
    form = FormState({"count": "" if count is None else count})
    quote = None
    # how many seats one purchase may hold is training's rule: its 400 is shown at the field
    if count is None:
        form.add("count", "Enter a whole number of seats.")
    elif request.method == "POST":
        r = api().post(
            f"/api/v1/organisations/{org_id}/seat-purchases", {"count": count}, sent_idempotency_key()
        )
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
    org = org_or_404(org_id)
    types = {str(p.get("type")): p for p in catalogue_items("/api/v1/catalogue/packages")}
    form = FormState(
        {
            k: (request.values.get(k) or "").strip()[:64]
            for k in ("type", "practitioner_id", "funding", "fund_award_id")
        }
    )
    fundings = reference.fundings("package")
    form.values["funding"] = form.get("funding") or next((code for code, _ in fundings), "")
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
        r = api().post(f"/api/v1/organisations/{org_id}/packages", body, sent_idempotency_key())
        if r.ok:
            flash(
                f"{chosen.get('title', 'Package')} bought for {money((r.data or {}).get('price', chosen.get('price')))}. "
                "The practitioner's Tracker workspace appears shortly.",
                "success",
            )
            return redirect(url_for("portal.organisation", org_id=org_id))
        form.from_result(r)
    members = org_lists(org_id)["members"]
    type_options = [
        (str(p.get("type")), f"Type {p.get('type')}: {p.get('title')} ({money(p.get('price'))})")
        for p in types.values()
    ]
    # training's member rows name the person by `person_id` (None while an emailed invitation is open)
    member_options = [
        (str(m.get("person_id") or ""), m.get("name") or m.get("email") or str(m.get("person_id") or ""))
        for m in members
    ]
    return render_template(
        "portal/confirm_package.html",
        org=org,
        form=form,
        package=chosen,
        members=member_options,
        types=type_options,
        package_types=list(types.values()),
        fundings=fundings,
    ), 400 if form.failed else 200


@bp.post("/organisations/<org_id>/members")
@signed_in
def add_member(org_id: str):
    """Invite someone by email (or person id): they join once they accept (pages/memberships.py)."""
    email, role, person_id = text("email", 254), text("role", 40) or "staff", text("person_id", 64)
    body = {"role": role, **({"person_id": person_id} if person_id else {"email": email})}
    r = api().post(f"/api/v1/organisations/{org_id}/members", body)
    if not r.ok:
        return render_organisation(org_id, FormState({"email": email, "role": role}).from_result(r)), 400
    flash(
        "Invitation sent: they join once they accept."
        if (r.data or {}).get("state") == "invited"
        else "You are now a member.",
        "success",
    )
    return redirect(url_for("portal.organisation", org_id=org_id, _anchor="members"))
