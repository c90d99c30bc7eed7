"""The payment provider seam: what a card provider implements, and the signed webhook it calls.

No provider is wired in and nothing here calls an external service. A provider adapter would
implement `PaymentProvider` (start a payment for an invoice -> where to send the payer; parse and
verify a webhook -> a `ProviderEvent`). `SignedWebhookProvider` is the one verifier used today:
it accepts a provider event only with a valid HMAC-SHA256 signature

    X-Imatter-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">

keyed with PAYMENT_WEBHOOK_SECRET, within a 5-minute tolerance (a replayed old request fails),
compared in constant time. `payment.succeeded {event_id, invoice_id, amount, reference}` marks the
invoice paid when the amount equals the invoice total; each event_id is applied once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

SIGNATURE_HEADER = "X-Imatter-Signature"
TOLERANCE_SECONDS = 300


class WebhookRejected(Exception):
    """The request is not a genuine provider event (bad, missing or stale signature)."""


class WebhookMalformed(Exception):
    """Signed, but not an event we understand. `field` names what is wrong."""

    def __init__(self, message: str, field: str = "data"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PaymentStart:
    invoice_id: str
    provider: str
    redirect_url: str | None  # where the payer completes the payment; None when not applicable
    provider_reference: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str
    type: str
    invoice_id: str
    amount: int
    reference: str


@runtime_checkable
class PaymentProvider(Protocol):
    """What a card provider adapter implements."""

    name: str

    def start_payment(self, invoice_id: str, amount: int, currency: str, description: str) -> PaymentStart:
        """Begin a payment of `amount` pence for an invoice; returns where to send the payer."""

    def parse_webhook(
        self, raw_body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> ProviderEvent:
        """Verify the request came from the provider and return its event, or raise
        WebhookRejected (not genuine) / WebhookMalformed (genuine but not understood)."""


def sign(secret: str, raw_body: bytes, timestamp: int | None = None) -> str:
    """The header value a sender puts on `raw_body` (used by tests and a provider's sender)."""
    t = int(time.time() if timestamp is None else timestamp)
    mac = hmac.new(secret.encode(), f"{t}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def _parse_header(value: str) -> tuple[int, list[str]]:
    t, macs = None, []
    for part in value.split(","):
        key, _, val = part.strip().partition("=")
        if key == "t" and val.isdigit() and len(val) <= 12:
            t = int(val)
        elif key == "v1" and val:
            macs.append(val)
    if t is None or not macs:
        raise WebhookRejected("malformed signature header")
    return t, macs


class SignedWebhookProvider:
    """Verifies the I Matter signature scheme; starting a payment needs a real provider."""

    name = "signed_webhook"

    def __init__(self, secret: str, tolerance: int = TOLERANCE_SECONDS):
        if not secret:
            raise ValueError("a webhook secret is required")
        self._secret = secret.encode()
        self.tolerance = tolerance

    def start_payment(self, invoice_id: str, amount: int, currency: str, description: str) -> PaymentStart:
        raise NotImplementedError(
            "no card provider is configured; invoices are paid by transfer and recorded"
        )

    def parse_webhook(
        self, raw_body: bytes, headers: Mapping[str, str], now: float | None = None
    ) -> ProviderEvent:
        header = headers.get(SIGNATURE_HEADER)
        if not header or len(header) > 1000:
            raise WebhookRejected("missing signature")
        t, macs = _parse_header(header)
        now = time.time() if now is None else now
        if abs(now - t) > self.tolerance:
            raise WebhookRejected("stale or future timestamp")
        expected = hmac.new(self._secret, f"{t}.".encode() + raw_body, hashlib.sha256).hexdigest()
        if not any(hmac.compare_digest(expected, m) for m in macs):
            raise WebhookRejected("bad signature")
        return _event(raw_body)


def _event(raw_body: bytes) -> ProviderEvent:
    try:
        body = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookMalformed("The body is not JSON.", "body") from None
    if not isinstance(body, dict):
        raise WebhookMalformed("The body is not an object.", "body")
    kind = body.get("type")
    data = body.get("data", body)  # {type, data: {...}} or the fields beside `type`
    if not isinstance(kind, str) or not kind:
        raise WebhookMalformed("Missing event type.", "type")
    if not isinstance(data, dict):
        raise WebhookMalformed("Missing event data.", "data")
    event_id = data.get("event_id", body.get("event_id"))
    for field, value, limit in (
        ("event_id", event_id, 100),
        ("invoice_id", data.get("invoice_id"), 32),
        ("reference", data.get("reference"), 100),
    ):
        if not isinstance(value, str) or not 1 <= len(value) <= limit:
            raise WebhookMalformed(f"{field} must be a string of 1-{limit} characters.", field)
    amount = data.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise WebhookMalformed("amount must be whole pence.", "amount")
    return ProviderEvent(
        event_id=event_id,
        type=kind,
        invoice_id=data["invoice_id"],
        amount=amount,
        reference=data["reference"],
    )


def configured_provider(config: Mapping) -> SignedWebhookProvider | None:
    """The verifier for the configured secret; None when PAYMENT_WEBHOOK_SECRET is unset."""
    secret = config.get("PAYMENT_WEBHOOK_SECRET")
    return SignedWebhookProvider(secret) if secret else None
