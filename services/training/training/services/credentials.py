"""Open Badges 3.0 credentials of certifications: issued with the certification, revoked when it is
withdrawn, signed on download, verified for anyone (decisions 0050, 0051). Lead Professional
licences have credentials of kind "licence" through the same rows, list and keys
(services/licence_credentials.py, decision 0055).

Only facts about a professional's certification are in a credential (the role, the date, the
issuer, the holder's name): nothing about anyone they support, ever."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from joserfc.errors import DecodeError, JoseError

from imatter_shared.web.errors import InvalidInput, NotFound

from ..extensions import db
from ..models import Person
from ..models.certification import Certification
from ..models.credentials import STATUS_LIST_ID, STATUS_LIST_SIZE, Credential
from ..models.lp_licences import LeadProfessionalLicence
from ..rules import credentials as rules
from ..rules.roles import ROLES_BY_CODE
from . import issuer_keys, licence_credentials
from .clock import now

_slots = random.SystemRandom()
# a signed status list is valid for a day (rules.STATUS_LIST_TTL_SECONDS); a process re-signs its
# cached copy after an hour even when nothing was revoked, so a copy handed out is never near expiry
STATUS_LIST_RESIGN_AFTER = timedelta(hours=1)


def _free_slot() -> int:
    """A random unused index of the status list (a list in index order would tell a reader of
    the list the order in which credentials were issued). The unique constraint
    uq_credentials_status_slot refuses a slot taken by a simultaneous issue."""
    while True:
        slot = _slots.randrange(STATUS_LIST_SIZE)
        taken = db.session.scalar(
            sa.select(Credential.id).where(
                Credential.status_list == STATUS_LIST_ID, Credential.status_index == slot
            )
        )
        if not taken:
            return slot


def _issue(kind: str, link: sa.Column, link_id: str, person_id: str, issued_at, revoked: bool) -> Credential:
    """The credential of one certification or licence (`link` is the column naming it), made in
    the caller's transaction once: an existing one is returned."""
    cred = db.session.scalar(sa.select(Credential).where(link == link_id))
    if cred is None:
        cred = Credential(
            kind=kind,
            person_id=person_id,
            status_list=STATUS_LIST_ID,
            status_index=_free_slot(),
            issued_at=issued_at,
            revoked_at=now() if revoked else None,
        )
        setattr(cred, link.key, link_id)
        db.session.add(cred)
        db.session.flush()
    return cred


def _revoke(cred: Credential) -> Credential:
    """Its bit in the status list is set from now on."""
    if cred.revoked_at is None:
        cred.revoked_at = now()
        db.session.flush()
    return cred


def issue_for_certification(c: Certification) -> Credential:
    """The certification's credential, made in the caller's transaction (once: an existing one is
    returned)."""
    return _issue(
        "certification",
        Credential.certification_id,
        c.id,
        c.person_id,
        c.certified_at,
        c.status == "withdrawn",
    )


def revoke_for_certification(c: Certification) -> Credential:
    return _revoke(issue_for_certification(c))


def issue_for_licence(lic: LeadProfessionalLicence) -> Credential:
    """A Lead Professional licence's credential (decision 0055), made in the caller's transaction
    (once: an existing one is returned)."""
    return _issue(
        "licence", Credential.licence_id, lic.id, lic.person_id, lic.granted_at, lic.status == "revoked"
    )


def revoke_for_licence(lic: LeadProfessionalLicence) -> Credential:
    return _revoke(issue_for_licence(lic))


def tombstone_for_erasure(conn, subject, on_row=None) -> None:
    """Before `flask dp erase` deletes a person (decision 0052): each of their credentials stays
    as a tombstone, no longer pointing at the person or the certification (both are erased), but
    revoked and keeping its slot in the status list. Deleting the row instead would clear its bit
    (the copy the holder kept would read as valid again) and free the slot for someone else."""
    t = Credential.__table__
    ids = sorted(subject.person_ids)
    found = conn.execute(sa.select(t.c.id).where(t.c.person_id.in_(ids))).scalars().all() if ids else []
    if not found:
        return
    conn.execute(
        sa.update(t)
        .where(t.c.id.in_(found))
        .values(
            person_id=None,
            certification_id=None,
            licence_id=None,
            revoked_at=sa.func.coalesce(t.c.revoked_at, now()),
        )
    )
    for credential_id in found:
        if on_row:
            on_row("tombstoned", t.name, credential_id)


def _rows(where) -> list[tuple[Credential, Certification, Person]]:
    return list(
        db.session.execute(
            sa.select(Credential, Certification, Person)
            .join(Certification, Certification.id == Credential.certification_id)
            .join(Person, Person.id == Credential.person_id)
            .where(where)
            .order_by(Credential.issued_at, Credential.id)
        )
    )


def holder_of(certification_id: str) -> str:
    person_id = db.session.scalar(
        sa.select(Certification.person_id).where(Certification.id == certification_id)
    )
    if person_id is None:
        raise NotFound("No certification with that id.")
    return person_id


def of_certification(certification_id: str) -> tuple[Credential, Certification, Person]:
    c = db.session.get(Certification, certification_id)
    if c is None:
        raise NotFound("No certification with that id.")
    issue_for_certification(c)
    return _rows(Credential.certification_id == certification_id)[0]


def of_person(person_id: str) -> list[tuple]:
    """The person's credentials, one per certification and one per Lead Professional licence
    (issued now for a certification that has none yet), oldest first."""
    for c in db.session.scalars(
        sa.select(Certification).where(
            Certification.person_id == person_id,
            ~sa.exists().where(Credential.certification_id == Certification.id),
        )
    ):
        issue_for_certification(c)
    both = _rows(Credential.person_id == person_id) + licence_credentials.rows(
        Credential.person_id == person_id
    )
    return sorted(both, key=lambda row: (row[0].issued_at, row[0].id))


def _urls(cred: Credential) -> dict:
    base = issuer_keys.base_url()
    return {
        "credential": f"{base}/credentials/{cred.id}",  # the public verification page
        "status_list": f"{base}/api/v1/credentials/status-lists/{cred.status_list}",
    }


def _issuer() -> dict:
    return rules.issuer_profile(issuer_keys.issuer_id(), issuer_keys.base_url())


def claims(cred: Credential, cert, person: Person) -> dict:
    urls = _urls(cred)
    issuer = _issuer()
    if isinstance(cert, LeadProfessionalLicence):
        achievement = licence_credentials.achievement(cert, issuer)
    else:
        role = ROLES_BY_CODE.get(cert.role) or {"title": cert.role.replace("_", " ").capitalize()}
        achievement = rules.achievement(cred.kind, cert.role, role, issuer_keys.base_url(), issuer)
    return rules.open_badge(
        credential_id=cred.id,
        credential_url=urls["credential"],
        issuer=issuer,
        holder_name=person.name,
        achievement=achievement,
        issued_at=cred.issued_at,
        status_list_url=urls["status_list"],
        status_index=cred.status_index,
    )


def _what(cred: Credential, cert) -> dict:
    if isinstance(cert, LeadProfessionalLicence):
        return licence_credentials.view_fields(cred, cert)
    role = ROLES_BY_CODE.get(cert.role) or {}
    return {
        "certification_id": cert.id,
        "licence_id": None,
        "licence_kind": None,
        "role": cert.role,
        "title": role.get("title", cert.role),
    }


def view(cred: Credential, cert, person: Person) -> dict:
    """What the holder downloads: the facts and the signed credential (a compact JWS)."""
    return {
        "id": cred.id,
        "kind": cred.kind,
        **_what(cred, cert),
        "issued_at": cred.issued_at,
        "status": "revoked" if cred.revoked_at else "active",
        "revoked_at": cred.revoked_at,
        "verify_url": _urls(cred)["credential"],
        "credential": issuer_keys.sign(claims(cred, cert, person)),
    }


def public_status(credential_id: str) -> dict:
    """What anyone holding a credential's id (its verification link) may learn of it."""
    rows = _rows(Credential.id == credential_id) + licence_credentials.rows(Credential.id == credential_id)
    if not rows:
        cred = db.session.get(Credential, credential_id)
        if cred is None or cred.person_id is not None:
            raise NotFound("No credential with that id.")
        # a tombstone (its holder was erased): revoked, and nothing about whose or what it was
        return {
            "id": cred.id,
            "status": "revoked",
            "holder": None,
            "achievement": None,
            "issuer": rules.ISSUER_NAME,
            "issued_at": cred.issued_at,
            "revoked_at": cred.revoked_at,
        }
    cred, cert, person = rows[0]
    return {
        "id": cred.id,
        "status": "revoked" if cred.revoked_at else "active",
        "holder": person.name,
        "achievement": _what(cred, cert)["title"],
        "issuer": rules.ISSUER_NAME,
        "issued_at": cred.issued_at,
        "revoked_at": cred.revoked_at,
    }


def _revoked_slots(list_id: str) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Credential.status_index).where(
                Credential.status_list == list_id, Credential.revoked_at.is_not(None)
            )
        )
    )


def _revision(list_id: str) -> tuple:
    """What changes whenever a bit of the list is set: how many are set, the latest time one was
    and the sum of their slots (a bit is never cleared: revocation is final, an erased holder's
    credential stays revoked)."""
    return tuple(
        db.session.execute(
            sa.select(
                sa.func.count(Credential.id),
                sa.func.max(Credential.revoked_at),
                sa.func.sum(Credential.status_index),
            ).where(Credential.status_list == list_id, Credential.revoked_at.is_not(None))
        ).one()
    )


def status_list(list_id: str) -> str:
    """The signed BitstringStatusListCredential of the list (a VC-JWT). Signing and compressing
    131,072 bits is done once per process until a revocation changes the list (or the copy is an
    hour old): each request reads only the list's revision (one indexed aggregate)."""
    if list_id != STATUS_LIST_ID:
        raise NotFound("No status list with that id.")
    key = (issuer_keys.base_url(), issuer_keys.signing_kid(), _revision(list_id))
    cache = current_app.extensions.setdefault("credentials_status_lists", {})
    moment = now()
    cached = cache.get(list_id)
    if cached and cached[0] == key and moment - cached[1] < STATUS_LIST_RESIGN_AFTER:
        return cached[2]
    url = f"{issuer_keys.base_url()}/api/v1/credentials/status-lists/{list_id}"
    token = issuer_keys.sign(
        rules.status_list(url, _issuer(), _revoked_slots(list_id), STATUS_LIST_SIZE, moment)
    )
    cache[list_id] = (key, moment, token)
    return token


def verify(token: str) -> dict:
    """Signature (our key set), what the claims say (an OpenBadgeCredential of ours, in force) and
    the revocation bit: {result: verified | revoked | invalid, reasons, credential}."""
    try:
        found = issuer_keys.read(token)
    except DecodeError as e:
        raise InvalidInput("credential", "This is not a signed credential (a compact JWS).") from e
    except JoseError:
        return {
            "result": rules.INVALID,
            "reasons": ["the signature is not I Matter Training's"],
            "credential": None,
        }
    reasons = rules.claim_problems(found, issuer_keys.issuer_id(), now())
    entry = rules.status_entry(found)
    revoked = False
    list_url = f"{issuer_keys.base_url()}/api/v1/credentials/status-lists/{STATUS_LIST_ID}"
    if entry is None or entry[0] != list_url or not 0 <= entry[1] < STATUS_LIST_SIZE:
        reasons.append("its status list is not I Matter Training's (credentialStatus)")
    else:
        revoked = entry[1] in _revoked_slots(STATUS_LIST_ID)
    row = db.session.get(Credential, str(found.get("jti"))) if not reasons else None
    if not reasons and row is None:
        reasons.append("it is not in I Matter Training's records")
    result = rules.INVALID if reasons else (rules.REVOKED if revoked else rules.VERIFIED)
    if revoked and row is not None and row.person_id is None:
        # a tombstone: the holder's record was erased; the credential no longer stands
        reasons.append("revoked by I Matter Training (it is no longer in its records)")
    elif revoked and row.kind == "licence":
        reasons.append("revoked by I Matter Training (the licence was revoked)")
    elif revoked:
        reasons.append("revoked by I Matter Training (the certification was withdrawn)")
    subject = found.get("credentialSubject") or {}
    names = [i.get("identityHash") for i in subject.get("identifier") or [] if isinstance(i, dict)]
    return {
        "result": result,
        "reasons": reasons,
        "credential": {
            "id": found.get("jti"),
            "achievement": (subject.get("achievement") or {}).get("name"),
            "holder": names[0] if names else None,
            "issuer": (found.get("issuer") or {}).get("name")
            if isinstance(found.get("issuer"), dict)
            else None,
            "valid_from": found.get("validFrom"),
        },
    }
