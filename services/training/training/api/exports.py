"""CSV downloads for staff: finance's orders and invoices, training admins' certifications and
licences, a commissioner's deposits into bursary funds. Each download is recorded in the audit log."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal, require_roles
from imatter_shared.web.csv_export import CSV_DOC, csv_download
from imatter_shared.web.errors import NotFound

from ..authz import caller
from ..extensions import db
from ..models import Organisation
from ..services import exports

blp = Blueprint(
    "exports", __name__, url_prefix="/api/v1/training/exports", description="CSV downloads for staff"
)


def _download(name: str, header_rows):
    return csv_download(name, *header_rows)


class InvoiceArgs(Schema):
    state = fields.String(load_default=None, validate=v.OneOf(("issued", "paid", "void")))


@blp.get("/orders.csv")
@require_roles("training_admin")
@blp.doc(**CSV_DOC)
def orders_csv():
    """Every order with its lines and invoice (training admin, finance)."""
    return _download("orders", exports.orders())


@blp.get("/invoices.csv")
@require_roles("training_admin")
@blp.arguments(InvoiceArgs, location="query")
@blp.doc(**CSV_DOC)
def invoices_csv(args):
    """Every invoice, optionally of one state (training admin, finance)."""
    return _download("invoices", exports.invoices(args["state"]))


@blp.get("/certifications.csv")
@require_roles("training_admin")
@blp.doc(**CSV_DOC)
def certifications_csv():
    """Every certification with the person and organisation (training admin)."""
    return _download("certifications", exports.certifications())


@blp.get("/licences.csv")
@require_roles("training_admin")
@blp.doc(**CSV_DOC)
def licences_csv():
    """Every organisational licence with its status today (training admin)."""
    return _download("licences", exports.organisational_licences())


@blp.get("/practitioner-licences.csv")
@require_roles("training_admin")
@blp.doc(**CSV_DOC)
def practitioner_licences_csv():
    """Every practitioner licence and its state (training admin)."""
    return _download("practitioner-licences", exports.practitioner_licence_rows())


@blp.get("/commissioners/<organisation_id>/funded-places.csv")
@blp.doc(**CSV_DOC)
def funded_places_csv(organisation_id):
    """The bursary deposits a commissioner organisation ordered: the fund each went to, the amount
    and its invoice state (the commissioner's admins and training admins)."""
    c = caller()
    org = db.session.get(Organisation, organisation_id)
    allowed = org is not None and org.kind == "commissioner"
    if not (allowed and (c.is_training_admin or organisation_id in c.admin_org_ids)):
        if org is not None:
            log_refusal("organisation", organisation_id)
        raise NotFound("No commissioner organisation with that id.")
    return _download("funded-places", exports.funded_places(organisation_id))
