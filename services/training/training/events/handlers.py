"""Integration events training consumes: an explicit map of type -> handler.

Handlers get (session, envelope), write through the session and never commit: the
consumer commits the handler's writes together with the inbox row (exactly-once effect).
An event a handler can never apply (an unknown package, another practitioner's package, a
forged award) is rejected: the consumer dead-letters it at once instead of retrying it.
"""

from imatter_shared.messaging.consumer import Reject

from ..models import Organisation, Person
from ..services import reports


# what cic-tracker reports back about packages and fund awards (counts only)
def on_practicum_completed(session, envelope):
    """Mark the practicum of the practitioner's package met; certify if that completes a role."""
    if not reports.record_practicum(envelope.data):
        raise Reject(
            "practicum completion names an unknown package, another practitioner or 0 or over 3 cases"
        )


def on_fund_awarded(session, envelope):
    """A Microproject Development Fund award, usable once to buy the package (funding=fund_award).
    An award that is not positive or names a practitioner or organisation training does not know
    is never stored (L13)."""
    data = envelope.data
    if not isinstance(data.get("amount"), int) or data["amount"] < 1:
        raise Reject("fund award amount is not positive")
    if session.get(Person, data["practitioner_id"]) is None:
        raise Reject("fund award names an unknown practitioner")
    if session.get(Organisation, data["organisation_id"]) is None:
        raise Reject("fund award names an unknown organisation")
    reports.record_award(data)


def on_tracker_credit_used(session, envelope):
    if not reports.record_credits(envelope.data):
        raise Reject("credit report for an unknown package")


# stage 5 needs "a microproject with 1-3 cases under way": cic-tracker reports the case count
def on_microproject_progressed(session, envelope):
    if not reports.record_cases(envelope.data):
        raise Reject("case count for an unknown package")


HANDLERS: dict = {
    "cic.practicum.completed": on_practicum_completed,
    "cic.fund.awarded": on_fund_awarded,
    "cic.tracker.credit_used": on_tracker_credit_used,
    "cic.microproject.progressed": on_microproject_progressed,
}
