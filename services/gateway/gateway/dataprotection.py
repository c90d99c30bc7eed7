"""The gateway's own data protection: it holds accounts (email, name, password hash), so it
has its own audit trail, breach register and `flask dp ...` commands, run by whichever
organisation operates this gateway instance."""

from __future__ import annotations

from imatter_shared import audit
from imatter_shared.dataprotection import BreachMixin, SubjectTable, register_dp_cli

from .extensions import db
from .models import User


class AuditEvent(audit.AuditMixin, db.Model):
    __tablename__ = "audit_events"


class Breach(BreachMixin, db.Model):
    __tablename__ = "dp_breaches"


def init_dataprotection(app) -> None:
    audit.register(app, db, AuditEvent)
    register_dp_cli(
        app,
        db,
        service="gateway",
        breach_model=Breach,
        subject=SubjectTable(User, id_column="id", id_kind="user_id", email_column="email"),
    )
