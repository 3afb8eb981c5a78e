"""The goals' SQL of the alert tick (``services/goal_signals.py``): the active goals and the
recent outcomes (two statements), the older sums of goals that started before the tick's
window (one statement), and the recorded outcomes (two statements per outcome)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from kpi_engine.domain.goal_model import ACHIEVED, ACTIVE, MISSED, Goal
from kpi_engine.storage import schema_goals as g
from kpi_engine.storage.alert_store import utc
from kpi_engine.storage.goal_store import goal_from_row
from kpi_engine.storage.types import bind_day

GoalEvents = dict[int, list[tuple[str, datetime, float | None]]]
Older = dict[tuple[int, str, str], float]  # (channel, counter, campaign) → Σ before the window


def load_goals(conn: Connection, events_since: datetime, workspace_ids: Sequence[int] | None
               ) -> tuple[dict[int, Goal], GoalEvents]:
    """Active goals, and goals with an achieved / missed event at or after ``events_since``
    with those events."""
    c, e = g.goals.c, g.goal_events.c
    q = select(g.goals).where(c.status == ACTIVE)
    if workspace_ids is not None:
        q = q.where(c.workspace_id.in_(list(workspace_ids)))
    goals = {int(r.id): goal_from_row(r) for r in conn.execute(q).all()}
    q = (select(g.goals, e.kind.label("event_kind"), e.at.label("event_at"),
                e.value.label("event_value"))
         .select_from(g.goal_events.join(g.goals, g.goals.c.id == e.goal_id))
         .where(e.kind.in_([ACHIEVED, MISSED]), e.at >= events_since)
         .order_by(e.id))
    if workspace_ids is not None:
        q = q.where(e.workspace_id.in_(list(workspace_ids)))
    events: GoalEvents = defaultdict(list)
    for r in conn.execute(q).all():
        goals.setdefault(int(r.id), goal_from_row(r))
        events[int(r.id)].append((r.event_kind, utc(r.event_at), r.event_value))
    return goals, events


def older_sums(conn: Connection, goal_ids: Sequence[int], pairs: Sequence[tuple[str, str]],
               before: date) -> dict[int, Older]:
    """Σ per (channel, counter, campaign) of the goals' days before ``before``, where
    ``pairs`` are (goal metric, stored counter) (one statement: goals ⨝ pairs ⨝ snapshots)."""
    out: dict[int, Older] = defaultdict(dict)
    if not goal_ids or not pairs:
        return out
    params: dict[str, Any] = {"ids": list(goal_ids),
                              "before": bind_day(conn, before)}
    selects = []
    for i, (goal_metric, stored) in enumerate(pairs):
        params[f"g{i}"], params[f"s{i}"] = goal_metric, stored
        selects.append(f"SELECT :g{i} AS gm, :s{i} AS sm")
    sql = ("SELECT g.id, s.channel_id, s.metric, s.campaign, SUM(s.value) FROM goals g"
           f" JOIN ({' UNION ALL '.join(selects)}) m ON m.gm = g.metric"
           " JOIN snapshots s ON s.workspace_id = g.workspace_id AND s.metric = m.sm"
           " AND s.day >= g.start_day AND s.day < :before AND s.day <= g.deadline"
           " AND (g.campaign IS NULL OR s.campaign = g.campaign)"
           " WHERE g.id IN :ids GROUP BY g.id, s.channel_id, s.metric, s.campaign")
    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    for gid, ch, metric, campaign, value in conn.execute(stmt, params).all():
        if value is not None:
            out[int(gid)][(int(ch), metric, str(campaign or ""))] = float(value)
    return out


def settle(conn: Connection, status: str, items: Sequence[tuple[Goal, float | None, date]],
           stamp: datetime) -> None:
    """Move the still-active goals of ``items`` to ``status`` and record an event for each
    goal that moved (as ``GoalStore.set_status`` does)."""
    moved = set(conn.execute(
        update(g.goals).where(g.goals.c.id.in_([x[0].id for x in items]),
                              g.goals.c.status == ACTIVE)
        .values(status=status, status_at=stamp, updated_at=stamp)
        .returning(g.goals.c.id)).scalars())
    rows = [{"goal_id": goal.id, "workspace_id": goal.workspace_id, "kind": status,
             "at": stamp, "day": day, "value": value, "target": goal.target,
             "deadline": goal.deadline, "detail": "", "by_user": ""}
            for goal, value, day in items if goal.id in moved]
    if rows:
        conn.execute(insert(g.goal_events), rows)
