"""Issue 18 P3 (decision 0036): the public directory's `total` comes from a counter kept in step
with the entries in the same transaction, not from a count per request. After every change that
lists or unlists someone (opting in or out, a certification recorded or withdrawn, the Lead
Professional programme joined or left, row 72i's overdue linked CPD) the counter equals a real
count of the listed entries and the API's total equals what the pages list, also after many
simultaneous changes on PostgreSQL."""

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from support.testing import simultaneously
from training.models import Certification
from training.models.directory import DirectoryCounter, DirectoryEntry
from training.models.lead_professionals import LeadProfessionalApplication
from training.services import directory

ENTRY = "/api/v1/people/{}/directory-entry"


def _person(client, keys, name):
    uid = uuid.uuid4().hex
    h = keys.headers(user_id=uid, email=f"{uid[:8]}@example.org", name=name)
    r = client.post(
        "/api/v1/people",
        headers=h,
        json={"name": name, "email": f"{uid[:8]}@example.org", "kind": "professional"},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"], h


def _staff(keys):
    return keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])


def _recognise(client, staff, person_id, role="lead"):
    r = client.post(
        f"/api/v1/people/{person_id}/certifications",
        headers=staff,
        json={"role": role, "reason": "Fictional paper records, test"},
    )
    assert r.status_code == 201, r.get_json()


def _counter(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(DirectoryCounter.n).where(DirectoryCounter.scope == "listed")) or 0


def _real_count(db) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DirectoryEntry)
        .where(DirectoryEntry.opted_in == sa.true(), DirectoryEntry.eligible == sa.true())
    )


def _listing(client, q=None) -> tuple[int, list[str]]:
    """The API's total and every listed name, page by page (10 a page)."""
    names, page, total = [], 1, None
    while True:
        body = client.get("/api/v1/directory", query_string={"q": q or "", "page": page, "per_page": 10})
        body = body.get_json()
        total = body["total"] if total is None else total
        names += [e["name"] for e in body["items"]]
        if len(body["items"]) < 10:
            return total, names
        page += 1


def _check(client, db, shown: set[str], q="Fictional"):
    """The counter is the real count of listed entries; the API lists exactly `shown`, with and
    without search words, and its total is the number it lists."""
    assert _counter(db) == _real_count(db)
    for words in (None, q):
        total, names = _listing(client, words)
        assert sorted(names) == sorted(shown) and total == len(names), (words, total, names)


def _lp(db, person_id, state, **values):
    a = LeadProfessionalApplication(
        person_id=person_id,
        route="standard",
        references=[],
        senior_leadership_backing=True,
        state=state,
        **values,
    )
    db.session.add(a)
    directory.refresh_eligibility([person_id])  # what moves an application does, in its transaction
    db.session.commit()
    return a


def test_directory_total_is_the_listed_count_after_each_kind_of_change(client, db, keys):
    staff = _staff(keys)
    _check(client, db, set())
    ana, ana_h = _person(client, keys, "Ana Fictional-Listed")
    ben, ben_h = _person(client, keys, "Ben Fictional-Listed")
    cal, cal_h = _person(client, keys, "Cal Fictional-Trainee")
    # not certified: refused, nothing counted
    assert client.post(ENTRY.format(ana), headers=ana_h, json={}).status_code == 409
    _check(client, db, set())
    # certified (recorded by a training admin), then opted in
    _recognise(client, staff, ana)
    _recognise(client, staff, ben)
    _check(client, db, set())  # certified but not opted in: not listed
    assert client.post(ENTRY.format(ana), headers=ana_h, json={}).status_code == 201
    assert client.post(ENTRY.format(ben), headers=ben_h, json={"locality": "Kendal"}).status_code == 201
    _check(client, db, {"Ana Fictional-Listed", "Ben Fictional-Listed"})
    # opting out, twice and by the other route, and back in
    assert client.delete(ENTRY.format(ana), headers=ana_h).status_code == 200
    assert client.delete(ENTRY.format(ana), headers=ana_h).status_code == 200
    assert client.post(ENTRY.format(ana) + "/withdraw", headers=ana_h).status_code == 200
    _check(client, db, {"Ben Fictional-Listed"})
    assert client.post(ENTRY.format(ana), headers=ana_h, json={}).status_code == 201
    assert client.post(ENTRY.format(ana), headers=ana_h, json={}).status_code == 201  # again: no change
    _check(client, db, {"Ana Fictional-Listed", "Ben Fictional-Listed"})
    # a listed entry's words change: a search counts them anew (its total is remembered per change)
    assert _listing(client, "Zed")[0] == 0
    r = client.post(ENTRY.format(ana), headers=ana_h, json={"display_name": "Zed Fictional-Renamed"})
    assert r.status_code == 201
    assert _listing(client, "Zed") == (1, ["Zed Fictional-Renamed"])
    assert _listing(client, "Kendal") == (1, ["Ben Fictional-Listed"])
    _check(client, db, {"Zed Fictional-Renamed", "Ben Fictional-Listed"})
    # a certification withdrawn: off the listing, still opted in; a new one: back on it
    cert = db.session.scalar(sa.select(Certification).where(Certification.person_id == ben))
    cert.status = "withdrawn"
    directory.refresh_eligibility([ben])  # what changes a certification does, in its transaction
    db.session.commit()
    _check(client, db, {"Zed Fictional-Renamed"})
    _recognise(client, staff, ben, role="lead_plus")
    _check(client, db, {"Zed Fictional-Renamed", "Ben Fictional-Listed"})
    # the Lead Professional programme (row 74): a trainee may list themself, leaving it unlists
    app = _lp(db, cal, "trainee")
    assert client.post(ENTRY.format(cal), headers=cal_h, json={}).status_code == 201
    everyone = {"Zed Fictional-Renamed", "Ben Fictional-Listed", "Cal Fictional-Trainee"}
    _check(client, db, everyone)
    app.state = "declined"
    directory.refresh_eligibility([cal])
    db.session.commit()
    _check(client, db, everyone - {"Cal Fictional-Trainee"})
    # row 72i: an approved Lead Professional whose linked CPD is overdue is counted as listed but
    # not shown (time made it overdue): the total leaves them out too, and shows them once certified
    long_ago = datetime.utcnow() - timedelta(days=800)
    _lp(db, cal, "approved", trainee_from=long_ago, implementation_from=long_ago, approved_at=long_ago)
    assert _real_count(db) == 3 and _counter(db) == 3
    _check(client, db, everyone - {"Cal Fictional-Trainee"})
    _recognise(client, staff, cal)
    _check(client, db, everyone)
    # per_page and page do not change the total
    body = client.get("/api/v1/directory?page=2&per_page=2").get_json()
    assert body["total"] == 3 and len(body["items"]) == 1


def test_counter_is_exact_after_simultaneous_listing_changes(app, client, db, keys):
    """On PostgreSQL the requests interleave (READ COMMITTED); on SQLite they queue for the write
    lock. Either way no flip is lost or counted twice."""
    staff = _staff(keys)
    people = [_person(client, keys, f"Fictional Racer {i:02d}") for i in range(12)]
    for pid, _h in people:
        _recognise(client, staff, pid)
    # 0-3 listed; 4-7 opted in but their certification withdrawn; 8-11 never opted in
    for pid, h in people[:8]:
        assert client.post(ENTRY.format(pid), headers=h, json={}).status_code == 201
    for pid, _h in people[4:8]:
        cert = db.session.scalar(sa.select(Certification).where(Certification.person_id == pid))
        cert.status = "withdrawn"
    directory.refresh_eligibility([pid for pid, _h in people[4:8]])
    db.session.commit()
    assert _counter(db) == _real_count(db) == 4

    calls = []
    for pid, h in people[:4]:  # listed: out, in and out again at once
        calls += [("delete", pid, h), ("post", pid, h), ("delete", pid, h)]
    for pid, h in people[4:8]:  # ineligible: certified again while opting out and in
        calls += [("certify", pid, h), ("delete", pid, h), ("post", pid, h)]
    for pid, h in people[8:]:  # never listed: two first opt-ins at once (one entry is made)
        calls += [("post", pid, h), ("post", pid, h)]

    def call(c, i):
        kind, pid, h = calls[i]
        if kind == "delete":
            return c.delete(ENTRY.format(pid), headers=h)
        if kind == "post":
            return c.post(ENTRY.format(pid), headers=h, json={})
        return c.post(
            f"/api/v1/people/{pid}/certifications",
            headers=staff,
            json={"role": "lead_plus", "reason": "Fictional paper records, race"},
        )

    for _round in range(2):
        statuses = [r.status_code for r in simultaneously(app, len(calls), call)]
        assert set(statuses) <= {200, 201, 409}, statuses
        db.session.expire_all()
        counted = _real_count(db)
        assert _counter(db) == counted
        total, names = _listing(client)
        assert total == counted == len(names)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryEntry)) == 12


def test_a_directory_page_is_a_few_statements_whatever_its_size(client, db, keys):
    """The total is one primary-key read and the page's credentials two queries for the whole
    page (each entry used to be dumped alone: two queries a row)."""
    staff = _staff(keys)
    for i in range(12):
        pid, h = _person(client, keys, f"Fictional Paged {i:02d}")
        _recognise(client, staff, pid)
        assert client.post(ENTRY.format(pid), headers=h, json={}).status_code == 201
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        body = client.get("/api/v1/directory?per_page=50").get_json()
        plain = len(statements)
        statements.clear()
        client.get("/api/v1/directory?q=paged&per_page=50")
        searched = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert body["total"] == 12 and all(e["certifications"] for e in body["items"])
    assert plain <= 6 and searched <= 7, (plain, searched)
