"""Issue 16: the catalogue editor for training admins and placeholder labels (domain row 111),
through the Flask test client against the real training app on a loopback port. Money typed in
pounds and pence keeps its pence; every save is a new price-book version; training's 400 is
shown at the field; /catalogue and the licence confirmation say when a price is a placeholder."""

from __future__ import annotations

import re

import pytest

from support.portal import HTML, PASSWORD, Visitor, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("price-book-portal")) as apps:
        yield apps


def _book(world) -> tuple[int, dict]:
    from training.services.price_book import current

    with world["training"].app_context():
        return current()


def _confirmed(admin, path, data, page):
    """Post the edit, check the preview it answers with (nothing saved yet), then confirm it."""
    preview = admin.post(path, data, page=page)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:3000]
    html = preview.get_data(as_text=True)
    assert "Check the price changes" in html and 'name="confirm" value="yes"' in html
    seen = re.search(r'name="seen_version" value="(\d+)"', html).group(1)
    return admin.post(path, {**data, "confirm": "yes", "seen_version": seen}, page=page)


def test_a_training_admin_edits_a_role_requirement_price_and_keeps_the_pence(world):
    admin = Visitor(world, "Cat Admin", roles=["training_admin"])
    page = admin.get("/admin/catalogue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/admin/catalogue/roles/lead/requirements/lead_training"' in html
    assert 'for="req-lead-lead_training-price"' in html  # a label on every field
    before, _ = _book(world)

    r = _confirmed(
        admin,
        "/admin/catalogue/roles/lead/requirements/lead_training",
        {"price": "260.55"},
        page="/admin/catalogue",
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    number, book = _book(world)
    assert number == before + 1
    assert next(c for c in book["courses"] if c["code"] == "lead_training")["price"] == 26055
    html = admin.get("/admin/catalogue").get_data(as_text=True)
    assert 'value="260.55"' in html  # shown back in pounds and pence

    # a package type's price and Tracker uses per case, each save a new version
    r = _confirmed(
        admin,
        "/admin/catalogue/packages/3",
        {"price": "451.20", "tracker_uses_per_case": "2", "online_accounts": "3"},
        page="/admin/catalogue",
    )
    assert r.status_code == 302
    number2, book = _book(world)
    assert number2 == number + 1
    t3 = next(p for p in book["package_types"] if p["type"] == 3)
    assert (t3["price"], t3["tracker_uses"]) == (45120, 6)

    # the size-band editor keeps pence too
    r = _confirmed(admin, "/admin/price-book/small", {"starter_fee": "249.99"}, page="/admin")
    assert r.status_code == 302
    _, book = _book(world)
    bands = {b["code"]: b for b in book["size_bands"]}
    assert bands["small"]["starter_fee"] == 24999 and bands["small"]["placeholder"] is False
    assert bands["medium"]["placeholder"] is True  # the bands not edited keep their placeholder label


def test_bad_money_is_shown_at_the_field_and_changes_nothing(world):
    admin = Visitor(world, "Cat Admin", roles=["training_admin"])
    before, _ = _book(world)
    r = admin.post(
        "/admin/catalogue/packages/2",
        {"price": "three hundred", "tracker_uses_per_case": "0", "online_accounts": "3"},
        page="/admin/catalogue",
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="package-2-price-error"' in html and "pounds and pence" in html
    r = admin.post(
        "/admin/catalogue/packages/2",
        {"price": "300", "tracker_uses_per_case": "11", "online_accounts": "3"},
        page="/admin/catalogue",
    )
    assert r.status_code == 400 and 'id="package-2-tracker_uses_per_case-error"' in r.get_data(as_text=True)
    assert _book(world)[0] == before


def test_the_editor_is_for_training_admins_only(world):
    learner = Visitor(world, "Lee Learner", roles=[])
    assert learner.get("/admin/catalogue").status_code in (302, 403, 404)


def test_the_catalogue_page_labels_placeholder_prices(world):
    page = world["gateway"].test_client().get("/catalogue", headers=HTML)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    row = re.search(r"Level 1 Foundation A part 1</th>.*?</tr>", html, re.S).group(0)
    assert "PLACEHOLDER" in row
    assert "Placeholder prices" in html
    row = re.search(r"Deep Dive.*?</tr>", html, re.S)
    assert row is None or "PLACEHOLDER" not in row.group(0)


def test_the_licence_confirmation_says_the_fee_is_a_placeholder(world):
    owner = Visitor(world, "Olive Owner", roles=[])
    from training.extensions import db
    from training.models import Organisation, OrganisationAdmin

    with world["gateway"].app_context():
        from gateway.extensions import db as gdb
        from gateway.models import User

        user_id = gdb.session.scalar(gdb.select(User.id).where(User.email == owner.email))
    with world["training"].app_context():
        org = Organisation(
            name="Fictional Alder School",
            kind="school",
            size_band="medium",
            link_contact_email=owner.email,
            senior_leadership_commitment=True,
            created_by=user_id,
        )
        db.session.add(org)
        db.session.flush()
        db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=user_id))
        db.session.commit()
        org_id = org.id
    page = owner.get(f"/organisations/{org_id}/licences/starter")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    assert "Placeholder fee" in html and "(placeholder fee)" in html


# -- issue 19: the size-band editor keeps pence, refuses what is not an amount, previews first -----


def _band(world, code):
    number, book = _book(world)
    return number, next(b for b in book["size_bands"] if b["code"] == code)


def test_the_band_editor_shows_old_and_new_before_saving_and_keeps_the_pence(world):
    admin = Visitor(world, "Band Admin", roles=["training_admin"])
    number, band = _band(world, "medium")
    preview = admin.post("/admin/price-book/medium", {"starter_fee": "125.50"}, page="/admin")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Starter fee</th>.*?</tr>", html, re.S).group(0)
    old = f"£{band['starter_fee'] // 100:,}" + (
        f".{band['starter_fee'] % 100:02d}" if band["starter_fee"] % 100 else ""
    )
    assert old in row and "£125.50" in row
    assert "Placeholder" in html  # confirming a band also drops its placeholder flag: shown too
    assert _band(world, "medium")[0] == number  # a preview saves nothing

    seen = re.search(r'name="seen_version" value="(\d+)"', html).group(1)
    r = admin.post(
        "/admin/price-book/medium",
        {"starter_fee": "125.50", "confirm": "yes", "seen_version": seen},
        page="/admin",
    )
    assert r.status_code == 302
    number2, band = _band(world, "medium")
    assert number2 == number + 1 and band["starter_fee"] == 12550
    assert 'value="125.50"' in admin.get("/admin").get_data(as_text=True)

    # the same amount again changes nothing: no preview, no new version
    r = admin.post("/admin/price-book/medium", {"starter_fee": "125.50"}, page="/admin")
    assert r.status_code == 302 and _band(world, "medium")[0] == number2


@pytest.mark.parametrize("typed", ["125.505", "12,5.5.0", "abc", "", "-3", "£"])
def test_an_amount_that_is_not_pounds_and_pence_is_refused_at_its_field(world, typed):
    admin = Visitor(world, "Band Admin", roles=["training_admin"])
    number, _ = _band(world, "small")
    r = admin.post("/admin/price-book/small", {"cpd_fee": typed, "cpd_seats_included": "3"}, page="/admin")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="small-cpd_fee-error"' in html and "pounds and pence" in html
    assert "There is a problem" in html
    assert _band(world, "small")[0] == number


def test_a_confirmation_after_someone_else_published_shows_the_preview_again(world):
    first = Visitor(world, "First Admin", roles=["training_admin"])
    second = Visitor(world, "Second Admin", roles=["training_admin"])
    html = first.post("/admin/price-book/large", {"enhanced_fee": "999.99"}, page="/admin").get_data(
        as_text=True
    )
    seen = re.search(r'name="seen_version" value="(\d+)"', html).group(1)
    r = _confirmed(second, "/admin/price-book/small", {"cpd_seats_included": "7"}, page="/admin")
    assert r.status_code == 302
    number, _ = _band(world, "large")
    r = first.post(
        "/admin/price-book/large",
        {"enhanced_fee": "999.99", "confirm": "yes", "seen_version": seen},
        page="/admin",
    )
    assert r.status_code == 200 and "changed while you were checking" in r.get_data(as_text=True)
    assert _band(world, "large")[0] == number  # not published over the other admin's version
    r = _confirmed(first, "/admin/price-book/large", {"enhanced_fee": "999.99"}, page="/admin")
    assert r.status_code == 302 and _band(world, "large")[1]["enhanced_fee"] == 99999
    assert _band(world, "small")[1]["cpd_seats_included"] == 7  # the other admin's change is kept


def test_the_price_book_api_keeps_amounts_in_pence_exactly(world):
    admin = Visitor(world, "Api Admin", roles=["training_admin"])
    api = world["gateway"].test_client()
    token = api.post("/api/v1/auth/login", json={"email": admin.email, "password": PASSWORD}).get_json()
    auth = {"Authorization": "Bearer " + token["access_token"]}
    book = api.get("/api/v1/price-book", headers=auth).get_json()
    bands = book["size_bands"]
    keep = ("code", "label", "staff_min", "staff_max", "starter_fee", "cpd_fee", "enhanced_fee")
    bands = [{k: b[k] for k in (*keep, "cpd_seats_included", "placeholder") if k in b} for b in bands]
    bands[0]["starter_fee"], bands[0]["cpd_fee"] = 12551, 1
    r = api.put("/api/v1/price-book", json={"size_bands": bands}, headers=auth)
    assert r.status_code == 200, r.get_json()
    again = api.get("/api/v1/price-book", headers=auth).get_json()["size_bands"][0]
    assert (again["starter_fee"], again["cpd_fee"]) == (12551, 1)
    bands[0]["starter_fee"] = 125.5  # pence are whole numbers: a fraction is refused, not rounded
    r = api.put("/api/v1/price-book", json={"size_bands": bands}, headers=auth)
    assert r.status_code == 400
    assert api.get("/api/v1/price-book", headers=auth).get_json()["size_bands"][0]["starter_fee"] == 12551
