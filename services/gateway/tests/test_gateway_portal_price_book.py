"""Issue 16: the catalogue editor for training admins and placeholder labels (domain row 111),
through the Flask test client against the real training app on a loopback port. Money typed in
pounds and pence keeps its pence; every save is a new price-book version; training's 400 is
shown at the field; /catalogue and the licence confirmation say when a price is a placeholder."""
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
    """One browser signed in with the given roles (a verified account)."""

    def __init__(self, world, name: str, roles: list[str]):
        from gateway import passwords
        from gateway.extensions import db
        from gateway.models import User
        self.client = world["gateway"].test_client()
        self.email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
        with world["gateway"].app_context():
            user = User(email=self.email, name=name, password_hash=passwords.hash_password(PASSWORD))
            user.roles = roles
            if hasattr(user, "email_verified"):
                user.email_verified = True
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

    tmp = tmp_path_factory.mktemp("price-book-portal")
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


def _book(world) -> tuple[int, dict]:
    from training.services.price_book import current
    with world["training"].app_context():
        return current()


def test_a_training_admin_edits_a_role_requirement_price_and_keeps_the_pence(world):
    admin = Visitor(world, "Cat Admin", roles=["training_admin"])
    page = admin.get("/admin/catalogue")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="/admin/catalogue/roles/lead/requirements/lead_training"' in html
    assert 'for="req-lead-lead_training-price"' in html  # a label on every field
    before, _ = _book(world)

    r = admin.post("/admin/catalogue/roles/lead/requirements/lead_training", {"price": "260.55"},
                   page="/admin/catalogue")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    number, book = _book(world)
    assert number == before + 1
    assert next(c for c in book["courses"] if c["code"] == "lead_training")["price"] == 26055
    html = admin.get("/admin/catalogue").get_data(as_text=True)
    assert 'value="260.55"' in html  # shown back in pounds and pence

    # a package type's price and Tracker uses per case, each save a new version
    r = admin.post("/admin/catalogue/packages/3", {"price": "451.20", "tracker_uses_per_case": "2",
                                                   "online_accounts": "3"}, page="/admin/catalogue")
    assert r.status_code == 302
    number2, book = _book(world)
    assert number2 == number + 1
    t3 = next(p for p in book["package_types"] if p["type"] == 3)
    assert (t3["price"], t3["tracker_uses"]) == (45120, 6)

    # the size-band editor keeps pence too
    r = admin.post("/admin/price-book/small", {"starter_fee": "249.99"}, page="/admin")
    assert r.status_code == 302
    _, book = _book(world)
    bands = {b["code"]: b for b in book["size_bands"]}
    assert bands["small"]["starter_fee"] == 24999 and bands["small"]["placeholder"] is False
    assert bands["medium"]["placeholder"] is True  # the bands not edited keep their placeholder label


def test_bad_money_is_shown_at_the_field_and_changes_nothing(world):
    admin = Visitor(world, "Cat Admin", roles=["training_admin"])
    before, _ = _book(world)
    r = admin.post("/admin/catalogue/packages/2", {"price": "three hundred", "tracker_uses_per_case": "0",
                                                   "online_accounts": "3"}, page="/admin/catalogue")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="package-2-price-error"' in html and "pounds and pence" in html
    r = admin.post("/admin/catalogue/packages/2", {"price": "300", "tracker_uses_per_case": "11",
                                                   "online_accounts": "3"}, page="/admin/catalogue")
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
        from gateway.models import User
        from gateway.extensions import db as gdb
        user_id = gdb.session.scalar(gdb.select(User.id).where(User.email == owner.email))
    with world["training"].app_context():
        org = Organisation(name="Fictional Alder School", kind="school", size_band="medium",
                           link_contact_email=owner.email, senior_leadership_commitment=True, created_by=user_id)
        db.session.add(org)
        db.session.flush()
        db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=user_id))
        db.session.commit()
        org_id = org.id
    page = owner.get(f"/organisations/{org_id}/licences/starter")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    assert "Placeholder fee" in html and "(placeholder fee)" in html
