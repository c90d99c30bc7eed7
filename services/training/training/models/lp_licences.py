"""Lead Professional licences a training admin grants (seed 001 "Licensing", decisions 0055-0057):
Level 3A, Level 4, Level 5, A, B and specialist licences. What each kind is and needs is data
(rules/lp_licence_kinds.py); a row is one grant: its kind, the application area, the organisation
an in-house licence is held in, the scopes it gives, and how it ended (revoked, with the reason)."""

import sqlalchemy as sa

from .base import created_column, db, id_column

CURRENT_WHERE = "status = 'current'"


class LeadProfessionalLicence(db.Model):
    __tablename__ = "lp_licences"
    id = id_column()
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(20), nullable=False)  # a code of rules/lp_licence_kinds.KINDS
    # "adults" for every core licence; a specialist licence's application area otherwise
    area = sa.Column(sa.String(40), nullable=False)
    organisation_id = sa.Column(sa.String(32), sa.ForeignKey("organisations.id"), nullable=True, index=True)
    scopes = sa.Column(sa.JSON, nullable=False)  # copied from the kind at grant
    employment = sa.Column(sa.String(20), nullable=True)  # attested at grant (A and B licences)
    status = sa.Column(sa.String(20), nullable=False, default="current")  # current | revoked
    note = sa.Column(sa.String(500), nullable=True)  # the training admin's note at grant
    granted_at = sa.Column(sa.DateTime, nullable=False)
    granted_by = sa.Column(sa.String(64), nullable=True)
    revoked_at = sa.Column(sa.DateTime, nullable=True)
    revoked_by = sa.Column(sa.String(64), nullable=True)
    revoke_reason = sa.Column(sa.String(300), nullable=True)
    created_at = created_column()
    __table_args__ = (
        # one current licence of a kind (and area) per person: a double grant loses with a 409
        sa.Index(
            "uq_lp_licences_current_person_kind_area",
            "person_id",
            "kind",
            "area",
            unique=True,
            postgresql_where=sa.text(CURRENT_WHERE),
            sqlite_where=sa.text(CURRENT_WHERE),
        ),
        sa.CheckConstraint("status IN ('current', 'revoked')", name="ck_lp_licences_status"),
        sa.CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND revoke_reason IS NOT NULL)",
            name="ck_lp_licences_revoked_reason",
        ),
    )
