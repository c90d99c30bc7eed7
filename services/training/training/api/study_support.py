"""Study support sessions and supported learning workshops (seed 001, seed 002; decision 0060).

Who may do what: the host themself (a Lead Professional on the route, or a certified Link
practitioner, an accepted member of the organisation) or a training admin creates a series, adds
its sessions, sees who booked, records attendance and assigns a buddy; a learner books and cancels
their own place in a series open to them (their organisation's in-house series, any partnership
series) and sees their bookings. Anyone else gets 404. No case data: a series holds a course, times
and places, and bookings hold who booked."""

from __future__ import annotations

from marshmallow import Schema, fields
from marshmallow import validate as v

from imatter_shared.web.api import Blueprint
from imatter_shared.web.auth import log_refusal, public
from imatter_shared.web.errors import NotFound
from imatter_shared.web.fields import UtcDateTime

from ..authz import caller
from ..extensions import db
from ..models import Organisation, Person
from ..models.study_support import StudySupportSeries
from ..rules import study_support as rules
from ..rules.catalogue import COURSES_BY_CODE, L1_2_COURSES
from ..rules.trainee import GROUP_COURSES
from ..services import study_support as svc
from ..services import study_support_records as records
from .common import PageArgs, page, paged
from .schemas.study_support import (
    LearnerBookingPage,
    SeriesPage,
    StudySupportAttendanceOut,
    StudySupportBookingOut,
    StudySupportBuddyOut,
    StudySupportRulesOut,
    StudySupportSeriesOut,
)

blp = Blueprint(
    "study_support",
    __name__,
    url_prefix="/api/v1/study-support",
    description="Study support sessions and workshops: series, sessions, bookings, attendance, buddies",
)


class StudySupportSeriesIn(Schema):
    organisation_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    host_person_id = fields.String(required=True, validate=v.Length(min=1, max=32))
    kind = fields.String(load_default="study_support", validate=v.OneOf(rules.KINDS))
    delivery = fields.String(load_default="in_house", validate=v.OneOf(rules.DELIVERIES))
    course_code = fields.String(required=True, validate=v.Length(min=1, max=40))
    title = fields.String(required=True, validate=v.Length(min=1, max=200))
    starts_on = fields.Date(required=True)
    level_3a_group_id = fields.String(load_default=None, validate=v.Length(min=1, max=32))
    max_sessions = fields.Integer(load_default=None, strict=True, validate=v.Range(min=1))
    places_per_session = fields.Integer(load_default=None, strict=True, validate=v.Range(min=1))


class StudySupportSessionIn(Schema):
    starts_at = UtcDateTime(required=True)
    duration_minutes = fields.Integer(
        load_default=90,
        strict=True,
        validate=v.Range(min=rules.SESSION_MINUTES[0], max=rules.SESSION_MINUTES[1]),
    )
    online = fields.Boolean(load_default=False)
    place = fields.String(load_default=None, validate=v.Length(max=200))
    places = fields.Integer(load_default=None, strict=True, validate=v.Range(min=1))


class StudySupportBookIn(Schema):
    person_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class StudySupportAttendanceIn(Schema):
    attended = fields.List(
        fields.String(validate=v.Length(min=1, max=32)), required=True, validate=v.Length(max=100)
    )


class StudySupportBuddyIn(Schema):
    supporter_application_id = fields.String(required=True, validate=v.Length(min=1, max=32))


class StudySupportSeriesArgs(PageArgs):
    hosting = fields.Boolean(load_default=False)


def _name(model, id_):
    row = db.session.get(model, id_) if id_ else None
    return row.name if row else None


def _may_host(c, s: StudySupportSeries) -> bool:
    return c.is_training_admin or (c.person_id is not None and c.person_id == s.host_person_id)


def _may_see(c, s: StudySupportSeries) -> bool:
    return (
        _may_host(c, s)
        or s.delivery == "partnership"
        or c.belongs_to(s.organisation_id)
        or c.administers(s.organisation_id)
        or any(b["person_id"] == c.person_id for b in records.buddies_of_series(s))
    )


def _series(series_id: str, host: bool = False) -> tuple:
    s = svc.get_series(series_id)
    c = caller()
    if not (_may_host(c, s) if host else _may_see(c, s)):
        log_refusal("study_support_series", series_id)
        raise NotFound("No study support series with that id.")
    return s, c


def _booking_out(b) -> dict:
    return {
        "id": b.id,
        "session_id": b.session_id,
        "person_id": b.person_id,
        "person_name": _name(Person, b.person_id),
        "state": b.state,
        "created_at": b.created_at,
        "cancelled_at": b.cancelled_at,
    }


def _session_out(session, c, host: bool) -> dict:
    bookings = svc.bookings_of_session(session)
    mine = next((b for b in bookings if b.person_id == c.person_id and b.state != "cancelled"), None)
    return {
        **{k: getattr(session, k) for k in ("id", "series_id", "number", "starts_at", "duration_minutes")},
        **{k: getattr(session, k) for k in ("online", "place", "places", "booked", "delivered_at")},
        "places_left": session.places - session.booked,
        "my_booking": _booking_out(mine) if mine else None,
        **({"bookings": [_booking_out(b) for b in bookings]} if host else {}),
    }


def _series_out(s: StudySupportSeries, c, detail: bool = True) -> dict:
    host = _may_host(c, s)
    counts = ["log_book"] + (["foundation_a_courses"] if s.course_code in GROUP_COURSES else [])
    out = {
        **{
            k: getattr(s, k)
            for k in ("id", "organisation_id", "host_person_id", "kind", "delivery", "course_code")
        },
        **{
            k: getattr(s, k)
            for k in ("title", "starts_on", "level_3a_group_id", "max_sessions", "created_at")
        },
        "places_per_session": s.places_per_session,
        "sessions_count": s.sessions_count,
        "organisation_name": _name(Organisation, s.organisation_id),
        "host_name": _name(Person, s.host_person_id),
        "counts_towards": counts if svc.lead_application(s.host_person_id) else [],
        "i_host": host,
        "open_to_me": c.person_id != s.host_person_id and svc.open_to(s, c.person_id),
    }
    if detail:
        out["sessions"] = [_session_out(x, c, host) for x in svc.sessions_of(s)]
        out["buddies"] = records.buddies_of_series(s)
    return out


@blp.route("/series", methods=["POST"])
@blp.arguments(StudySupportSeriesIn)
@blp.response(201, StudySupportSeriesOut)
def create_series(data):
    """Schedule a series for one course (e.g. a Foundation A group): the host themself (or a
    training admin for them). The host is a Lead Professional (trainee, implementation year or
    approved), a certified Link practitioner or an accepted Parent Mentor (in house only, decision
    0058), an accepted member of the organisation; only Lead Professionals run a series in
    partnership with I Matter Training (409 `unmet`:
    `organisation_membership`, `host_role`, `lead_professional`). `max_sessions` and
    `places_per_session` default to the cap (6 and 12) and may not exceed 12 and 30 (400)."""
    c = caller()
    if not c.is_training_admin and c.person_id != data["host_person_id"]:
        log_refusal("person", data["host_person_id"])
        raise NotFound("No person with that id.")
    s = svc.create_series(data, c.user_id)
    db.session.commit()
    return _series_out(s, c)


@blp.route("/series", methods=["GET"])
@blp.arguments(StudySupportSeriesArgs, location="query")
@blp.response(200, SeriesPage)
def list_series(args):
    """The series the caller may see, newest first: training admins all; anyone else those they
    host, their organisations' and every partnership series (`hosting=true`: only those they host)."""
    c = caller()
    rows, total = svc.visible_series(
        c.person_id, c.organisation_ids, c.is_training_admin, args["hosting"], args["page"], args["per_page"]
    )
    return page([_series_out(s, c, detail=False) for s in rows], total, args)


@blp.route("/series/<series_id>")
@blp.response(200, StudySupportSeriesOut)
def one_series(series_id):
    """A series with its sessions (places booked and left, the caller's own booking) and buddies;
    the host and training admins also see who booked each session."""
    s, c = _series(series_id)
    return _series_out(s, c)


@blp.route("/series/<series_id>/sessions", methods=["POST"])
@blp.arguments(StudySupportSessionIn)
@blp.response(201, StudySupportSeriesOut)
def add_session(data, series_id):
    """The host (or a training admin) schedules a session: in the future, at a place or online,
    with at most the series' places. Past the series' `max_sessions`: 409 `series_cap`."""
    s, c = _series(series_id, host=True)
    svc.add_session(s, data)
    db.session.commit()
    return _series_out(s, c)


@blp.route("/sessions/<session_id>/bookings", methods=["POST"])
@blp.arguments(StudySupportBookIn)
@blp.response(201, StudySupportBookingOut)
def book(data, session_id):
    """A learner books a place for themself (404 for anyone else), in a series open to them. 409
    `unmet`: `session_full` (the last place went to someone else: exactly one wins),
    `already_booked`, `session_started`, `organisation_membership` (an in-house series), `host`.
    A refusal leaves nothing behind."""
    c = caller()
    if c.person_id is None or c.person_id != data["person_id"]:
        log_refusal("person", data["person_id"])
        raise NotFound("No person with that id.")
    session = svc.get_session(session_id)
    s = svc.get_series(session.series_id)
    if not _may_see(c, s):
        log_refusal("study_support_session", session_id)
        raise NotFound("No study support session with that id.")
    b = svc.book(session, data["person_id"], c.user_id)
    db.session.commit()
    return _booking_out(b)


@blp.route("/bookings/<booking_id>/cancel", methods=["POST"])
@blp.response(200, StudySupportBookingOut)
def cancel(booking_id):
    """The learner themself, the host or a training admin cancels a live booking before the session
    starts; the place is free again (409 `session_started`, `booking_live`)."""
    b = svc.get_booking(booking_id)
    c = caller()
    s = svc.get_series(svc.get_session(b.session_id).series_id)
    if b.person_id != c.person_id and not _may_host(c, s):
        log_refusal("study_support_booking", booking_id)
        raise NotFound("No booking with that id.")
    b = svc.cancel(b)
    db.session.commit()
    return _booking_out(b)


@blp.route("/sessions/<session_id>/attendance", methods=["POST"])
@blp.arguments(StudySupportAttendanceIn)
@blp.response(200, StudySupportAttendanceOut)
def attendance(data, session_id):
    """The host (or a training admin) records who attended, once the session has started, once:
    the learners named in `attended` attended, every other live booking is absent. A host on the
    Lead Professional route gets a log book entry for the session delivered and, for the first
    delivered session of a Foundation A series not already registered as a Level 3A group, a record
    of "support at least 2 Foundation A courses a year" (`recorded_for_host`). 409
    `session_not_started`, `attendance_recorded`; 400 `attended` for a learner without a place."""
    session = svc.get_session(session_id)
    s, c = _series(session.series_id, host=True)
    recorded = records.record_attendance(session, data["attended"], c.user_id)
    db.session.commit()
    return {"session": _session_out(session, c, True), "recorded_for_host": recorded}


@blp.route("/people/<person_id>/bookings")
@blp.arguments(PageArgs, location="query")
@blp.response(200, LearnerBookingPage)
def person_bookings(args, person_id):
    """A learner's bookings (booked, cancelled, attended, absent), latest session first: the person
    themself and training admins."""
    c = caller()
    if not c.is_training_admin and c.person_id != person_id:
        log_refusal("person", person_id)
        raise NotFound("No person with that id.")
    return paged(records.bookings_of_person(person_id), args)


@blp.route("/series/<series_id>/buddies", methods=["POST"])
@blp.arguments(StudySupportBuddyIn)
@blp.response(201, StudySupportBuddyOut)
def assign_buddy(data, series_id):
    """A training admin or the series' host assigns an accepted volunteer study supporter as the
    group's buddy (409 `supporter_accepted`, `already_assigned`, `host`)."""
    s, c = _series(series_id, host=True)
    b = records.assign_buddy(s, data["supporter_application_id"], c.user_id)
    db.session.commit()
    return next(x for x in records.buddies_of_series(s) if x["id"] == b.id)


@blp.route("/rules")
@blp.response(200, StudySupportRulesOut)
@public
def study_support_rules():
    """The rules as data, so a client holds no copy: the kinds and deliveries of a series, the
    courses a series may be for, the cap per series (default and ceiling of `max_sessions` and
    `places_per_session`), a session's shortest and longest length, the certified roles that may
    host besides the Lead Professional route, how an accepted Parent Mentor may host (in house), and
    what a volunteer study supporter needs."""
    return {
        "kinds": list(rules.KINDS),
        "deliveries": list(rules.DELIVERIES),
        "courses": [{"code": c, "title": COURSES_BY_CODE[c]["title"]} for c in L1_2_COURSES],
        "caps": {name: dict(rule) for name, rule in rules.CAPS.items()},
        "session_minutes": {"min": rules.SESSION_MINUTES[0], "max": rules.SESSION_MINUTES[1]},
        "host_certified_roles": list(rules.HOST_CERTIFIED_ROLES),
        "parent_mentor_deliveries": list(rules.PARENT_MENTOR_DELIVERIES),
        "counts_as_foundation_a": list(rules.FOUNDATION_A_COURSES),
        "supporter": dict(rules.SUPPORTER),
    }
