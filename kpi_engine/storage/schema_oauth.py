"""OAuth code flows in progress (``kpibot source add … --oauth``), on the shared ``metadata``
(migration ``0012_oauth_states``).

``oauth_states``: one row per authorization URL handed to an admin. The ``state`` parameter
itself is never stored, only its SHA-256 (``state_hash``): the row says which workspace,
platform, account and channel the callback connects, until when the state is accepted
(``expires_at``, 10 minutes), when the callback used it (``used_at``: a state is single use),
and how it ended: the source it stored (``source_id``) or a safe ``error`` text, which the
CLI that started the flow polls for (``kpibot serve`` and the CLI share only the database).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import UTCDateTime

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("state_hash", String(64), nullable=False, unique=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("platform", String(32), nullable=False),
    Column("account_id", String(200), nullable=False),
    Column("channel", String(300), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime(), nullable=True),
    Column("source_id", Integer, nullable=True),
    Column("error", String(500), nullable=False, server_default=""),
)
