"""Integration events: the envelope and the catalogue of event types."""

from imatter_shared.events.catalogue import (
    REGISTRY,
    EventSpec,
    EventValidationError,
    UnknownEventType,
    validate,
)
from imatter_shared.events.envelope import Envelope, EnvelopeError, new_envelope

__all__ = [
    "Envelope",
    "EnvelopeError",
    "new_envelope",
    "REGISTRY",
    "EventSpec",
    "EventValidationError",
    "UnknownEventType",
    "validate",
]
