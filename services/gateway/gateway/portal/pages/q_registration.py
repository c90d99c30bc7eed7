"""The I Matter Q registration consultation (seed 001: "Where a personal online account is not
being provided, parents must be given the option to pay for an I Matter Q registration consultation
and an online course as a supplement to their face to face learning but it is not required";
domain review row 64), over training's /api/v1/training/q/...: the parent sees what is offered,
its price (a placeholder says so) and whether it applies to them, orders it (with the online
Foundation A part 1 if they wish), and sees what they ordered with its invoice. The CIC books the
consultation from the order. Only the person orders for themself; training refuses anyone else."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..forms import FormState, checkbox, text
from ..plumbing import api, bp, gaps, me, signed_in, soft
from ..reads import refused_status

Q_API = "/api/v1/training/q"
UNMET_TEXT = {
    "personal_learner": "It is offered to parents, carers and individuals learning for themselves, not to professionals.",
    "no_online_account": "It is for people learning face to face without a personal online account: you already have one.",
    "one_registration": "You have already ordered it (one each).",
}


def _orgs(user: dict) -> list[tuple[str, str]]:
    out = []
    for org_id in user.get("membership_organisation_ids") or user.get("organisation_ids") or []:
        r = soft(lambda oid=org_id: api().get(f"/api/v1/organisations/{oid}"))
        out.append((org_id, (r.data or {}).get("name", org_id) if r else org_id))
    return out


def _render(form: FormState | None = None, status: int = 200):
    user = me()
    offer = orders = None
    if user.get("person_id"):
        r = soft(lambda: api().get(f"{Q_API}/registration-offer", person_id=user["person_id"]))
        offer = r.data if r else None
        r = soft(lambda: api().get(f"{Q_API}/registration-consultations", person_id=user["person_id"]))
        orders = r.items() if r else []
    return render_template(
        "portal/q_registration.html",
        title="I Matter Q registration consultation",
        user=user,
        offer=offer,
        orders=orders,
        unmet_text=UNMET_TEXT,
        orgs=_orgs(user),
        form=form or FormState(),
        gaps=gaps(),
    ), status


@bp.get("/learning/q-registration")
@signed_in
def q_registration():
    return _render()


@bp.post("/learning/q-registration")
@signed_in
def q_registration_order():
    user = me()
    if not user.get("person_id"):
        flash("Create your learner profile first (My account).", "error")
        return redirect(url_for("portal.account"))
    form = FormState(
        {"organisation_id": text("organisation_id", 64), "online_course": checkbox("online_course")}
    )
    body = {
        "person_id": user["person_id"],
        "organisation_id": form.get("organisation_id") or None,
        "online_course": "foundation_a1" if form.get("online_course") else None,
    }
    r = api().post(f"{Q_API}/registration-consultations", body)
    if not r.ok:
        return _render(form.from_result(r), 404 if r.status == 404 else refused_status(r))
    flash(
        "Ordered. Relationship Health Matters CIC will contact you to arrange the consultation; the invoice is below.",
        "success",
    )
    return redirect(url_for("portal.q_registration"))
