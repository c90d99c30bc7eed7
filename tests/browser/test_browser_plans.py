"""Microproject planning tools and the Microproject Practice Guidelines (issue 21; decisions 0063,
0064) in headless Chromium against the whole running system: a practitioner plans their
microproject from its Tracker page (case data is refused at the field), asks a certified Lead of
their organisation to support it, cannot open the first case until they acknowledge the guidelines
on their page (the acknowledgement reaches cic-tracker by event), and the Lead accepts and then
sees the plan. What a page does not do itself is set up through the API. Screenshots:
docs/screenshots/microproject-plan.png, practice-guidelines.png and plan-supporter.png."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from support.api_client import Client, wait_for
from support.browser import assert_accessible, new_page, sign_in
from support.stories import joins, ok, own_person, practitioner_with_package

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "Plenty-long-passphrase-1"  # Client.signed_up's default
# the guidelines I Matter Training ships (`flask guidelines load` stores them as version 1)
GUIDELINES = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "services/training/content/microproject_practice_guidelines.json"
    ).read_text()
)


@pytest.fixture(scope="module")
def api(stack):
    return Client(stack.url(), emailed_token=stack.emailed_token)


def flash(page) -> str:
    return page.inner_text(".flashes")


def test_practitioner_plans_acknowledges_the_guidelines_and_a_lead_supports_the_plan(
    browser, stack, api, shot
):
    base = stack.url()
    training_admin = api.signed_in("training-admin@imatter.local", stack.admin_password)
    version = ok(training_admin.post("/api/v1/practice-guidelines", GUIDELINES))["version"]
    admin, pro, org, person, package = practitioner_with_package(api, names=("Ada Admin", "Pip Planner"))
    lead = api.signed_up(name="Lou Lead")
    lead_person = own_person(lead, "Lou Lead")
    ok(
        training_admin.post(
            f"/api/v1/people/{lead_person['id']}/certifications",
            {"role": "lead", "reason": "Certified before the platform (records held)"},
        )
    )
    joins(admin, lead, org, lead_person)
    [mp] = wait_for(lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="workspace")

    # (1) the plan, from the microproject's Tracker page
    ctx, page = new_page(browser)
    sign_in(page, base, pro.email, PASSWORD)
    page.goto(f"{base}/tracker/microprojects/{mp['id']}")
    page.get_by_role("link", name="Plan this microproject").click()
    page.wait_for_url(re.compile(rf".*/microprojects/{package['id']}/plan$"))
    assert "No case data here" in page.inner_text("main")
    assert_accessible(page)
    soon = (date.today() + timedelta(days=14)).isoformat()
    page.fill("#idea", "Calmer mornings: call Sam's mum on 07700 900123")  # case data: refused
    page.fill("#focus_area_1", "routines")
    page.fill("#focus_area_2", "transitions")
    page.fill("#step_text_1", "Read the Foundation A unit on routines")
    page.select_option("#step_status_1", "done")
    page.fill("#step_text_2", "Agree the review rhythm with my supporter")
    page.fill("#review_date_1", soon)
    page.get_by_role("button", name="Save plan").click()
    assert page.locator("#idea-error").is_visible()
    assert "no case data" in page.inner_text("#idea-error")
    assert page.locator("#focus_area_2").input_value() == "transitions"  # what was typed is kept
    assert ok(pro.get(f"/api/v1/packages/{package['id']}/plan"), 404)  # nothing was saved
    page.fill("#idea", "Calmer mornings: trying the I Matter routines with a small parents' group")
    page.get_by_role("button", name="Save plan").click()
    page.wait_for_url(re.compile(rf".*/microprojects/{package['id']}/plan$"))
    assert "Plan saved." in flash(page)
    assert page.locator("#step_status_1").input_value() == "done"
    page.select_option("#person_id", lead_person["id"])
    page.get_by_role("button", name="Ask to support").click()
    page.wait_for_url(re.compile(r".*/plan#supporter$"))
    assert "Asked" in flash(page)
    assert "Support asked of Lou Lead" in page.inner_text("main")
    assert_accessible(page)
    shot(page, "microproject-plan")

    # (2) the first case waits for the guidelines to be acknowledged
    case = {
        "code": "PP-1",
        "consent": {"given_by": "Parent", "scope": "baseline", "given_at": "2026-11-01T09:00:00Z"},
    }
    r = pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/cases", case)
    assert r.status_code == 409 and r.json()["unmet"] == ["practice_guidelines"], r.text
    page.get_by_role("link", name="Microproject Practice Guidelines").first.click()
    page.wait_for_url(re.compile(r".*/practice-guidelines$"))
    assert page.locator("h1").inner_text() == "Microproject Practice Guidelines"
    assert "Give each case a pseudonymous code, never a name." in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name=f"Acknowledge version {version}").click()
    page.wait_for_url(re.compile(r".*/practice-guidelines$"))
    assert f"You acknowledged version {version}" in flash(page)
    assert f"You have acknowledged version {version}." in page.inner_text("main")
    shot(page, "practice-guidelines")
    ctx.close()
    opened = wait_for(
        lambda: (
            (r := pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/cases", case)).status_code == 201 and r
        ),
        what="cic-tracker learns the acknowledgement and opens the first case",
    )
    assert opened.json()["code"] == "PP-1"

    # (3) the Lead accepts and only then sees the plan; the organisation's admin sees its dates only
    assert ok(lead.get(f"/api/v1/packages/{package['id']}/plan"), 200)["view"] == "invitation"
    ctx, page = new_page(browser)
    sign_in(page, base, lead.email, PASSWORD)
    page.goto(base + "/supporting")
    assert "Pip Planner" in page.inner_text("main")
    assert_accessible(page)
    page.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(rf".*/microprojects/{package['id']}/plan$"))
    assert "You accepted supporting this plan." in flash(page)
    main = page.inner_text("main")
    assert "Calmer mornings" in main and "Read the Foundation A unit on routines" in main
    assert page.get_by_role("button", name="Save plan").count() == 0  # the supporter reads, never edits
    assert_accessible(page)
    shot(page, "plan-supporter")
    ctx.close()
    assert ok(pro.get(f"/api/v1/packages/{package['id']}/plan"), 200)["supported"] is True
    summary = ok(admin.get(f"/api/v1/packages/{package['id']}/plan"), 200)
    assert summary["view"] == "summary" and summary["review_dates"] == [soon] and "idea" not in summary
