"""The first screen of `make run` (issue 19): the banner's text, its wait for /readyz against a real
gateway app on a loopback port, and `flask --app gateway staff reset-password`."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from gateway import banner, passwords
from gateway.cli import STAFF, seed_staff
from gateway.extensions import db
from gateway.models import User

STAFF_EMAILS = [email for email, _n, _r in STAFF]


def test_the_banner_says_where_everything_is():
    text = banner.banner_text(mail_dir="var/mail")
    assert "http://127.0.0.1:8000" in text
    for email in STAFF_EMAILS:
        assert email in text
    assert "flask --app gateway staff reset-password" in text
    assert "var/mail/*.eml" in text
    assert "printed once" in text
    assert "IMATTER_ADMIN_PASSWORD" in banner.banner_text(password_set=True)
    assert all(email in banner.banner_text() for email in STAFF_EMAILS)  # every time, not the first only


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_wait_until_ready_against_a_real_gateway(served):
    assert banner.ready(served)
    assert banner.wait_until_ready([served], deadline=30, interval=0.05) == []


def test_wait_until_ready_keeps_polling_until_each_answers_and_reports_who_never_did(served):
    nothing = "http://127.0.0.1:9"  # nothing listens there
    assert not banner.ready(nothing)
    slept = []
    assert banner.wait_until_ready([served, nothing], deadline=0.2, interval=0.05, sleep=slept.append) == [
        nothing
    ]
    answers = iter([False, False, True])
    calls = []

    def check(url):
        calls.append(url)
        return next(answers)

    assert banner.wait_until_ready(["u"], check=check, sleep=lambda s: None) == []
    assert calls == ["u", "u", "u"]


def test_main_prints_the_banner_once_everything_is_ready(monkeypatch, capsys, served):
    monkeypatch.setattr(banner, "SERVICES", {"gateway": served})
    assert banner.main(["--once", "--interval", "0.05"]) == 0
    assert "Portal:" in capsys.readouterr().out
    monkeypatch.setattr(banner, "SERVICES", {"gateway": "http://127.0.0.1:9"})
    assert banner.main(["--once", "--timeout", "0.1", "--interval", "0.05"]) == 1


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_reset_password_sets_a_new_password_on_every_seeded_staff_account_and_signs_them_out(app):
    seed_staff(echo=lambda _msg: None)
    before = {e: _user(e).token_version for e in STAFF_EMAILS}
    result = app.test_cli_runner().invoke(args=["staff", "reset-password"])
    assert result.exit_code == 0, result.output
    new = result.output.strip().rsplit(": ", 1)[1]
    for email in STAFF_EMAILS:
        user = _user(email)
        assert passwords.verify(user.password_hash, new)
        assert user.token_version == before[email] + 1
    client = app.test_client()
    r = client.post("/api/v1/auth/login", json={"email": STAFF_EMAILS[0], "password": new})
    assert r.status_code == 200


def test_reset_password_takes_a_chosen_password_for_one_account_and_checks_it(app):
    seed_staff(echo=lambda _msg: None)
    runner = app.test_cli_runner()
    chosen = "A-long-chosen-passphrase-9"
    r = runner.invoke(args=["staff", "reset-password", STAFF_EMAILS[1], "--password", chosen])
    assert r.exit_code == 0, r.output
    assert passwords.verify(_user(STAFF_EMAILS[1]).password_hash, chosen)
    assert not passwords.verify(_user(STAFF_EMAILS[0]).password_hash, chosen)
    r = runner.invoke(args=["staff", "reset-password", STAFF_EMAILS[1], "--password", "short"])
    assert r.exit_code != 0 and "at least" in r.output
    r = runner.invoke(args=["staff", "reset-password", "nobody@example.org"])
    assert r.exit_code != 0 and "no staff account" in r.output
