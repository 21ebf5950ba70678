"""attachments: photos and shared locations

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('sender', sa.String(length=128), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('storage_path', sa.String(length=255), nullable=True),
        sa.Column('content_type', sa.String(length=64), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=True),
        sa.Column('caption', sa.Text(), nullable=True),
        sa.Column('latitude', sa.Float(), nullable=True),
        sa.Column('longitude', sa.Float(), nullable=True),
        sa.Column('created_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_attachments_ticket_id', 'attachments', ['ticket_id'])
    op.create_index('ix_attachments_unlinked', 'attachments', ['channel', 'sender', 'ticket_id'])


def downgrade() -> None:
    op.drop_index('ix_attachments_unlinked', table_name='attachments')
    op.drop_index('ix_attachments_ticket_id', table_name='attachments')
    op.drop_table('attachments')
