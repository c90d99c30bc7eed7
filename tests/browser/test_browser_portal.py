"""Click through the portal in headless Chromium against the whole running system.

sign up -> register an organisation -> buy the Starter Licence (price shown before confirming)
-> stage 1 and its next steps; the pathway calculator's totals from the seed; a practitioner
books Lead training, the organisation buys the Enhanced licence and a Type 3 package, the
Tracker workspace appears (by event), a case is created with consent, a baseline recorded,
and the progress chart is shown. Screenshots go to docs/screenshots/.
"""
from __future__ import annotations

import re
import time
import uuid

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "Plenty-long-passphrase-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def new_page(browser, viewport=DESKTOP):
    ctx = browser.new_context(viewport=viewport, locale="en-GB")
    return ctx, ctx.new_page()


def sign_up(page, base, name):
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(base + "/sign-up")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button:has-text('Create account')")
    page.wait_for_url(re.compile(r".*/account$"))
    return email


def sign_in(page, base, email, password):
    page.goto(base + "/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button:has-text('Sign in')")
    page.wait_for_url(re.compile(r".*/account$"))


def test_home_and_public_pages(browser, stack, shot):
    base = stack.url()
    for name, viewport in (("home-desktop", DESKTOP), ("home-phone", PHONE)):
        ctx, page = new_page(browser, viewport)
        page.goto(base + "/")
        assert page.locator("h1").count() == 1
        for step in ("Get started", "Learn it", "Live it", "Support others"):
            assert page.get_by_role("heading", name=re.compile(step)).count() == 1
        # usable at phone width: nothing wider than the viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shot(page, name, full_page=False)
        ctx.close()

    ctx, page = new_page(browser)
    page.goto(base + "/")
    page.keyboard.press("Tab")  # the first stop is the skip link, and it is visible on focus
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.goto(base + "/elements")
    assert page.locator("section.element").count() == 10
    shot(page, "elements")
    page.goto(base + "/licences")
    assert page.get_by_role("heading", name=re.compile("Enhanced Practice Licence")).count() == 1
    assert page.locator("table tbody tr").count() >= 1  # fees by size band from the price book
    shot(page, "licences")
    page.goto(base + "/catalogue")
    assert "£750" in page.inner_text("#role-lead")  # Deep Dive, from the roles API
    shot(page, "catalogue")

    # express an interest in an element: errors next to the field, then success
    page.goto(base + "/elements#schools")
    page.click("#schools summary")
    page.click("#schools button:has-text('Send my interest')")
    assert page.locator("#schools-email-error").is_visible()
    page.fill("#schools-name", "Sam Visitor")
    page.fill("#schools-email", "sam@example.org")
    page.click("#schools button:has-text('Send my interest')")
    assert "your interest has been recorded" in page.inner_text(".flashes")
    page.goto(base + "/directory?q=lead")
    assert page.locator("h1").inner_text().startswith("The")
    ctx.close()


def test_pathway_calculator_shows_the_seed_totals(browser, stack, shot):
    ctx, page = new_page(browser)
    page.goto(stack.url() + "/pathway-calculator")
    with page.expect_navigation():
        page.select_option("#role", "lead")  # the JS enhancement submits the GET form
    assert page.inner_text("[data-total]") == "£1,450"  # Deep Dive 750 + Lead 250 + Type 3 450
    shot(page, "pathway-calculator")
    page.check("#have-deep_dive")  # already done: not charged again (JS updates at once)
    assert page.inner_text("[data-total]") == "£700"
    with page.expect_navigation():
        page.select_option("#role", "informed")
    assert page.inner_text("[data-total]") == "£700"  # study support 250 + 3 x 150
    ctx.close()

    # without JavaScript the same GET form works
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(stack.url() + "/pathway-calculator")
    page.select_option("#role", "link")
    page.click("button:has-text('Show the cost')")
    assert page.inner_text("[data-total]") == "£550"  # Link training 250 + Type 2 300
    ctx.close()


def test_organisation_signs_up_buys_starter_and_a_practitioner_records_a_baseline(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    email = sign_up(page, base, "Robin Fictional")

    # the __Host- session cookie: Secure, HttpOnly, Lax, and Chromium sends it to http://127.0.0.1
    cookie = next(c for c in ctx.cookies() if c["name"] == "__Host-imatter")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert "Robin Fictional" in page.inner_text("h1")

    page.get_by_role("link", name="Register an organisation").click()
    page.fill("#name", "Fictional Primary School")
    page.select_option("#kind", "school")
    page.check("#senior_leadership_commitment")
    page.click("button:has-text('Register organisation')")
    page.wait_for_url(re.compile(r".*/organisations/[0-9a-f]+$"))
    org_url = page.url
    assert "stage 1 of 5" in page.inner_text("#stage-title").lower()

    # buy Starter: the price is shown before confirming, and it is the price book's
    page.get_by_role("link", name="Buy the Starter Licence").click()
    book = requests.get(base + "/api/v1/catalogue/price-book", timeout=10).json()
    band = next(b for b in book["size_bands"] if b["code"] == book["size_bands"][0]["code"])
    pounds = f"£{band['starter_fee'] // 100:,}"
    assert page.inner_text("[data-price]") == pounds
    shot(page, "confirm-starter-licence")
    page.click("button:has-text('Confirm and buy')")
    page.wait_for_url(org_url)
    assert "Starter Licence" in page.inner_text(".flashes")
    assert "stage 1 of 5: engagement" in page.inner_text("#stage-title").lower()
    steps = page.inner_text(".next-steps")
    assert "Level 1-2" in steps or "Level 1–2" in steps
    assert "active" in page.inner_text("section:has(#licences-title) table")
    assert page.locator("section:has(#orders-title) tbody tr").count() == 1  # order with its invoice
    shot(page, "organisation-dashboard")

    # a seat quote is shown before buying seats
    page.fill("#seat-count", "7")
    page.click("button:has-text('See the price')")
    assert page.inner_text("[data-price]").startswith("£")
    page.goto(org_url)

    # the link contact is also a practitioner: their person, membership and a Lead booking
    page.goto(base + "/account")
    page.click("button:has-text('Create my learner profile')")
    page.goto(org_url)
    page.click("#members summary")
    page.fill("#member-name", "Robin Fictional")
    page.fill("#member-email", email)
    page.select_option("#member-role", "practitioner")
    page.click("button:has-text('Add member')")
    assert "now a member" in page.inner_text(".flashes")
    page.goto(base + "/practitioner")
    page.click("#pathway-lead summary")
    page.click("#pathway-lead button:has-text('Book'):near(:text('Deep Dive'))")
    assert "Booked deep dive" in page.inner_text(".flashes")
    shot(page, "practitioner-pathways")

    # the Enhanced Practice Licence (a practitioner is in training), then a Type 3 package
    page.goto(org_url)
    page.get_by_role("link", name="Buy the Enhanced Practice Licence").click()
    page.click("button:has-text('Confirm and buy')")
    page.wait_for_url(org_url)
    assert "Enhanced Practice Licence bought" in page.inner_text(".flashes")
    page.get_by_role("link", name="Buy a microproject package").click()
    page.select_option("#type", "3")
    page.select_option("#practitioner_id", index=1)
    page.click("button:has-text('See the price')")
    assert page.inner_text("[data-price]") == "£450"
    page.click("button:has-text('Confirm and buy')")
    page.wait_for_url(org_url)
    assert "bought" in page.inner_text(".flashes")

    # the Tracker workspace appears once cic-tracker has the package event
    deadline = time.monotonic() + 60
    while True:
        page.goto(base + "/tracker")
        if page.locator("main .cards a").count():
            break
        assert time.monotonic() < deadline, "the microproject never appeared in the Tracker"
        time.sleep(0.5)
    page.click("main .cards a")
    page.fill("#code", "C-01")
    page.fill("#given_by", "Adult participant")
    page.fill("#scope", "Baseline and follow-up for this microproject")
    page.fill("#given_at", time.strftime("%Y-%m-%d", time.gmtime()))
    page.check("#consent")
    page.click("button:has-text('Create case')")
    page.wait_for_url(re.compile(r".*/tracker/cases/[0-9a-f]+$"))

    page.select_option("#kind", "baseline")
    score_inputs = page.locator("input[name^='score.']")
    assert score_inputs.count() >= 1
    for i in range(score_inputs.count()):
        score_inputs.nth(i).fill(str(3 + i % 5))
    page.click("button:has-text('Record')")
    assert "Baseline recorded" in page.inner_text(".flashes")
    chart = page.locator("figure.chart img")
    chart.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", chart.element_handle())
    assert page.locator("section:has(#progress-title) tbody tr").count() == score_inputs.count()
    shot(page, "tracker-case-progress")
    ctx.close()


def test_staff_pages(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_in(page, base, "cic-admin@imatter.local", stack.admin_password)
    page.goto(base + "/cic")
    assert page.get_by_role("heading", name="Microproject Development Fund").count() == 1
    assert "open" in page.inner_text("#fund")  # the current quarterly round
    shot(page, "cic-staff")
    ctx.close()

    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin")
    assert page.locator("#price-book form").count() >= 1
    shot(page, "training-admin")
    # a learner is refused the staff pages
    ctx.close()
    ctx, page = new_page(browser)
    sign_up(page, base, "Lee Learner")
    resp = page.goto(base + "/admin")
    assert resp.status == 403
    ctx.close()
