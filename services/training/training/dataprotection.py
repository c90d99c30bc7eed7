"""I Matter Training's own data protection (it runs this on its own service only): the audit
trail (GET /api/v1/training/audit for training admins), the breach register and the
`flask dp ...` commands (record of processing, subject access, erasure, retention)."""

from __future__ import annotations

from imatter_shared.dataprotection import SubjectTable, register_dp_cli
from imatter_shared.web.audit_api import init_audit

from .extensions import db
from .models import Person
from .models.dataprotection import AuditEvent, Breach
from .services.credentials import tombstone_for_erasure
from .services.study_support_records import release_places_for_erasure

# Kept (pseudonymised, never deleted) on erasure: accounting records a business must keep.
FINANCIAL_TABLES = ("orders", "order_lines", "invoices", "bursary_entries")


def before_erase(conn, subject, on_row=None) -> None:
    """What `flask dp erase` does before it deletes a person's rows: their credentials become
    revoked tombstones (decision 0052) and their live study-support bookings give their places back."""
    tombstone_for_erasure(conn, subject, on_row)
    release_places_for_erasure(conn, subject, on_row)


def init_dataprotection(app, api) -> None:
    init_audit(app, api, db, AuditEvent, url_prefix="/api/v1/training", roles=("training_admin",))
    register_dp_cli(
        app,
        db,
        service="training",
        breach_model=Breach,
        financial_tables=FINANCIAL_TABLES,
        subject=SubjectTable(Person, id_column="id", email_column="email", user_id_column="user_id"),
        # an erased person's credentials stay revoked in the status list, their slots never reused;
        # their booked study-support places are released
        before_erase=before_erase,
    )
