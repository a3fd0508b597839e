"""Running totals of posted lines for budget control (ledger/totals.py).

``budget_totals`` is filled by the posting trigger, so the voucher triggers are dropped
and installed again from ``ledger.triggers``; the totals of the vouchers already posted
are computed once from their lines.

Revision ID: 20261123_01
Revises: 20261122_01
Create Date: 2026-11-22 08:00:00

"""
from alembic import op
import sqlalchemy as sa

import ledger.base
import ledger.totals
import ledger.triggers

# revision identifiers, used by Alembic.
revision = '20261123_01'
down_revision = '20261122_01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_totals',
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('project_key', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('closing', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('debit', ledger.base.Money(), nullable=False),
    sa.Column('credit', ledger.base.Money(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_budget_totals_account_id_accounts')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_budget_totals_book_id_books')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_budget_totals_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('book_id', 'project_key', 'source_key', 'account_id', 'closing', name=op.f('pk_budget_totals'))
    )
    with op.batch_alter_table('budget_totals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_totals_organisation_id'), ['organisation_id'], unique=False)
    connection = op.get_bind()
    ledger.triggers.drop_triggers(connection)
    ledger.triggers.install_triggers(connection)
    ledger.totals.rebuild_totals(connection)


def downgrade():
    connection = op.get_bind()
    ledger.triggers.drop_triggers(connection)
    ledger.triggers.install_triggers(connection, totals=False)
    with op.batch_alter_table('budget_totals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_totals_organisation_id'))
    op.drop_table('budget_totals')
