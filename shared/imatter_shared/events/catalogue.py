"""The event catalogue: one schema per integration event type, declared once.

Each schema carries a comment block naming who produces and who consumes it (the
openedx-events `.. event_type:` convention). Producers validate before writing to their
outbox; consumers validate again before handling, and dead-letter what fails.

Schemas of events that training consumes (`cic.*`) are closed: an unknown field is
rejected, never stored (CONTRACT.md). The others are open: unknown fields are dropped, so
training can add a field before cic-tracker reads it.

Every field is a JSON-native type (ids are strings, money is integer pence, times are ISO 8601
with a UTC offset), so what `validate` returns is exactly what goes on the wire. The codes: vocabulary.py.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow import validate as v

from imatter_shared.contract.packages import MAX_CASES, TYPE_MAX, TYPE_MIN
from imatter_shared.events.fields import (  # noqa: F401  (the field kinds, declared beside the catalogue)
    Choice,
    ClosedSchema,
    Count,
    Id,
    OpenSchema,
    Timestamp,
    _is_date_or_timestamp,
    _is_timestamp,
    _StrictInteger,
)
from imatter_shared.events.vocabulary import (  # noqa: F401  (the codes events carry, re-exported here)
    LICENCE_STATUSES,
    LICENCE_TYPES,
    MEMBERSHIP_STATUSES,
    ORGANISATION_KINDS,
    ROLE_CODES,
)

TRAINING = "training"
CIC = "cic-tracker"


class EventValidationError(ValueError):
    """`data` does not fit the schema of its type. `errors` maps field -> messages; neither
    the message nor `errors` repeats the submitted values, so both are safe to log."""

    def __init__(self, event_type: str, errors: Mapping[str, Any] | None = None, message: str | None = None):
        self.event_type = event_type
        self.errors = dict(errors or {})
        super().__init__(
            message or f"{event_type}: invalid data in {', '.join(sorted(self.errors)) or 'data'}"
        )


class UnknownEventType(EventValidationError):
    """The type is not in the catalogue."""

    def __init__(self, event_type: str):
        super().__init__(event_type, message=f"unknown event type {event_type!r}")


# ---- training -> cic-tracker -------------------------------------------------------------


# .. event_type: training.package.purchased
# .. producer: training, when a practitioner package (type 1-4) is bought for an organisation
# .. consumers: cic-tracker, which opens the practitioner's microproject and tracker credits
class PackagePurchased(OpenSchema):
    package_id = Id()
    package_type = Count(TYPE_MIN, TYPE_MAX)
    organisation_id = Id()
    practitioner_id = Id()
    tracker_uses = Count()
    online_accounts = Count()


# .. event_type: training.practitioner.certified
# .. producer: training, once every requirement of a role is met
# .. consumers: cic-tracker (who may run microprojects and consultations)
# .. note: organisation_id is null for a practitioner certified outside any organisation
class PractitionerCertified(OpenSchema):
    person_id = Id()
    role = Choice(ROLE_CODES)
    organisation_id = Id(allow_none=True)
    certified_at = Timestamp()


# .. event_type: training.practitioner.certification_withdrawn
# .. producer: training, when a training admin withdraws a certification (never reinstated)
# .. consumers: cic-tracker, which stops counting it (a withdrawn Lead Plus oversees nothing)
# .. note: the same facts as training.practitioner.certified, nothing more: never the reason
class PractitionerCertificationWithdrawn(OpenSchema):
    person_id = Id()
    role = Choice(ROLE_CODES)
    organisation_id = Id(allow_none=True)
    withdrawn_at = Timestamp()


# .. event_type: training.licence.changed
# .. producer: training, when an organisation licence starts, is renewed, upgraded or ends
# .. consumers: cic-tracker (what the organisation's licence allows it to use)
# .. note: valid_until is a date or a timestamp; null when the licence has no end
class LicenceChanged(OpenSchema):
    organisation_id = Id()
    licence_type = Choice(LICENCE_TYPES)
    status = Choice(LICENCE_STATUSES)
    valid_until = fields.String(required=True, allow_none=True, validate=_is_date_or_timestamp)


# .. event_type: training.person.linked
# .. producer: training, when a person record is tied to a signed-in user (same email)
# .. consumers: cic-tracker, so it knows which user a practitioner_id belongs to
# .. note: email (optional) is the professional's own sign-in address, so cic-tracker
#    can email them "something needs your attention, sign in" (professional contact data only)
class PersonLinked(OpenSchema):
    person_id = Id()
    user_id = Id()
    email = fields.Email(required=False, allow_none=True, validate=v.Length(max=254))


# .. event_type: training.membership.changed
# .. producer: training, when a person joins an organisation, changes role, or leaves it
# .. consumers: cic-tracker (who may see an organisation's microprojects and fund business)
# .. note: user_id is null while the person has no signed-in user
class MembershipChanged(OpenSchema):
    organisation_id = Id()
    person_id = Id()
    user_id = Id(allow_none=True)
    role = fields.String(required=True, validate=v.Length(min=1, max=50))
    status = Choice(MEMBERSHIP_STATUSES)


# .. event_type: training.organisation_admin.changed
# .. producer: training, when a signed-in user becomes (or stops being) an organisation's admin
#    (the user who creates an organisation is its admin, the link contact role)
# .. consumers: cic-tracker (organisation admins oversee their organisation's microprojects)
# .. note: user-level, so it holds even before the admin has a person record
# .. note: organisation_kind (optional) is the organisation's kind, so cic-tracker knows
#    its commissioners (they see the evaluation summary) and its locality hubs
class OrganisationAdminChanged(OpenSchema):
    organisation_id = Id()
    user_id = Id()
    status = Choice(MEMBERSHIP_STATUSES)
    organisation_kind = fields.String(required=False, allow_none=True, validate=v.OneOf(ORGANISATION_KINDS))


# .. event_type: training.fund_award.redeemed
# .. producer: training, when a package is bought with funding=fund_award
# .. consumers: cic-tracker, which marks the award used so it cannot be spent twice
class FundAwardRedeemed(OpenSchema):
    award_id = Id()
    package_id = Id()
    organisation_id = Id()


# .. event_type: training.package.cancelled
# .. producer: training, when the invoice of a package is voided before any use was reported
# .. consumers: cic-tracker, which closes the package's microproject: no more Tracker use
# .. note: closed (an unknown field is rejected): it stops use, so it carries exactly these ids
class PackageCancelled(ClosedSchema):
    package_id = Id()
    organisation_id = Id()
    practitioner_id = Id()


# .. event_type: training.practitioner_licence.changed
# .. producer: training, when a Microproject (Mini Candle) Practitioner Licence starts, is paused,
#    resumed, renewed or lapses (CONTRACT, second contract)
# .. consumers: cic-tracker: Tracker use in a microproject runs under its practitioner's licence,
#    so a paused or lapsed licence stops new assessments until it is resumed or renewed
# .. note: state is the licence's state after the change; valid_until is the end of its term
class PractitionerLicenceChanged(OpenSchema):
    person_id = Id()
    licence_id = Id()
    state = Choice(("active", "paused", "lapsed", "expired", "ended"))
    valid_until = fields.String(required=True, allow_none=True, validate=_is_date_or_timestamp)


# one package type of a price-book version (nested in training.package_types.published)
class PackageTypeOut(OpenSchema):
    type = Count(1, 9)
    title = fields.String(required=True, validate=v.Length(min=1, max=200))
    online_accounts = Count(0, 10)
    tracker_uses = Count(0, 30)
    tracker_uses_per_case = Count(0, 10)
    price = Count(0)
    placeholder = fields.Boolean(load_default=False)


# .. event_type: training.package_types.published
# .. producer: training, whenever a price-book version is published (and once at start-up), with
#    the microproject package types of that version: the catalogue is data I Matter Training
#    changes without a release
# .. consumers: cic-tracker, which keeps no copy of the package table in code: Tracker uses,
#    the per-case share and the price (for fund award amounts) come from here
class PackageTypesPublished(OpenSchema):
    price_book_version = Count(1)
    package_types = fields.List(
        fields.Nested(PackageTypeOut), required=True, validate=v.Length(min=1, max=20)
    )


# .. event_type: training.practice_guidelines.published
# .. producer: training, when a version of the Microproject Practice Guidelines is published
#    (`flask guidelines load` stores the shipped version 1; a training admin publishes the next)
# .. consumers: cic-tracker, which refuses a microproject's first case until its practitioner has
#    acknowledged the latest version it knows (decision 0064)
# .. note: the version number and when, never the text (the guidelines are shown by training)
class PracticeGuidelinesPublished(OpenSchema):
    version = Count(1)
    published_at = Timestamp()


# .. event_type: training.practitioner.guidelines_acknowledged
# .. producer: training, when a practitioner acknowledges a version of the Microproject Practice
#    Guidelines (the version in force at the time)
# .. consumers: cic-tracker, which stores it: the gate on a microproject's first case
# .. note: the person, the version and when: nothing about a case ever (decision 0064)
class GuidelinesAcknowledged(OpenSchema):
    person_id = Id()
    version = Count(1)
    acknowledged_at = Timestamp()


# ---- reflective tools: licence facts and Q registration orders, ids only ----------


# .. event_type: training.tool_licence.changed
# .. producer: training, when a training admin grants or revokes a community wheel licence
#    (held by an organisation, e.g. a GP practice, or by a person, e.g. a community leader)
# .. consumers: cic-tracker, which allows the personalised wellbeing wheel on a case only
#    while the microproject's organisation or its practitioner holds an active licence
# .. note: exactly one of organisation_id / person_id is set (see `holder`); status is
#    active | revoked | expired at the time of the change, and valid_until bounds "active"
class ToolLicenceChanged(OpenSchema):
    licence_id = Id()
    tool = Choice(("community_wheel",))
    holder = Choice(("organisation", "person"))
    organisation_id = Id(allow_none=True)
    person_id = Id(allow_none=True)
    status = Choice(("active", "revoked", "expired"))
    valid_until = Timestamp()


# .. event_type: training.q_consultation.ordered
# .. producer: training, when an I Matter Q registration consultation is ordered for a parent
#    learning face to face without a personal online account (optional, never required)
# .. consumers: cic-tracker, which opens a Priorities Consultation request (purpose
#    "I Matter Q registration") for the CIC to schedule
# .. note: ids only, never answers or any text about the person; user_id is the parent's
#    gateway user when they have one (null otherwise); requested_by is the user who ordered it
class QConsultationOrdered(OpenSchema):
    order_id = Id()
    registration_id = Id()
    person_id = Id()
    user_id = Id(allow_none=True)
    requested_by = Id()
    organisation_id = Id(allow_none=True)


# ---- cic-tracker -> training (closed: unknown fields are rejected) ---------------------------


# .. event_type: cic.practicum.completed
# .. producer: cic-tracker, when a microproject is completed (its cases done, reflection given)
# .. consumers: training, which marks the `practicum` requirement met for the practitioner
class PracticumCompleted(ClosedSchema):
    package_id = Id()
    practitioner_id = Id()
    cases_count = Count()
    completed_at = Timestamp()


# .. event_type: cic.fund.awarded
# .. producer: cic-tracker, when a fund application is decided `awarded`
# .. consumers: training, which lets the award pay for a package (funding=fund_award)
# .. note: amount is integer pence (GBP), at least 1 (an award of nothing is no award)
class FundAwarded(ClosedSchema):
    award_id = Id()
    application_id = Id()
    practitioner_id = Id()
    organisation_id = Id()
    package_type = Count(TYPE_MIN, TYPE_MAX)
    amount = Count(1)


# .. event_type: cic.tracker.credit_used
# .. producer: cic-tracker, when an assessment uses one tracker credit of a package
# .. consumers: training (shows the package's remaining tracker uses)
class TrackerCreditUsed(ClosedSchema):
    package_id = Id()
    credits_left = Count()


# .. event_type: cic.microproject.progressed
# .. producer: cic-tracker, when a microproject's number of cases or its state changes
#    (added by the cic-tracker engineer for the implementation stage; counts only)
# .. consumers: training, which derives stage 5 ("a microproject with 1-3 cases under way")
# .. note: cases_count counts the cases recorded (withdrawn ones excluded); state open|completed
class MicroprojectProgressed(ClosedSchema):
    package_id = Id()
    organisation_id = Id()
    cases_count = Count(0, MAX_CASES)
    state = Choice(("open", "completed"))


# ---- registry -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    producer: str
    consumers: tuple[str, ...]
    schema: type[Schema]
    closed: bool


def _spec(
    type_: str, producer: str, consumers: tuple[str, ...], schema: type[Schema], version: int = 1
) -> EventSpec:
    closed = schema.Meta.unknown == RAISE
    return EventSpec(type_, version, producer, consumers, schema, closed)


REGISTRY: dict[str, EventSpec] = {
    spec.type: spec
    for spec in (
        _spec("training.package.purchased", TRAINING, (CIC,), PackagePurchased),
        _spec("training.practitioner.certified", TRAINING, (CIC,), PractitionerCertified),
        _spec(
            "training.practitioner.certification_withdrawn",
            TRAINING,
            (CIC,),
            PractitionerCertificationWithdrawn,
        ),
        _spec("training.licence.changed", TRAINING, (CIC,), LicenceChanged),
        _spec("training.person.linked", TRAINING, (CIC,), PersonLinked),
        _spec("training.membership.changed", TRAINING, (CIC,), MembershipChanged),
        _spec("training.organisation_admin.changed", TRAINING, (CIC,), OrganisationAdminChanged),
        _spec("training.fund_award.redeemed", TRAINING, (CIC,), FundAwardRedeemed),
        _spec("training.package.cancelled", TRAINING, (CIC,), PackageCancelled),  # money from payment
        _spec("training.practitioner_licence.changed", TRAINING, (CIC,), PractitionerLicenceChanged),
        _spec("training.package_types.published", TRAINING, (CIC,), PackageTypesPublished),
        _spec("training.tool_licence.changed", TRAINING, (CIC,), ToolLicenceChanged),
        _spec("training.practice_guidelines.published", TRAINING, (CIC,), PracticeGuidelinesPublished),
        _spec("training.practitioner.guidelines_acknowledged", TRAINING, (CIC,), GuidelinesAcknowledged),
        _spec("training.q_consultation.ordered", TRAINING, (CIC,), QConsultationOrdered),
        _spec("cic.practicum.completed", CIC, (TRAINING,), PracticumCompleted),
        _spec("cic.fund.awarded", CIC, (TRAINING,), FundAwarded),
        _spec("cic.tracker.credit_used", CIC, (TRAINING,), TrackerCreditUsed),
        _spec("cic.microproject.progressed", CIC, (TRAINING,), MicroprojectProgressed),
    )
}


def spec_for(event_type: str) -> EventSpec:
    try:
        return REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


_schemas = threading.local()


def _schema(spec: EventSpec) -> Schema:
    """The type's schema instance, one per thread: instantiating it deep-copies its declared
    fields, ~0.3 ms a consumed event (docs/performance.md 3c), and a thread of its own keeps
    `load` free of another thread's state."""
    cache = _schemas.__dict__.setdefault("by_type", {})
    schema = cache.get(spec.type)
    if schema is None:
        schema = cache[spec.type] = spec.schema()
    return schema


def validate(event_type: str, data: Any) -> dict[str, Any]:
    """Return the cleaned data of an event (unknown fields dropped on open schemas) or
    raise EventValidationError (UnknownEventType for a type not in the catalogue)."""
    spec = spec_for(event_type)
    if not isinstance(data, Mapping):
        raise EventValidationError(event_type, {"_schema": ["data is not an object"]})
    try:
        return _schema(spec).load(dict(data))
    except ValidationError as exc:
        errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise EventValidationError(event_type, errors) from None


def types_for(consumer: str) -> list[str]:
    """Every type a service consumes, e.g. to check a handler map is complete."""
    return sorted(t for t, spec in REGISTRY.items() if consumer in spec.consumers)
