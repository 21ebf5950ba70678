"""dashboard: staff accounts and sessions, dispatchers' ticket fields, SLA milestones

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

WHEN = bot.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'staff_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
    )
    op.create_table(
        'staff_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('last_seen_at', WHEN, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['staff_users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_staff_sessions_user_id', 'staff_sessions', ['user_id'])
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('client', sa.String(length=64), nullable=False),
        sa.Column('at', WHEN, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_failures_username', 'login_failures', ['username'])
    op.create_index('ix_login_failures_client', 'login_failures', ['client'])
    op.create_index('ix_login_failures_at', 'login_failures', ['at'])
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('crew', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('onsite_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('resolved_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('next_due_at', WHEN, nullable=True))
        batch_op.add_column(sa.Column('next_due_rule', sa.String(length=8), nullable=True))
        batch_op.create_index('ix_tickets_owner', ['owner'])
        batch_op.create_index('ix_tickets_duplicate_of_id', ['duplicate_of_id'])
        batch_op.create_index('ix_tickets_next_due_at', ['next_due_at'])
        batch_op.create_foreign_key('fk_tickets_duplicate_of_id', 'tickets', ['duplicate_of_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint('fk_tickets_duplicate_of_id', type_='foreignkey')
        for index in ('ix_tickets_next_due_at', 'ix_tickets_duplicate_of_id', 'ix_tickets_owner'):
            batch_op.drop_index(index)
        for column in ('next_due_rule', 'next_due_at', 'resolved_at', 'onsite_at', 'acknowledged_at',
                       'duplicate_of_id', 'crew', 'owner'):
            batch_op.drop_column(column)
    op.drop_table('login_failures')
    op.drop_table('staff_sessions')
    op.drop_table('staff_users')
