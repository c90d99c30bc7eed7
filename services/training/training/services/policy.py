"""Enforcing the organisation-kind policy table (rules/policy.py) on the actions it governs."""

from __future__ import annotations

from imatter_shared.web.errors import RuleViolation

from ..extensions import db
from ..models import Organisation
from ..rules import policy as table


def _kind(organisation) -> str:
    if isinstance(organisation, str):
        organisation = db.session.get(Organisation, organisation)
    return organisation.kind


def enforce(organisation, action: str) -> None:
    """409 naming the policy rule when the organisation's kind may not take `action`.
    `organisation` is an Organisation or its id."""
    kind = _kind(organisation)
    rule = table.refusal(kind, action)
    if rule:
        raise RuleViolation(
            f"Organisation policy ({kind}): {rule}",
            unmet=[f"policy:{action}"],
            policy={"kind": kind, "action": action, "rule": rule},
        )


def allowed(organisation, action: str) -> bool:
    return table.allowed(_kind(organisation), action)
