"""The portal through the Flask test client against the real training app on a loopback port:
what the gateway's portal-page tests share (a signed-in staff visitor, CSRF, the two apps)."""

from __future__ import annotations

import contextlib
import re
import threading
import uuid

from werkzeug.serving import make_server

PASSWORD = "Plenty-long-passphrase-1"
HTML = {"Accept": "text/html"}


def csrf_of(resp) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True))
    assert m, "page has no CSRF field"
    return m.group(1)


def serve(app):
    """The app on a free loopback port in a thread (shut it down with .shutdown())."""
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
            user.email_verified = True
            db.session.add(user)
            db.session.commit()
        token = csrf_of(self.client.get("/sign-in"))
        r = self.client.post(
            "/sign-in", data={"csrf_token": token, "email": self.email, "password": PASSWORD}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    def get(self, path):
        return self.client.get(path, headers=HTML)

    def post(self, path, data, page=None):
        token = csrf_of(self.client.get(page or path, headers=HTML))
        return self.client.post(path, data={"csrf_token": token, **data}, headers=HTML)


@contextlib.contextmanager
def gateway_and_training(tmp):
    """The gateway (its portal) and the real training app on SQLite under `tmp`, training served on
    a loopback port the gateway forwards to: {"gateway": app, "training": app}."""
    from gateway import create_app as gateway_app
    from gateway.extensions import db as gdb
    from training import create_app as training_app
    from training.extensions import db as tdb

    gw = gateway_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/gateway.db",
            "JWT_PRIVATE_KEY_FILE": str(tmp / "private.pem"),
            "JWT_PUBLIC_KEY_FILE": str(tmp / "public.pem"),
            "TRAINING_URL": "http://127.0.0.1:9",
            "CIC_URL": "http://127.0.0.1:9",
            "ACCESS_LOG": False,
        }
    )
    with gw.app_context():
        gdb.create_all()
    tr = training_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/training.db",
            "JWT_PUBLIC_KEY": (tmp / "public.pem").read_text(),
            "EVENTS_EMBEDDED_PATH": str(tmp / "training-events.db"),
            "ACCESS_LOG": False,
        }
    )
    with tr.app_context():
        tdb.create_all()
    server = serve(tr)
    gw.config["TRAINING_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield {"gateway": gw, "training": tr}
    finally:
        server.shutdown()
        for app, db in ((gw, gdb), (tr, tdb)):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def deposit_order(world, amount: int, name: str, email: str):
    """A fictional school with a bursary deposit ordered (an order and an issued invoice), made in
    the training app directly: the order."""
    from training.extensions import db
    from training.models import Organisation
    from training.services import bursaries

    with world["training"].app_context():
        org = Organisation(
            name=name, kind="school", size_band="small", link_contact_email=email, created_by="u-demo"
        )
        db.session.add(org)
        db.session.flush()
        _, order = bursaries.order_deposit(org.id, amount, None, "u-demo", org.id)
        db.session.commit()
        return {"order_id": order.id, "invoice_id": order.invoice.id}
