"""Progress Tracker rules: cases, credits, assessments, completion. Plain data in, unmet codes out.

Every check returns a list of unmet rule codes (empty = allowed), so a view can answer 409
with `unmet` naming each rule that refused it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .packages import rule_for

MAX_CASES = 3
# Pseudonymous codes only: no spaces (so no "first last" names), no '@' (so no e-mail
# addresses), a short alphabet. The code means something to the practitioner alone.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
GOAL_STATUSES = ("open", "in_progress", "achieved", "dropped")
ASSESSMENT_KINDS = ("baseline", "follow_up")
SCORE_MIN, SCORE_MAX = 0, 10
# an Enhanced licence that is not in force stops Tracker use; "suspended" is what training
# announces when the Starter it depends on lapses (nothing deleted, use resumes on renewal)
BLOCKING_LICENCE_STATUSES = ("expired", "cancelled", "suspended")


def code_problem(code: str) -> str | None:
    """Why a case code is not acceptable as a pseudonym, or None."""
    if "@" in code:
        return "A case code must be a pseudonym, not an e-mail address."
    if any(ch.isspace() for ch in code):
        return "A case code must be a pseudonym without spaces (never a name)."
    if not CODE_PATTERN.match(code):
        return "A case code is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."
    return None


def can_open_case(active_cases: int, microproject_state: str) -> list[str]:
    unmet = []
    if microproject_state != "open":
        unmet.append("microproject_open")
    if active_cases >= MAX_CASES:
        unmet.append("max_cases")
    return unmet


@dataclass(frozen=True)
class UseContext:
    """What decides whether one more Tracker use (an assessment) is allowed."""
    package_type: int
    microproject_state: str
    case_state: str
    credits_left: int
    setup_done: bool
    overseer_certified: bool     # an overseer holding the package's overseer role is assigned
    baselines: int
    licence_status: str | None   # latest enhanced licence status known, None when unknown


def can_use_tracker(ctx: UseContext, kind: str) -> list[str]:
    rule = rule_for(ctx.package_type)
    unmet = []
    if ctx.microproject_state != "open":
        unmet.append("microproject_open")
    if ctx.case_state != "open":
        unmet.append("case_open")
    if ctx.licence_status in BLOCKING_LICENCE_STATUSES:
        unmet.append("enhanced_licence")
    if rule.needs_setup and not ctx.setup_done:
        unmet.append("tracker_setup")
    if rule.overseer_role == "lead_plus" and not ctx.overseer_certified:
        unmet.append("lead_plus_oversight")
    if ctx.credits_left <= 0:
        unmet.append("tracker_credit")
    if kind == "follow_up" and ctx.baselines == 0:
        unmet.append("baseline")
    if kind == "baseline" and ctx.baselines > 0:
        unmet.append("single_baseline")
    return unmet


@dataclass(frozen=True)
class CaseCounts:
    baselines: int
    follow_ups: int


def completion_unmet(state: str, tracker_credits: int, cases: list[CaseCounts], reflection: str) -> list[str]:
    """Practicum completion (DOMAIN.md): 1-3 cases, each with a baseline and a follow-up when
    the package has Tracker uses, and a non-empty final reflection."""
    unmet = []
    if state != "open":
        unmet.append("microproject_open")
    if not 1 <= len(cases) <= MAX_CASES:
        unmet.append("cases")
    if tracker_credits > 0:
        if any(c.baselines == 0 for c in cases) or not cases:
            unmet.append("baseline")
        if any(c.follow_ups == 0 for c in cases) or not cases:
            unmet.append("follow_up")
    if not (reflection or "").strip():
        unmet.append("reflection")
    return unmet


def support_until(opened_at: datetime, window_days: int) -> datetime:
    return opened_at + timedelta(days=window_days)


def support_expired(now: datetime, until: datetime) -> bool:
    return now >= until


def retention_over(now: datetime, closed_at: datetime, retention_days: int) -> bool:
    return now >= closed_at + timedelta(days=retention_days)


def progress(baseline: dict[str, int] | None, latest: dict[str, int] | None, areas: list[tuple[str, str]]):
    """Per area: baseline, latest, change (latest - baseline). `latest` is the newest
    assessment's scores (the baseline itself until a follow-up exists)."""
    rows = []
    for code, label in areas:
        b = (baseline or {}).get(code)
        lt = (latest or {}).get(code)
        rows.append({"area": code, "label": label, "baseline": b, "latest": lt,
                     "change": (lt - b) if (b is not None and lt is not None) else None})
    return rows
