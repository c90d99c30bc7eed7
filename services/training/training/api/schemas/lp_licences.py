"""Lead Professional licences: the kinds (data), a person's licences and their eligibility."""

from __future__ import annotations

from marshmallow import fields

from .base import Opt, Out, Str, When, page_of


class LpRequirementOut(Out):
    code = Str()
    title = Str()


class LpLicenceKindOut(Out):
    code = Str()
    title = Str()
    level = fields.Integer(
        allow_none=True, metadata={"description": "3, 4 or 5; null for A, B and specialist"}
    )
    summary = Str()
    scopes = fields.List(
        fields.String(), metadata={"description": "everyday_parenting, increased_pressure_parenting"}
    )
    in_organisation = fields.Boolean(metadata={"description": "held in an organisation (in-house)"})
    runs_level_3a_groups = fields.Boolean()
    group_audiences = fields.List(
        fields.String(),
        metadata={
            "description": "who its holder's Level 3A groups may be for: professionals, parents; "
            "children_and_young_people (Level 4 and 5, with a specialist licence in that area)"
        },
    )
    area = Opt(metadata={"description": "adults; null: a specialist licence names its area at grant"})
    areas = fields.List(fields.String())
    charge = fields.Integer(
        allow_none=True, metadata={"description": "0: no charge (Level 3A); null: not priced here"}
    )
    requires = fields.List(fields.Nested(LpRequirementOut))


LpLicenceKindPage = page_of(LpLicenceKindOut)


class LpLicenceOut(Out):
    id = Str()
    person_id = Str()
    kind = Str()
    title = Str()
    area = Str()
    organisation_id = Opt()
    scopes = fields.List(fields.String())
    employment = Opt()
    status = Str(metadata={"description": "current | revoked"})
    note = Opt()
    granted_at = When()
    granted_by = Opt()
    revoked_at = When()
    revoked_by = Opt()
    revoke_reason = Opt()
    credential_id = Opt(metadata={"description": "its Open Badges 3.0 credential"})
    view = Str(
        metadata={"description": "full (the holder, a training admin) | status (their organisation's admin)"}
    )


LpLicencePage = page_of(LpLicenceOut)


class LpEligibilityOut(Out):
    kind = Str()
    title = Str()
    area = Str()
    eligible = fields.Boolean()
    unmet = fields.List(fields.String())
    unmet_titles = fields.List(fields.String())


LpEligibilityPage = page_of(LpEligibilityOut)
