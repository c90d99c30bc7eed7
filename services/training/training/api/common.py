"""Small helpers shared by the blueprints (pagination, the training-admin and own-person checks, a
validator of free-text reasons)."""

from __future__ import annotations

from marshmallow import ValidationError

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import Forbidden, NotFound
from imatter_shared.web.paging import PageArgs, page, paged  # noqa: F401  (one paging rule for every list)

from ..authz import caller


def require_training_admin():
    c = caller()
    if not c.is_training_admin:
        raise Forbidden("This needs the training_admin role.")
    return c


def self_only(person_id: str, what: str = "person"):
    """The caller, when `person_id` is their own person; otherwise a logged refusal and a 404 (a
    person record is nobody else's business, so it is not said whether it exists)."""
    c = caller()
    if c.person_id is None or c.person_id != person_id:
        log_refusal(what, person_id)
        raise NotFound("No person with that id.")
    return c


def own_or_training_admin(person_id: str | None) -> None:
    """A list of applications: a training admin reads every one (optionally one person's); anyone
    else names their own person (403 without one, 404 for someone else's)."""
    if not caller().is_training_admin:
        if not person_id:
            require_training_admin()
        self_only(person_id)


def written_out(minimum: int):
    """A validator: at least `minimum` characters that are not white space (`Length(min=...)`
    alone lets "      " through, and the service stores the reason stripped)."""

    def check(value: str) -> None:
        if len(value.strip()) < minimum:
            raise ValidationError(f"Give a reason of at least {minimum} characters (not counting spaces).")

    return check
