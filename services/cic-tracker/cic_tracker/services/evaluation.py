"""Evaluation summary: aggregate, anonymised counts and average change per area, by package
type and hub. No codes, no free text, no per-case rows; cells under 5 cases suppressed."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from ..extensions import db
from ..models import Assessment, Case, Hub, Microproject
from ..rules import evaluation as rules


def _change(assessments: list[Assessment]) -> dict[str, int] | None:
    baseline = next((a for a in assessments if a.kind == "baseline"), None)
    follow_ups = [a for a in assessments if a.kind == "follow_up"]
    if baseline is None or not follow_ups:
        return None
    latest: dict[str, int] = {}
    for a in follow_ups:
        latest.update(a.scores)
    return {area: latest[area] - score for area, score in baseline.scores.items() if area in latest}


def summary() -> dict:
    microprojects = db.session.scalars(sa.select(Microproject)).all()
    hub_names = dict(db.session.execute(sa.select(Hub.id, Hub.name)).all())
    by_case: dict[str, list[Assessment]] = defaultdict(list)
    for case_id, a in db.session.execute(
        sa.select(Case.id, Assessment)
        .join(Assessment, Assessment.case_id == Case.id)
        .where(Case.state.in_(("open", "closed")))
        .order_by(Assessment.seq, Assessment.created_at)
    ).all():
        by_case[case_id].append(a)
    case_mp = dict(
        db.session.execute(
            sa.select(Case.id, Case.microproject_id).where(Case.state.in_(("open", "closed")))
        ).all()
    )
    groups: dict[tuple[int, str | None], dict] = {}
    for mp in microprojects:
        g = groups.setdefault((mp.package_type, mp.hub_id), {"microprojects": 0, "changes": []})
        g["microprojects"] += 1
    mp_key = {mp.id: (mp.package_type, mp.hub_id) for mp in microprojects}
    for case_id, assessments in by_case.items():
        change = _change(assessments)
        if change is not None:
            groups[mp_key[case_mp[case_id]]]["changes"].append(change)
    cells = []
    for (ptype, hub_id), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        cells.append(
            {
                "package_type": ptype,
                "hub_id": hub_id,
                "hub_name": hub_names.get(hub_id),
                "microprojects": g["microprojects"],
                **rules.cell(len(g["changes"]), g["changes"]),
            }
        )
    return {
        "min_cell_size": rules.MIN_CELL,
        "totals": {
            "microprojects": len(microprojects),
            **rules.total([len(g["changes"]) for g in groups.values()]),
        },
        "cells": cells,
    }
