"""Study support series, sessions, bookings and buddies; volunteer study supporter applications."""

from __future__ import annotations

from marshmallow import fields

from .base import Int, Opt, Out, Str, When, page_of


class StudySupportBookingOut(Out):
    id = Str()
    session_id = Str()
    person_id = Str()
    person_name = Opt()
    state = Str(metadata={"description": "booked | cancelled | attended | absent"})
    created_at = When()
    cancelled_at = When()


class StudySupportSessionOut(Out):
    id = Str()
    series_id = Str()
    number = Int()
    starts_at = When()
    duration_minutes = Int()
    online = fields.Boolean()
    place = Opt()
    places = Int()
    booked = Int()
    places_left = Int()
    delivered_at = When()
    # the caller's own live or past booking in this session, if any
    my_booking = fields.Nested(StudySupportBookingOut, allow_none=True)
    # the host and training admins only: who booked (learners' names, nothing else)
    bookings = fields.List(fields.Nested(StudySupportBookingOut))


class StudySupportBuddyOut(Out):
    id = Str()
    supporter_application_id = Str()
    person_id = Str()
    person_name = Opt()
    assigned_at = When()


class StudySupportSeriesOut(Out):
    id = Str()
    organisation_id = Str()
    organisation_name = Opt()
    host_person_id = Str()
    host_name = Opt()
    kind = Str(metadata={"description": "study_support | workshop"})
    delivery = Str(metadata={"description": "in_house | partnership"})
    course_code = Str()
    title = Str()
    starts_on = fields.Date()
    level_3a_group_id = Opt()
    max_sessions = Int(metadata={"description": "the cap per series: not unlimited support"})
    places_per_session = Int()
    sessions_count = Int()
    counts_towards = fields.List(fields.String())
    i_host = fields.Boolean()
    open_to_me = fields.Boolean()
    sessions = fields.List(fields.Nested(StudySupportSessionOut))
    buddies = fields.List(fields.Nested(StudySupportBuddyOut))
    created_at = When()


class StudySupportRecordedOut(Out):
    obligation = Str()
    id = Str()


class StudySupportAttendanceOut(Out):
    session = fields.Nested(StudySupportSessionOut)
    recorded_for_host = fields.List(fields.Nested(StudySupportRecordedOut))


class StudySupportLearnerBookingOut(Out):
    id = Str()
    state = Str()
    session_id = Str()
    series_id = Str()
    series_title = Str()
    kind = Str()
    course_code = Str()
    number = Int()
    starts_at = When()
    duration_minutes = Int()
    online = fields.Boolean()
    place = Opt()
    created_at = When()


class StudySupportBuddySeriesOut(Out):
    series_id = Str()
    title = Str()
    course_code = Str()
    starts_on = fields.Date()
    organisation_id = Str()
    assigned_at = When()


class StudySupporterOut(Out):
    id = Str()
    person_id = Str()
    person_name = Opt()
    state = Str(metadata={"description": "applied | interviewed | accepted | declined"})
    motivation = Opt()
    references = fields.List(fields.Dict())
    interview_outcome = Opt()
    interview_at = When()
    interview_note = Opt(metadata={"description": "shown to the applicant"})
    decided_at = When()
    acceptance_unmet = fields.List(fields.String())
    buddy_for = fields.List(fields.Nested(StudySupportBuddySeriesOut))
    created_at = When()


class StudySupportRulesOut(Out):
    kinds = fields.List(fields.String())
    deliveries = fields.List(fields.String())
    courses = fields.List(fields.Dict(), metadata={"description": "{code, title}"})
    caps = fields.Dict(metadata={"description": "{max_sessions|places_per_session: {default, ceiling}}"})
    session_minutes = fields.Dict(metadata={"description": "{min, max}"})
    host_certified_roles = fields.List(fields.String())
    parent_mentor_deliveries = fields.List(
        fields.String(), metadata={"description": "how an accepted Parent Mentor may host (decision 0058)"}
    )
    counts_as_foundation_a = fields.List(fields.String())
    supporter = fields.Dict(metadata={"description": "{min_references, entry, preparation_course}"})


SeriesPage = page_of(StudySupportSeriesOut, "StudySupportSeriesPage")
LearnerBookingPage = page_of(StudySupportLearnerBookingOut, "StudySupportBookingPage")
SupporterPage = page_of(StudySupporterOut, "StudySupporterApplicationPage")
