"""Tables of goals (SPEC §6) on the shared ``metadata``: ``goals``, ``goal_events`` and
``chat_users`` (defined in ``kpi_engine.storage.schema`` with the chat links; created by this
migration).

A goal keeps what it was created with (``baseline``, ``start_day``, the value as typed in
``value_kind``/``value_input``) and its current target and deadline; every change of target,
deadline or status is a ``goal_events`` row with its time, the history the alerts feature
announces from (``achieved``, ``missed``) and ``/target ID`` shows.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import ISODate, UTCDateTime

goals = Table(
    "goals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    Column("metric", String(64), nullable=False),
    Column("channel", String(200), nullable=True),  # a channel name; NULL: all own channels
    Column("campaign", String(100), nullable=True),
    # "absolute" (the target as typed), "percent" (+20%: of the baseline), "amount" (+5000)
    Column("value_kind", String(16), nullable=False),
    Column("value_input", Double, nullable=False),
    Column("target", Double, nullable=False),
    Column("baseline", Double, nullable=True),  # NULL: no history at creation
    Column("start_day", ISODate(), nullable=False),
    Column("deadline", ISODate(), nullable=False),
    # what the bot said at creation: the paces and its verdict (realistic, ambitious...)
    Column("required_per_week", Double, nullable=True),
    Column("historical_per_week", Double, nullable=True),
    Column("verdict", String(16), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("status_at", UTCDateTime(), nullable=True),
    # who set it, and where: the alerts feature announces to that chat
    Column("owner_id", String(64), nullable=False, server_default=""),
    Column("owner_name", String(100), nullable=False, server_default=""),
    Column("platform", String(32), nullable=False, server_default=""),
    Column("chat_id", String(64), nullable=False, server_default=""),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
Index("ix_goals_workspace_status", goals.c.workspace_id, goals.c.status)

goal_events = Table(
    "goal_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("goal_id", Integer, ForeignKey("goals.id", ondelete="CASCADE"), nullable=False),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           nullable=False),
    # created, edited, cancelled, achieved, missed
    Column("kind", String(16), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("day", ISODate(), nullable=False),  # the workspace's local day of the event
    Column("value", Double, nullable=True),  # the goal's current value then
    Column("target", Double, nullable=True),  # the target then (after an edit: the new one)
    Column("deadline", ISODate(), nullable=True),
    Column("detail", String(500), nullable=False, server_default=""),
    Column("by_user", String(64), nullable=False, server_default=""),
)
Index("ix_goal_events_workspace", goal_events.c.workspace_id, goal_events.c.id)
Index("ix_goal_events_goal", goal_events.c.goal_id)
