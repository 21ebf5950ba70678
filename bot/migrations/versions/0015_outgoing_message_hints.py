"""channel hints of outgoing messages, for messages pushed after the turn

Revision ID: 0015
Revises: 0014
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('chat_messages', sa.Column('hints', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('chat_messages', 'hints')
