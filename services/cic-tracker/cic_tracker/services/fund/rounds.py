"""Fund rounds follow calendar quarters and exist on demand (the current quarter's round is
created the first time anyone looks). A round closes by date, or early by CIC staff; it is
decided once every application in it has an outcome."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.errors import NotFound, RuleViolation

from ...extensions import db
from ...models import FundApplication, FundDecision, FundRound
from ...rules import fund as rules
from ..common import now


def round_for(year: int, quarter: int) -> FundRound:
    label = rules.quarter_label(year, quarter)
    r = db.session.scalar(sa.select(FundRound).where(FundRound.quarter == label))
    if r is None:
        opens, closes = rules.quarter_bounds(year, quarter)
        r = FundRound(quarter=label, opens_at=opens, closes_at=closes, state="open")
        db.session.add(r)
        db.session.flush()
    return refresh_round(r)


def refresh_round(r: FundRound) -> FundRound:
    undecided = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FundApplication)
        .where(FundApplication.round_id == r.id, FundApplication.state == "submitted")
    )
    decided = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(FundDecision.application_id))).where(
            FundDecision.round_id == r.id
        )
    )
    state = rules.round_state(r.state, now(), r.closes_at, undecided, undecided + decided)
    if state != r.state:
        if r.state == "open":
            r.closed_at = r.closed_at or min(now(), r.closes_at)
        r.state = state
    return r


def current_round() -> FundRound:
    return round_for(*rules.quarter_of(now()))


def open_round() -> FundRound:
    """The round taking applications: this quarter's, or the next one when it closed early."""
    year, quarter = rules.quarter_of(now())
    for _ in range(8):
        r = round_for(year, quarter)
        if r.state == "open":
            return r
        year, quarter = rules.next_quarter(year, quarter)
    raise RuleViolation("No fund round is open.", unmet=["round_open"])


def next_round_after(r: FundRound) -> FundRound:
    year, quarter = rules.next_quarter(*rules.parse_label(r.quarter))
    for _ in range(8):
        nxt = round_for(year, quarter)
        if nxt.state == "open":
            return nxt
        year, quarter = rules.next_quarter(year, quarter)
    raise RuleViolation("No later fund round is open.", unmet=["round_open"])


def list_rounds_stmt():
    current_round()
    for r in db.session.scalars(sa.select(FundRound).where(FundRound.state != "decided")):
        refresh_round(r)
    return sa.select(FundRound).order_by(FundRound.opens_at.desc())


def get_round(round_id: str) -> FundRound:
    r = db.session.get(FundRound, round_id)
    if r is None:
        raise NotFound("No fund round with that id.")
    return refresh_round(r)


def close_round(r: FundRound) -> FundRound:
    if r.state != "open":
        raise RuleViolation(f"The round is already {r.state}.", unmet=["round_open"])
    r.state = "closed"
    r.closed_at = now()
    db.session.flush()
    return refresh_round(r)
