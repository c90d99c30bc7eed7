"""outbox.add: validated, in the caller's transaction, never committed on its own."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from imatter_events_testapp import make_service

from imatter_shared.events.catalogue import EventValidationError, UnknownEventType
from imatter_shared.messaging import outbox
from imatter_shared.messaging.models import PENDING


@pytest.fixture
def training(database_url, backend, tmp_path):
    service = make_service(
        "training", database_url("training"), {"EVENTS_EMBEDDED_PATH": str(tmp_path / "events.db")}
    )
    yield service
    service.drop()


def test_event_commits_with_the_business_change(training):
    event_id = training.buy_package("pk-1", tracker_uses=3)
    [row] = training.outbox_rows()
    assert (row.event_id, row.type, row.state, row.times_sent) == (
        event_id,
        "training.package.purchased",
        PENDING,
        0,
    )
    assert row.published_at is None and row.next_attempt_at == row.created_at
    envelope = json.loads(row.payload)
    assert envelope["event_id"] == event_id and envelope["producer"] == "training"
    assert envelope["data"]["tracker_uses"] == 3
    assert training.count(training.Purchase) == 1


def test_exception_after_the_business_write_leaves_neither_row_nor_event(training):
    with pytest.raises(RuntimeError, match="boom"):
        training.buy_package("pk-2", fail_before_commit=True)
    assert training.count(training.Purchase) == 0
    assert training.count(training.Outbox) == 0


def test_add_neither_commits_nor_flushes(training):
    with training.app.app_context():
        session = training.db.session
        with session.no_autoflush:
            outbox.add(
                session,
                training.Outbox,
                "training.person.linked",
                {"person_id": "p", "user_id": "u"},
                producer="training",
            )
            assert len(session.new) == 1
        session.rollback()
    assert training.count(training.Outbox) == 0


@pytest.mark.parametrize(
    "event_type, data, producer, error",
    [
        ("training.person.linked", {"person_id": "p"}, "training", EventValidationError),
        ("training.person.linked", {"person_id": "p", "user_id": "u"}, "cic-tracker", EventValidationError),
        ("training.nothing", {}, "training", UnknownEventType),
    ],
)
def test_invalid_events_are_refused_before_anything_is_written(training, event_type, data, producer, error):
    with training.app.app_context():
        session = training.db.session
        session.add(training.Purchase(id="pk-3", kind="package"))
        with pytest.raises(error):
            outbox.add(session, training.Outbox, event_type, data, producer=producer)
        session.rollback()
    assert training.count(training.Outbox) == 0 and training.count(training.Purchase) == 0


def test_open_schema_stores_the_cleaned_data(training):
    with training.app.app_context():
        envelope = outbox.add(
            training.db.session,
            training.Outbox,
            "training.person.linked",
            {"person_id": "p", "user_id": "u", "not_in_any_schema": "x-secret"},
            producer="training",
        )
        training.db.session.commit()
    assert dict(envelope.data) == {"person_id": "p", "user_id": "u"}
    assert "x-secret" not in training.outbox_rows()[0].payload


def test_relay_query_is_served_by_the_partial_pending_index(training):
    with training.app.app_context():
        indexes = {ix["name"]: ix for ix in sa.inspect(training.db.engine).get_indexes("outbox_messages")}
    assert indexes["ix_outbox_messages_pending"]["column_names"] == ["id", "next_attempt_at"]
