"""The new portal pages of issue 16 in headless Chromium against the whole running system: a
training admin edits a role requirement's price in the price book (and the public catalogue
shows it), an organisation's admin asks for a seat transfer that a training admin approves, a
Lead Plus overseer named for a microproject accepts and signs the practicum off, and a trainee
Lead Professional sees their obligations and adds a log book entry; and (issue 21) a certified
practitioner downloads their Open Badges credential, which a visitor verifies and sees revoked
once the certification is withdrawn. What a page does not do itself is set up through the API.
Screenshots: docs/screenshots/catalogue-editor.png, seat-transfer.png, overseer.png,
lp-obligations.png, credential-verified.png and credential-revoked.png."""

from __future__ import annotations

import re
import uuid

import pytest

from support.api_client import Client, wait_for
from support.browser import PHONE, assert_accessible, new_page, sign_in
from support.stories import SCHOOL, ok, practitioner_with_package

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PASSWORD = "Plenty-long-passphrase-1"  # Client.signed_up's default: the same user signs in in the browser


@pytest.fixture(scope="module")
def api(stack):
    return Client(stack.url(), emailed_token=stack.emailed_token)


@pytest.fixture(scope="module")
def training_admin(api, stack):
    return api.signed_in("training-admin@imatter.local", stack.admin_password)


def flash(page) -> str:
    return page.inner_text(".flashes")


def _org(client, name: str) -> dict:
    return ok(client.post("/api/v1/organisations", {**SCHOOL, "name": name}))


# -- (1) the price book: a role requirement's price in pounds and pence -------------------------


def test_training_admin_edits_a_role_requirement_price_and_the_catalogue_shows_it(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_in(page, base, "training-admin@imatter.local", stack.admin_password)
    page.goto(base + "/admin/catalogue")
    assert page.locator("h1").inner_text().startswith("Catalogue and prices")
    version_before = int(re.search(r"version (\d+)", page.locator("h1").inner_text()).group(1))
    form = page.locator("#req-lead-lead_training")
    price = form.locator("#req-lead-lead_training-price")
    assert price.input_value() == "250.00"  # the seed's £250, shown in pounds and pence

    # three decimals is not an amount: the error is at the field and nothing is published
    price.fill("263.456")
    form.get_by_role("button", name=re.compile("^Save")).click()
    assert page.locator("#req-lead-lead_training-price-error").is_visible()
    assert "pounds and pence" in page.inner_text("#req-lead-lead_training-price-error")
    assert page.locator("#req-lead-lead_training-price").input_value() == "263.456"  # what was typed is kept
    assert f"version {version_before})" in page.locator("h1").inner_text()
    assert_accessible(page)

    page.fill("#req-lead-lead_training-price", "£263.45")
    page.locator("#req-lead-lead_training").get_by_role("button", name=re.compile("^Save")).click()
    # what changes is shown, old -> new, before anything is published
    assert page.locator("h1").inner_text().startswith("Check the price changes")
    changes = page.inner_text("#price-changes")
    assert "250" in changes and "263.45" in changes
    assert_accessible(page)
    page.get_by_role("button", name="Save these changes").click()
    page.wait_for_url(re.compile(r".*/admin/catalogue#role-lead$"))
    assert f"price book version {version_before + 1}" in flash(page)
    assert page.locator("#req-lead-lead_training-price").input_value() == "263.45"
    # a requirement's price is one price in every role that needs it
    assert page.locator("#req-lead_plus-lead_training-price").input_value() == "263.45"
    assert page.locator("#course-lead_training-price").input_value() == "263.45"
    assert_accessible(page)
    shot(page, "catalogue-editor", full_page=False)

    # the public catalogue (signed out) shows the new price under the Lead role
    public_ctx, public = new_page(browser)
    public.goto(base + "/catalogue")
    lead = public.locator("#role-lead")
    assert "Lead training: £263.45" in lead.inner_text()
    assert "£263.45" in public.locator("table").first.inner_text()  # and in the course list
    assert_accessible(public)
    public_ctx.close()

    # the editor is usable at phone width
    page.set_viewport_size(PHONE)
    page.goto(base + "/admin/catalogue")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()


# -- (2) seat transfers: the sending organisation asks, a training admin approves ---------------


def test_org_admin_requests_a_seat_transfer_and_a_training_admin_approves_it(browser, stack, api, shot):
    base = stack.url()
    admin = api.signed_up(name="Sade Sender")
    sender = _org(admin, f"Fictional Alder Primary {uuid.uuid4().hex[:4]}")
    receiver = _org(admin, f"Fictional Birch Academy {uuid.uuid4().hex[:4]}")
    for licence in ("starter", "cpd"):  # the CPD licence brings the included online L1-2 seats
        ok(admin.post(f"/api/v1/organisations/{sender['id']}/licences", {"type": licence}))
    seats = ok(admin.get(f"/api/v1/organisations/{sender['id']}/seats"), 200)
    assert seats["available"] >= 2, seats

    ctx, page = new_page(browser)
    sign_in(page, base, admin.email, PASSWORD)
    page.goto(f"{base}/organisations/{sender['id']}")
    section = page.locator("#seat-transfers")
    assert "No transfer requests yet." in section.inner_text()
    # more seats than are free: the rule that refused it, and nothing requested
    page.fill("#transfer-to_organisation_id", receiver["id"])
    page.fill("#transfer-count", str(seats["available"] + 1))
    page.click("button:has-text('Ask I Matter Training to transfer the seats')")
    assert "There is a problem with the transfer request" in page.inner_text("#seat-transfers .error-summary")
    assert page.locator("#transfer-count").input_value() == str(seats["available"] + 1)
    assert "No transfer requests yet." in page.inner_text("#seat-transfers")

    page.fill("#transfer-count", "2")
    page.click("button:has-text('Ask I Matter Training to transfer the seats')")
    page.wait_for_url(re.compile(rf".*/organisations/{sender['id']}#seat-transfers$"))
    assert f"Transfer of 2 seats to {receiver['name']} requested" in flash(page)
    row = page.locator("#seat-transfers tbody tr", has_text=receiver["name"])
    assert row.count() == 1 and "Waiting for a decision" in row.inner_text()
    assert_accessible(page)

    # a training admin approves it on /admin/seat-transfers
    staff_ctx, staff = new_page(browser)
    sign_in(staff, base, "training-admin@imatter.local", stack.admin_password)
    staff.goto(base + "/admin/seat-transfers")
    assert staff.locator("h1").inner_text() == "Seat transfers between organisations"
    request_row = staff.locator("tbody tr", has_text=sender["name"])
    assert request_row.count() == 1 and receiver["name"] in request_row.inner_text()
    assert "invoiced to the receiver if approved" in request_row.inner_text()
    assert_accessible(staff)
    shot(staff, "seat-transfer")
    request_row.get_by_role("button", name=re.compile("^Approve")).click()
    staff.wait_for_url(re.compile(r".*/admin/seat-transfers\?state=requested$"))
    assert f"Approved: 2 seats moved from {sender['name']} to {receiver['name']}" in flash(staff)
    assert staff.locator("tbody tr", has_text=sender["name"]).count() == 0  # no longer waiting
    staff.goto(base + "/admin/seat-transfers?state=approved")
    assert staff.locator("tbody tr", has_text=sender["name"]).count() == 1
    assert_accessible(staff)
    staff_ctx.close()

    # the sender sees it approved and two seats fewer; the receiver holds them, with the fee to pay
    page.goto(f"{base}/organisations/{sender['id']}")
    assert "Approved" in page.locator("#seat-transfers tbody tr", has_text=receiver["name"]).inner_text()
    after = ok(admin.get(f"/api/v1/organisations/{sender['id']}/seats"), 200)
    assert after["available"] == seats["available"] - 2 and after["transferred_out"] == 2
    assert ok(admin.get(f"/api/v1/organisations/{receiver['id']}/seats"), 200)["transferred_in"] == 2
    ctx.close()


# -- (3) practicum oversight: a Lead Plus named, accepting, signing off --------------------------


def test_a_lead_plus_overseer_is_named_accepts_and_signs_the_practicum_off(
    browser, stack, api, training_admin, shot
):
    base = stack.url()
    # one of I Matter Training's own Lead Plus practitioners (certified outside the system)
    overseer = api.signed_up(name="Olu Overseer")
    op = ok(
        overseer.post(
            "/api/v1/people", {"name": "Olu Overseer", "email": overseer.email, "kind": "professional"}
        )
    )
    ok(
        training_admin.post(
            f"/api/v1/people/{op['id']}/certifications",
            {"role": "lead_plus", "reason": "I Matter Training's own Lead Plus team"},
        )
    )
    admin, pro, org, person, package = practitioner_with_package(
        api, names=("Ada Admin", "Robin Practitioner")
    )
    [mp] = wait_for(lambda: pro.get("/api/v1/tracker/microprojects").json()["items"], what="workspace")

    # the training admin names the overseer on /practice/oversight
    staff_ctx, staff = new_page(browser)
    sign_in(staff, base, "training-admin@imatter.local", stack.admin_password)
    staff.goto(base + "/practice/oversight")
    card = staff.locator(f"#mp-{mp['id']}")
    assert "None yet" in card.inner_text()
    card.get_by_label(re.compile("^Overseer's person id")).fill(op["id"])
    card.get_by_role("button", name="Name the overseer").click()
    staff.wait_for_url(re.compile(rf".*/practice/oversight#mp-{mp['id']}$"))
    assert "Overseer named" in flash(staff), flash(staff)
    assert f"{op['id']} (pending, I Matter Training)" in staff.locator(f"#mp-{mp['id']}").inner_text()
    assert_accessible(staff)
    staff_ctx.close()

    # the practitioner runs the practicum (through the API: not this page's subject)
    consent = {"given_by": "Parent", "scope": "school support", "given_at": "2026-11-01T09:00:00Z"}
    for i in range(3):
        case = ok(
            pro.post(
                f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": f"RP-{i}", "consent": consent}
            )
        )
        for kind, score in (("baseline", 3), ("follow_up", 6)):
            ok(
                pro.post(
                    f"/api/v1/tracker/cases/{case['id']}/assessments",
                    {"kind": kind, "scores": {"communication": score}, "notes": "seen"},
                )
            )
        ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/goals", {"text": "a goal", "status": "open"}))
        ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/reflections", {"text": "a reflection"}))
    done = ok(pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/completion", {"reflection": "done"}), 200)
    assert done["state"] == "awaiting_sign_off"

    # the overseer accepts, then signs the practicum off
    ctx, page = new_page(browser)
    sign_in(page, base, overseer.email, PASSWORD)
    page.get_by_role("link", name=re.compile("^Practicum oversight and sign-off")).click()  # from My account
    page.wait_for_url(re.compile(r".*/practice/oversight$"))
    card = page.locator(f"#mp-{mp['id']}")
    assert "Awaiting sign-off" in card.inner_text()
    assert card.get_by_role("button", name="Sign the practicum off").count() == 1
    assert_accessible(page)
    card.get_by_role("button", name="Accept the oversight").click()
    page.wait_for_url(re.compile(rf".*/practice/oversight#mp-{mp['id']}$"))
    assert "You now oversee this microproject." in flash(page)
    card = page.locator(f"#mp-{mp['id']}")
    assert f"{op['id']} (accepted, I Matter Training)" in card.inner_text()
    assert card.get_by_role("button", name="Accept the oversight").count() == 0
    assert_accessible(page)
    shot(page, "overseer")
    card.get_by_role("button", name="Sign the practicum off").click()
    page.wait_for_url(re.compile(rf".*/practice/oversight#mp-{mp['id']}$"))
    assert "Practicum signed off" in flash(page), flash(page)
    card = page.locator(f"#mp-{mp['id']}")
    assert "Completed" in card.inner_text() and "Signed off" in card.inner_text()
    assert card.get_by_role("button", name="Sign the practicum off").count() == 0
    ctx.close()

    # and only then does training hear the practicum is complete
    wait_for(
        lambda: (
            admin.get(f"/api/v1/organisations/{org['id']}/packages/{package['id']}")
            .json()
            .get("practicum_state")
            == "completed"
        ),
        what="training records the completed practicum",
    )


# -- (4) Lead Professional: obligations and the log book -----------------------------------------


def test_a_trainee_lead_professional_sees_obligations_and_adds_a_log_book_entry(
    browser, stack, api, training_admin, shot
):
    base = stack.url()
    admin = api.signed_up(name="Hana Head")
    org = _org(admin, f"Fictional Cedar Primary {uuid.uuid4().hex[:4]}")
    trainee = api.signed_up(name="Tam Trainee")
    person = ok(
        trainee.post(
            "/api/v1/people", {"name": "Tam Trainee", "email": trainee.email, "kind": "professional"}
        )
    )
    invite = ok(
        admin.post(
            f"/api/v1/organisations/{org['id']}/members", {"person_id": person["id"], "role": "teacher"}
        )
    )
    ok(trainee.post(f"/api/v1/memberships/{invite['id']}/accept"), 200)
    # the standard route follows Intermediate A
    e = ok(
        trainee.post(
            "/api/v1/enrolments",
            {"person_id": person["id"], "course_code": "intermediate_a", "funding": "self"},
        )
    )
    ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)
    application = ok(
        trainee.post(
            "/api/v1/lead-professionals/applications",
            {
                "person_id": person["id"],
                "organisation_id": org["id"],
                "route": "standard",
                "references": [
                    {"name": "Ref One", "relationship": "line manager"},
                    {"name": "Ref Two", "relationship": "colleague"},
                ],
                "senior_leadership_backing": True,
            },
        )
    )
    ok(
        training_admin.post(
            f"/api/v1/lead-professionals/applications/{application['id']}/interview",
            {"outcome": "passed", "note": "A clear plan"},
        ),
        200,
    )

    ctx, page = new_page(browser)
    sign_in(page, base, trainee.email, PASSWORD)
    page.goto(base + "/lead-professional")
    assert page.locator("h1").inner_text() == "My Lead Professional route"
    assert "Trainee year" in page.inner_text("#application")
    obligations = page.locator("#obligations table tbody tr")
    assert obligations.count() >= 3
    assert (
        "0 of 1"
        in page.locator("#obligations tbody tr", has_text="Maintain a personal log book").inner_text()
    )
    assert "Falls due next" in page.inner_text("#obligations")
    assert "No log book entries yet." in page.inner_text("#log-book")
    assert_accessible(page)

    # a heading is needed: the browser holds the form back (the field is required), nothing is added
    page.fill("#log-note", "Ran a staff briefing on the wheel")
    page.click("#log-book button:has-text('Add the entry')")
    assert page.locator("#log-title").evaluate("e => e.validity.valueMissing")
    assert page.locator("#log-note").input_value() == "Ran a staff briefing on the wheel"
    assert "No log book entries yet." in page.inner_text("#log-book")

    page.fill("#log-title", "Staff briefing")
    page.click("#log-book button:has-text('Add the entry')")
    page.wait_for_url(re.compile(r".*/lead-professional#log-book$"))
    assert "Log book entry added." in flash(page)
    entry = page.locator("#log-book .card-list li", has_text="Staff briefing")
    assert entry.count() == 1 and "Ran a staff briefing on the wheel" in entry.inner_text()
    log_row = page.locator("#obligations tbody tr", has_text="Maintain a personal log book")
    assert "done" in log_row.inner_text() and "1 of 1" in log_row.inner_text()  # the entry counts
    assert_accessible(page)
    shot(page, "lp-obligations")

    # the training admin sees the same entry on the application
    staff_ctx, staff = new_page(browser)
    sign_in(staff, base, "training-admin@imatter.local", stack.admin_password)
    staff.goto(f"{base}/admin/lead-professionals/{application['id']}")
    assert "Staff briefing" in staff.inner_text("main")
    assert_accessible(staff)
    staff_ctx.close()
    ctx.close()


# -- (5) issue 21: a certification's Open Badges credential, downloaded, verified, revoked ---------


def test_a_holder_downloads_the_credential_a_visitor_verifies_it_and_sees_it_revoked(
    browser, stack, api, training_admin, shot
):
    base = stack.url()
    holder = api.signed_up(name="Cleo Credential")
    person = ok(
        holder.post(
            "/api/v1/people", {"name": "Cleo Credential", "email": holder.email, "kind": "professional"}
        )
    )
    cert = ok(
        training_admin.post(
            f"/api/v1/people/{person['id']}/certifications",
            {"role": "lead", "reason": "I Matter Training's own team (paper records)"},
        )
    )
    ctx, page = new_page(browser)
    sign_in(page, base, holder.email, PASSWORD)
    page.goto(base + "/practitioner")
    item = page.locator(f"#certification-{cert['id']}")
    with page.expect_download() as got:
        item.get_by_role("link", name=re.compile("^Download credential")).click()
    download = got.value
    assert download.suggested_filename == "imatter-lead-credential.jwt"
    with open(download.path(), encoding="ascii") as fh:
        token = fh.read()
    assert token.startswith("eyJ") and token.count(".") == 2
    ctx.close()

    # a visitor (not signed in) pastes the file's contents
    ctx, page = new_page(browser)
    page.goto(base + "/credentials/verify")
    page.get_by_label(re.compile("^The credential")).fill(token)
    page.get_by_role("button", name="Verify").click()
    result = page.locator("#credential-result")
    assert result.locator("h2").inner_text().startswith("Verified"), result.inner_text()
    assert "Cleo Credential" in result.inner_text()
    assert_accessible(page)
    shot(page, "credential-verified", full_page=False)

    # withdrawn by a training admin: its verification link shows it revoked
    ok(
        training_admin.post(
            f"/api/v1/certifications/{cert['id']}/withdraw", {"reason": "Withdrawn after a practice review"}
        ),
        200,
    )
    credential_id = ok(holder.get(f"/api/v1/certifications/{cert['id']}/credential"), 200)["id"]
    page.goto(f"{base}/credentials/{credential_id}")
    status = page.locator("#credential-status")
    assert "revoked" in status.inner_text() and "Cleo Credential" in status.inner_text()
    page.get_by_label(re.compile("^The credential")).fill(token)
    page.get_by_role("button", name="Verify").click()
    assert page.locator("#credential-result h2").inner_text().startswith("Revoked")
    assert_accessible(page)
    shot(page, "credential-revoked", full_page=False)
    ctx.close()
