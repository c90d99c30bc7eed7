"""Finance for training admins (money from payment only): invoices by state, recording a payment
with its reference, voiding an unpaid invoice (which takes back what it bought; training refuses
with 409 naming the rule where that is no longer possible, e.g. a package whose cases began).

Over training's public API: GET /api/v1/invoices?state=, POST /api/v1/invoices/{id}/pay
{reference}, POST /api/v1/invoices/{id}/void. Routes are added to the portal blueprint."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from ..forms import FormState, integer, text
from ..plumbing import api, bp, gaps, refusal, require_role, soft

STATES = (("issued", "Issued (unpaid)"), ("paid", "Paid"), ("void", "Void"))
PER_PAGE = 50


def _state() -> str:
    state = (request.args.get("state") or request.form.get("state") or "issued").strip()
    return state if state in dict(STATES) else "issued"


def render_finance(pay_form: FormState | None = None, pay_invoice: str | None = None, status: int = 200):
    state = _state()
    page = max(1, integer("page", 1) or 1) if request.method == "GET" else 1
    r = soft(lambda: api().get("/api/v1/invoices", state=state, page=page, per_page=PER_PAGE))
    total = (r.data or {}).get("total", 0) if r is not None and isinstance(r.data, dict) else 0
    return render_template(
        "portal/finance.html",
        states=STATES,
        state=state,
        invoices=r.items() if r is not None else None,
        total=total,
        page=page,
        per_page=PER_PAGE,
        pay_form=pay_form,
        pay_invoice=pay_invoice,
        gaps=gaps(),
    ), status


@bp.get("/admin/finance")
@require_role("training_admin")
def finance():
    return render_finance()


@bp.post("/admin/finance/invoices/<invoice_id>/pay")
@require_role("training_admin")
def finance_pay(invoice_id: str):
    reference = text("reference", 200).strip()
    form = FormState({"reference": reference})
    if not reference:
        form.add("reference", "Enter the payment's reference (bank transfer, cheque or receipt).")
    elif len(reference) > 100:
        form.add("reference", "Use at most 100 characters.")
    if not form.failed:
        r = api().post(f"/api/v1/invoices/{invoice_id}/pay", {"reference": reference})
        if r.ok:
            flash(f"Payment recorded (reference {reference}).", "success")
            return redirect(url_for("portal.finance", state=_state()))
        if r.status == 400:
            form.from_result(r)
        else:
            flash(f"Not recorded: {refusal(r)}", "error")
            return redirect(url_for("portal.finance", state=_state()))
    return render_finance(pay_form=form, pay_invoice=invoice_id, status=400)


@bp.post("/admin/finance/invoices/<invoice_id>/void")
@require_role("training_admin")
def finance_void(invoice_id: str):
    r = api().post(f"/api/v1/invoices/{invoice_id}/void")
    if r.ok:
        flash("Invoice voided: what it bought has been taken back.", "success")
    else:
        rule = f" (rule: {', '.join(r.unmet)})" if r.unmet else ""
        flash(f"Not voided: {refusal(r)}{rule}", "error")
    return redirect(url_for("portal.finance", state=_state()))
