"""Lead Professional standing read from the records (row 72i), for the directory listing."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models.base import utcnow
from ..models.lead_professionals import LeadProfessionalApplication, ObligationRecord
from ..rules import trainee as rules


def lapsed_lead_professionals(person_ids=None, at: datetime | None = None) -> set[str]:
    """People whose approved Lead Professional standing has lapsed now because their linked CPD is
    overdue (row 72i): the directory does not list them on that approval while it is. Computed
    from the records (approved Lead Professionals are few): one query for the applications, one
    for their linked CPD records."""
    at = at or utcnow()
    q = sa.select(LeadProfessionalApplication).where(LeadProfessionalApplication.state == "approved")
    if person_ids is not None:
        ids = list(person_ids)
        if not ids:
            return set()
        q = q.where(LeadProfessionalApplication.person_id.in_(ids))
    apps = list(db.session.scalars(q))
    if not apps:
        return set()
    recs: dict[str, list[datetime]] = defaultdict(list)
    for app_id, when in db.session.execute(
        sa.select(ObligationRecord.application_id, ObligationRecord.occurred_at).where(
            ObligationRecord.application_id.in_([a.id for a in apps]),
            ObligationRecord.obligation == "linked_cpd",
        )
    ):
        recs[app_id].append(when)
    out = set()
    for a in apps:
        start = datetime.combine(a.trainee_from.date(), datetime.min.time())
        row = next(
            o for o in rules.obligations(start, at, {"linked_cpd": recs[a.id]}) if o["code"] == "linked_cpd"
        )
        if row["status"] == "overdue":
            out.add(a.person_id)
    return out
