"""Microproject Development Fund: quarterly rounds, applications, reviews, decisions, gifts and
the ledger. Each module holds one of these; this package names what the API, the event handlers
and the seeder call."""

from .applications import (
    application_view,
    applications_stmt,
    apply,
    review,
    review_view,
    visible_application,
)
from .decisions import decide, summary
from .ledger import (
    gifts_stmt,
    give,
    ledger,
    receive_gift,
    redeem_award,
    visible_gift,
    void_gift,
)
from .rounds import close_round, current_round, get_round, list_rounds_stmt, round_view

__all__ = [
    "application_view",
    "applications_stmt",
    "apply",
    "close_round",
    "current_round",
    "decide",
    "get_round",
    "gifts_stmt",
    "give",
    "ledger",
    "list_rounds_stmt",
    "receive_gift",
    "redeem_award",
    "review",
    "review_view",
    "round_view",
    "summary",
    "visible_application",
    "visible_gift",
    "void_gift",
]
