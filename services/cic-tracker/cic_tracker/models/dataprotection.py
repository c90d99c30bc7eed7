"""The audit trail and the breach register of cic-tracker, and the data-protection
annotations of the columns declared without one (see cic_tracker/dataprotection.py).

The annotations live in one table here, beside the models, so the record of processing is
reviewed in one place; a column annotated where it is declared keeps its own.
"""

from imatter_shared.audit import AuditMixin
from imatter_shared.dataprotection import NOT_PII, BreachMixin, pii

from ..extensions import db


class AuditEvent(AuditMixin, db.Model):
    __tablename__ = "audit_events"


class Breach(BreachMixin, db.Model):
    __tablename__ = "dp_breaches"


# purposes
TRACKER = (
    "non-clinical reflection, goal-setting and progress monitoring of a microproject case (Progress Tracker)"
)
PRACTICE = "running practitioners' microprojects and their oversight"
FUND = "the Microproject Development Fund: applications, reviews, decisions, gifts"
CONSULT = "opt-in Priorities Consultations"
MIRROR = "knowing who may do what (facts mirrored from I Matter Training by event)"
ACCOUNTABILITY = "accountability: which account recorded or changed a record"

# retention: a case is time-limited; its data is kept for the retention period only
CASE_KEPT = "2 years after support_until"
CASE_ITEM_KEPT = "3 years after created_at"
KEPT = "while the practitioner works with us; erased on request (flask dp erase)"
MONEY = "6 years after created_at"  # accounting records


def person(purpose, retention=KEPT, basis="contract", **kw):
    return pii(
        "person identifier (an I Matter Training id)", purpose, basis, retention, subject="person_id", **kw
    )


def account(purpose=ACCOUNTABILITY, retention=KEPT, subject=True):
    # a gateway user id; a match pseudonymises the row, never deletes what the user worked on
    return pii(
        "account identifier",
        purpose,
        "legitimate_interests",
        retention,
        **({"subject": "user_id", "erase": "pseudonymise"} if subject else {}),
    )


ANNOTATIONS = {
    # cases: pseudonymous, consent-based, cleared after the retention period (counts stay)
    "cases.code": pii("pseudonymous case code", TRACKER, "consent", CASE_KEPT),
    "cases.consent_given_by": pii("who gave consent", TRACKER, "consent", CASE_KEPT),
    "cases.consent_scope": pii("scope of consent", TRACKER, "consent", CASE_KEPT),
    "cases.consent_given_at": pii("when consent was given", TRACKER, "consent", CASE_KEPT),
    "cases.consent_withdrawn_at": pii("when consent was withdrawn", TRACKER, "consent", CASE_KEPT),
    "cases.goals_count": NOT_PII,
    "cases.reflections_count": NOT_PII,
    "assessments.scores": pii("baseline/follow-up scores about a case", TRACKER, "consent", CASE_ITEM_KEPT),
    "assessments.notes": pii("notes about a case", TRACKER, "consent", CASE_ITEM_KEPT),
    # who recorded case data is not a way into it: no subject match (a practitioner's access
    # request must not export the case data of the people they support)
    "assessments.recorded_by": account(TRACKER, CASE_ITEM_KEPT, subject=False),
    "case_tool_responses.notes": pii("notes about a case", TRACKER, "consent", CASE_ITEM_KEPT),
    "case_tool_responses.answers": pii(
        "questionnaire answers about a case", TRACKER, "consent", CASE_ITEM_KEPT
    ),
    "case_tool_responses.section_scores": pii(
        "questionnaire scores about a case", TRACKER, "consent", CASE_ITEM_KEPT
    ),
    "case_tool_responses.recorded_by": account(TRACKER, CASE_ITEM_KEPT, subject=False),
    "goals.text": pii("a goal about a case", TRACKER, "consent", CASE_ITEM_KEPT),
    "reflections.text": pii("a reflection about a case", TRACKER, "consent", CASE_ITEM_KEPT),
    # microprojects and practitioners
    "microprojects.practitioner_id": person(PRACTICE, erase="pseudonymise"),
    "microprojects.overseer_person_id": person(PRACTICE, erase="pseudonymise"),
    "microprojects.overseer_assigned_by": account(PRACTICE),
    # the overseer's acceptance: a state and its dates, about the assignment, not a person
    "microprojects.overseer_state": NOT_PII,
    "microprojects.overseer_via": NOT_PII,
    "microprojects.overseer_assigned_at": NOT_PII,
    "microprojects.overseer_accepted_at": NOT_PII,
    "microprojects.signed_off_by_person_id": person(PRACTICE, erase="pseudonymise"),
    "microprojects.signed_off_by_user_id": account(PRACTICE),
    "practitioner_licences.person_id": person(MIRROR),
    "microprojects.completion_reflection": pii(
        "the practitioner's closing reflection (no case details)", PRACTICE, "contract", KEPT
    ),
    "hubs.name": NOT_PII,  # a locality hub's name
    "hubs.description": NOT_PII,  # what the hub offers
    "hubs.created_by": account(),
    "consultations.purpose": pii("purpose of a consultation", CONSULT, "consent", "1 year after expires_at"),
    # mirrored facts about professionals
    "known_people.person_id": person(MIRROR),
    "known_people.user_id": pii("account identifier", MIRROR, "contract", KEPT, subject="user_id"),
    "certifications.person_id": person(MIRROR),
    "org_admins.user_id": pii("account identifier", MIRROR, "contract", KEPT, subject="user_id"),
    "org_memberships.person_id": person(MIRROR),
    "org_memberships.user_id": pii("account identifier", MIRROR, "contract", KEPT, subject="user_id"),
    "tool_licences.person_id": person(MIRROR),
    "q_registration_bookings.person_id": person(CONSULT, erase="pseudonymise"),
    "notification_preferences.non_essential_email": NOT_PII,  # a yes/no switch
    # the fund
    "fund_applications.applicant_user_id": account(FUND),
    "fund_applications.practitioner_id": person(FUND, erase="pseudonymise"),
    "fund_applications.summary": pii(
        "the application's own text", FUND, "contract", "6 years after created_at"
    ),
    "fund_reviews.reviewer_user_id": account(FUND),
    "fund_reviews.score": pii(
        "a reviewer's score of an application", FUND, "legitimate_interests", "6 years after created_at"
    ),
    "fund_reviews.comment": pii(
        "a reviewer's comment on an application", FUND, "legitimate_interests", "6 years after created_at"
    ),
    "fund_decisions.note": pii(
        "note on a fund decision", FUND, "legitimate_interests", "6 years after decided_at"
    ),
    "fund_decisions.decided_by": account(FUND),
    "fund_gifts.supporter_name": pii("a supporter's name", FUND, "legal_obligation", MONEY),
    "fund_gifts.given_by": pii(
        "who gave (account or supporter reference)",
        FUND,
        "legal_obligation",
        MONEY,
        subject="user_id",
        erase="pseudonymise",
    ),
    "consultations.requested_by": account(CONSULT),
}
