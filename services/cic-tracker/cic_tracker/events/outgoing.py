"""What cic-tracker tells training: one function per event type, building its payload from the
model it is about (see the event catalogue, imatter_shared/events/catalogue.py, for each
payload's schema) and handing it to services.common.emit, the one way into the outbox.

Call sites name the event and pass the row; they never build a payload by hand, so each
payload is written once. Everything is added in the caller's transaction and published by the
relay after commit. Counts, ids and dates only: nothing about a case's content leaves cic.
"""

from __future__ import annotations

from ..models import FundApplication, FundAward, Microproject
from ..services.common import emit, iso


def fund_awarded(award: FundAward, app: FundApplication) -> None:
    emit(
        "cic.fund.awarded",
        {
            "award_id": award.id,
            "application_id": app.id,
            "practitioner_id": app.practitioner_id,
            "organisation_id": app.organisation_id,
            "package_type": app.package_type,
            "amount": award.amount,
        },
    )


def credit_used(mp: Microproject) -> None:
    emit("cic.tracker.credit_used", {"package_id": mp.package_id, "credits_left": mp.credits_left})


def microproject_progressed(mp: Microproject) -> None:
    """Counts only, so training can derive stage 5 (a microproject with 1-3 cases under way)."""
    emit(
        "cic.microproject.progressed",
        {
            "package_id": mp.package_id,
            "organisation_id": mp.organisation_id,
            "cases_count": mp.cases_count,
            # the catalogue's two states: training only tells a completed practicum from the rest
            "state": "completed" if mp.state == "completed" else "open",
        },
    )


def practicum_completed(mp: Microproject, cases_count: int) -> None:
    """A signed-off practicum: `cases_count` is the cases it counted (withdrawn ones excluded)."""
    emit(
        "cic.practicum.completed",
        {
            "package_id": mp.package_id,
            "practitioner_id": mp.practitioner_id,
            "cases_count": cases_count,
            "completed_at": iso(mp.completed_at),
        },
    )
