"""Microproject Development Fund rules: quarterly rounds, decisions, the ledger."""

from __future__ import annotations

from datetime import datetime

OUTCOMES = ("awarded", "declined", "deferred")
# the range of a reviewer's score of an application (the round summary ranks by the average)
REVIEW_SCORE_MIN, REVIEW_SCORE_MAX = 1, 5


def quarter_of(moment: datetime) -> tuple[int, int]:
    return moment.year, (moment.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """[opens_at, closes_at) of a calendar quarter, naive UTC."""
    opens = datetime(year, 3 * (quarter - 1) + 1, 1)
    closes = datetime(year + 1, 1, 1) if quarter == 4 else datetime(year, 3 * quarter + 1, 1)
    return opens, closes


def next_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def quarter_label(year: int, quarter: int) -> str:
    return f"{year}-Q{quarter}"


def parse_label(label: str) -> tuple[int, int]:
    year, q = label.split("-Q")
    return int(year), int(q)


def can_decide(round_state: str, application_state: str) -> list[str]:
    unmet = []
    if round_state == "open":
        unmet.append("round_closed")
    if application_state != "submitted":
        unmet.append("undecided")
    return unmet


def can_award(amount: int, balance: int, require_balance: bool) -> list[str]:
    """An award spends received gifts (DOMAIN "Rulings" -> Money): with require_balance (the
    default, FUND_AWARDS_REQUIRE_BALANCE) an award the balance cannot cover is refused.
    Only with the check turned off may the ledger show a shortfall."""
    return ["fund_balance"] if require_balance and amount > balance else []


def round_state(current: str, now: datetime, closes_at: datetime, undecided: int, applications: int) -> str:
    """Rounds close by date (or early, by CIC staff); a closed round whose applications all
    have an outcome is `decided`."""
    state = current
    if state == "open" and now >= closes_at:
        state = "closed"
    if state == "closed" and applications > 0 and undecided == 0:
        state = "decided"
    return state
