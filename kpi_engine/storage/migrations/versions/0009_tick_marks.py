"""alert tick marks: which workspaces changed or are due since the last tick

Revision ID: 0009_tick_marks
Revises: 0006_buttons_alert_actions
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_tick_marks'
down_revision = '0007_drop_options'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tick_marks',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('seen', sa.Integer(), server_default='0', nullable=False),
    sa.Column('evaluated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'],
                            name=op.f('fk_tick_marks_workspace_id_workspaces'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', name=op.f('pk_tick_marks'))
    )
    with op.batch_alter_table('tick_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tick_marks_due'), ['due_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tick_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tick_marks_due'))
    op.drop_table('tick_marks')
