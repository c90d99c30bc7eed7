"""The audit trail and the breach register of the training service, and the data-protection
annotations of the columns declared without one (see training/dataprotection.py).

The annotations live in one table here, beside the models, so the record of processing is
reviewed in one place; a column annotated where it is declared (info={"pii": ...}) keeps its
own. `flask dp register` fails for any personal-looking column annotated nowhere.
"""

from imatter_shared.audit import AuditMixin
from imatter_shared.dataprotection import NOT_PII, BreachMixin, pii

from ..extensions import db


class AuditEvent(AuditMixin, db.Model):
    __tablename__ = "audit_events"


class Breach(BreachMixin, db.Model):
    __tablename__ = "dp_breaches"


# purposes
LEARNING = "running the learner's courses, accounts and progress"
CERT = "practitioner training, pathways and certification"
LICENSING = "organisational and practitioner licensing"
ACCOUNTS = "orders, invoices and bursary accounting"
DIRECTORY = "the public 'I Matter informed' directory (opt-in)"
CONTACT = "answering an expression of interest"
ACCOUNTABILITY = "accountability: which account recorded or changed a record"
LEAD = "Lead Professional and study supporter applications and obligations"

# retention
KEPT = "while the person has an account with us; erased on request (flask dp erase)"
MONEY = "6 years after created_at"  # HMRC: accounting records kept six years
CERTS = "while certified, then 6 years (evidence of certification); erased on request"
LICENCE = "while the licence runs, then 6 years; erased on request"
IDEMPOTENCY = "24 hours (flask idempotency prune); erased on request"


def person(purpose, basis="contract", retention=KEPT, **kw):
    return pii("person identifier", purpose, basis, retention, subject="person_id", **kw)


def account(purpose=ACCOUNTABILITY, retention=KEPT):
    # a gateway user id: a match pseudonymises the row, never deletes what the user created
    return pii(
        "account identifier",
        purpose,
        "legitimate_interests",
        retention,
        subject="user_id",
        erase="pseudonymise",
    )


ANNOTATIONS = {
    # people and organisations
    "people.name": pii("name", LEARNING, "contract", KEPT),
    "people.email": pii("contact details", LEARNING, "contract", KEPT, subject="email"),
    "people.user_id": pii("account identifier", LEARNING, "contract", KEPT, subject="user_id"),
    "people.created_by": account(),
    "organisations.name": NOT_PII,  # an organisation's name (a school, a GP practice)
    "organisations.link_contact_email": pii(
        "contact details of the link contact",
        LICENSING,
        "contract",
        "while the organisation is licensed; replaced on request",
        subject="email",
        erase="pseudonymise",
    ),
    "organisations.created_by": account(),
    "organisation_admins.user_id": pii("account identifier", LICENSING, "contract", KEPT, subject="user_id"),
    "memberships.person_id": person(LICENSING),
    # an invitation addressed to an email (until whoever verifies it accepts): the invitee's address
    "memberships.email": pii(
        "contact details of an invited person", LICENSING, "legitimate_interests", KEPT, subject="email"
    ),
    "notification_preferences.non_essential_email": NOT_PII,  # a yes/no switch
    "interest.name": pii("name", CONTACT, "consent", "1 year after created_at"),
    "interest.email": pii("contact details", CONTACT, "consent", "1 year after created_at", subject="email"),
    "interest.message": pii("free text from the enquirer", CONTACT, "consent", "1 year after created_at"),
    # learning and certification
    "enrolments.person_id": person(LEARNING),
    "learning_accounts.person_id": person(LEARNING),
    "seat_assignments.person_id": person(LEARNING),
    "package_account_grants.person_id": person(LEARNING),
    "certifications.person_id": person(CERT, retention=CERTS),
    "certifications.reason": pii(
        "why a training admin recorded a certification gained elsewhere", CERT, "contract", CERTS
    ),
    "certifications.recorded_by": account(),
    "certifications.withdrawal_reason": pii(
        "why a training admin withdrew a certification", CERT, "contract", CERTS
    ),
    "certifications.withdrawn_by": account(),
    "credentials.person_id": person(CERT, retention=CERTS),
    "pathway_items.person_id": person(CERT, retention=CERTS),
    "practitioner_licences.person_id": person(LICENSING, retention=LICENCE),
    "practitioner_licences.idea": pii(
        "the practitioner's microproject idea (no case details)", LICENSING, "contract", LICENCE
    ),
    "practitioner_licences.focus_areas": pii(
        "the practitioner's focus areas (no case details)", LICENSING, "contract", LICENCE
    ),
    "practitioner_licences.created_by": account(),
    "packages.practitioner_id": person(LICENSING, retention=LICENCE),
    "packages.practitioner_licence_id": NOT_PII,  # a licence id, personal only through practitioner_id
    "packages.created_by": account(),
    "directory_entries.person_id": person(DIRECTORY, "consent", "until the person opts out"),
    "directory_entries.display_name": pii(
        "name as shown publicly", DIRECTORY, "consent", "until the person opts out"
    ),
    "directory_entries.summary": pii(
        "public profile text", DIRECTORY, "consent", "until the person opts out"
    ),
    "fund_awards.practitioner_id": person(ACCOUNTS, "legal_obligation", MONEY),
    # Lead Professionals, Level 3A, study supporters
    "lead_professional_applications.person_id": person(LEAD),
    "lead_professional_applications.references": pii(
        "references about the applicant", LEAD, "contract", "while training, then 6 years; erased on request"
    ),
    "lead_professional_applications.created_by": account(),
    "lead_professional_applications.senior_leader_name": pii(
        "name of the senior leader backing the applicant",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "lead_professional_applications.senior_leader_role": pii(
        "role of the senior leader backing the applicant",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "lead_professional_applications.interview_by": account(),
    "lead_professional_applications.interview_note": pii(
        "interview note about the applicant",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "lead_professional_overrides.reason": pii(
        "why a training year was ended early",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "lead_professional_overrides.decided_by": account(),
    "lead_professional_overrides.decided_by_name": pii(
        "name of the training admin who decided", ACCOUNTABILITY, "legitimate_interests", KEPT
    ),
    "obligation_records.title": pii(
        "heading of a trainee's log book entry (no case details)",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "obligation_records.recorded_by": account(),
    "obligation_records.note": pii(
        "note on a trainee obligation (no case details)",
        LEAD,
        "contract",
        "while training, then 6 years; erased on request",
    ),
    "level_3a_groups.lead_person_id": person(LEAD),
    "lp_licences.person_id": person(LICENSING, retention=LICENCE),
    "lp_licences.scopes": NOT_PII,  # the practice scopes of the licence's kind
    "lp_licences.employment": pii(
        "employment a training admin attested at grant (salaried, on the team)",
        LICENSING,
        "contract",
        LICENCE,
    ),
    "lp_licences.granted_by": account(),
    "lp_licences.revoked_by": account(),
    "lp_licences.note": pii("a training admin's note on a licence grant", LICENSING, "contract", LICENCE),
    "lp_licences.revoke_reason": pii(
        "why a training admin revoked a licence", LICENSING, "contract", LICENCE
    ),
    "level_3a_groups.created_by": account(),
    "study_supporter_applications.person_id": person(LEAD),
    "study_supporter_applications.motivation": pii("the applicant's own statement", LEAD, "contract", KEPT),
    "study_supporter_applications.references": pii(
        "references about the applicant", LEAD, "contract", "while applying, then 6 years; erased on request"
    ),
    "study_supporter_applications.interview_by": account(),
    "study_supporter_applications.interview_note": pii(
        "interview note about the applicant",
        LEAD,
        "contract",
        "while applying, then 6 years; erased on request",
    ),
    "study_supporter_applications.decided_by": account(),
    # study support series, sessions, bookings and buddies (no case data: who, when, where)
    "study_support_series.host_person_id": person(LEAD),
    "study_support_series.created_by": account(),
    "study_support_sessions.delivered_by": account(),
    "study_support_bookings.person_id": person(LEARNING),
    "study_support_bookings.booked_by": account(),
    "study_support_buddies.assigned_by": account(),
    "study_support_buddies.supporter_application_id": NOT_PII,  # a record id (the person is on it)
    # money: kept (pseudonymised on erasure) for the accounting period
    "orders.person_id": person(ACCOUNTS, "legal_obligation", MONEY),
    "orders.created_by": account(ACCOUNTS, MONEY),
    "licences.agreement_accepted_by": account(LICENSING),
    "licences.agreement_accepted_by_name": pii(
        "who accepted the Starter's agreement to participate", LICENSING, "contract", KEPT
    ),
    "licences.agreement_accepted_at": NOT_PII,
    "licences.agreement_acceptance": NOT_PII,
    "order_lines.description": NOT_PII,  # the catalogue item bought
    # a purchase's stored answer for a repeat with its Idempotency-Key (decision 0054), 24 hours
    "idempotency_keys.principal_id": pii(
        "account identifier", ACCOUNTS, "legitimate_interests", IDEMPOTENCY, subject="user_id"
    ),
    "idempotency_keys.body_hash": NOT_PII,  # a SHA-256 of the request body: compared, never read back
    "idempotency_keys.response_body": pii(
        "the answer to a purchase (ids; a licence's accepting name)",
        ACCOUNTS,
        "legitimate_interests",
        IDEMPOTENCY,
        export=False,
    ),
    "bursary_entries.person_id": person(ACCOUNTS, "legal_obligation", MONEY),
    "bursary_entries.note": pii("note on a bursary entry", ACCOUNTS, "legal_obligation", MONEY),
    "bursary_entries.created_by": account(ACCOUNTS, MONEY),
    "seat_credits.created_by": account(ACCOUNTS, MONEY),
    "seat_transfers.consent_given_by": pii(
        "who consented to a seat transfer", LICENSING, "legal_obligation", MONEY
    ),
    "seat_transfers.consent_given_at": NOT_PII,
    "seat_transfers.created_by": account(ACCOUNTS, MONEY),
    "seat_transfers.decided_by": account(ACCOUNTS, MONEY),
    "seat_transfers.reason": pii(
        "a training admin's reason for a seat transfer decision", LICENSING, "legal_obligation", MONEY
    ),
    "price_book_versions.data": NOT_PII,  # fees and size bands
    "price_book_versions.created_by": account(),
}
