"""constraint names: every primary key, unique and foreign key constraint named by the convention

Revision ID: 0012
Revises: 0011
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

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# (table, kind, columns, name): what training's schema was at 0011, named as the convention names it
RENAMES = [
    ('audit_events', 'pk', ('id',), 'pk_audit_events'),
    ('bursary_entries', 'pk', ('id',), 'pk_bursary_entries'),
    ('bursary_entries', 'fk', ('organisation_id',), 'fk_bursary_entries_organisation_id'),
    ('certifications', 'pk', ('id',), 'pk_certifications'),
    ('certifications', 'fk', ('person_id',), 'fk_certifications_person_id'),
    ('community_wheel_audits', 'pk', ('id',), 'pk_community_wheel_audits'),
    ('community_wheel_audits', 'fk', ('licence_id',), 'fk_community_wheel_audits_licence_id'),
    ('community_wheel_audits', 'fk', ('organisation_id',), 'fk_community_wheel_audits_organisation_id'),
    ('community_wheel_audits', 'fk', ('version_id',), 'fk_community_wheel_audits_version_id'),
    ('community_wheel_licences', 'pk', ('id',), 'pk_community_wheel_licences'),
    ('community_wheel_licences', 'fk', ('organisation_id',), 'fk_community_wheel_licences_organisation_id'),
    ('community_wheel_licences', 'fk', ('person_id',), 'fk_community_wheel_licences_person_id'),
    ('directory_entries', 'pk', ('id',), 'pk_directory_entries'),
    ('directory_entries', 'uq', ('person_id',), 'uq_directory_entries_person_id'),
    ('directory_entries', 'fk', ('person_id',), 'fk_directory_entries_person_id'),
    ('dp_breaches', 'pk', ('id',), 'pk_dp_breaches'),
    ('enrolments', 'pk', ('id',), 'pk_enrolments'),
    ('enrolments', 'fk', ('organisation_id',), 'fk_enrolments_organisation_id'),
    ('enrolments', 'fk', ('person_id',), 'fk_enrolments_person_id'),
    ('fund_awards', 'pk', ('id',), 'pk_fund_awards'),
    ('inbox_messages', 'pk', ('event_id',), 'pk_inbox_messages'),
    ('interest', 'pk', ('id',), 'pk_interest'),
    ('invoices', 'pk', ('id',), 'pk_invoices'),
    ('invoices', 'uq', ('order_id',), 'uq_invoices_order_id'),
    ('invoices', 'fk', ('order_id',), 'fk_invoices_order_id'),
    ('lead_professional_applications', 'pk', ('id',), 'pk_lead_professional_applications'),
    ('lead_professional_applications', 'fk', ('organisation_id',), 'fk_lead_professional_applications_organisation_id'),
    ('lead_professional_applications', 'fk', ('person_id',), 'fk_lead_professional_applications_person_id'),
    ('learning_accounts', 'pk', ('id',), 'pk_learning_accounts'),
    ('learning_accounts', 'fk', ('person_id',), 'fk_learning_accounts_person_id'),
    ('level_3a_groups', 'pk', ('id',), 'pk_level_3a_groups'),
    ('level_3a_groups', 'fk', ('lead_person_id',), 'fk_level_3a_groups_lead_person_id'),
    ('level_3a_groups', 'fk', ('organisation_id',), 'fk_level_3a_groups_organisation_id'),
    ('licences', 'pk', ('id',), 'pk_licences'),
    ('licences', 'fk', ('order_id',), 'fk_licences_order_id'),
    ('licences', 'fk', ('organisation_id',), 'fk_licences_organisation_id'),
    ('memberships', 'pk', ('id',), 'pk_memberships'),
    ('memberships', 'fk', ('organisation_id',), 'fk_memberships_organisation_id'),
    ('memberships', 'fk', ('person_id',), 'fk_memberships_person_id'),
    ('notification_preferences', 'pk', ('recipient',), 'pk_notification_preferences'),
    ('notifications', 'pk', ('id',), 'pk_notifications'),
    ('notifications', 'uq', ('dedup_key',), 'uq_notifications_dedup_key'),
    ('obligation_records', 'pk', ('id',), 'pk_obligation_records'),
    ('obligation_records', 'fk', ('application_id',), 'fk_obligation_records_application_id'),
    ('order_lines', 'pk', ('id',), 'pk_order_lines'),
    ('order_lines', 'fk', ('order_id',), 'fk_order_lines_order_id'),
    ('orders', 'pk', ('id',), 'pk_orders'),
    ('orders', 'fk', ('organisation_id',), 'fk_orders_organisation_id'),
    ('orders', 'fk', ('person_id',), 'fk_orders_person_id'),
    ('organisation_admins', 'pk', ('organisation_id', 'user_id'), 'pk_organisation_admins'),
    ('organisation_admins', 'fk', ('organisation_id',), 'fk_organisation_admins_organisation_id'),
    ('organisations', 'pk', ('id',), 'pk_organisations'),
    ('outbox_messages', 'pk', ('id',), 'pk_outbox_messages'),
    ('outbox_messages', 'uq', ('event_id',), 'uq_outbox_messages_event_id'),
    ('package_account_grants', 'fk', ('package_id',), 'fk_package_account_grants_package_id'),
    ('package_account_grants', 'fk', ('person_id',), 'fk_package_account_grants_person_id'),
    ('packages', 'pk', ('id',), 'pk_packages'),
    ('packages', 'uq', ('fund_award_id',), 'uq_packages_fund_award_id'),
    ('packages', 'fk', ('organisation_id',), 'fk_packages_organisation_id'),
    ('packages', 'fk', ('practitioner_id',), 'fk_packages_practitioner_id'),
    ('pathway_items', 'pk', ('id',), 'pk_pathway_items'),
    ('pathway_items', 'fk', ('person_id',), 'fk_pathway_items_person_id'),
    ('people', 'pk', ('id',), 'pk_people'),
    ('people', 'uq', ('user_id',), 'uq_people_user_id'),
    ('practitioner_licences', 'pk', ('id',), 'pk_practitioner_licences'),
    ('practitioner_licences', 'fk', ('person_id',), 'fk_practitioner_licences_person_id'),
    ('price_book_versions', 'pk', ('id',), 'pk_price_book_versions'),
    ('price_book_versions', 'uq', ('version',), 'uq_price_book_versions_version'),
    ('q_registrations', 'pk', ('id',), 'pk_q_registrations'),
    ('q_registrations', 'uq', ('order_id',), 'uq_q_registrations_order_id'),
    ('q_registrations', 'fk', ('order_id',), 'fk_q_registrations_order_id'),
    ('q_registrations', 'fk', ('organisation_id',), 'fk_q_registrations_organisation_id'),
    ('q_registrations', 'fk', ('person_id',), 'fk_q_registrations_person_id'),
    ('q_responses', 'pk', ('id',), 'pk_q_responses'),
    ('q_responses', 'fk', ('person_id',), 'fk_q_responses_person_id'),
    ('q_responses', 'fk', ('version_id',), 'fk_q_responses_version_id'),
    ('questionnaire_versions', 'pk', ('id',), 'pk_questionnaire_versions'),
    ('seat_assignments', 'pk', ('id',), 'pk_seat_assignments'),
    ('seat_assignments', 'fk', ('organisation_id',), 'fk_seat_assignments_organisation_id'),
    ('seat_assignments', 'fk', ('person_id',), 'fk_seat_assignments_person_id'),
    ('seat_credits', 'pk', ('id',), 'pk_seat_credits'),
    ('seat_credits', 'fk', ('order_id',), 'fk_seat_credits_order_id'),
    ('seat_credits', 'fk', ('organisation_id',), 'fk_seat_credits_organisation_id'),
    ('seat_transfers', 'pk', ('id',), 'pk_seat_transfers'),
    ('seat_transfers', 'fk', ('from_organisation_id',), 'fk_seat_transfers_from_organisation_id'),
    ('seat_transfers', 'fk', ('order_id',), 'fk_seat_transfers_order_id'),
    ('seat_transfers', 'fk', ('to_organisation_id',), 'fk_seat_transfers_to_organisation_id'),
    ('study_supporter_applications', 'pk', ('id',), 'pk_study_supporter_applications'),
    ('study_supporter_applications', 'fk', ('person_id',), 'fk_study_supporter_applications_person_id'),
]


def upgrade():
    rename_constraints(op, RENAMES)


def downgrade():
    pass
