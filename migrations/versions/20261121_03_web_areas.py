"""Web areas: evaluations, notifications, payment requests, background jobs, API tokens, public contacts.

Revision ID: 20261121_03
Revises: 20261121_02
Create Date: 2026-11-21 22:46:28.336846

"""
from alembic import op
import sqlalchemy as sa

import ledger.base  # noqa: F401  (the project's column types)

# revision identifiers, used by Alembic.
revision = '20261121_03'
down_revision = '20261121_02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_request_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_request_keys_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_request_keys')),
    sa.UniqueConstraint('user_id', 'endpoint', 'key', name=op.f('uq_api_request_keys_user_id_endpoint_key'))
    )
    with op.batch_alter_table('api_request_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_request_keys_user_id'), ['user_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('last_used_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('expires_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(revoked_at IS NULL) OR (revoked_at >= created_at)', name=op.f('ck_api_tokens_revoked_after_created')),
    sa.CheckConstraint('expires_at IS NULL OR expires_at > created_at', name=op.f('ck_api_tokens_expires_after_created')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_api_tokens_name_not_blank')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('evaluation_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('subject', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('rounding', sa.String(length=16), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('middle_band', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("rounding IN ('truncate', 'half_up')", name=op.f('ck_evaluation_templates_rounding_known')),
    sa.CheckConstraint("subject IN ('project', 'street_fund', 'district_programme')", name=op.f('ck_evaluation_templates_subject_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_templates_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['organisations.id'], name=op.f('fk_evaluation_templates_district_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_templates'))
    )
    with op.batch_alter_table('evaluation_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_templates_district_id'), ['district_id'], unique=False)

    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('result_mimetype', sa.String(length=100), nullable=True),
    sa.Column('result_bytes', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('started_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('finished_at', ledger.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status <> 'done' OR progress = 100", name=op.f('ck_jobs_done_is_complete')),
    sa.CheckConstraint("status IN ('waiting', 'queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_status_known')),
    sa.CheckConstraint('length(trim(kind)) > 0', name=op.f('ck_jobs_kind_not_blank')),
    sa.CheckConstraint('progress BETWEEN 0 AND 100', name=op.f('ck_jobs_progress_percent')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_jobs_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_jobs_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_jobs_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_requested_by_id'), ['requested_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('template', sa.String(length=300), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_notifications_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('key', name=op.f('uq_notifications_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('notification_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', ledger.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_reads_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_reads')),
    sa.UniqueConstraint('notification_id', 'user_id', name=op.f('uq_notification_reads_notification_id_user_id'))
    )
    op.create_table('public_need_contacts',
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.CheckConstraint('length(trim(contact)) > 0', name=op.f('ck_public_need_contacts_contact_not_blank')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_public_need_contacts_need_id_needs')),
    sa.PrimaryKeyConstraint('need_id', name=op.f('pk_public_need_contacts'))
    )
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('total', ledger.base.Money(), nullable=True),
    sa.Column('grade', sa.String(length=8), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.Column('finalised_at', ledger.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'final')", name=op.f('ck_evaluations_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluations_created_by_id_users')),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['users.id'], name=op.f('fk_evaluations_finalised_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_evaluations_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evaluations_project_id_projects')),
    sa.ForeignKeyConstraint(['template_id'], ['evaluation_templates.id'], name=op.f('fk_evaluations_template_id_evaluation_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations'))
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('evaluation_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level1', sa.String(length=50), nullable=False),
    sa.Column('level2', sa.String(length=50), nullable=False),
    sa.Column('level3', sa.String(length=100), nullable=False),
    sa.Column('target', sa.String(length=100), nullable=False),
    sa.Column('actual', sa.String(length=100), nullable=False),
    sa.Column('weight', ledger.base.Money(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('evaluator_score', ledger.base.Money(), nullable=True),
    sa.Column('score', ledger.base.Money(), nullable=True),
    sa.Column('shortfall_reason', sa.Text(), nullable=False),
    sa.Column('evidence_note', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', ledger.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_items_evaluation_id_evaluations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_evaluation_items_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_items'))
    )
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_items_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('community_payment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('funding_source_code', sa.String(length=32), nullable=False),
    sa.Column('amount', ledger.base.Money(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_community_payment_requests_amount_positive')),
    sa.CheckConstraint('length(trim(description)) > 0', name=op.f('ck_community_payment_requests_description_not_blank')),
    sa.ForeignKeyConstraint(['community_id'], ['organisations.id'], name=op.f('fk_community_payment_requests_community_id_organisations')),
    sa.ForeignKeyConstraint(['invoice_id'], ['evidence.id'], name=op.f('fk_community_payment_requests_invoice_id_evidence')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_community_payment_requests_project_id_projects')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_community_payment_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_community_payment_requests_voucher_id_vouchers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_payment_requests'))
    )
    with op.batch_alter_table('community_payment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_payment_requests_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_payment_requests_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_community_payment_requests_voucher_id'), ['voucher_id'], unique=False)



def downgrade():
    with op.batch_alter_table('community_payment_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_payment_requests_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_community_payment_requests_project_id'))
        batch_op.drop_index(batch_op.f('ix_community_payment_requests_community_id'))

    op.drop_table('community_payment_requests')
    with op.batch_alter_table('evaluation_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_items_evaluation_id'))

    op.drop_table('evaluation_items')
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluations_organisation_id'))

    op.drop_table('evaluations')
    op.drop_table('public_need_contacts')
    op.drop_table('notification_reads')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_jobs_requested_by_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_organisation_id'))

    op.drop_table('jobs')
    with op.batch_alter_table('evaluation_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_templates_district_id'))

    op.drop_table('evaluation_templates')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('api_request_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_request_keys_user_id'))

    op.drop_table('api_request_keys')
