"""Ledger and workflows: books, vouchers, budgets; projects, meetings, notices, events.

The immutability triggers (posted vouchers, project events) are installed from the same
DDL the cores attach to ``create_all``. A later change to that DDL needs its own revision
that drops and reinstalls the triggers.

Revision ID: 20261121_02
Revises: 20261121_01
Create Date: 2026-11-21 21:29:05.648771

"""
from alembic import op
import sqlalchemy as sa

import ledger.base  # noqa: F401  (the project's column types)
import ledger.triggers
import workflows.events

# revision identifiers, used by Alembic.
revision = '20261121_02'
down_revision = '20261121_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funding_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('asset_account_code', sa.String(length=32), nullable=False),
    sa.Column('revenue_account_code', sa.String(length=32), nullable=False),
    sa.Column('budget_revenue_account_code', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_sources')),
    sa.UniqueConstraint('code', name=op.f('uq_funding_sources_code'))
    )
    op.create_table('annual_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name=op.f('ck_annual_plans_status_known')),
    sa.ForeignKeyConstraint(['community_id'], ['organisations.id'], name=op.f('fk_annual_plans_community_id_organisations')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_annual_plans_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_annual_plans_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_plans')),
    sa.UniqueConstraint('community_id', 'year', name=op.f('uq_annual_plans_community_id_year'))
    )
    with op.batch_alter_table('annual_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annual_plans_community_id'), ['community_id'], unique=False)

    op.create_table('charts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['city_id'], ['organisations.id'], name=op.f('fk_charts_city_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charts')),
    sa.UniqueConstraint('city_id', 'name', name=op.f('uq_charts_city_id_name'))
    )
    with op.batch_alter_table('charts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charts_city_id'), ['city_id'], unique=False)

    op.create_table('community_workflow_settings',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('one_shoulder', sa.Boolean(), nullable=False),
    sa.Column('process_name', sa.String(length=64), nullable=False),
    sa.Column('plan_due_month', sa.Integer(), nullable=False),
    sa.Column('plan_due_day', sa.Integer(), nullable=False),
    sa.CheckConstraint('plan_due_day BETWEEN 1 AND 31', name=op.f('ck_community_workflow_settings_plan_due_day_valid')),
    sa.CheckConstraint('plan_due_month BETWEEN 1 AND 12', name=op.f('ck_community_workflow_settings_plan_due_month_valid')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_community_workflow_settings_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_community_workflow_settings'))
    )
    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name=op.f('ck_needs_merged_has_target')),
    sa.CheckConstraint("channel IN ('hotline_12345', 'visit', 'suggestion_box', 'wechat', 'meeting', 'online')", name=op.f('ck_needs_channel_known')),
    sa.CheckConstraint("status IN ('open', 'linked', 'merged', 'closed')", name=op.f('ck_needs_status_known')),
    sa.CheckConstraint('length(trim(description)) > 0', name=op.f('ck_needs_description_not_blank')),
    sa.ForeignKeyConstraint(['community_id'], ['organisations.id'], name=op.f('fk_needs_community_id_organisations')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['needs.id'], name=op.f('fk_needs_merged_into_id_needs')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_needs_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_community_id'), ['community_id'], unique=False)

    op.create_table('process_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('version >= 1', name=op.f('ck_process_definitions_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_process_definitions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_definitions')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_process_definitions_name_version'))
    )
    op.create_table('purpose_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('city_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('listed', sa.String(length=16), nullable=False),
    sa.Column('keywords', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("listed = 'negative' OR keywords = ''", name=op.f('ck_purpose_categories_keywords_only_negative')),
    sa.CheckConstraint("listed IN ('positive', 'negative')", name=op.f('ck_purpose_categories_listed_known')),
    sa.ForeignKeyConstraint(['city_id'], ['organisations.id'], name=op.f('fk_purpose_categories_city_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purpose_categories')),
    sa.UniqueConstraint('city_id', 'code', name=op.f('uq_purpose_categories_city_id_code'))
    )
    with op.batch_alter_table('purpose_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purpose_categories_city_id'), ['city_id'], unique=False)

    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chart_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('normal_side', sa.String(length=8), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("(basis = 'financial') = (category IN ('asset', 'liability', 'net_assets', 'revenue', 'expense'))", name=op.f('ck_accounts_category_fits_basis')),
    sa.CheckConstraint("basis IN ('financial', 'budget')", name=op.f('ck_accounts_basis_known')),
    sa.CheckConstraint("category IN ('asset', 'liability', 'net_assets', 'revenue', 'expense', 'budget_revenue', 'budget_expenditure', 'fund_balance')", name=op.f('ck_accounts_category_known')),
    sa.CheckConstraint("normal_side IN ('debit', 'credit')", name=op.f('ck_accounts_normal_side_known')),
    sa.ForeignKeyConstraint(['chart_id'], ['charts.id'], name=op.f('fk_accounts_chart_id_charts')),
    sa.ForeignKeyConstraint(['parent_id'], ['accounts.id'], name=op.f('fk_accounts_parent_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('chart_id', 'code', name=op.f('uq_accounts_chart_id_code'))
    )
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_accounts_chart_id'), ['chart_id'], unique=False)

    op.create_table('books',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('chart_id', sa.Integer(), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2999', name=op.f('ck_books_fiscal_year_plausible')),
    sa.ForeignKeyConstraint(['chart_id'], ['charts.id'], name=op.f('fk_books_chart_id_charts')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_books_opened_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_books_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_books')),
    sa.UniqueConstraint('organisation_id', 'fiscal_year', name=op.f('uq_books_organisation_id_fiscal_year'))
    )
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_books_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('ledger_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('purpose_id', sa.Integer(), nullable=False),
    sa.Column('approved_amount', ledger.base.Money(), nullable=False),
    sa.Column('approved_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('spending_open', sa.Boolean(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('closed_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('released_amount', ledger.base.Money(), nullable=True),
    sa.CheckConstraint('NOT (closed AND spending_open)', name=op.f('ck_ledger_projects_closed_not_spending')),
    sa.CheckConstraint('approved_amount >= 0', name=op.f('ck_ledger_projects_approved_not_negative')),
    sa.CheckConstraint('closed = (closed_at IS NOT NULL)', name=op.f('ck_ledger_projects_closed_when')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_ledger_projects_approved_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_ledger_projects_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['purpose_id'], ['purpose_categories.id'], name=op.f('fk_ledger_projects_purpose_id_purpose_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_projects')),
    sa.UniqueConstraint('organisation_id', 'code', name=op.f('uq_ledger_projects_organisation_id_code'))
    )
    with op.batch_alter_table('ledger_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_projects_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('ledger_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('closed_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(closed_at IS NULL) = (closed_by_id IS NULL)', name=op.f('ck_ledger_periods_closed_by_whom')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_ledger_periods_month_in_year')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_ledger_periods_book_id_books')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_ledger_periods_closed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_periods')),
    sa.UniqueConstraint('book_id', 'month', name=op.f('uq_ledger_periods_book_id_month'))
    )
    with op.batch_alter_table('ledger_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_periods_book_id'), ['book_id'], unique=False)

    op.create_table('ledger_project_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('funding_source_id', sa.Integer(), nullable=False),
    sa.Column('amount', ledger.base.Money(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_ledger_project_budgets_amount_not_negative')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_ledger_project_budgets_funding_source_id_funding_sources')),
    sa.ForeignKeyConstraint(['project_id'], ['ledger_projects.id'], name=op.f('fk_ledger_project_budgets_project_id_ledger_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_project_budgets')),
    sa.UniqueConstraint('project_id', 'funding_source_id', name=op.f('uq_ledger_project_budgets_project_id_funding_source_id'))
    )
    with op.batch_alter_table('ledger_project_budgets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_project_budgets_project_id'), ['project_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('project_type', sa.String(length=16), nullable=False),
    sa.Column('purpose_code', sa.String(length=32), nullable=False),
    sa.Column('plan_year', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('responsible_person', sa.String(length=100), nullable=False),
    sa.Column('expected_beneficiaries', sa.Integer(), nullable=False),
    sa.Column('definition_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('state_since', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('approved_amount', ledger.base.Money(), nullable=True),
    sa.Column('approved_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('ledger_project_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_due', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('released_amount', ledger.base.Money(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("project_type IN ('works', 'activities', 'convenience', 'volunteer', 'care', 'other', 'emergency')", name=op.f('ck_projects_type_known')),
    sa.CheckConstraint('approved_amount IS NULL OR approved_amount > 0', name=op.f('ck_projects_approved_positive')),
    sa.CheckConstraint('expected_beneficiaries >= 0', name=op.f('ck_projects_beneficiaries_not_negative')),
    sa.CheckConstraint('length(trim(title)) > 0', name=op.f('ck_projects_title_not_blank')),
    sa.ForeignKeyConstraint(['community_id'], ['organisations.id'], name=op.f('fk_projects_community_id_organisations')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_projects_created_by_id_users')),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definitions.id'], name=op.f('fk_projects_definition_id_process_definitions')),
    sa.ForeignKeyConstraint(['ledger_project_id'], ['ledger_projects.id'], name=op.f('fk_projects_ledger_project_id_ledger_projects')),
    sa.ForeignKeyConstraint(['plan_id'], ['annual_plans.id'], name=op.f('fk_projects_plan_id_annual_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects')),
    sa.UniqueConstraint('community_id', 'code', name=op.f('uq_projects_community_id_code'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_state'), ['state'], unique=False)

    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('voucher_date', sa.Date(), nullable=False),
    sa.Column('period', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=True),
    sa.Column('prepared_by_id', sa.Integer(), nullable=False),
    sa.Column('prepared_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', ledger.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint("(status = 'draft') = (reviewed_by_id IS NULL AND reviewed_at IS NULL)", name=op.f('ck_vouchers_reviewed_when_not_draft')),
    sa.CheckConstraint("(status = 'posted') = (number IS NOT NULL AND hash IS NOT NULL AND posted_by_id IS NOT NULL AND posted_at IS NOT NULL)", name=op.f('ck_vouchers_numbered_when_posted')),
    sa.CheckConstraint("status IN ('draft', 'reviewed', 'posted')", name=op.f('ck_vouchers_status_known')),
    sa.CheckConstraint('length(trim(description)) > 0', name=op.f('ck_vouchers_description_not_blank')),
    sa.CheckConstraint('number IS NULL OR number > 0', name=op.f('ck_vouchers_number_positive')),
    sa.CheckConstraint('period BETWEEN 1 AND 12', name=op.f('ck_vouchers_period_in_year')),
    sa.CheckConstraint('posted_by_id <> prepared_by_id', name=op.f('ck_vouchers_poster_not_preparer')),
    sa.CheckConstraint('reviewed_by_id <> prepared_by_id', name=op.f('ck_vouchers_reviewer_not_preparer')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_vouchers_book_id_books')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['users.id'], name=op.f('fk_vouchers_posted_by_id_users')),
    sa.ForeignKeyConstraint(['prepared_by_id'], ['users.id'], name=op.f('fk_vouchers_prepared_by_id_users')),
    sa.ForeignKeyConstraint(['reverses_id'], ['vouchers.id'], name=op.f('fk_vouchers_reverses_id_vouchers')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_vouchers_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('book_id', 'idempotency_key', name=op.f('uq_vouchers_book_id_idempotency_key')),
    sa.UniqueConstraint('book_id', 'number', name=op.f('uq_vouchers_book_id_number')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_vouchers_reverses_id'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_book_id'), ['book_id'], unique=False)

    op.create_table('allocations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('funding_source_id', sa.Integer(), nullable=False),
    sa.Column('amount', ledger.base.Money(), nullable=False),
    sa.Column('arrived_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_allocations_amount_positive')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_allocations_book_id_books')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_allocations_funding_source_id_funding_sources')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_allocations_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_allocations_voucher_id_vouchers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allocations')),
    sa.UniqueConstraint('voucher_id', name=op.f('uq_allocations_voucher_id'))
    )
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_allocations_book_id'), ['book_id'], unique=False)

    op.create_table('budget_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('breaches', sa.Text(), nullable=False),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_budget_overrides_reason_not_blank')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_budget_overrides_by_id_users')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_budget_overrides_voucher_id_vouchers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_overrides')),
    sa.UniqueConstraint('voucher_id', name=op.f('uq_budget_overrides_voucher_id'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendance_due', sa.Integer(), nullable=False),
    sa.Column('present', sa.Integer(), nullable=False),
    sa.Column('votes_for', sa.Integer(), nullable=False),
    sa.Column('votes_against', sa.Integer(), nullable=False),
    sa.Column('abstentions', sa.Integer(), nullable=False),
    sa.Column('motion_origin', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('merges_previous', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('attendance_due > 0', name=op.f('ck_meetings_due_positive')),
    sa.CheckConstraint('present >= 0 AND present <= attendance_due', name=op.f('ck_meetings_present_within_due')),
    sa.CheckConstraint('votes_for + votes_against + abstentions <= present', name=op.f('ck_meetings_tally_within_present')),
    sa.CheckConstraint('votes_for >= 0 AND votes_against >= 0 AND abstentions >= 0', name=op.f('ck_meetings_tally_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_meetings_project_id_projects')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_meetings_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meetings_project_id'), ['project_id'], unique=False)

    op.create_table('project_budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('funding_source_code', sa.String(length=32), nullable=False),
    sa.Column('amount', ledger.base.Money(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_project_budget_lines_amount_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_budget_lines_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_budget_lines')),
    sa.UniqueConstraint('project_id', 'funding_source_code', name=op.f('uq_project_budget_lines_project_id_funding_source_code'))
    )
    with op.batch_alter_table('project_budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_budget_lines_project_id'), ['project_id'], unique=False)

    op.create_table('project_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('event', sa.String(length=64), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=False),
    sa.Column('to_state', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence_ids', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.CheckConstraint("actor_id IS NOT NULL OR role = 'system'", name=op.f('ck_project_events_actor_or_system')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_project_events_actor_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_events_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_events'))
    )
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_events_project_id'), ['project_id'], unique=False)

    op.create_table('project_needs',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_project_needs_need_id_needs')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_needs_project_id_projects')),
    sa.PrimaryKeyConstraint('project_id', 'need_id', name=op.f('pk_project_needs'))
    )
    op.create_table('public_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('starts_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('ends_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('min_days', sa.Integer(), nullable=False),
    sa.Column('closed_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('resolution', 'results')", name=op.f('ck_public_notices_kind_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_public_notices_ends_after_start')),
    sa.CheckConstraint('min_days >= 1', name=op.f('ck_public_notices_min_days_positive')),
    sa.ForeignKeyConstraint(['community_id'], ['organisations.id'], name=op.f('fk_public_notices_community_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_public_notices_project_id_projects')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_public_notices_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices'))
    )
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notices_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notices_project_id'), ['project_id'], unique=False)

    op.create_table('satisfaction_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('household_code', sa.String(length=32), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_satisfaction_ratings_rating_range')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_satisfaction_ratings_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_satisfaction_ratings')),
    sa.UniqueConstraint('project_id', 'household_code', name=op.f('uq_satisfaction_ratings_project_id_household_code'))
    )
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_ratings_project_id'), ['project_id'], unique=False)

    op.create_table('voucher_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('debit', ledger.base.Money(), nullable=False),
    sa.Column('credit', ledger.base.Money(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('purpose_id', sa.Integer(), nullable=True),
    sa.Column('funding_source_id', sa.Integer(), nullable=True),
    sa.Column('memo', sa.String(length=200), nullable=False),
    sa.CheckConstraint('(debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0)', name=op.f('ck_voucher_lines_one_side_positive')),
    sa.CheckConstraint('credit >= 0', name=op.f('ck_voucher_lines_credit_not_negative')),
    sa.CheckConstraint('debit >= 0', name=op.f('ck_voucher_lines_debit_not_negative')),
    sa.CheckConstraint('position > 0', name=op.f('ck_voucher_lines_position_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_voucher_lines_account_id_accounts')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_voucher_lines_funding_source_id_funding_sources')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_voucher_lines_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['project_id'], ['ledger_projects.id'], name=op.f('fk_voucher_lines_project_id_ledger_projects')),
    sa.ForeignKeyConstraint(['purpose_id'], ['purpose_categories.id'], name=op.f('fk_voucher_lines_purpose_id_purpose_categories')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_voucher_lines_voucher_id_vouchers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voucher_lines')),
    sa.UniqueConstraint('voucher_id', 'position', name=op.f('uq_voucher_lines_voucher_id_position'))
    )
    with op.batch_alter_table('voucher_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_lines_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_lines_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_lines_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_lines_voucher_id'), ['voucher_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('original_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_evidence_sha256_length')),
    sa.CheckConstraint('size > 0', name=op.f('ck_evidence_size_positive')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_evidence_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_evidence_project_id_projects')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('project_id', 'kind', 'sha256', name=op.f('uq_evidence_project_id_kind_sha256'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_sha256'), ['sha256'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('created_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', ledger.base.UTCDateTime(), nullable=True),
    sa.CheckConstraint('(answered_at IS NULL) = (answered_by_id IS NULL) AND (answered_at IS NULL) = (answer IS NULL)', name=op.f('ck_objections_answer_complete')),
    sa.CheckConstraint('length(trim(text)) > 0', name=op.f('ck_objections_text_not_blank')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_objections_answered_by_id_users')),
    sa.ForeignKeyConstraint(['notice_id'], ['public_notices.id'], name=op.f('fk_objections_notice_id_public_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_notice_id'), ['notice_id'], unique=False)

    ledger.triggers.install_triggers(op.get_bind(), totals=False)  # 20261123_01 adds the totals
    workflows.events.install_triggers(op.get_bind())


def downgrade():
    workflows.events.drop_triggers(op.get_bind())
    ledger.triggers.drop_triggers(op.get_bind())
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_notice_id'))

    op.drop_table('objections')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_sha256'))
        batch_op.drop_index(batch_op.f('ix_evidence_project_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('voucher_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_lines_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_lines_project_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_lines_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_lines_account_id'))

    op.drop_table('voucher_lines')
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_satisfaction_ratings_project_id'))

    op.drop_table('satisfaction_ratings')
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_notices_project_id'))
        batch_op.drop_index(batch_op.f('ix_public_notices_community_id'))

    op.drop_table('public_notices')
    op.drop_table('project_needs')
    with op.batch_alter_table('project_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_events_project_id'))

    op.drop_table('project_events')
    with op.batch_alter_table('project_budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_budget_lines_project_id'))

    op.drop_table('project_budget_lines')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_project_id'))

    op.drop_table('meetings')
    op.drop_table('budget_overrides')
    with op.batch_alter_table('allocations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_allocations_book_id'))

    op.drop_table('allocations')
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vouchers_book_id'))

    op.drop_table('vouchers')
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_state'))
        batch_op.drop_index(batch_op.f('ix_projects_plan_id'))
        batch_op.drop_index(batch_op.f('ix_projects_community_id'))

    op.drop_table('projects')
    with op.batch_alter_table('ledger_project_budgets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_project_budgets_project_id'))

    op.drop_table('ledger_project_budgets')
    with op.batch_alter_table('ledger_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_periods_book_id'))

    op.drop_table('ledger_periods')
    with op.batch_alter_table('ledger_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_projects_organisation_id'))

    op.drop_table('ledger_projects')
    with op.batch_alter_table('books', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_books_organisation_id'))

    op.drop_table('books')
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_accounts_chart_id'))

    op.drop_table('accounts')
    with op.batch_alter_table('purpose_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purpose_categories_city_id'))

    op.drop_table('purpose_categories')
    op.drop_table('process_definitions')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_community_id'))

    op.drop_table('needs')
    op.drop_table('community_workflow_settings')
    with op.batch_alter_table('charts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charts_city_id'))

    op.drop_table('charts')
    with op.batch_alter_table('annual_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annual_plans_community_id'))

    op.drop_table('annual_plans')
    op.drop_table('funding_sources')
