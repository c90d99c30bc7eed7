"""Lead Professional licences (seed 001 "Licensing", decisions 0055-0057): the kinds, their scopes
and their eligibility as DATA, and the one function that reads a person's facts against a kind's
requirements. No Flask, no database: services/lp_licences.py gathers the facts.

A kind is one row of KINDS: its level, the practice scopes it gives, whether it is held in an
organisation (in-house), whether it lets its holder run registered Level 3A groups, the
application area (adults for every core licence; a specialist licence names another one), and
`requires`: the requirement codes a grant checks. What a requirement code means is logic
(REQUIREMENTS below); which kind needs what is data. Adding a kind, or changing what one needs,
is a change to KINDS only.

Requirement codes:
  completed:<course>        the person completed that course (learning platform or training admin)
  lead_professional_place   an application on the Lead Professional route that is trainee,
                            implementation or approved (seed 001: "all ... start out as Trainees")
  approved_lead_professional  an approved member of the Lead Professional team
  senior_leadership_backing the application carries senior leadership backing (seed 001)
  organisation_membership   the grant names an organisation the person is an accepted member of
  licence_in_organisation:<kind>  a current licence of that kind held in the grant's organisation
                            (Level 5: "worked up through their own organisational structures")
  employment:<value>        the training admin attests the person's employment at grant (salaried;
                            team_freelance / team_employed: on I Matter Training's own team)
"""

from __future__ import annotations

# Practice scopes (seed 001: "The licence covers support for what we describe as Everyday
# Parenting, and additional experience and competencies will be required to offer I Matter
# Training for Increased Pressure Parenting").
EVERYDAY, INCREASED = "everyday_parenting", "increased_pressure_parenting"
SCOPES = (EVERYDAY, INCREASED)
SCOPE_TITLES = {EVERYDAY: "Everyday Parenting", INCREASED: "Increased Pressure Parenting"}

# Application areas (seed 001 vi: "Our core certification prepares professionals to work with
# adults, more specialist licences are needed for other applications").
ADULTS = "adults"
CYP = "children_and_young_people"
SPECIALIST_AREAS = {
    CYP: {
        "title": "Children and young people",
        "description": "A Lead Professional delivering to children and young people (pupils or "
        "young people in the school or service), beyond the adults the core licences cover.",
    },
}
AREAS = (ADULTS, *SPECIALIST_AREAS)
# Who a registered Level 3A group is delivered to, and the application area each audience is in
# (decision 0057). An audience in an area other than adults needs, besides a licence kind whose
# `group_audiences` lists it, the lead's current specialist licence in that area. Adding an audience
# is one row here and its code in the `group_audiences` of the kinds that may deliver to it.
PROFESSIONALS, PARENTS = "professionals", "parents"
GROUP_AUDIENCE_AREAS = {PROFESSIONALS: ADULTS, PARENTS: ADULTS, CYP: CYP}
GROUP_AUDIENCE_TITLES = {PROFESSIONALS: "Professionals", PARENTS: "Parents", CYP: "Children and young people"}

EMPLOYMENT = ("salaried", "team_freelance", "team_employed")
TEAM = ("team_freelance", "team_employed")

CORE_COURSES = ("foundation_a1", "foundation_a2", "foundation_b", "intermediate_a")

KINDS: list[dict] = [
    {
        "code": "level_3a",
        "title": "Level 3A licence",
        "level": 3,
        "summary": "Schools and services with senior leadership support: in-house Foundation A part 1 "
        "and part 2 groups for their own professionals or parents (registered, no charge).",
        "scopes": [EVERYDAY],
        "in_organisation": True,
        "runs_level_3a_groups": True,
        # seed 001: "in-house courses ... for their own professionals or parents"
        "group_audiences": [PROFESSIONALS, PARENTS],
        "area": ADULTS,
        "charge": 0,
        "requires": ["lead_professional_place", "senior_leadership_backing", "organisation_membership"],
    },
    {
        "code": "level_4",
        "title": "Level 4 in-house practice licence",
        "level": 4,
        "summary": "Embedding developmental thinking in in-house practice.",
        "scopes": [EVERYDAY, INCREASED],
        "in_organisation": True,
        "runs_level_3a_groups": True,
        "group_audiences": [PROFESSIONALS, PARENTS, CYP],
        "area": ADULTS,
        "charge": None,
        "requires": ["approved_lead_professional", "organisation_membership"],
    },
    {
        "code": "level_5",
        "title": "Level 5 Community Trainer licence",
        "level": 5,
        "summary": "Complex care co-ordination and community training, for trainers who worked up "
        "through their own organisation.",
        "scopes": [EVERYDAY, INCREASED],
        "in_organisation": True,
        "runs_level_3a_groups": True,
        "group_audiences": [PROFESSIONALS, PARENTS, CYP],
        "area": ADULTS,
        "charge": None,
        "requires": [
            "approved_lead_professional",
            "organisation_membership",
            "licence_in_organisation:level_4",
        ],
    },
    {
        "code": "a_licence",
        "title": "A licence",
        "level": None,
        "summary": "Salaried professionals who completed Foundation A and B, Intermediate A and the "
        "study supporters preparation course.",
        "scopes": [EVERYDAY],
        "in_organisation": False,
        "runs_level_3a_groups": False,
        "group_audiences": [],
        "area": ADULTS,
        "charge": None,
        "requires": [
            *(f"completed:{c}" for c in CORE_COURSES),
            "completed:study_supporter_preparation",
            "employment:salaried",
        ],
    },
    {
        "code": "b_licence",
        "title": "B licence",
        "level": None,
        "summary": "I Matter Training's own team, freelance or employed.",
        "scopes": [EVERYDAY, INCREASED],
        "in_organisation": False,
        "runs_level_3a_groups": False,
        "group_audiences": [],
        "area": ADULTS,
        "charge": None,
        "requires": ["employment:team"],
    },
    {
        "code": "specialist",
        "title": "Specialist licence",
        "level": None,
        "summary": "Work beyond adults in an application area (seed 001 vi): core learning completed, "
        "in a registered school or service.",
        "scopes": [],
        "in_organisation": True,
        "runs_level_3a_groups": False,
        "group_audiences": [],
        "area": None,  # named at grant: one of SPECIALIST_AREAS
        "charge": None,
        "requires": [*(f"completed:{c}" for c in CORE_COURSES), "organisation_membership"],
    },
]
KINDS_BY_CODE = {k["code"]: k for k in KINDS}
KIND_CODES = tuple(KINDS_BY_CODE)
GROUP_KINDS = tuple(k["code"] for k in KINDS if k["runs_level_3a_groups"])

REQUIREMENT_TITLES = {
    "lead_professional_place": "a place on the Lead Professional route (trainee, implementation or approved)",
    "approved_lead_professional": "an approved member of the Lead Professional team",
    "senior_leadership_backing": "the support of senior leadership in their organisation",
    "organisation_membership": "an accepted member of the organisation named in the grant",
    "employment:salaried": "a salaried professional (attested by the training admin)",
    "employment:team": "on I Matter Training's own team, freelance or employed (attested by the training admin)",
    "area": "a specialist application area",
    "licence_audience": "a current Level 4 or Level 5 licence in the group's organisation "
    "(a Level 3A licence covers professionals and parents)",
    "specialist_licence": "a current specialist licence in the audience's application area",
}


def requirement_title(code: str) -> str:
    if code.startswith("completed:"):
        return "completed " + code.split(":", 1)[1].replace("_", " ")
    if code.startswith("licence_in_organisation:"):
        other = KINDS_BY_CODE[code.split(":", 1)[1]]["title"]
        return f"a current {other} in the same organisation"
    return REQUIREMENT_TITLES.get(code, code)


def unmet(kind: dict, facts: dict) -> list[str]:
    """The requirement codes of `kind` the facts do not meet ([] when eligible). `facts` keys:
    completed (set of course codes), lp_state (the open application's state or None),
    backing (bool), member (bool: accepted member of the grant's organisation), org_licences
    (set of kinds held now in that organisation), employment (str or None), area (str or None)."""
    missing = []
    for code in kind["requires"]:
        name, _, arg = code.partition(":")
        if name == "completed":
            ok = arg in facts["completed"]
        elif name == "lead_professional_place":
            ok = facts["lp_state"] in ("trainee", "implementation", "approved")
        elif name == "approved_lead_professional":
            ok = facts["lp_state"] == "approved"
        elif name == "senior_leadership_backing":
            ok = bool(facts["backing"])
        elif name == "organisation_membership":
            ok = bool(facts["member"])
        elif name == "licence_in_organisation":
            ok = bool(facts["member"]) and arg in facts["org_licences"]
        elif name == "employment":
            allowed = TEAM if arg == "team" else (arg,)
            ok = facts["employment"] in allowed
        else:  # an unknown code is never met: a typo in the data refuses, it never grants
            ok = False
        if not ok:
            missing.append(code)
    if kind["area"] is None and facts.get("area") not in SPECIALIST_AREAS:
        missing.append("area")
    return missing


def group_audience_unmet(kinds_held: list[str], specialist_areas: set[str], audience: str) -> list[str]:
    """What a Level 3A group for `audience` still needs, given the group-running kinds the lead holds
    (in the group's organisation, giving the group's scope) and the areas of their current
    specialist licences: `licence_audience` when no kind held delivers to that audience,
    `specialist_licence` when the audience's area is beyond adults and no specialist licence in it
    is held. [] when the group may be registered."""
    missing = []
    if not any(audience in KINDS_BY_CODE[k]["group_audiences"] for k in kinds_held):
        missing.append("licence_audience")
    area = GROUP_AUDIENCE_AREAS[audience]
    if area != ADULTS and area not in specialist_areas:
        missing.append("specialist_licence")
    return missing


def audience_kinds(audience: str) -> list[str]:
    return [k for k in GROUP_KINDS if audience in KINDS_BY_CODE[k]["group_audiences"]]


def area_of(kind: dict, area: str | None) -> str:
    return kind["area"] if kind["area"] is not None else str(area)


def covers(kind_code: str, scope: str) -> bool:
    return scope in KINDS_BY_CODE[kind_code]["scopes"]


def catalogue() -> list[dict]:
    """The kinds as the API shows them (with each requirement's title)."""
    return [
        {
            **{k: v for k, v in kind.items() if k != "requires"},
            "requires": [{"code": c, "title": requirement_title(c)} for c in kind["requires"]],
            "areas": sorted(SPECIALIST_AREAS) if kind["area"] is None else [kind["area"]],
        }
        for kind in KINDS
    ]
