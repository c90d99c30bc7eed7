"""Portal pages for the reflective tools (issue 11) through the Flask test client.

The real training and cic-tracker apps answer on loopback ports in this process (each on its
own SQLite database, SAMPLE questionnaire content loaded as their seeds do); the portal calls
them with the signed-in user's token exactly as in production. cic-tracker learns the facts it
needs from training's events through its real consumer (person linked, package bought, wheel
licence changed). With the services down (the shared `client` fixture) the pages are friendly.
"""

from __future__ import annotations

import re
import threading
import uuid

import pytest
import sqlalchemy as sa
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


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Gateway (portal), training and cic-tracker, each a real app; servers for the two services."""
    from gateway import create_app as gateway_app
    from gateway.extensions import db as gdb

    tmp = tmp_path_factory.mktemp("reflective-portal")
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
    public = (tmp / "public.pem").read_text()

    from training import create_app as training_app
    from training.extensions import db as tdb
    from training.services.reflective import load_samples as training_samples

    tr = training_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/training.db",
            "JWT_PUBLIC_KEY": public,
            "EVENTS_EMBEDDED_PATH": str(tmp / "training-events.db"),
            "ACCESS_LOG": False,
            "CREDENTIALS_KEY_FILE": str(tmp / "credentials_issuer.pem"),
        }
    )
    with tr.app_context():
        tdb.create_all()
        training_samples()
        tdb.session.commit()

    from cic_tracker import create_app as cic_app
    from cic_tracker.extensions import db as cdb
    from cic_tracker.services.reflective import load_samples as cic_samples

    cic = cic_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/cic.db",
            "JWT_PUBLIC_KEY": public,
            "EVENTS_EMBEDDED_PATH": str(tmp / "cic-events.db"),
            "ACCESS_LOG": False,
        }
    )
    with cic.app_context():
        cdb.create_all()
        cic_samples()
        cdb.session.commit()

    servers = [_serve(tr), _serve(cic)]
    gw.config["TRAINING_URL"] = f"http://127.0.0.1:{servers[0].server_port}"
    gw.config["CIC_URL"] = f"http://127.0.0.1:{servers[1].server_port}"
    try:
        yield {"gateway": gw, "training": tr, "cic": cic}
    finally:
        for s in servers:
            s.shutdown()
        for app, db in ((gw, gdb), (tr, tdb), (cic, cdb)):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def feed_cic(world, event_type: str, data: dict) -> None:
    """Deliver one training event to cic-tracker as the broker would (real consumer path)."""
    from cic_tracker.events.handlers import HANDLERS
    from cic_tracker.extensions import db
    from cic_tracker.models import InboxMessage
    from imatter_shared.events.envelope import new_envelope
    from imatter_shared.messaging.consumer import Consumer
    from imatter_shared.messaging.runtime import flask_session_scope

    consumer = Consumer(
        flask_session_scope(world["cic"], db),
        InboxMessage,
        HANDLERS,
        transport=None,
        queue="cic-tracker.portal-test",
    )
    outcome = consumer.process(new_envelope(event_type, data, producer="training", version=1).to_json())
    assert outcome.action == "ack", outcome


class Visitor:
    """One browser: a test client with its own session cookie."""

    def __init__(self, world, name: str, roles: list[str] | None = None, kind: str = "professional"):
        self.client = world["gateway"].test_client()
        self.email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
        if roles:
            self._account_with_roles(world, name, roles)
            token = csrf_of(self.client.get("/sign-in"))
            r = self.client.post(
                "/sign-in", data={"csrf_token": token, "email": self.email, "password": PASSWORD}
            )
        else:
            token = csrf_of(self.client.get("/sign-up"))
            r = self.client.post(
                "/sign-up",
                data={
                    "csrf_token": token,
                    "name": name,
                    "email": self.email,
                    "password": PASSWORD,
                    "password_confirm": PASSWORD,
                },
            )
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        if not roles:
            self.verify(world)  # only a verified account creates organisations and its person
            r = self.post("/account/person", {"kind": kind}, page="/account")
            assert r.status_code == 302

    def verify(self, world):
        """As if they followed the link of their verification email (tested in the gateway's own tests)."""
        import sqlalchemy as sa

        from gateway.extensions import db
        from gateway.models import User

        with world["gateway"].app_context():
            db.session.execute(sa.update(User).where(User.email == self.email).values(email_verified=True))
            db.session.commit()

    def _account_with_roles(self, world, name, roles):
        from gateway import passwords
        from gateway.extensions import db
        from gateway.models import User

        with world["gateway"].app_context():
            user = User(email=self.email, name=name, password_hash=passwords.hash_password(PASSWORD))
            user.roles = roles
            db.session.add(user)
            db.session.commit()

    def get(self, path):
        return self.client.get(path, headers=HTML)

    def post(self, path, data, page=None):
        token = csrf_of(self.client.get(page or path, headers=HTML))
        return self.client.post(path, data={"csrf_token": token, **data}, headers=HTML)

    def me(self) -> dict:
        with self.client.session_transaction() as s:
            token = s["token"]
        r = self.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        return r.get_json()


def q_answers(page_html: str, value: int = 0, prefix: str = "") -> dict:
    """Every radio group on the page (optionally only one form's, by id prefix) answered `value`."""
    names = sorted(
        set(
            re.findall(
                r'<input type="radio" id="' + prefix + r'answers-[^"]+" name="(answers\.[^"]+)"', page_html
            )
        )
    )
    assert names, "no questions on the page"
    return {n: str(value) for n in names}


def one_h1_and_labels(html: str) -> None:
    assert html.count("<h1") == 1
    for i in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{i}"' in html, f"no label for {i}"
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


# -- learner: the informal I Matter Q ------------------------------------------------------


def test_learner_answers_the_informal_q_and_sees_scores_and_suggestions(world):
    lee = Visitor(world, "Lee Learner")
    page = lee.get("/learning/imatter-q")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Sample questions." in html
    assert (
        html.count('<fieldset class="q-question') >= 3
        and "<legend>I make time to rest and recover.</legend>" in html
    )
    assert "You have not answered the I Matter Q yet." in html

    # nothing chosen: each question's own error, inside its fieldset, linked from the summary
    r = lee.post("/learning/imatter-q", {})
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="answers-me_rest-error"' in html and 'aria-describedby="answers-me_rest-error"' in html
    assert 'href="#answers-me_rest"' in html and 'id="answers-me_rest"' in html
    assert "I make time to rest and recover.: Choose an answer" in html  # the summary names the question

    # a value not on the scale: the API's own field error comes back at the field
    answers = q_answers(lee.get("/learning/imatter-q").get_data(as_text=True), 0)
    r = lee.post("/learning/imatter-q", {**answers, "answers.me_rest": "9"})
    assert r.status_code == 400 and 'id="answers-me_rest-error"' in r.get_data(as_text=True)
    assert "One of [0, 1, 2, 3, 4]" in r.get_data(as_text=True)

    r = lee.post("/learning/imatter-q", answers)
    assert r.status_code == 302 and "/learning/imatter-q/" in r.headers["Location"]
    result = lee.client.get(r.headers["Location"], headers=HTML)
    html = result.get_data(as_text=True)
    assert result.status_code == 200 and "Your answers are saved. Only you can see them." in html
    assert "Suggested learning steps" in html and 'class="steps"' in html
    assert "Foundation" in html  # low answers ask for the Foundation courses the sample sections list
    assert html.count("<tr>") >= 3  # a score row per section (and the header)
    assert "You have not answered" not in html  # listed among my earlier answers

    # someone else cannot open it (training answers 404 to anyone but its owner)
    sam = Visitor(world, "Sam Other")
    assert sam.get(r.headers["Location"]).status_code == 404
    assert "You have not answered the I Matter Q yet." in sam.get("/learning/imatter-q").get_data(
        as_text=True
    )


# -- organisation and training admin: community wheel licence and audit ----------------------


def _organisation_with_starter(visitor) -> str:
    r = visitor.post(
        "/organisations/new",
        {
            "name": "Fictional Health Centre",
            "kind": "gp_practice",
            "size_band": "",
            "link_contact_email": visitor.email,
            "senior_leadership_commitment": "on",
        },
    )
    if r.status_code != 302:  # the first size band of the price book, whatever its code
        band = re.search(
            r'<select id="size_band" name="size_band"[^>]*>\s*<option value="([^"]+)"',
            r.get_data(as_text=True),
        )
        kind = re.search(
            r'<select id="kind" name="kind"[^>]*>\s*<option value="([^"]+)"', r.get_data(as_text=True)
        )
        r = visitor.post(
            "/organisations/new",
            {
                "name": "Fictional Health Centre",
                "kind": kind.group(1),
                "size_band": band.group(1),
                "link_contact_email": visitor.email,
                "senior_leadership_commitment": "on",
            },
        )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    org_id = r.headers["Location"].rstrip("/").split("/")[-1]
    r = visitor.post(f"/organisations/{org_id}/licences/starter", {"agreement_accepted": "on"})  # row 3
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    return org_id


def test_community_wheel_licence_granted_by_admin_then_the_org_records_an_audit(world):
    robin = Visitor(world, "Robin Admin")
    org_id = _organisation_with_starter(robin)

    # no licence: the dashboard explains, the audit page has no form, and a try shows the 409 detail
    dash = robin.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert 'id="community-wheel-title"' in dash and "needs a community wheel licence" in dash
    assert "Record a community audit</a>" not in dash
    audit_page = robin.get(f"/organisations/{org_id}/community-audit")
    html = audit_page.get_data(as_text=True)
    assert audit_page.status_code == 200 and "The audit form appears here once" in html
    one_h1_and_labels(html)
    r = robin.post(f"/organisations/{org_id}/community-audit", _all_audit_answers(world, 1))
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "A community audit with the wheel needs a community wheel licence" in html
    assert "<code>community_wheel_licence</code>" in html

    # the training admin's page: errors at the fields, then the grant
    admin = Visitor(world, "Tess Admin", roles=["training_admin"])
    page = admin.get("/admin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="wheel-title"' in html and "No community wheel licences yet." in html
    one_h1_and_labels(html)
    r = admin.post("/admin/community-wheel/licences", {"holder": "person", "person_id": ""}, page="/admin")
    assert r.status_code == 400 and 'id="wheel-person_id-error"' in r.get_data(as_text=True)
    r = admin.post(
        "/admin/community-wheel/licences", {"holder": "person", "person_id": "no-such-person"}, page="/admin"
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert 'id="wheel-person_id-error"' in html and "No person with that id." in html
    assert 'id="wheel-organisation_id-error"' not in html
    r = admin.post(
        "/admin/community-wheel/licences",
        {"holder": "organisation", "organisation_id": org_id, "months": "99"},
        page="/admin",
    )
    assert r.status_code == 400 and 'id="wheel-months-error"' in r.get_data(as_text=True)
    r = admin.post(
        "/admin/community-wheel/licences",
        {"holder": "organisation", "organisation_id": org_id},
        page="/admin",
    )
    assert r.status_code == 302
    html = admin.get("/admin").get_data(as_text=True)
    assert "Community wheel licence granted" in html and "Fictional Health Centre" in html
    assert re.search(r"Fictional Health Centre.*?badge-active", html, re.S)
    r = admin.post(
        "/admin/community-wheel/licences",
        {"holder": "organisation", "organisation_id": org_id},
        page="/admin",
    )
    assert r.status_code == 409 and "already has an active community wheel licence" in r.get_data(
        as_text=True
    )

    # the organisation now sees it, and records an aggregate audit
    dash = robin.get(f"/organisations/{org_id}").get_data(as_text=True)
    assert "Record a community audit</a>" in dash and "badge-active" in dash
    page = robin.get(f"/organisations/{org_id}/community-audit").get_data(as_text=True)
    assert "Sample questions." in page and 'id="participants_count"' in page
    one_h1_and_labels(page)
    answers = q_answers(page, 2)
    r = robin.post(f"/organisations/{org_id}/community-audit", {**answers, "participants_count": "-3"})
    assert r.status_code == 400 and 'id="participants_count-error"' in r.get_data(as_text=True)
    r = robin.post(f"/organisations/{org_id}/community-audit", {**answers, "participants_count": "14"})
    assert r.status_code == 302
    html = robin.client.get(r.headers["Location"], headers=HTML).get_data(as_text=True)
    assert "Community audit recorded." in html and "14 people took part" in html and "67%" in html

    # another organisation's audit page is not found for Robin; revoking ends the licence
    assert robin.get("/organisations/not-robins/community-audit").status_code == 404
    lic_id = re.search(
        r'/admin/community-wheel/licences/([^/"]+)/revoke', admin.get("/admin").get_data(as_text=True)
    ).group(1)
    assert (
        admin.post(f"/admin/community-wheel/licences/{lic_id}/revoke", {}, page="/admin").status_code == 302
    )
    assert "badge-revoked" in admin.get("/admin").get_data(as_text=True)
    assert "needs a community wheel licence" in robin.get(f"/organisations/{org_id}").get_data(as_text=True)
    # a learner is not a training admin
    assert (
        robin.post(
            "/admin/community-wheel/licences",
            {"holder": "organisation", "organisation_id": org_id},
            page="/account",
        ).status_code
        == 403
    )


def _all_audit_answers(world, value: int) -> dict:
    from training.extensions import db
    from training.models.reflective import QuestionnaireVersion

    with world["training"].app_context():
        row = db.session.scalar(
            sa.select(QuestionnaireVersion).where(
                QuestionnaireVersion.instrument == "community_wheel_audit",
                QuestionnaireVersion.current.is_(True),
            )
        )
        return {f"answers.{q['code']}": str(value) for s in row.content["sections"] for q in s["questions"]}


# -- Tracker case: formal Q and personalised wheel -------------------------------------------


def test_case_page_tools_refused_without_licence_then_the_wheel_under_a_licence(world):
    pat = Visitor(world, "Pat Practitioner")
    me = pat.me()
    person_id, user_id = me["person_id"], me["id"]
    feed_cic(world, "training.person.linked", {"person_id": person_id, "user_id": user_id})
    package_id = "pkg-" + uuid.uuid4().hex[:10]
    with world["training"].app_context():  # cic knows package types only as training publishes them
        from training.services.price_book import current, package_types_event

        number, book = current()
        types = package_types_event(book)
    feed_cic(
        world, "training.package_types.published", {"price_book_version": number, "package_types": types}
    )
    org_id = "org-" + uuid.uuid4().hex[:6]
    # a case opens only under an active Enhanced Practice Licence (domain row 21)
    enhanced = {
        "organisation_id": org_id,
        "licence_type": "enhanced",
        "status": "active",
        "valid_until": "2099-01-01T00:00:00Z",
    }
    feed_cic(world, "training.licence.changed", enhanced)
    feed_cic(
        world,
        "training.package.purchased",
        {
            "package_id": package_id,
            "package_type": 3,
            "organisation_id": org_id,
            "practitioner_id": person_id,
            "tracker_uses": 6,
            "online_accounts": 3,
        },
    )
    projects = pat.get("/tracker").get_data(as_text=True)
    mp_id = re.search(r'/tracker/microprojects/([^"/]+)"', projects).group(1)
    r = pat.post(
        f"/tracker/microprojects/{mp_id}",
        {
            "code": "C-01",
            "given_by": "Adult participant",
            "scope": "Reflective tools on this case",
            "given_at": "2026-01-05",
            "consent": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    case_url = r.headers["Location"]

    page = pat.get(case_url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    one_h1_and_labels(html)
    assert 'id="tool-q-title"' in html and 'id="tool-wheel-title"' in html
    assert html.count("Not used on this case yet.") == 2 and "Sample questions." in html
    assert "<summary>Record the formal I Matter Q</summary>" in html

    # the formal Q: the Enhanced Practice Licence has since ended and there is no hub -> the rule, clearly
    feed_cic(world, "training.licence.changed", {**enhanced, "status": "expired"})
    answers = q_answers(html, 1, prefix="tool-q-")
    r = pat.post(f"{case_url}/tools/q", answers, page=case_url)
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert (
        "This use needs" in html
        and "Enhanced Practice Licence" in html
        and "<code>enhanced_licence</code>" in html
    )
    assert "<details open>" in html  # the refused form stays open with the answers kept
    assert re.search(r'id="tool-q-answers-[^"]+" name="answers\.[^"]+" value="1" checked', html)

    # the wheel: missing answers are shown at their fields; without a licence, the 409 rule
    r = pat.post(f"{case_url}/tools/wheel", {}, page=case_url)
    assert r.status_code == 400 and re.search(
        r'id="tool-wheel-answers-[^"]+-error"', r.get_data(as_text=True)
    )
    wheel = q_answers(pat.get(case_url).get_data(as_text=True), 2, prefix="tool-wheel-")
    r = pat.post(f"{case_url}/tools/wheel", wheel, page=case_url)
    assert r.status_code == 409 and "<code>community_wheel_licence</code>" in r.get_data(as_text=True)

    # a community wheel licence held by the practitioner (training's event) -> recorded, shown
    feed_cic(
        world,
        "training.tool_licence.changed",
        {
            "licence_id": "cwl-" + uuid.uuid4().hex[:8],
            "tool": "community_wheel",
            "holder": "person",
            "organisation_id": None,
            "person_id": person_id,
            "status": "active",
            "valid_until": "2099-01-01T00:00:00Z",
        },
    )
    r = pat.post(f"{case_url}/tools/wheel", {**wheel, "notes": "Fictional notes"}, page=case_url)
    assert r.status_code == 302 and r.headers["Location"].endswith("#tool-wheel")
    html = pat.get(case_url).get_data(as_text=True)
    assert "Personalised wellbeing wheel recorded on this case." in html and "Fictional notes" in html
    assert html.count("Not used on this case yet.") == 1  # the formal Q still not
    one_h1_and_labels(html)

    # someone else's case is not found, and an unknown tool is 404
    other = Visitor(world, "Oli Other")
    assert other.get(case_url).status_code == 404
    assert pat.post(f"{case_url}/tools/nothing", {}, page=case_url).status_code == 404


# -- CSRF and services down (the shared client: nothing listens on the services' port) --------


@pytest.mark.parametrize(
    "path",
    [
        "/learning/imatter-q",
        "/organisations/o1/community-audit",
        "/tracker/cases/c1/tools/q",
        "/admin/community-wheel/licences",
        "/admin/community-wheel/licences/l1/revoke",
    ],
)
def test_reflective_posts_without_csrf_are_refused(client, path):
    client.get("/sign-in")
    r = client.post(path, data={"answers.me_rest": "1"})
    assert r.status_code == 400 and "Form expired" in r.get_data(as_text=True)


def test_reflective_pages_need_sign_in(client):
    for path in ("/learning/imatter-q", "/organisations/o1/community-audit"):
        r = client.get(path)
        assert r.status_code == 302 and "/sign-in?next=" in r.headers["Location"], path


def test_reflective_pages_with_the_services_down_are_friendly(client):
    token = csrf_of(client.get("/sign-up"))
    client.post(
        "/sign-up",
        data={
            "csrf_token": token,
            "name": "Down Visitor",
            "email": "down@example.org",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    for path, who in (
        ("/learning/imatter-q", "I Matter Training"),
        ("/organisations/o1/community-audit", "I Matter Training"),
        ("/tracker/cases/c1", "Progress Tracker"),
    ):
        r = client.get(path, headers=HTML)
        html = r.get_data(as_text=True)
        assert r.status_code == 503 and "is not answering right now" in html and who in html, path
        assert "Traceback" not in html and r.mimetype == "text/html"
