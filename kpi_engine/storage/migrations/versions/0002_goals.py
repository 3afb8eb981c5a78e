"""goals, goal events, chat users

Revision ID: 0002g
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0002g'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=True),
    sa.Column('campaign', sa.String(length=100), nullable=True),
    sa.Column('value_kind', sa.String(length=16), nullable=False),
    sa.Column('value_input', sa.Double(), nullable=False),
    sa.Column('target', sa.Double(), nullable=False),
    sa.Column('baseline', sa.Double(), nullable=True),
    sa.Column('start_day', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('required_per_week', sa.Double(), nullable=True),
    sa.Column('historical_per_week', sa.Double(), nullable=True),
    sa.Column('verdict', sa.String(length=16), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), server_default='active', nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('owner_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('owner_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('platform', sa.String(length=32), server_default='', nullable=False),
    sa.Column('chat_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_goals_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals'))
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('ix_goals_workspace_status', ['workspace_id', 'status'], unique=False)

    op.create_table('goal_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('value', sa.Double(), nullable=True),
    sa.Column('target', sa.Double(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('detail', sa.String(length=500), server_default='', nullable=False),
    sa.Column('by_user', sa.String(length=64), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_events_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_goal_events_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_events'))
    )
    with op.batch_alter_table('goal_events', schema=None) as batch_op:
        batch_op.create_index('ix_goal_events_workspace', ['workspace_id', 'id'], unique=False)
        batch_op.create_index('ix_goal_events_goal', ['goal_id'], unique=False)

    op.create_table('chat_users',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=100), server_default='', nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'chat_id', 'user_id', name='pk_chat_users')
    )
    with op.batch_alter_table('chat_users', schema=None) as batch_op:
        batch_op.create_index('ix_chat_users_name', ['platform', 'chat_id', 'user_name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chat_users', schema=None) as batch_op:
        batch_op.drop_index('ix_chat_users_name')
    op.drop_table('chat_users')
    with op.batch_alter_table('goal_events', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_events_goal')
        batch_op.drop_index('ix_goal_events_workspace')
    op.drop_table('goal_events')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index('ix_goals_workspace_status')
    op.drop_table('goals')
