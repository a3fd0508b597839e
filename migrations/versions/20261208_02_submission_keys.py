"""Needs and objections remember the submission that made them: the same form sent twice makes one.

``submission_key`` (``workflows/once.py``) is unique within a community's needs and within a
notice's objections; rows made before keep none.

Revision ID: 20261208_02
Revises: 20261208_01
Create Date: 2026-12-08 00:38:19.262460

"""
import warnings

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '20261208_02'
down_revision = '20261208_01'
branch_labels = None
depends_on = None


def upgrade():
    with warnings.catch_warnings():  # SQLite's batch mode reflects users, whose lower(username) index it cannot
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        _upgrade()


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        _downgrade()


def _upgrade():
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_needs_community_id_submission_key'), ['community_id', 'submission_key'])

    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_objections_notice_id_submission_key'), ['notice_id', 'submission_key'])



def _downgrade():
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_objections_notice_id_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')

    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_needs_community_id_submission_key'), type_='unique')
        batch_op.drop_column('submission_key')

