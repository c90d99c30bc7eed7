"""The Lead Professional route: applications, obligations, log book, Level 3A groups and
volunteer study supporters."""

from __future__ import annotations

from marshmallow import fields, post_dump, pre_dump

from ...extensions import db
from ...models import Person
from ...services import lead_professionals as lead
from ...services import obligations as obligations_svc
from .base import Int, Opt, Out, Str, When, With, page_of


class ObligationOut(Out):
    code = Str()
    title = Str()
    cadence = Str()
    target = Int()
    done = Int()
    period_start = When()
    period_end = When()
    due_on = When()
    status = Str()
    reason = Opt()
    recorded_by = fields.List(fields.String())


class YearOut(Out):
    from_ = When(data_key="from", attribute="from")
    until = When()
    complete = fields.Boolean()


class SeniorLeaderOut(Out):
    name = Opt()
    role = Opt()


class OverrideOut(Out):
    rule = Str()
    year_until = When()
    reason = Str()
    decided_by = Opt()
    decided_by_name = Opt()
    decided_at = When()


class StatusOnly:
    """An application as the trainee's organisation sees it (DOMAIN "Consent and identity": name,
    roles, pathway and certification status): ApplicationOut then answers `view: status`."""

    def __init__(self, application):
        self.application = application


# what only the person themself and training admins see
FULL_ONLY = (
    "specialism",
    "references",
    "references_count",
    "senior_leadership_backing",
    "senior_leader",
    "interview_outcome",
    "interview_at",
    "interview_by",
    "interview_note",
    "outstanding_coursework",
    "overrides",
    "next_step_unmet",
    "obligations",
    "next_due",
    "created_at",
)


def _derive(obj) -> With:
    status_only = isinstance(obj, StatusOnly)
    a = obj.application if status_only else obj
    person = db.session.get(Person, a.person_id)
    derived = {"person_name": person.name if person else None, **lead.years(a)}
    if status_only:
        return With(a, view="status", **derived)
    obs = obligations_svc.obligations(a)
    pending = [o for o in obs if o["status"] not in ("done", "met")]
    pending.sort(key=lambda o: (o["status"] not in ("overdue", "unmet"), o["due_on"] or ""))
    return With(
        a,
        view="full",
        **derived,
        references_count=len(a.references),
        senior_leader={"name": a.senior_leader_name, "role": a.senior_leader_role}
        if a.senior_leader_name or a.senior_leader_role
        else None,
        outstanding_coursework=next((o for o in obs if o["code"] == "outstanding_coursework"), None),
        overrides=lead.overrides(a),
        next_step_unmet=lead.step_unmet(a) if a.state in lead.NEXT_STATE else [],
        obligations=obs,
        next_due=pending[0] if pending else None,
    )


class ApplicationOut(Out):
    """`view: full` (the person themself, training admins) or `view: status` (the trainee's
    organisation, a `StatusOnly`: the state and the years, nothing of references, interview or
    log book)."""

    id = Str()
    person_id = Str()
    person_name = Opt()
    organisation_id = Opt()
    route = Str()
    state = Str()
    trainee_year = fields.Nested(YearOut)
    implementation_year = fields.Nested(YearOut)
    approved_at = When()
    view = Str(metadata={"description": "full | status"})
    specialism = Opt()
    references = fields.List(fields.Dict())
    references_count = Int()
    senior_leadership_backing = fields.Raw(allow_none=True, metadata={"type": "boolean"})
    senior_leader = fields.Nested(SeniorLeaderOut, allow_none=True)
    interview_outcome = Opt()
    interview_at = When()
    interview_by = Opt()
    interview_note = Opt()
    outstanding_coursework = fields.Nested(ObligationOut, allow_none=True)
    overrides = fields.List(fields.Nested(OverrideOut))
    next_step_unmet = fields.List(fields.String())
    obligations = fields.List(fields.Nested(ObligationOut))
    next_due = fields.Nested(ObligationOut, allow_none=True)
    created_at = When()

    @pre_dump
    def _derived(self, obj, **kw):
        return _derive(obj)

    @post_dump
    def _status_only(self, data, **kw):
        if data["view"] == "status":
            for key in FULL_ONLY:
                data.pop(key, None)
        return data


class RecordOut(Out):
    """The fulfilment recorded, with the obligations after it."""

    id = Str()
    obligation = Str()
    occurred_at = When()
    title = Opt()
    obligations = fields.List(fields.Nested(ObligationOut))


class LogBookEntryOut(Out):
    id = Str()
    occurred_at = When()
    title = Opt()
    note = Opt()
    created_at = When()


class GroupOut(Out):
    id = Str()
    organisation_id = Str()
    lead_person_id = Str()
    course_code = Str()
    audience = Str()
    starts_on = fields.Date()
    participants_count = Int()
    scope = Str()
    licence_id = Opt(metadata={"description": "the licence it was registered under"})
    fee = fields.Constant(0)
    currency = fields.Constant("GBP")
    created_at = When()


ApplicationPage = page_of(ApplicationOut, "LeadProfessionalApplicationPage")
ObligationPage = page_of(ObligationOut)
LogBookPage = page_of(LogBookEntryOut)
GroupPage = page_of(GroupOut)
