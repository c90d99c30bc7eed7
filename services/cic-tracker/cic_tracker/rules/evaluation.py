"""Evaluation: aggregate, anonymised figures with small cells suppressed.

A cell is a (package type, hub) group. Any cell with fewer than MIN_CELL cases shows no
count and no averages. The overall total is suppressed too when the suppressed cells hold
between 1 and MIN_CELL-1 cases together, or it would reveal them by subtraction.
"""

from __future__ import annotations

MIN_CELL = 5


def average_changes(changes: list[dict[str, int]]) -> dict[str, float]:
    """Mean change per area over cases (each case: {area: latest - baseline})."""
    sums: dict[str, list[int]] = {}
    for case in changes:
        for area, delta in case.items():
            sums.setdefault(area, []).append(delta)
    return {area: round(sum(v) / len(v), 2) for area, v in sorted(sums.items())}


def cell(cases: int, changes: list[dict[str, int]]) -> dict:
    if cases < MIN_CELL:
        return {"cases": None, "average_change": None, "suppressed": True}
    return {"cases": cases, "average_change": average_changes(changes), "suppressed": False}


def total(cell_counts: list[int]) -> dict:
    hidden = sum(c for c in cell_counts if c < MIN_CELL)
    overall = sum(cell_counts)
    if overall < MIN_CELL or 0 < hidden < MIN_CELL:
        return {"cases": None, "suppressed": True}
    return {"cases": overall, "suppressed": False}
