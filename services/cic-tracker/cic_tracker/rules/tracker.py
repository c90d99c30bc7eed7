"""Progress Tracker rules: cases, credits, assessments, completion. Plain data in, unmet codes out.

Every check returns a list of unmet rule codes (empty = allowed), so a view can answer 409
with `unmet` naming each rule that refused it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from imatter_shared.contract.packages import (
    CASE_BASELINE,
    CASE_FOLLOW_UP,
    CASE_REFLECTION,
    LICENCE_REQUIREMENT,
    MAX_CASES,
    OVERSEER_ROLE,
    cases_allowed,
    oversight_requirement,
)
from imatter_shared.contract.packages import package_type as type_row

# The unmet code when a microproject lacks the overseer its type or a step needs.
OVERSIGHT = oversight_requirement(OVERSEER_ROLE)
# Pseudonymous codes only: no spaces (so no "first last" names), no '@' (so no e-mail
# addresses), a short alphabet. The code means something to the practitioner alone.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
GOAL_STATUSES = ("open", "in_progress", "achieved", "dropped")
ASSESSMENT_KINDS = (CASE_BASELINE, CASE_FOLLOW_UP)
# the range of one area's score in an assessment
SCORE_MIN, SCORE_MAX = 0, 10


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


# practitioner licence states that stop new Tracker use (Rulings -> Microproject Practitioner
# Licence: "a paused or lapsed licence stops new Tracker use ... until resumed or renewed")
STOPPED_PRACTITIONER_LICENCE_STATES = ("paused", "lapsed", "expired", "ended")


@dataclass(frozen=True)
class UseContext:
    """What decides whether one more Tracker use (an assessment) is allowed."""

    package_type: int
    microproject_state: str
    case_state: str
    credits_left: int
    setup_done: bool
    overseer_certified: bool  # an ACCEPTED overseer holding the package's overseer role
    baselines: int
    licence_status: str | None  # latest enhanced licence status known, None when unknown
    case_uses: int = 0  # Tracker uses this case has taken
    uses_per_case: int = 0  # the case's share ("2 Tracker uses pp")
    practitioner_licence_ok: bool = True  # not paused / lapsed (see practitioner_licence_ok)


def enhanced_licence_active(status: str | None) -> bool:
    """Row 21: Tracker use needs an ACTIVE Enhanced Licence known for the organisation; an
    unknown licence (no event yet) refuses like an expired, cancelled or suspended one
    ("suspended" is what training announces when the Starter it depends on lapses: nothing is
    deleted, and use resumes on renewal)."""
    return status == "active"


def practitioner_licence_ok(states: list[str]) -> bool:
    """The practitioner's Microproject Practitioner Licence allows Tracker use unless every
    licence cic knows for them is stopped (paused, lapsed, expired, ended). None known: allowed,
    cic cannot tell (training decides who may buy a package); see README "Assumptions"."""
    if not states:
        return True
    return any(s not in STOPPED_PRACTITIONER_LICENCE_STATES for s in states)


def can_use_tracker(ctx: UseContext, kind: str) -> list[str]:
    rule = type_row(ctx.package_type)
    unmet = []
    if ctx.microproject_state != "open":
        unmet.append("microproject_open")
    if ctx.case_state != "open":
        unmet.append("case_open")
    if not enhanced_licence_active(ctx.licence_status):
        unmet.append(LICENCE_REQUIREMENT)
    if not ctx.practitioner_licence_ok:
        unmet.append("practitioner_licence")
    if rule.needs_setup and not ctx.setup_done:
        unmet.append("tracker_setup")
    if rule.overseer_role and not ctx.overseer_certified:
        unmet.append(oversight_requirement(rule.overseer_role))
    if ctx.credits_left <= 0 or ctx.case_uses >= ctx.uses_per_case:
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
    reflections: int = 0


def _case_has(c: CaseCounts, need: str) -> bool:
    return {CASE_BASELINE: c.baselines, CASE_FOLLOW_UP: c.follow_ups, CASE_REFLECTION: c.reflections}[
        need
    ] > 0


def completion_unmet(state: str, package_type: int, cases: list[CaseCounts], reflection: str) -> list[str]:
    """Practicum completion per type (Rulings -> Practitioner roles; rule data in
    imatter_shared.contract.packages): 1-3 cases, each with what its type needs (Type 1 a baseline, Type 2 a
    reflection, Types 3 and 4 a baseline and a follow-up), and a non-empty final reflection."""
    unmet = []
    if state != "open":
        unmet.append("microproject_open")
    if not cases_allowed(len(cases)):
        unmet.append("cases")
    for need in type_row(package_type).case_completion:
        if not cases or any(not _case_has(c, need) for c in cases):
            unmet.append(need)
    if not (reflection or "").strip():
        unmet.append("reflection")
    return unmet


def can_open_case_for_use(licence_status: str | None) -> list[str]:
    """A new case is Tracker use too (row 21): it needs an active Enhanced Licence."""
    return [] if enhanced_licence_active(licence_status) else [LICENCE_REQUIREMENT]


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
        rows.append(
            {
                "area": code,
                "label": label,
                "baseline": b,
                "latest": lt,
                "change": (lt - b) if (b is not None and lt is not None) else None,
            }
        )
    return rows
