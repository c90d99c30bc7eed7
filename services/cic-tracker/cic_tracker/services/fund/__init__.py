"""Microproject Development Fund: quarterly rounds, applications, reviews, decisions, gifts and
the ledger. Each module holds one of these; this package names what the API, the event handlers
and the seeder call."""

from .applications import (
    applications_stmt,
    apply,
    award_of,
    decisions_of,
    review,
    reviews_of,
    scores,
    visible_application,
)
from .decisions import Decided, decide, summary
from .ledger import (
    gifts_stmt,
    give,
    ledger,
    receive_gift,
    redeem_award,
    visible_gift,
    void_gift,
)
from .rounds import close_round, current_round, get_round, list_rounds_stmt

__all__ = [
    "Decided",
    "applications_stmt",
    "apply",
    "award_of",
    "close_round",
    "current_round",
    "decide",
    "decisions_of",
    "get_round",
    "gifts_stmt",
    "give",
    "ledger",
    "list_rounds_stmt",
    "receive_gift",
    "redeem_award",
    "review",
    "reviews_of",
    "scores",
    "summary",
    "visible_application",
    "visible_gift",
    "void_gift",
]
