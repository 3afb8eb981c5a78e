"""SQLAlchemy 2.x table definitions (Core). Alembic migrations in ``kpi_engine/storage/migrations``.

The snapshot key is (workspace, channel, metric, day, campaign); ``campaign`` is ``""`` when a
snapshot carries no campaign, so the key has no NULLs and upserts work on both SQLite and
PostgreSQL. The primary key's column order (workspace, metric, channel, day, campaign) serves
the engine's queries: one workspace, a few metrics, a few channels, a range of days.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    UniqueConstraint,
)

from kpi_engine.storage.types import ISODate, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("timezone", String(64), nullable=False, server_default="Asia/Jakarta"),
    Column("language", String(8), nullable=False, server_default="id"),
    Column("currency", String(8), nullable=False, server_default="IDR"),
    Column("created_at", UTCDateTime(), nullable=False),
)

channels = Table(
    "channels",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("platform", String(64), nullable=False),
    Column("handle", String(200), nullable=False, server_default=""),
    Column("is_competitor", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("workspace_id", "platform", "handle", name="uq_channels_key"),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("metric", String(64), nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id", ondelete="CASCADE"),
           nullable=False),
    Column("day", ISODate(), nullable=False),
    Column("campaign", String(100), nullable=False, server_default=""),
    Column("value", Double, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "metric", "channel_id", "day", "campaign",
                         name="pk_snapshots"),
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("workspace_id", "name", name="pk_campaigns"),
)

chat_links = Table(
    "chat_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("platform", String(32), nullable=False),
    Column("chat_id", String(64), nullable=False),
    # "" links the whole chat; a user id gives that user a role inside the chat
    Column("user_id", String(64), nullable=False, server_default=""),
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "chat_id", "user_id", name="uq_chat_links_key"),
)
Index("ix_chat_links_workspace", chat_links.c.workspace_id)

join_codes = Table(
    "join_codes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_by", String(64), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
)

# the usernames seen in each chat, so ``/peran @budi editor`` finds Budi's id (migration 0002g)
chat_users = Table(
    "chat_users",
    metadata,
    Column("platform", String(32), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("user_name", String(100), nullable=False, server_default=""),  # lower case, no "@"
    Column("last_seen", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("platform", "chat_id", "user_id", name="pk_chat_users"),
)
Index("ix_chat_users_name", chat_users.c.platform, chat_users.c.chat_id, chat_users.c.user_name)
