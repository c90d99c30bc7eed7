"""Portal pages for the Microproject Development Fund's money (security L6, domain row 105):

- "Support a Journey" (public page; pledging needs an account): a supporter pledges a gift
  (cic-tracker: POST /api/v1/fund/gifts). A pledge counts for nothing until the CIC receives it;
  the supporter sees their own pledges and their state.
- CIC finance (CIC staff; fund reviewers read): the ledger, pledged gifts to mark received or
  void, received gifts to void while the fund still holds them
  (POST /api/v1/fund/gifts/{id}/received, /void; 409 names the rule otherwise).

Routes are added to the portal blueprint (plumbing.bp); this module is imported before the
blueprint is registered (portal/__init__.py).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import flash, redirect, render_template, request, session, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, has_role, me, refusal, require_role, soft


def pence_from(raw: str, form: FormState, name: str = "amount") -> int | None:
    """'25' or '25.50' pounds -> pence; an error at the field otherwise."""
    raw = (raw or "").strip().lstrip("£").replace(",", "")
    form.values[name] = raw
    try:
        value = Decimal(raw)
    except InvalidOperation:
        form.add(name, "Enter an amount in pounds, for example 25 or 25.50.")
        return None
    if value != value.quantize(Decimal("0.01")) or value <= 0:
        form.add(name, "Enter an amount in pounds above zero, to the penny.")
        return None
    # the upper bound of a pledge is the fund API's: its 400 names the field and is shown there
    return int(value * 100)


# -- Support a Journey (public page, pledges by signed-in supporters) ----------------------


def _render_support(form: FormState | None = None, status: int = 200):
    mine = None
    if session.get("token"):
        me()
        r = soft(lambda: api().get("/api/v1/fund/gifts", per_page=100))
        mine = r.items() if r else None
    return render_template(
        "portal/support_a_journey.html", form=form or FormState(), mine=mine, gaps=gaps()
    ), status


@bp.get("/support-a-journey")
def support_a_journey():
    return _render_support()


@bp.post("/support-a-journey")
def pledge_gift():
    me()  # signed in (else to the sign-in page)
    form = FormState()
    amount = pence_from(request.form.get("amount", ""), form)
    name = text("name", 200)
    form.values["name"] = name
    if form.failed:
        return _render_support(form, 400)
    r = api().post("/api/v1/fund/gifts", {"amount": amount, "name": name or None})
    if not r.ok:
        form.from_result(r)
        return _render_support(form, 409 if form.unmet else 400)
    flash(
        "Thank you: your pledge is recorded. It counts in the fund once the CIC has received it.", "success"
    )
    return redirect(url_for("portal.support_a_journey", _anchor="my-pledges"))


# -- CIC staff: gifts and the ledger -------------------------------------------------------


@bp.get("/cic/finance")
@require_role("cic_staff", "fund_reviewer")
def cic_finance():
    a = api()
    ledger = soft(lambda: a.get("/api/v1/fund/ledger"))
    pledged = soft(lambda: a.get("/api/v1/fund/gifts", state="pledged", per_page=100))
    received = soft(lambda: a.get("/api/v1/fund/gifts", state="received", per_page=100))
    return render_template(
        "portal/cic_finance.html",
        ledger=ledger.data if ledger else None,
        pledged=pledged.items() if pledged else [],
        received=received.items() if received else [],
        staff=has_role("cic_staff"),
        gaps=gaps(),
    )


@bp.post("/cic/finance/gifts/<gift_id>/received")
@require_role("cic_staff")
def gift_received(gift_id: str):
    reference = text("reference", 200)
    r = api().post(f"/api/v1/fund/gifts/{gift_id}/received", {"reference": reference or None})
    flash(
        "Gift marked received; it now counts in the fund's balance." if r.ok else f"Not marked: {refusal(r)}",
        "success" if r.ok else "error",
    )
    return redirect(url_for("portal.cic_finance", _anchor="pledged"))


@bp.post("/cic/finance/gifts/<gift_id>/void")
@require_role("cic_staff")
def gift_void(gift_id: str):
    r = api().post(f"/api/v1/fund/gifts/{gift_id}/void")
    flash("Gift voided." if r.ok else f"Not voided: {refusal(r)}", "success" if r.ok else "error")
    return redirect(url_for("portal.cic_finance"))
