"""The tables that guard the edges, on the shared ``metadata``: requests already seen (Slack
signatures and event ids, Telegram ``update_id``s; kept for their replay window) and wrong
join-code attempts (per chat, for the attempt limit). In the database, so that two replicas
on one PostgreSQL agree and a restart forgets nothing."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import UTCDateTime

seen_requests = Table(
    "seen_requests",
    metadata,
    Column("key", String(160), primary_key=True),
    Column("expires_at", UTCDateTime(), nullable=False),
)
Index("ix_seen_requests_expires_at", seen_requests.c.expires_at)

join_attempts = Table(
    "join_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("chat_id", String(100), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)
Index("ix_join_attempts_chat", join_attempts.c.platform, join_attempts.c.chat_id,
      join_attempts.c.at)
