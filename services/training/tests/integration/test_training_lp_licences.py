"""Lead Professional licences through the API (seed 001 "Licensing"; domain review rows 50, 56, 61,
63; decisions 0055-0057): each kind's eligibility as data checked on grant with a problem listing
what is unmet; only a training admin grants and revokes (with the reason); scopes (a Level 3A
licence gives Everyday Parenting only); Level 3A groups need a current licence giving their
scope and a children-and-young-people audience needs Level 4 or 5 and the specialist licence; a
Type 1 package needs no licence (the contract); each licence is an
Open Badges 3.0 credential that joserfc verifies and that reads as revoked after revocation; a
double grant makes one licence (a partial unique index)."""

import base64
import gzip

import pytest
import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet

from support.testing import simultaneously
from training.models import Enrolment, Package
from training.models.base import utcnow
from training.models.lead_professionals import LeadProfessionalApplication, Level3AGroup
from training.models.lp_licences import LeadProfessionalLicence

from .lead_professional_setup import REFS, _level_3a_group, _org, _user

LP = "/api/v1/lead-professionals"
CORE = ("foundation_a1", "foundation_a2", "foundation_b", "intermediate_a")
CYP = "children_and_young_people"


@pytest.fixture
def school(client, keys):
    admin = _user(keys)
    org = _org(
        client,
        admin,
        "Fictional Alder School",
        "link@alder.example",
        licences=("starter", "cpd", "enhanced"),
        accepted=(201, 409),  # enhanced waits for a practitioner
    )
    return admin, org


def _completed(db, person_id, courses):
    for code in courses:
        db.session.add(
            Enrolment(
                person_id=person_id,
                course_code=code,
                level=2 if code.startswith("intermediate") else 3 if "preparation" in code else 1,
                funding="self",
                price=0,
                progress=100,
                state="completed",
                completed_at=utcnow(),
            )
        )
    db.session.commit()


def _trainee(client, staff, school, join, db, name="Bea Fictional-Lead"):
    admin, org = school
    p = join(admin, org["id"], name)
    _completed(db, p["id"], ("intermediate_a",))
    body = {
        "person_id": p["id"],
        "organisation_id": org["id"],
        "references": REFS,
        "senior_leadership_backing": True,
    }
    r = client.post(f"{LP}/applications", headers=p["headers"], json=body)
    assert r.status_code == 201, r.get_json()
    aid = r.get_json()["id"]
    r = client.post(f"{LP}/applications/{aid}/interview", headers=staff, json={"outcome": "passed"})
    assert r.status_code == 200, r.get_json()
    return p, aid


def _approved(db, aid):
    """The trainee and implementation years behind them (set up in the database: the route's own
    tests cover the years)."""
    a = db.session.get(LeadProfessionalApplication, aid)
    a.state, a.implementation_from, a.approved_at = "approved", utcnow(), utcnow()
    db.session.commit()


def _grant(client, staff, person_id, **body):
    return client.post(f"/api/v1/people/{person_id}/lead-professional-licences", headers=staff, json=body)


def _group(client, p, org, scope=None, audience="parents"):
    fields = {"scope": scope} if scope else {}
    return _level_3a_group(client, p, org["id"], audience=audience, **fields)


def _count(db, model=LeadProfessionalLicence):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_licence_kinds_and_what_each_needs_are_data(client, keys):
    r = client.get(f"{LP}/licence-kinds", headers=_user(keys))
    assert r.status_code == 200
    kinds = {k["code"]: k for k in r.get_json()["items"]}
    assert set(kinds) == {"level_3a", "level_4", "level_5", "a_licence", "b_licence", "specialist"}
    assert kinds["level_3a"]["scopes"] == ["everyday_parenting"] and kinds["level_3a"]["charge"] == 0
    assert "increased_pressure_parenting" in kinds["level_4"]["scopes"]
    assert [q["code"] for q in kinds["a_licence"]["requires"]] == [
        "completed:foundation_a1",
        "completed:foundation_a2",
        "completed:foundation_b",
        "completed:intermediate_a",
        "completed:study_supporter_preparation",
        "employment:salaried",
    ]
    assert "licence_in_organisation:level_4" in [q["code"] for q in kinds["level_5"]["requires"]]
    assert kinds["specialist"]["area"] is None and CYP in kinds["specialist"]["areas"]
    # who each kind's Level 3A groups may be for (decision 0057)
    assert kinds["level_3a"]["group_audiences"] == ["professionals", "parents"]
    assert CYP in kinds["level_4"]["group_audiences"] and CYP in kinds["level_5"]["group_audiences"]
    assert kinds["specialist"]["group_audiences"] == [] and kinds["a_licence"]["group_audiences"] == []
    assert client.get(f"{LP}/licence-kinds").status_code == 401


def test_level_3a_needs_a_trainee_place_with_backing_in_the_organisation(
    client, keys, staff, school, join, db
):
    admin, org = school
    p = join(admin, org["id"], "Cal Fictional-Pro")
    r = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"])
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["unmet"] == ["lead_professional_place", "senior_leadership_backing"]
    r = _grant(client, staff, p["id"], kind="level_3a")
    assert r.status_code == 400 and "organisation_id" in r.get_json()["errors"]
    assert _count(db) == 0
    p2, _ = _trainee(client, staff, school, join, db)
    other = client.post(
        "/api/v1/organisations",
        headers=_user(keys),
        json={
            "name": "Fictional Elsewhere",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": "x@e.example",
        },
    ).get_json()
    r = _grant(client, staff, p2["id"], kind="level_3a", organisation_id=other["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["organisation_membership"]
    r = _grant(client, staff, p2["id"], kind="level_3a", organisation_id=org["id"], note="Head's support")
    assert r.status_code == 201, r.get_json()
    lic = r.get_json()
    assert (lic["kind"], lic["status"], lic["scopes"], lic["area"]) == (
        "level_3a",
        "current",
        ["everyday_parenting"],
        "adults",
    )
    assert lic["credential_id"] and lic["organisation_id"] == org["id"]
    # the eligibility view the grant form reads: held now, so not again
    r = client.get(
        f"/api/v1/people/{p2['id']}/lead-professional-licences/eligibility",
        headers=staff,
        query_string={"organisation_id": org["id"]},
    )
    rows = {(e["kind"], e["area"]): e for e in r.get_json()["items"]}
    assert rows[("level_3a", "adults")]["unmet"] == ["one_current_licence"]
    assert rows[("level_4", "adults")]["unmet"] == ["approved_lead_professional"]


def test_a_and_b_licences_check_completions_and_the_attested_employment(client, staff, school, join, db):
    admin, org = school
    p = join(admin, org["id"], "Dee Fictional-Salaried")
    _completed(db, p["id"], ("foundation_a1", "foundation_b"))
    r = _grant(client, staff, p["id"], kind="a_licence")
    assert r.status_code == 409
    assert r.get_json()["unmet"] == [
        "completed:foundation_a2",
        "completed:intermediate_a",
        "completed:study_supporter_preparation",
        "employment:salaried",
    ]
    assert "study supporter preparation" in r.get_json()["detail"]
    _completed(db, p["id"], ("foundation_a2", "intermediate_a", "study_supporter_preparation"))
    assert _grant(client, staff, p["id"], kind="a_licence", employment="team_employed").status_code == 409
    r = _grant(client, staff, p["id"], kind="a_licence", employment="salaried")
    assert r.status_code == 201 and r.get_json()["scopes"] == ["everyday_parenting"]
    assert r.get_json()["organisation_id"] is None
    # B: I Matter Training's own team only
    r = _grant(client, staff, p["id"], kind="b_licence", employment="salaried")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["employment:team"]
    r = _grant(client, staff, p["id"], kind="b_licence", employment="team_freelance")
    assert r.status_code == 201 and "increased_pressure_parenting" in r.get_json()["scopes"]
    r = _grant(client, staff, p["id"], kind="b_licence", employment="nope")
    assert r.status_code == 400 and "employment" in r.get_json()["errors"]
    assert _count(db) == 2


def test_level_5_needs_a_level_4_in_the_same_organisation(client, keys, staff, school, join, db):
    admin, org = school
    p, aid = _trainee(client, staff, school, join, db)
    assert _grant(client, staff, p["id"], kind="level_4", organisation_id=org["id"]).get_json()["unmet"] == [
        "approved_lead_professional"
    ]
    _approved(db, aid)
    r = _grant(client, staff, p["id"], kind="level_5", organisation_id=org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == ["licence_in_organisation:level_4"]
    assert _grant(client, staff, p["id"], kind="level_4", organisation_id=org["id"]).status_code == 201
    r = _grant(client, staff, p["id"], kind="level_5", organisation_id=org["id"])
    assert r.status_code == 201, r.get_json()


def test_only_a_training_admin_grants_or_revokes(client, keys, staff, school, join, db):
    admin, org = school
    p, _ = _trainee(client, staff, school, join, db)
    for who in (p["headers"], admin, _user(keys)):
        r = _grant(client, who, p["id"], kind="level_3a", organisation_id=org["id"])
        assert r.status_code == 403, r.get_json()
    assert _count(db) == 0
    lic = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    for who in (p["headers"], admin):
        r = client.post(f"{LP}/licences/{lic['id']}/revoke", headers=who, json={"reason": "no longer"})
        assert r.status_code == 403
        assert (
            client.get(
                f"/api/v1/people/{p['id']}/lead-professional-licences/eligibility", headers=who
            ).status_code
            == 403
        )
    db.session.expire_all()
    assert db.session.get(LeadProfessionalLicence, lic["id"]).status == "current"


def test_the_holder_sees_all_their_organisation_admin_the_status_of_in_house_ones(
    client, keys, staff, school, join, db
):
    admin, org = school
    p, _ = _trainee(client, staff, school, join, db)
    _completed(db, p["id"], ("foundation_a1", "foundation_a2", "foundation_b", "study_supporter_preparation"))
    three_a = _grant(
        client, staff, p["id"], kind="level_3a", organisation_id=org["id"], note="private"
    ).get_json()
    _grant(client, staff, p["id"], kind="a_licence", employment="salaried")
    r = client.post(
        f"{LP}/licences/{three_a['id']}/revoke", headers=staff, json={"reason": "Left the school"}
    )
    assert r.status_code == 200
    mine = client.get(f"/api/v1/people/{p['id']}/lead-professional-licences", headers=p["headers"]).get_json()
    assert {(i["kind"], i["status"]) for i in mine["items"]} == {
        ("level_3a", "revoked"),
        ("a_licence", "current"),
    }
    assert {i["revoke_reason"] for i in mine["items"]} == {"Left the school", None}
    seen = client.get(f"/api/v1/people/{p['id']}/lead-professional-licences", headers=admin).get_json()[
        "items"
    ]
    assert [(i["kind"], i["status"], i["view"]) for i in seen] == [("level_3a", "revoked", "status")]
    for hidden in ("note", "revoke_reason", "employment", "granted_by", "credential_id"):
        assert hidden not in seen[0]
    assert (
        client.get(f"/api/v1/people/{p['id']}/lead-professional-licences", headers=_user(keys)).status_code
        == 404
    )
    # the credential is the holder's (and training admins') only
    assert client.get(f"{LP}/licences/{three_a['id']}/credential", headers=admin).status_code == 404
    assert client.get(f"{LP}/licences/{three_a['id']}/credential", headers=p["headers"]).status_code == 200


def test_level_3a_groups_need_a_current_licence_giving_the_scope(client, staff, school, join, db):
    admin, org = school
    p, aid = _trainee(client, staff, school, join, db)
    r = _group(client, p, org)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["level_3a_licence"]
    lic = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    r = _group(client, p, org, scope="increased_pressure_parenting")
    assert r.status_code == 409 and r.get_json()["unmet"] == ["licence_scope"]
    assert "Increased Pressure Parenting" in r.get_json()["detail"]
    r = _group(client, p, org, scope="complex")
    assert r.status_code == 400 and "scope" in r.get_json()["errors"]
    assert _count(db, Level3AGroup) == 0
    r = _group(client, p, org)
    assert r.status_code == 201 and r.get_json()["scope"] == "everyday_parenting"
    assert r.get_json()["licence_id"] == lic["id"]
    # Level 4 gives Increased Pressure Parenting
    _approved(db, aid)
    four = _grant(client, staff, p["id"], kind="level_4", organisation_id=org["id"]).get_json()
    r = _group(client, p, org, scope="increased_pressure_parenting")
    assert r.status_code == 201 and r.get_json()["licence_id"] == four["id"]
    # revoked licences count for nothing
    for x in (lic, four):
        assert (
            client.post(
                f"{LP}/licences/{x['id']}/revoke", headers=staff, json={"reason": "ended"}
            ).status_code
            == 200
        )
    assert _group(client, p, org).get_json()["unmet"] == ["level_3a_licence"]
    assert _count(db, Level3AGroup) == 2


def test_a_group_for_children_and_young_people_needs_level_4_or_5_and_the_specialist_licence(
    client, staff, school, join, db
):
    admin, org = school
    p, aid = _trainee(client, staff, school, join, db)
    _completed(db, p["id"], ("foundation_a1", "foundation_a2", "foundation_b"))
    three_a = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    assert _group(client, p, org, audience="professionals").status_code == 201
    # a Level 3A licence covers professionals and parents only, and there is no specialist licence
    r = _group(client, p, org, audience=CYP)
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["unmet"] == ["licence_audience", "specialist_licence"]
    assert "children and young people" in r.get_json()["detail"]
    r = _group(client, p, org, audience="pupils")
    assert r.status_code == 400 and "audience" in r.get_json()["errors"]
    # the specialist licence alone does not lift a Level 3A licence to this audience
    spec = _grant(client, staff, p["id"], kind="specialist", area=CYP, organisation_id=org["id"]).get_json()
    assert _group(client, p, org, audience=CYP).get_json()["unmet"] == ["licence_audience"]
    # Level 4 without a current specialist licence
    client.post(f"{LP}/licences/{spec['id']}/revoke", headers=staff, json={"reason": "Practice concerns"})
    _approved(db, aid)
    four = _grant(client, staff, p["id"], kind="level_4", organisation_id=org["id"]).get_json()
    r = _group(client, p, org, audience=CYP)
    assert r.status_code == 409 and r.get_json()["unmet"] == ["specialist_licence"]
    assert _count(db, Level3AGroup) == 1  # the refusals left no group
    # Level 4 and a current specialist licence: registered under the Level 4 licence
    r = _grant(client, staff, p["id"], kind="specialist", area=CYP, organisation_id=org["id"])
    assert r.status_code == 201, r.get_json()
    r = _group(client, p, org, audience=CYP, scope="increased_pressure_parenting")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["audience"] == CYP and body["licence_id"] == four["id"]
    # groups for adults still run under the Level 3A licence where it gives the scope
    assert _group(client, p, org, audience="parents").get_json()["licence_id"] == three_a["id"]
    db.session.expire_all()
    row = db.session.get(Level3AGroup, body["id"])
    assert (row.audience, row.licence_id) == (CYP, four["id"])
    assert _count(db, Level3AGroup) == 3


def test_a_type_1_package_is_bought_without_any_specialist_licence(client, staff, school, join, db):
    """The contract: a Child practitioner's Type 1 practicum package answers 201 with no Lead
    Professional licence of any kind (the Child certification is their route for direct work with
    children and young people; decision 0057)."""
    admin, org = school
    p = join(admin, org["id"], "Eli Fictional-Child")
    r = client.post(
        f"/api/v1/people/{p['id']}/pathways/child/items",
        headers=admin,
        json={"item": "study_support", "organisation_id": org["id"]},
    )
    assert r.status_code == 201, r.get_json()
    assert (
        client.post(
            f"/api/v1/organisations/{org['id']}/licences", headers=admin, json={"type": "enhanced"}
        ).status_code
        == 201
    )
    body = {"type": 1, "practitioner_id": p["id"], "funding": "organisation"}
    r = client.post(f"/api/v1/organisations/{org['id']}/packages", headers=admin, json=body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["type"] == 1
    assert _count(db) == 0 and _count(db, Package) == 1


def test_a_specialist_licence_names_its_area_and_needs_the_core_learning(client, staff, school, join, db):
    admin, org = school
    p = join(admin, org["id"], "Eli Fictional-Child")
    r = _grant(client, staff, p["id"], kind="specialist", organisation_id=org["id"])
    assert r.status_code == 400 and "area" in r.get_json()["errors"]
    r = _grant(client, staff, p["id"], kind="specialist", area=CYP, organisation_id=org["id"])
    assert r.status_code == 409 and r.get_json()["unmet"] == [f"completed:{c}" for c in CORE]
    assert _count(db) == 0
    _completed(db, p["id"], CORE)
    r = _grant(client, staff, p["id"], kind="specialist", area=CYP, organisation_id=org["id"])
    assert r.status_code == 201 and r.get_json()["area"] == CYP and r.get_json()["scopes"] == []
    assert _count(db) == 1


def _jwks(client) -> KeySet:
    return KeySet.import_key_set(client.get("/api/v1/credentials/issuer/jwks.json").get_json())


def _bit(token: str, keyset: KeySet, index: int) -> int:
    subject = jwt.decode(token, keyset, algorithms=["RS256"]).claims["credentialSubject"]
    raw = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    return (bits[index // 8] >> (7 - index % 8)) & 1


def test_a_licence_credential_verifies_with_joserfc_and_is_revoked_with_the_licence(
    client, staff, school, join, db
):
    admin, org = school
    p, _ = _trainee(client, staff, school, join, db, name="Fen Fictional-Holder")
    lic = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    r = client.get(f"{LP}/licences/{lic['id']}/credential", headers=p["headers"])
    assert r.status_code == 200, r.get_json()
    item = r.get_json()
    assert (item["kind"], item["licence_id"], item["licence_kind"], item["status"]) == (
        "licence",
        lic["id"],
        "level_3a",
        "active",
    )
    keyset = _jwks(client)
    vc = jwt.decode(item["credential"], keyset, algorithms=["RS256"]).claims
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "License" and achievement["name"] == "Level 3A licence"
    assert "everyday parenting" in achievement["description"]
    assert vc["credentialSubject"]["identifier"][0]["identityHash"] == "Fen Fictional-Holder"
    assert p["id"] not in str(vc)
    index = int(vc["credentialStatus"]["statusListIndex"])
    list_path = "/" + vc["credentialStatus"]["statusListCredential"].split("://", 1)[1].split("/", 1)[1]
    assert _bit(client.get(list_path).get_data(as_text=True), keyset, index) == 0
    assert (
        client.post("/api/v1/credentials/verify", json={"credential": item["credential"]}).get_json()[
            "result"
        ]
        == "verified"
    )
    status = client.get(f"/api/v1/credentials/{item['id']}/status").get_json()
    assert (status["status"], status["achievement"], status["holder"]) == (
        "active",
        "Level 3A licence",
        "Fen Fictional-Holder",
    )
    # the holder's credential list has it beside any certification's
    listed = client.get(f"/api/v1/people/{p['id']}/credentials", headers=p["headers"]).get_json()["items"]
    assert [c["kind"] for c in listed] == ["licence"]

    r = client.post(f"{LP}/licences/{lic['id']}/revoke", headers=staff, json={"reason": "   "})
    assert r.status_code == 400 and "reason" in r.get_json()["errors"]
    r = client.post(f"{LP}/licences/{lic['id']}/revoke", headers=staff, json={"reason": "Left the school"})
    assert r.status_code == 200 and r.get_json()["status"] == "revoked" and r.get_json()["revoked_at"]
    again = client.post(f"{LP}/licences/{lic['id']}/revoke", headers=staff, json={"reason": "twice over"})
    assert again.status_code == 409 and again.get_json()["unmet"] == ["licence_current"]
    jwt.decode(item["credential"], keyset, algorithms=["RS256"])  # the signature holds ...
    assert _bit(client.get(list_path).get_data(as_text=True), keyset, index) == 1  # ... its bit is set
    v = client.post("/api/v1/credentials/verify", json={"credential": item["credential"]}).get_json()
    assert (
        v["result"] == "revoked" and "revoked by I Matter Training (the licence was revoked)" in v["reasons"]
    )
    assert client.get(f"/api/v1/credentials/{item['id']}/status").get_json()["status"] == "revoked"
    # a new grant is a new licence with a new credential
    again = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    assert again["credential_id"] != item["id"]


def test_a_second_current_licence_of_a_kind_is_refused_and_the_database_holds_it(
    client, staff, school, join, db
):
    admin, org = school
    p, _ = _trainee(client, staff, school, join, db)
    assert _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).status_code == 201
    r = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"])
    assert r.status_code == 409
    db.session.add(
        LeadProfessionalLicence(
            person_id=p["id"],
            kind="level_3a",
            area="adults",
            scopes=[],
            status="current",
            granted_at=utcnow(),
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _count(db) == 1


def test_twenty_simultaneous_grants_of_one_licence_make_one(app, client, db, staff, school, join):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is meaningful on PostgreSQL")
    admin, org = school
    p, _ = _trainee(client, staff, school, join, db)
    db.session.commit()
    codes = simultaneously(
        app,
        20,
        lambda c, _i: _grant(c, staff, p["id"], kind="level_3a", organisation_id=org["id"]).status_code,
    )
    assert sorted(codes) == [201] + [409] * 19
    assert _count(db) == 1
    db.session.expire_all()
    from training.models.credentials import Credential

    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Credential).where(Credential.kind == "licence")
        )
        == 1
    )


def test_erasing_a_licence_holder_leaves_a_revoked_tombstone_and_no_licence(
    app, client, db, staff, school, join
):
    from training.models.credentials import Credential

    admin, org = school
    p, _ = _trainee(client, staff, school, join, db)
    lic = _grant(client, staff, p["id"], kind="level_3a", organisation_id=org["id"]).get_json()
    assert _group(client, p, org).status_code == 201
    r = app.test_cli_runner().invoke(args=["dp", "erase", "--person", p["id"]])
    assert r.exit_code == 0, r.output
    db.session.expire_all()
    assert db.session.get(LeadProfessionalLicence, lic["id"]) is None and _count(db, Level3AGroup) == 0
    row = db.session.get(Credential, lic["credential_id"])
    assert (row.person_id, row.licence_id) == (None, None) and row.revoked_at is not None
    assert client.get(f"/api/v1/credentials/{row.id}/status").get_json()["status"] == "revoked"
