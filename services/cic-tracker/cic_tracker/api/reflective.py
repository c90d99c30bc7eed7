"""/api/v1/cic/...: reflective tools with someone else, beside the Tracker.

The formal I Matter Q and the personalised wellbeing wheel are recorded on a case, under the
case's consent: the microproject's practitioner writes, those who may see the case read, and
withdrawing consent erases the answers with the rest of the case's data."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from imatter_shared.questionnaires import store
from imatter_shared.questionnaires.schemas import QuestionnaireOut
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import require_auth, require_roles
from imatter_shared.web.paging import query_page

from ..extensions import db
from ..rules import reflective as rules
from ..services import reflective as svc
from ..services.tracker import visible_case
from . import schemas as S
from .common import PageArgs, no_store, paged

blp = Blueprint(
    "reflective",
    __name__,
    url_prefix="/api/v1/cic",
    description="Reflective tools on a case: formal I Matter Q, personalised wellbeing wheel",
)
blp.after_request(no_store)


class CaseToolAnswersIn(Schema):
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=60)), values=fields.Raw(), required=True
    )
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))


@blp.get("/questionnaires/<instrument>/current")
@require_auth
@blp.response(200, QuestionnaireOut)
def current(instrument):
    """The current version of a tool's questions (SAMPLE content until the real one is loaded)."""
    out = store.public_view(svc.current_version(instrument))
    db.session.commit()
    return out


def _record(case_id, instrument, body):
    c, mp, case = visible_case(case_id)
    r = svc.record(c, mp, case, instrument, body["answers"], body["notes"])
    db.session.commit()
    return r, 201


def _list(case_id, instrument, args):
    _c, _mp, case = visible_case(case_id)
    items = S.CaseToolResponseOut(many=True).dump(svc.responses_of(case, instrument))
    db.session.commit()
    return paged(items, args)


@blp.post("/cases/<case_id>/q-responses")
@require_auth
@blp.arguments(CaseToolAnswersIn)
@blp.response(201, S.CaseToolResponseOut)
def formal_q(body, case_id):
    """The I Matter Q used formally with a case's participant: only inside a licensed pathway
    with an approved school or service (Enhanced Practice Licence) or a CIC locality hub
    (409 `enhanced_licence`)."""
    return _record(case_id, rules.FORMAL_Q, body)


@blp.get("/cases/<case_id>/q-responses")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.CaseToolResponsePage)
def formal_q_list(args, case_id):
    return _list(case_id, rules.FORMAL_Q, args)


@blp.post("/cases/<case_id>/wheel-responses")
@require_auth
@blp.arguments(CaseToolAnswersIn)
@blp.response(201, S.CaseToolResponseOut)
def wheel(body, case_id):
    """The personalised wellbeing wheel with a case's participant: only under a community wheel
    licence held by the organisation or the practitioner (409 `community_wheel_licence`)."""
    return _record(case_id, rules.WELLBEING_WHEEL, body)


@blp.get("/cases/<case_id>/wheel-responses")
@require_auth
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.CaseToolResponsePage)
def wheel_list(args, case_id):
    return _list(case_id, rules.WELLBEING_WHEEL, args)


@blp.get("/q-registrations")
@require_roles("cic_staff")
@blp.arguments(PageArgs, location="query")
@blp.response(200, S.QBookingPage)
def registrations(args):
    """I Matter Q registration consultations booked from training's orders (CIC staff)."""
    out = query_page(db.session, svc.bookings_stmt(), args, S.QBookingOut().dump)
    db.session.commit()
    return out
