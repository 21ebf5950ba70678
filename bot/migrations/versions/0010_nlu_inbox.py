"""nlu inbox: messages for admins to annotate; the log of model activations

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

WHEN = bot.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'nlu_inbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=24), nullable=False),
        sa.Column('predicted_intent', sa.String(length=64), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('suggested_intent', sa.String(length=64), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('created_at', WHEN, nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('annotated_intent', sa.String(length=64), nullable=True),
        sa.Column('annotated_by', sa.String(length=64), nullable=True),
        sa.Column('annotated_at', WHEN, nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('text_hash'),
    )
    op.create_index('ix_nlu_inbox_created_at', 'nlu_inbox', ['created_at'])
    op.create_index('ix_nlu_inbox_state', 'nlu_inbox', ['state'])
    op.create_table(
        'model_activations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('model_path', sa.Text(), nullable=False),
        sa.Column('previous_path', sa.Text(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('at', WHEN, nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_model_activations_at', 'model_activations', ['at'])


def downgrade() -> None:
    op.drop_index('ix_model_activations_at', table_name='model_activations')
    op.drop_table('model_activations')
    op.drop_index('ix_nlu_inbox_state', table_name='nlu_inbox')
    op.drop_index('ix_nlu_inbox_created_at', table_name='nlu_inbox')
    op.drop_table('nlu_inbox')
