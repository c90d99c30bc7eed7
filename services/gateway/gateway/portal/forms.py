"""Form helpers: the per-session CSRF token, reading form fields, mapping API errors to fields."""

from __future__ import annotations

import hmac
import re
import secrets

from flask import abort, request, session

from imatter_shared.money import pounds as money_text

CSRF_FIELD = "csrf_token"


def csrf_token() -> str:
    """The session's CSRF token, created on first use (so anonymous forms are protected too)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


IDEMPOTENCY_FIELD = "idempotency_key"


def idempotency_key() -> str:
    """A purchase form's key (training's `Idempotency-Key`, decision 0054): the one the form sent
    when it is shown again, else a new random one. Sending the same form twice (a double click, a
    repeat after an error page) then buys once."""
    return sent_idempotency_key() or secrets.token_urlsafe(24)


def sent_idempotency_key() -> str | None:
    sent = request.form.get(IDEMPOTENCY_FIELD, "") if request.method == "POST" else ""
    ok = 0 < len(sent) <= 255 and sent.isascii() and sent.isprintable()
    return sent if ok else None


def check_csrf() -> None:
    """Every POST form carries the session's token; anything else is refused with 400."""
    expected = session.get("csrf")
    sent = request.form.get(CSRF_FIELD, "")
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        abort(400, description="csrf")


def text(name: str, max_len: int = 2000) -> str:
    return (request.form.get(name) or "").strip()[:max_len]


def integer(name: str, default: int | None = None) -> int | None:
    raw = (request.values.get(name) or "").strip()
    try:
        return int(raw)
    except ValueError:
        return default


def pence(name: str) -> int | None:
    """A money input in pounds (and pence) as integer pence: "12.50" -> 1250, "£1,450" -> 145000,
    "7.5" -> 750; None when empty or not an amount with at most two decimals."""
    raw = (request.values.get(name) or "").strip().replace(",", "").removeprefix("£").strip()
    m = re.fullmatch(r"(\d{1,9})(?:\.(\d{1,2}))?", raw)
    if not m:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def pounds(value) -> str:
    """Integer pence as the value of a money input: 1250 -> "12.50", 145000 -> "1450.00"."""
    try:
        value = int(value or 0)
    except (TypeError, ValueError):
        return ""
    return money_text(value)


def checkbox(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1", "yes")


class FormState:
    """What a re-rendered form needs: the values typed, per-field errors and a summary."""

    def __init__(self, values: dict | None = None):
        self.values = dict(values or {})
        self.errors: dict[str, list[str]] = {}
        self.detail: str | None = None
        self.unmet: list[str] = []

    def add(self, field: str, message: str) -> None:
        messages = self.errors.setdefault(field, [])
        if message not in messages:  # an API may repeat one message for one field
            messages.append(message)

    def from_result(self, result, keep: tuple[str, ...] = ()) -> FormState:
        """Copy an API refusal (problem+json) onto the form: `detail`, per-field `errors`, `unmet`;
        a field in `keep` that the page already flagged keeps the page's own words."""
        self.detail = result.detail
        for field, messages in (result.errors or {}).items():
            if _leaf(field) in keep and _leaf(field) in self.errors:
                continue
            for m in messages if isinstance(messages, list) else [messages]:
                self.add(_leaf(field), str(m))
        self.unmet = list(result.unmet or [])
        return self

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.detail)

    def get(self, name: str, default=""):
        return self.values.get(name, default)


def interview_form() -> FormState:
    """A training admin's interview record (Lead Professional and Parent Mentor applications):
    `outcome` passed or failed, an optional note shown to the applicant; `body()` is what the
    API's `.../interview` takes."""
    outcome = text("outcome", 10)
    form = FormState({"outcome": outcome, "note": text("note", 1000)})
    if outcome not in ("passed", "failed"):
        form.add("outcome", "Choose the interview outcome.")
    return form


def interview_body(form: FormState) -> dict:
    return {"outcome": form.get("outcome"), "note": form.get("note") or None}


def _leaf(field: str) -> str:
    """`consent.given_by` is shown next to the `consent.given_by` input; `json.x` is `x`."""
    return field.removeprefix("json.")
