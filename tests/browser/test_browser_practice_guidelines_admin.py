"""The training admin's Microproject Practice Guidelines page (issue 21; decision 0064) in headless
Chromium against the whole running system: linked from /admin, it lists the published versions
and holds the form for the next one, starting from the version in force, with the warning that
every practitioner acknowledges it before their next microproject's first case. A section with no
point is refused at the sections box (training's problem+json, naming the section); a valid form
publishes, and the public page shows the new version with the earlier one linked. Screenshot:
docs/screenshots/admin-practice-guidelines.png."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support.api_client import Client
from support.browser import assert_accessible, new_page, sign_in
from support.stories import ok

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

GUIDELINES = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "services/training/content/microproject_practice_guidelines.json"
    ).read_text()
)


def test_a_training_admin_publishes_the_next_version_of_the_guidelines(browser, stack, shot):
    base = stack.url()
    staff = Client(base, emailed_token=stack.emailed_token).signed_in(
        "training-admin@imatter.local", stack.admin_password
    )
    before = ok(staff.post("/api/v1/practice-guidelines", GUIDELINES))["version"]

    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin")
    page.get_by_role("link", name=re.compile("^Microproject Practice Guidelines")).click()
    page.wait_for_url(re.compile(r".*/admin/practice-guidelines$"))
    main = page.inner_text("main")
    assert f"Version {before}" in main and "In force" in main
    assert f"Publish version {before + 1}" in main and "must acknowledge" in main
    assert GUIDELINES["sections"][0]["heading"] in page.input_value("#sections")
    assert_accessible(page)

    # a section with a heading and no point: training's refusal, at the box, naming the section
    page.fill("#title", "Microproject Practice Guidelines 2027")
    page.fill("#sections", "Consent\n- Ask before you record anything.\n\nRecords")
    page.click(f"button:has-text('Publish version {before + 1}')")
    assert page.locator("#sections-error").is_visible()
    assert "Section 2 (Records)" in page.inner_text("#sections-error")
    assert page.input_value("#title") == "Microproject Practice Guidelines 2027"  # kept
    assert_accessible(page)

    page.fill(
        "#sections",
        "Consent\n- Ask before you record anything.\n- Write down what was agreed.\n\n"
        "Records\n- Case records stay in the Progress Tracker.",
    )
    page.click(f"button:has-text('Publish version {before + 1}')")
    page.wait_for_url(re.compile(r".*/admin/practice-guidelines$"))
    assert f"Version {before + 1} published and in force" in page.inner_text(".flashes")
    assert f"Publish version {before + 2}" in page.inner_text("main")
    assert_accessible(page)
    shot(page, "admin-practice-guidelines")

    page.goto(base + "/practice-guidelines")
    assert page.locator("h1").inner_text() == "Microproject Practice Guidelines 2027"
    page.get_by_role("link", name=f"Version {before}").click()
    assert "since replaced" in page.inner_text("main")
    ctx.close()
