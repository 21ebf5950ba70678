"""outages (R10): declared stops of heating, what residents were told, suspected outages

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('estates', sa.JSON(), nullable=False),
        sa.Column('buildings', sa.JSON(), nullable=True),
        sa.Column('start_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('end_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('planned', sa.Boolean(), nullable=False),
        sa.Column('late_reason', sa.Text(), nullable=True),
        sa.Column('notice_zh', sa.Text(), nullable=False),
        sa.Column('notice_en', sa.Text(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('announced_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('restored_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_outages_start_at', 'outages', ['start_at'])
    op.create_index('ix_outages_end_at', 'outages', ['end_at'])
    op.create_index('ix_outages_restored_at', 'outages', ['restored_at'])
    op.create_table(
        'outage_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outage_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('sender', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=48), nullable=False),
        sa.Column('at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['outage_id'], ['outages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('outage_id', 'sender', 'kind'),
    )
    op.create_index('ix_outage_messages_outage_id', 'outage_messages', ['outage_id'])
    op.create_table(
        'outage_suspicions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('estate', sa.String(length=100), nullable=False),
        sa.Column('building', sa.String(length=20), nullable=True),
        sa.Column('open_key', sa.String(length=128), nullable=True),
        sa.Column('reports', sa.Integer(), nullable=False),
        sa.Column('first_report_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('posted_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('outage_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['outage_id'], ['outages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('open_key'),
    )
    op.create_index('ix_outage_suspicions_created_at', 'outage_suspicions', ['created_at'])
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('outage_id', sa.Integer(), nullable=True))
        batch.create_index('ix_tickets_outage_id', ['outage_id'])
        batch.create_foreign_key('fk_tickets_outage_id', 'outages', ['outage_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.drop_constraint('fk_tickets_outage_id', type_='foreignkey')
        batch.drop_index('ix_tickets_outage_id')
        batch.drop_column('outage_id')
    op.drop_table('outage_suspicions')
    op.drop_table('outage_messages')
    op.drop_table('outages')
