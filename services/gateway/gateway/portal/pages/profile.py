"""The signed-in user's own pages: the account, email preferences (each organisation keeps its
own) and the learner profile (the user's person record in training)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms import FormState, checkbox, text
from ..plumbing import api, bp, gaps, local_next, me, signed_in, soft


@bp.get("/account")
@signed_in
def account():
    user = me()
    orgs = []
    for org_id in user.get("organisation_ids") or []:
        r = soft(lambda oid=org_id: api().get(f"/api/v1/organisations/{oid}"))
        orgs.append(r.data if r else {"id": org_id, "name": org_id})
    held = None  # a Parent Mentor place the person accepted shows as their role (decision 0058)
    if user.get("person_id"):
        r = soft(
            lambda: api().get(
                "/api/v1/parent-mentors/applications", person_id=user["person_id"], state="accepted"
            )
        )
        held = (r.items() or [None])[0] if r else None
    return render_template(
        "portal/account.html",
        user=user,
        orgs=orgs,
        form=FormState(),
        roles=set(user.get("roles") or []),
        parent_mentor=held,
    )


# -- notification preferences (each organisation keeps its own) ------------------------------


def _preference_sources(user: dict) -> list[dict]:
    """Where each organisation keeps the user's email preferences: training by person (so only
    once the user has a learner profile), the CIC by user id."""
    out = []
    if user.get("person_id"):
        out.append(
            {
                "key": "training",
                "name": "I Matter Training",
                "path": f"/api/v1/people/{user['person_id']}/notification-preferences",
            }
        )
    out.append(
        {
            "key": "cic",
            "name": "Relationship Health Matters CIC",
            "path": "/api/v1/cic/notification-preferences",
        }
    )
    return out


def preference_form(data: dict | None) -> FormState:
    """The API's preferences as form values: `non_essential_email`, and `kind.<code>` ticked for
    each non-essential kind still on (independent of the all-off switch, so it is remembered)."""
    data = data or {}
    values = {"non_essential_email": bool(data.get("non_essential_email", True))}
    disabled = set(data.get("disabled_kinds") or [])
    for k in data.get("kinds") or []:
        if isinstance(k, dict) and not k.get("essential"):
            values[f"kind.{k.get('code')}"] = k.get("code") not in disabled
    return FormState(values)


def _render_notifications(forms: dict | None = None, status: int = 200):
    user = me()
    sources = []
    for src in _preference_sources(user):
        r = soft(lambda p=src["path"]: api().get(p))
        data = r.data if r and isinstance(r.data, dict) else None
        sources.append({**src, "data": data, "form": (forms or {}).get(src["key"]) or preference_form(data)})
    return render_template("portal/notifications.html", user=user, sources=sources, gaps=gaps()), status


@bp.get("/account/notifications")
@signed_in
def notifications():
    return _render_notifications()


@bp.post("/account/notifications/<source>")
@signed_in
def save_notifications(source: str):
    src = next((s for s in _preference_sources(me()) if s["key"] == source), None) or abort(404)
    current = api().get(src["path"])
    kinds = [k for k in (current.data or {}).get("kinds", []) if isinstance(k, dict)] if current.ok else []
    optional = [k["code"] for k in kinds if not k.get("essential")]
    body = {
        "non_essential_email": checkbox("non_essential_email"),
        "disabled_kinds": [code for code in optional if not checkbox(f"kind.{code}")],
    }
    r = api().put(src["path"], body)
    if r.ok:
        flash(f"Your email preferences for {src['name']} are saved.", "success")
        return redirect(url_for("portal.notifications", _anchor=f"prefs-{source}"))
    form = FormState(
        {
            "non_essential_email": body["non_essential_email"],
            **{f"kind.{c}": c not in body["disabled_kinds"] for c in optional},
        }
    ).from_result(r)
    return _render_notifications({source: form}, status=400)


@bp.post("/account/person")
@signed_in
def create_person():
    """The user's own person record (created with their own email, so it becomes theirs)."""
    user = me()
    kind = (
        request.form.get("kind")
        if request.form.get("kind") in ("professional", "personal")
        else "professional"
    )
    r = api().post(
        "/api/v1/people",
        {"name": text("name", 200) or user.get("name"), "email": user.get("email"), "kind": kind},
    )
    if r.ok:
        flash("Your learner profile is ready.", "success")
    else:
        flash(r.detail, "error")
    return redirect(local_next(request.form.get("next"), url_for("portal.account")))
