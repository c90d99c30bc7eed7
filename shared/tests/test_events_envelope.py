"""The envelope: round trip, and a clear EnvelopeError for anything malformed."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imatter_shared.events.envelope import Envelope, EnvelopeError, new_envelope, parse_timestamp


def good() -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": "cic.tracker.credit_used",
        "version": 1,
        "occurred_at": "2026-11-22T15:00:00Z",
        "producer": "cic-tracker",
        "data": {"package_id": "p1", "credits_left": 2},
    }


def test_new_envelope_round_trips_through_json():
    envelope = new_envelope(
        "training.person.linked", {"person_id": "p", "user_id": "u"}, "training", version=1
    )
    assert uuid.UUID(envelope.event_id).version == 4
    assert envelope.version == 1
    assert parse_timestamp(envelope.occurred_at).utcoffset().total_seconds() == 0
    assert envelope.occurred_at.endswith("Z")
    assert Envelope.from_json(envelope.to_json()) == envelope
    assert json.loads(envelope.to_json())["data"] == {"person_id": "p", "user_id": "u"}


def test_envelope_is_frozen_including_its_data():
    envelope = Envelope.from_dict(good())
    with pytest.raises(AttributeError):
        envelope.type = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        envelope.data["credits_left"] = 9  # type: ignore[index]


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("event_id"), "lacks event_id"),
        (lambda d: d.update(event_id="not-a-uuid"), "event_id is not a UUID"),
        (lambda d: d.update(event_id=7), "event_id is not a string"),
        (lambda d: d.update(type=""), "type"),
        (lambda d: d.update(type="a..b"), "type"),
        (lambda d: d.update(version="1"), "version"),
        (lambda d: d.update(version=True), "version"),
        (lambda d: d.update(version=0), "version"),
        (lambda d: d.update(occurred_at="yesterday"), "occurred_at"),
        (lambda d: d.update(occurred_at="2026-11-22T15:00:00"), "occurred_at"),  # no UTC offset
        (lambda d: d.update(producer=" "), "producer"),
        (lambda d: d.update(data=[1, 2]), "data is not a JSON object"),
        (lambda d: d.update(extra=1), "unknown fields extra"),
    ],
)
def test_malformed_envelopes_are_refused_with_a_clear_message(mutate, message):
    raw = good()
    mutate(raw)
    with pytest.raises(EnvelopeError, match=message):
        Envelope.from_json(json.dumps(raw).encode())


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"null", b"\xff\xfe", b'{"a": NaN}', "x" * 10])
def test_non_envelopes_are_refused(body):
    with pytest.raises(EnvelopeError):
        Envelope.from_json(body)


def test_event_id_is_canonicalised_so_dedup_sees_one_spelling():
    raw = good()
    raw["event_id"] = raw["event_id"].upper()
    assert Envelope.from_dict(raw).event_id == raw["event_id"].lower()


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_either_parse_or_raise_envelope_error(body):
    try:
        Envelope.from_json(body)
    except EnvelopeError:
        pass


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(good()) + ["x"]), json_values, max_size=8))
def test_arbitrary_json_objects_either_parse_or_raise_envelope_error(raw):
    try:
        envelope = Envelope.from_json(json.dumps(raw).encode())
    except EnvelopeError:
        return
    assert Envelope.from_json(envelope.to_json()) == envelope
