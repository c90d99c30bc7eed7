"""The licensed reflective tools' questionnaires, as the pages show and read them.

The questions, scales and sections come from the API's current version (SAMPLE content until
the organisation loads its own), so no page hard-codes a question:

- the learner's informal I Matter Q (training: /api/v1/training/q/responses, theirs alone);
- an organisation's community audit (training: /api/v1/training/community-wheel/...);
- the formal Q and the personalised wellbeing wheel on a Tracker case (cic-tracker:
  /api/v1/cic/cases/{id}/q-responses and /wheel-responses; 409 when the use is not licensed).
"""

from __future__ import annotations

from flask import request

from .forms import FormState
from .plumbing import api, soft

INFORMAL_Q = "imatter_q"  # training's informal Q (the learner about themself)
COMMUNITY_AUDIT = "community_wheel_audit"  # training's organisation-level audit version
FORMAL_Q = "imatter_q"  # cic-tracker's formal Q on a case
WHEEL = "wellbeing_wheel"  # cic-tracker's personalised wheel on a case

# the two tools on a case: (key, instrument, API collection, heading)
CASE_TOOLS = (
    ("q", FORMAL_Q, "q-responses", "Formal I Matter Q"),
    ("wheel", WHEEL, "wheel-responses", "Personalised wellbeing wheel"),
)


def questions_of(content: dict | None) -> list[dict]:
    """Every question of a version with its scale's options, in order."""
    if not isinstance(content, dict):
        return []
    scales = {s.get("code"): s for s in content.get("scales") or [] if isinstance(s, dict)}
    out = []
    for section in content.get("sections") or []:
        for q in section.get("questions") or []:
            out.append({**q, "options": (scales.get(q.get("scale")) or {}).get("options") or []})
    return out


def read_answers(content: dict | None, form: FormState) -> dict[str, int]:
    """The ticked options as {question: value}; an unanswered required question is an error at
    its own radio group (the API says the same, but the visitor needn't wait for it)."""
    answers: dict[str, int] = {}
    for q in questions_of(content):
        name = f"answers.{q.get('code')}"
        raw = (request.form.get(name) or "").strip()
        form.values[name] = raw
        if raw == "":
            if q.get("required", True):
                form.add(name, "Choose an answer to this question.")
            continue
        try:
            answers[q["code"]] = int(raw)
        except ValueError:
            form.add(name, "Choose one of the answers shown.")
    return answers


def labels_of(content: dict | None) -> dict[str, str]:
    """Error-summary labels: each question's text (not its code)."""
    return {f"answers.{q.get('code')}": q.get("text") or q.get("code") for q in questions_of(content)}


def current_version(path: str) -> tuple[dict | None, str | None]:
    """The current version's questions, or None and the API's reason (e.g. no content loaded)."""
    r = api().get(path)
    if r.ok and isinstance(r.data, dict):
        return r.data, None
    return None, r.detail


def case_tools(case_id: str, forms: dict | None = None) -> list[dict]:
    """Each tool on the case: its current questions (or why none), its form and its results."""
    a = api()
    out = []
    for key, instrument, collection, heading in CASE_TOOLS:
        current = soft(lambda i=instrument: a.get(f"/api/v1/cic/questionnaires/{i}/current"))
        results = soft(lambda c=collection: a.get(f"/api/v1/cic/cases/{case_id}/{c}", per_page=100))
        q = current.data if current and isinstance(current.data, dict) else None
        out.append(
            {
                "key": key,
                "instrument": instrument,
                "heading": heading,
                "q": q,
                "form": (forms or {}).get(key) or FormState(),
                "labels": labels_of(q),
                "results": results.items() if results else None,
            }
        )
    return out
