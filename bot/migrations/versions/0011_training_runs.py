"""training and evaluation runs started from the dashboard

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'training_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('started_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('model_path', sa.Text(), nullable=False),
        sa.Column('log_path', sa.Text(), nullable=False),
        sa.Column('message', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_training_runs_state', 'training_runs', ['state'])
    op.create_table(
        'evaluation_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('candidate_path', sa.Text(), nullable=False),
        sa.Column('started_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', bot.core.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_evaluation_runs_state', 'evaluation_runs', ['state'])


def downgrade() -> None:
    op.drop_index('ix_evaluation_runs_state', table_name='evaluation_runs')
    op.drop_table('evaluation_runs')
    op.drop_index('ix_training_runs_state', table_name='training_runs')
    op.drop_table('training_runs')
