"""Portal pages for the fund's money (security L6, domain row 105) through the Flask test
client against the real cic-tracker (and training) apps, as test_gateway_portal_reflective does:
the public "Support a Journey" pledge form, and the CIC staff page that marks pledges received
or voids them."""

from __future__ import annotations

import importlib.util
import pathlib
import re

# the real-apps world, visitors and page checks of the reflective portal tests (pytest runs with
# --import-mode=importlib, so the sibling module is loaded by path)
_spec = importlib.util.spec_from_file_location(
    "_portal_world", pathlib.Path(__file__).with_name("test_gateway_portal_reflective.py")
)
_world = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_world)
Visitor, one_h1_and_labels, world = (
    _world.Visitor,
    _world.one_h1_and_labels,
    _world.world,
)  # world: module fixture


def _gift_state(world, amount):
    from cic_tracker.extensions import db
    from cic_tracker.models import FundGift

    with world["cic"].app_context():
        rows = db.session.scalars(db.select(FundGift).where(FundGift.amount == amount)).all()
        return [g.state for g in rows]


def test_support_a_journey_is_public_and_pledges_need_an_account(world):
    anon = world["gateway"].test_client()
    page = anon.get("/support-a-journey", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>Support a Journey</h1>" in html
    assert 'name="amount"' not in html and "/sign-in" in html
    assert "Support a Journey" in anon.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)


def test_a_supporter_pledges_and_sees_the_pledge_until_cic_staff_mark_it_received(world):
    sam = Visitor(world, "Sam Supporter")
    page = sam.get("/support-a-journey")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="amount"' in html
    one_h1_and_labels(html)
    assert "You have not pledged a gift yet." in html

    # errors at the field: not a number, more than the bound
    for bad in ("lots", "0", "20000", "1.234"):
        r = sam.post("/support-a-journey", {"amount": bad, "name": "Sam"})
        assert r.status_code == 400, bad
        html = r.get_data(as_text=True)
        assert 'id="amount-error"' in html and 'aria-invalid="true"' in html, bad
    assert _gift_state(world, 2550) == []

    r = sam.post("/support-a-journey", {"amount": "25.50", "name": "Sam S."})
    assert r.status_code == 302 and r.headers["Location"].endswith("/support-a-journey#my-pledges")
    html = sam.get("/support-a-journey").get_data(as_text=True)
    assert "£25.50" in html and "Sam S." in html and "pledged" in html
    assert _gift_state(world, 2550) == ["pledged"]

    # the supporter is not CIC staff: no finance page, no confirming their own gift
    assert sam.get("/cic/finance").status_code == 403

    cass = Visitor(world, "Cass Staff", roles=["cic_staff", "fund_reviewer"])
    html = cass.get("/cic").get_data(as_text=True)
    assert "/cic/finance" in html and "/support-a-journey" in html
    page = cass.get("/cic/finance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "£25.50" in html and "Mark received" in html
    one_h1_and_labels(html)
    gift_id = re.search(r"/cic/finance/gifts/([0-9a-f]+)/received", html).group(1)
    assert (
        sam.post(f"/cic/finance/gifts/{gift_id}/received", {}, page="/support-a-journey").status_code == 403
    )

    r = cass.post(f"/cic/finance/gifts/{gift_id}/received", {"reference": "BANK-42"}, page="/cic/finance")
    assert r.status_code == 302
    assert _gift_state(world, 2550) == ["received"]
    html = cass.get("/cic/finance").get_data(as_text=True)
    assert "Gift marked received" in html and "No pledged gifts are waiting." in html
    assert re.search(r"Balance \(received gifts less awards\)</dt><dd>£25.50", html)
    assert "received" in sam.get("/support-a-journey").get_data(as_text=True)

    # void it (the fund still holds it); a second void names the rule
    assert cass.post(f"/cic/finance/gifts/{gift_id}/void", {}, page="/cic/finance").status_code == 302
    assert _gift_state(world, 2550) == ["void"]
    cass.post(f"/cic/finance/gifts/{gift_id}/void", {}, page="/cic/finance")
    assert "Not voided: The gift is already void." in cass.get("/cic/finance").get_data(as_text=True)


def test_a_reviewer_reads_the_finance_page_but_cannot_change_gifts(world):
    rae = Visitor(world, "Rae Reviewer", roles=["fund_reviewer"])
    page = rae.get("/cic/finance")
    assert page.status_code == 200 and "Mark received" not in page.get_data(as_text=True)
    assert rae.post("/cic/finance/gifts/x/void", {}, page="/cic/finance").status_code == 403
    html = rae.get("/cic").get_data(as_text=True)
    assert 'name="no_conflict"' in html or "No applications." in html
