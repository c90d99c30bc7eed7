"""Study support and volunteer study supporters in the browser (issue 21; decisions 0060, 0061):
a Lead Professional trainee schedules a series and its session from the portal, a learner of the
school books the last place and sees it on My learning while a second learner is refused, the host
records attendance, a volunteer applies with references, a training admin records the interview
note the applicant then reads, and the host assigns the supporter as the group's buddy."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest

from support.api_client import Client
from support.browser import PASSWORD, assert_accessible, new_page, sign_in
from support.stories import l1_2_completed, ok, own_person
from support.study_support_story import SS, SUP, learner, school_with_lead, soon


@pytest.fixture(scope="module")
def api(stack):
    return Client(stack.url(), emailed_token=stack.emailed_token)


@pytest.fixture(scope="module")
def training_admin(api, stack):
    return api.signed_in("training-admin@imatter.local", stack.admin_password)


def _flash(page) -> str:
    return page.inner_text(".flashes")


def test_a_trainee_runs_a_series_learners_book_and_a_supporter_becomes_buddy(
    browser, stack, api, training_admin, shot
):
    base = stack.url()
    admin, lead, org, person, _app = school_with_lead(api, training_admin)
    (a, pa), (b, pb) = (learner(api, admin, org, n) for n in ("Ash Fictional-Parent", "Bay Fictional-Parent"))

    # the host schedules a series (one place a session) and its first session in the portal
    ctx, page = new_page(browser)
    sign_in(page, base, lead.email, PASSWORD)
    page.goto(base + "/study-support")
    assert_accessible(page)
    page.select_option("#ss-course_code", "foundation_a1")
    page.fill("#ss-title", "Foundation A parents' group")
    page.fill("#ss-max_sessions", "3")
    page.fill("#ss-places_per_session", "1")
    page.click("button:has-text('Create the series')")
    page.wait_for_url(re.compile(r".*/study-support/series/\w+$"))
    sid = page.url.rsplit("/", 1)[1]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT18:00")
    page.fill("#se-starts_at", tomorrow)
    page.fill("#se-place", "School library")
    page.click("button:has-text('Schedule the session')")
    assert "Session scheduled." in _flash(page)
    assert "1 of 3 sessions scheduled; up to 1 places a session" in page.inner_text("main")
    assert_accessible(page)

    # a learner of the school books the last place; it shows on My learning
    lctx, lpage = new_page(browser)
    sign_in(lpage, base, a.email, PASSWORD)
    lpage.goto(base + "/study-support")
    lpage.click(f"a[href$='/study-support/series/{sid}']")
    lpage.click("button:has-text('Book a place')")
    assert "Place booked." in _flash(lpage)
    assert "Your place:" in lpage.inner_text("#session-1")
    assert_accessible(lpage)
    shot(lpage, "study-support-learner-booked")
    lpage.goto(base + "/learning")
    assert "Foundation A parents' group" in lpage.inner_text("#study-support")
    assert_accessible(lpage)
    lctx.close()

    # the second learner is refused: the session's one place is taken
    bctx, bpage = new_page(browser)
    sign_in(bpage, base, b.email, PASSWORD)
    bpage.goto(base + f"/study-support/series/{sid}")
    bpage.click("button:has-text('Book a place')")
    assert "places are taken" in _flash(bpage)
    bctx.close()

    # a session that starts soon, booked through the API; once started the host records attendance
    starts = soon(12)
    ok(lead.post(f"{SS}/series/{sid}/sessions", {"starts_at": starts, "online": True}))
    second = ok(lead.get(f"{SS}/series/{sid}"), 200)["sessions"][1]
    ok(b.post(f"{SS}/sessions/{second['id']}/bookings", {"person_id": pb["id"]}))
    time.sleep(max(0.0, (datetime.fromisoformat(starts) - datetime.now(UTC)).total_seconds()) + 1)
    page.goto(base + f"/study-support/series/{sid}")
    page.locator("#session-2 input[name=attended]").check()
    page.locator("#session-2 button:has-text('Record attendance')").click()
    assert (
        "Attendance recorded. Recorded for you: a log book entry, a Foundation A course supported."
        in _flash(page)
    )
    assert "attended" in page.inner_text("#session-2")
    shot(page, "study-support-host-series")

    # a volunteer applies in the portal with two references
    sup_client = api.signed_up(name="Sol Fictional-Supporter")
    sup_person = own_person(sup_client, "Sol Fictional-Supporter")
    l1_2_completed(sup_client, training_admin, sup_person)
    sctx, spage = new_page(browser)
    sign_in(spage, base, sup_client.email, PASSWORD)
    spage.goto(base + "/study-supporter")
    spage.fill("#motivation", "I would like to buddy a parents' group.")
    for i, (name, rel) in enumerate((("Hal Fictional-Head", "head teacher"), ("Rae Fictional", "colleague"))):
        spage.fill(f"#ref{i}_name", name)
        spage.fill(f"#ref{i}_relationship", rel)
    spage.click("button:has-text('Apply')")
    assert "Application sent." in _flash(spage)
    assert_accessible(spage)
    app_id = ok(sup_client.get(SUP, params={"person_id": sup_person["id"]}), 200)["items"][0]["id"]

    # a training admin records the interview with a note, in the portal
    actx, apage = new_page(browser)
    sign_in(apage, base, "training-admin@imatter.local", stack.admin_password)
    apage.goto(base + "/admin/study-supporters")
    card = apage.locator(f"#sup-{app_id}")
    card.locator(f"#iv-{app_id}-note").fill("Warm and clear with parents.")
    card.locator("button:has-text('Record the interview')").click()
    assert "Interview recorded." in _flash(apage)
    assert_accessible(apage)
    shot(apage, "study-supporters-admin")
    e = ok(
        sup_client.post(
            "/api/v1/enrolments",
            {"person_id": sup_person["id"], "course_code": "study_supporter_preparation", "funding": "self"},
        )
    )
    ok(training_admin.post(f"/api/v1/enrolments/{e['id']}/completion"), 200)
    apage.goto(base + "/admin/study-supporters")
    apage.locator(f"#sup-{app_id} button:has-text('Decide')").click()
    assert "Decision recorded." in _flash(apage)
    actx.close()

    # the host assigns the supporter as buddy by the reference on the supporter's page
    page.goto(base + f"/study-support/series/{sid}")
    page.fill("#bd-supporter_application_id", app_id)
    page.click("button:has-text('Assign as buddy')")
    assert "Buddy assigned." in _flash(page)
    assert "Sol Fictional-Supporter" in page.inner_text("#buddies")
    ctx.close()

    spage.goto(base + "/study-supporter")
    main = spage.inner_text("main")
    assert "Warm and clear with parents." in main and "Foundation A parents' group" in main
    assert_accessible(spage)
    shot(spage, "study-supporter-buddy")
    sctx.close()
