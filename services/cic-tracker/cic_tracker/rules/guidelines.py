"""The practice guidelines gate on a microproject's first case (decision 0064): a pure function."""

from __future__ import annotations

REQUIREMENT = "practice_guidelines"


def first_case_unmet(current_version: int | None, acknowledged: set[int], first_case: bool) -> list[str]:
    """What a first case lacks: the practitioner's acknowledgement of the version in force. Later
    cases of a microproject already under way are not held up by a new version; before any version
    is published there is nothing to acknowledge."""
    if not first_case or current_version is None or current_version in acknowledged:
        return []
    return [REQUIREMENT]
