"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 09:05:31.267019
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sender', sa.String(length=128), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('buttons', sa.JSON(), nullable=True),
    sa.Column('status', sa.Enum('received', 'processed', 'pending', 'rejected', name='messagestatus', native_enum=False, length=20), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.create_index('ix_chat_messages_sender_id', ['channel', 'sender', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chat_messages_status'), ['status'], unique=False)

    op.create_table('tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('category', sa.Enum('report_leak', 'report_repair', 'billing_query', 'complaint', name='category', native_enum=False, length=20), nullable=False),
    sa.Column('subcategory', sa.String(length=32), nullable=True),
    sa.Column('priority', sa.Enum('urgent', 'high', 'normal', name='priority', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('new', 'acknowledged', 'in_progress', 'resolved', 'closed', 'reopened', name='ticketstatus', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('address_raw', sa.Text(), nullable=True),
    sa.Column('estate', sa.String(length=100), nullable=True),
    sa.Column('building', sa.String(length=20), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('room', sa.String(length=20), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('callback_window', sa.String(length=100), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sender_ref', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('created_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('response_due_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('contact_due_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('onsite_due_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolve_due_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('followup_due_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('intake_ref', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('intake_ref')
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_estate'), ['estate'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_followup_due_at'), ['followup_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_sender_ref'), ['sender_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_status'), ['status'], unique=False)

    op.create_table('ticket_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_events_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_events_ticket_id'))

    op.drop_table('ticket_events')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tickets_status'))
        batch_op.drop_index(batch_op.f('ix_tickets_sender_ref'))
        batch_op.drop_index(batch_op.f('ix_tickets_followup_due_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_estate'))
        batch_op.drop_index(batch_op.f('ix_tickets_created_at'))
        batch_op.drop_index(batch_op.f('ix_tickets_category'))

    op.drop_table('tickets')
    with op.batch_alter_table('chat_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_messages_status'))
        batch_op.drop_index('ix_chat_messages_sender_id')

    op.drop_table('chat_messages')
