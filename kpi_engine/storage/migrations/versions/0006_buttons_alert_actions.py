"""alert buttons: the outbox's actions column and the alert_feedback votes

Revision ID: 0006_buttons_alert_actions
Revises: 0005_content_posts_audience
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_buttons_alert_actions'
down_revision = '0005_content_posts_audience'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('actions', sa.String(length=300), nullable=False,
                                   server_default=''))
    op.create_table('alert_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('rule_key', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=100), nullable=False),
    sa.Column('vote', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_alert_feedback_workspace_id_workspaces'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_feedback')),
    sa.UniqueConstraint('workspace_id', 'rule_key', 'subject', 'seq', 'platform', 'user_id',
                        name='uq_alert_feedback_vote')
    )
    op.create_index('ix_alert_feedback_rule', 'alert_feedback',
                    ['workspace_id', 'rule_key', 'at'])


def downgrade() -> None:
    op.drop_index('ix_alert_feedback_rule', table_name='alert_feedback')
    op.drop_table('alert_feedback')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('actions')
