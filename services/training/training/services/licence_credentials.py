"""Open Badges 3.0 credentials of Lead Professional licences (decision 0055, on decisions 0050 and
0051): the same credential row, status list, keys and verifier as a certification's, kind
"licence" (issued with the grant and revoked with the licence by services/credentials.py). Here:
reading a licence's credential rows and what its achievement says."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..models import Person
from ..models.credentials import Credential
from ..models.lp_licences import LeadProfessionalLicence
from ..rules import credentials as rules
from ..rules import lp_licence_kinds as kinds
from . import issuer_keys


def rows(where) -> list[tuple[Credential, LeadProfessionalLicence, Person]]:
    return list(
        db.session.execute(
            sa.select(Credential, LeadProfessionalLicence, Person)
            .join(LeadProfessionalLicence, LeadProfessionalLicence.id == Credential.licence_id)
            .join(Person, Person.id == Credential.person_id)
            .where(where)
            .order_by(Credential.issued_at, Credential.id)
        )
    )


def title(lic: LeadProfessionalLicence) -> str:
    kind = kinds.KINDS_BY_CODE.get(lic.kind) or {"title": lic.kind}
    if lic.area != kinds.ADULTS:
        area = kinds.SPECIALIST_AREAS.get(lic.area, {}).get("title", lic.area)
        return f"{kind['title']} ({area})"
    return kind["title"]


def achievement(lic: LeadProfessionalLicence, issuer: dict) -> dict:
    kind = next(
        (k for k in kinds.catalogue() if k["code"] == lic.kind), {"code": lic.kind, "title": lic.kind}
    )
    return rules.licence_achievement(kind, lic.area, list(lic.scopes or []), issuer_keys.base_url(), issuer)


def view_fields(cred: Credential, lic: LeadProfessionalLicence) -> dict:
    return {
        "licence_id": lic.id,
        "certification_id": None,
        "role": None,
        "licence_kind": lic.kind,
        "title": title(lic),
    }
