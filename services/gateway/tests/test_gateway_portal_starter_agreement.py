"""Row 3 (seed 000 Starter "includes: organisational agreement to participate") in the portal,
through the Flask test client against the real training app: the Starter's confirmation page shows
the agreement text from training's licensing terms, buying needs it accepted (error at the field),
and the licence shows who accepted it and when."""

from __future__ import annotations

import re

import pytest

from support.portal import Visitor, gateway_and_training
from training.rules.licences import STARTER_AGREEMENT


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("starter-agreement")) as apps:
        yield apps


def test_row3_starter_confirmation_shows_the_agreement_and_records_who_accepted_it(world):
    ada = Visitor(world, "Ada Fictional-Admin", roles=["learner"])
    r = ada.post(
        "/organisations/new",
        {
            "name": "Fictional Alder School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": ada.email,
            "senior_leadership_commitment": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    org_page = r.headers["Location"]
    org_id = org_page.rstrip("/").split("/")[-1]
    page = f"/organisations/{org_id}/licences/starter"
    html = ada.get(page).get_data(as_text=True)
    assert "Organisational agreement to participate" in html
    assert STARTER_AGREEMENT[:80] in html.replace("&#39;", "'")
    assert re.search(r'<label for="agreement_accepted">[^<]*accept the organisational agreement', html)
    # not accepted: refused at the field, nothing bought
    r = ada.post(page, {})
    assert r.status_code == 400 and 'id="agreement_accepted-error"' in r.get_data(as_text=True)
    assert "No licences yet." in ada.get(org_page).get_data(as_text=True)
    # accepted: bought, and the licence shows who accepted it and when
    r = ada.post(page, {"agreement_accepted": "on"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = ada.get(org_page).get_data(as_text=True)
    assert "Agreement to participate accepted by Ada Fictional-Admin on 20" in html
    # the CPD confirmation carries no agreement
    assert "Organisational agreement to participate" not in ada.get(
        f"/organisations/{org_id}/licences/cpd"
    ).get_data(as_text=True)


def test_a_purchase_form_sent_twice_buys_once(world):
    """The confirmation form carries a random Idempotency-Key (decision 0054): sending the same form
    again (a double click, a repeat after an error page) gets the first answer and buys nothing."""
    import sqlalchemy as sa

    from training.extensions import db
    from training.models import Licence

    bea = Visitor(world, "Bea Fictional-Admin", roles=["learner"])
    r = bea.post(
        "/organisations/new",
        {
            "name": "Fictional Birch School",
            "kind": "school",
            "size_band": "small",
            "link_contact_email": bea.email,
            "senior_leadership_commitment": "on",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    org_id = r.headers["Location"].rstrip("/").split("/")[-1]
    page = f"/organisations/{org_id}/licences/starter"
    keys = [
        re.search(r'name="idempotency_key" value="([^"]+)"', bea.get(page).get_data(as_text=True)).group(1)
        for _ in range(2)
    ]
    assert keys[0] != keys[1]  # a new key each time the form is shown
    for _ in range(2):
        r = bea.post(page, {"agreement_accepted": "on", "idempotency_key": keys[0]})
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with world["training"].app_context():
        n = db.session.scalar(sa.select(sa.func.count(Licence.id)).where(Licence.organisation_id == org_id))
    assert n == 1
