"""Enrolments on courses and the personal resource licence."""

from __future__ import annotations

from marshmallow import fields

from ...rules.catalogue import COURSES_BY_CODE
from .base import Computed, Int, Opt, Out, Str, When, page_of
from .orders import OrderOut


class EnrolmentOut(Out):
    id = Str()
    person_id = Str()
    course_code = Str()
    course_title = Computed(lambda e: COURSES_BY_CODE[e.course_code]["title"], metadata={"type": "string"})
    level = Int()
    funding = Str(metadata={"description": "cpd_credit | package | bursary | self"})
    organisation_id = Opt()
    package_id = Opt()
    price = Int()
    currency = fields.Constant("GBP")
    order_id = Opt()
    progress = Int()
    state = Str()
    completed_at = When()
    created_at = When()


class EnrolmentMadeOut(EnrolmentOut):
    """The enrolment made; a paid one comes with its order."""

    order = fields.Nested(OrderOut)


class ResourceLicenceOut(Out):
    person_id = Str()
    held = fields.Boolean()
    basis = fields.List(fields.String())
    title = Str()
    allows = fields.List(fields.String())
    does_not_allow = fields.List(fields.String())
    how_to_hold = Str()
    note = Str()


EnrolmentPage = page_of(EnrolmentOut)
