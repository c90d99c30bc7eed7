"""Reports from cic-tracker that training can never apply are rejected to the dead-letter queue
(STYLE principle 6: never ack-and-drop): an unknown package, another practitioner's package, a
practicum with no or more than three cases. Nothing of a rejected event is kept."""

import sqlalchemy as sa

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.runtime import flask_session_scope
from training.events.handlers import HANDLERS
from training.models import InboxMessage


def _consume(app, db, event_type, data):
    consumer = Consumer(
        flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="training.events"
    )
    outcome = consumer.process(new_envelope(event_type, data, "cic-tracker", version=1).to_json())
    db.session.expire_all()
    return outcome


def test_reports_about_an_unknown_package_are_dead_lettered(app, db):
    reports = [
        ("cic.tracker.credit_used", {"package_id": "no-such-package", "credits_left": 3}),
        (
            "cic.microproject.progressed",
            {"package_id": "no-such-package", "organisation_id": "o", "cases_count": 2, "state": "open"},
        ),
        (
            "cic.practicum.completed",
            {
                "package_id": "no-such-package",
                "practitioner_id": "p",
                "cases_count": 2,
                "completed_at": "2026-11-20T10:00:00Z",
            },
        ),
    ]
    for event_type, data in reports:
        outcome = _consume(app, db, event_type, data)
        assert outcome.action == "dead", (event_type, outcome)
    # a rejected event leaves no inbox row: nothing of it was applied
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxMessage)) == 0
