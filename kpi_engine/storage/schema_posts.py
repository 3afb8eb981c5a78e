"""Tables of content and audience (SPEC §11) on the shared ``metadata``.

- ``posts``: one published item of a channel (own or competitor): the platform's id, the
  publishing time in UTC and, computed once at write time in the workspace's timezone, its
  local day, weekday (0 = Monday) and hour, so the "best posting time" and "posts published
  in the period" are plain column filters on both SQLite and PostgreSQL.
- ``post_metrics``: lifetime values as read on each day, one row per (post, day), one
  column per metric (NULL: not read that day); writing (post, day, metric) again replaces.
- ``post_hashtags``: the hashtags of a post's caption (lower case), one row each.
- ``audience_segments``: a gauge per (channel, day, dimension, bucket).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kpi_engine.storage.schema import metadata

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id", ondelete="CASCADE"),
           nullable=False),
    Column("post_id", String(200), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("published_day", Date, nullable=False),  # local day of the workspace
    Column("published_weekday", SmallInteger, nullable=False),  # 0 = Monday
    Column("published_hour", SmallInteger, nullable=False),  # 0-23, local
    Column("format", String(16), nullable=False, server_default=""),
    Column("caption", Text, nullable=False, server_default=""),
    Column("permalink", String(500), nullable=False, server_default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("channel_id", "post_id", name="uq_posts_key"),
)
Index("ix_posts_workspace_day", posts.c.workspace_id, posts.c.published_day)

post_metrics = Table(
    "post_metrics",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("day", Date, nullable=False),
    Column("reach", Double, nullable=True),
    Column("views", Double, nullable=True),
    Column("likes", Double, nullable=True),
    Column("comments", Double, nullable=True),
    Column("shares", Double, nullable=True),
    Column("saves", Double, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("post_id", "day", name="pk_post_metrics"),
)

post_hashtags = Table(
    "post_hashtags",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(100), nullable=False),
    PrimaryKeyConstraint("post_id", "tag", name="pk_post_hashtags"),
)
Index("ix_post_hashtags_tag", post_hashtags.c.tag)

audience_segments = Table(
    "audience_segments",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id", ondelete="CASCADE"),
           nullable=False),
    Column("day", Date, nullable=False),
    Column("dimension", String(16), nullable=False),
    Column("bucket", String(100), nullable=False),
    Column("value", Double, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("workspace_id", "channel_id", "dimension", "bucket", "day",
                         name="pk_audience_segments"),
)
