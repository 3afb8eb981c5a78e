"""Data sources (SPEC §10), on the shared ``metadata`` (migration ``0011_sources``).

- ``sources``: one connected account of a workspace (platform, the platform's account id,
  the channel it fills), its tokens **encrypted** (Fernet, ``kpi_engine/services/secrets.py``;
  never the clear text), and the sync's bookkeeping: the last sync (when, rows, error kind
  and a safe message), when the next one is due, the resume cursor (the first day not
  fetched yet) and when an admin was last told of a failure or of an expiry.
- ``provisional_days``: the days of a channel a platform still revises (marked by a sync,
  cleared when a later sync says they are final); answers say "sementara" for them and drop
  alerts wait.
- ``source_syncs``: one row per sync run (the log behind ``/sumber`` and the figures).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import ISODate, UTCDateTime

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("platform", String(32), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("channel_platform", String(64), nullable=False),
    Column("channel_handle", String(200), nullable=False, server_default=""),
    Column("access_token", Text, nullable=False, server_default=""),   # Fernet, never clear
    Column("refresh_token", Text, nullable=False, server_default=""),  # Fernet, never clear
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_sync_at", UTCDateTime(), nullable=True),
    Column("last_rows", Integer, nullable=False, server_default="0"),
    Column("last_error_kind", String(32), nullable=False, server_default=""),
    Column("last_error", String(500), nullable=False, server_default=""),
    Column("next_sync_at", UTCDateTime(), nullable=True),
    Column("cursor_day", ISODate(), nullable=True),
    Column("notified_error_kind", String(32), nullable=False, server_default=""),
    Column("notified_error_at", UTCDateTime(), nullable=True),
    Column("notified_expiry_at", UTCDateTime(), nullable=True),
    UniqueConstraint("workspace_id", "platform", "account_id", name="uq_sources_account"),
)
Index("ix_sources_due", sources.c.next_sync_at)

provisional_days = Table(
    "provisional_days",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("channel_id", Integer, ForeignKey("channels.id", ondelete="CASCADE"),
           nullable=False),
    Column("day", ISODate(), nullable=False),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("workspace_id", "channel_id", "day", name="pk_provisional_days"),
)

source_syncs = Table(
    "source_syncs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=False),
    Column("first_day", ISODate(), nullable=True),
    Column("last_day", ISODate(), nullable=True),
    Column("rows", Integer, nullable=False, server_default="0"),
    Column("changed", Integer, nullable=False, server_default="0"),
    Column("requests", Integer, nullable=False, server_default="0"),
    Column("error_kind", String(32), nullable=False, server_default=""),
    Column("error", String(500), nullable=False, server_default=""),
)
Index("ix_source_syncs_source", source_syncs.c.source_id, source_syncs.c.started_at)
