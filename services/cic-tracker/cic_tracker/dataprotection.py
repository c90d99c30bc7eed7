"""Relationship Health Matters CIC's own data protection (it runs this on its own service
only): the audit trail (GET /api/v1/cic/audit for CIC staff), the breach register and the
`flask dp ...` commands. cic-tracker has no table of people: practitioners are known by
their training ids (subject=person_id columns); case participants are pseudonymous codes
whose data is erased by consent withdrawal."""

from __future__ import annotations

from imatter_shared.dataprotection import register_dp_cli
from imatter_shared.web.audit_api import init_audit

from .extensions import db
from .models.dataprotection import AuditEvent, Breach

# Kept (pseudonymised, never deleted) on erasure: the fund's accounts.
FINANCIAL_TABLES = ("fund_gifts", "fund_awards")


def init_dataprotection(app, api) -> None:
    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/cic", roles=("cic_staff",))
    register_dp_cli(app, db, service="cic-tracker", breach_model=Breach, financial_tables=FINANCIAL_TABLES)
