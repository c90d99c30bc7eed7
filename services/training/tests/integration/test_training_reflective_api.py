"""Reflective tools through training's API: the informal I Matter Q (owner only), content
versions loaded by the admin command, community wheel licences and community audits, and the
I Matter Q registration consultation order."""

import json
import uuid

import pytest
import sqlalchemy as sa

from training.models import OutboxMessage

Q = "/api/v1/training/q/responses"
ANSWERS = {
    "me_rest": 1,
    "me_notice": 1,
    "me_overwhelmed": 3,
    "rel_listen": 4,
    "rel_repair": 4,
    "rel_consistent": 4,
    "dev_needs": 3,
    "dev_behaviour": 3,
    "sup_ask": 2,
    "sup_share": 2,
}
AUDIT = {
    "bel_places": 1,
    "bel_networks": 0,
    "ac_language": 1,
    "ac_learning": 2,
    "ow_options": 2,
    "ow_contribute": 3,
    "jt_talk": 0,
    "jt_signpost": 1,
}


@pytest.fixture(autouse=True)
def samples(app, db):
    from training.services.reflective import load_samples

    load_samples()
    db.session.commit()


def _user(keys, roles=("learner",), email=None, uid=None):
    uid = uid or uuid.uuid4().hex
    return keys.headers(user_id=uid, email=email or f"{uid[:8]}@example.org", roles=list(roles))


def _ok(r, status=201):
    assert r.status_code == status, r.get_json()
    return r.get_json()


def _events(db, event_type):
    rows = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.type == event_type).order_by(OutboxMessage.id)
    ).all()
    return [json.loads(r.payload)["data"] for r in rows]


def _org(client, h, kind="primary_care", starter=True):
    org = _ok(
        client.post(
            "/api/v1/organisations",
            headers=h,
            json={
                "name": "Fictional Elm Surgery",
                "kind": kind,
                "size_band": "small",
                "link_contact_email": "link@elm.example",
                "senior_leadership_commitment": True,
            },
        )
    )
    if starter:
        _ok(client.post(f"/api/v1/organisations/{org['id']}/licences", headers=h, json={"type": "starter"}))
    return org


def _person(client, h, email, kind="professional", org=None, admin=None):
    """`h` is the person's own sign-in (their verified email is `email`): they create (link) their
    person; with `org`, the organisation's `admin` invites them and they accept."""
    r = client.post(
        "/api/v1/people", headers=h, json={"name": "Fictional Person", "email": email, "kind": kind}
    )
    assert r.status_code in (200, 201), r.get_json()
    p = r.get_json()
    if org:
        m = _ok(
            client.post(
                f"/api/v1/organisations/{org['id']}/members",
                headers=admin,
                json={"person_id": p["id"], "role": "staff"},
            )
        )
        assert _ok(client.post(f"/api/v1/memberships/{m['id']}/accept", headers=h), 200)["state"] == "active"
    return {**p, "headers": h}


def _own(keys, kind="personal"):
    """A person's own verified sign-in and email."""
    uid = uuid.uuid4().hex
    email = f"{uid[:8]}@example.org"
    return keys.headers(user_id=uid, email=email), email, uid


# ---- the informal I Matter Q -----------------------------------------------------------------


def test_a_learner_answers_the_q_and_gets_section_scores_and_learning_steps(client, keys):
    me = _user(keys)
    out = _ok(client.post(Q, headers=me, json={"answers": ANSWERS}))
    assert (
        out["instrument"] == "imatter_q" and out["sample"] is True and "organisation's own" in out["notice"]
    )
    sections = {s["code"]: s for s in out["sections"]}
    assert sections["looking_after_me"]["score"] == 3 and sections["looking_after_me"]["max"] == 12
    assert sections["looking_after_me"]["band"] == "emerging"
    assert sections["relationships"]["band"] == "secure"
    steps = [s["course_code"] for s in out["suggested_steps"]]
    assert steps and steps[0] == "foundation_a1"  # the weakest section's course comes first
    assert all(s["price"] >= 0 and s["currency"] == "GBP" for s in out["suggested_steps"])
    assert "foundation_a2" not in steps  # relationships is secure: nothing asked for


def test_q_results_are_visible_to_their_owner_alone(client, keys):
    admin = _user(keys)
    org = _org(client, admin, kind="school")
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    me = _user(keys, email=email)
    _person(client, me, email, kind="personal", org=org, admin=admin)  # a member of the admin's school
    mine = _ok(client.post(Q, headers=me, json={"answers": ANSWERS}))
    assert _ok(client.get(f"{Q}/{mine['id']}", headers=me), 200)["id"] == mine["id"]
    listed = _ok(client.get(Q, headers=me), 200)
    assert listed["total"] == 1 and listed["items"][0]["id"] == mine["id"]

    for other in (
        admin,
        _user(keys),
        _user(keys, roles=("training_admin",)),
        _user(keys, roles=("cic_staff",)),
    ):
        assert client.get(f"{Q}/{mine['id']}", headers=other).status_code == 404
        assert client.delete(f"{Q}/{mine['id']}", headers=other).status_code == 404
        assert _ok(client.get(Q, headers=other), 200)["total"] == 0
    assert client.get(Q).status_code == 401
    assert client.delete(f"{Q}/{mine['id']}", headers=me).status_code == 204
    assert client.get(f"{Q}/{mine['id']}", headers=me).status_code == 404


def test_answers_that_do_not_fit_are_a_400_naming_each(client, keys):
    r = client.post(Q, headers=_user(keys), json={"answers": {**ANSWERS, "me_rest": 9, "nope": 1}})
    assert r.status_code == 400
    assert {"answers.me_rest", "answers.nope"} <= set(r.get_json()["errors"])
    r = client.post(Q, headers=_user(keys), json={"answers": "all good"})
    assert r.status_code == 400


def test_a_new_version_never_alters_answers_given_to_an_old_one(app, client, keys, tmp_path):
    me = _user(keys)
    old = _ok(client.post(Q, headers=me, json={"answers": ANSWERS}))
    doc = {
        "instrument": "imatter_q",
        "version": "org-2027",
        "title": "The organisation's own Q (test)",
        "scales": [{"code": "yn", "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]}],
        "sections": [
            {
                "code": "only",
                "title": "Only",
                "suggests": ["foundation_b"],
                "questions": [{"code": "o1", "text": "A new question", "scale": "yn"}],
            }
        ],
    }
    path = tmp_path / "q.json"
    path.write_text(json.dumps(doc))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "org-2027: loaded (current)" in result.output
    again = runner.invoke(args=["questionnaires", "load", str(path)])
    assert again.exit_code == 0 and "already loaded" in again.output
    doc["sections"][0]["questions"][0]["text"] = "Reworded"
    path.write_text(json.dumps(doc))
    changed = runner.invoke(args=["questionnaires", "load", str(path)])
    assert changed.exit_code == 1 and "versions never change" in changed.output

    current = _ok(client.get("/api/v1/training/questionnaires/imatter_q/current", headers=me), 200)
    assert current["version"] == "org-2027" and current["sample"] is False
    assert client.post(Q, headers=me, json={"answers": ANSWERS}).status_code == 400  # old questions are gone
    new = _ok(client.post(Q, headers=me, json={"answers": {"o1": 1}}))
    assert new["version"] == "org-2027"
    kept = _ok(client.get(f"{Q}/{old['id']}", headers=me), 200)
    assert kept["version"] == old["version"] == "sample-1"
    assert kept["answers"] == old["answers"] and kept["sections"] == old["sections"]


def test_the_load_command_refuses_invalid_content(app, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("instrument: wellbeing_wheel\nversion: x\ntitle: t\nscales: []\nsections: []\n")
    result = app.test_cli_runner().invoke(args=["questionnaires", "load", str(path)])
    assert result.exit_code == 1
    assert "this service holds" in result.output and "scales" in result.output
    listing = app.test_cli_runner().invoke(args=["questionnaires", "list"])
    assert "* imatter_q sample-1 [SAMPLE]" in listing.output


# ---- community wheel licences and the community audit ------------------------------------------


def test_an_unlicensed_organisation_is_refused_the_community_audit(client, keys, db):
    gp_admin, staff = _user(keys), _user(keys, roles=("training_admin",))
    org = _org(client, gp_admin)
    body = {"organisation_id": org["id"], "answers": AUDIT, "participants_count": 14}
    r = client.post("/api/v1/training/community-wheel/audits", headers=gp_admin, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["community_wheel_licence"]
    assert "community wheel licence" in r.get_json()["detail"]

    assert (
        client.post(
            "/api/v1/training/community-wheel/licences", headers=gp_admin, json={"organisation_id": org["id"]}
        ).status_code
        == 403
    )
    lic = _ok(
        client.post(
            "/api/v1/training/community-wheel/licences",
            headers=staff,
            json={"organisation_id": org["id"], "with_level_3a": False},
        )
    )
    assert lic["status"] == "active" and lic["holder"] == "organisation"
    audit = _ok(client.post("/api/v1/training/community-wheel/audits", headers=gp_admin, json=body))
    assert audit["licence_id"] == lic["id"] and audit["participants_count"] == 14
    assert {s["code"] for s in audit["sections"]} == {
        "belonging",
        "adult_child",
        "own_wellbeing",
        "joined_up",
    }
    listed = _ok(
        client.get(f"/api/v1/training/community-wheel/audits?organisation_id={org['id']}", headers=gp_admin),
        200,
    )
    assert listed["total"] == 1
    # another organisation's admin cannot see it
    assert (
        client.get(f"/api/v1/training/community-wheel/audits/{audit['id']}", headers=_user(keys)).status_code
        == 404
    )

    [granted] = _events(db, "training.tool_licence.changed")
    assert granted == {
        "licence_id": lic["id"],
        "tool": "community_wheel",
        "holder": "organisation",
        "organisation_id": org["id"],
        "person_id": None,
        "status": "active",
        "valid_until": lic["valid_until"],
    }
    assert (
        _ok(client.post(f"/api/v1/training/community-wheel/licences/{lic['id']}/revoke", headers=staff), 200)[
            "status"
        ]
        == "revoked"
    )
    assert _events(db, "training.tool_licence.changed")[-1]["status"] == "revoked"
    r = client.post("/api/v1/training/community-wheel/audits", headers=gp_admin, json=body)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["community_wheel_licence"]


def test_an_organisation_licence_needs_a_starter_licence_and_one_holder(client, keys):
    staff = _user(keys, roles=("training_admin",))
    org = _org(client, _user(keys), kind="community_service", starter=False)
    r = client.post(
        "/api/v1/training/community-wheel/licences", headers=staff, json={"organisation_id": org["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["starter_licence"]
    assert client.post("/api/v1/training/community-wheel/licences", headers=staff, json={}).status_code == 400


def test_a_community_leader_with_a_personal_licence_audits_with_their_organisation(client, keys):
    admin, staff = _user(keys), _user(keys, roles=("training_admin",))
    org = _org(client, admin, kind="community_service")
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    leader = _user(keys, email=email)
    person = _person(client, leader, email, org=org, admin=admin)
    body = {"organisation_id": org["id"], "answers": AUDIT}
    assert (
        client.post("/api/v1/training/community-wheel/audits", headers=leader, json=body).status_code == 409
    )
    lic = _ok(
        client.post(
            "/api/v1/training/community-wheel/licences",
            headers=staff,
            json={"person_id": person["id"], "with_level_3a": True},
        )
    )
    assert lic["holder"] == "person" and lic["with_level_3a"] is True
    assert (
        _ok(client.post("/api/v1/training/community-wheel/audits", headers=leader, json=body))["licence_id"]
        == lic["id"]
    )
    mine = _ok(client.get("/api/v1/training/community-wheel/licences", headers=leader), 200)
    assert [x["id"] for x in mine["items"]] == [lic["id"]]
    assert (
        _ok(client.get("/api/v1/training/community-wheel/licences", headers=_user(keys)), 200)["total"] == 0
    )


# ---- the I Matter Q registration consultation ------------------------------------------------------


def test_a_face_to_face_parent_is_offered_and_orders_a_registration_consultation(client, keys, db):
    admin_uid = uuid.uuid4().hex
    admin = _user(keys, uid=admin_uid)
    org = _org(client, admin, kind="school")
    ph, pemail, parent_uid = _own(keys)
    parent = _person(client, ph, pemail, kind="personal", org=org, admin=admin)
    offer = _ok(
        client.get(f"/api/v1/training/q/registration-offer?person_id={parent['id']}", headers=admin), 200
    )
    assert offer["eligible"] is True and offer["required"] is False
    assert offer["consultation"]["optional"] is True and offer["optional_courses"][0]["optional"] is True
    price = offer["consultation"]["price"]

    # invoiced to the parent: the parent orders it, never the school's admin on their behalf
    assert (
        client.post(
            "/api/v1/training/q/registration-consultations",
            headers=admin,
            json={"person_id": parent["id"], "organisation_id": org["id"]},
        ).status_code
        == 404
    )
    reg = _ok(
        client.post(
            "/api/v1/training/q/registration-consultations",
            headers=ph,
            json={"person_id": parent["id"], "organisation_id": org["id"]},
        )
    )
    assert reg["order"]["total"] == price and reg["order"]["currency"] == "GBP"
    assert reg["order"]["invoice"]["state"] == "issued" and reg["online_course"] is None
    assert reg["order"]["lines"][0]["code"] == "q_registration_consultation"
    [event] = _events(db, "training.q_consultation.ordered")
    assert event == {
        "order_id": reg["order_id"],
        "registration_id": reg["id"],
        "person_id": parent["id"],
        "user_id": parent_uid,
        "requested_by": parent_uid,
        "organisation_id": org["id"],
    }  # ids only

    r = client.post(
        "/api/v1/training/q/registration-consultations", headers=ph, json={"person_id": parent["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["one_registration"]
    assert (
        client.post(
            "/api/v1/training/q/registration-consultations",
            headers=_user(keys),
            json={"person_id": parent["id"]},
        ).status_code
        == 404
    )
    listed = _ok(
        client.get(f"/api/v1/training/q/registration-consultations?person_id={parent['id']}", headers=ph), 200
    )
    assert listed["items"][0]["order"]["id"] == reg["order_id"]


def test_row110_the_registration_consultation_is_priced_from_the_price_book(client, keys):
    """No price in code: the consultation is a product row of the price book in force, read at
    order time, a labelled placeholder until I Matter Training publishes its price."""
    admin = _user(keys, uid=uuid.uuid4().hex)
    org = _org(client, admin, kind="school")
    ph, pemail, _ = _own(keys)
    parent = _person(client, ph, pemail, kind="personal", org=org, admin=admin)
    url = f"/api/v1/training/q/registration-offer?person_id={parent['id']}"
    consultation = _ok(client.get(url, headers=admin), 200)["consultation"]
    assert consultation["price_status"] == "placeholder" and consultation["placeholder"] is True
    assert "PLACEHOLDER" in consultation["placeholder_label"]

    staff = keys.headers(user_id=uuid.uuid4().hex, roles=["training_admin"])
    book = _ok(client.get("/api/v1/price-book", headers=staff), 200)
    [row] = [p for p in book["products"] if p["code"] == "q_registration_consultation"]
    assert row["price"] == consultation["price"]
    r = client.put(
        "/api/v1/price-book", headers=staff, json={"products": [{"code": "q_nope", "title": "x", "price": 1}]}
    )
    assert r.status_code == 400 and "products" in str(r.get_json()["errors"])
    r = client.put(
        "/api/v1/price-book",
        headers=staff,
        json={
            "products": [
                {
                    "code": "q_registration_consultation",
                    "title": "I Matter Q registration consultation",
                    "price": 3550,
                    "placeholder": False,
                }
            ]
        },
    )
    assert r.status_code == 200, r.get_json()
    version = r.get_json()["version"]
    consultation = _ok(client.get(url, headers=admin), 200)["consultation"]
    assert (consultation["price"], consultation["price_status"], consultation["placeholder"]) == (
        3550,
        "published",
        False,
    )
    reg = _ok(
        client.post(
            "/api/v1/training/q/registration-consultations",
            headers=ph,
            json={"person_id": parent["id"], "organisation_id": org["id"]},
        )
    )
    assert reg["order"]["total"] == 3550 and reg["order"]["price_book_version"] == version


def test_the_optional_online_course_comes_with_its_own_enrolment(client, keys):
    admin = _user(keys)
    org = _org(client, admin, kind="school")
    ph, pemail, _ = _own(keys)
    parent = _person(client, ph, pemail, kind="personal", org=org, admin=admin)
    reg = _ok(
        client.post(
            "/api/v1/training/q/registration-consultations",
            headers=ph,
            json={"person_id": parent["id"], "online_course": "foundation_a1"},
        )
    )
    course = reg["online_course"]
    assert course["course_code"] == "foundation_a1" and course["funding"] == "self"
    assert reg["enrolment_id"] == course["id"] and course["order"]["id"] != reg["order_id"]


def test_the_offer_is_for_parents_without_an_online_account(client, keys):
    admin = _user(keys)
    org = _org(client, admin, kind="school")
    h1, e1, _ = _own(keys)
    pro = _person(client, h1, e1, kind="professional", org=org, admin=admin)
    r = client.post(
        "/api/v1/training/q/registration-consultations", headers=h1, json={"person_id": pro["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["personal_learner"]
    _ok(client.post(f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "cpd"}))
    h2, e2, _ = _own(keys)
    parent = _person(client, h2, e2, kind="personal", org=org, admin=admin)
    _ok(
        client.post(
            "/api/v1/enrolments",
            headers=admin,
            json={
                "person_id": parent["id"],
                "course_code": "foundation_a1",
                "funding": "cpd_credit",
                "organisation_id": org["id"],
            },
        )
    )
    r = client.post(
        "/api/v1/training/q/registration-consultations", headers=h2, json={"person_id": parent["id"]}
    )
    assert r.status_code == 409 and r.get_json()["unmet"] == ["no_online_account"]
