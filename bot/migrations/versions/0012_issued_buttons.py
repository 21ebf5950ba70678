"""buttons carry opaque ids issued per chat; a pressed button's payload is kept for replays

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'issued_buttons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('button_id', sa.String(length=32), nullable=False),
        sa.Column('sender', sa.String(length=128), nullable=False),
        sa.Column('question', sa.String(length=32), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('issued_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('button_id'),
    )
    op.create_index('ix_issued_buttons_sender', 'issued_buttons', ['sender'])
    with op.batch_alter_table('chat_messages') as batch:
        batch.add_column(sa.Column('payload', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('chat_messages') as batch:
        batch.drop_column('payload')
    op.drop_index('ix_issued_buttons_sender', table_name='issued_buttons')
    op.drop_table('issued_buttons')
