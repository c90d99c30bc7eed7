"""Training admins publish the Microproject Practice Guidelines (decision 0064; issue 21):
/admin/practice-guidelines lists every published version (training GET /api/v1/practice-guidelines)
and holds the form that publishes the next one (POST /api/v1/practice-guidelines).

The sections are edited as text, one section per block (blocks separated by a blank line): the
block's first line is the section's heading, each further line one point (a leading "-" or "*" is
dropped). The form starts from the version in force. Training validates everything; its refusals
(problem+json, `sections.1.points.0` ...) are shown at the title or the sections box, naming the
section and point. Publishing puts the version in force at once: every practitioner acknowledges
it before their next microproject's first case, which the page says before the button."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for

from ..forms import FormState, text
from ..plumbing import api, bp, gaps, require_role, soft
from ..reads import refused_status

MAX_TEXT = 60000  # what the box accepts (30 sections of 30 points: training's own limits decide)


def sections_text(sections: list[dict]) -> str:
    """A version's sections as the form's text: heading line, one point per line, blank line between."""
    return "\n\n".join("\n".join([s["heading"], *(f"- {p}" for p in s["points"])]) for s in sections or [])


def parse_sections(raw: str) -> list[dict]:
    """The form's text as the API's sections (blank blocks skipped; a heading with no points is
    sent as it is, so training names what is missing)."""
    out = []
    for block in re.split(r"\n\s*\n", raw.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            points = [re.sub(r"^[-*•]\s*", "", line) for line in lines[1:]]
            out.append({"heading": lines[0], "points": points})
    return out


def _where(field: str, sections: list[dict]) -> str:
    """`sections.1.points.0` -> "Section 2 (Consent), point 1": where in the box a refusal points."""
    parts = field.removeprefix("json.").split(".")
    if len(parts) < 2 or not parts[1].isdigit():
        return ""
    n = int(parts[1])
    heading = sections[n]["heading"] if n < len(sections) else ""
    where = f"Section {n + 1}" + (f" ({heading[:60]})" if heading else "")
    if len(parts) >= 4 and parts[2] == "points" and parts[3].isdigit():
        where += f", point {int(parts[3]) + 1}"
    elif len(parts) >= 3:
        where += f", {parts[2]}"
    return where + ": "


def _form_errors(r, form: FormState, sections: list[dict]) -> FormState:
    """The API's refusal onto the two inputs: `title`, and every `sections...` field on the box."""
    form.detail = r.detail
    form.unmet = list(r.unmet or [])
    for field, messages in (r.errors or {}).items():
        name = "title" if field.removeprefix("json.") == "title" else "sections"
        for m in messages if isinstance(messages, list) else [messages]:
            if isinstance(m, dict):  # a nested marshmallow message: flatten it
                m = "; ".join(f"{k}: {v}" for k, v in m.items())
            form.add(name, _where(field, sections) + str(m))
    return form


def _page(form: FormState | None = None, status: int = 200):
    a = api()
    versions = soft(lambda: a.get("/api/v1/practice-guidelines", per_page=100))
    rows = versions.items() if versions else []
    current = next((v for v in rows if v.get("current")), None)
    if form is None:
        form = FormState(
            {
                "title": (current or {}).get("title", "Microproject Practice Guidelines"),
                "sections": sections_text((current or {}).get("sections") or []),
            }
        )
    return render_template(
        "portal/admin_practice_guidelines.html",
        title="Microproject Practice Guidelines: versions",
        versions=rows,
        current=current,
        next_version=(max((v["version"] for v in rows), default=0) + 1),
        form=form,
        gaps=gaps(),
    ), status


@bp.get("/admin/practice-guidelines")
@require_role("training_admin")
def admin_practice_guidelines():
    return _page()


@bp.post("/admin/practice-guidelines")
@require_role("training_admin")
def admin_practice_guidelines_publish():
    raw = (request.form.get("sections") or "")[:MAX_TEXT]
    form = FormState({"title": text("title", 300), "sections": raw})
    sections = parse_sections(raw)
    if not form.get("title"):
        form.add("title", "Give the guidelines a title.")
    if not sections:
        form.add("sections", "Write at least one section: a heading line, then one point per line.")
    if form.failed:
        return _page(form, 400)
    r = api().post("/api/v1/practice-guidelines", {"title": form.get("title"), "sections": sections})
    if not r.ok:
        return _page(_form_errors(r, form, sections), refused_status(r))
    flash(
        f"Version {r.data['version']} published and in force: every practitioner acknowledges it "
        "before their next microproject's first case.",
        "success",
    )
    return redirect(url_for("portal.admin_practice_guidelines"))
