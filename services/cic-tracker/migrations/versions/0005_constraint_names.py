"""constraint names: every primary key, unique and foreign key constraint named by the convention

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Issue 19, decision 0042: the models' metadata now names every constraint (imatter_shared.db_base
NAMING_CONVENTION: pk_<table>, uq_<table>_<columns>, fk_<table>_<columns>; explicit names kept).
Databases built before it hold PostgreSQL's own names (`<table>_pkey`, `<table>_<column>_key`,
`<table>_<column>_fkey`), SQLite's unnamed constraints, or an earlier explicit name that differs;
this gives each listed constraint its name (PostgreSQL: RENAME CONSTRAINT; SQLite: the table is
rebuilt in batch mode), and leaves alone what already has it (a database built after the
convention). Indexes already had their convention names (`ix_<table>_<column>`).

Downgrade keeps the names: no earlier revision refers to the names this one changes.
"""

from alembic import op

from imatter_shared.migration_naming import rename_constraints

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (table, kind, columns, name): what cic-tracker's schema was at 0004, named as the convention names it
RENAMES = [
    ('assessments', 'pk', ('id',), 'pk_assessments'),
    ('assessments', 'fk', ('case_id',), 'fk_assessments_case_id'),
    ('audit_events', 'pk', ('id',), 'pk_audit_events'),
    ('case_tool_responses', 'pk', ('id',), 'pk_case_tool_responses'),
    ('case_tool_responses', 'fk', ('case_id',), 'fk_case_tool_responses_case_id'),
    ('case_tool_responses', 'fk', ('version_id',), 'fk_case_tool_responses_version_id'),
    ('cases', 'pk', ('id',), 'pk_cases'),
    ('cases', 'fk', ('microproject_id',), 'fk_cases_microproject_id'),
    ('certifications', 'pk', ('id',), 'pk_certifications'),
    ('consultations', 'pk', ('id',), 'pk_consultations'),
    ('consultations', 'fk', ('hub_id',), 'fk_consultations_hub_id'),
    ('dp_breaches', 'pk', ('id',), 'pk_dp_breaches'),
    ('fund_applications', 'pk', ('id',), 'pk_fund_applications'),
    ('fund_applications', 'fk', ('round_id',), 'fk_fund_applications_round_id'),
    ('fund_awards', 'pk', ('id',), 'pk_fund_awards'),
    ('fund_awards', 'uq', ('application_id',), 'uq_fund_awards_application_id'),
    ('fund_awards', 'fk', ('application_id',), 'fk_fund_awards_application_id'),
    ('fund_decisions', 'pk', ('id',), 'pk_fund_decisions'),
    ('fund_decisions', 'fk', ('application_id',), 'fk_fund_decisions_application_id'),
    ('fund_decisions', 'fk', ('round_id',), 'fk_fund_decisions_round_id'),
    ('fund_gifts', 'pk', ('id',), 'pk_fund_gifts'),
    ('fund_reviews', 'pk', ('id',), 'pk_fund_reviews'),
    ('fund_reviews', 'fk', ('application_id',), 'fk_fund_reviews_application_id'),
    ('fund_reviews', 'fk', ('round_id',), 'fk_fund_reviews_round_id'),
    ('fund_rounds', 'pk', ('id',), 'pk_fund_rounds'),
    ('fund_rounds', 'uq', ('quarter',), 'uq_fund_rounds_quarter'),
    ('goals', 'pk', ('id',), 'pk_goals'),
    ('goals', 'fk', ('case_id',), 'fk_goals_case_id'),
    ('hubs', 'pk', ('id',), 'pk_hubs'),
    ('hubs', 'uq', ('name',), 'uq_hubs_name'),
    ('inbox_messages', 'pk', ('event_id',), 'pk_inbox_messages'),
    ('known_people', 'pk', ('person_id',), 'pk_known_people'),
    ('microprojects', 'pk', ('id',), 'pk_microprojects'),
    ('microprojects', 'uq', ('package_id',), 'uq_microprojects_package_id'),
    ('microprojects', 'fk', ('hub_id',), 'fk_microprojects_hub_id'),
    ('notification_contacts', 'pk', ('user_id',), 'pk_notification_contacts'),
    ('notification_preferences', 'pk', ('recipient',), 'pk_notification_preferences'),
    ('notifications', 'pk', ('id',), 'pk_notifications'),
    ('notifications', 'uq', ('dedup_key',), 'uq_notifications_dedup_key'),
    ('org_admins', 'pk', ('organisation_id', 'user_id'), 'pk_org_admins'),
    ('org_licences', 'pk', ('organisation_id', 'licence_type'), 'pk_org_licences'),
    ('org_memberships', 'pk', ('organisation_id', 'person_id'), 'pk_org_memberships'),
    ('outbox_messages', 'pk', ('id',), 'pk_outbox_messages'),
    ('outbox_messages', 'uq', ('event_id',), 'uq_outbox_messages_event_id'),
    ('q_registration_bookings', 'pk', ('order_id',), 'pk_q_registration_bookings'),
    ('q_registration_bookings', 'fk', ('consultation_id',), 'fk_q_registration_bookings_consultation_id'),
    ('questionnaire_versions', 'pk', ('id',), 'pk_questionnaire_versions'),
    ('reflections', 'pk', ('id',), 'pk_reflections'),
    ('reflections', 'fk', ('case_id',), 'fk_reflections_case_id'),
    ('tool_licences', 'pk', ('licence_id',), 'pk_tool_licences'),
    ('tracker_areas', 'pk', ('code',), 'pk_tracker_areas'),
]


def upgrade():
    rename_constraints(op, RENAMES)


def downgrade():
    pass
