"""Pages added for API capabilities that had none (issue 21, docs/portal-coverage.md), in headless
Chromium against the whole running system: a training admin records a learner's course
completion on /admin/learners/<id>; CIC staff add and retire an assessment area on /cic/areas; a
learner changes their password (phone width). Screenshots: docs/screenshots/admin-learner.png,
cic-areas.png."""

from __future__ import annotations

import re
import uuid

import pytest

from support.api_client import Client
from support.browser import PASSWORD, PHONE, assert_accessible, new_page, sign_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_a_training_admin_records_a_course_completion(browser, stack, shot):
    base = stack.url()
    learner = Client(base, emailed_token=stack.emailed_token).signed_up(name="Lee Fictional-Learner")
    person = learner.post(
        "/api/v1/people", {"name": "Lee Fictional-Learner", "email": learner.email, "kind": "personal"}
    ).json()
    for code in ("foundation_a1", "foundation_a2"):
        r = learner.post(
            "/api/v1/enrolments", {"person_id": person["id"], "course_code": code, "funding": "self"}
        )
        assert r.status_code == 201, r.text

    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin#learners")
    page.fill("#learner-person_id", person["id"])
    page.click("#learners button:has-text('Show their courses')")
    page.wait_for_url(re.compile(rf".*/admin/learners/{person['id']}$"))
    assert page.locator("h1").inner_text() == "Lee Fictional-Learner: courses"
    assert_accessible(page)
    page.locator("#courses tbody tr", has_text="Foundation A part 1").get_by_role("button").click()
    assert "completion recorded" in page.inner_text(".flashes")
    assert (
        page.locator("#courses tbody tr", has_text="Foundation A part 1").get_by_role("button").count() == 0
    )
    assert_accessible(page)
    shot(page, "admin-learner")
    ctx.close()
    states = {
        e["course_code"]: e["state"]
        for e in learner.get(f"/api/v1/people/{person['id']}/enrolments").json()["items"]
    }
    assert states["foundation_a1"] == "completed" and states["foundation_a2"] != "completed"


def test_cic_staff_add_and_retire_an_assessment_area(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_in(page, base, "cic-admin@imatter.local", stack.admin_password)
    page.goto(base + "/cic")
    page.get_by_role("link", name="Assessment areas").click()
    page.wait_for_url(re.compile(r".*/cic/areas$"))
    assert_accessible(page)
    code = "sleep_" + uuid.uuid4().hex[:6]
    page.fill("#label", "Sleep and rest")
    page.fill("#code", "Not A Code")
    page.click("#add button:has-text('Add the area')")
    assert page.locator("#code-error").is_visible()
    page.fill("#code", code)
    page.click("#add button:has-text('Add the area')")
    assert "added" in page.inner_text(".flashes")
    row = page.locator("#areas tbody tr", has_text=code)
    assert row.count() == 1
    assert_accessible(page)
    shot(page, "cic-areas")
    page.once("dialog", lambda d: d.accept())
    row.get_by_role("button", name=re.compile("^Retire")).click()
    assert "Area retired" in page.inner_text(".flashes")
    assert page.locator("#areas tbody tr", has_text=code).count() == 0
    ctx.close()


def test_a_learner_changes_their_password_on_a_phone(browser, stack):
    base = stack.url()
    ctx, page = new_page(browser, PHONE)
    email = sign_up(page, base, "Ada Fictional-Learner", stack)
    page.get_by_role("link", name="Change your password").click()
    page.wait_for_url(re.compile(r".*/account/password$"))
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", "Another-long-passphrase-2")
    page.fill("#password_confirm", "Another-long-passphrase-3")
    page.click("main button:has-text('Change my password')")
    assert page.locator("#password_confirm-error").is_visible()
    page.fill("#current_password", PASSWORD)
    page.fill("#new_password", "Another-long-passphrase-2")
    page.fill("#password_confirm", "Another-long-passphrase-2")
    page.click("main button:has-text('Change my password')")
    page.wait_for_url(re.compile(r".*/sign-in$"))
    assert "Sign in with the new one" in page.inner_text(".flashes")
    sign_in(page, base, email, "Another-long-passphrase-2")
    ctx.close()
