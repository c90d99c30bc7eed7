"""Fixtures for cic-tracker tests.

Integration tests take `app`/`client`; each runs on SQLite and on the real PostgreSQL
(a fresh database per session; REQUIRE_SERVICES=1 makes PostgreSQL mandatory).
Unit tests of rules take no fixture and run once.
"""

import pytest

from cic_tracker import create_app
from cic_tracker.extensions import db as _db
from support import testing as t
from support.testing import database_url  # noqa: F401,F811  (SQLite and PostgreSQL, session-scoped)

KEYS = t.KeyPair()


@pytest.fixture(scope="session")
def keys():
    return KEYS


@pytest.fixture(scope="session")
def _app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "JWT_PUBLIC_KEY": KEYS.public,
            "EVENTS_EMBEDDED_PATH": str(tmp_path_factory.mktemp("events") / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def app(_app):
    with _app.app_context():
        yield _app
        _db.session.rollback()
        t.truncate_all(_db)
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# ---- cic-tracker domain helpers (issue 6) ---------------------------------------------------
# Events go through the real consumer path (validation, inbox dedup, handler, commit).

import uuid as _uuid  # noqa: E402

# What training publishes for its seeded price book (issue 16: cic keeps no copy of the package
# table in code; like a real deployment, the tests learn it by event first).
PUBLISHED_PACKAGE_TYPES = {
    "price_book_version": 1,
    "package_types": [
        {
            "type": 1,
            "title": "Tracker only",
            "online_accounts": 0,
            "tracker_uses": 3,
            "tracker_uses_per_case": 1,
            "price": 15000,
            "placeholder": False,
        },
        {
            "type": 2,
            "title": "Prevention",
            "online_accounts": 3,
            "tracker_uses": 0,
            "tracker_uses_per_case": 0,
            "price": 30000,
            "placeholder": False,
        },
        {
            "type": 3,
            "title": "Early Intervention",
            "online_accounts": 3,
            "tracker_uses": 6,
            "tracker_uses_per_case": 2,
            "price": 45000,
            "placeholder": False,
        },
        {
            "type": 4,
            "title": "Additional Needs",
            "online_accounts": 3,
            "tracker_uses": 9,
            "tracker_uses_per_case": 3,
            "price": 60000,
            "placeholder": False,
        },
    ],
}


class _Cic:
    def __init__(self, app, keys):
        from cic_tracker.events.handlers import HANDLERS
        from cic_tracker.models import InboxMessage
        from imatter_shared.messaging.consumer import Consumer
        from imatter_shared.messaging.runtime import flask_session_scope

        self.app, self.keys = app, keys
        self.consumer = Consumer(
            flask_session_scope(app, _db), InboxMessage, HANDLERS, transport=None, queue="cic-tracker.test"
        )
        self.published_package_types = PUBLISHED_PACKAGE_TYPES
        self.feed("training.package_types.published", PUBLISHED_PACKAGE_TYPES)

    def feed(self, event_type, data, envelope=None):
        """Deliver one event as the broker would; returns (outcome, envelope)."""
        from imatter_shared.events.envelope import new_envelope

        env = envelope or new_envelope(event_type, data, producer="training", version=1)
        outcome = self.consumer.process(env.to_json())
        _db.session.expire_all()
        return outcome, env

    def person(self, roles=("learner",), organisation_id=None, membership_role="staff", certified=()):
        """A gateway user linked to a training person (by event); returns (person_id, headers)."""
        person_id, user_id = "p-" + _uuid.uuid4().hex[:10], "u-" + _uuid.uuid4().hex[:10]
        self.feed("training.person.linked", {"person_id": person_id, "user_id": user_id})
        if organisation_id:
            self.feed(
                "training.membership.changed",
                {
                    "organisation_id": organisation_id,
                    "person_id": person_id,
                    "user_id": user_id,
                    "role": membership_role,
                    "status": "active",
                },
            )
        for role in certified:
            self.certify(person_id, role, organisation_id)
        return person_id, self.keys.headers(user_id=user_id, roles=list(roles))

    def certify(self, person_id, role, organisation_id=None):
        return self.feed(
            "training.practitioner.certified",
            {
                "person_id": person_id,
                "role": role,
                "organisation_id": organisation_id,
                "certified_at": "2026-11-01T10:00:00Z",
            },
        )

    def fundable(self, roles=("learner",)):
        """A practitioner the Fund accepts (DOMAIN "Rulings" -> CIC): an accepted member of an
        organisation cic knows to hold an active Enhanced Licence. Returns (person_id, headers, org)."""
        org = "org-" + _uuid.uuid4().hex[:8]
        self.feed(
            "training.licence.changed",
            {
                "organisation_id": org,
                "licence_type": "enhanced",
                "status": "active",
                "valid_until": "2099-01-01T00:00:00Z",
            },
        )
        person_id, headers = self.person(roles=roles, organisation_id=org)
        return person_id, headers, org

    def reviewed(self, client, application_id, reviewers=2):
        """`reviewers` independent fund reviewers each declare no conflict and review."""
        for _ in range(reviewers):
            r = client.post(
                f"/api/v1/fund/applications/{application_id}/reviews",
                json={"score": 4, "no_conflict": True},
                headers=self.staff("fund_reviewer"),
            )
            assert r.status_code == 201, r.get_json()

    def funded(self, client, amount, name="A supporter"):
        """A supporter pledges `amount` to the fund and CIC staff mark it received (an award
        needs received gifts covering it, DOMAIN "Rulings" -> Money); returns the gift."""
        _, supporter = self.person()
        r = client.post("/api/v1/fund/gifts", json={"amount": amount, "name": name}, headers=supporter)
        assert r.status_code == 201, r.get_json()
        r = client.post(f"/api/v1/fund/gifts/{r.get_json()['id']}/received", headers=self.staff())
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def staff(self, *roles):
        return self.keys.headers(
            user_id="staff-" + _uuid.uuid4().hex[:8], roles=list(roles or ("cic_staff",))
        )

    def enhanced(self, organisation_id, status="active", valid_until="2099-01-01T00:00:00Z"):
        """training.licence.changed for the organisation's Enhanced Licence."""
        return self.feed(
            "training.licence.changed",
            {
                "organisation_id": organisation_id,
                "licence_type": "enhanced",
                "status": status,
                "valid_until": valid_until,
            },
        )

    def package(
        self, practitioner_id, package_type=3, tracker_uses=6, organisation_id="org-1", enhanced=True
    ):
        """A package sale in training; returns the new microproject's id. Packages need the
        organisation's Enhanced Licence (and cic refuses Tracker use without an active one known,
        row 21): unless `enhanced=False`, an active one is announced first when cic knows none."""
        from cic_tracker.models import OrgLicence

        if enhanced and _db.session.get(OrgLicence, (organisation_id, "enhanced")) is None:
            self.enhanced(organisation_id)
        package_id = "pkg-" + _uuid.uuid4().hex[:10]
        self.feed(
            "training.package.purchased",
            {
                "package_id": package_id,
                "package_type": package_type,
                "organisation_id": organisation_id,
                "practitioner_id": practitioner_id,
                "tracker_uses": tracker_uses,
                "online_accounts": 0 if package_type == 1 else 3,
            },
        )
        from cic_tracker.models import Microproject

        return _db.session.scalar(_db.select(Microproject.id).where(Microproject.package_id == package_id))

    def oversee(self, client, mp_id, overseer_id, overseer_headers, by_headers):
        """Name the overseer (by the practitioner / an admin / a training admin) and accept."""
        r = client.post(
            f"/api/v1/tracker/microprojects/{mp_id}/overseer",
            json={"person_id": overseer_id},
            headers=by_headers,
        )
        assert r.status_code == 200, r.get_json()
        r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/overseer/accept", headers=overseer_headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def sign_off(self, client, mp_id, organisation_id="org-1", role="lead"):
        """A certified Lead (or Lead Plus) who is an active member of the organisation signs the
        practicum off (row 35); returns the response JSON."""
        _, headers = self.person(organisation_id=organisation_id, certified=(role,))
        r = client.post(f"/api/v1/tracker/microprojects/{mp_id}/sign-off", headers=headers)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    def case_with_change(self, client, mp_id, headers, consent, code, before, after, notes=""):
        """A case in the microproject with a baseline `before` and a follow-up `after` in
        communication; returns the case JSON."""
        case = client.post(
            f"/api/v1/tracker/microprojects/{mp_id}/cases",
            json={"code": code, "consent": consent},
            headers=headers,
        ).get_json()
        for kind, value in (("baseline", before), ("follow_up", after)):
            r = client.post(
                f"/api/v1/tracker/cases/{case['id']}/assessments",
                json={"kind": kind, "scores": {"communication": value}, "notes": notes},
                headers=headers,
            )
            assert r.status_code == 201, r.get_json()
        return case

    def outbox(self, event_type=None):
        import json

        from cic_tracker.models import OutboxMessage

        rows = _db.session.scalars(_db.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [json.loads(r.payload) for r in rows if event_type in (None, r.type)]


@pytest.fixture
def cic(app, keys):
    return _Cic(app, keys)


CONSENT = {
    "given_by": "parent",
    "scope": "tracker use for this microproject",
    "given_at": "2026-11-01T09:00:00Z",
}


@pytest.fixture
def consent():
    return dict(CONSENT)
