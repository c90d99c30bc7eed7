"""The printable invoice through the portal (Flask test client) against the real training app on a
loopback port: the issuer and VAT status from training's settings, who it is billed to, the lines
and the total; only those who may see the invoice in the API may print it."""

from __future__ import annotations

import pytest

from support.portal import Visitor, deposit_order, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("invoice-portal")) as apps:
        yield apps


def _order(world, amount):
    return deposit_order(world, amount, "Fictional Larch Academy", "office@larch.example")["invoice_id"]


def test_a_training_admin_prints_an_invoice_with_issuer_buyer_lines_and_vat_status(world):
    invoice_id = _order(world, 12550)
    admin = Visitor(world, "Finance Admin", ["training_admin"])
    r = admin.get(f"/invoices/{invoice_id}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert invoice_id in html and "I Matter Training" in html
    assert "Fictional Larch Academy" in html and "office@larch.example" in html
    assert "Deposit into the bursary fund" in html and "£125.50" in html
    assert "Not registered for VAT" in html and "of which VAT" not in html
    assert f'href="/invoices/{invoice_id}"' in admin.get("/admin/finance").get_data(as_text=True)

    world["training"].config.update(
        INVOICE_VAT_NUMBER="GB 123 4567 89", INVOICE_ISSUER_ADDRESS="1 Fictional Row, Leeds"
    )
    try:
        html = admin.get(f"/invoices/{invoice_id}").get_data(as_text=True)
    finally:
        world["training"].config.update(INVOICE_VAT_NUMBER="", INVOICE_ISSUER_ADDRESS="")
    assert "VAT registration GB 123 4567 89" in html and "1 Fictional Row" in html
    assert "of which VAT at 20%" in html and "£20.92" in html  # 12550 x 20/120 = 2091.67 pence


def test_nobody_else_prints_it(world):
    invoice_id = _order(world, 700)
    stranger = Visitor(world, "Curious Stranger", [])
    r = stranger.get(f"/invoices/{invoice_id}")
    assert r.status_code == 404 and "Fictional Larch Academy" not in r.get_data(as_text=True)
    assert stranger.get("/invoices/no-such-invoice").status_code == 404
