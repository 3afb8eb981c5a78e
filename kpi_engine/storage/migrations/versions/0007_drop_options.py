"""a drop rule's own options: spread factor k, direction, minimum volume

Revision ID: 0007_drop_options
Revises: 0006_buttons_alert_actions
Create Date: 2026-12-02

Existing rules get today's behaviour: k = 3, direction 'drop', min_volume NULL (the
default, ``alerts.DEFAULT_MIN_VOLUME``). The window (``periods``) was already a column.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_drop_options'
down_revision = '0006_buttons_alert_actions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_rules') as batch:
        batch.add_column(sa.Column('k', sa.Double(), nullable=False, server_default='3'))
        batch.add_column(sa.Column('direction', sa.String(length=8), nullable=False,
                                   server_default='drop'))
        batch.add_column(sa.Column('min_volume', sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_rules') as batch:
        batch.drop_column('min_volume')
        batch.drop_column('direction')
        batch.drop_column('k')
