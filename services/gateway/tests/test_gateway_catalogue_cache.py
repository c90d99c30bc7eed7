"""Issue 18 (P1): the gateway keeps training's public catalogue answers (ETag + Cache-Control from
the price-book version) and serves them without asking training while they are fresh; a client
with a warm cache gets a 304; after s-maxage the gateway revalidates with its tag (training's 304
costs it one small query); a price-book edit through the gateway (any worker) is served at once;
the portal's reference reads share the cache. Counted in upstream requests and training's SQL
statements, never in time. The real training app answers on a loopback port in this process."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from flask import Flask, g, request
from werkzeug.serving import make_server

from gateway import response_cache
from gateway.extensions import db
from gateway.models import User

PASSWORD = "Plenty-long-passphrase-1"
COURSES = "/api/v1/catalogue/courses"


class Counted:
    """Requests training received and SQL statements it ran."""

    def __init__(self):
        self.requests: list[str] = []
        self.statements: list[str] = []

    def reset(self):
        self.requests.clear()
        self.statements.clear()


@pytest.fixture(scope="module")
def training(_app, tmp_path_factory):
    from training import create_app
    from training.extensions import db as tdb

    tmp = tmp_path_factory.mktemp("cache-training")
    with open(_app.config["JWT_PUBLIC_KEY_FILE"]) as fh:
        public = fh.read()
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/training.db",
            "JWT_PUBLIC_KEY": public,
            "EVENTS_EMBEDDED_PATH": str(tmp / "events.db"),
            "ACCESS_LOG": False,
        }
    )
    counted = Counted()
    with app.app_context():
        tdb.create_all()
        sa.event.listen(
            tdb.engine, "before_cursor_execute", lambda *a: counted.statements.append(a[2]), named=False
        )
    wsgi = app.wsgi_app

    def counting(environ, start_response):
        counted.requests.append(environ["REQUEST_METHOD"] + " " + environ["PATH_INFO"])
        return wsgi(environ, start_response)

    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", counted
    finally:
        server.shutdown()
        with app.app_context():
            tdb.engine.dispose()


@pytest.fixture
def gateway(app, client, training, monkeypatch, tmp_path):
    url, counted = training
    monkeypatch.setitem(app.config, "TRAINING_URL", url)
    monkeypatch.setitem(app.config, "CATALOGUE_CACHE_GENERATION_FILE", str(tmp_path / "generation"))
    monkeypatch.setitem(
        app.extensions, "response_cache", response_cache.ResponseCache(str(tmp_path / "generation"))
    )
    counted.reset()
    return client


def sign_up(client, email, roles=None, verified=False):
    r = client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "Cache"})
    assert r.status_code == 201
    if roles or verified:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.roles = roles or user.roles
        user.email_verified = user.email_verified or verified
        db.session.commit()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return r.get_json()["access_token"]


def bearer(token):
    return {"Authorization": "Bearer " + token}


def _edit_first_course_price(client, token, by=100):
    book = client.get("/api/v1/price-book", headers=bearer(token)).get_json()
    courses = book["courses"]
    courses[0]["price"] += by
    r = client.put("/api/v1/price-book", headers=bearer(token), json={"courses": courses})
    assert r.status_code == 200, r.get_json()
    return courses[0]


def test_a_warm_cache_costs_training_no_request_and_no_query(gateway, training):
    _url, counted = training
    first = gateway.get(COURSES)
    assert first.status_code == 200 and first.headers["ETag"]
    assert len(counted.requests) == 1
    counted.reset()
    again = gateway.get(COURSES)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "public" in again.headers["Cache-Control"]
    not_modified = gateway.get(COURSES, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert counted.requests == [] and counted.statements == []


def test_a_client_tag_on_a_cold_cache_is_revalidated_upstream_and_answered_304(gateway, training):
    _url, counted = training
    tag = gateway.get(COURSES).headers["ETag"]
    gateway.application.extensions["response_cache"] = response_cache.ResponseCache(None)  # another worker
    counted.reset()
    r = gateway.get(COURSES, headers={"If-None-Match": tag})
    assert r.status_code == 304 and r.headers["ETag"] == tag
    assert len(counted.requests) == 1
    assert gateway.get(COURSES, headers={"If-None-Match": '"not-this-one"'}).status_code == 200


def test_after_its_freshness_the_gateway_revalidates_with_its_tag(gateway, training):
    _url, counted = training
    first = gateway.get(COURSES)
    cache = gateway.application.extensions["response_cache"]
    key = next(iter(cache._entries))
    entry = cache._entries[key]
    cache._entries[key] = response_cache.Entry(
        entry.body, entry.headers, entry.etag, entry.cache_control, entry.stored, 0.0
    )  # its s-maxage has passed
    counted.reset()
    r = gateway.get(COURSES)
    assert r.status_code == 200 and r.get_json() == first.get_json()
    assert len(counted.requests) == 1  # one revalidation, answered 304 by training
    assert len(counted.statements) == 1, counted.statements  # the latest price-book version's id
    counted.reset()
    assert gateway.get(COURSES).status_code == 200 and counted.requests == []  # fresh again


def test_a_price_book_edit_through_the_gateway_is_served_at_once(gateway, training):
    admin = sign_up(gateway, "cache-admin@example.org", roles=["learner", "training_admin"])
    before = gateway.get(COURSES)
    course = _edit_first_course_price(gateway, admin)
    after = gateway.get(COURSES, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    by_code = {c["code"]: c["price"] for c in after.get_json()["items"]}
    assert by_code[course["code"]] == course["price"]


def test_a_write_that_cannot_change_the_catalogue_keeps_the_cache_warm(gateway, training):
    """Only price-book and catalogue writes empty the cache: creating an organisation (a POST to
    training through the gateway) leaves the catalogue answered from memory, and no generation file
    is written for it."""
    _url, counted = training
    token = sign_up(gateway, "cache-org-writer@example.org", verified=True)
    assert gateway.get(COURSES).status_code == 200
    generation = gateway.application.extensions["response_cache"]._stamp()
    org = gateway.post(
        "/api/v1/organisations",
        headers=bearer(token),
        json={
            "name": "Fictional Cache School",
            "kind": "school",
            "size_band": "small",
            "senior_leadership_commitment": True,
            "link_contact_email": "cache-org-writer@example.org",
        },
    )
    assert org.status_code == 201, org.get_json()
    assert any(r.startswith("POST /api/v1/organisations") for r in counted.requests)
    counted.reset()
    assert gateway.get(COURSES).status_code == 200
    assert counted.requests == [] and counted.statements == []
    assert gateway.application.extensions["response_cache"]._stamp() == generation


def test_a_failed_price_book_write_still_empties_the_cache(gateway, training):
    """A price-book write empties the cache even when training refuses it (the edit may have been
    committed before the answer was lost): the next read goes upstream."""
    _url, counted = training
    token = sign_up(gateway, "cache-refused@example.org")  # not a training admin: 403
    assert gateway.get(COURSES).status_code == 200
    r = gateway.put("/api/v1/price-book", headers=bearer(token), json={"courses": []})
    assert r.status_code in (401, 403)
    counted.reset()
    assert gateway.get(COURSES).status_code == 200
    assert counted.requests == ["GET " + COURSES]


def test_an_edit_through_another_worker_is_served_at_once(app, gateway, training, tmp_path):
    """Two app instances stand for two gunicorn workers of one host: each its own cache, one
    generation file between them."""
    from gateway import create_app

    url, _counted = training
    other = create_app(
        {
            k: app.config[k]
            for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE")
        }
        | {
            "TRAINING_URL": url,
            "ACCESS_LOG": False,
            "CATALOGUE_CACHE_GENERATION_FILE": str(tmp_path / "generation"),
        }
    )
    other_client = other.test_client()
    admin = sign_up(gateway, "cache-admin2@example.org", roles=["learner", "training_admin"])
    before = other_client.get(COURSES)
    assert other_client.get(COURSES).headers["ETag"] == before.headers["ETag"]  # warm in the other
    course = _edit_first_course_price(gateway, admin, by=200)  # through this worker
    after = other_client.get(COURSES)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert {c["code"]: c["price"] for c in after.get_json()["items"]}[course["code"]] == course["price"]
    with other.app_context():
        db.engine.dispose()


def test_a_signed_in_read_is_served_from_the_cache_and_still_not_stored_by_the_client(gateway, training):
    _url, counted = training
    token = sign_up(gateway, "cache-reader@example.org")
    anonymous = gateway.get(COURSES)
    counted.reset()
    r = gateway.get(COURSES, headers=bearer(token))
    assert r.status_code == 200 and r.get_json() == anonymous.get_json()
    assert counted.requests == []  # the same public answer, from the cache
    assert r.headers["Cache-Control"] == "no-store"  # a request with a token (security review L11)
    assert r.headers["ETag"] == anonymous.headers["ETag"]
    r = gateway.get(COURSES, headers={**bearer(token), "If-None-Match": anonymous.headers["ETag"]})
    assert r.status_code == 304 and counted.requests == []


def test_a_signed_out_token_is_refused_even_when_the_answer_is_cached(gateway, training):
    _url, counted = training
    token = sign_up(gateway, "cache-user@example.org")
    assert gateway.get(COURSES, headers=bearer(token)).status_code == 200
    counted.reset()
    assert gateway.get(COURSES, headers=bearer(token)).status_code == 200
    assert counted.requests == []  # from the cache
    assert gateway.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert gateway.get(COURSES, headers=bearer(token)).status_code == 401


def test_the_portal_reference_reads_share_the_cache(app, gateway, training):
    from gateway.portal import reference

    _url, counted = training
    for _page in range(3):  # three portal pages, each reading the licence texts
        with app.test_request_context("/"):
            g.request_id = "portal-test"
            assert [lic["type"] for lic in reference.licences()] == ["starter", "cpd", "enhanced"]
    assert [r for r in counted.requests if "/catalogue/" in r] == ["GET /api/v1/catalogue/licences"]
    # and an API client reading the same path with the same query is served from it too
    counted.reset()
    assert gateway.get("/api/v1/catalogue/licences?per_page=100").status_code == 200
    assert counted.requests == []


def test_a_catalogue_read_goes_upstream_without_any_token_or_cookie(app, gateway, monkeypatch):
    """The public answer is asked for as an anonymous visitor would: neither the client's token,
    nor a hop token, nor the portal's cookie reaches training on this path."""
    seen = []
    svc = Flask("fake-catalogue")

    @svc.route("/api/v1/catalogue/<path:rest>")
    def catalogue(rest):
        seen.append(dict(request.headers))
        return {"items": []}

    server = make_server("127.0.0.1", 0, svc, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setitem(app.config, "TRAINING_URL", f"http://127.0.0.1:{server.server_port}")
        token = sign_up(gateway, "cache-anon@example.org")
        gateway.set_cookie("__Host-imatter", "portal-session-value", domain="localhost")
        assert gateway.get(COURSES, headers=bearer(token)).status_code == 200
    finally:
        server.shutdown()
    lower = [{k.lower(): v for k, v in h.items()} for h in seen]
    assert len(lower) == 1
    assert "authorization" not in lower[0] and "cookie" not in lower[0]
