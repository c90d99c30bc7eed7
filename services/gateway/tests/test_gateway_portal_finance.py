"""The finance page for training admins through the Flask test client, against the real training
app on a loopback port: invoices by state, recording a payment with its reference (error at the
field when missing), voiding, and the 409 rule shown when training refuses a void."""
from __future__ import annotations

import re
import threading
import uuid

import pytest
from werkzeug.serving import make_server

PASSWORD = "Plenty-long-passphrase-1"
HTML = {"Accept": "text/html"}


def csrf_of(resp) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "page has no CSRF field"
    return m.group(1)


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Visitor:
    """One browser signed in as a staff account with the given roles."""

    def __init__(self, world, name: str, roles: list[str]):
        from gateway import passwords
        from gateway.extensions import db
        from gateway.models import User
        self.client = world["gateway"].test_client()
        self.email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
        with world["gateway"].app_context():
            user = User(email=self.email, name=name, password_hash=passwords.hash_password(PASSWORD))
            user.roles = roles
            db.session.add(user)
            db.session.commit()
        token = csrf_of(self.client.get("/sign-in"))
        r = self.client.post("/sign-in", data={"csrf_token": token, "email": self.email, "password": PASSWORD})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    def get(self, path):
        return self.client.get(path, headers=HTML)

    def post(self, path, data, page=None):
        token = csrf_of(self.client.get(page or path, headers=HTML))
        return self.client.post(path, data={"csrf_token": token, **data}, headers=HTML)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from gateway import create_app as gateway_app
    from gateway.extensions import db as gdb
    from training import create_app as training_app
    from training.extensions import db as tdb

    tmp = tmp_path_factory.mktemp("finance-portal")
    gw = gateway_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/gateway.db",
                      "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"), "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
                      "TRAINING_URL": "http://127.0.0.1:9", "CIC_URL": "http://127.0.0.1:9", "ACCESS_LOG": False})
    with gw.app_context():
        gdb.create_all()
    tr = training_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/training.db",
                       "JWT_PUBLIC_KEY": (tmp / "public.pem").read_text(),
                       "EVENTS_EMBEDDED_PATH": str(tmp / "training-events.db"), "ACCESS_LOG": False})
    with tr.app_context():
        tdb.create_all()
    server = _serve(tr)
    gw.config["TRAINING_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield {"gateway": gw, "training": tr}
    finally:
        server.shutdown()
        for app, db in ((gw, gdb), (tr, tdb)):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def _purchases(world):
    """An organisation with a bursary deposit ordered, a second one, and a package already in use."""
    from training.extensions import db
    from training.models import Organisation, Person
    from training.models.packages import Package
    from training.services import bursary, orders

    with world["training"].app_context():
        org = Organisation(name="Fictional Rowan School", kind="school", size_band="small",
                           link_contact_email="link@rowan.example", created_by="u-rowan")
        person = Person(name="Pat Fictional", email="pat@rowan.example", kind="professional")
        db.session.add_all([org, person])
        db.session.flush()
        deposit, order1 = bursary.order_deposit(org.id, 12345, None, "u-rowan", org.id)
        _, order2 = bursary.order_deposit(org.id, 500, None, "u-rowan", org.id)
        order3 = orders.create_order(organisation_id=org.id, person_id=person.id, created_by="u-rowan", lines=[
            {"code": "package_type_3", "description": "Microproject package Type 3", "unit_price": 90000,
             "quantity": 1}], funding="organisation")
        db.session.add(Package(organisation_id=org.id, practitioner_id=person.id, type=3, price=90000,
                               funding="organisation", order_id=order3.id, tracker_uses=6, credits_left=4,
                               online_accounts=3))
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

    r = admin.post(f"/admin/finance/invoices/{deposit_inv}/pay", {"reference": "BACS 991"}, page="/admin/finance")
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
