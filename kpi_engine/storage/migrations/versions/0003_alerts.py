"""alerts, digests, outbox

Revision ID: 0003s
Revises: 0002g
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0003s'
down_revision = '0002g'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=True),
    sa.Column('op', sa.String(length=2), server_default='<', nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('period', sa.String(length=8), server_default='day', nullable=False),
    sa.Column('periods', sa.Integer(), server_default='4', nullable=False),
    sa.Column('repeat_minutes', sa.Integer(), server_default='1440', nullable=False),
    sa.Column('platform', sa.String(length=32), server_default='', nullable=False),
    sa.Column('chat_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_alert_rules_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_rules'))
    )
    with op.batch_alter_table('alert_rules', schema=None) as batch_op:
        batch_op.create_index('ix_alert_rules_workspace', ['workspace_id'], unique=False)

    op.create_table('alert_settings',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), server_default='21:00', nullable=False),
    sa.Column('quiet_end', sa.String(length=5), server_default='07:00', nullable=False),
    sa.Column('disabled', sa.String(length=100), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_alert_settings_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_alert_settings'))
    )
    op.create_table('alert_snoozes',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_alert_snoozes_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform', 'chat_id', name='pk_alert_snoozes')
    )
    op.create_table('alert_state',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('rule_key', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('firing', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.Integer(), server_default='0', nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_value', sa.Double(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_alert_state_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'rule_key', 'subject', name='pk_alert_state')
    )
    op.create_table('alert_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('rule_key', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=500), server_default='', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_alert_log_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_log')),
    sa.UniqueConstraint('workspace_id', 'rule_key', 'subject', 'seq', name='uq_alert_log_event')
    )
    with op.batch_alter_table('alert_log', schema=None) as batch_op:
        batch_op.create_index('ix_alert_log_workspace_at', ['workspace_id', 'at'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=True),
    sa.Column('created_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_subscriptions_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('platform', 'chat_id', 'kind', name='uq_subscriptions_chat_kind')
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_subscriptions_workspace', ['workspace_id'], unique=False)

    op.create_table('outbox_charts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('png', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_charts'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('lang', sa.String(length=8), server_default='id', nullable=False),
    sa.Column('title', sa.String(length=500), server_default='', nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('footer', sa.String(length=500), server_default='', nullable=False),
    sa.Column('chart_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('claimed_by', sa.String(length=64), server_default='', nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chart_id'], ['outbox_charts.id'], name=op.f('fk_outbox_chart_id_outbox_charts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_outbox_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('key', name='uq_outbox_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'not_before'], unique=False)
        batch_op.create_index('ix_outbox_chat', ['platform', 'chat_id', 'id'], unique=False)
        batch_op.create_index('ix_outbox_workspace_kind', ['workspace_id', 'kind', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_workspace_kind')
        batch_op.drop_index('ix_outbox_chat')
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')
    op.drop_table('outbox_charts')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ix_subscriptions_workspace')
    op.drop_table('subscriptions')
    with op.batch_alter_table('alert_log', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_log_workspace_at')
    op.drop_table('alert_log')
    op.drop_table('alert_state')
    op.drop_table('alert_snoozes')
    op.drop_table('alert_settings')
    with op.batch_alter_table('alert_rules', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_rules_workspace')
    op.drop_table('alert_rules')
