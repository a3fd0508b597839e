"""Requests to post past a budget limit, answered by someone else; a third clerk for jobs.

``override_requests`` holds a clerk's request to post a voucher past a budget limit and the
answer of someone with the authority (the street committee); ``budget_overrides.request_id``
names the request a posting used. ``jobs.poster_id`` is the third person a writing job needs
(requester prepares, first confirmer reviews, second confirmer posts): a job confirmed once
and still queued goes back to waiting for its poster.

Revision ID: 20261207_02
Revises: 20261207_01
Create Date: 2026-12-07 23:31:15.972471

"""
from alembic import op
import sqlalchemy as sa

import ledger.base  # noqa: F401  (the project's column types)

# revision identifiers, used by Alembic.
revision = '20261207_02'
down_revision = '20261207_01'
branch_labels = None
depends_on = None

SECOND_PERSON = "confirmed_by_id IS NULL OR confirmed_by_id <> requested_by_id"
THIRD_PERSON = ("poster_id IS NULL OR (confirmed_by_id IS NOT NULL AND poster_id <> confirmed_by_id "
                "AND poster_id <> requested_by_id)")


def upgrade():
    op.create_table('override_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('breaches', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', ledger.base.UTCDateTime(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', ledger.base.UTCDateTime(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('asked', 'granted', 'refused', 'withdrawn')", name=op.f('ck_override_requests_status_known')),
    sa.CheckConstraint("status NOT IN ('granted', 'refused') OR answered_by_id IS NOT NULL", name=op.f('ck_override_requests_answer_has_answerer')),
    sa.CheckConstraint('answered_by_id IS NULL OR answered_by_id <> asked_by_id', name=op.f('ck_override_requests_answered_by_another')),
    sa.CheckConstraint('length(trim(reason)) > 0', name=op.f('ck_override_requests_reason_not_blank')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_override_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_override_requests_asked_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_override_requests_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_override_requests_voucher_id_vouchers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_override_requests'))
    )
    with op.batch_alter_table('override_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_override_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_override_requests_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_override_requests_voucher_id'), ['voucher_id'], unique=False)

    with op.batch_alter_table('budget_overrides', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_budget_overrides_request_id_override_requests'), 'override_requests', ['request_id'], ['id'])

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('poster_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_jobs_poster_id_users'), 'users', ['poster_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_jobs_reviewer_is_a_second_person'), SECOND_PERSON)
        batch_op.create_check_constraint(batch_op.f('ck_jobs_poster_is_a_third_person'), THIRD_PERSON)
    op.execute("UPDATE jobs SET status = 'waiting', "
               "message = 'Reviewed; waiting for a third clerk to confirm the posting.' "
               "WHERE status = 'queued' AND confirmed_by_id IS NOT NULL AND poster_id IS NULL")


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_jobs_poster_is_a_third_person'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_jobs_reviewer_is_a_second_person'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_jobs_poster_id_users'), type_='foreignkey')
        batch_op.drop_column('poster_id')

    with op.batch_alter_table('budget_overrides', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_budget_overrides_request_id_override_requests'), type_='foreignkey')
        batch_op.drop_column('request_id')

    with op.batch_alter_table('override_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_override_requests_voucher_id'))
        batch_op.drop_index(batch_op.f('ix_override_requests_status'))
        batch_op.drop_index(batch_op.f('ix_override_requests_organisation_id'))

    op.drop_table('override_requests')
