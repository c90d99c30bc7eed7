"""Lead Professional licences in headless Chromium against the whole running system (decisions
0055-0057): a training admin finds a person, reads what they are eligible for with the employment
attested, grants a B licence (I Matter Training's own team) and later revokes it with a reason;
the holder sees it on the practitioner page with its credential, and its public verification page
shows it active, then revoked. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re

import pytest

from support.api_client import Client
from support.browser import PASSWORD, assert_accessible, new_page, sign_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_training_admin_grants_and_revokes_a_licence_the_holder_sees_and_verifies_it(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    email = sign_up(page, base, "Bo Fictional-Team", stack)
    page.click("button:has-text('Create my learner profile')")
    page.goto(base + "/practitioner")
    assert "You hold no Lead Professional licence." in page.inner_text("#lead-professional-licences")
    ctx.close()
    person_id = Client(base).signed_in(email, PASSWORD).get("/api/v1/me").json()["person_id"]

    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin")
    page.click("text=Lead Professional licences: grant and revoke")
    page.wait_for_url(re.compile(r".*/admin/lead-professional-licences$"))
    page.wait_for_selector("#person_id")
    assert_accessible(page)
    page.fill("#person_id", person_id)
    page.click("main button:has-text('Open')")
    page.wait_for_url(re.compile(rf".*/admin/people/{person_id}/lead-professional-licences$"))
    assert "Bo Fictional-Team: Lead Professional licences" in page.inner_text("h1")
    assert "B licence: needs on I Matter Training's own team" in page.inner_text("#grant")
    page.select_option("#read-employment", "team_employed")
    page.click("#grant button:has-text('Read eligibility')")
    page.select_option("#grant-choice", "b_licence:adults")
    page.fill("#grant-note", "Employed facilitator since 2025")
    assert_accessible(page)
    shot(page, "lp-licences-admin-grant")
    page.click("#grant-form button:has-text('Grant')")
    assert "Granted: B licence" in page.inner_text(".flashes")
    row = page.locator("#licences tbody tr", has_text="B licence")
    assert row.count() == 1 and "current" in row.inner_text()
    ctx.close()

    ctx, page = new_page(browser)
    sign_in(page, base, email, PASSWORD)
    page.goto(base + "/practitioner#lead-professional-licences")
    assert_accessible(page)
    section = page.locator("#lead-professional-licences")
    assert "B licence" in section.inner_text() and "current" in section.inner_text()
    assert "increased pressure parenting" in section.inner_text()
    shot(page, "lp-licences-practitioner")
    with page.expect_download() as download:
        section.get_by_role("link", name=re.compile("^Download credential")).click()
    assert download.value.suggested_filename == "imatter-b_licence-licence-credential.jwt"
    section.get_by_role("link", name=re.compile("^Verification page")).click()
    assert "B licence" in page.inner_text("main") and "active" in page.inner_text("main").lower()
    verification = page.url
    shot(page, "lp-licence-verification")
    ctx.close()

    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(f"{base}/admin/people/{person_id}/lead-professional-licences")
    row = page.locator("#licences tbody tr", has_text="B licence")
    row.locator("input[name=reason]").fill("Left the team")
    row.get_by_role("button", name=re.compile("^Revoke")).click()
    assert "Licence revoked" in page.inner_text(".flashes")
    assert "Left the team" in page.inner_text("#licences")
    shot(page, "lp-licences-admin-revoked")
    page.goto(verification)
    assert "revoked" in page.inner_text("main").lower()
    ctx.close()
