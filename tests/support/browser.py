"""Helpers shared by the browser tests (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import re
import uuid

PASSWORD = "Plenty-long-passphrase-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

A11Y_PROBLEMS = """() => {
  const problems = [];
  if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
  const seen = new Set();
  for (const el of document.querySelectorAll('[id]')) {
    if (seen.has(el.id)) problems.push('duplicate id ' + el.id);
    seen.add(el.id);
  }
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.push('no label for ' + (el.id || el.name));
  }
  for (const el of document.querySelectorAll('input[type=radio]')) {
    const fs = el.closest('fieldset');
    if (!fs || !fs.querySelector('legend')) problems.push('radio outside a fieldset with a legend: ' + el.id);
  }
  let last = 1;
  for (const h of document.querySelectorAll('main h1, main h2, main h3, main h4')) {
    const level = Number(h.tagName[1]);
    if (level > last + 1) problems.push('heading jumps to ' + h.tagName + ': ' + h.textContent.trim());
    last = level;
  }
  return problems;
}"""


def assert_accessible(page):
    """One h1, unique ids, a label for every field, radios in a fieldset with a legend, no
    skipped heading level."""
    assert page.evaluate(A11Y_PROBLEMS) == [], page.url


def assert_error_summary_focused(page, timeout_ms: int = 5000):
    """The error summary takes focus once the deferred portal.js has run on DOMContentLoaded.
    A click returns when the navigation commits, which can be before that: wait for it, and
    fail (Playwright's TimeoutError) if focus never moves there."""
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('error-summary')",
        timeout=timeout_ms,
    )


def new_page(browser, viewport=DESKTOP):
    ctx = browser.new_context(viewport=viewport, locale="en-GB")
    return ctx, ctx.new_page()


def sign_up(page, base, name, stack=None):
    """Create an account in the portal. With `stack`, the new user also follows the link of
    their verification email (read from the stack's email outbox) and confirms it."""
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(base + "/sign-up")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_url(re.compile(r".*/account$"))
    if stack is not None:
        confirm_email(page, base, stack.emailed_token(email))
    return email


def confirm_email(page, base, token):
    """Open the emailed link and press "Confirm my email" (back on the account page after)."""
    page.goto(f"{base}/verify-email?token={token}")
    page.get_by_role("button", name="Confirm my email").click()
    page.wait_for_url(re.compile(r".*/account$"))
    assert "confirmed" in page.inner_text(".flashes")


def sign_in(page, base, email, password):
    answer = page.goto(base + "/sign-in")
    if page.locator("#email").count() == 0:  # the form is server-rendered: say what came instead
        status = answer.status if answer else None
        raise AssertionError(
            f"/sign-in answered {status} without its form: {page.inner_text('body')[:500]!r}"
        )
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button:has-text('Sign in')")
    page.wait_for_url(re.compile(r".*/account$"))
