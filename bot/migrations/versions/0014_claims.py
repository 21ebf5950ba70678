"""leases on work several application processes could otherwise do twice

Revision ID: 0014
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa
import bot.core.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'claims',
        sa.Column('name', sa.String(length=160), nullable=False),
        sa.Column('holder', sa.String(length=64), nullable=False),
        sa.Column('expires_at', bot.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_index(op.f('ix_claims_expires_at'), 'claims', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_claims_expires_at'), table_name='claims')
    op.drop_table('claims')
