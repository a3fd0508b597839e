"""Planned budget (预算指标): budget_targets, append-only like the books; job leases.

The append-only triggers are installed from the same DDL ``ledger.targets`` attaches to
``create_all``. ``jobs`` gains ``attempts`` and ``lease_until``: a worker claims a job and
holds it for a while, so a task delivered twice never runs the job twice at once and a job
whose worker was lost runs again (app/jobs/tasks.py).

Revision ID: 20261122_01
Revises: 20261121_03
Create Date: 2026-11-21 23:58:52.162072

"""
from alembic import op
import sqlalchemy as sa

import ledger.base  # noqa: F401  (the project's column types)
import ledger.targets

# revision identifiers, used by Alembic.
revision = '20261122_01'
down_revision = '20261121_03'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('funding_source_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('amount', ledger.base.Money(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', ledger.base.UTCDateTime(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_budget_targets_amount_not_negative')),
    sa.CheckConstraint('fiscal_year BETWEEN 2000 AND 2999', name=op.f('ck_budget_targets_fiscal_year_plausible')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_budget_targets_version_positive')),
    sa.ForeignKeyConstraint(['funding_source_id'], ['funding_sources.id'], name=op.f('fk_budget_targets_funding_source_id_funding_sources')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_budget_targets_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_budget_targets_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_targets')),
    sa.UniqueConstraint('organisation_id', 'fiscal_year', 'funding_source_id', 'version', name='uq_budget_targets_version')
    )
    with op.batch_alter_table('budget_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_targets_organisation_id'), ['organisation_id'], unique=False)
    ledger.targets.install_triggers(op.get_bind())

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lease_until', ledger.base.UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_jobs_attempts_not_negative'), 'attempts >= 0')


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_jobs_attempts_not_negative'), type_='check')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('attempts')

    ledger.targets.drop_triggers(op.get_bind())
    with op.batch_alter_table('budget_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_targets_organisation_id'))

    op.drop_table('budget_targets')
