"""cic-tracker's email through a real SMTP server (aiosmtpd on 127.0.0.1) on SQLite and
PostgreSQL. Every email is a sign-in prompt: a unique marker written into a case's code,
notes, goals and reflections, a consultation's purpose and a fund application's summary and
decision note appears in no message and no outbox row. Each is sent once; reminders (case
support window ending, fund round closing) once per due date; preferences respected."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cic_tracker.models import Case, FundRound, Notification, NotificationContact
from imatter_shared.notifications import wiring_of
from imatter_shared.notifications.sender import make_sender
from support.smtp import SmtpCatcher


@pytest.fixture
def smtp(app):
    catcher = SmtpCatcher().start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=catcher.port, SMTP_TLS="none")
    yield catcher
    catcher.stop()


def _send(app):
    return make_sender(app, wiring_of(app)).run_once()


def _kinds(db):
    db.session.expire_all()
    return [n.kind for n in db.session.scalars(sa.select(Notification).order_by(Notification.id))]


def _reminders(app, at):
    out = app.test_cli_runner().invoke(args=["notify", "reminders", "--at", at.isoformat() + "Z"])
    assert out.exit_code == 0, out.output


def _practitioner(cic, keys, organisation_id="org-n"):
    """A professional linked by training's event, which carries their own sign-in address, an
    accepted member of an organisation holding an Enhanced Licence (so the Fund accepts them)."""
    cic.feed(
        "training.licence.changed",
        {
            "organisation_id": organisation_id,
            "licence_type": "enhanced",
            "status": "active",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    )
    person_id, user_id = "p-" + uuid.uuid4().hex[:10], "u-" + uuid.uuid4().hex[:10]
    email = f"{user_id}@fictional-school.example"
    cic.feed("training.person.linked", {"person_id": person_id, "user_id": user_id, "email": email})
    cic.feed(
        "training.membership.changed",
        {
            "organisation_id": organisation_id,
            "person_id": person_id,
            "user_id": user_id,
            "role": "teacher",
            "status": "active",
        },
    )
    return person_id, user_id, email, keys.headers(user_id=user_id, email=email, roles=["learner"])


def _future(days=10):
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_no_case_data_ever_reaches_an_email(app, db, client, cic, keys, consent, smtp):
    marker = "Zq" + uuid.uuid4().hex[:12]
    person_id, user_id, email, me = _practitioner(cic, keys)
    staff = cic.staff("cic_staff", "fund_reviewer")
    mp_id = cic.package(person_id, package_type=3, organisation_id="org-n")
    case = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases",
        json={"code": f"C-{marker}", "consent": consent},
        headers=me,
    )
    assert case.status_code == 201, case.get_json()
    case_id = case.get_json()["id"]
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case_id}/assessments",
            headers=me,
            json={
                "kind": "baseline",
                "scores": {"communication": 3, "confidence": 4},
                "notes": f"notes {marker}",
            },
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case_id}/goals",
            json={"text": f"goal {marker}", "status": "open"},
            headers=me,
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/tracker/cases/{case_id}/reflections", json={"text": f"reflection {marker}"}, headers=me
        ).status_code
        == 201
    )
    c = client.post(
        "/api/v1/consultations", json={"for_kind": "family", "purpose": f"purpose {marker}"}, headers=me
    )
    assert c.status_code == 201
    assert (
        client.post(
            f"/api/v1/consultations/{c.get_json()['id']}/schedule",
            json={"scheduled_for": _future()},
            headers=staff,
        ).status_code
        == 200
    )
    application = client.post(
        "/api/v1/fund/applications",
        headers=me,
        json={
            "practitioner_id": person_id,
            "organisation_id": "org-n",
            "package_type": 2,
            "summary": f"summary {marker}",
        },
    ).get_json()
    assert (
        client.post(f"/api/v1/fund/rounds/{application['round_id']}/close", headers=staff).status_code == 200
    )
    cic.reviewed(client, application["id"])
    cic.funded(client, 30000)
    assert (
        client.post(
            f"/api/v1/fund/applications/{application['id']}/decision",
            headers=staff,
            json={"outcome": "awarded", "note": f"note {marker}"},
        ).status_code
        == 200
    )
    until = db.session.scalar(sa.select(Case.support_until).where(Case.id == case_id))
    _reminders(app, until - timedelta(days=3, hours=-1))

    assert sorted(_kinds(db)) == ["case_support_ending", "consultation_scheduled", "fund_decision"]
    assert _send(app).sent == 3
    assert len(smtp.to(email)) == 3 and len(smtp.messages) == 3
    for msg in smtp.messages:
        everything = SmtpCatcher.text_of(msg)
        assert marker not in everything
        for leak in (case_id, "communication", "confidence", "awarded"):
            assert leak not in everything, (leak, msg["Subject"])
        assert "sign in" in everything.lower()
    for row in db.session.scalars(sa.select(Notification)):
        assert marker not in row.subject + row.text_body + row.html_body + (row.dedup_key or "")


def test_each_email_once_and_reminders_once_per_due_date(app, db, client, cic, keys, consent, smtp):
    person_id, user_id, email, me = _practitioner(cic, keys)
    other_person, other_user, other_email, other = _practitioner(cic, keys)
    cic.package(_practitioner(cic, keys)[0])  # a third practitioner with a workspace
    mp_id = cic.package(person_id, package_type=3, organisation_id="org-n")
    case_id = client.post(
        f"/api/v1/tracker/microprojects/{mp_id}/cases", json={"code": "C-1", "consent": consent}, headers=me
    ).get_json()["id"]
    until = db.session.scalar(sa.select(Case.support_until).where(Case.id == case_id))
    hour = timedelta(hours=1)
    for days, expected in ((20, 0), (14, 1), (14, 0), (10, 0), (3, 1), (2, 0)):
        before = len(_kinds(db))
        _reminders(app, until - timedelta(days=days) + hour)
        _reminders(app, until - timedelta(days=days) + hour)
        assert len(_kinds(db)) - before == expected, f"{days} days before the window ends"
    _reminders(app, until + hour)  # the window is over: closed by retention, no more prompts
    assert _kinds(db) == ["case_support_ending"] * 2

    # a fund round closing: 7 days before, once, to practitioners who have not applied yet
    client.get("/api/v1/fund/rounds", headers=me)  # the current quarter's round exists on demand
    assert (
        client.post(
            "/api/v1/fund/applications",
            headers=other,
            json={
                "practitioner_id": other_person,
                "organisation_id": "org-n",
                "package_type": 1,
                "summary": "s",
            },
        ).status_code
        == 201
    )
    closes = db.session.scalar(
        sa.select(FundRound.closes_at).where(FundRound.state == "open").order_by(FundRound.closes_at).limit(1)
    )
    before = len(_kinds(db))
    for _ in range(3):
        _reminders(app, closes - timedelta(days=6))
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == "fund_round_closing")).all()
    assert len(_kinds(db)) - before == len(rows) == 2  # the practitioner and the one with a workspace
    assert other_user not in {r.recipient for r in rows} and user_id in {r.recipient for r in rows}

    assert _send(app).sent == 4 and _send(app).handled == 0
    assert len(smtp.to(email)) == 3 and smtp.to(other_email) == []


def test_an_address_from_the_token_and_preferences_keyed_by_user(app, db, client, cic, keys, smtp):
    user_id = "u-" + uuid.uuid4().hex[:10]
    me = keys.headers(user_id=user_id, email="Parent.Fictional@example.org", roles=["learner"])
    staff = cic.staff("cic_staff")
    url = "/api/v1/cic/notification-preferences"
    assert client.get(url).status_code == 401
    got = client.get(url, headers=me).get_json()
    assert got["email"] is None and got["non_essential_email"] is True  # a GET teaches nothing

    first = client.post(
        "/api/v1/consultations", json={"for_kind": "family", "purpose": "p"}, headers=me
    ).get_json()
    assert db.session.get(NotificationContact, user_id).email == "parent.fictional@example.org"
    client.post(
        f"/api/v1/consultations/{first['id']}/schedule", json={"scheduled_for": _future()}, headers=staff
    )
    assert _send(app).sent == 1 and smtp.to("parent.fictional@example.org")

    r = client.put(url, headers=me, json={"non_essential_email": False})
    assert r.status_code == 200 and r.get_json()["non_essential_email"] is False
    assert client.put(url, headers=me, json={"disabled_kinds": ["nope"]}).status_code == 400
    second = client.post(
        "/api/v1/consultations", json={"for_kind": "family", "purpose": "q"}, headers=me
    ).get_json()
    client.post(
        f"/api/v1/consultations/{second['id']}/schedule", json={"scheduled_for": _future()}, headers=staff
    )
    result = _send(app)
    assert (result.sent, result.skipped) == (0, 1) and len(smtp.messages) == 1
