"""Microproject Practitioner Licence rules (seeds 003, 004): pure functions."""

from __future__ import annotations

from datetime import datetime

NAMES = {
    "microproject": "Microproject Practitioner Licence",
    "mini_candle": "Mini Candle Practitioner Licence",
}  # one licence, both names accepted
TERM_MONTHS = 12
MIN_FOCUS_AREAS, MAX_FOCUS_AREAS = 1, 3

ALLOWS = [
    "progress specific small projects (1-3 individuals) using I Matter resources",
    "use the online learning system to support small initiatives in your setting",
    "use learning in your professional or practitioner-parent role",
    "reflect on your practice using the I Matter approach",
]
IS_NOT = [
    "a qualification",
    "a clinical role",
    "a clinical service, supervision model or assessment programme",
]

# (from state, action) -> to state. A licence is active from its application (the seeds' "short
# application" by someone already on the learning journey; the contract has no approval step);
# a training admin's review is recorded by "approve" on an active licence. "applied" remains for
# licences recorded before that choice.
TRANSITIONS = {
    ("applied", "approve"): "active",
    ("active", "approve"): "active",
    ("paused", "approve"): "paused",
    ("applied", "pause"): "paused",
    ("active", "pause"): "paused",
    ("active", "renew"): "active",
    ("lapsed", "renew"): "active",
    ("paused", "renew"): "active",
}


# What the holder (or their organisation's admin) may do to a licence in each state, in the order
# a page offers it: the transitions above that are not a training admin's review, and resume, which
# returns a paused licence to the state it was paused from.
HOLDER_ACTIONS = {"resume": "Resume", "pause": "Pause", "renew": "Renew"}
STATES = ("applied", "active", "paused", "lapsed")
STATE_NOTES = {
    "applied": "Waiting for I Matter Training to approve it.",
    "active": "You may practise under this licence.",
    "paused": "Paused: resume when you are ready, or renew for a new term.",
    "lapsed": "Its term has ended: renew to continue.",
}


def holder_actions(state: str) -> list[str]:
    """The actions the holder may take on a licence in `state`, in the order a page offers them."""
    return [
        action
        for action in HOLDER_ACTIONS
        if (state == "paused" if action == "resume" else (state, action) in TRANSITIONS)
    ]


def effective_state(state: str, valid_until: datetime | None, now: datetime) -> str:
    """A licence past its term lapses by date, whatever its stored state (except applied)."""
    if state in ("active", "paused") and valid_until is not None and now >= valid_until:
        return "lapsed"
    return state


def focus_area_errors(areas: list[str]) -> list[str]:
    cleaned = [a.strip() for a in areas if isinstance(a, str)]
    if any(not a for a in cleaned):
        return ["Focus areas cannot be blank."]
    if not MIN_FOCUS_AREAS <= len(cleaned) <= MAX_FOCUS_AREAS:
        return [f"Give between {MIN_FOCUS_AREAS} and {MAX_FOCUS_AREAS} focus areas (got {len(cleaned)})."]
    if len({a.lower() for a in cleaned}) != len(cleaned):
        return ["Focus areas must differ."]
    return []
