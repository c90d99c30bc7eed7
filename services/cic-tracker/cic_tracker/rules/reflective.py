"""Reflective tools with someone else (seed 001): the formal use of the I Matter Q
and the personalised wellbeing wheel. Case-adjacent, so they live here beside the Tracker,
attached to a case with recorded consent. Plain data in, unmet codes out.

The licence facts come from training's events, never from a request to training:
- `training.licence.changed` -> the organisation's Enhanced Practice Licence (an approved
  school or service may do applied work);
- the microproject itself (from `training.package.purchased`) -> a licensed pathway: a package
  bought under that licence for a practitioner in training or certified;
- the microproject's locality hub (set here) -> the CIC's community hub;
- `training.tool_licence.changed` -> a community wheel licence held by the organisation or by
  the practitioner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imatter_shared.contract.packages import LICENCE_REQUIREMENT

from .tracker import enhanced_licence_active

FORMAL_Q = "imatter_q"
WELLBEING_WHEEL = "wellbeing_wheel"
INSTRUMENTS = (FORMAL_Q, WELLBEING_WHEEL)
SAMPLE_CONTENT_FILES = ("imatter_q_formal_sample.json", "wellbeing_wheel_sample.json")

# a lapsed licence ends the licensed pathway even inside a hub (same statuses block the Tracker)
LAPSED = ("expired", "cancelled", "suspended")
Q_REGISTRATION_PURPOSE = "I Matter Q registration"


@dataclass(frozen=True)
class UseFacts:
    case_state: str
    microproject_state: str
    # what services.directory.licence_status knows (an active one past valid_until is expired);
    # None if never heard
    enhanced_status: str | None
    in_hub: bool  # the microproject runs in a CIC locality hub
    wheel_licence_active: bool  # organisation or practitioner holds a community wheel licence


def use_unmet(instrument: str, facts: UseFacts) -> list[str]:
    unmet = []
    if facts.microproject_state != "open":
        unmet.append("microproject_open")
    if facts.case_state != "open":
        unmet.append("case_open")
    if instrument == FORMAL_Q:
        # the Tracker's rule; a hub stands in for the licence unless it has lapsed
        licensed = enhanced_licence_active(facts.enhanced_status)
        if not licensed and (facts.enhanced_status in LAPSED or not facts.in_hub):
            unmet.append(LICENCE_REQUIREMENT)
    elif instrument == WELLBEING_WHEEL:
        if not facts.wheel_licence_active:
            unmet.append("community_wheel_licence")
    return unmet


RULE_TEXT = {
    "microproject_open": "an open microproject (a licensed pathway)",
    "case_open": "an open case with consent in force",
    LICENCE_REQUIREMENT: (
        "the organisation's Enhanced Practice Licence in force (an approved school or service), "
        "or a microproject run in a CIC locality hub"
    ),
    "community_wheel_licence": "a community wheel licence held by the organisation or the practitioner",
}


def describe(unmet: list[str]) -> str:
    return "; ".join(RULE_TEXT.get(code, code) for code in unmet)


def licence_active(status: str, valid_until: datetime | None, at: datetime) -> bool:
    return status == "active" and (valid_until is None or at < valid_until)
