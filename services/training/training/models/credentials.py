"""Verifiable credentials: one Open Badges 3.0 credential per certification (decision 0050).

A row is only what the credential needs beyond its certification: its own id (the credential's
public id), its place in the revocation status list and when it was issued or revoked. The signed
credential itself is not stored: it is made from these facts when the holder downloads it.
`kind` names what the credential attests: a certification, or a Lead Professional licence
(`licence_id`, decision 0055).

A credential outlives its holder's record: when a person is erased (flask dp erase) their
credentials stay as tombstones (decision 0052): no person, no certification, revoked, still holding
their slot in the status list, so the bit stays set (a copy the holder kept shows as revoked) and
the slot is never given to anyone else."""

import sqlalchemy as sa
from sqlalchemy.orm import backref, relationship

from .base import created_column, db, id_column
from .certification import Certification

# the one status list every credential has a bit in (its W3C minimum size: 16 KiB, 131,072 bits)
STATUS_LIST_ID = "1"
STATUS_LIST_SIZE = 131_072


class Credential(db.Model):
    __tablename__ = "credentials"
    id = id_column()
    kind = sa.Column(sa.String(20), nullable=False, default="certification", server_default="certification")
    # both null in a tombstone (an erased holder's credential, revoked)
    person_id = sa.Column(sa.String(32), sa.ForeignKey("people.id"), nullable=True, index=True)
    certification_id = sa.Column(sa.String(32), sa.ForeignKey("certifications.id"), nullable=True)
    # kind "licence": the Lead Professional licence it attests (decision 0055); null in a tombstone
    licence_id = sa.Column(sa.String(32), sa.ForeignKey("lp_licences.id"), nullable=True)
    status_list = sa.Column(sa.String(20), nullable=False, default=STATUS_LIST_ID, server_default="1")
    status_index = sa.Column(sa.Integer, nullable=False)
    issued_at = sa.Column(sa.DateTime, nullable=False)
    revoked_at = sa.Column(sa.DateTime, nullable=True)
    created_at = created_column()
    # a certification's `credential` (loaded when asked for; certifications_of loads a list's at once)
    certification = relationship(Certification, backref=backref("credential", uselist=False))
    __table_args__ = (
        sa.UniqueConstraint("certification_id", name="uq_credentials_certification"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_credentials_status_slot"),
        sa.CheckConstraint(
            f"status_index >= 0 AND status_index < {STATUS_LIST_SIZE}",
            name="ck_credentials_status_index_range",
        ),
        sa.UniqueConstraint("licence_id", name="uq_credentials_licence"),
        sa.CheckConstraint("kind IN ('certification', 'licence')", name="ck_credentials_kind"),
        sa.CheckConstraint(
            "kind <> 'licence' OR licence_id IS NOT NULL OR person_id IS NULL",
            name="ck_credentials_licence_kind",
        ),
        sa.CheckConstraint(
            "kind <> 'certification' OR certification_id IS NOT NULL OR person_id IS NULL",
            name="ck_credentials_certification_kind",
        ),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR revoked_at IS NOT NULL", name="ck_credentials_tombstone_revoked"
        ),
    )
