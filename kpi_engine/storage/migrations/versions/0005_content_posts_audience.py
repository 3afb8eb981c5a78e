"""posts, post lifetime metrics, hashtags and audience segments (SPEC §11)

Revision ID: 0005_content_posts_audience
Revises: 0004_reliability_replays
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_content_posts_audience'
down_revision = '0004_reliability_replays'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.String(length=200), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_day', sa.Date(), nullable=False),
    sa.Column('published_weekday', sa.SmallInteger(), nullable=False),
    sa.Column('published_hour', sa.SmallInteger(), nullable=False),
    sa.Column('format', sa.String(length=16), server_default='', nullable=False),
    sa.Column('caption', sa.Text(), server_default='', nullable=False),
    sa.Column('permalink', sa.String(length=500), server_default='', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_posts_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_posts_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('channel_id', 'post_id', name='uq_posts_key')
    )
    op.create_index('ix_posts_workspace_day', 'posts', ['workspace_id', 'published_day'])
    op.create_table('post_metrics',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reach', sa.Double(), nullable=True),
    sa.Column('views', sa.Double(), nullable=True),
    sa.Column('likes', sa.Double(), nullable=True),
    sa.Column('comments', sa.Double(), nullable=True),
    sa.Column('shares', sa.Double(), nullable=True),
    sa.Column('saves', sa.Double(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_metrics_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'day', name='pk_post_metrics')
    )
    op.create_table('post_hashtags',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_hashtags_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'tag', name='pk_post_hashtags')
    )
    op.create_index('ix_post_hashtags_tag', 'post_hashtags', ['tag'])
    op.create_table('audience_segments',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('bucket', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_audience_segments_channel_id_channels'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_audience_segments_workspace_id_workspaces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id', 'channel_id', 'dimension', 'bucket', 'day', name='pk_audience_segments')
    )


def downgrade() -> None:
    op.drop_table('audience_segments')
    op.drop_index('ix_post_hashtags_tag', table_name='post_hashtags')
    op.drop_table('post_hashtags')
    op.drop_table('post_metrics')
    op.drop_index('ix_posts_workspace_day', table_name='posts')
    op.drop_table('posts')
