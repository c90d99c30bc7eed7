"""Integration events cic-tracker consumes: an explicit map of type -> the service function that
applies the event's data.

The consumer calls a handler with (session, envelope). The session is the one the consumer's
scope opened for this delivery, `db.session` of the application context
(imatter_shared.messaging.runtime.flask_session_scope), so the services write through
`db.session` and never commit: the consumer commits their writes together with the inbox row
(exactly-once effect). An event a service can never apply raises `Reject` (dead-lettered at
once, never retried or silently acked). Only ids, roles, statuses and dates are kept.
"""

from __future__ import annotations

from collections.abc import Callable

from ..services import directory, fund, guidelines, package_types, reflective, tracker


def _apply_data(apply: Callable[[dict], object]) -> Callable:
    """A consumer handler that hands the event's (validated) data to `apply`."""

    def handler(session, envelope) -> None:
        apply(dict(envelope.data))

    handler.__name__ = handler.__qualname__ = f"on_{apply.__name__}"
    return handler


HANDLERS = {
    event_type: _apply_data(apply)
    for event_type, apply in {
        # the package types of a price-book version (latest version wins)
        "training.package_types.published": package_types.apply_published,
        # a sale opens the practitioner's workspace with its Tracker credits; quantities the
        # package type cannot carry are rejected, never stored (security L13)
        "training.package.purchased": tracker.open_workspace,
        # the invoice was voided before any use: the workspace closes
        "training.package.cancelled": tracker.close_cancelled,
        "training.person.linked": directory.person_linked,
        "training.membership.changed": directory.membership_changed,
        "training.organisation_admin.changed": directory.organisation_admin_changed,
        "training.practitioner.certified": directory.practitioner_certified,
        # a withdrawn certification stops counting (overseer, sign-off): its mirror row goes
        "training.practitioner.certification_withdrawn": directory.practitioner_certification_withdrawn,
        "training.licence.changed": directory.licence_changed,
        "training.practitioner_licence.changed": directory.practitioner_licence_changed,
        "training.fund_award.redeemed": fund.redeem_award,
        # reflective tools: community wheel licence facts; Q registration orders become bookings
        "training.tool_licence.changed": reflective.on_tool_licence_changed,
        "training.q_consultation.ordered": reflective.on_q_consultation_ordered,
        # the Microproject Practice Guidelines: a first case needs the version in force acknowledged
        "training.practice_guidelines.published": guidelines.published,
        "training.practitioner.guidelines_acknowledged": guidelines.acknowledged,
    }.items()
}
