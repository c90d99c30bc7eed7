"""Parent Mentors, the bursary fund and the Q registration consultation (issue 21) in headless
Chromium against the whole running system. A parent signs up, completes Foundation A and B
(recorded by a training admin), applies with references on /parent-mentor; the training admin
records the interview and offers a place on /admin/parent-mentors; the parent accepts and the role
shows on their page. A school's admin orders a bursary deposit, which counts once paid, and awards
a place. Another parent orders the optional Q registration consultation. Screenshots:
docs/screenshots/parent-mentor.png, admin-parent-mentor.png, bursary-fund.png, q-registration.png."""

from __future__ import annotations

import re
import uuid

import pytest

from support.api_client import Client
from support.browser import PASSWORD, PHONE, assert_accessible, new_page, sign_in, sign_up

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def _api_as(stack, email: str, password: str = PASSWORD) -> Client:
    return Client(stack.url(), emailed_token=stack.emailed_token).signed_in(email, password)


def _personal_profile(page):
    page.select_option("#kind", "personal")
    page.click("button:has-text('Create my learner profile')")


def test_a_parent_mentors_route_in_the_portal(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    email = sign_up(page, base, "Pat Fictional-Parent", stack)
    _personal_profile(page)
    page.get_by_role("link", name=re.compile("^Parent Mentor:")).click()
    page.wait_for_url(re.compile(r".*/parent-mentor$"))
    assert page.locator("h1").inner_text() == "Parent Mentor"
    assert "You can apply once" in page.inner_text("main")
    assert_accessible(page)

    # Foundation A parts 1 and 2 and Foundation B, completed as a training admin records them
    parent, staff = (
        _api_as(stack, email),
        _api_as(stack, "training-admin@imatter.local", stack.admin_password),
    )
    pid = parent.get("/api/v1/me").json()["person_id"]
    for code in ("foundation_a1", "foundation_a2", "foundation_b"):
        e = parent.post(
            "/api/v1/enrolments", {"person_id": pid, "course_code": code, "funding": "self"}
        ).json()
        assert staff.post(f"/api/v1/enrolments/{e['id']}/completion").status_code == 200

    page.reload()
    assert "You can apply." in page.inner_text("main")
    page.fill("#motivation", "Our family came through a hard few years; I would like to help other parents.")
    page.fill("#ref0_name", "Ref Fictional-One")
    page.fill("#ref0_relationship", "family support worker")
    page.click("button:has-text('Send my application')")  # one referee: shown at the field
    assert page.locator("#ref0_name-error").is_visible()
    page.fill("#ref1_name", "Ref Fictional-Two")
    page.fill("#ref1_relationship", "class teacher")
    page.click("button:has-text('Send my application')")
    assert "Application sent" in page.inner_text(".flashes")

    # the training admin: the list, the interview (a note the applicant sees), the offer
    actx, admin = new_page(browser)
    sign_in(admin, base, "training-admin@imatter.local", stack.admin_password)
    admin.goto(base + "/admin")
    admin.get_by_role("link", name=re.compile("^Parent Mentor applications")).click()
    admin.wait_for_url(re.compile(r".*/admin/parent-mentors$"))
    admin.get_by_role("link", name="Pat Fictional-Parent").first.click()
    admin.wait_for_url(re.compile(r".*/admin/parent-mentors/[0-9a-f]{32}$"))
    assert_accessible(admin)
    admin.select_option("#iv-outcome", "passed")
    admin.fill("#iv-note", "Warm, reflective, connects well with stressed parents.")
    admin.click("button:has-text('Record the interview')")
    assert "Interview recorded" in admin.inner_text(".flashes")
    admin.select_option("#dec-outcome", "offer")
    admin.fill("#dec-note", "Welcome to the team.")
    shot(admin, "admin-parent-mentor")
    admin.click("button:has-text('Record the decision')")
    assert "Place offered" in admin.inner_text(".flashes")
    actx.close()

    page.reload()
    assert "Warm, reflective" in page.inner_text("#application")
    page.click("button:has-text('Accept the place')")
    assert "you are now a Parent Mentor" in page.inner_text(".flashes")
    assert page.locator("#pm-app-heading").inner_text() == "Your role: Parent Mentor"
    assert_accessible(page)
    shot(page, "parent-mentor")
    page.goto(base + "/account")
    assert "Level 3 advanced level Parent Mentor since" in page.inner_text("main")
    ctx.close()

    ctx, phone = new_page(browser, PHONE)
    sign_in(phone, base, email, PASSWORD)
    phone.goto(base + "/parent-mentor")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ctx.close()


def test_a_school_orders_a_bursary_deposit_and_awards_a_place(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    email = sign_up(page, base, "Hana Fictional-Head", stack)
    head = _api_as(stack, email)
    org = head.post(
        "/api/v1/organisations",
        {
            "name": f"Fictional Rowan School {uuid.uuid4().hex[:4]}",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": email,
            "senior_leadership_commitment": True,
        },
    ).json()
    for t in ("starter", "cpd"):
        body = {"type": t, **({"agreement_accepted": True} if t == "starter" else {})}
        assert head.post(f"/api/v1/organisations/{org['id']}/licences", body).status_code == 201
    # a member who cannot pay: signs up, makes their person, is invited and accepts
    nat = Client(base, emailed_token=stack.emailed_token).signed_up(name="Nat Fictional-Learner")
    person = nat.post(
        "/api/v1/people", {"name": "Nat Fictional-Learner", "email": nat.email, "kind": "professional"}
    ).json()
    inv = head.post(
        f"/api/v1/organisations/{org['id']}/members", {"person_id": person["id"], "role": "staff"}
    ).json()
    assert nat.post(f"/api/v1/memberships/{inv['id']}/accept").status_code == 200

    page.goto(f"{base}/organisations/{org['id']}")
    page.get_by_role("link", name=re.compile("^Bursary fund")).click()
    page.wait_for_url(re.compile(r".*/bursary$"))
    assert page.locator("h1").inner_text().endswith("bursary fund")
    assert_accessible(page)
    page.fill("#dep-amount", "250")
    page.fill("#dep-note", "Summer fair")
    page.click("#deposit button:has-text('Order the deposit')")
    assert "counts in the fund once the invoice is paid" in page.inner_text(".flashes")
    assert "£250" in page.inner_text("#fund-heading + dl")  # pending

    staff = _api_as(stack, "training-admin@imatter.local", stack.admin_password)
    fund = head.get(f"/api/v1/bursaries/{org['id']}").json()
    order = head.get(f"/api/v1/orders/{fund['entries']['items'][0]['order_id']}").json()
    assert (
        staff.post(f"/api/v1/invoices/{order['invoice']['id']}/pay", {"reference": "BACS-1"}).status_code
        == 200
    )

    page.reload()
    page.select_option("#pl-person_id", label="Nat Fictional-Learner")
    page.select_option("#pl-course_code", "foundation_a1")
    page.click("#place button:has-text('Award the place')")
    assert "Bursary place awarded" in page.inner_text(".flashes")
    assert page.locator("table tbody tr", has_text="Nat Fictional-Learner").count() == 1
    assert_accessible(page)
    shot(page, "bursary-fund")
    ctx.close()


def test_a_parent_orders_the_optional_q_registration_consultation(browser, stack, shot):
    base = stack.url()
    ctx, page = new_page(browser)
    sign_up(page, base, "Robin Fictional-Parent", stack)
    _personal_profile(page)
    page.get_by_role("link", name=re.compile("^I Matter Q registration consultation")).click()
    page.wait_for_url(re.compile(r".*/learning/q-registration$"))
    assert page.locator("h1").inner_text() == "I Matter Q registration consultation"
    assert "It is optional" in page.inner_text("main")
    assert_accessible(page)
    page.check("#online_course")
    page.click("button:has-text('Order the consultation')")
    assert "Relationship Health Matters CIC will contact you" in page.inner_text(".flashes")
    assert page.get_by_role("link", name=re.compile("^[0-9a-f]{8}$")).count() == 1  # the invoice
    assert "You have already ordered it" in page.inner_text("#order")
    assert_accessible(page)
    shot(page, "q-registration")
    ctx.close()
