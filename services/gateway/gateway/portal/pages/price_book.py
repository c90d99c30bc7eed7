"""The catalogue in the price book, edited by training admins: course fees, the price
of a role's requirements (a requirement's price is shared by every role that needs it, so Deep
Dive is one price), and the microproject package types (price, Tracker uses per case, online
accounts). Money is typed in pounds and pence and kept to the penny. Each change is shown first
(old -> new per field, portal/price_changes.py) and published once confirmed: every save publishes a new
price-book version through `PUT /api/v1/price-book` (training validates it and answers 400
naming the field); orders keep the version they were sold at.

Routes are added to the portal blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, checkbox, integer, pence
from ..plumbing import api, bp, gaps, refusal, require_role, soft
from ..price_changes import changes, preview_or_go


def _book() -> dict | None:
    r = soft(lambda: api().get("/api/v1/price-book"))
    return r.data if r is not None and r.ok and isinstance(r.data, dict) else None


def render_catalogue_editor(form: FormState | None = None, form_key: str | None = None, status: int = 200):
    book = _book()
    roles = soft(lambda: api().get("/api/v1/catalogue/roles", per_page=100))
    return render_template(
        "portal/admin_catalogue.html",
        book=book,
        roles=roles.items() if roles else [],
        form=form,
        form_key=form_key,
        gaps=gaps(),
    ), status


@bp.get("/admin/catalogue")
@require_role("training_admin")
def admin_catalogue():
    return render_catalogue_editor()


def _money(form: FormState, name: str, label: str) -> int | None:
    amount = pence(name)
    if amount is None:
        form.add(name, f"Enter {label} in pounds and pence, e.g. 250 or 249.99.")
    return amount


LABELS = {
    "price": "Price",
    "tracker_uses_per_case": "Tracker uses per case",
    "online_accounts": "Online accounts",
    "placeholder": "Placeholder (not yet published by I Matter)",
}


def _publish(
    body: dict, form: FormState, form_key: str, anchor: str, what: str, change: tuple[dict, dict, dict]
):
    """`change` is (book, row before, row after): previewed first, published once confirmed."""
    book, before, after = change
    back = url_for("portal.admin_catalogue", _anchor=anchor)
    wait = preview_or_go(what, changes(before, after, LABELS), book, back)
    if wait is not None:
        return wait
    r = api().put("/api/v1/price-book", body)
    if r.ok:
        flash(f"{what} saved: price book version {(r.data or {}).get('version')}.", "success")
        return redirect(back)
    if r.status == 400:
        # training names the field of the book (e.g. `package_types.0.price`): shown at the input
        # of that name on this form, or in the summary when the form has no such input
        other = []
        for name, messages in (r.errors or {}).items():
            leaf = name.split(".")[-1]
            for m in messages if isinstance(messages, list) else [messages]:
                if leaf in form.values:
                    form.add(leaf, str(m))
                else:
                    other.append(f"{name}: {m}")
        form.detail = " ".join([r.detail or "The price book does not hold together."] + other)
        return render_catalogue_editor(form, form_key, 400)
    flash(f"Not saved: {refusal(r)}", "error")
    return redirect(url_for("portal.admin_catalogue", _anchor=anchor))


@bp.post("/admin/catalogue/courses/<code>")
@require_role("training_admin")
def admin_catalogue_course(code: str):
    book = _book() or abort(503)
    courses = [dict(c) for c in book.get("courses", [])]
    course = next((c for c in courses if c.get("code") == code), None) or abort(404)
    form = FormState({"price": request.form.get("price", ""), "placeholder": checkbox("placeholder")})
    price = _money(form, "price", "the fee")
    if form.failed:
        return render_catalogue_editor(form, f"course-{code}", 400)
    before = dict(course)
    course["price"], course["placeholder"] = price, checkbox("placeholder")
    what = course.get("title") or code
    return _publish(
        {"courses": courses}, form, f"course-{code}", f"course-{code}", what, (book, before, course)
    )


@bp.post("/admin/catalogue/roles/<role>/requirements/<code>")
@require_role("training_admin")
def admin_catalogue_requirement(role: str, code: str):
    """A role requirement's price: a course-priced item, or a package type (package_type_N)."""
    book = _book() or abort(503)
    roles = {r.get("code"): r for r in book.get("roles", [])}
    if role not in roles or code not in {q.get("code") for q in roles[role].get("requirements", [])}:
        abort(404)
    key = f"req-{role}-{code}"
    form = FormState({"price": request.form.get("price", "")})
    price = _money(form, "price", "the price")
    if form.failed:
        return render_catalogue_editor(form, key, 400)
    if code.startswith("package_type_"):
        types = [dict(p) for p in book.get("package_types", [])]
        row = next((p for p in types if f"package_type_{p.get('type')}" == code), None) or abort(404)
        before = dict(row)
        row["price"] = price
        body = {"package_types": types}
    else:
        courses = [dict(c) for c in book.get("courses", [])]
        row = next((c for c in courses if c.get("code") == code), None)
        if row is None:
            form.add("price", "This requirement has no price of its own (it is met, not bought).")
            return render_catalogue_editor(form, key, 400)
        before = dict(row)
        row["price"] = price
        body = {"courses": courses}
    what = f"{code.replace('_', ' ').capitalize()} price"
    return _publish(body, form, key, f"role-{role}", what, (book, before, row))


@bp.post("/admin/catalogue/packages/<int:type_>")
@require_role("training_admin")
def admin_catalogue_package(type_: int):
    book = _book() or abort(503)
    types = [dict(p) for p in book.get("package_types", [])]
    row = next((p for p in types if p.get("type") == type_), None) or abort(404)
    key = f"package-{type_}"
    form = FormState(
        {k: request.form.get(k, "") for k in ("price", "tracker_uses_per_case", "online_accounts")}
    )
    price = _money(form, "price", "the package price")
    per_case, accounts = integer("tracker_uses_per_case"), integer("online_accounts")
    if per_case is None or not 0 <= per_case <= 10:
        form.add("tracker_uses_per_case", "Enter a whole number of Tracker uses per case from 0 to 10.")
    if accounts is None or not 0 <= accounts <= 10:
        form.add("online_accounts", "Enter a whole number of online accounts from 0 to 10.")
    if form.failed:
        return render_catalogue_editor(form, key, 400)
    before = dict(row)
    row.update(
        price=price,
        tracker_uses_per_case=per_case,
        online_accounts=accounts,
        placeholder=checkbox("placeholder"),
    )
    row.pop("tracker_uses", None)  # derived by training: per case x 3 cases
    row.pop("price_per_person", None)
    return _publish({"package_types": types}, form, key, key, f"Type {type_} package", (book, before, row))
