"""oauth_states: the OAuth code flows of `kpibot source add --oauth` (hashed state, expiry,
single use, outcome)

Revision ID: 0012_oauth_states
Revises: 0011_sources
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_oauth_states'
down_revision = '0011_sources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oauth_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('account_id', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=300), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('error', sa.String(length=500), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_oauth_states_workspace_id_workspaces'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oauth_states')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_oauth_states_state_hash'))
    )


def downgrade() -> None:
    op.drop_table('oauth_states')
