"""Survey ratings keep one form of household code, and say who typed a paper slip in.

``satisfaction_ratings.household_code`` is checked against its canonical form (upper case,
no leading zero, a six-letter check), so the unique rule counts each household once per
project; ``entered_by_id`` names the staff member who typed a paper slip in (None: online).

Revision ID: 20261204_01
Revises: 20261123_01
Create Date: 2026-12-04 19:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '20261204_01'
down_revision = '20261123_01'
branch_labels = None
depends_on = None

CANONICAL = ("household_code = upper(household_code) AND household_code NOT LIKE '0%' "
             "AND household_code LIKE '_%-______'")


def upgrade():
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_satisfaction_ratings_entered_by_id_users'), 'users',
                                    ['entered_by_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_satisfaction_ratings_household_code_canonical'), CANONICAL)


def downgrade():
    with op.batch_alter_table('satisfaction_ratings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_satisfaction_ratings_household_code_canonical'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_satisfaction_ratings_entered_by_id_users'), type_='foreignkey')
        batch_op.drop_column('entered_by_id')
