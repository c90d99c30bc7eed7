"""Membership by consent in the browser (issue "Trust"): a new user signs up, follows the link
of the email the mail catcher received, is invited to an organisation, and appears to the
organisation only once they accept it on their own invitations page."""

from __future__ import annotations

import re
import time

from support.api_client import Client
from support.browser import PHONE, assert_accessible, new_page, sign_in, sign_up

VERIFY_SUBJECT = "Confirm your email address for I Matter"


def _caught(mail, to: str, subject: str, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(to) if m["Subject"] == subject]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, (
            f"no email {subject!r} to {to}: {[m['Subject'] for m in mail.messages]}"
        )
        time.sleep(0.1)


def test_a_new_user_verifies_by_email_accepts_an_invitation_and_only_then_appears(browser, stack, mail, shot):
    base = stack.url()
    # the organisation's admin, set up through the API (their own email verified the same way)
    admin = Client(base, emailed_token=stack.emailed_token).signed_up(name="Ada Fictional-Admin")
    r = admin.post(
        "/api/v1/organisations",
        {
            "name": "Fictional Rowan Primary",
            "kind": "school",
            "size_band": "small",
            "senior_leadership_commitment": True,
        },
    )
    assert r.status_code == 201, r.text
    org = r.json()

    # a new user signs up in the portal: not confirmed yet, and the page says so
    ctx, page = new_page(browser, PHONE)
    email = sign_up(page, base, "Mo Fictional-Member")
    assert "not confirmed" in page.inner_text("main") or "not confirmed" in page.inner_text("body")
    assert_accessible(page)

    # the email arrives at the mail catcher; its link confirms the address (the token leaves the URL)
    stack.flask("gateway", "notify", "send", "--once")
    msg = _caught(mail, email, VERIFY_SUBJECT)
    link = re.search(
        r"(http://\S+/verify-email\?token=[A-Za-z0-9_\-]+)", msg.get_body(("plain",)).get_content()
    ).group(1)
    assert link.startswith(base + "/verify-email?token=")
    page.goto(link)
    assert "token=" not in page.url  # moved into the session, out of history and logs
    assert page.locator("h1").inner_text() == "Confirm your email address"
    assert_accessible(page)
    shot(page, "verify-email", full_page=False)
    page.get_by_role("button", name="Confirm my email").click()
    assert "confirmed" in page.inner_text("body").lower()

    # invited by email: an invitation gives the organisation nothing
    r = admin.post(f"/api/v1/organisations/{org['id']}/members", {"email": email, "role": "staff"})
    assert r.status_code == 201 and r.json()["state"] == "invited", r.text
    active = [
        m
        for m in admin.get(f"/api/v1/organisations/{org['id']}/members").json()["items"]
        if m.get("state", m.get("status")) == "active"
    ]
    assert [m for m in active if m.get("name") == "Mo Fictional-Member"] == []
    assert admin.get(f"/api/v1/organisations/{org['id']}").json()["members_count"] == 0

    # the invitation waits on the member's own page; it says which organisation asks and what it will see
    page.goto(base + "/memberships")
    invitation = page.locator("#invitations li", has_text="Fictional Rowan Primary")
    assert invitation.count() == 1
    assert "your name" in page.inner_text("main") and "never" in page.inner_text("main")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "my-invitations")
    invitation.get_by_role("button", name=re.compile("^Accept")).click()
    assert "Invitation accepted" in page.inner_text(".flashes")
    assert page.locator("#active li", has_text="Fictional Rowan Primary").count() == 1
    ctx.close()

    # only now the organisation sees the member (name, not their email)
    active = [
        m
        for m in admin.get(f"/api/v1/organisations/{org['id']}/members").json()["items"]
        if m.get("state", m.get("status")) == "active"
    ]
    assert [m["name"] for m in active] == ["Mo Fictional-Member"]
    assert admin.get(f"/api/v1/organisations/{org['id']}").json()["members_count"] == 1
    ctx, page = new_page(browser)
    sign_in(page, base, admin.email, "Plenty-long-passphrase-1")
    page.goto(base + f"/organisations/{org['id']}/memberships")
    row = page.locator("main", has_text="Mo Fictional-Member")
    assert row.count() >= 1 and "active" in page.inner_text("main").lower()
    assert_accessible(page)
    shot(page, "organisation-members")
    ctx.close()
