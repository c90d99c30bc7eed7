"""Lead Professional licences (seed 001 "Licensing"; decisions 0055-0057): the kinds and what each
needs (data), a person's licences, what they are eligible for, grant and revocation by a training
admin (with the reason), and each licence's Open Badges 3.0 credential.

Who sees what: the holder and training admins see the whole licence; an admin of an organisation
in which the holder is an accepted member sees the status only (kind, scopes, current or revoked,
dates) of the licences held IN that organisation (an in-house licence is the organisation's
business, like the Lead Professional application it backs); never the A, B or another
organisation's licences, the note, the employment attested or why a licence was revoked.
Anyone else gets 404."""

from __future__ import annotations

import sqlalchemy as sa
from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared import audit
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal
from imatter_shared.web.errors import NotFound

from ..authz import admins_person_through_membership, caller, is_self_or_training_admin
from ..extensions import db
from ..models.credentials import Credential
from ..rules import lp_licence_kinds as kinds
from ..services import credentials as credentials_svc
from ..services import licence_credentials
from ..services import lp_licences as svc
from .common import PageArgs, paged, require_training_admin, written_out
from .schemas.credentials import CredentialOut
from .schemas.lp_licences import LpEligibilityPage, LpLicenceKindPage, LpLicenceOut, LpLicencePage

blp = Blueprint(
    "lp_licences",
    __name__,
    url_prefix="/api/v1",
    description="Lead Professional licences: Level 3A, 4, 5, A, B and specialist; grant, revoke, credential",
)

STATUS_FIELDS = ("id", "person_id", "kind", "title", "area", "organisation_id", "scopes", "status")
STATUS_FIELDS += ("granted_at", "revoked_at", "view")


class GrantIn(Schema):
    kind = fields.String(required=True, validate=v.OneOf(kinds.KIND_CODES))
    area = fields.String(load_default=None, validate=v.OneOf(kinds.AREAS))
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    employment = fields.String(load_default=None, validate=v.OneOf(kinds.EMPLOYMENT))
    note = fields.String(load_default=None, validate=v.Length(max=500))


class RevokeIn(Schema):
    reason = fields.String(required=True, validate=[v.Length(max=300), written_out(5)])


class EligibilityArgs(PageArgs):
    organisation_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    employment = fields.String(load_default=None, validate=v.OneOf(kinds.EMPLOYMENT))


def _credential_ids(licences) -> dict[str, str]:
    ids = [lic.id for lic in licences]
    if not ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Credential.licence_id, Credential.id).where(Credential.licence_id.in_(ids))
        ).all()
    )


def _out(lic, full: bool = True, credential_ids: dict | None = None) -> dict:
    credential_ids = credential_ids if credential_ids is not None else _credential_ids([lic])
    row = {c: getattr(lic, c) for c in LpLicenceOut().fields if hasattr(lic, c)}
    row.update(
        title=licence_credentials.title(lic),
        credential_id=credential_ids.get(lic.id),
        view="full" if full else "status",
    )
    if not full:
        row = {k: row[k] for k in STATUS_FIELDS}
    return row


@blp.route("/lead-professionals/licence-kinds")
@blp.arguments(PageArgs, location="query")
@blp.response(200, LpLicenceKindPage)
def licence_kinds(args):
    """The licence kinds as data: level, scopes, whether held in an organisation, whether they run
    Level 3A groups, the application area and what a grant requires (any signed-in caller)."""
    caller()
    return paged(kinds.catalogue(), args)


@blp.route("/people/<person_id>/lead-professional-licences")
@blp.arguments(PageArgs, location="query")
@blp.response(200, LpLicencePage)
def of_person(args, person_id):
    """The person's licences, newest first (current and revoked). The holder and training admins:
    everything. An admin of an organisation where the person is an accepted member: the status of
    the licences held in that organisation only (`view: "status"`). Anyone else: 404."""
    c = caller()
    if is_self_or_training_admin(c, person_id):
        licences = svc.of_person(person_id)
        ids = _credential_ids(licences)
        rows = [_out(lic, credential_ids=ids) for lic in licences]
    elif admins_person_through_membership(c, person_id):
        rows = [
            _out(lic, full=False, credential_ids={})
            for lic in svc.of_person(person_id)
            if lic.organisation_id and c.administers(lic.organisation_id)
        ]
    else:
        log_refusal("person", person_id)
        raise NotFound("No person with that id.")
    audit.record("read", "lp_licences", person_id)
    db.session.commit()
    return paged(rows, args)


@blp.route("/people/<person_id>/lead-professional-licences/eligibility")
@blp.arguments(EligibilityArgs, location="query")
@blp.response(200, LpEligibilityPage)
def eligibility(args, person_id):
    """Training admins: each kind (a specialist kind per area) with `eligible` and what is `unmet`
    for this person, read in `organisation_id` (in-house kinds) with the `employment` the admin
    would attest. The grant form lists the eligible kinds from this."""
    require_training_admin()
    return paged(svc.eligibility(person_id, args["organisation_id"], args["employment"]), args)


@blp.route("/people/<person_id>/lead-professional-licences", methods=["POST"])
@blp.arguments(GrantIn)
@blp.response(201, LpLicenceOut)
def grant(data, person_id):
    """Training admins grant a licence whose kind's eligibility is met, and its Open Badges 3.0
    credential is issued with it. 409 with `unmet` (the requirement codes of the kind, e.g.
    `completed:intermediate_a`, `employment:salaried`, `organisation_membership`,
    `licence_in_organisation:level_4`, `lead_professional_place`) when it is not; 409 when the
    person already holds a current licence of that kind and area (also under a race); 400 naming
    `area` (a specialist licence needs one) or `organisation_id` (an in-house kind needs one)."""
    c = require_training_admin()
    lic = svc.grant(person_id, data, c.user_id)
    audit.record("change", "lp_licence", lic.id)
    db.session.commit()
    return _out(lic)


@blp.route("/lead-professionals/licences/<licence_id>/revoke", methods=["POST"])
@blp.arguments(RevokeIn)
@blp.response(200, LpLicenceOut)
def revoke(data, licence_id):
    """Training admins revoke (withdraw) a licence with the reason: it counts for nothing from now
    on and its credential shows as revoked in the status list. 409 `licence_current` when it is
    already revoked."""
    c = require_training_admin()
    lic = svc.revoke(licence_id, data["reason"].strip(), c.user_id)
    audit.record("change", "lp_licence", lic.id)
    db.session.commit()
    return _out(lic)


@blp.route("/lead-professionals/licences/<licence_id>/credential")
@blp.response(200, CredentialOut)
def credential(licence_id):
    """The licence's signed credential (a VC-JWT) for its holder or a training admin; 404 for
    anyone else, as for a licence that does not exist."""
    c = caller()
    lic = db.session.get(svc.LeadProfessionalLicence, licence_id)
    if lic is None or not is_self_or_training_admin(c, lic.person_id):
        log_refusal("lp_licence", licence_id)
        raise NotFound("No Lead Professional licence with that id.")
    credentials_svc.issue_for_licence(lic)
    out = credentials_svc.view(*licence_credentials.rows(Credential.licence_id == lic.id)[0])
    audit.record("read", "credential", out["id"])
    db.session.commit()
    return out
