"""Passwords: an administrator's reset obliges the user to choose a new one.

``users.must_change_password`` is set by a reset and cleared when the user changes the
password; until then every page but the change-password page sends them there.

Revision ID: 20261207_01
Revises: 20261204_01
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '20261207_01'
down_revision = '20261204_01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
