"""Seat transfers between organisations (domain row 14): "may not be transferred outside the
organisation without explicit consent - a top up fee may apply". The sending organisation's admin
asks for a transfer on the organisation page (its seats section); a training admin approves or
refuses each request on /admin/seat-transfers. On approval the seats move and the top-up fee from
the price book is invoiced to the receiving organisation (labelled a placeholder while it is one).

Over training's public API: POST/GET /api/v1/organisations/{id}/seats/transfers,
GET /api/v1/seat-transfers?state=, POST /api/v1/seat-transfers/{id}/approve, .../refuse {reason}.
Routes are added to the portal blueprint; the organisation page reads its part through the
template globals below, so the organisation page knows nothing of transfers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, integer, text
from ..plumbing import api, bp, gaps, money, per_request, require_role, signed_in, soft
from ..reads import render_organisation, rule_words

STATES = (("requested", "Waiting for a decision"), ("approved", "Approved"), ("refused", "Refused"))
STATE_WORDS = dict(STATES)
LABELS = {
    "to_organisation_id": "Receiving organisation's reference",
    "count": "Seats to transfer",
    "reason": "Reason for refusing",
}
PER_PAGE = 50


# -- the organisation page's part (organisation.html, seats section) -----------------------


@bp.app_template_global()
def seat_transfers_of(org_id: str) -> list | None:
    """The organisation's transfer requests, sent and received (None: the caller is not one of
    its admins, or training cannot answer - the section then offers no form)."""
    r = soft(lambda: api().get(f"/api/v1/organisations/{org_id}/seats/transfers", per_page=PER_PAGE))
    return r.items() if r is not None else None


@bp.app_template_global()
def seat_transfer_form() -> FormState:
    return per_request().get("seat_transfer_form") or FormState({"to_organisation_id": "", "count": ""})


@bp.app_template_global()
def transfer_state_words(state: str) -> str:
    return STATE_WORDS.get(state or "", (state or "").replace("_", " "))


@bp.post("/organisations/<org_id>/seats/transfers")
@signed_in
def request_seat_transfer(org_id: str):
    to_org = text("to_organisation_id", 200)
    raw_count = (request.form.get("count") or "").strip()[:20]
    count = integer("count")
    form = FormState({"to_organisation_id": to_org, "count": raw_count})
    if not to_org:
        form.add("to_organisation_id", "Enter the reference of the organisation that will receive the seats.")
    # how many seats one request may move (and how long a reference is) is training's rule: the
    # request goes to the API whenever there is a number, and its 400 is shown at each field
    if count is None:
        form.add("count", "Enter a whole number of seats.")
    else:
        r = api().post(
            f"/api/v1/organisations/{org_id}/seats/transfers", {"to_organisation_id": to_org, "count": count}
        )
        if r.ok:
            t = r.data or {}
            flash(
                f"Transfer of {count} seat{'s' if count != 1 else ''} to "
                f"{t.get('to_organisation_name') or to_org} requested: I Matter Training decides, and nothing "
                "moves until it approves.",
                "success",
            )
            return redirect(url_for("portal.organisation", org_id=org_id, _anchor="seat-transfers"))
        if r.status in (403, 404):
            abort(404)
        form.from_result(r, keep=("to_organisation_id",))
    per_request()["seat_transfer_form"] = form
    body = render_organisation(org_id)
    return body, 409 if form.unmet else 400


# -- training admins: the requests waiting for I Matter Training's decision ----------------


def _state() -> str:
    state = (request.args.get("state") or request.form.get("state") or "requested").strip()
    return state if state in STATE_WORDS else "requested"


def render_transfers(refuse_form: FormState | None = None, refuse_id: str | None = None, status: int = 200):
    state = _state()
    page = max(1, integer("page", 1) or 1) if request.method == "GET" else 1
    r = soft(lambda: api().get("/api/v1/seat-transfers", state=state, page=page, per_page=PER_PAGE))
    total = (r.data or {}).get("total", 0) if r is not None and isinstance(r.data, dict) else 0
    return render_template(
        "portal/seat_transfers.html",
        states=STATES,
        state=state,
        transfers=r.items() if r is not None else None,
        total=total,
        page=page,
        per_page=PER_PAGE,
        refuse_form=refuse_form,
        refuse_id=refuse_id,
        gaps=gaps(),
    ), status


@bp.get("/admin/seat-transfers")
@require_role("training_admin")
def seat_transfers_admin():
    return render_transfers()


def _refused(verb: str, r) -> str:
    rules = "; ".join(rule_words(code) for code in r.unmet)
    return f"Not {verb}: {r.detail or 'refused'}" + (f" Rule: {rules}" if rules else "")


@bp.post("/admin/seat-transfers/<transfer_id>/approve")
@require_role("training_admin")
def approve_seat_transfer(transfer_id: str):
    r = api().post(f"/api/v1/seat-transfers/{transfer_id}/approve")
    if r.ok:
        t = r.data or {}
        flash(
            f"Approved: {t.get('count')} seats moved from {t.get('from_organisation_name')} to "
            f"{t.get('to_organisation_name')}; top-up fee of {money(t.get('price'))} invoiced to "
            f"{t.get('to_organisation_name')}.",
            "success",
        )
    else:
        flash(_refused("approved", r), "error")
    return redirect(url_for("portal.seat_transfers_admin", state=_state()))


@bp.post("/admin/seat-transfers/<transfer_id>/refuse")
@require_role("training_admin")
def refuse_seat_transfer(transfer_id: str):
    reason = text("reason", 1000)
    form = FormState({"reason": reason})
    if len(reason) > 500:
        form.add("reason", "Use at most 500 characters.")
    if not form.failed:
        r = api().post(f"/api/v1/seat-transfers/{transfer_id}/refuse", {"reason": reason or None})
        if r.ok:
            flash("Refused: nothing moves and the held seats are free again.", "success")
            return redirect(url_for("portal.seat_transfers_admin", state=_state()))
        if r.status != 400:
            flash(_refused("refused", r), "error")
            return redirect(url_for("portal.seat_transfers_admin", state=_state()))
        form.from_result(r)
    return render_transfers(refuse_form=form, refuse_id=transfer_id, status=400)
