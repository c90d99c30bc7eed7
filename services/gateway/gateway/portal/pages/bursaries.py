"""Portal pages for an organisation's bursary fund (seed 001: "a % of any online course fees are
paid to a fund for bursaries for their organisation to be used for those who cannot pay the full
fee"; DOMAIN "Rulings" -> "Money"), over training's /api/v1/bursaries:

- the organisation's admins, members and training admins: the balance, deposits waiting for
  payment, the affiliate percentage in force and the ledger (what the API lets each of them read);
- the organisation's admins: order a deposit (invoiced; it counts once paid) and award a bursary
  place on an online course to a member who cannot pay;
- a commissioner organisation's admins: fund bursary places in another organisation, billed to the
  commissioner ("a commissioner organisation may fund bursary places in any organisation").

Who may do each is training's rule: a refusal is shown with its reason, and changes nothing.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from ..forms import FormState, pence, sent_idempotency_key, text
from ..plumbing import api, bp, gaps, money, signed_in, soft
from ..reads import catalogue_items, org_lists, refused_status

API = "/api/v1/bursaries"


def _render(org_id: str, forms: dict | None = None, status: int = 200):
    org = api().get(f"/api/v1/organisations/{org_id}")
    if org.status == 404:
        abort(404)
    fund = soft(lambda: api().get(f"{API}/{org_id}", per_page=50))
    members = [m for m in org_lists(org_id)["members"] if m.get("state", "active") == "active"]
    courses = [
        c
        for c in catalogue_items("/api/v1/catalogue/courses")
        if c.get("kind") == "online_course" and c.get("level") in (1, 2)
    ]
    forms = forms or {}
    return render_template(
        "portal/bursary.html",
        title="Bursary fund",
        org=org.data if org.ok else {"id": org_id, "name": org_id},
        fund=fund.data if fund else None,
        member_options=[(_person_of(m), m.get("name") or _person_of(m)) for m in members],
        course_options=[(c["code"], c.get("title") or c["code"]) for c in courses],
        names={_person_of(m): m.get("name") for m in members},
        deposit_form=forms.get("deposit") or FormState(),
        place_form=forms.get("place") or FormState(),
        elsewhere_form=forms.get("elsewhere") or FormState(),
        gaps=gaps(),
    ), status


def _person_of(m: dict) -> str:
    person = m.get("person")
    return m.get("person_id") or (person.get("id") if isinstance(person, dict) else None) or m.get("id", "")


@bp.get("/organisations/<org_id>/bursary")
@signed_in
def bursary(org_id: str):
    return _render(org_id)


def _deposit(org_id: str, target: str, key: str, billed_to: str | None):
    form = FormState({"amount": text("amount", 20), "note": text("note", 300), "organisation_id": target})
    amount = pence("amount")
    if amount is None or amount < 1:
        form.add("amount", "Give an amount in pounds, e.g. 250 or 250.00.")
    if not target:
        form.add("organisation_id", "Give the organisation's reference.")
    if form.failed:
        return _render(org_id, {key: form}, 400)
    body = {"amount": amount, "note": form.get("note") or None}
    if billed_to:
        body["billed_to_organisation_id"] = billed_to
    r = api().post(f"{API}/{target}/deposits", body, sent_idempotency_key())
    if not r.ok:
        if r.status == 404:
            form.add("organisation_id", "No organisation with that reference that you may fund.")
        return _render(org_id, {key: form.from_result(r)}, 404 if r.status == 404 else refused_status(r))
    flash(
        f"Deposit of {money(amount)} ordered and invoiced: it counts in the fund once the invoice is paid.",
        "success",
    )
    return redirect(url_for("portal.bursary", org_id=org_id))


@bp.post("/organisations/<org_id>/bursary/deposits")
@signed_in
def bursary_deposit(org_id: str):
    """A deposit into this organisation's own fund."""
    return _deposit(org_id, org_id, "deposit", None)


@bp.post("/organisations/<org_id>/bursary/fund-elsewhere")
@signed_in
def bursary_fund_elsewhere(org_id: str):
    """A commissioner funds bursary places in another organisation, billed to the commissioner."""
    return _deposit(org_id, text("organisation_id", 64), "elsewhere", org_id)


@bp.post("/organisations/<org_id>/bursary/places")
@signed_in
def bursary_place(org_id: str):
    """A bursary place: an online course for a member who cannot pay, paid from the fund."""
    form = FormState({"person_id": text("person_id", 64), "course_code": text("course_code", 60)})
    if not form.get("person_id"):
        form.add("person_id", "Choose the member.")
    if not form.get("course_code"):
        form.add("course_code", "Choose the course.")
    if form.failed:
        return _render(org_id, {"place": form}, 400)
    r = api().post(
        f"{API}/{org_id}/places", {"person_id": form.get("person_id"), "course_code": form.get("course_code")}
    )
    if not r.ok:
        return _render(org_id, {"place": form.from_result(r)}, 404 if r.status == 404 else refused_status(r))
    flash(
        f"Bursary place awarded. The fund now holds {money((r.data or {}).get('fund_balance'))}.",
        "success",
    )
    return redirect(url_for("portal.bursary", org_id=org_id))
