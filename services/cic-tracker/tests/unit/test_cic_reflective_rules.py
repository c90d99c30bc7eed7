"""Who may use the formal I Matter Q and the personalised wheel on a case: pure rules."""

from datetime import datetime, timedelta

import pytest

from cic_tracker.rules.reflective import FORMAL_Q, WELLBEING_WHEEL, UseFacts, licence_active, use_unmet


def facts(**over):
    base = dict(
        case_state="open",
        microproject_state="open",
        enhanced_status="active",
        in_hub=False,
        wheel_licence_active=True,
    )
    return UseFacts(**{**base, **over})


@pytest.mark.parametrize(
    "over, unmet",
    [
        ({}, []),
        ({"enhanced_status": None}, ["enhanced_licence"]),  # never heard of a licence
        ({"enhanced_status": None, "in_hub": True}, []),  # a CIC locality hub is approved
        ({"enhanced_status": "expired", "in_hub": True}, ["enhanced_licence"]),
        ({"enhanced_status": "suspended"}, ["enhanced_licence"]),
        ({"case_state": "withdrawn"}, ["case_open"]),
        ({"microproject_state": "completed", "case_state": "closed"}, ["microproject_open", "case_open"]),
        ({"wheel_licence_active": False}, []),  # the Q does not need the wheel's licence
    ],
)
def test_formal_q(over, unmet):
    assert use_unmet(FORMAL_Q, facts(**over)) == unmet


@pytest.mark.parametrize(
    "over, unmet",
    [
        ({}, []),
        ({"wheel_licence_active": False}, ["community_wheel_licence"]),
        ({"enhanced_status": None}, []),  # the wheel's licence is its own
        ({"case_state": "erased", "wheel_licence_active": False}, ["case_open", "community_wheel_licence"]),
    ],
)
def test_personal_wheel(over, unmet):
    assert use_unmet(WELLBEING_WHEEL, facts(**over)) == unmet


def test_a_licence_is_active_until_its_end_and_never_once_revoked():
    now = datetime(2026, 11, 1)
    assert licence_active("active", now + timedelta(seconds=1), now)
    assert not licence_active("active", now, now)
    assert licence_active("active", None, now)
    assert not licence_active("revoked", now + timedelta(days=1), now)
