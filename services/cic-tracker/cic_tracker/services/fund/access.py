"""Who sees which Fund record: CIC staff and fund reviewers see every application and gift;
everyone else only the ones they made."""

from __future__ import annotations

import sqlalchemy as sa

from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound

from ...authz import Caller
from ...extensions import db


def may_see_all(c: Caller) -> bool:
    """CIC staff and fund reviewers see every application and gift; others only their own."""
    return c.is_cic_staff or c.is_fund_reviewer


def visible_record(c: Caller, model, record_id: str, owner, what: str, record_type: str):
    """A Fund record for those who see all, or for the user who made it (`owner` column); else 404."""
    row = db.session.get(model, record_id)
    if row is None:
        raise NotFound(f"No {what} with that id.")
    if not (may_see_all(c) or getattr(row, owner.key) == c.user_id):
        log_refusal(record_type, record_id)
        raise NotFound(f"No {what} with that id.")
    return row


def listed(c: Caller, model, owner, where=None):
    """Newest first: every record for those who see all, else the caller's own."""
    stmt = sa.select(model).order_by(model.created_at.desc(), model.id)
    if where is not None:
        stmt = stmt.where(where)
    return stmt if may_see_all(c) else stmt.where(owner == c.user_id)
