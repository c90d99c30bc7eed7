"""The catalogue: the contract's event types and fields, closed cic.* schemas, a typed error."""

from __future__ import annotations

import inspect
import re

import pytest

from imatter_shared.events import catalogue
from imatter_shared.events.catalogue import REGISTRY, EventValidationError, UnknownEventType, validate

# CONTRACT.md "Integration events", plus the three types training adds for cic-tracker.
CONTRACT = {
    "training.package.purchased": (
        "training",
        "cic-tracker",
        "package_id package_type organisation_id practitioner_id tracker_uses online_accounts",
    ),
    "training.practitioner.certified": (
        "training",
        "cic-tracker",
        "person_id role organisation_id certified_at",
    ),
    "training.licence.changed": (
        "training",
        "cic-tracker",
        "organisation_id licence_type status valid_until",
    ),
    "cic.practicum.completed": (
        "cic-tracker",
        "training",
        "package_id practitioner_id cases_count completed_at",
    ),
    "cic.fund.awarded": (
        "cic-tracker",
        "training",
        "award_id application_id practitioner_id organisation_id package_type amount",
    ),
    "cic.tracker.credit_used": ("cic-tracker", "training", "package_id credits_left"),
    "training.person.linked": ("training", "cic-tracker", "person_id user_id"),
    "training.membership.changed": (
        "training",
        "cic-tracker",
        "organisation_id person_id user_id role status",
    ),
    "training.fund_award.redeemed": ("training", "cic-tracker", "award_id package_id organisation_id"),
    # added with cic-tracker (issue 6): counts only, for training's stage 5
    "cic.microproject.progressed": (
        "cic-tracker",
        "training",
        "package_id organisation_id cases_count state",
    ),
}

SAMPLES = {
    # decision 0064: numbers, ids and dates only
    "training.practice_guidelines.published": {"version": 2, "published_at": "2026-11-29T10:00:00Z"},
    "training.practitioner.guidelines_acknowledged": {
        "person_id": "p1",
        "version": 2,
        "acknowledged_at": "2026-11-29T11:00:00Z",
    },
    "training.practitioner_licence.changed": {
        "person_id": "p1",
        "licence_id": "l1",
        "state": "paused",
        "valid_until": "2027-11-29T00:00:00+00:00",
    },
    "training.package_types.published": {
        "price_book_version": 3,
        "package_types": [
            {
                "type": 1,
                "title": "Tracker only",
                "online_accounts": 0,
                "tracker_uses": 3,
                "tracker_uses_per_case": 1,
                "price": 15000,
                "placeholder": False,
            }
        ],
    },
    "training.package.purchased": {
        "package_id": "pk1",
        "package_type": 2,
        "organisation_id": "o1",
        "practitioner_id": "p1",
        "tracker_uses": 3,
        "online_accounts": 1,
    },
    "training.practitioner.certified": {
        "person_id": "p1",
        "role": "link",
        "organisation_id": None,
        "certified_at": "2026-11-22T10:00:00+00:00",
    },
    "training.practitioner.certification_withdrawn": {
        "person_id": "p1",
        "role": "lead_plus",
        "organisation_id": None,
        "withdrawn_at": "2026-11-30T10:00:00+00:00",
    },
    "training.licence.changed": {
        "organisation_id": "o1",
        "licence_type": "cpd",
        "status": "active",
        "valid_until": "2027-11-22",
    },
    "cic.practicum.completed": {
        "package_id": "pk1",
        "practitioner_id": "p1",
        "cases_count": 3,
        "completed_at": "2026-11-22T10:00:00Z",
    },
    "cic.fund.awarded": {
        "award_id": "a1",
        "application_id": "ap1",
        "practitioner_id": "p1",
        "organisation_id": "o1",
        "package_type": 1,
        "amount": 125000,
    },
    "cic.tracker.credit_used": {"package_id": "pk1", "credits_left": 0},
    "training.person.linked": {"person_id": "p1", "user_id": "u1"},
    "training.membership.changed": {
        "organisation_id": "o1",
        "person_id": "p1",
        "user_id": None,
        "role": "link_contact",
        "status": "ended",
    },
    "training.fund_award.redeemed": {"award_id": "a1", "package_id": "pk1", "organisation_id": "o1"},
    "cic.microproject.progressed": {
        "package_id": "pk1",
        "organisation_id": "o1",
        "cases_count": 2,
        "state": "open",
    },
}


def test_registry_holds_the_contract_types_with_their_fields_required():
    # The contract fixes these types and field names; more types and more (optional) fields
    # may be added, never fewer.
    assert set(CONTRACT) <= set(REGISTRY)
    for event_type, (producer, consumer, fields) in CONTRACT.items():
        spec = REGISTRY[event_type]
        assert (spec.producer, spec.consumers, spec.version) == (producer, (consumer,), 1)
        schema_fields = spec.schema().fields
        assert set(fields.split()) <= set(schema_fields), event_type
        assert all(schema_fields[name].required for name in fields.split()), event_type


def test_every_type_is_produced_and_consumed_by_known_services_and_starts_with_its_producer():
    services = {"training": "training.", "cic-tracker": "cic."}
    for event_type, spec in REGISTRY.items():
        assert event_type.startswith(services[spec.producer]), event_type
        assert spec.consumers and set(spec.consumers) <= set(services) - {spec.producer}, event_type
        assert spec.version >= 1


# training -> cic events that are closed on purpose: they stop use, so they carry exactly their ids
CLOSED_TO_CIC = {"training.package.cancelled"}


def test_schemas_consumed_by_training_are_closed_and_the_others_open():
    for event_type, spec in REGISTRY.items():
        assert spec.closed == ("training" in spec.consumers or event_type in CLOSED_TO_CIC), event_type


def test_every_schema_has_a_comment_block_naming_producer_and_consumers():
    source = inspect.getsource(catalogue)
    for event_type, spec in REGISTRY.items():
        block = re.search(
            rf"# \.\. event_type: {re.escape(event_type)}\n((?:# .*\n)+)class {spec.schema.__name__}\(",
            source,
        )
        assert block, f"no comment block above {spec.schema.__name__}"
        assert f"# .. producer: {spec.producer}" in block.group(1)
        assert all(c in block.group(1) for c in spec.consumers)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_valid_samples_come_back_unchanged(event_type):
    assert validate(event_type, SAMPLES[event_type]) == SAMPLES[event_type]


@pytest.mark.parametrize("event_type", sorted(t for t in SAMPLES if t.startswith("cic.")))
def test_closed_schema_rejects_an_unknown_field(event_type):
    with pytest.raises(EventValidationError) as raised:
        validate(event_type, {**SAMPLES[event_type], "notes": "free text that must never be stored"})
    assert raised.value.errors == {"notes": ["Unknown field."]}
    assert "free text" not in str(raised.value)


@pytest.mark.parametrize("event_type", sorted(t for t in SAMPLES if t.startswith("training.")))
def test_open_schema_drops_an_unknown_field(event_type):
    assert validate(event_type, {**SAMPLES[event_type], "added_later": 1}) == SAMPLES[event_type]


@pytest.mark.parametrize(
    "event_type, change, field",
    [
        ("training.package.purchased", {"package_type": 5}, "package_type"),
        ("training.package.purchased", {"tracker_uses": "3"}, "tracker_uses"),
        ("training.package.purchased", {"tracker_uses": True}, "tracker_uses"),
        ("training.package.purchased", {"package_id": 17}, "package_id"),  # ids are strings
        ("training.practitioner.certified", {"role": "wizard"}, "role"),
        ("training.practitioner.certified", {"certified_at": "2026-11-22T10:00:00"}, "certified_at"),
        ("training.practitioner.certification_withdrawn", {"role": "wizard"}, "role"),
        ("training.practitioner.certification_withdrawn", {"withdrawn_at": "yesterday"}, "withdrawn_at"),
        ("training.licence.changed", {"valid_until": "soon"}, "valid_until"),
        ("training.membership.changed", {"status": "paused"}, "status"),
        ("cic.fund.awarded", {"amount": 12.5}, "amount"),
        ("cic.tracker.credit_used", {"credits_left": -1}, "credits_left"),
    ],
)
def test_bad_values_are_refused_naming_the_field(event_type, change, field):
    with pytest.raises(EventValidationError) as raised:
        validate(event_type, {**SAMPLES[event_type], **change})
    assert set(raised.value.errors) == {field}
    assert raised.value.event_type == event_type


def test_missing_field_and_non_object_data_are_refused():
    with pytest.raises(EventValidationError) as raised:
        validate("cic.tracker.credit_used", {"package_id": "p"})
    assert "credits_left" in raised.value.errors
    with pytest.raises(EventValidationError):
        validate("cic.tracker.credit_used", ["package_id"])


def test_unknown_type_raises_a_typed_error():
    with pytest.raises(UnknownEventType, match="unknown event type"):
        validate("cic.nothing.happened", {})
    assert issubclass(UnknownEventType, EventValidationError)


def test_a_withdrawal_carries_no_more_than_the_certification_did():
    """The withdrawal tells cic-tracker which certification stopped counting and when: the
    certified event's facts with its time, never the reason a training admin gave."""
    certified = set(REGISTRY["training.practitioner.certified"].schema().fields)
    withdrawn = set(REGISTRY["training.practitioner.certification_withdrawn"].schema().fields)
    assert withdrawn - {"withdrawn_at"} == certified - {"certified_at"}
    assert not {"reason", "withdrawal_reason", "withdrawn_by"} & withdrawn


def test_types_for_lists_what_a_service_consumes():
    consumed = catalogue.types_for("training")
    assert {"cic.fund.awarded", "cic.practicum.completed", "cic.tracker.credit_used"} <= set(consumed)
    assert consumed == sorted(consumed) and all(t.startswith("cic.") for t in consumed)
