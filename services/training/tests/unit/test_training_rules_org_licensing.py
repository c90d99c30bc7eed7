"""Licence dependencies, terms and status from dates."""

from datetime import datetime, timedelta

from training.rules import licences as lic

NOW = datetime(2026, 11, 22, 12, 0)


def test_starter_needs_commitment_and_a_link_contact():
    kw = dict(starter_active=False, practitioners=0)
    assert lic.purchase_unmet("starter", senior_leadership_commitment=True, has_link_contact=True, **kw) == []
    assert lic.purchase_unmet("starter", senior_leadership_commitment=False, has_link_contact=True, **kw) == [
        "senior_leadership_commitment"
    ]
    assert lic.purchase_unmet(
        "starter", senior_leadership_commitment=False, has_link_contact=False, **kw
    ) == ["senior_leadership_commitment", "link_contact"]


def test_cpd_and_enhanced_need_the_starter_first():
    kw = dict(senior_leadership_commitment=True, has_link_contact=True)
    assert lic.purchase_unmet("cpd", starter_active=False, practitioners=0, **kw) == ["starter_licence"]
    assert lic.purchase_unmet("cpd", starter_active=True, practitioners=0, **kw) == []
    assert lic.purchase_unmet("enhanced", starter_active=False, practitioners=0, **kw) == [
        "starter_licence",
        "practitioner_in_training",
    ]
    assert lic.purchase_unmet("enhanced", starter_active=True, practitioners=0, **kw) == [
        "practitioner_in_training"
    ]
    assert lic.purchase_unmet("enhanced", starter_active=True, practitioners=1, **kw) == []


def test_status_comes_from_the_dates():
    start, end = lic.term("starter", NOW)
    assert end == datetime(2027, 11, 22, 12, 0)
    assert lic.status(start, end, NOW) == "active"
    assert lic.status(start, end, end - timedelta(seconds=1)) == "active"
    assert lic.status(start, end, end) == "expired"
    assert lic.status(start, end, NOW - timedelta(days=1)) == "expired"


def test_a_term_from_the_29th_of_february_ends_on_the_28th():
    assert lic.add_months(datetime(2028, 2, 29), 12) == datetime(2029, 2, 28)
    assert lic.add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)


def test_renewal_runs_on_from_the_later_of_now_and_the_end():
    assert lic.renewal_start(NOW, NOW + timedelta(days=30)) == NOW + timedelta(days=30)
    assert lic.renewal_start(NOW, NOW - timedelta(days=30)) == NOW


def test_an_expired_starter_suspends_what_depends_on_it():
    assert lic.suspension_reasons("cpd", starter_active=False, practitioners=1) == ["starter_licence"]
    assert lic.suspension_reasons("enhanced", starter_active=True, practitioners=0) == [
        "practitioner_in_training"
    ]
    assert lic.suspension_reasons("starter", starter_active=False, practitioners=0) == []


def test_the_starter_dependency_is_read_from_requires():
    assert lic.dependants("starter") == ("cpd", "enhanced")
    assert lic.dependants("cpd") == () and lic.dependants("enhanced") == ()
    assert lic.continuing("starter") == ()  # its commitment and link contact are checked at purchase
    assert lic.continuing("enhanced") == ("starter_licence", "practitioner_in_training")


def test_includes_and_excludes_are_data_from_seed_000():
    enhanced = lic.public_terms("enhanced")
    assert "practitioner training" in enhanced["excludes"] and "microproject packages" in enhanced["excludes"]
    assert any("not a practitioner qualification" in e for e in lic.public_terms("cpd")["excludes"])
    assert "named link contact" in lic.public_terms("starter")["includes"]
