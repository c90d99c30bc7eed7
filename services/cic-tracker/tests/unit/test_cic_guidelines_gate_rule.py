"""The practice guidelines gate on a microproject's first case (decision 0064), a pure function."""


def test_cic_first_case_gate():
    from cic_tracker.rules.guidelines import first_case_unmet

    assert first_case_unmet(None, set(), True) == []
    assert first_case_unmet(2, {1}, True) == ["practice_guidelines"]
    assert first_case_unmet(2, {1, 2}, True) == []
    assert first_case_unmet(2, set(), False) == []
