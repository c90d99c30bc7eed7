"""Pure parts of the notifications: when a reminder is due, who gets what, SMTP settings."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from imatter_shared.notifications.schedule import due_step, reminder_key
from imatter_shared.notifications.sender import allowed
from imatter_shared.notifications.smtp import SmtpConfig, SmtpConfigError

DUE = datetime(2027, 3, 31, 12, 0)
STEPS = (60, 30, 7)


@pytest.mark.parametrize(
    "days_before, step",
    [
        (90, None),
        (61, None),
        (60, 60),
        (45, 60),
        (30, 30),
        (8, 30),
        (7, 7),
        (1, 7),
        (0.01, 7),
        (0, None),
        (-3, None),
    ],
)
def test_the_nearest_reached_step_is_due(days_before, step):
    assert due_step(DUE, DUE - timedelta(days=days_before), STEPS) == step


def test_a_late_first_look_sends_only_the_most_urgent_step():
    assert due_step(DUE, DUE - timedelta(days=5), STEPS) == 7


def test_reminder_keys_name_the_thing_the_due_date_and_the_step():
    assert reminder_key("licence", "abc", DUE, "30d") == "licence:abc:2027-03-31:30d"
    assert len(reminder_key("x" * 300)) == 200


def test_essential_always_goes_non_essential_follows_preferences():
    off = SimpleNamespace(non_essential_email=False, disabled_kinds=[])
    some = SimpleNamespace(non_essential_email=True, disabled_kinds=["hello"])
    assert allowed("hello", False, None) is True
    assert allowed("hello", False, off) is False
    assert allowed("hello", True, off) is True
    assert allowed("hello", False, some) is False and allowed("other", False, some) is True


def test_smtp_settings_from_the_environment():
    cfg = SmtpConfig.from_mapping(
        {
            "SMTP_HOST": "mail.example.org",
            "SMTP_PORT": "587",
            "SMTP_TLS": "STARTTLS",
            "SMTP_USERNAME": "u",
            "SMTP_PASSWORD": "secret",
            "MAIL_FROM": "X <x@example.org>",
        }
    )
    assert (cfg.host, cfg.port, cfg.tls, cfg.username) == ("mail.example.org", 587, "starttls", "u")
    assert "secret" not in cfg.describe()
    assert SmtpConfig.from_mapping({"SMTP_TLS": "ssl"}).port == 465
    assert SmtpConfig.from_mapping({}).port == 1025
    with pytest.raises(SmtpConfigError):
        SmtpConfig.from_mapping({"SMTP_TLS": "tls1.0"})
    with pytest.raises(SmtpConfigError):
        SmtpConfig.from_mapping({"MAIL_FROM": "nobody"})
