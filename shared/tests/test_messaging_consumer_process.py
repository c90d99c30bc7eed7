"""Consumer.process, the transport-independent verdict on one delivery (SQLite; the same
code runs on PostgreSQL in the property and delivery tests)."""

from __future__ import annotations

import dataclasses

import pytest
from imatter_events_testapp import make_service

from imatter_shared.events.envelope import new_envelope

PURCHASE = {
    "package_id": "pk-1",
    "package_type": 1,
    "organisation_id": "o",
    "practitioner_id": "p",
    "tracker_uses": 2,
    "online_accounts": 0,
}


@pytest.fixture
def cic(tmp_path):
    service = make_service(
        "cic-tracker",
        f"sqlite:///{tmp_path}/cic.db",
        {
            "EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db"),
            "EVENTS_MAX_DELIVERIES": 4,
            "EVENTS_RETRY_BASE_SECONDS": 1.0,
            "EVENTS_RETRY_MAX_SECONDS": 3.0,
        },
    )
    yield service
    service.drop()


def body(event_type="training.package.purchased", data=PURCHASE, producer="training", **changes):
    envelope = dataclasses.replace(new_envelope(event_type, data, producer, version=1), **changes)
    return envelope.to_json()


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"\x00\x01", "malformed envelope"),
        (b'{"event_id": "x"}', "malformed envelope"),
        (body("training.nothing.happened"), "unknown event type"),
        (
            body(
                "training.licence.changed",
                {"organisation_id": "o", "licence_type": "cpd", "status": "active", "valid_until": None},
            ),
            "not handled by this consumer",
        ),
        (body(version=2), "unsupported version 2"),
        (body(producer="cic-tracker"), "may not emit this type"),
        (body(data={**PURCHASE, "tracker_uses": "two"}), "schema"),
    ],
)
def test_what_retrying_cannot_fix_is_dead_lettered_at_once(cic, raw, reason):
    outcome = cic.consumer().process(raw, 1)
    assert (outcome.action, reason in outcome.reason) == ("dead", True), outcome
    assert cic.count(cic.Inbox) == 0 and cic.tallies() == {}


def test_an_event_is_applied_once_and_its_duplicate_acked_without_effect(cic):
    consumer, raw = cic.consumer(), body()
    assert consumer.process(raw, 1).action == "ack"
    duplicate = consumer.process(raw, 2)
    assert (duplicate.action, duplicate.reason) == ("ack", "duplicate")
    assert cic.tallies() == {"pk-1": (1, 2)}


def test_open_schema_fields_unknown_to_this_version_are_dropped_not_rejected(cic):
    assert cic.consumer().process(body(data={**PURCHASE, "added_later": "x"}), 1).action == "ack"


def test_a_failing_handler_is_retried_with_growing_delays_then_dead_lettered(cic):
    consumer, raw = cic.consumer(), body()
    cic.faults["broken_keys"].add("pk-1")
    outcomes = [consumer.process(raw, attempt) for attempt in (1, 2, 3, 4)]
    assert [(o.action, o.delay) for o in outcomes] == [
        ("retry", 1.0),
        ("retry", 2.0),
        ("retry", 3.0),
        ("dead", 0.0),
    ]
    assert "RuntimeError at imatter_events_testapp.py" in outcomes[0].reason
    assert "handler bug" not in outcomes[0].reason  # the class and place, never the message
    assert cic.count(cic.Inbox) == 0  # rolled back together with the handler's writes

    cic.faults["broken_keys"].clear()
    assert consumer.process(raw, 1).action == "ack"  # e.g. after replay-dead-letters
    assert cic.tallies() == {"pk-1": (1, 2)}


def test_a_handler_can_reject_an_event_for_good(cic):
    outcome = cic.consumer().process(body(data={**PURCHASE, "package_id": "reject-1"}), 1)
    assert outcome.action == "dead" and "rejected by handler" in outcome.reason
    assert cic.count(cic.Inbox) == 0


def test_a_database_failure_is_retried_not_dropped(cic):
    consumer = cic.consumer()
    with cic.app.app_context():
        cic.db.session.execute(cic.db.text("DROP TABLE tallies"))
        cic.db.session.commit()
    outcome = consumer.process(body(), 1)
    assert outcome.action == "retry"
    assert cic.count(cic.Inbox) == 0


@pytest.mark.parametrize("prefetch", [0, 101])
def test_prefetch_outside_1_to_100_is_refused(cic, prefetch):
    cic.app.config["EVENTS_PREFETCH"] = prefetch
    with pytest.raises(ValueError, match="EVENTS_PREFETCH"):
        cic.consumer()
