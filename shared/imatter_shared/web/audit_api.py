"""The staff endpoint over a service's audit trail (imatter_shared.audit), and the one call
that wires both into an app:

    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/training", roles=("training_admin",))
"""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from imatter_shared import audit
from imatter_shared.timeutil import to_naive_utc

from .api import Blueprint
from .auth import require_roles
from .paging import PerPage, page, rows_page


class AuditQuery(Schema):
    user_id = fields.String(validate=validate.Length(max=64))
    action = fields.String(validate=validate.OneOf(audit.ACTIONS))
    record_type = fields.String(validate=validate.Length(max=60))
    record_id = fields.String(validate=validate.Length(max=64))
    since = fields.DateTime()
    until = fields.DateTime()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = PerPage(load_default=50)  # above 100 is read as 100 (web/paging.py)


class AuditEventOut(Schema):
    id = fields.String()
    at = fields.String()
    user_id = fields.String(allow_none=True)
    action = fields.String()
    record_type = fields.String()
    record_id = fields.String()
    ip = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    via = fields.String()


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def audit_blueprint(db, model, url_prefix: str, roles: tuple[str, ...]) -> Blueprint:
    blp = Blueprint(
        "audit",
        __name__,
        url_prefix=url_prefix,
        description="The audit trail of access to personal records (staff only)",
    )

    @blp.route("/audit", methods=["GET"])
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPage)
    @blp.doc(security=[{"bearerAuth": []}])
    @require_roles(*roles)
    def audit_list(args):
        """Who read, exported, changed or erased which record, newest first."""
        q = sa.select(model)
        for name in ("user_id", "action", "record_type", "record_id"):
            if args.get(name):
                q = q.where(getattr(model, name) == args[name])
        if args.get("since"):
            q = q.where(model.at >= to_naive_utc(args["since"]))  # `at` holds naive UTC
        if args.get("until"):
            q = q.where(model.at < to_naive_utc(args["until"]))
        rows, total = rows_page(db.session, q.order_by(model.id.desc()), args["page"], args["per_page"])
        return page([r.to_dict() for r in rows], total, args)

    return blp


def init_audit(app, api, db, model, *, url_prefix: str | None = None, roles: tuple[str, ...] = ()) -> None:
    """Register the audit model (its rows, its end-of-request writer, its append-only guards)
    and, given an api and a prefix, the staff query endpoint GET <url_prefix>/audit."""
    audit.register(app, db, model)
    if api is not None and url_prefix:
        api.register_blueprint(audit_blueprint(db, model, url_prefix, roles))
