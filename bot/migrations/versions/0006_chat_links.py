"""chat links

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:56:19.264151
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_links',
    sa.Column('sender', sa.String(length=128), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('sealed_address', sa.Text(), nullable=False),
    sa.Column('updated_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sender')
    )


def downgrade() -> None:
    op.drop_table('chat_links')
