"""The alert tick's change marks (issue 18), on the shared ``metadata``: one row per workspace.

- ``version`` goes up with every write that can change a rule's verdict (snapshots,
  channels, team rules, default rules turned on or off, goals): ``storage.tick_marks.touch``,
  called by the storage functions that write those, in their transaction.
- ``seen`` is the ``version`` the last tick evaluated, ``evaluated_at`` when, and ``due_at``
  the next moment time alone can change a verdict (the workspace's next local midnight, a
  firing rule's repeat); the tick evaluates a workspace when ``version > seen``, ``due_at``
  has come, or it has no row yet.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, Table

from kpi_engine.storage.schema import metadata
from kpi_engine.storage.types import UTCDateTime

tick_marks = Table(
    "tick_marks",
    metadata,
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"),
           primary_key=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("seen", Integer, nullable=False, server_default="0"),
    Column("evaluated_at", UTCDateTime(), nullable=True),
    Column("due_at", UTCDateTime(), nullable=True),
)
Index("ix_tick_marks_due", tick_marks.c.due_at)
