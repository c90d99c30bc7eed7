"""Public pages: the home page, the ten elements (and interest in one), the licences, the
catalogue, the pathway calculator and the practitioner directory. No sign-in needed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from .. import content, reference
from ..forms import FormState, integer, text
from ..plumbing import api, bp
from ..reads import package_cases, price_book


@bp.get("/")
def home():
    cases = package_cases()
    journey = [
        {**step, "text": step["text"].format(cases=f" with {cases} cases" if cases else "")}
        for step in content.JOURNEY
    ]
    return render_template(
        "portal/home.html", journey=journey, elements=content.ELEMENTS, licences=reference.licences()
    )


@bp.get("/elements")
def elements():
    return render_template(
        "portal/elements.html", elements=content.ELEMENTS, principles=content.SYSTEM_PRINCIPLES, forms={}
    )


@bp.post("/elements/<code>/interest")
def express_interest(code: str):
    if code not in content.ELEMENT_CODES:
        abort(404)
    form = FormState(
        {"name": text("name", 200), "email": text("email", 254), "message": text("message", 2000)}
    )
    if not form.get("name"):
        form.add("name", "Enter your name.")
    if "@" not in form.get("email"):
        form.add("email", "Enter an email address, like name@example.org.")
    if not form.failed:
        body = {"element": code, "name": form.get("name"), "email": form.get("email")}
        if form.get("message"):
            body["message"] = form.get("message")
        r = api().post("/api/v1/interest", body)
        if r.ok:
            flash(
                "Thank you: your interest has been recorded and I Matter Training will be in touch.",
                "success",
            )
            return redirect(url_for("portal.elements", _anchor=code) + "")
        form.from_result(r)
    return render_template(
        "portal/elements.html",
        elements=content.ELEMENTS,
        principles=content.SYSTEM_PRINCIPLES,
        forms={code: form},
    ), 400


@bp.get("/licences")
def licences():
    return render_template("portal/licences.html", licences=reference.licences(), price_book=price_book())


@bp.get("/catalogue")
def catalogue():
    a = api()
    courses = a.get("/api/v1/catalogue/courses", per_page=100)
    roles = a.get("/api/v1/catalogue/roles", per_page=100)
    packages = a.get("/api/v1/catalogue/packages", per_page=100)
    return render_template(
        "portal/catalogue.html", courses=courses.items(), roles=roles.items(), packages=packages.items()
    )


@bp.get("/pathway-calculator")
def calculator():
    roles_list = api().get("/api/v1/catalogue/roles", per_page=100).items()
    roles = {r.get("code"): r for r in roles_list}
    chosen = request.args.get("role") or ""
    estimate = _estimate(chosen, roles) if chosen in roles else None
    if chosen and chosen not in roles:
        flash("Choose one of the roles in the list.", "error")
    return render_template(
        "portal/calculator.html",
        roles=roles_list,
        chosen=roles.get(chosen) if estimate else None,
        estimate=estimate,
    )


def _estimate(role: str, roles: dict[str, dict]) -> dict | None:
    """Training's estimate for the role (GET .../roles/{code}/estimate). Codes the catalogue does
    not know (a stale or edited address) are left out rather than refused, as the form only ever
    sends the codes of the roles' requirements; any other refusal is shown."""
    known = set(roles) | {q.get("code") for r in roles.values() for q in r.get("requirements") or []}
    have = [code for code in dict.fromkeys(request.args.getlist("have")) if code in known]
    r = api().get(f"/api/v1/catalogue/roles/{role}/estimate", have=have)
    if not r.ok or not isinstance(r.data, dict):
        flash(r.detail or "The estimate cannot be shown right now.", "error")
        return None
    return r.data


@bp.get("/directory")
def directory():
    q = (request.args.get("q") or "").strip()[:200]
    page = max(1, integer("page", 1) or 1)
    r = api().get("/api/v1/directory", q=q, page=page)
    data = r.data if r.ok and isinstance(r.data, dict) else {}
    return render_template(
        "portal/directory.html",
        q=q,
        entries=r.items(),
        page=page,
        total=data.get("total", 0),
        per_page=data.get("per_page", 20),
    )
