"""Parent Mentor applications and places (decision 0058)."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from ...extensions import db
from ...models import Person
from .base import Int, Opt, Out, Str, When, With, page_of


class ReferenceOut(Out):
    name = Str()
    relationship = Str()
    contact = Opt()


class ParentMentorApplicationOut(Out):
    """The person themself and training admins: the whole record. `state`: applied | offered |
    accepted (the person holds a Parent Mentor place) | declined | turned_down."""

    id = Str()
    person_id = Str()
    person_name = Opt()
    role = Str(metadata={"description": "Level 3 advanced: Parent Mentor"})
    state = Str()
    motivation = Str()
    references = fields.List(fields.Nested(ReferenceOut))
    interview_outcome = Opt(metadata={"description": "passed | failed; null until recorded"})
    interview_at = When()
    interview_note = Opt(metadata={"description": "the interviewer's note, shown to the applicant"})
    decided_at = When()
    decision_note = Opt()
    answered_at = When()
    created_at = When()

    @pre_dump
    def _derived(self, obj, **kw):
        person = db.session.get(Person, obj.person_id)
        return With(obj, person_name=person.name if person else None, role="parent_mentor")


ParentMentorApplicationPage = page_of(ParentMentorApplicationOut)


class CourseDoneOut(Out):
    code = Str()
    completed = fields.Boolean()


class EligibilityOut(Out):
    """Whether the person may apply now, and what they still lack (`parent_learner`,
    `foundation_completion`), from the rule table in force."""

    person_id = Str()
    eligible = fields.Boolean()
    unmet = fields.List(fields.String())
    required_courses = fields.List(fields.Nested(CourseDoneOut))
    person_kinds = fields.List(fields.String())
    min_references = Int()
    open_application_id = Opt()
