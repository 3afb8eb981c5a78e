"""Storage of goals, their events and the users seen in chats (SQLAlchemy Core).

A status changes once: ``set_status`` updates only an active goal (``… WHERE status =
'active'``) and writes the event in the same transaction, so two evaluations racing over the
same goal record one ``achieved``, never two.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from kpi_engine.domain.goal_model import ACTIVE, Goal, GoalEvent, GoalPlan
from kpi_engine.storage.schema import snapshots
from kpi_engine.storage.schema_goals import goal_events, goals
from kpi_engine.storage.store import Store
from kpi_engine.storage.tick_marks import touch


def _utc(when: datetime | None) -> datetime | None:
    """Aware UTC (SQLite hands back naive datetimes, stored as UTC)."""
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _day(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


class GoalStore:
    """Goals of workspaces, on the store's engine."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- goals --------------------------------------------------------------------------
    def add(self, workspace_id: int, plan: GoalPlan, *, now: datetime, owner_id: str = "",
            owner_name: str = "", platform: str = "", chat_id: str = "") -> Goal:
        """Store a planned goal and its ``created`` event, in one transaction."""
        now = _utc(now) or now
        request = plan.request
        with self.store.begin() as conn:
            result = conn.execute(insert(goals).values(
                workspace_id=workspace_id, metric=plan.metric, channel=request.channel,
                campaign=request.campaign, value_kind=plan.value_kind, value_input=plan.value,
                target=plan.target, baseline=plan.baseline, start_day=plan.start,
                deadline=request.deadline, required_per_week=plan.required_per_week,
                historical_per_week=plan.historical_per_week, verdict=plan.verdict.value,
                status=ACTIVE, owner_id=owner_id[:64], owner_name=owner_name[:100],
                platform=platform[:32], chat_id=chat_id[:64], created_at=now, updated_at=now))
            goal_id = _new_id(result)
            touch(conn, [workspace_id])
            self._event(conn, goal_id, workspace_id, "created", now, plan.today,
                        value=plan.current, target=plan.target, deadline=request.deadline,
                        detail=plan.verdict.value, by_user=owner_id)
            return self._get(conn, workspace_id, goal_id)  # type: ignore[return-value]

    def get(self, workspace_id: int, goal_id: int) -> Goal | None:
        with self.store.connect() as conn:
            return self._get(conn, workspace_id, goal_id)

    def _get(self, conn: Connection, workspace_id: int, goal_id: int) -> Goal | None:
        row = conn.execute(select(goals).where(and_(
            goals.c.id == goal_id, goals.c.workspace_id == workspace_id))).first()
        return goal_from_row(row) if row else None

    def list_goals(self, workspace_id: int, statuses: Iterable[str] | None = (ACTIVE,)) -> list[Goal]:
        """The workspace's goals with these statuses (None: all), oldest first."""
        q = select(goals).where(goals.c.workspace_id == workspace_id)
        if statuses is not None:
            q = q.where(goals.c.status.in_(list(statuses)))
        with self.store.connect() as conn:
            return [goal_from_row(r) for r in conn.execute(q.order_by(goals.c.id))]

    def for_metric(self, workspace_id: int, metric: str, channel: str | None = None,
                   campaign: str | None = None) -> list[Goal]:
        """Active goals on ``metric`` (for a chart's target line), same channel and campaign."""
        c = goals.c
        q = select(goals).where(and_(
            c.workspace_id == workspace_id, c.metric == metric, c.status == ACTIVE,
            c.channel.is_(None) if channel is None else c.channel == channel,
            c.campaign.is_(None) if campaign is None else c.campaign == campaign))
        with self.store.connect() as conn:
            return [goal_from_row(r) for r in conn.execute(q.order_by(c.id))]

    def update(self, goal: Goal, *, target: float, value_kind: str, value_input: float,
               deadline: date, now: datetime, day: date, by_user: str = "") -> Goal:
        """Change target and deadline of an active goal (baseline and start stay) and record
        an ``edited`` event saying what changed."""
        now = _utc(now) or now
        changes = []
        if target != goal.target:
            changes.append(f"target {goal.target:g} -> {target:g}")
        if deadline != goal.deadline:
            changes.append(f"deadline {goal.deadline.isoformat()} -> {deadline.isoformat()}")
        with self.store.begin() as conn:
            conn.execute(update(goals).where(goals.c.id == goal.id).values(
                target=target, value_kind=value_kind, value_input=value_input,
                deadline=deadline, updated_at=now))
            touch(conn, [goal.workspace_id])
            self._event(conn, goal.id, goal.workspace_id, "edited", now, day, target=target,
                        deadline=deadline, detail="; ".join(changes), by_user=by_user)
            found = self._get(conn, goal.workspace_id, goal.id)
        assert found is not None
        return found

    def set_status(self, goal: Goal, status: str, *, now: datetime, day: date,
                   value: float | None = None, by_user: str = "") -> GoalEvent | None:
        """Move an active goal to ``status`` and record the event; None when the goal was no
        longer active (someone else settled it first)."""
        now = _utc(now) or now
        with self.store.begin() as conn:
            moved = conn.execute(update(goals).where(and_(
                goals.c.id == goal.id, goals.c.status == ACTIVE)).values(
                status=status, status_at=now, updated_at=now))
            if moved.rowcount != 1:
                return None
            touch(conn, [goal.workspace_id])
            event_id = self._event(conn, goal.id, goal.workspace_id, status, now, day,
                                   value=value, target=goal.target, deadline=goal.deadline,
                                   by_user=by_user)
            row = conn.execute(select(goal_events).where(goal_events.c.id == event_id)).one()
        return _event(row)

    # -- events -------------------------------------------------------------------------
    def _event(self, conn: Connection, goal_id: int, workspace_id: int, kind: str,
               at: datetime, day: date, *, value: float | None = None,
               target: float | None = None, deadline: date | None = None, detail: str = "",
               by_user: str = "") -> int:
        result = conn.execute(insert(goal_events).values(
            goal_id=goal_id, workspace_id=workspace_id, kind=kind, at=at, day=day,
            value=value, target=target, deadline=deadline, detail=detail[:500],
            by_user=by_user[:64]))
        return _new_id(result)

    def events(self, workspace_id: int, *, goal_id: int | None = None, after_id: int = 0,
               kinds: Sequence[str] | None = None) -> list[GoalEvent]:
        """Events of a workspace (or one goal) after ``after_id``, in order: the alerts
        feature reads the new ``achieved`` / ``missed`` ones from here."""
        c = goal_events.c
        q = select(goal_events).where(and_(c.workspace_id == workspace_id, c.id > after_id))
        if goal_id is not None:
            q = q.where(c.goal_id == goal_id)
        if kinds is not None:
            q = q.where(c.kind.in_(list(kinds)))
        with self.store.connect() as conn:
            return [_event(r) for r in conn.execute(q.order_by(c.id))]


def _new_id(result: Any) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def goal_from_row(row: Any) -> Goal:
    return Goal(
        id=row.id, workspace_id=row.workspace_id, metric=row.metric, channel=row.channel,
        campaign=row.campaign, value_kind=row.value_kind, value_input=row.value_input,
        target=row.target, baseline=row.baseline, start=_day(row.start_day),
        deadline=_day(row.deadline), required_per_week=row.required_per_week,
        historical_per_week=row.historical_per_week, verdict=row.verdict, status=row.status,
        status_at=_utc(row.status_at), owner_id=row.owner_id, owner_name=row.owner_name,
        platform=row.platform, chat_id=row.chat_id, created_at=_utc(row.created_at))


def _event(row: Any) -> GoalEvent:
    return GoalEvent(
        id=row.id, goal_id=row.goal_id, workspace_id=row.workspace_id, kind=row.kind,
        at=_utc(row.at) or row.at, day=_day(row.day), value=row.value, target=row.target,
        deadline=_day(row.deadline) if row.deadline is not None else None,
        detail=row.detail, by_user=row.by_user)


def campaign_span(store: Store, workspace_id: int, campaign: str) -> tuple[date, date] | None:
    """The first and last day a campaign has snapshots (a campaign goal's or ``/roi``'s
    natural period), or None when it has none."""
    s = snapshots.c
    with store.connect() as conn:
        row = conn.execute(select(func.min(s.day), func.max(s.day)).where(and_(
            s.workspace_id == workspace_id, s.campaign == campaign))).one()
    if row[0] is None:
        return None
    return _day(row[0]), _day(row[1])
