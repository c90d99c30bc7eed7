"""CSV downloads for staff, read back with the csv module: who may download, what the rows hold,
and totals that add up to what the API says."""

import csv
import io
import uuid

import pytest


def _user(keys, roles=("learner",)):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=list(roles))


def _org(client, h, name, kind="school"):
    r = client.post(
        "/api/v1/organisations",
        json={
            "name": name,
            "kind": kind,
            "size_band": "micro" if kind != "school" else "small",
            "link_contact_email": "link@fictional.example",
            "senior_leadership_commitment": True,
        },
        headers=h,
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _rows(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # spreadsheet programs then read UTF-8 names correctly
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_finance_downloads_orders_and_invoices_whose_totals_match_the_api(client, keys):
    admin = _user(keys, roles=("training_admin",))
    h = _user(keys)
    org = _org(client, h, "=Fictional Formula School")  # a name a spreadsheet would run
    lic = client.post(
        f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
    ).get_json()
    deposit = client.post(
        f"/api/v1/bursaries/{org['id']}/deposits", json={"amount": 12550}, headers=h
    ).get_json()
    paid_inv = client.get(f"/api/v1/orders/{deposit['order_id']}", headers=h).get_json()["invoice"]["id"]
    assert (
        client.post(
            f"/api/v1/invoices/{paid_inv}/pay", json={"reference": "BACS-77"}, headers=admin
        ).status_code
        == 200
    )

    orders = _rows(client.get("/api/v1/training/exports/orders.csv", headers=admin))
    assert {o["order_id"] for o in orders} == {lic["order_id"], deposit["order_id"]}
    by_id = {o["order_id"]: o for o in orders}
    assert by_id[deposit["order_id"]]["total_pence"] == "12550"
    assert by_id[deposit["order_id"]]["total_gbp"] == "125.50"
    assert by_id[deposit["order_id"]]["invoice_state"] == "paid"
    assert by_id[deposit["order_id"]]["payment_reference"] == "BACS-77"
    assert by_id[lic["order_id"]]["total_pence"] == str(lic["price"])
    assert by_id[lic["order_id"]]["organisation_name"] == "'=Fictional Formula School"
    assert "1 x " in by_id[lic["order_id"]]["lines"]

    invoices = _rows(client.get("/api/v1/training/exports/invoices.csv", headers=admin))
    listed = client.get("/api/v1/invoices?per_page=100", headers=admin).get_json()
    assert sum(int(i["total_pence"]) for i in invoices) == sum(i["total"] for i in listed["items"])
    assert {i["invoice_id"] for i in invoices} == {i["id"] for i in listed["items"]}
    paid = _rows(client.get("/api/v1/training/exports/invoices.csv?state=paid", headers=admin))
    assert [i["invoice_id"] for i in paid] == [paid_inv] and paid[0]["paid_at"].endswith("Z")
    r = client.get("/api/v1/training/exports/invoices.csv?state=owed", headers=admin)
    assert r.status_code == 400 and "state" in str(r.get_json()["errors"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/training/exports/orders.csv",
        "/api/v1/training/exports/invoices.csv",
        "/api/v1/training/exports/certifications.csv",
        "/api/v1/training/exports/licences.csv",
        "/api/v1/training/exports/practitioner-licences.csv",
    ],
)
def test_only_training_admins_download_the_staff_exports(client, keys, path):
    assert client.get(path).status_code == 401
    assert client.get(path, headers=_user(keys)).status_code == 403
    assert client.get(path, headers=_user(keys, roles=("cic_staff",))).status_code == 403
    assert _rows(client.get(path, headers=_user(keys, roles=("training_admin",)))) == []


def test_licences_export_lists_each_licence_with_its_status_today(client, keys):
    admin = _user(keys, roles=("training_admin",))
    h = _user(keys)
    org = _org(client, h, "Fictional Ash School")
    lic = client.post(
        f"/api/v1/organisations/{org['id']}/licences", json={"type": "starter"}, headers=h
    ).get_json()
    [row] = _rows(client.get("/api/v1/training/exports/licences.csv", headers=admin))
    assert row["licence_id"] == lic["id"] and row["type"] == "starter"
    assert row["status"] == lic["status"] and row["organisation_name"] == "Fictional Ash School"
    assert row["price_pence"] == str(lic["price"])


def test_a_commissioner_downloads_the_deposits_it_ordered_and_nothing_else(client, keys):
    admin = _user(keys, roles=("training_admin",))
    ch = _user(keys)
    commissioner = _org(client, ch, "Fictional Borough Commissioning", kind="commissioner")
    sh = _user(keys)
    school = _org(client, sh, "Fictional Elm School")
    mine = client.post(
        f"/api/v1/bursaries/{school['id']}/deposits",
        json={"amount": 50000, "billed_to_organisation_id": commissioner["id"]},
        headers=ch,
    )
    assert mine.status_code == 201, mine.get_json()
    own = client.post(f"/api/v1/bursaries/{school['id']}/deposits", json={"amount": 700}, headers=sh)
    assert own.status_code == 201
    url = f"/api/v1/training/exports/commissioners/{commissioner['id']}/funded-places.csv"
    rows = _rows(client.get(url, headers=ch))
    assert [(r["funded_organisation_name"], r["amount_pence"], r["invoice_state"]) for r in rows] == [
        ("Fictional Elm School", "50000", "issued")
    ]
    assert _rows(client.get(url, headers=admin))[0]["order_id"] == mine.get_json()["order_id"]
    assert client.get(url, headers=sh).status_code == 404  # the school is not the commissioner's admin
    school_url = f"/api/v1/training/exports/commissioners/{school['id']}/funded-places.csv"
    assert client.get(school_url, headers=sh).status_code == 404  # not a commissioner organisation
