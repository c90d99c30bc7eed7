"""The practice guidelines gate across the two services (decision 0064), on SQLite and PostgreSQL:
what training's API writes to its outbox (a published version, a practitioner's acknowledgement) is
delivered as it is stored to cic-tracker's real consumer (schema check, inbox, handler, commit), and
cic-tracker opens a microproject's first case only once the version in force is acknowledged.
Training learns nothing about the case."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from support.three_apps import KEYS, three_apps

CONSENT = {
    "given_by": "adult participant",
    "scope": "baseline and follow-up",
    "given_at": "2026-11-01T10:00:00Z",
}
GUIDELINES = {
    "title": "Microproject Practice Guidelines",
    "sections": [{"heading": "Before", "points": ["Plan first."]}],
}


@pytest.fixture(params=["sqlite", "postgres"])
def apps(request, tmp_path):
    with three_apps(request.param, tmp_path) as apps:
        yield apps


class Relay:
    """Training's outbox rows, delivered once each, in order, to cic-tracker's consumer."""

    def __init__(self, training, cic):
        from cic_tracker.events.handlers import HANDLERS
        from cic_tracker.models import InboxMessage
        from imatter_shared.messaging.consumer import Consumer
        from imatter_shared.messaging.runtime import flask_session_scope

        self.training, self.cic, self.sent = training, cic, set()
        self.consumer = Consumer(
            flask_session_scope(cic, cic.extensions["sqlalchemy"]),
            InboxMessage,
            HANDLERS,
            transport=None,
            queue="t",
        )

    def run(self) -> list[str]:
        from training.models import OutboxMessage

        with self.training.app_context():
            db = self.training.extensions["sqlalchemy"]
            rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
            fresh = [(r.id, r.type, r.payload) for r in rows if r.id not in self.sent]
            db.session.remove()
        for row_id, _type, payload in fresh:
            with self.cic.app_context():
                self.consumer.process(payload)
            self.sent.add(row_id)
        return [t for _, t, _ in fresh]

    def feed(self, event_type, data):
        from imatter_shared.events.envelope import new_envelope

        with self.cic.app_context():
            self.consumer.process(new_envelope(event_type, data, producer="training", version=1).to_json())


def test_first_case_waits_for_the_acknowledgement_delivered_by_event(apps):
    training, cic = apps["training"].test_client(), apps["cic"].test_client()
    relay = Relay(apps["training"], apps["cic"])
    admin = KEYS.headers(user_id="ta-" + uuid.uuid4().hex[:6], roles=["training_admin"])
    uid = "u-" + uuid.uuid4().hex[:8]
    me = KEYS.headers(user_id=uid, email=f"{uid}@example.org", name="Fictional Practitioner")
    r = training.post("/api/v1/practice-guidelines", headers=admin, json=GUIDELINES)
    assert r.status_code == 201 and r.get_json()["version"] == 1
    person = training.post(
        "/api/v1/people",
        headers=me,
        json={"name": "Fictional Practitioner", "email": f"{uid}@example.org", "kind": "professional"},
    ).get_json()["id"]
    assert set(relay.run()) >= {"training.practice_guidelines.published", "training.person.linked"}
    # the sale, as training announces it (training's own tests cover the purchase)
    relay.feed("training.package_types.published", PACKAGE_TYPES)
    org, package_id = "org-" + uuid.uuid4().hex[:6], "pkg-" + uuid.uuid4().hex[:8]
    relay.feed(
        "training.licence.changed",
        {
            "organisation_id": org,
            "licence_type": "enhanced",
            "status": "active",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    )
    relay.feed(
        "training.package.purchased",
        {
            "package_id": package_id,
            "package_type": 2,
            "organisation_id": org,
            "practitioner_id": person,
            "tracker_uses": 0,
            "online_accounts": 3,
        },
    )
    projects = cic.get("/api/v1/tracker/microprojects", headers=me).get_json()["items"]
    mp_id = next(p["id"] for p in projects if p["package_id"] == package_id)
    case = {"code": "C-1", "consent": CONSENT}
    r = cic.post(f"/api/v1/tracker/microprojects/{mp_id}/cases", headers=me, json=case)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["practice_guidelines"], r.get_json()
    # acknowledging an unknown version, or for nobody, changes nothing
    assert training.post("/api/v1/practice-guidelines/2/acknowledgements", headers=me).status_code == 404
    r = training.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me)
    assert r.status_code == 201 and r.get_json()["current"] is True
    assert training.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me).status_code == 200
    assert relay.run() == ["training.practitioner.guidelines_acknowledged"]  # once, not per click
    r = cic.post(f"/api/v1/tracker/microprojects/{mp_id}/cases", headers=me, json=case)
    assert r.status_code == 201, r.get_json()
    # training publishes version 2: the acknowledgement of version 1 is no longer current
    assert (
        training.post("/api/v1/practice-guidelines", headers=admin, json=GUIDELINES).get_json()["version"]
        == 2
    )
    acks = training.get(f"/api/v1/people/{person}/guidelines-acknowledgements", headers=me).get_json()
    assert [(a["version"], a["current"]) for a in acks["items"]] == [(1, False)]
    r = training.post("/api/v1/practice-guidelines/1/acknowledgements", headers=me)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["guidelines_current"]
    # nothing about the case reached training
    with apps["training"].app_context():
        from training.models import OutboxMessage

        db = apps["training"].extensions["sqlalchemy"]
        stored = " ".join(r.payload for r in db.session.scalars(sa.select(OutboxMessage)))
        db.session.remove()
    assert "C-1" not in stored and "adult participant" not in stored


PACKAGE_TYPES = {
    "price_book_version": 1,
    "package_types": [
        {
            "type": t,
            "title": f"Type {t}",
            "online_accounts": 0 if t == 1 else 3,
            "tracker_uses": u,
            "tracker_uses_per_case": u // 3,
            "price": 15000 * t,
            "placeholder": False,
        }
        for t, u in ((1, 3), (2, 0), (3, 6), (4, 9))
    ],
}
