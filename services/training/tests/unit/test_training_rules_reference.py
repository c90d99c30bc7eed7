"""The catalogue's reference data as rules: the visitor's pathway estimate (Deep Dive counted
once), licence texts, fundings and who chooses them, membership role names, the requirements a
person books themself, and a practitioner licence's actions in each state."""

import copy

import pytest

from training.rules import catalogue, funding, licences, membership, stage
from training.rules import pathway as pw
from training.rules import practitioner_licence as practitioner
from training.rules.roles import REQUIREMENT_KINDS, role_items_price
from training.services import learning, memberships, packages

DEEP_DIVE = 75000


def test_an_estimate_from_scratch_is_the_roles_list_price_and_its_remaining_cost():
    for role in ("informed", "child", "lead", "lead_plus"):
        e = pw.estimate(role)
        assert e["total"] == e["with_prerequisites"] == role_items_price(role)
        assert e["total"] == pw.evaluate(role, pw.Facts())["remaining_cost"], role
        assert e["prerequisites"] == [] and e["currency"] == "GBP"


def test_each_row_is_the_catalogue_requirement_with_its_cost():
    rows = {r["code"]: r for r in pw.estimate("informed")["rows"]}
    assert rows["consolidation"]["quantity"] == 3
    assert rows["consolidation"]["cost"] == 3 * rows["consolidation"]["price"] == 45000
    assert rows["l1_2_completion"]["cost"] == 3 * 4500 + 2 * 6000  # the L1-2 course fees (row 114)
    assert rows["l1_2_completion"]["placeholder"] is True  # those fees are placeholders (row 111)
    assert not any(r["have"] for r in rows.values())


def test_what_the_visitor_has_is_not_charged():
    e = pw.estimate("lead", {"deep_dive"})
    assert e["total"] == e["with_prerequisites"] == 145000 - DEEP_DIVE
    assert [r["code"] for r in e["rows"] if r["have"]] == ["deep_dive"]


def test_a_prerequisite_role_is_shown_with_its_own_cost_not_added_to_the_total():
    e = pw.estimate("senior_link")
    informed = next(r for r in e["rows"] if r["code"] == "informed")
    assert informed["cost"] == 0 and informed["role_cost"] == role_items_price("informed")
    assert e["total"] == role_items_price("senior_link") == 40000
    assert e["with_prerequisites"] == 40000 + role_items_price("informed")
    assert [p["code"] for p in e["prerequisites"]] == ["informed"]
    had = pw.estimate("senior_link", {"informed"})
    assert had["prerequisites"] == [] and had["with_prerequisites"] == 40000


@pytest.fixture
def informed_needs_deep_dive(monkeypatch):
    """A price book in which Informed also needs the Deep Dive that Child needs, and Child builds
    on Informed: a requirement two roles on one pathway share."""
    book = copy.deepcopy(catalogue.tables())
    roles = {r["code"]: r for r in book["roles"]}
    roles["informed"]["requirements"].append({"code": "deep_dive", "quantity": 1})
    roles["child"]["requirements"].insert(0, {"code": "informed", "quantity": 1})
    monkeypatch.setattr(catalogue, "tables", lambda: book)


def test_deep_dive_is_counted_once_across_the_roles_of_a_pathway(informed_needs_deep_dive):
    informed, child = pw.estimate("informed"), pw.estimate("child")
    assert informed["with_prerequisites"] == role_items_price("informed")
    child_own = role_items_price("child")
    # Child's own items and Informed's, Deep Dive and the other shared items charged once
    shared = sum(
        r["cost"]
        for r in informed["rows"]
        if r["code"] in {c["code"] for c in child["rows"]} and r["code"] != "informed"
    )
    assert DEEP_DIVE <= shared
    assert child["with_prerequisites"] == child_own + informed["with_prerequisites"] - shared
    assert (
        pw.estimate("child", {"deep_dive"})["with_prerequisites"] == child["with_prerequisites"] - DEEP_DIVE
    )


def test_only_courses_and_session_blocks_are_booked_by_the_person():
    booked = {code for code in REQUIREMENT_KINDS if pw.self_booked(code)}
    assert booked == {
        "study_support",
        "consolidation",
        "senior_link_training",
        "link_training",
        "deep_dive",
        "child_practicum",
        "lead_training",
        "lead_plus_training",
    }


def test_licence_terms_carry_the_introduction_and_the_fee_field():
    terms = [licences.catalogue_terms(t) for t in licences.TYPES]
    assert [t["name"] for t in terms] == ["Starter Licence", "CPD Licence", "Enhanced Practice Licence"]
    assert [t["phase"] for t in terms] == [1, 2, 3]
    assert [t["fee_key"] for t in terms] == ["starter_fee", "cpd_fee", "enhanced_fee"]
    assert terms[0]["agreement"] == licences.STARTER_AGREEMENT and terms[1]["agreement"] is None
    for t in terms:
        assert t["subtitle"] and t["summary"] and t["includes"] and t["excludes"]
        assert {k: t[k] for k in licences.public_terms(t["type"])} == licences.public_terms(t["type"])


def test_stages_run_from_not_engaged_to_microprojects():
    assert list(stage.STAGES) == [0, 1, 2, 3, 4, 5]
    assert stage.STAGES[0] == "Not yet engaged" and stage.STAGES[5] == "Microprojects"


def test_the_funding_table_names_exactly_the_codes_the_services_accept():
    assert tuple(funding.ENROLMENT_FUNDINGS) == learning.FUNDINGS
    assert tuple(funding.PACKAGE_FUNDINGS) == packages.FUNDINGS


def test_a_learner_chooses_only_to_pay_themself_or_a_package_account():
    assert [f["code"] for f in funding.learner_fundings()] == ["self", "package"]
    by_code = {f["code"]: f for f in funding.enrolment_fundings()}
    assert "person" not in by_code["bursary"]["chosen_by"]  # the organisation's decision (row 80)
    assert "person" not in by_code["cpd_credit"]["chosen_by"]
    assert by_code["self"]["chosen_by"] == ["person"]


def test_whoever_pays_for_a_package_chooses_its_funding():
    by_code = {f["code"]: f for f in funding.package_fundings()}
    assert by_code["self"]["chosen_by"] == ["person"]  # the practitioner pays for themself
    assert "person" not in by_code["organisation"]["chosen_by"]  # only an admin commits its money
    assert funding.may_choose(
        tuple(by_code["organisation"]["chosen_by"]),
        person=False,
        organisation_admin=True,
        training_admin=False,
    )
    assert not funding.may_choose(("person",), person=False, organisation_admin=True, training_admin=True)


def test_every_membership_role_has_a_name_and_only_admin_grants_anything():
    assert tuple(membership.MEMBER_ROLE_LABELS) == memberships.MEMBER_ROLES
    assert [r["code"] for r in membership.member_roles() if r["grants_admin"]] == [memberships.ADMIN_ROLE]


@pytest.mark.parametrize(
    "state,actions",
    [
        ("applied", ["pause"]),
        ("active", ["pause", "renew"]),
        ("paused", ["resume", "renew"]),
        ("lapsed", ["renew"]),
    ],
)
def test_the_holder_may_take_the_transitions_of_the_state_and_resume_a_paused_licence(state, actions):
    assert practitioner.holder_actions(state) == actions
    assert practitioner.STATE_NOTES[state]
    assert "approve" not in practitioner.holder_actions(state)  # a training admin's review
