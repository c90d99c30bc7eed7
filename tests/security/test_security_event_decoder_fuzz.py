"""Fuzzing the event decoder: whatever bytes arrive from the broker, decoding and catalogue
validation end in an Envelope and clean data, or in EnvelopeError / EventValidationError
(which the consumer dead-letters). Never another exception, and never an unknown field in
the data of an event training consumes."""

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imatter_shared.events import catalogue
from imatter_shared.events.envelope import Envelope, EnvelopeError

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXPECTED = (EnvelopeError, catalogue.EventValidationError)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
FIELD_NAMES = sorted({name for spec in catalogue.REGISTRY.values() for name in spec.schema().fields})
event_types = st.sampled_from(sorted(catalogue.REGISTRY)) | st.text(max_size=30)
# mostly plausible values, so the fuzzer reaches the schema checks rather than stopping early
field_values = (
    st.text(min_size=1, max_size=20)
    | st.integers(-5, 10_000)
    | st.sampled_from(
        [
            "2030-01-01T00:00:00Z",
            "2030-01-01",
            "2030-13-01T00:00:00Z",
            "open",
            "completed",
            "link",
            "starter",
            "active",
            "",
        ]
    )
    | json_values
)
data_dicts = st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=12), field_values, max_size=10)
envelopes = st.fixed_dictionaries(
    {
        "event_id": st.uuids().map(str) | st.text(max_size=40),
        "type": event_types,
        "version": st.integers(-2, 5) | st.booleans() | st.text(max_size=3),
        "occurred_at": st.sampled_from(["2030-01-01T00:00:00Z", "2030-01-01T00:00:00", "yesterday"])
        | st.text(max_size=30),
        "producer": st.sampled_from(["training", "cic-tracker"]) | st.text(max_size=10),
        "data": data_dicts | json_values,
    },
    optional={"extra": json_values},
)


def decode_and_validate(body):
    envelope = Envelope.from_json(body)
    data = catalogue.validate(envelope.type, envelope.data)
    assert isinstance(data, dict)
    return envelope, data


def survives(body) -> None:
    try:
        envelope, data = decode_and_validate(body)
    except EXPECTED:
        return
    spec = catalogue.REGISTRY[envelope.type]
    assert set(data) <= set(spec.schema().fields)  # nothing unknown ever reaches a handler
    if spec.closed:
        assert set(envelope.data) <= set(spec.schema().fields)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes(body):
    survives(body)


@SETTINGS
@given(json_values)
def test_arbitrary_json(value):
    survives(json.dumps(value).encode())


@SETTINGS
@given(envelopes)
def test_envelope_shaped_messages(raw):
    survives(json.dumps(raw).encode())
    survives(json.dumps(raw))  # str bodies too


@SETTINGS
@given(
    st.sampled_from([t for t, s in catalogue.REGISTRY.items() if s.closed]),
    data_dicts,
    st.text(min_size=1, max_size=12),
)
def test_closed_schemas_reject_any_unknown_field(event_type, data, unknown):
    fields = set(catalogue.REGISTRY[event_type].schema().fields)
    if unknown in fields:
        return
    body = {
        "event_id": str(uuid.uuid4()),
        "type": event_type,
        "version": 1,
        "occurred_at": "2030-01-01T00:00:00Z",
        "producer": "cic-tracker",
        "data": {**data, unknown: "x"},
    }
    try:
        decode_and_validate(json.dumps(body).encode())
    except catalogue.EventValidationError:
        return
    raise AssertionError(f"{event_type} accepted the unknown field {unknown!r}")


def test_pathological_bodies():
    for body in (
        b"",
        b"\xff\xfe",
        b"[" * 100_000,
        b"{" * 50_000,
        b'{"a": NaN}',
        b"1e999999",
        b'"' + b"a" * 2_000_000 + b'"',
        "\ud800".encode("utf-8", "surrogatepass"),
    ):
        survives(body)
