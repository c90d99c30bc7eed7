"""CSV downloads: the evaluation summary (commissioners, CIC staff, fund reviewers), the
Development Fund's rounds and ledger (CIC staff, fund reviewers). Each download is audited."""

from __future__ import annotations

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.csv_export import CSV_DOC, csv_download
from imatter_shared.web.errors import Forbidden

from ..authz import caller
from ..extensions import db
from ..services import exports
from .evaluation import is_commissioner_admin

blp = Blueprint("exports", __name__, url_prefix="/api/v1/cic/exports", description="CSV downloads for staff")


def _download(name: str, header_rows):
    db.session.commit()  # reading the rounds brings the current quarter's round up to date
    return csv_download(name, *header_rows)


@blp.get("/evaluation-summary.csv")
@require_auth
@blp.doc(**CSV_DOC)
def evaluation_summary_csv():
    """The anonymised evaluation summary, one row per cell and a total row; suppressed cells stay
    empty (CIC staff, fund reviewers, admins of commissioner organisations)."""
    c = caller()
    if not (c.is_cic_staff or c.is_fund_reviewer or is_commissioner_admin(c.user_id)):
        raise Forbidden("The evaluation summary is for CIC staff, fund reviewers and commissioners.")
    return _download("evaluation-summary", exports.evaluation_summary())


@blp.get("/fund-rounds.csv")
@require_roles("cic_staff", "fund_reviewer")
@blp.doc(**CSV_DOC)
def fund_rounds_csv():
    """Every Development Fund round with its application counts and amounts requested and awarded."""
    return _download("fund-rounds", exports.fund_rounds())


@blp.get("/fund-ledger.csv")
@require_roles("cic_staff", "fund_reviewer")
@blp.doc(**CSV_DOC)
def fund_ledger_csv():
    """Every received gift and award, oldest first, with the running balance."""
    return _download("fund-ledger", exports.fund_ledger())
