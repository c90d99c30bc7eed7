"""Downloads through the portal (Flask test client) against the real training app on a loopback
port: the page lists what the signed-in user may take, the CSV passes through with the service's
file name, and a refusal is the service's answer, never a file."""

from __future__ import annotations

import csv
import io

import pytest

from support.portal import Visitor, deposit_order, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("downloads-portal")) as apps:
        yield apps


def _deposit(world, amount):
    return deposit_order(world, amount, "Fictional Hazel School", "link@hazel.example")["order_id"]


def test_a_training_admin_downloads_invoices_whose_total_matches(world):
    order_id = _deposit(world, 4321)
    admin = Visitor(world, "Finance Admin", ["training_admin"])
    page = admin.get("/downloads")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/downloads/invoices.csv" in html and "/downloads/orders.csv" in html
    assert "fund-ledger" not in html  # the CIC's downloads are not this user's
    r = admin.client.get("/downloads/invoices.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="invoices-')
    assert "no-store" in r.headers["Cache-Control"]  # a shared cache never keeps it
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    mine = [row for row in rows if row["order_id"] == order_id]
    assert [(row["total_pence"], row["total_gbp"], row["state"]) for row in mine] == [
        ("4321", "43.21", "issued")
    ]
    assert "/downloads/invoices.csv" in admin.get("/admin/finance").get_data(as_text=True)


def test_anyone_else_gets_a_refusal_not_a_file(world):
    learner = Visitor(world, "Plain Learner", [])
    html = learner.get("/downloads").get_data(as_text=True)
    assert "nothing for you to download" in html
    r = learner.get("/downloads/invoices.csv")
    assert r.status_code == 403 and r.mimetype == "text/html"
    assert learner.get("/downloads/passwords.csv").status_code == 404  # only the listed exports pass
    r = learner.client.get("/downloads/commissioners/no-such-org/funded-places.csv")
    assert r.status_code == 404 and "text/csv" not in r.headers.get("Content-Type", "")


def test_signed_out_visitors_are_sent_to_sign_in(world):
    r = world["gateway"].test_client().get("/downloads/orders.csv")
    assert r.status_code in (302, 303) and "/sign-in" in r.headers["Location"]
