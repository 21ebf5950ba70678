"""channel updates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:48:37.611400
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'update_id')
    )
    with op.batch_alter_table('channel_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_updates_processed_at'), ['processed_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('channel_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_updates_processed_at'))

    op.drop_table('channel_updates')
