"""The drill's mixed workload through the gateway, every answer recorded.

A journey is one school's way to a completed practicum: two sign-ups, the school, a Starter
licence, an invitation accepted, an enrolment, two pathway items, the Enhanced licence, a Type 3
package (-> cic opens the workspace), a case, a baseline and a follow-up Tracker assessment, a
reflection, the completion, the drill's Lead invited and accepted, the Lead's sign-off (-> training
records the practicum). A fund cycle awards a practitioner a package and buys it with the award.
Every free-text field carries MARKER: no log may hold it (and no password or token either).
What was accepted is kept (`Ledger`) for the invariants; every answer's status is kept too.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from support.api_client import Client, wait_for
from support.stories import SCHOOL

MARKER = "DRILLMARK" + uuid.uuid4().hex[:10]
PASSWORD = "Drill-pass-" + uuid.uuid4().hex[:12]
CONSENT = {"given_by": f"{MARKER} parent", "scope": f"{MARKER} scope", "given_at": "2026-11-01T09:00:00Z"}
EVENT_WAIT = 180  # what crosses the broker is waited for (a drill may hold it up for a while)


@dataclass
class Ledger:
    """What the system accepted, as the clients saw it, and every answer's status."""

    packages: set = field(default_factory=set)
    signed_off: set = field(default_factory=set)
    awards: set = field(default_factory=set)
    award_packages: set = field(default_factory=set)
    answers: list = field(default_factory=list)  # (monotonic time, method, path, status)
    failures: list = field(default_factory=list)  # journeys that broke: (monotonic time, error)
    journeys: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_errors(self) -> list:
        return [a for a in self.answers if a[3] >= 500]


class Recording(Client):
    """A Client whose every answer goes into the ledger; a refused connection counts as 502
    (what a proxy in front would answer while the service is down)."""

    ledger: Ledger

    def _record(self, method: str, path: str, call):
        try:
            r = call()
            status = r.status_code
        except Exception:
            with self.ledger.lock:
                self.ledger.answers.append((time.monotonic(), method, path.split("?")[0], 599))
            raise
        with self.ledger.lock:
            self.ledger.answers.append((time.monotonic(), method, path.split("?")[0], status))
        return r

    def get(self, path, **kw):
        return self._record("GET", path, lambda: super(Recording, self).get(path, **kw))

    def post(self, path, json=None, **kw):
        return self._record("POST", path, lambda: super(Recording, self).post(path, json, **kw))

    def signed_in(self, email: str, password: str) -> Recording:
        r = self.post("/api/v1/auth/login", {"email": email, "password": password})
        assert r.status_code == 200, r.text
        other = Recording(self.base, r.json()["access_token"], self.emailed_token)
        other.ledger, other.email = self.ledger, email
        return other


LOST = (502, 503, 504)  # an answer lost to an outage: the request may or may not have committed


def buy_package(head: Recording, oid: str, body: dict, timeout: float = EVENT_WAIT) -> dict | None:
    """A package purchase under an Idempotency-Key (decision 0054), repeated with the same key while
    its answer is lost (502/503/504, cut off) or the first is still running (409 naming the key): a
    repeat gets the first purchase's answer, so nothing is ever bought twice. The 201's JSON, or
    None when training answered anything else (e.g. 409: the award has not arrived yet)."""
    key = uuid.uuid4().hex

    def attempt():
        try:
            r = head.post(f"/api/v1/organisations/{oid}/packages", body, headers={"Idempotency-Key": key})
        except Exception:  # cut off (recorded as 599)
            return None
        if r.status_code in LOST or (r.status_code == 409 and "Idempotency-Key" in r.text):
            return None
        return r

    r = wait_for(attempt, timeout=timeout, interval=0.3, what="a package purchase answered")
    return r.json() if r.status_code == 201 else None


def ok(r, status: int = 201) -> dict:
    if r.status_code != status:
        raise AssertionError(f"{r.request.method} {r.request.path_url} -> {r.status_code}: {r.text[:300]}")
    return r.json()


def client(stack, ledger: Ledger) -> Recording:
    c = Recording(stack.url(), emailed_token=stack.emailed_token)
    c.ledger = ledger
    return c


def sign_up(api: Recording, role: str) -> Recording:
    email = f"drill-{uuid.uuid4().hex[:12]}@example.org"
    ok(api.post("/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": f"{MARKER} {role}"}))
    ok(api.post("/api/v1/auth/verify-email", {"token": api.emailed_token(email)}), 200)
    return api.signed_in(email, PASSWORD)


@dataclass
class Cast:
    """Who every journey needs: a training admin, CIC staff (two fund reviewers), and a Lead
    certified outside the system whom every school invites to sign its practicum off."""

    training_admin: Recording
    cic_admin: Recording
    reviewer: Recording
    lead: Recording
    lead_person: dict


def cast(stack, ledger: Ledger) -> Cast:
    api = client(stack, ledger)
    admin = api.signed_in("training-admin@imatter.local", stack.admin_password)
    lead = sign_up(api, "Lead")
    person = ok(
        lead.post("/api/v1/people", {"name": f"{MARKER} Lead", "email": lead.email, "kind": "professional"})
    )
    reason = {"role": "lead", "reason": f"{MARKER} certified before the platform"}
    ok(admin.post(f"/api/v1/people/{person['id']}/certifications", reason))
    return Cast(
        admin,
        api.signed_in("cic-admin@imatter.local", stack.admin_password),
        api.signed_in("fund-reviewer@imatter.local", stack.admin_password),
        lead,
        person,
    )


@dataclass
class School:
    head: Recording
    pro: Recording
    org: dict
    person: dict
    package: dict


def school_with_package(api: Recording, ledger: Ledger) -> School:
    head, pro = sign_up(api, "Head"), sign_up(api, "Practitioner")
    org = ok(
        head.post("/api/v1/organisations", {**SCHOOL, "name": f"{MARKER} School {uuid.uuid4().hex[:6]}"})
    )
    oid = org["id"]
    ok(head.post(f"/api/v1/organisations/{oid}/licences", {"type": "starter"}))
    person = ok(
        pro.post(
            "/api/v1/people", {"name": f"{MARKER} Practitioner", "email": pro.email, "kind": "professional"}
        )
    )
    invitation = ok(
        head.post(f"/api/v1/organisations/{oid}/members", {"person_id": person["id"], "role": "teacher"})
    )
    ok(pro.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)
    enrol = {"person_id": person["id"], "course_code": "foundation_a1", "funding": "self"}
    ok(pro.post("/api/v1/enrolments", enrol))
    ok(pro.post(f"/api/v1/people/{person['id']}/pathways/lead/items", {"item": "deep_dive"}))
    item = {"item": "lead_training", "organisation_id": oid}
    ok(head.post(f"/api/v1/people/{person['id']}/pathways/lead/items", item))
    ok(head.post(f"/api/v1/organisations/{oid}/licences", {"type": "enhanced"}))
    body = {"type": 3, "practitioner_id": person["id"], "funding": "organisation"}
    package = buy_package(head, oid, body)
    assert package, "the package purchase was refused"
    with ledger.lock:
        ledger.packages.add(package["id"])
    return School(head, pro, org, person, package)


def practicum(school: School, cast_: Cast, ledger: Ledger) -> None:
    pro, package = school.pro, school.package

    def workspace():
        items = pro.get("/api/v1/tracker/microprojects?per_page=100").json().get("items", [])
        return next((m for m in items if m["package_id"] == package["id"]), None)

    mp = wait_for(workspace, timeout=EVENT_WAIT, interval=0.3, what="the workspace")
    case = ok(
        pro.post(
            f"/api/v1/tracker/microprojects/{mp['id']}/cases", {"code": f"{MARKER}-1", "consent": CONSENT}
        )
    )
    for kind, score in (("baseline", 3), ("follow_up", 6)):
        body = {"kind": kind, "scores": {"communication": score}, "notes": f"{MARKER} note"}
        ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/assessments", body))
    ok(pro.post(f"/api/v1/tracker/cases/{case['id']}/reflections", {"text": f"{MARKER} reflection"}))
    ok(
        pro.post(f"/api/v1/tracker/microprojects/{mp['id']}/completion", {"reflection": f"{MARKER} final"}),
        200,
    )
    invite = {"person_id": cast_.lead_person["id"], "role": "lead"}
    invitation = ok(school.head.post(f"/api/v1/organisations/{school.org['id']}/members", invite))
    ok(cast_.lead.post(f"/api/v1/memberships/{invitation['id']}/accept"), 200)

    def signed():  # cic learns the Lead's membership by event
        r = cast_.lead.post(f"/api/v1/tracker/microprojects/{mp['id']}/sign-off")
        return None if r.status_code in (403, 404) else ok(r, 200)

    assert wait_for(signed, timeout=EVENT_WAIT, interval=0.3, what="sign-off")["state"] == "completed"
    with ledger.lock:
        ledger.signed_off.add(package["id"])


def fund_cycle(schools: list[School], cast_: Cast, ledger: Ledger) -> None:
    """Each school's practitioner applies; the round closes; two reviews, a gift received and an
    award each; the school buys a package with its award (training learns it by event)."""
    applications = []
    for s in schools:
        body = {
            "practitioner_id": s.person["id"],
            "organisation_id": s.org["id"],
            "package_type": 3,
            "summary": f"{MARKER} need",
        }

        def applied(s=s, body=body):
            r = s.pro.post("/api/v1/fund/applications", body)
            return r.json() if r.status_code == 201 else None

        applications.append(wait_for(applied, timeout=EVENT_WAIT, interval=0.3, what="a fund application"))
    ok(cast_.cic_admin.post(f"/api/v1/fund/rounds/{applications[0]['round_id']}/close"), 200)
    for s, a in zip(schools, applications, strict=True):
        for reviewer, score in ((cast_.cic_admin, 5), (cast_.reviewer, 4)):
            ok(
                reviewer.post(
                    f"/api/v1/fund/applications/{a['id']}/reviews", {"score": score, "no_conflict": True}
                )
            )
        gift = ok(
            s.pro.post("/api/v1/fund/gifts", {"amount": a["amount_requested"], "name": f"{MARKER} supporter"})
        )
        ok(cast_.cic_admin.post(f"/api/v1/fund/gifts/{gift['id']}/received"), 200)
        award = ok(
            cast_.cic_admin.post(f"/api/v1/fund/applications/{a['id']}/decision", {"outcome": "awarded"}), 200
        )
        with ledger.lock:
            ledger.awards.add(award["award_id"])
        body = {
            "type": 3,
            "practitioner_id": s.person["id"],
            "funding": "fund_award",
            "fund_award_id": award["award_id"],
        }

        def bought(s=s, body=body):
            return buy_package(s.head, s.org["id"], body)

        package = wait_for(bought, timeout=EVENT_WAIT, interval=0.3, what="training accepts the award")
        with ledger.lock:
            ledger.packages.add(package["id"])
            ledger.award_packages.add(package["id"])


class Load:
    """`threads` journeys at a time until stopped; each finished journey's school is kept for a
    fund cycle. Bounded: at most `threads` clients, loopback only."""

    def __init__(self, stack, cast_: Cast, ledger: Ledger, threads: int = 2):
        self.stack, self.cast, self.ledger, self.n = stack, cast_, ledger, threads
        self.stop = threading.Event()
        self.schools: list[School] = []
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def __enter__(self) -> Load:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=EVENT_WAIT * 2 + 60)

    def _run(self) -> None:
        api = client(self.stack, self.ledger)
        while not self.stop.is_set():
            try:
                school = school_with_package(api, self.ledger)
                practicum(school, self.cast, self.ledger)
                with self.ledger.lock:
                    self.ledger.journeys += 1
                    self.schools.append(school)
            except Exception as exc:  # noqa: BLE001 - a broken journey is a drill failure, kept
                with self.ledger.lock:
                    self.ledger.failures.append((time.monotonic(), f"{type(exc).__name__}: {str(exc)[:400]}"))
                time.sleep(0.5)

    def take_schools(self, n: int) -> list[School]:
        with self.ledger.lock:
            taken, self.schools = self.schools[:n], self.schools[n:]
        return taken
