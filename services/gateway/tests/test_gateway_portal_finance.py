"""The finance page for training admins through the Flask test client, against the real training
app on a loopback port: invoices by state, recording a payment with its reference (error at the
field when missing), voiding, and the 409 rule shown when training refuses a void."""

from __future__ import annotations

import re

import pytest

from support.portal import HTML, Visitor, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("finance-portal")) as apps:
        yield apps


def _purchases(world):
    """An organisation with a bursary deposit ordered, a second one, and a package already in use."""
    from training.extensions import db
    from training.models import Organisation, Person
    from training.models.packages import Package
    from training.services import bursaries, orders

    with world["training"].app_context():
        org = Organisation(
            name="Fictional Rowan School",
            kind="school",
            size_band="small",
            link_contact_email="link@rowan.example",
            created_by="u-rowan",
        )
        person = Person(name="Pat Fictional", email="pat@rowan.example", kind="professional")
        db.session.add_all([org, person])
        db.session.flush()
        deposit, order1 = bursaries.order_deposit(org.id, 12345, None, "u-rowan", org.id)
        _, order2 = bursaries.order_deposit(org.id, 500, None, "u-rowan", org.id)
        order3 = orders.create_order(
            organisation_id=org.id,
            person_id=person.id,
            created_by="u-rowan",
            lines=[
                {
                    "code": "package_type_3",
                    "description": "Microproject package Type 3",
                    "unit_price": 90000,
                    "quantity": 1,
                }
            ],
            funding="organisation",
        )
        db.session.add(
            Package(
                organisation_id=org.id,
                practitioner_id=person.id,
                type=3,
                price=90000,
                funding="organisation",
                order_id=order3.id,
                tracker_uses=6,
                credits_left=4,
                online_accounts=3,
            )
        )
        db.session.commit()
        return org.id, order1.invoice.id, order2.invoice.id, order3.invoice.id


def _state(world, invoice_id):
    from training.extensions import db
    from training.models import Invoice

    with world["training"].app_context():
        return db.session.get(Invoice, invoice_id).state


def test_training_admin_records_payments_and_voids_and_sees_the_rule_when_refused(world):
    org_id, deposit_inv, other_inv, package_inv = _purchases(world)
    admin = Visitor(world, "Fin Admin", roles=["training_admin"])
    assert 'href="/admin/finance"' in admin.get("/admin").get_data(as_text=True)

    page = admin.get("/admin/finance?state=issued")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<h1") == 1 and "Deposit into the bursary fund" in html and "£123.45" in html
    for i in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{i}"' in html, f"no label for {i}"

    # no reference: the error sits at that invoice's reference field; nothing is paid
    r = admin.post(f"/admin/finance/invoices/{deposit_inv}/pay", {"reference": "  "}, page="/admin/finance")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert f'id="pay-{deposit_inv}-reference-error"' in html and "Enter the payment" in html
    assert _state(world, deposit_inv) == "issued"

    r = admin.post(
        f"/admin/finance/invoices/{deposit_inv}/pay", {"reference": "BACS 991"}, page="/admin/finance"
    )
    assert r.status_code == 302
    assert _state(world, deposit_inv) == "paid"
    paid = admin.get("/admin/finance?state=paid").get_data(as_text=True)
    assert "ref. BACS 991" in paid and "Payment recorded" in paid

    r = admin.post(f"/admin/finance/invoices/{other_inv}/void", {}, page="/admin/finance")
    assert r.status_code == 302 and _state(world, other_inv) == "void"

    r = admin.post(f"/admin/finance/invoices/{package_inv}/void", {}, page="/admin/finance")
    assert r.status_code == 302
    html = admin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Not voided" in html and "package_in_use" in html
    assert _state(world, package_inv) == "issued"


def test_the_finance_page_is_for_training_admins_only(world):
    someone = Visitor(world, "Sam Someone", roles=["learner"])
    assert someone.get("/admin/finance").status_code == 403
