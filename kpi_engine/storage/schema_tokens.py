"""The ``api_tokens`` table (per-workspace HTTP API tokens), on the shared ``metadata``.

Only a SHA-256 hash of a token is stored, never the token. ``prefix`` is the token's public
part (``kpi_<prefix>_<secret>``): it finds the row, then the hash is compared in constant time.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import UTCDateTime

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("name", String(100), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
)
Index("ix_api_tokens_workspace", api_tokens.c.workspace_id)
