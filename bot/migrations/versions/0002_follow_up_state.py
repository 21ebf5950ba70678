"""follow-up state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:24:21.591428
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followup_state', sa.Enum('scheduled', 'sending', 'sent', 'reminded', 'solved', 'not_solved', 'no_response', 'skipped', name='followupstate', native_enum=False, length=20), nullable=False, server_default='scheduled'))
        batch_op.add_column(sa.Column('followup_claim', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('followup_claimed_at', bot.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followup_sent_at', bot.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('followup_reminded_at', bot.core.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('satisfaction', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('satisfaction_comment', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_followup_state'), ['followup_state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_followup_state'))
        batch_op.drop_column('satisfaction_comment')
        batch_op.drop_column('satisfaction')
        batch_op.drop_column('followup_reminded_at')
        batch_op.drop_column('followup_sent_at')
        batch_op.drop_column('followup_claimed_at')
        batch_op.drop_column('followup_claim')
        batch_op.drop_column('followup_state')

