"""What cic-tracker reports back about packages and fund awards (counts only), applied by the
event handlers. Each function says whether it could apply the report; the handler rejects what
it could not (dead-letter queue). A completed practicum may complete a role (certifying)."""

from __future__ import annotations

from imatter_shared.contract import packages as contract
from imatter_shared.timeutil import parse_timestamp

from ..extensions import db
from ..models.packages import FundAward, Package
from .certifying import certify_ready
from .clock import to_naive_utc


def record_award(data: dict) -> None:
    if db.session.get(FundAward, data["award_id"]) is None:
        db.session.add(
            FundAward(
                id=data["award_id"],
                application_id=data["application_id"],
                practitioner_id=data["practitioner_id"],
                organisation_id=data["organisation_id"],
                package_type=data["package_type"],
                amount=data["amount"],
                state="available",
            )
        )


def _set_count(data: dict, field: str) -> bool:
    """Copy one reported count (credits_left, cases_count) onto the package; False if unknown."""
    p = db.session.get(Package, data["package_id"])
    if p is None:
        return False
    setattr(p, field, data[field])
    return True


def record_credits(data: dict) -> bool:
    return _set_count(data, "credits_left")


def record_cases(data: dict) -> bool:
    return _set_count(data, "cases_count")


def record_practicum(data: dict) -> bool:
    p = db.session.get(Package, data["package_id"])
    if p is None or p.practitioner_id != data["practitioner_id"]:
        return False
    if not contract.cases_allowed(data["cases_count"]):
        return False  # a practicum counts only when run with 1-3 cases
    if p.practicum_state != "completed":
        p.practicum_state = "completed"
        p.cases_count = data["cases_count"]
        p.completed_at = to_naive_utc(parse_timestamp(data["completed_at"]))
        db.session.flush()
        certify_ready(p.practitioner_id)
    return True
