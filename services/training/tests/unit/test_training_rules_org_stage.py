"""The implementation stage 1-5, derived from counts, and its next steps."""

import pytest

from training.rules import stage


@pytest.mark.parametrize(
    "learners,practitioners,microprojects,expected",
    [
        (0, 0, 0, 1),
        (1, 0, 0, 2),
        (2, 0, 0, 2),
        (3, 0, 0, 3),
        (40, 0, 0, 3),
        (0, 1, 0, 4),
        (5, 2, 0, 4),
        (5, 2, 1, 5),
        (0, 0, 1, 5),
    ],
)
def test_stage_from_counts(learners, practitioners, microprojects, expected):
    assert (
        stage.stage(learners=learners, practitioners=practitioners, microprojects=microprojects, starter=True)
        == expected
    )


@pytest.mark.parametrize("learners,practitioners,microprojects", [(0, 0, 0), (3, 0, 0), (5, 2, 1)])
def test_stage_is_0_not_yet_engaged_until_an_active_starter_licence(learners, practitioners, microprojects):
    assert (
        stage.stage(
            learners=learners, practitioners=practitioners, microprojects=microprojects, starter=False
        )
        == 0
    )
    assert stage.STAGES[0] == "Not yet engaged"


def _steps(**kw):
    base = dict(
        stage_no=1,
        starter=False,
        cpd=False,
        enhanced=False,
        senior_leadership_commitment=True,
        seats_available=0,
        learners=0,
    )
    return stage.next_steps(**{**base, **kw})


def test_a_new_organisation_is_told_to_take_the_starter_licence_first():
    steps = _steps()
    assert "Starter Licence" in steps[0]


def test_next_steps_follow_the_stage():
    assert any("beyond" in s for s in _steps(stage_no=2, starter=True, cpd=True, seats_available=3))
    assert any("Link, Child or Lead" in s for s in _steps(stage_no=3, starter=True, cpd=True))
    assert any("Enhanced Practice Licence" in s for s in _steps(stage_no=4, starter=True, cpd=True))
    assert not any(
        "Enhanced Practice Licence" in s for s in _steps(stage_no=4, starter=True, cpd=True, enhanced=True)
    )
    assert any("seat bundle" in s for s in _steps(stage_no=3, starter=True, cpd=True, seats_available=0))
