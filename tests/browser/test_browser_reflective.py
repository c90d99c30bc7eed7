"""The reflective tools (issue 11) in headless Chromium against the whole running system:
a learner answers the informal I Matter Q and sees section scores and suggested learning steps;
a training admin grants a community wheel licence to an organisation, whose admin then records
a community audit. Screenshots: docs/screenshots/imatter-q.png and community-audit.png."""

from __future__ import annotations

import re
import uuid

import pytest

from support.browser import PHONE, assert_accessible, assert_error_summary_focused, new_page, sign_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def answer_every_question(form, value: str) -> int:
    """Tick the option with `value` in every radio group of the form; the number of groups."""
    names = form.evaluate("f => [...new Set([...f.querySelectorAll('input[type=radio]')].map(i => i.name))]")
    for name in names:
        form.locator(f"input[type=radio][name='{name}'][value='{value}']").check()
    return len(names)


def test_learner_answers_the_informal_q_and_sees_suggestions(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_up(page, base, "Quinn Learner", stack)
    page.click("button:has-text('Create my learner profile')")
    page.get_by_role("link", name=re.compile("^My I Matter Q")).click()
    assert page.locator("h1").inner_text() == "My I Matter Q"
    assert "Sample questions." in page.inner_text(".sample-notice")
    assert_accessible(page)

    # one question left out: its own error, at its radio group, and focus on the summary
    form = page.locator("#answer form")
    groups = answer_every_question(form, "0")
    assert groups >= 3
    first = form.locator("input[type=radio]").first.get_attribute("name")
    page.evaluate(f"document.querySelectorAll(\"input[name='{first}']\").forEach(i => i.checked = false)")
    page.click("button:has-text('See my results')")
    error_id = first.replace(".", "-") + "-error"
    page.locator(f"#{error_id}").wait_for(state="visible", timeout=5000)  # fails if it never shows
    assert_error_summary_focused(page)  # focus moved to it
    assert page.locator(f"input[name='{first}'][value='0']").is_checked() is False
    assert page.locator("#answer form input[type=radio]:checked").count() == groups - 1  # the rest kept

    page.locator(f"input[name='{first}'][value='0']").check()
    page.click("button:has-text('See my results')")
    page.wait_for_url(re.compile(r".*/learning/imatter-q/[^/#]+#result$"))
    assert "Only you can see them" in page.inner_text(".flashes")
    result = page.locator("#result")
    assert result.locator("tbody tr").count() >= 2  # a row per section
    steps = result.locator(".steps li")
    assert steps.count() >= 1 and "Foundation" in result.locator(".steps").inner_text()
    assert page.locator("#past li").count() == 1
    assert_accessible(page)
    shot(page, "imatter-q")
    ctx.close()


def test_training_admin_grants_a_wheel_licence_and_the_org_records_a_community_audit(browser, stack, shot):
    base = stack.url()
    org_name = f"Fictional Family Practice {uuid.uuid4().hex[:4]}"
    ctx, page = new_page(browser)
    sign_up(page, base, "Ola Orgadmin", stack)
    page.get_by_role("link", name="Register an organisation").click()
    page.fill("#name", org_name)
    page.select_option("#kind", index=1)
    page.check("#senior_leadership_commitment")
    page.click("button:has-text('Register organisation')")
    page.wait_for_url(re.compile(r".*/organisations/[0-9a-f]+$"))
    org_url = page.url
    page.get_by_role("link", name="Buy the Starter Licence").click()
    page.get_by_label(re.compile("accept the organisational agreement to participate")).check()  # row 3
    page.click("button:has-text('Confirm and buy')")
    page.wait_for_url(org_url)
    wheel = page.locator("#community-wheel")
    assert "needs a community wheel licence" in wheel.inner_text()
    assert wheel.get_by_role("link", name="Record a community audit").count() == 0

    # the training admin grants the organisation a community wheel licence
    admin_ctx, admin = new_page(browser)
    sign_in(admin, base, "training-admin@imatter.local", stack.admin_password)
    admin.goto(base + "/admin#community-wheel")
    admin.check("#wheel-holder")
    admin.click("#community-wheel button:has-text('Grant the licence')")  # no organisation chosen
    assert admin.locator("#wheel-organisation_id-error").is_visible()
    admin.select_option("#wheel-organisation_id", label=org_name)
    admin.click("#community-wheel button:has-text('Grant the licence')")
    assert "Community wheel licence granted" in admin.inner_text(".flashes")
    row = admin.locator("#community-wheel tbody tr", has_text=org_name)
    assert row.count() == 1 and "active" in row.inner_text()
    assert_accessible(admin)
    admin_ctx.close()

    # the organisation's admin now sees it and records an aggregate community audit
    page.goto(org_url)
    assert "active" in page.inner_text("#community-wheel")
    page.locator("#community-wheel").get_by_role("link", name="Record a community audit").click()
    assert page.locator("h1").inner_text() == "Community audit with the wheel"
    page.fill("#participants_count", "12")
    groups = answer_every_question(page.locator("#record form"), "2")
    assert groups >= 4
    page.click("button:has-text('Record the audit')")
    assert "Community audit recorded." in page.inner_text(".flashes")
    audit = page.locator("#audits .panel").first
    assert "12 people took part" in audit.inner_text() and audit.locator("tbody tr").count() >= 2
    assert_accessible(page)
    shot(page, "community-audit")
    ctx.close()

    # usable at phone width
    ctx, phone = new_page(browser, PHONE)
    sign_in(phone, base, "training-admin@imatter.local", stack.admin_password)
    phone.goto(base + "/admin#community-wheel")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()


def test_my_i_matter_q_fits_a_phone(browser, stack):
    ctx, page = new_page(browser, PHONE)
    sign_up(page, stack.url(), "Pip Phone", stack)
    page.goto(stack.url() + "/learning/imatter-q")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    ctx.close()
