"""A past price-book version in the portal (portal coverage gap of issue 21; training GET
/api/v1/price-book/versions/{n}, training admins): after an edit, the catalogue page links the
earlier version, which still shows the price it was sold at; others are refused."""

from __future__ import annotations

import importlib.util
import pathlib

_spec = importlib.util.spec_from_file_location(
    "_portal_world_pbv", pathlib.Path(__file__).with_name("test_gateway_portal_price_book.py")
)
_pb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pb)
world, Visitor, _book, _confirmed = _pb.world, _pb.Visitor, _pb._book, _pb._confirmed


def test_an_earlier_version_shows_what_was_sold_then(world):
    admin = Visitor(world, "Cat Admin", roles=["training_admin"])
    before, book = _book(world)
    old_price = next(c for c in book["courses"] if c["code"] == "deep_dive")["price"]
    r = _confirmed(
        admin,
        "/admin/catalogue/roles/lead/requirements/deep_dive",
        {"price": "812.34"},
        page="/admin/catalogue",
    )
    assert r.status_code == 302
    html = admin.get("/admin/catalogue").get_data(as_text=True)
    assert f'href="/admin/price-book/versions/{before}"' in html

    page = admin.get(f"/admin/price-book/versions/{before}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1>") == 1 and f"Price book version {before}" in html
    pounds, pence = divmod(old_price, 100)
    assert f"£{pounds:,}" + (f".{pence:02d}" if pence else "") in html and "£812.34" not in html
    assert "£812.34" in admin.get(f"/admin/price-book/versions/{before + 1}").get_data(as_text=True)
    assert admin.get("/admin/price-book/versions/9999").status_code == 404

    learner = Visitor(world, "Lee Learner", roles=["learner"])
    assert learner.get(f"/admin/price-book/versions/{before}").status_code == 403
