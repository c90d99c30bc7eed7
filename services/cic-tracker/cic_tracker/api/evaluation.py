"""/api/v1/evaluation: anonymised aggregate figures for the CIC and its funders."""

import sqlalchemy as sa

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth
from imatter_shared.web.errors import Forbidden

from ..authz import caller
from ..extensions import db
from ..models import KnownOrganisation, OrgAdmin
from ..services import evaluation as svc
from . import schemas as S

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1/evaluation", description="Anonymised evaluation")


def is_commissioner_admin(user_id: str) -> bool:
    """An active admin of an organisation of kind `commissioner` (kind learnt from
    training.organisation_admin.changed; rows 75, 81, 97)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OrgAdmin)
            .join(KnownOrganisation, KnownOrganisation.organisation_id == OrgAdmin.organisation_id)
            .where(
                OrgAdmin.user_id == user_id,
                OrgAdmin.status == "active",
                KnownOrganisation.kind == "commissioner",
            )
        )
        > 0
    )


@blp.get("/summary")
@blp.response(200, S.EvaluationOut)
@require_auth
def summary():
    """Aggregate, anonymised figures (cells under the minimum size suppressed): for CIC staff, fund
    reviewers and the admins of commissioner organisations ("Commissioners see the evaluation
    summary"). Anyone else -> 403."""
    c = caller()
    if not (c.is_cic_staff or c.is_fund_reviewer or is_commissioner_admin(c.user_id)):
        raise Forbidden("The evaluation summary is for CIC staff, fund reviewers and commissioners.")
    return svc.summary()
