"""alert charts: the outbox's chart_spec (what to draw at delivery) and chart_sent

Revision ID: 0010_outbox_chart_spec
Revises: 0009_tick_marks
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_outbox_chart_spec'
down_revision = '0009_tick_marks'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('chart_spec', sa.String(length=500), nullable=False,
                                   server_default=''))
        batch.add_column(sa.Column('chart_sent', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('chart_sent')
        batch.drop_column('chart_spec')
