"""A user name is one name whatever its case: a unique index on lower(username).

Refuses to run, naming them, while two accounts differ only in the case of their names
(an administrator renames or disables one first: nothing is merged behind their back).

Revision ID: 20261208_01
Revises: 20261207_02
Create Date: 2026-12-08 00:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '20261208_01'
down_revision = '20261207_02'
branch_labels = None
depends_on = None


def upgrade():
    clashes = op.get_bind().execute(sa.text(
        "SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1")).scalars().all()
    if clashes:
        raise RuntimeError("these user names exist in more than one case; rename all but one of each first: "
                           + ", ".join(sorted(clashes)))
    op.create_index('uq_users_username_folded', 'users', [sa.text('lower(username)')], unique=True)


def downgrade():
    op.drop_index('uq_users_username_folded', table_name='users')
