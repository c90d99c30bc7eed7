"""Integration events training consumes: an explicit map of type -> handler.

Handlers get (session, envelope), write through the session and never commit: the
consumer commits the handler's writes together with the inbox row (exactly-once effect).
"""

import logging

log = logging.getLogger("training.events")


# people side (issue 5): what cic-tracker reports back about packages and fund awards (counts only)
def on_practicum_completed(session, envelope):
    """Mark the practicum of the practitioner's package met; certify if that completes a role."""
    from ..services import packages

    if not packages.record_practicum(envelope.data):
        log.warning(
            "practicum completion not applied (unknown package, other practitioner or case count)",
            extra={"ctx_event": envelope.event_id},
        )


def on_fund_awarded(session, envelope):
    """A Microproject Development Fund award, usable once to buy the package (funding=fund_award).
    An award that is not positive or names a practitioner or organisation training does not know
    is never stored: it is dead-lettered at once (Reject), not retried (L13)."""
    from imatter_shared.messaging.consumer import Reject

    from ..models import Organisation, Person

    data = envelope.data
    if not isinstance(data.get("amount"), int) or data["amount"] < 1:
        raise Reject("fund award amount is not positive")
    if session.get(Person, data["practitioner_id"]) is None:
        raise Reject("fund award names an unknown practitioner")
    if session.get(Organisation, data["organisation_id"]) is None:
        raise Reject("fund award names an unknown organisation")
    from ..services import packages

    packages.record_award(data)


def on_tracker_credit_used(session, envelope):
    from ..services import packages

    if not packages.record_credits(envelope.data):
        log.warning("credit report for an unknown package", extra={"ctx_event": envelope.event_id})


# organisation side (issue 4): stage 5 needs "a microproject with 1-3 cases under way"; cic-tracker
# reports the case count (counts only) and the people side's package records it
def on_microproject_progressed(session, envelope):
    from ..services import packages

    if not packages.record_cases(envelope.data):
        log.warning("case count for an unknown package", extra={"ctx_event": envelope.event_id})


HANDLERS: dict = {
    "cic.practicum.completed": on_practicum_completed,
    "cic.fund.awarded": on_fund_awarded,
    "cic.tracker.credit_used": on_tracker_credit_used,
    "cic.microproject.progressed": on_microproject_progressed,
}
