"""Browser fixtures: the whole system as real processes, driven by Debian's Chromium through
Playwright's sync API. Without Chromium the tests skip with the reason (fail under
REQUIRE_SERVICES=1, as in CI, where .ci/run installs it)."""

from __future__ import annotations

import os
import shutil

import pytest

from support.smtp import SmtpCatcher
from support.stack import Stack
from support.testing import services_required

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(REPO, "docs", "screenshots")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def _unavailable(reason: str):
    if services_required():
        pytest.fail(reason + " (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        _unavailable("Chromium is not installed: apt-get install chromium (.ci/run does this)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def mail():
    """A real SMTP server (aiosmtpd on a free loopback port) catching what the services send."""
    catcher = SmtpCatcher().start()
    try:
        yield catcher
    finally:
        catcher.stop()


@pytest.fixture(scope="module")
def stack(mail):
    s = Stack(extra_env={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail.port), "SMTP_TLS": "none"})
    s.env["PORTAL_URL"] = (
        s.url()
    )  # links in the caught email open this stack's portal (its port is known now)
    try:
        s.start()
        yield s
    finally:
        s.cleanup()


@pytest.fixture
def shot():
    """Save a PNG of the page under docs/screenshots/ (shown in the README)."""
    os.makedirs(SHOTS, exist_ok=True)

    def save(page, name: str, full_page: bool = True):
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=full_page)

    return save
