"""The notification outbox and SMTP sender against a real SMTP server (aiosmtpd on 127.0.0.1)
and a real database (SQLite file and PostgreSQL): written with the change, sent once, retried
through an outage with backoff, opt-out respected, permanent refusals recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from imatter_shared.messaging.models import utcnow
from imatter_shared.notifications import (
    Kind,
    kinds_table,
    notify,
    register_notifications,
    remind,
    run_reminders,
    wiring_of,
)
from imatter_shared.notifications.models import NotificationMixin, NotificationPreferenceMixin
from imatter_shared.notifications.render import TemplateMissing
from imatter_shared.notifications.sender import make_sender
from support import testing as t
from support.smtp import SmtpCatcher

KINDS = kinds_table(Kind("hello", "A friendly note"), Kind("security", "A security notice", essential=True))
TEMPLATES = {
    "hello.subject.txt": "Hello {{ name }}",
    "hello.txt": "Dear {{ name }}, {{ body }}\n{% include '_footer.txt' %}",
    "hello.html": "{% extends '_base.html' %}{% block body %}<p>Dear {{ name }}, {{ body }}</p>{% endblock %}",
    "security.subject.txt": "Security notice",
    "security.txt": "Your password changed.\n{% include '_footer.txt' %}",
    "security.html": "{% extends '_base.html' %}{% block body %}<p>Your password changed.</p>{% endblock %}",
}


def _template_dir(path, files=TEMPLATES):
    path.mkdir(exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text)
    return str(path)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def svc(request, tmp_path_factory):
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("notify") / "n.db")
    else:
        url = t.create_postgres_database("imatter_notify")
    app = Flask("notifytest")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        SERVICE_NAME="notifytest",
        NOTIFY_RETRY_BASE_SECONDS=30,
        NOTIFY_RETRY_MAX_SECONDS=3600,
        NOTIFY_MAX_ATTEMPTS=5,
        PORTAL_URL="https://portal.example",
    )
    db = SQLAlchemy()
    db.init_app(app)

    class Notification(NotificationMixin, db.Model):
        __tablename__ = "notifications"

    class Preference(NotificationPreferenceMixin, db.Model):
        __tablename__ = "notification_preferences"

    calls = []

    def hello_reminders(at):
        calls.append(at)
        return int(
            remind(
                "hello",
                to="rem@example.org",
                recipient="p-rem",
                dedup_key=f"hello:{at.date()}",
                context={"name": "Rem", "body": "a reminder"},
            )
        )

    register_notifications(
        app,
        db,
        Notification,
        Preference,
        KINDS,
        _template_dir(tmp_path_factory.mktemp("tpl")),
        reminders=[hello_reminders],
    )
    with app.app_context():
        db.create_all()
    app.db, app.N, app.P = db, Notification, Preference
    yield app
    with app.app_context():
        db.engine.dispose()
    if request.param == "postgres":
        t.drop_postgres_database(url)


@pytest.fixture
def smtp():
    catcher = SmtpCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture
def app(svc, smtp):
    svc.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_TLS="none")
    with svc.app_context():
        yield svc
        svc.db.session.rollback()
        for table in (svc.N, svc.P):
            svc.db.session.execute(sa.delete(table))
        svc.db.session.commit()


def _rows(app):
    app.db.session.expire_all()
    return app.db.session.scalars(sa.select(app.N).order_by(app.N.id)).all()


def _send(app):
    return make_sender(app, wiring_of(app)).run_once()


def test_each_notification_is_sent_once_with_text_and_html(app, smtp):
    notify("hello", to="Ada@Example.org", recipient="p-1", context={"name": "Ada", "body": "<b>welcome</b>"})
    notify("security", to="bob@example.org", recipient="p-2")
    app.db.session.commit()
    first, second = _send(app), _send(app)
    assert (first.sent, second.sent, second.handled) == (2, 0, 0)
    assert len(smtp.messages) == 2
    msg = smtp.to("ada@example.org")[0]
    assert msg["Subject"] == "Hello Ada" and "no-reply@imatter.local" in msg["From"]
    assert msg["Message-ID"].startswith("<notification.notifytest.")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Dear Ada, <b>welcome</b>" in text  # text is not escaped ...
    assert "Dear Ada, &lt;b&gt;welcome&lt;/b&gt;" in html  # ... HTML is
    assert "https://portal.example/account/notifications" in text  # non-essential: how to turn it off
    rows = _rows(app)
    assert [(r.state, r.attempts) for r in rows] == [("sent", 1), ("sent", 1)]
    assert all(r.sent_at is not None for r in rows)


def test_a_rolled_back_change_sends_nothing(app, smtp):
    notify("hello", to="ada@example.org", context={"name": "Ada", "body": "x"})
    app.db.session.rollback()
    assert _send(app).handled == 0 and smtp.messages == [] and _rows(app) == []


def test_an_smtp_outage_is_retried_with_backoff_and_nothing_is_lost(app, smtp):
    notify("hello", to="ada@example.org", recipient="p-1", context={"name": "Ada", "body": "x"})
    notify("hello", to="cy@example.org", recipient="p-3", context={"name": "Cy", "body": "y"})
    app.db.session.commit()
    smtp.stop()
    down = _send(app)
    assert down.unavailable and down.retrying == 1  # the round stops at the first refusal to connect
    first, other = _rows(app)
    assert (first.state, first.attempts) == ("pending", 1) and first.last_error
    wait1 = (first.next_attempt_at - utcnow()).total_seconds()
    assert 20 < wait1 <= 30
    assert _send(app).handled == 1  # the other one, due now, fails too; the first is not due yet
    first.next_attempt_at = utcnow()  # time passes
    app.db.session.commit()
    assert _send(app).retrying == 1
    first, other = _rows(app)
    assert first.attempts == 2 and (first.next_attempt_at - utcnow()).total_seconds() > wait1  # doubled
    for r in (first, other):
        r.next_attempt_at = utcnow()
    app.db.session.commit()
    smtp.start()
    up = _send(app)
    assert up.sent == 2 and len(smtp.messages) == 2
    assert [(r.state, r.attempts) for r in _rows(app)] == [("sent", 3), ("sent", 2)]


def test_out_of_attempts_is_failed_and_kept(app, smtp):
    notify("hello", to="ada@example.org", context={"name": "Ada", "body": "x"})
    app.db.session.commit()
    smtp.stop()
    for _ in range(5):
        for r in _rows(app):
            r.next_attempt_at = utcnow()
        app.db.session.commit()
        _send(app)
    (row,) = _rows(app)
    assert (row.state, row.attempts) == ("failed", 5) and row.last_error


def test_opt_out_skips_non_essential_but_essential_still_goes(app, smtp):
    app.db.session.add(app.P(recipient="p-1", non_essential_email=False, disabled_kinds=[]))
    app.db.session.add(app.P(recipient="p-2", non_essential_email=True, disabled_kinds=["hello"]))
    notify("hello", to="ada@example.org", recipient="p-1", context={"name": "Ada", "body": "x"})
    notify("security", to="ada@example.org", recipient="p-1")
    notify("hello", to="bob@example.org", recipient="p-2", context={"name": "Bob", "body": "x"})
    notify("hello", to="cy@example.org", recipient="p-3", context={"name": "Cy", "body": "x"})  # no prefs: on
    app.db.session.commit()
    result = _send(app)
    assert (result.sent, result.skipped) == (2, 2)
    assert sorted(m["Subject"] for m in smtp.messages) == ["Hello Cy", "Security notice"]
    assert [r.state for r in _rows(app)] == ["skipped", "sent", "skipped", "sent"]


def test_a_permanently_refused_address_is_failed_and_the_rest_still_go(app, smtp):
    smtp.refuse_rcpt.add("gone@example.org")
    notify("hello", to="gone@example.org", context={"name": "Gone", "body": "x"})
    notify("hello", to="ada@example.org", context={"name": "Ada", "body": "x"})
    app.db.session.commit()
    result = _send(app)
    assert (result.failed, result.sent) == (1, 1)
    assert [r.state for r in _rows(app)] == ["failed", "sent"]
    assert [m["To"] for m in smtp.messages] == ["ada@example.org"]


def test_unusable_addresses_are_not_written(app):
    for bad in (None, "", "not-an-address", "a@b.org\r\nBcc: evil@example.org", "x@y"):
        assert notify("hello", to=bad, context={"name": "A", "body": "x"}) is None
    app.db.session.commit()
    assert _rows(app) == []


def test_reminders_are_written_once_per_due_date_however_often_they_run(app, smtp):
    at = utcnow().replace(tzinfo=None)
    for _ in range(3):
        run_reminders(at)
    run_reminders(at + timedelta(days=1))  # the next due date: a new one
    assert [r.dedup_key for r in _rows(app)] == [
        f"hello:{at.date()}",
        f"hello:{(at + timedelta(days=1)).date()}",
    ]
    _send(app)
    _send(app)
    assert len(smtp.messages) == 2


def test_the_flask_commands_send_and_report(app, smtp):
    notify("security", to="ada@example.org")
    app.db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["notify", "send", "--once"])
    assert out.exit_code == 0 and "sent 1" in out.output
    assert "sent=1" in runner.invoke(args=["notify", "status"]).output
    out = runner.invoke(args=["notify", "reminders", "--at", "2030-01-02T03:04:05Z"])
    assert out.exit_code == 0 and "hello_reminders 1" in out.output


def test_a_kind_without_its_templates_fails_at_start(tmp_path):
    app = Flask("broken")
    db = SQLAlchemy()
    with pytest.raises(TemplateMissing, match="hello.html"):
        files = {k: v for k, v in TEMPLATES.items() if k != "hello.html"}
        register_notifications(app, db, object, None, KINDS, _template_dir(tmp_path / "t", files))
