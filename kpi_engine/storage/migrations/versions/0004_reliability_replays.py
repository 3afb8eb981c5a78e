"""seen requests (replays) and join-code attempts

Revision ID: 0004_reliability_replays
Revises: 0003s
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_reliability_replays'
down_revision = '0003s'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seen_requests',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_seen_requests'))
    )
    op.create_index('ix_seen_requests_expires_at', 'seen_requests', ['expires_at'])
    op.create_table('join_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('chat_id', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_attempts'))
    )
    op.create_index('ix_join_attempts_chat', 'join_attempts', ['platform', 'chat_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_join_attempts_chat', table_name='join_attempts')
    op.drop_table('join_attempts')
    op.drop_index('ix_seen_requests_expires_at', table_name='seen_requests')
    op.drop_table('seen_requests')
