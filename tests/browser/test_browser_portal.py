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

from support.api_client import Client, wait_for
from support.browser import (
    DESKTOP,
    PASSWORD,
    PHONE,
    assert_accessible,
    assert_error_summary_focused,
    new_page,
    sign_in,
    sign_up,
)
from support.stories import practitioner_with_package

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


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
    # study support 250 + 3 x 150, and the Level 1-2 course fees (placeholders, labelled; domain row 114)
    roles = requests.get(stack.url() + "/api/v1/catalogue/roles", timeout=10).json()["items"]
    informed = next(r for r in roles if r["code"] == "informed")
    l1_2 = next(q for q in informed["requirements"] if q["code"] == "l1_2_completion")
    assert l1_2["price"] > 0
    total = 25000 + 3 * 15000 + l1_2["price"]
    assert page.inner_text("[data-total]") == f"£{total // 100:,}" + (
        f".{total % 100:02d}" if total % 100 else ""
    )
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
    email = sign_up(page, base, "Robin Fictional", stack)

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
    assert "stage 0 of 5: not yet engaged" in page.inner_text("#stage-title").lower()  # until the Starter

    # buy Starter: the price is shown before confirming, and it is the price book's
    page.get_by_role("link", name="Buy the Starter Licence").click()
    book = requests.get(base + "/api/v1/catalogue/price-book", timeout=10).json()
    band = next(b for b in book["size_bands"] if b["code"] == book["size_bands"][0]["code"])
    pounds = f"£{band['starter_fee'] // 100:,}"
    shown = page.inner_text("[data-price]")
    assert shown.startswith(pounds) and (
        not band.get("placeholder", book.get("placeholder")) or "Placeholder" in shown
    ), shown  # a placeholder says so
    # row 3: the organisational agreement to participate is shown and accepted before buying
    assert "agreement to participate" in page.inner_text("[data-agreement]")
    page.get_by_label(re.compile("accept the organisational agreement to participate")).check()
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

    # the order's invoice prints on its own: on paper the site's header, menu and footer are hidden
    page.locator("section:has(#orders-title) tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/invoices/[0-9a-f]+$"))
    assert "Fictional Primary School" in page.inner_text("[data-billed-to]")
    assert "Not registered for VAT" in page.inner_text("[data-vat]")  # the default VAT setting
    assert page.inner_text("[data-invoice-total]").startswith(pounds)
    assert page.locator(".site-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.locator("[data-print]").is_visible()
    shot(page, "invoice-print")
    page.emulate_media(media="screen")
    page.goto(org_url)

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
    page.fill("#member-email", email)  # their own verified address: a member at once, no invitation
    page.select_option("#member-role", "practitioner")
    page.click("button:has-text('Send the invitation')")
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
    wait_for_chart(page)
    assert page.locator("section:has(#progress-title) tbody tr").count() == score_inputs.count()
    chart_url = page.locator("figure.chart img").get_attribute("src")
    baseline_chart = page.request.get(base + chart_url).text()

    # a follow-up two points up in every area: the chart and the table show the change
    assert page.input_value("#kind") == "follow_up"  # the form offers what comes next
    score_inputs = page.locator("input[name^='score.']")
    for i in range(score_inputs.count()):
        score_inputs.nth(i).fill(str(3 + i % 5 + 2))
    page.click("button:has-text('Record')")
    assert "Follow-up recorded" in page.inner_text(".flashes")
    wait_for_chart(page)
    follow_up_chart = page.request.get(base + chart_url).text()
    assert follow_up_chart != baseline_chart
    assert "change +2" in follow_up_chart and "change +2" not in baseline_chart  # the chart's own description
    changes = page.locator("section:has(#progress-title) tbody tr td:nth-child(4)").all_inner_texts()
    assert len(changes) == score_inputs.count() and all(
        re.fullmatch(r"\+?2(\.0)?", c.strip()) for c in changes
    )
    shot(page, "tracker-case-progress")
    ctx.close()


def wait_for_chart(page):
    """The progress chart <img> is fetched after the page: wait until it has loaded and decoded."""
    page.wait_for_function(
        "() => { const i = document.querySelector('figure.chart img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )


def test_staff_pages(browser, stack, shot):
    base = stack.url()
    # a learner books Deep Dive and applies for a practitioner licence; the staff pages refuse them
    ctx, page = new_page(browser)
    learner = sign_up(page, base, "Lee Learner", stack)
    page.click("button:has-text('Create my learner profile')")
    page.goto(base + "/practitioner")
    page.click("#pathway-lead summary")
    page.click("#pathway-lead button:has-text('Book'):near(:text('Deep Dive'))")
    assert "Booked deep dive" in page.inner_text(".flashes")
    page.click("#licence summary:has-text('Apply for a licence')")
    page.fill("#idea", "A small reading-together project with two fictional families")
    page.fill("#focus_area_1", "Shared reading")
    page.click("#licence button:has-text('Apply')")
    assert "application is recorded" in page.inner_text(".flashes")
    assert page.goto(base + "/admin").status == 403
    assert (
        page.goto(base + "/cic").status == 200
    )  # their own requests and applications (the CIC's emails link here)
    ctx.close()

    # signed in afresh (no remembered ids in the session): training lists the licence, with the
    # buttons its state allows
    ctx, page = new_page(browser)
    sign_in(page, base, learner, PASSWORD)
    page.goto(base + "/practitioner#licence")
    assert_accessible(page)
    licence = page.locator("#licence li.licence")
    assert licence.count() == 1 and "active" in licence.inner_text()  # active from the application
    assert licence.get_by_role("button", name=re.compile("^Resume")).count() == 0
    licence.get_by_role("button", name=re.compile("^Pause")).click()
    assert "Licence paused." in page.inner_text(".flashes")
    assert "paused" in page.inner_text("#licence li.licence .badge")
    page.locator("#licence li.licence").get_by_role("button", name=re.compile("^Resume")).click()
    assert "Licence resumed." in page.inner_text(".flashes")
    assert "active" in page.inner_text("#licence li.licence .badge")
    ctx.close()

    ctx, page = new_page(browser)
    sign_in(page, base, "cic-admin@imatter.local", stack.admin_password)
    page.goto(base + "/cic")
    assert page.get_by_role("heading", name="Microproject Development Fund").count() == 1
    assert "open" in page.inner_text("#fund")  # the current quarterly round
    assert_accessible(page)
    shot(page, "cic-staff")
    ctx.close()

    # the training admin sees every booked item waiting (oldest first) and marks Lee's done
    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin")
    assert page.locator("#price-book form").count() >= 1
    row = page.locator("#completions tbody tr", has_text="Lee Learner")
    assert row.count() == 1 and "deep dive" in row.inner_text()
    assert_accessible(page)
    shot(page, "training-admin")
    row.get_by_role("button", name=re.compile("Mark completed")).click()
    assert "Marked completed." in page.inner_text(".flashes")
    assert page.locator("#completions tbody tr", has_text="Lee Learner").count() == 0
    ctx.close()


def caught(mail, to: str, subject: str, timeout: float = 10):
    """The one caught message to `to` with this subject (SMTP delivery is asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.to(to) if m["Subject"] == subject]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, (
            f"no email {subject!r} to {to}: {[m['Subject'] for m in mail.messages]}"
        )
        time.sleep(0.1)


def test_password_reset_through_the_pages_and_the_email(browser, stack, mail, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    email = sign_up(page, base, "Pat Reset", stack)
    ctx.close()

    ctx, page = new_page(browser, PHONE)  # forgotten passwords happen on phones
    page.goto(base + "/sign-in")
    page.get_by_role("link", name="Forgotten password?").click()
    assert page.locator("h1").inner_text() == "Forgotten your password?"
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button:has-text('Email me a reset link')")  # nothing typed: the error is at the field
    page.locator("#email-error").wait_for(state="visible", timeout=5000)  # fails if it never shows
    assert_error_summary_focused(page)  # focus moved to it
    page.fill("#email", email)
    page.click("button:has-text('Email me a reset link')")
    neutral = page.inner_text("main .panel")
    assert_accessible(page)
    shot(page, "forgotten-password", full_page=False)

    # an address with no account gets exactly the same page
    page.goto(base + "/forgotten-password")
    page.fill("#email", "nobody-" + uuid.uuid4().hex[:6] + "@example.org")
    page.click("button:has-text('Email me a reset link')")
    assert page.inner_text("main .panel") == neutral

    stack.flask("gateway", "notify", "send", "--once")
    msg = caught(mail, email, "Reset your I Matter password")
    # nothing went to the address without an account (the other message: sign-up's verification)
    assert [m["Subject"] for m in mail.messages if "password" in m["Subject"].lower()] == [msg["Subject"]]
    link = re.search(
        r"(http://\S+/reset-password\?token=[A-Za-z0-9_\-]+)", msg.get_body(("plain",)).get_content()
    ).group(1)
    assert link.startswith(base + "/reset-password?token=")

    page.goto(link)
    # the link's token moved into the session and the address bar shows the bare path (L1)
    assert page.url == base + "/reset-password"
    assert page.locator("input[name=token]").count() == 0
    page.fill("#new_password", "A-new-pass-phrase-77")
    page.fill("#password_confirm", "A-new-pass-phrase-78")
    page.click("button:has-text('Change my password')")
    assert page.locator("#password_confirm-error").is_visible()
    assert page.get_attribute("#password_confirm", "aria-invalid") == "true"
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "reset-password", full_page=False)
    page.fill("#new_password", "A-new-pass-phrase-77")
    page.fill("#password_confirm", "A-new-pass-phrase-77")
    page.click("button:has-text('Change my password')")
    page.wait_for_url(re.compile(r".*/sign-in$"))
    assert "Your password has been changed" in page.inner_text(".flashes")
    ctx.close()

    ctx, page = new_page(browser)
    sign_in(page, base, email, "A-new-pass-phrase-77")
    page.goto(link)  # used once already
    page.fill("#new_password", "Another-pass-phrase-9")
    page.fill("#password_confirm", "Another-pass-phrase-9")
    page.click("button:has-text('Change my password')")
    assert page.locator("#token-error").is_visible()
    ctx.close()
    stack.flask("gateway", "notify", "send", "--once")
    caught(mail, email, "Your I Matter password was changed")


def test_email_preferences(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_up(page, base, "Mo Preferences", stack)
    page.click("button:has-text('Create my learner profile')")
    page.get_by_role("link", name=re.compile("Email preferences")).click()
    assert page.locator("h1").inner_text() == "Email preferences"
    assert_accessible(page)
    training = page.locator("#prefs-training")
    cic = page.locator("#prefs-cic")
    assert training.get_by_label("Pathway item completed").is_checked()
    training.get_by_label("Pathway item completed").uncheck()
    training.get_by_role("button", name=re.compile("^Save")).click()
    assert "preferences for I Matter Training are saved" in page.inner_text(".flashes")
    cic.get_by_label(re.compile("^Send me email from Relationship Health Matters CIC")).uncheck()
    cic.get_by_role("button", name=re.compile("^Save")).click()
    assert "preferences for Relationship Health Matters CIC are saved" in page.inner_text(".flashes")

    page.reload()  # what the services now hold
    assert not training.get_by_label("Pathway item completed").is_checked()
    assert training.get_by_label("Certification granted").is_checked()
    assert not cic.get_by_label(
        re.compile("^Send me email from Relationship Health Matters CIC")
    ).is_checked()
    assert cic.get_by_label(re.compile("decision on your Microproject Development Fund")).is_checked()  # kept
    assert "Always sent" not in cic.inner_text()  # the CIC sends no security email
    shot(page, "email-preferences")
    ctx.close()

    ctx, page = new_page(browser, PHONE)
    sign_in(page, base, "cic-admin@imatter.local", stack.admin_password)
    page.goto(base + "/account/notifications")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()


def test_cic_staff_schedule_a_consultation_and_award_a_fund_application(browser, stack, mail, shot):
    """Last in the module: it closes the current fund round."""
    base = stack.url()
    # the applicant: an accepted member practitioner of a school with the Enhanced Licence (the Fund
    # checks applications against what cic knows by event), set up through the API
    api = Client(base, emailed_token=stack.emailed_token)
    _admin, pro, _org, _person, _pkg = practitioner_with_package(
        api, names=("Ada Fictional-Head", "Fran Applicant")
    )
    applicant = pro.email
    wait_for(
        lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="cic knows the practitioner"
    )
    ctx, page = new_page(browser)
    sign_in(page, base, applicant, PASSWORD)

    summary = f"Two fictional families, reading together ({uuid.uuid4().hex[:6]})"
    page.goto(base + "/practitioner#fund")
    page.select_option("#fund-package_type", "1")
    page.fill("#fund-summary", summary)
    page.click("#fund button:has-text('Send application')")
    assert "fund application is in the next review round" in page.inner_text(".flashes")

    purpose = f"Planning a parents' evening ({uuid.uuid4().hex[:6]})"
    page.goto(base + "/cic")
    page.click("#consultations summary")
    page.select_option("#for_kind", "organisation")
    page.fill("#purpose", purpose)
    page.click("#consultations button:has-text('Request')")
    assert "Consultation requested." in page.inner_text(".flashes")
    row = page.locator("#consultations tbody tr", has_text=purpose)
    assert (
        "requested" in row.inner_text()
        and row.get_by_role("button", name=re.compile("^Schedule")).count() == 0
    )
    assert summary in page.inner_text("#fund")
    ctx.close()

    ctx, page = new_page(browser)
    page.on("dialog", lambda d: d.accept())  # "Close round ... now?"
    sign_in(page, base, "cic-admin@imatter.local", stack.admin_password)
    page.goto(base + "/cic")
    row = page.locator("#consultations tbody tr", has_text=purpose)
    when = time.strftime("%Y-%m-%dT10:30", time.gmtime(time.time() + 3 * 86400))
    row.get_by_label(re.compile("Date and time")).fill(when)
    row.get_by_role("button", name=re.compile("^Schedule")).click()
    assert "Consultation scheduled." in page.inner_text(".flashes")
    row = page.locator("#consultations tbody tr", has_text=purpose)
    assert "scheduled" in row.inner_text() and when.replace("T", " ") in row.inner_text()

    application = page.locator("#fund .panel", has_text=summary)
    application.get_by_label("Decision").select_option("awarded")
    application.get_by_role("button", name="Record decision").click()
    assert "once the round is closed" in page.inner_text(".flashes")  # the rule, shown to staff
    page.locator("#fund li", has_text="open").first.get_by_role(
        "button", name=re.compile("^Close round")
    ).click()
    assert "Round closed" in page.inner_text(".flashes")
    # two independent reviews declaring no conflict: the CIC admin here, the second reviewer by the API
    application = page.locator("#fund .panel", has_text=summary)
    application.get_by_label(re.compile("Review score")).fill("5")
    application.get_by_label(re.compile("no conflict of interest")).check()
    application.get_by_role("button", name="Record review").click()
    reviewer = api.signed_in("fund-reviewer@imatter.local", stack.admin_password)
    [mine] = [
        a
        for a in reviewer.get("/api/v1/fund/applications", params={"per_page": 100}).json()["items"]
        if a["summary"] == summary
    ]
    r = reviewer.post(f"/api/v1/fund/applications/{mine['id']}/reviews", {"score": 4, "no_conflict": True})
    assert r.status_code == 201, r.text
    # an award needs received gifts covering it (row 104): a supporter pledges, CIC staff receive
    gift = reviewer.post(
        "/api/v1/fund/gifts", {"amount": mine["amount_requested"], "name": "A fictional supporter"}
    )
    assert gift.status_code == 201, gift.text
    staff_api = api.signed_in("cic-admin@imatter.local", stack.admin_password)
    r = staff_api.post(f"/api/v1/fund/gifts/{gift.json()['id']}/received")
    assert r.status_code == 200, r.text
    page.goto(base + "/cic")
    application = page.locator("#fund .panel", has_text=summary)
    application.get_by_label("Decision").select_option("awarded")
    application.get_by_label("Note").fill("Fictional award for the browser test")
    application.get_by_role("button", name="Record decision").click()
    assert "Decision recorded: awarded." in page.inner_text(".flashes")
    application = page.locator("#fund .panel", has_text=summary)
    assert "awarded" in application.inner_text() and application.locator("code").count() == 1  # the award id
    assert_accessible(page)
    shot(page, "cic-fund-decision")
    ctx.close()

    # the applicant's emails are sign-in prompts that open their own CIC page
    stack.flask("cic_tracker", "notify", "send", "--once")
    for subject_part in ("Consultation", "Fund"):
        assert any(subject_part.lower() in str(m["Subject"]).lower() for m in mail.to(applicant)), (
            subject_part
        )
    for m in mail.to(applicant):
        body = m.get_body(("plain",)).get_content()
        assert (
            base + "/cic" in body and summary not in body and purpose not in body
        )  # no case or application data
    ctx, page = new_page(browser, PHONE)
    sign_in(page, base, applicant, PASSWORD)
    page.goto(base + "/cic")
    assert "scheduled" in page.locator("#consultations tbody tr", has_text=purpose).inner_text()
    assert "awarded" in page.locator("#fund .panel", has_text=summary).inner_text()
    assert page.locator("#fund form").count() == 0  # no staff controls for an applicant
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "cic-requester-phone", full_page=False)
    ctx.close()
