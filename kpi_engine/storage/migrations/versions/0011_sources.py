"""data sources: sources (encrypted tokens, sync bookkeeping), provisional_days, source_syncs

Revision ID: 0011_sources
Revises: 0010_outbox_chart_spec
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_sources'
down_revision = '0010_outbox_chart_spec'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=200), nullable=False),
    sa.Column('channel_platform', sa.String(length=64), nullable=False),
    sa.Column('channel_handle', sa.String(length=200), server_default='', nullable=False),
    sa.Column('access_token', sa.Text(), server_default='', nullable=False),
    sa.Column('refresh_token', sa.Text(), server_default='', nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_rows', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error_kind', sa.String(length=32), server_default='', nullable=False),
    sa.Column('last_error', sa.String(length=500), server_default='', nullable=False),
    sa.Column('next_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cursor_day', sa.Date(), nullable=True),
    sa.Column('notified_error_kind', sa.String(length=32), server_default='', nullable=False),
    sa.Column('notified_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notified_expiry_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_sources_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('workspace_id', 'platform', 'account_id', name='uq_sources_account')
    )
    op.create_index('ix_sources_due', 'sources', ['next_sync_at'])
    op.create_table('provisional_days',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_provisional_days_workspace_id_workspaces'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'],
                            name=op.f('fk_provisional_days_channel_id_channels'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'],
                            name=op.f('fk_provisional_days_source_id_sources'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'channel_id', 'day', name='pk_provisional_days')
    )
    op.create_table('source_syncs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.Column('rows', sa.Integer(), server_default='0', nullable=False),
    sa.Column('changed', sa.Integer(), server_default='0', nullable=False),
    sa.Column('requests', sa.Integer(), server_default='0', nullable=False),
    sa.Column('error_kind', sa.String(length=32), server_default='', nullable=False),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'],
                            name=op.f('fk_source_syncs_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_syncs'))
    )
    op.create_index('ix_source_syncs_source', 'source_syncs', ['source_id', 'started_at'])


def downgrade() -> None:
    op.drop_index('ix_source_syncs_source', table_name='source_syncs')
    op.drop_table('source_syncs')
    op.drop_table('provisional_days')
    op.drop_index('ix_sources_due', table_name='sources')
    op.drop_table('sources')
