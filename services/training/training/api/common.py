"""Small helpers shared by the blueprints (pagination, the training-admin check, a validator of
free-text reasons)."""

from __future__ import annotations

from marshmallow import ValidationError

from imatter_shared.web.errors import Forbidden
from imatter_shared.web.paging import PageArgs, page, paged  # noqa: F401  (one paging rule for every list)

from ..authz import caller


def require_training_admin():
    c = caller()
    if not c.is_training_admin:
        raise Forbidden("This needs the training_admin role.")
    return c


def written_out(minimum: int):
    """A validator: at least `minimum` characters that are not white space (`Length(min=...)`
    alone lets "      " through, and the service stores the reason stripped)."""

    def check(value: str) -> None:
        if len(value.strip()) < minimum:
            raise ValidationError(f"Give a reason of at least {minimum} characters (not counting spaces).")

    return check
