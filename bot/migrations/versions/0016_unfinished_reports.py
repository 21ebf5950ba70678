"""leak reports with a place whose residents stopped answering, filed anyway

Revision ID: 0016
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa

import bot.core.models


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'unfinished_reports',
        sa.Column('sender', sa.String(length=128), nullable=False),
        sa.Column('draft', sa.JSON(), nullable=False),
        sa.Column('updated_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('sender'),
    )
    op.create_index(op.f('ix_unfinished_reports_updated_at'), 'unfinished_reports', ['updated_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_unfinished_reports_updated_at'), table_name='unfinished_reports')
    op.drop_table('unfinished_reports')
