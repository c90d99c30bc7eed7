"""Property: any permutation of an event stream, with any duplicates, leaves the consumer's
database in the same state as the de-duplicated stream (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imatter_events_testapp import make_service

from imatter_shared.events.envelope import new_envelope
from support.testing import create_postgres_database, drop_postgres_database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cic(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("property")
    url = f"sqlite:///{tmp}/cic.db" if request.param == "sqlite" else create_postgres_database()
    service = make_service("cic-tracker", url, {"EVENTS_EMBEDDED_PATH": str(tmp / "events.db")})
    yield service
    service.drop()
    if request.param == "postgresql":
        drop_postgres_database(url)


purchase = st.builds(
    lambda key, uses: (
        "training.package.purchased",
        {
            "package_id": key,
            "package_type": 1,
            "organisation_id": "o",
            "practitioner_id": "p",
            "tracker_uses": uses,
            "online_accounts": 0,
        },
    ),
    st.sampled_from(["a", "b", "c"]),
    st.integers(0, 5),
)
linked = st.builds(
    lambda key: ("training.person.linked", {"person_id": key, "user_id": "u"}), st.sampled_from(["a", "d"])
)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_permutations_with_duplicates_equal_the_deduplicated_stream(cic, data):
    events = data.draw(st.lists(purchase | linked, min_size=1, max_size=8), label="events")
    envelopes = [new_envelope(t, d, "training", version=1) for t, d in events]
    bodies = [e.to_json() for e in envelopes]
    extra = data.draw(st.lists(st.sampled_from(bodies), max_size=8), label="duplicates")
    stream = data.draw(st.permutations(bodies + extra), label="delivery order")
    consumer = cic.consumer()

    cic.reset()
    for body in bodies:
        assert consumer.process(body, 1).action == "ack"
    expected = cic.tallies()

    cic.reset()
    outcomes = [consumer.process(body, 1) for body in stream]
    assert cic.tallies() == expected
    assert cic.count(cic.Inbox) == len(bodies)
    assert sum(o.reason == "duplicate" for o in outcomes) == len(extra)
