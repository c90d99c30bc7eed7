"""Portal pages for Lead Professional licences (decisions 0055-0057) through the Flask test
client, against the real training app: a training admin reads a person's eligibility in their
organisation, grants an eligible kind (the form lists only those; what the others need is shown),
revokes with a reason; the holder sees the licence on the practitioner page, downloads its
credential and its public verification page shows it, then shows it revoked."""

from __future__ import annotations

import importlib.util
import pathlib
import re

_spec = importlib.util.spec_from_file_location(
    "_portal_world_lpl", pathlib.Path(__file__).with_name("test_gateway_portal_lead_professionals.py")
)
_lp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_lp)
_world = _lp._world
Visitor, one_h1_and_labels, world = _world.Visitor, _world.one_h1_and_labels, _world.world  # world: a fixture


def _trainee(world):
    head = Visitor(world, "Hana Head")
    org_id = _world._organisation_with_starter(head)
    staff = Visitor(world, "Tess Staff", roles=["training_admin"])
    bea = _lp._member(world, head, org_id, "Bea Licensee")
    _lp._completed(bea, staff, "intermediate_a")
    pid = bea.me()["person_id"]
    r = bea.client.post(
        "/api/v1/lead-professionals/applications",
        headers=_lp._bearer(bea),
        json={
            "person_id": pid,
            "organisation_id": org_id,
            "references": [{"name": "A", "relationship": "head"}, {"name": "B", "relationship": "peer"}],
            "senior_leadership_backing": True,
        },
    )
    assert r.status_code == 201, r.get_json()
    r = staff.client.post(
        f"/api/v1/lead-professionals/applications/{r.get_json()['id']}/interview",
        headers=_lp._bearer(staff),
        json={"outcome": "passed"},
    )
    assert r.status_code == 200
    return head, staff, bea, org_id, pid


def test_admin_grants_an_eligible_licence_and_revokes_it_the_holder_sees_and_verifies(world):
    head, staff, bea, org_id, pid = _trainee(world)
    assert "/admin/lead-professional-licences" in staff.get("/admin").get_data(as_text=True)
    find = staff.get(f"/admin/lead-professional-licences?person_id={pid}")
    assert find.status_code == 302 and find.headers["Location"].endswith(
        f"/admin/people/{pid}/lead-professional-licences"
    )
    page = f"/admin/people/{pid}/lead-professional-licences"
    # outside an organisation: no in-house kind; the A licence names what is missing
    html = staff.get(page).get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Bea Licensee" in html and "A licence: needs completed foundation a1" in html
    html = staff.get(f"{page}?organisation_id={org_id}").get_data(as_text=True)
    one_h1_and_labels(html)
    assert '<option value="level_3a:adults">Level 3A licence</option>' in html
    assert "level_4:adults" not in html.split('id="grant-choice"')[1].split("</select>")[0]
    assert "Level 4 in-house practice licence: needs an approved member of the Lead Professional team" in html
    # nothing chosen: the error is at the field
    r = staff.post(page, {"choice": "", "organisation_id": org_id}, page=f"{page}?organisation_id={org_id}")
    assert r.status_code == 400 and 'id="grant-choice-error"' in r.get_data(as_text=True)
    # a kind the person is not eligible for (a hand-made request): the API's rule is shown
    r = staff.post(
        page, {"choice": "level_4:adults", "organisation_id": org_id}, page=f"{page}?organisation_id={org_id}"
    )
    assert r.status_code == 409 and "approved_lead_professional" in r.get_data(as_text=True)
    r = staff.post(
        page,
        {"choice": "level_3a:adults", "organisation_id": org_id, "note": "Head's support"},
        page=f"{page}?organisation_id={org_id}",
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = staff.get(page).get_data(as_text=True)
    assert "Level 3A licence" in html and "Head&#39;s support" in html and "everyday parenting" in html
    licence_id = re.search(r'id="lp-licence-([0-9a-f]{32})"', html).group(1)

    # the holder: on the practitioner page, with the credential to download and its verification page
    html = bea.get("/practitioner").get_data(as_text=True)
    one_h1_and_labels(html)
    assert "Lead Professional licences" in html and "Level 3A licence" in html
    download = bea.get(f"/lead-professional-licences/{licence_id}/credential")
    assert download.status_code == 200 and download.mimetype == "application/vc+jwt"
    assert "level_3a-licence-credential.jwt" in download.headers["Content-Disposition"]
    token = download.get_data(as_text=True)
    verify = re.search(
        r'href="(/credentials/[0-9a-f]{32})"', html.split("lead-professional-licences", 1)[1]
    ).group(1)
    assert "Level 3A licence" in bea.get(verify).get_data(as_text=True)
    # a Level 3A group under it: Everyday Parenting only (decision 0056)
    from datetime import date

    group = {
        "organisation_id": org_id,
        "course_code": "foundation_a1",
        "audience": "parents",
        "starts_on": date.today().isoformat(),
        "participants_count": "6",
    }
    form = bea.get("/lead-professional").get_data(as_text=True)
    assert 'id="grp-scope"' in form and "Increased Pressure Parenting (licences: level 4, level 5)" in form
    r = bea.post(
        "/lead-professional/groups",
        {**group, "scope": "increased_pressure_parenting"},
        page="/lead-professional",
    )
    assert r.status_code == 409 and "licence_scope" in r.get_data(as_text=True)
    r = bea.post(
        "/lead-professional/groups", {**group, "scope": "everyday_parenting"}, page="/lead-professional"
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    # nobody else downloads it or opens the admin page
    assert head.get(f"/lead-professional-licences/{licence_id}/credential").status_code == 404
    assert bea.get(page).status_code == 403

    # revoke: a reason is required and kept; the credential reads as revoked
    revoke = f"{page}/{licence_id}/revoke"
    r = staff.post(revoke, {"reason": "no"}, page=page)
    assert r.status_code == 400 and f'id="revoke-{licence_id}-reason-error"' in r.get_data(as_text=True)
    r = staff.post(revoke, {"reason": "Left the school"}, page=page)
    assert r.status_code == 302
    assert "Left the school" in staff.get(page).get_data(as_text=True)
    assert (
        "revoked" in bea.get("/practitioner").get_data(as_text=True).split("lead-professional-licences", 1)[1]
    )
    r = bea.post("/credentials/verify", {"credential": token}, page="/credentials/verify")
    assert r.status_code == 200 and "revoked" in r.get_data(as_text=True).lower()
