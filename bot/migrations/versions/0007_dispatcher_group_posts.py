"""dispatcher group posts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:20:51.772322
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('posted_at', bot.core.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_posted_at', bot.core.models.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('group_posted_at')

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('posted_at')

