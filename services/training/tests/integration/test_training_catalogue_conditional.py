"""Issue 18 (P1): the public catalogue reads carry validators. `ETag` comes from the price-book
version in force (and the body this release builds from it), `Cache-Control` lets a shared cache
reuse the answer briefly and makes every client revalidate; `If-None-Match` with the current tag
is a 304 that does not build the body (one small query); a staff edit (a new price-book version)
changes every tag at once. Counts of statements and answers, never a timing."""

import uuid

import pytest
import sqlalchemy as sa

from training.api import conditional

PUBLIC_READS = [
    "/api/v1/catalogue/courses",
    "/api/v1/catalogue/roles",
    "/api/v1/catalogue/packages",
    "/api/v1/catalogue/price-book",
    "/api/v1/catalogue/licences",
    "/api/v1/catalogue/stages",
    "/api/v1/catalogue/fundings",
    "/api/v1/catalogue/requirements",
    "/api/v1/catalogue/lead-professional-routes",
]


def _admin(keys):
    uid = uuid.uuid4().hex
    return keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", roles=["training_admin"])


@pytest.fixture
def statements(db):
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_a_public_catalogue_read_carries_validators_and_answers_304(client, path):
    r = client.get(path)
    assert r.status_code == 200
    tag = r.headers["ETag"]
    assert tag.startswith('"') and not tag.startswith("W/")  # a strong tag
    cache_control = {d.strip() for d in r.headers["Cache-Control"].split(",")}
    assert {"public", "max-age=0", "must-revalidate"} <= cache_control
    assert any(d.startswith("s-maxage=") for d in cache_control)

    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == tag
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert client.get(path).headers["ETag"] == tag  # the same answer, the same tag


def test_a_revalidation_builds_no_body_and_costs_one_small_query(client, keys, statements):
    client.put("/api/v1/price-book", headers=_admin(keys), json={"notice": "Fictional stored book."})
    tag = client.get("/api/v1/catalogue/courses").headers["ETag"]
    statements.clear()
    conditional.forget()  # a fresh worker: it never built this answer
    assert client.get("/api/v1/catalogue/courses", headers={"If-None-Match": tag}).status_code == 304
    statements.clear()
    r = client.get("/api/v1/catalogue/courses", headers={"If-None-Match": tag})
    assert r.status_code == 304
    assert len(statements) == 1, statements  # the latest version's id; no body, no price-book data


def test_a_price_book_edit_changes_the_tag_and_the_body(client, keys):
    admin = _admin(keys)
    before = client.get("/api/v1/catalogue/courses")
    tag = before.headers["ETag"]
    courses = client.get("/api/v1/price-book", headers=admin).get_json()["courses"]
    courses[0]["price"] += 100
    r = client.put("/api/v1/price-book", headers=admin, json={"courses": courses})
    assert r.status_code == 200, r.get_json()

    after = client.get("/api/v1/catalogue/courses", headers={"If-None-Match": tag})
    assert after.status_code == 200  # the old tag no longer matches
    assert after.headers["ETag"] != tag
    assert after.get_json()["items"][0]["price"] == courses[0]["price"]
    assert after.headers["ETag"].startswith(f'"{r.get_json()["version"]}-')
    # the tag of every catalogue read follows the version, not only the one edited
    book = client.get("/api/v1/catalogue/price-book")
    assert book.headers["ETag"].startswith(f'"{r.get_json()["version"]}-')


def test_reads_that_are_not_public_catalogue_carry_no_shared_cache_validators(client, keys):
    admin = _admin(keys)
    r = client.get("/api/v1/price-book", headers=admin)  # the admin's own read of the book
    assert r.status_code == 200
    assert "ETag" not in r.headers and "public" not in r.headers.get("Cache-Control", "")
    r = client.get("/api/v1/catalogue/roles/nobody/estimate")  # a 404 is not cached
    assert r.status_code == 404 and "ETag" not in r.headers
    # one answer per role and `have` list, and a policy table pinned to follow the rules at once
    for path in ("/api/v1/catalogue/roles/link/estimate", "/api/v1/catalogue/organisation-kinds"):
        r = client.get(path)
        assert r.status_code == 200 and "ETag" not in r.headers
