"""an anonymous leak filed while its resident was away is remembered, without a tie to its ticket

Revision ID: 0017
Revises: 0016
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('unfinished_reports') as batch:
        batch.add_column(sa.Column('filed_anonymously', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('unfinished_reports') as batch:
        batch.drop_column('filed_anonymously')
