"""/api/v1/evaluation: anonymised aggregate figures for the CIC and its funders."""
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_roles

from ..services import evaluation as svc
from . import schemas as S

blp = Blueprint("evaluation", __name__, url_prefix="/api/v1/evaluation", description="Anonymised evaluation")


@blp.get("/summary")
@blp.response(200, S.EvaluationOut)
@require_roles("cic_staff", "fund_reviewer")
def summary():
    return svc.summary()
