"""Portal pages for the review re-run's rows 111, 114 and 80, through the Flask test client against
the real training app on a loopback port: placeholder prices are marked on the organisation's
licences table and on the practitioner's pathways; the calculator prices L1-2 completion as the
pathway does; a learner is not offered a bursary place (or a CPD seat) as their own funding choice."""

from __future__ import annotations

import re

import pytest

from support.portal import Visitor, gateway_and_training


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with gateway_and_training(tmp_path_factory.mktemp("review16-portal")) as apps:
        yield apps


def _user_id(world, visitor) -> str:
    from gateway.extensions import db as gdb
    from gateway.models import User

    with world["gateway"].app_context():
        return gdb.session.scalar(gdb.select(User.id).where(User.email == visitor.email))


def _org_with_starter(world, owner) -> str:
    """An organisation the visitor administers, holding a Starter Licence priced from the
    placeholder size band."""
    from training.extensions import db
    from training.models import Organisation, OrganisationAdmin
    from training.services import licences

    user_id = _user_id(world, owner)
    with world["training"].test_request_context():
        org = Organisation(
            name="Fictional Hazel School",
            kind="school",
            size_band="small",
            link_contact_email=owner.email,
            senior_leadership_commitment=True,
            created_by=user_id,
        )
        db.session.add(org)
        db.session.flush()
        db.session.add(OrganisationAdmin(organisation_id=org.id, user_id=user_id))
        licences.purchase(org, "starter", user_id)
        db.session.commit()
        return org.id


def _person_of(world, visitor, name) -> str:
    from training.extensions import db
    from training.models import Person

    with world["training"].app_context():
        p = Person(name=name, email=visitor.email, kind="professional", user_id=_user_id(world, visitor))
        db.session.add(p)
        db.session.commit()
        return p.id


def _l1_2_fees(world) -> int:
    from training.rules.catalogue import COURSES_BY_CODE, L1_2_COURSES

    with world["training"].app_context():
        return sum(COURSES_BY_CODE[c]["price"] for c in L1_2_COURSES)


def _money(pence: int) -> str:
    return f"£{pence // 100:,}" + (f".{pence % 100:02d}" if pence % 100 else "")


def test_row111_the_organisation_licences_table_marks_a_placeholder_fee(world):
    owner = Visitor(world, "Hazel Owner", roles=[])
    org_id = _org_with_starter(world, owner)
    page = owner.get(f"/organisations/{org_id}")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    table = re.search(r'<h2 id="licences-title">.*?</table>', html, re.S).group(0)
    row = re.search(r"<tr><th scope=\"row\">[^<]*Starter.*?</tr>", table, re.S).group(0)
    assert "£250" in row and "PLACEHOLDER" in row


def test_row111_the_practitioner_page_marks_placeholder_fees_and_what_is_left(world):
    learner = Visitor(world, "Ines Learner", roles=[])
    _person_of(world, learner, "Ines Fictional")
    page = learner.get("/practitioner")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    informed = re.search(
        r'<details class="pathway card" id="pathway-informed".*?</details>', html, re.S
    ).group(0)
    summary = re.search(r"<summary>.*?</summary>", informed, re.S).group(0)
    assert " left" in summary and "PLACEHOLDER" in summary
    l12 = re.search(r"Level 1-2 completion.*?</li>", informed, re.S).group(0)
    assert _money(_l1_2_fees(world)) in l12 and "PLACEHOLDER" in l12
    study = re.search(r"Study support.*?</li>", informed, re.S).group(0)
    assert "PLACEHOLDER" not in study  # a published price carries no mark
    lead = re.search(r'<details class="pathway card" id="pathway-lead".*?</details>', html, re.S).group(0)
    assert "PLACEHOLDER" not in lead


def test_row114_the_calculator_prices_l1_2_completion_as_the_pathway_does(world):
    page = (
        world["gateway"]
        .test_client()
        .get("/pathway-calculator?role=informed", headers={"Accept": "text/html"})
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fees = _l1_2_fees(world)
    row = re.search(r'<tr data-code="l1_2_completion".*?</tr>', html, re.S).group(0)
    assert "no charge" not in row and _money(fees) in row and "PLACEHOLDER" in row
    total = re.search(r"<strong data-total[^>]*>([^<]+)</strong>", html).group(1)
    assert total == _money(fees + 25000 + 3 * 15000)
    # the same figure a newcomer's /practitioner shows as left to pay
    learner = Visitor(world, "Cal Learner", roles=[])
    _person_of(world, learner, "Cal Fictional")
    practitioner = learner.get("/practitioner").get_data(as_text=True)
    informed = re.search(r'id="pathway-informed".*?</summary>', practitioner, re.S).group(0)
    assert f"{total} left" in informed


def test_row80_a_learner_is_not_offered_a_bursary_place_for_themself(world):
    learner = Visitor(world, "Bea Learner", roles=[])
    _person_of(world, learner, "Bea Fictional")
    html = learner.get("/learning").get_data(as_text=True)
    form = re.search(r'<h2 id="self-title">.*?</form>', html, re.S).group(0)
    assert 'value="self"' in form
    assert 'value="bursary"' not in form and 'value="cpd_credit"' not in form
