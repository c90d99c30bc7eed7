"""Training's email through a real SMTP server (aiosmtpd on 127.0.0.1) on SQLite and
PostgreSQL: an invitation, pathway items completed and a certification, each written in the
commit of the change and sent once; licence reminders at 60, 30 and 7 days and trainee
obligation reminders, once per due date however often `flask notify reminders` runs;
preferences through the API, and opt-out respected by the sender."""

import json
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from imatter_shared.events.envelope import new_envelope
from imatter_shared.messaging.consumer import Consumer
from imatter_shared.messaging.runtime import flask_session_scope
from imatter_shared.notifications import wiring_of
from imatter_shared.notifications.sender import make_sender
from support.smtp import SmtpCatcher
from training.events.handlers import HANDLERS
from training.models import InboxMessage, Licence, Notification, OutboxMessage, Person
from training.models.lead_professionals import LeadProfessionalApplication
from training.rules.roles import REQUIREMENTS, ROLES_BY_CODE


@pytest.fixture
def smtp(app):
    catcher = SmtpCatcher().start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=catcher.port, SMTP_TLS="none")
    yield catcher
    catcher.stop()


def _send(app):
    return make_sender(app, wiring_of(app)).run_once()


def _user(keys, roles=("learner",), email=None):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


def _kinds(db):
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(sa.select(Notification).order_by(Notification.id))]


def _org(client, headers, link="link@larch.example"):
    r = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={
            "name": "Fictional Larch Primary",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": link,
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _reminders(app, at):
    out = app.test_cli_runner().invoke(args=["notify", "reminders", "--at", at.isoformat() + "Z"])
    assert out.exit_code == 0, out.output
    return out.output


def test_invitation_item_completion_and_certification_each_email_once(app, db, client, keys, smtp):
    admin, staff = _user(keys), _user(keys, roles=["training_admin"])
    pro_email = f"{uuid.uuid4().hex[:8]}@fictional-school.example"
    pro = _user(keys, email=pro_email)
    org = _org(client, admin)
    person = client.post(
        "/api/v1/people",
        headers=pro,
        json={"name": "Robin Fictional-Lead", "email": pro_email, "kind": "professional"},
    ).get_json()
    m = client.post(
        f"/api/v1/organisations/{org['id']}/members",
        headers=admin,
        json={"person_id": person["id"], "role": "teacher"},
    )
    assert m.status_code == 201 and m.get_json()["state"] == "invited"
    assert _kinds(db) == ["organisation_invitation"]  # written with the invitation, before any sending
    assert client.post(f"/api/v1/memberships/{m.get_json()['id']}/accept", headers=pro).status_code == 200
    assert _kinds(db) == ["organisation_invitation"]  # accepting sends nothing more
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    items = [
        client.post(
            f"/api/v1/people/{person['id']}/pathways/lead/items", headers=pro, json={"item": "deep_dive"}
        ).get_json(),
        client.post(
            f"/api/v1/people/{person['id']}/pathways/lead/items",
            headers=admin,
            json={"item": "lead_training", "organisation_id": org["id"]},
        ).get_json(),
    ]
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )  # a Lead in training is in place
    pkg = client.post(
        f"/api/v1/organisations/{org['id']}/packages",
        headers=admin,
        json={"type": 3, "practitioner_id": person["id"], "funding": "organisation"},
    )
    assert pkg.status_code == 201, pkg.get_json()
    for item in items:
        assert client.post(f"/api/v1/pathway-items/{item['id']}/completion", headers=staff).status_code == 200
        # completing twice is not a second email
        assert client.post(f"/api/v1/pathway-items/{item['id']}/completion", headers=staff).status_code == 200
    consumer = Consumer(
        flask_session_scope(app, db), InboxMessage, HANDLERS, transport=None, queue="training.events"
    )
    body = new_envelope(
        "cic.practicum.completed",
        {
            "package_id": pkg.get_json()["id"],
            "practitioner_id": person["id"],
            "cases_count": 2,
            "completed_at": "2026-11-20T10:00:00Z",
        },
        "cic-tracker",
        version=1,
    ).to_json()
    assert consumer.process(body).action == "ack"
    assert consumer.process(body).action == "ack"  # redelivered: no second certification, no second email
    assert _kinds(db) == [
        "organisation_invitation",
        "pathway_item_completed",
        "pathway_item_completed",
        "certification_granted",
    ]

    assert _send(app).sent == 4
    assert _send(app).handled == 0  # run again: nothing twice
    subjects = sorted(m["Subject"] for m in smtp.to(pro_email))
    assert subjects == sorted(
        [
            f"Certified: {ROLES_BY_CODE['lead']['title']}",
            f"Completed: {REQUIREMENTS['deep_dive']['title']}",
            f"Completed: {REQUIREMENTS['lead_training']['title']}",
            "An invitation to join an organisation on I Matter",
        ]
    )
    # security review M8: a fixed subject; nothing an admin typed (not even the organisation's name):
    # its kind and a short reference, what it will see, a link to the portal page
    invitation = [m for m in smtp.to(pro_email) if m["Subject"].startswith("An invitation")][0]
    text = invitation.get_body(("plain",)).get_content()
    assert "Larch" not in text and f"reference {org['id'][:8]}" in text and "My invitations" in text
    assert "/memberships" in text and "pathway and certification" in text
    assert "teacher" not in text and "Robin" not in text
    assert invitation.get_body(("html",)) is not None
    assert len(smtp.messages) == 4  # the admin and the link contact got nothing from this


def test_licence_reminders_at_60_30_and_7_days_once_each(app, db, client, keys, smtp):
    admin = _user(keys)
    org = _org(client, admin, link="Link.Contact@Larch.example")
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "starter"}
        ).status_code
        == 201
    )
    until = db.session.scalar(sa.select(Licence.valid_until).where(Licence.organisation_id == org["id"]))
    hour = timedelta(hours=1)
    for days, expected in (
        (61, 0),
        (60, 1),
        (60, 0),
        (45, 0),
        (31, 0),
        (30, 1),
        (29, 0),
        (8, 0),
        (7, 1),
        (7, 0),
        (1, 0),
    ):
        before = len(_kinds(db))
        for _ in range(2):  # the scheduler may run it often: still once per step
            _reminders(app, until - timedelta(days=days) + hour)
        assert len(_kinds(db)) - before == expected, f"{days} days before"
    _reminders(app, until + hour)  # expired: no more reminders
    assert _kinds(db) == ["licence_expiring"] * 3
    assert _send(app).sent == 3 and _send(app).handled == 0
    subjects = [m["Subject"] for m in smtp.to("link.contact@larch.example")]
    assert [s.split(" ends in ")[1].split(" ")[0] for s in subjects] == ["60", "30", "7"]
    assert all(s.startswith("Your Starter Licence") for s in subjects)
    text = smtp.messages[0].get_body(("plain",)).get_content()
    assert f"/organisations/{org['id']}" in text and "Fictional Larch Primary" in text


def test_trainee_obligation_reminders_once_per_due_date(app, db, smtp):
    person = Person(name="Sam Fictional-Trainee", email="sam@fictional-school.example", kind="professional")
    db.session.add(person)
    db.session.flush()
    start = datetime(2030, 1, 1)
    db.session.add(
        LeadProfessionalApplication(
            person_id=person.id,
            route="standard",
            references=["a", "b"],
            senior_leadership_backing=True,
            state="trainee",
            trainee_from=start,
        )
    )
    db.session.commit()
    _reminders(app, start + timedelta(days=10))  # nothing due within a week yet
    assert _kinds(db) == []
    _reminders(app, start + timedelta(days=24))
    first = len(_kinds(db))
    assert first >= 1
    _reminders(app, start + timedelta(days=25))
    _reminders(app, start + timedelta(days=24))
    assert len(_kinds(db)) == first  # same due dates: nothing new
    assert _send(app).sent == first
    subjects = [m["Subject"] for m in smtp.to("sam@fictional-school.example")]
    assert any("An agreed action plan outline" in s for s in subjects)
    assert len(subjects) == len(set(subjects))


def test_preferences_through_the_api_and_opt_out_respected(app, db, client, keys, smtp):
    email = f"{uuid.uuid4().hex[:8]}@fictional-school.example"
    me = _user(keys, email=email)
    admin, stranger = _user(keys), _user(keys)
    person = client.post(
        "/api/v1/people", headers=me, json={"name": "Kit Fictional", "email": email, "kind": "professional"}
    ).get_json()
    url = f"/api/v1/people/{person['id']}/notification-preferences"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=stranger).status_code == 404
    got = client.get(url, headers=me).get_json()
    assert got["non_essential_email"] is True and got["disabled_kinds"] == []
    assert {k["code"]: k["enabled"] for k in got["kinds"]}["organisation_invitation"] is True
    bad = client.put(url, headers=me, json={"disabled_kinds": ["no_such_kind"]})
    assert bad.status_code == 400 and "disabled_kinds" in bad.get_json()["errors"]
    assert client.put(url, headers=me, json={"non_essential_email": "sometimes"}).status_code == 400
    r = client.put(url, headers=me, json={"non_essential_email": False})
    assert r.status_code == 200 and r.get_json()["non_essential_email"] is False
    assert all(not k["enabled"] for k in r.get_json()["kinds"] if not k["essential"])

    org = _org(client, admin)
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/members",
            headers=admin,
            json={"person_id": person["id"], "role": "teacher"},
        ).status_code
        == 201
    )
    assert client.put(url, headers=admin, json={"non_essential_email": True}).status_code == 404  # not theirs
    result = _send(app)
    assert (result.sent, result.skipped) == (0, 1) and smtp.messages == []

    # back on, but invitations turned off one by one: a certification-style email would still go
    r = client.put(
        url, headers=me, json={"non_essential_email": True, "disabled_kinds": ["organisation_invitation"]}
    )
    assert r.status_code == 200 and r.get_json()["disabled_kinds"] == ["organisation_invitation"]
    org2 = _org(client, admin, link="other@larch.example")
    client.post(
        f"/api/v1/organisations/{org2['id']}/members",
        headers=admin,
        json={"person_id": person["id"], "role": "teacher"},
    )
    assert _send(app).skipped == 1 and smtp.messages == []


def test_a_linked_person_tells_cic_their_own_address(app, db, client, keys):
    email = f"{uuid.uuid4().hex[:8]}@fictional-school.example"
    me = _user(keys, email=email)
    client.post(
        "/api/v1/people", headers=me, json={"name": "Jo Fictional", "email": email, "kind": "professional"}
    )
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == "training.person.linked")
    ).all()
    assert [json.loads(r.payload)["data"]["email"] for r in rows] == [email]
