"""Where a workspace's data begins, per metric and channels: a counter summed over a period
its data covers only in part is no like-for-like number (bot/commands.py says so)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, and_, func, select, union_all

from kpi_engine.storage import schema as t


def first_day(conn: Connection, workspace_id: int, channel_ids: Sequence[int],
              metrics: Sequence[str]) -> date | None:
    """The first day any of ``metrics`` has a snapshot on any of the channels, in one
    statement: a ``UNION ALL`` of one index seek per (metric, channel) on the snapshots'
    primary key (workspace, metric, channel, day, ...)."""
    if not channel_ids or not metrics:
        return None
    s = t.snapshots.c
    seeks = [select(func.min(s.day).label("first")).where(and_(
        s.workspace_id == workspace_id, s.metric == metric, s.channel_id == channel_id))
        for metric in metrics for channel_id in channel_ids]
    firsts = union_all(*seeks).subquery() if len(seeks) > 1 else seeks[0].subquery()
    found = conn.execute(select(func.min(firsts.c.first))).scalar_one_or_none()
    if found is None or isinstance(found, date):
        return found
    return date.fromisoformat(str(found)[:10])  # SQLite: the ISO text through the union
