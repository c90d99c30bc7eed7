"""Reference data of the catalogue (public): what a client needs to show training's offer
without holding a rule of its own. The pathway estimate for a visitor, the licence texts, the
implementation stages, who pays and who may choose it, the membership roles, the requirement
vocabulary, what a practitioner licence allows in each state, the Lead Professional route's
entry routes, states and records, and how many cases a microproject package is for, each read
from `rules/` (or the contract table both services share)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields

from imatter_shared.contract import packages as package_contract
from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import public
from imatter_shared.web.errors import NotFound
from imatter_shared.web.responses import Out, page_of

from ..rules import funding, membership, pathway, stage, trainee
from ..rules import licences as licence_rules
from ..rules import lp_licence_kinds as lp_kinds
from ..rules import practitioner_licence as practitioner
from ..rules.roles import REQUIREMENT_KINDS, REQUIREMENTS, ROLE_CODE_LIST, ROLES_BY_CODE
from ..services.lead_professionals import STATES as LEAD_PROFESSIONAL_STATES
from .common import PageArgs, paged
from .conditional import NOT_MODIFIED

blp = Blueprint(
    "catalogue_reference",
    __name__,
    url_prefix="/api/v1/catalogue",
    description="Reference data for clients: pathway estimates, licence texts, stages, fundings (public)",
)


# ---- response schemas ----------------------------------------------------------------------------


class CatalogueRequirementOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    price = fields.Integer(required=True, metadata={"description": "pence a unit"})
    quantity = fields.Integer(required=True)
    currency = fields.String(required=True)
    placeholder = fields.Boolean(required=True)
    placeholder_label = fields.String()


class CatalogueRoleOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    level = fields.String(allow_none=True)
    requirements = fields.List(fields.Nested(CatalogueRequirementOut), required=True)
    practicum_package_type = fields.Integer(allow_none=True)
    enables = fields.List(fields.String())
    price = fields.Integer(required=True)
    currency = fields.String(required=True)


class EstimateRowOut(CatalogueRequirementOut):
    cost = fields.Integer(required=True, metadata={"description": "price x quantity"})
    have = fields.Boolean(required=True)
    role_cost = fields.Integer(metadata={"description": "a requirement that is a role: it from scratch"})


class RoleEstimateOut(Out):
    role = fields.String(required=True)
    rows = fields.List(fields.Nested(EstimateRowOut), required=True)
    total = fields.Integer(required=True)
    with_prerequisites = fields.Integer(required=True)
    prerequisites = fields.List(fields.Nested(CatalogueRoleOut), required=True)
    currency = fields.String(required=True)


class LicenceTermsOut(Out):
    type = fields.String(required=True)
    phase = fields.Integer(required=True)
    title = fields.String(required=True)
    name = fields.String(required=True, metadata={"description": "short name (Starter Licence)"})
    subtitle = fields.String(required=True)
    summary = fields.String(required=True)
    term_months = fields.Integer(required=True)
    fee_key = fields.String(required=True, metadata={"description": "size band field holding its fee"})
    requires = fields.List(fields.String(), required=True)
    includes = fields.List(fields.String(), required=True)
    excludes = fields.List(fields.String(), required=True)
    required_for = fields.List(fields.String(), required=True)
    agreement = fields.String(allow_none=True, required=True)


class StageOut(Out):
    number = fields.Integer(required=True)
    name = fields.String(required=True)


class FundingOut(Out):
    code = fields.String(required=True)
    label = fields.String(required=True)
    chosen_by = fields.List(fields.String(), metadata={"description": "person, organisation_admin, ..."})


class FundingsOut(Out):
    enrolment = fields.List(fields.Nested(FundingOut), required=True)
    learner_enrolment = fields.List(fields.Nested(FundingOut), required=True)
    package = fields.List(fields.Nested(FundingOut), required=True)


class MembershipRoleOut(Out):
    code = fields.String(required=True)
    label = fields.String(required=True)
    grants_admin = fields.Boolean(required=True)


class RequirementCodeOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    self_booked = fields.Boolean(required=True)


class LicenceActionOut(Out):
    action = fields.String(required=True)
    label = fields.String(required=True)


class PractitionerLicenceStateOut(Out):
    state = fields.String(required=True)
    note = fields.String(required=True)
    actions = fields.List(fields.Nested(LicenceActionOut), required=True)


class EntryRouteOut(Out):
    code = fields.String(required=True)
    any_of = fields.List(fields.String(), metadata={"description": "one of these courses completed"})
    all_of = fields.List(fields.String(), metadata={"description": "all of these courses completed"})
    unmet = fields.String(required=True, metadata={"description": "the `unmet` code when they are not"})


class SelfRecordedOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    cadence = fields.String(required=True)
    target = fields.Integer(required=True)


class GroupScopeOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    licence_kinds = fields.List(fields.String(), required=True)


class GroupAudienceOut(Out):
    code = fields.String(required=True)
    title = fields.String(required=True)
    licence_kinds = fields.List(fields.String(), required=True)
    specialist_area = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "the area of the specialist licence it also needs; null for adults"},
    )


class LeadProfessionalRoutesOut(Out):
    routes = fields.List(fields.Nested(EntryRouteOut), required=True)
    min_references = fields.Integer(required=True)
    states = fields.List(fields.String(), required=True, metadata={"description": "an application's states"})
    self_recorded = fields.List(fields.Nested(SelfRecordedOut), required=True)
    group_courses = fields.List(fields.String(), required=True)
    group_audiences = fields.List(fields.String(), required=True)
    group_scopes = fields.List(
        fields.Nested(GroupScopeOut),
        required=True,
        metadata={"description": "a group's practice scopes, each with the licence kinds that give it"},
    )
    group_audience_rules = fields.List(
        fields.Nested(GroupAudienceOut),
        required=True,
        metadata={
            "description": "each audience with the licence kinds that deliver to it and the specialist "
            "licence area it also needs (decision 0057)"
        },
    )


class PackageRulesOut(Out):
    min_cases = fields.Integer(required=True, metadata={"description": "fewest cases a package is run with"})
    max_cases = fields.Integer(required=True, metadata={"description": "most cases a package holds"})


def _known_have(codes: list[str]) -> None:
    unknown = sorted(set(codes) - set(REQUIREMENT_KINDS) - set(ROLE_CODE_LIST))
    if unknown:
        raise ValidationError(f"Unknown requirement or role code: {', '.join(unknown)}.")


class EstimateArgs(Schema):
    have = fields.List(
        fields.String(),
        load_default=list,
        validate=_known_have,
        metadata={"description": "requirement (or role) codes already done; repeat the parameter"},
    )


# ---- views ----------------------------------------------------------------------------------------


@blp.route("/roles/<code>/estimate")
@blp.arguments(EstimateArgs, location="query")
@blp.response(200, RoleEstimateOut)
@public
def role_estimate(args, code):
    """What the role costs someone starting out (the pathway calculator): each requirement at list
    price, what is already done (`have`) not charged, and the cost including prerequisite roles
    with each requirement counted once (Deep Dive once). 404 for an unknown role."""
    if code not in ROLES_BY_CODE:
        raise NotFound("No role with that code.")
    return pathway.estimate(code, args["have"])


@blp.route("/licences")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(LicenceTermsOut))
@public
def licences(args):
    """The three organisational licences in phase order: name, subtitle, summary, what each
    includes and excludes (seed 000), what it requires, its term, the agreement an organisation
    accepts (Starter), and `fee_key`, the size band field of the price book holding its fee."""
    return paged([licence_rules.catalogue_terms(t) for t in licence_rules.TYPES], args)


@blp.route("/stages")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(StageOut))
@public
def stages(args):
    """The implementation stages 0-5 an organisation moves through (its `stage` says where it is)."""
    return paged([{"number": n, "name": name} for n, name in stage.STAGES.items()], args)


@blp.route("/fundings")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.response(200, FundingsOut)
@public
def fundings():
    """Who pays: the `funding` values of an enrolment with who may choose each (`enrolment`),
    those a learner may choose for themself (`learner_enrolment`), and those of a package."""
    return {
        "enrolment": funding.enrolment_fundings(),
        "learner_enrolment": funding.learner_fundings(),
        "package": funding.package_fundings(),
    }


@blp.route("/membership-roles")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(MembershipRoleOut))
@public
def membership_roles(args):
    """The closed list of roles a member may be invited with; only `admin` grants anything."""
    return paged(membership.member_roles(), args)


@blp.route("/requirements")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(RequirementCodeOut))
@public
def requirements(args):
    """Every requirement code of the roles with its title and kind; `self_booked` when a person
    books it themself on their pathway (POST /api/v1/people/{id}/pathways/{role}/items)."""
    rows = [
        {"code": code, "title": req["title"], "kind": req["kind"], "self_booked": pathway.self_booked(code)}
        for code, req in REQUIREMENTS.items()
    ]
    return paged(rows, args)


@blp.route("/practitioner-licence-states")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_of(PractitionerLicenceStateOut))
@public
def practitioner_licence_states(args):
    """Each state of a Microproject Practitioner Licence, what it means for the holder, and the
    actions (POST /api/v1/practitioner-licences/{id}/<action>) the holder may take in it."""
    rows = [
        {
            "state": state,
            "note": practitioner.STATE_NOTES[state],
            "actions": [
                {"action": a, "label": practitioner.HOLDER_ACTIONS[a]}
                for a in practitioner.holder_actions(state)
            ],
        }
        for state in practitioner.STATES
    ]
    return paged(rows, args)


@blp.route("/lead-professional-routes")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.response(200, LeadProfessionalRoutesOut)
@public
def lead_professional_routes():
    """The Lead Professional route as a client needs it to apply and keep records: each entry
    route with the courses it comes after, how many references an application needs, the states
    of an application in order, the obligations a trainee records themself, and what a Level 3A
    group is registered for (its course codes, audiences and practice scopes, each scope with the
    licence kinds that give it: decision 0056; each audience with the licence kinds that deliver to
    it and the specialist licence area it also needs: decision 0057)."""
    return {
        "routes": [{"code": code, **rule} for code, rule in trainee.ENTRY_ROUTES.items()],
        "min_references": trainee.MIN_REFERENCES,
        "states": list(LEAD_PROFESSIONAL_STATES),
        "self_recorded": trainee.self_recorded(),
        "group_courses": list(trainee.GROUP_COURSES),
        "group_audiences": list(trainee.GROUP_AUDIENCES),
        "group_scopes": [
            {
                "code": s,
                "title": lp_kinds.SCOPE_TITLES[s],
                "licence_kinds": [k for k in lp_kinds.GROUP_KINDS if lp_kinds.covers(k, s)],
            }
            for s in lp_kinds.SCOPES
        ],
        "group_audience_rules": [
            {
                "code": a,
                "title": lp_kinds.GROUP_AUDIENCE_TITLES[a],
                "licence_kinds": lp_kinds.audience_kinds(a),
                "specialist_area": None if area == lp_kinds.ADULTS else area,
            }
            for a, area in lp_kinds.GROUP_AUDIENCE_AREAS.items()
        ],
    }


@blp.route("/package-rules")
@blp.alt_response(304, description=NOT_MODIFIED)
@blp.response(200, PackageRulesOut)
@public
def package_rules():
    """What every microproject package type shares (the contract table): the cases a package is
    for, from `min_cases` to `max_cases` (a type's Tracker uses are its per-case share times
    `max_cases`). What a type contains and excludes is its row in GET /api/v1/catalogue/packages."""
    return {"min_cases": package_contract.MIN_CASES, "max_cases": package_contract.MAX_CASES}
