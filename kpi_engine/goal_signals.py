"""Goals for the alert tick, set-based: the progress, forecast and outcome of every active
goal of every workspace from the tick's one read of recent data (``daily_window``), where
``goals.track`` reads one goal at a time.

The arithmetic is the goals feature's own (``kpi_engine.goal_math``, ``goals.outcome``); this
module only gathers the numbers in bulk:

- ``load_goals``: the active goals, and the goals with an ``achieved`` / ``missed`` event in
  the last 30 days (two statements);
- the current value over [start, min(today, deadline)] and the daily values of the 28-day
  trend come from the window; a goal that started before the window adds the sum of its
  older days (``older_sums``: one statement for all such goals, none when there are none);
- ``signals`` settles the goals whose outcome became known and ``settle`` records them as
  ``GoalStore.set_status`` does (a goal changes status once), for all of them at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from kpi_engine import goal_math as gm
from kpi_engine import schema_goals as g
from kpi_engine.alert_store import utc
from kpi_engine.alerts import GoalSignal
from kpi_engine.answers import UnknownChannel
from kpi_engine.daily_window import Window
from kpi_engine.goals import (
    ACHIEVED,
    ACTIVE,
    MISSED,
    Goal,
    Progress,
    anchors,
    goal_scope,
    measured_per_day,
    outcome,
    value_floor,
)
from kpi_engine.metrics import METRICS, Kind, Metric
from kpi_engine.model import Channel
from kpi_engine.query import ChannelSets, Needs, Span, Terms, Value, compute, needs_for

EVENT_LOOKBACK = timedelta(days=30)
SERIES_DAYS = gm.TREND_DAYS + 7  # the trend window, and a week of late data
_MAIN, _RIVALS = -1, -2  # pseudo channels: a day's totals over the goal's channels
_PSEUDO = ChannelSets((_MAIN,), (_RIVALS,))

GoalEvents = dict[int, list[tuple[str, datetime, float | None]]]
Settled = tuple[Goal, str, float | None, date]  # goal, outcome, value, local day


def goal_from_row(row: Any) -> Goal:
    from kpi_engine.goal_store import goal_from_row

    return goal_from_row(row)


def load_goals(conn: Connection, now: datetime, workspace_ids: Sequence[int] | None
               ) -> tuple[dict[int, Goal], GoalEvents]:
    """Active goals, and goals reached or missed lately with those events."""
    c, e = g.goals.c, g.goal_events.c
    q = select(g.goals).where(c.status == ACTIVE)
    if workspace_ids is not None:
        q = q.where(c.workspace_id.in_(list(workspace_ids)))
    goals = {int(r.id): goal_from_row(r) for r in conn.execute(q).all()}
    q = (select(g.goals, e.kind.label("event_kind"), e.at.label("event_at"),
                e.value.label("event_value"))
         .select_from(g.goal_events.join(g.goals, g.goals.c.id == e.goal_id))
         .where(e.kind.in_([ACHIEVED, MISSED]), e.at >= utc(now) - EVENT_LOOKBACK)
         .order_by(e.id))
    if workspace_ids is not None:
        q = q.where(e.workspace_id.in_(list(workspace_ids)))
    events: GoalEvents = defaultdict(list)
    for r in conn.execute(q).all():
        goals.setdefault(int(r.id), goal_from_row(r))
        events[int(r.id)].append((r.event_kind, utc(r.event_at), r.event_value))
    return goals, events


def stored_parts(goals: Sequence[Goal]) -> tuple[set[str], set[str]]:
    """The stored counters and gauges the goals' metrics are computed from."""
    needs = Needs()
    probe = Span(date(2000, 1, 1), date(2000, 1, 2))
    for metric in {x.metric for x in goals}:
        needs_for(METRICS[metric], probe, needs)
    return {m for m, _, _ in needs.sums}, {m for m, _ in needs.lasts}


def older_sums(conn: Connection, goals: Sequence[Goal], before: date
               ) -> dict[int, dict[tuple[int, str], float]]:
    """For goals that started before ``before``: Σ per (channel, counter) of their days
    before it (one statement: goals ⨝ their metric's counters ⨝ snapshots)."""
    older = [x for x in goals if x.start < before]
    counters, _ = stored_parts(older)
    out: dict[int, dict[tuple[int, str], float]] = defaultdict(dict)
    if not older or not counters:
        return out
    pairs = sorted({(x.metric, m) for x in older for m in stored_parts([x])[0]})
    params: dict[str, Any] = {"ids": sorted(x.id for x in older),
                              "before": before.isoformat() if conn.dialect.name == "sqlite"
                              else before}
    selects = []
    for i, (goal_metric, stored) in enumerate(pairs):
        params[f"g{i}"], params[f"s{i}"] = goal_metric, stored
        selects.append(f"SELECT :g{i} AS gm, :s{i} AS sm")
    sql = ("SELECT g.id, s.channel_id, s.metric, SUM(s.value) FROM goals g"
           f" JOIN ({' UNION ALL '.join(selects)}) m ON m.gm = g.metric"
           " JOIN snapshots s ON s.workspace_id = g.workspace_id AND s.metric = m.sm"
           " AND s.day >= g.start_day AND s.day < :before AND s.day <= g.deadline"
           " AND (g.campaign IS NULL OR s.campaign = g.campaign)"
           " WHERE g.id IN :ids GROUP BY g.id, s.channel_id, s.metric")
    stmt = text(sql).bindparams(bindparam("ids", expanding=True))
    for gid, ch, metric, value in conn.execute(stmt, params).all():
        if value is not None:
            out[int(gid)][(int(ch), metric)] = float(value)
    return out


def signals(goals: dict[int, Goal], events: GoalEvents, today: dict[int, date],
            channels: dict[int, list[Channel]], window: Window,
            older: dict[int, dict[tuple[int, str], float]], now: datetime
            ) -> tuple[dict[int, list[GoalSignal]], list[Settled]]:
    """Every goal's signal, and the outcomes that became known at ``now`` (their events are
    in the signals already)."""
    out: dict[int, list[GoalSignal]] = defaultdict(list)
    settled: list[Settled] = []
    for goal in goals.values():
        found = list(events.get(goal.id, []))
        day = today.get(goal.workspace_id)
        if goal.status != ACTIVE or day is None:
            out[goal.workspace_id].append(_signal(goal, None, found))
            continue
        progress = _progress(goal, day, channels.get(goal.workspace_id, []), window,
                             older.get(goal.id, {}))
        result = outcome(progress) if progress is not None and day >= goal.start else None
        if result is not None and progress is not None:
            settled.append((goal, result, progress.current, day))
            found.append((result, utc(now), progress.current))
            goal = replace(goal, status=result)
        out[goal.workspace_id].append(_signal(goal, progress, found))
    return dict(out), settled


def settle(conn: Connection, settled: Sequence[Settled], now: datetime) -> None:
    """Record the outcomes as ``GoalStore.set_status`` does — only an active goal moves and
    only a moved goal gets its event — in two statements per outcome."""
    by_status: dict[str, list[Settled]] = defaultdict(list)
    for item in settled:
        by_status[item[1]].append(item)
    stamp = utc(now)
    for status, items in by_status.items():
        moved = set(conn.execute(
            update(g.goals).where(g.goals.c.id.in_([x[0].id for x in items]),
                                  g.goals.c.status == ACTIVE)
            .values(status=status, status_at=stamp, updated_at=stamp)
            .returning(g.goals.c.id)).scalars())
        rows = [{"goal_id": goal.id, "workspace_id": goal.workspace_id, "kind": status,
                 "at": stamp, "day": day, "value": value, "target": goal.target,
                 "deadline": goal.deadline, "detail": "", "by_user": ""}
                for goal, _, value, day in items if goal.id in moved]
        if rows:
            conn.execute(insert(g.goal_events), rows)


def _progress(goal: Goal, today: date, channels: list[Channel], window: Window,
              older: dict[tuple[int, str], float]) -> Progress | None:
    """The goal's ``Progress`` on ``today``, as ``goals.track`` computes it."""
    try:
        scope = goal_scope(channels, goal.channel)
    except UnknownChannel:
        return None
    metric = goal.definition
    shape = goal.shape
    end = min(today, goal.deadline)
    span = Span(goal.start, end)
    value = Value(None)
    if end >= goal.start:
        first = max(goal.start, window.counters_from)
        inner = needs_for(metric, Span(first, end), Needs())
        part = window.terms(goal.workspace_id, scope.channel_ids, inner, goal.campaign)
        terms = Terms()
        for (ch, (m, _, _)), v in part.sums.items():
            terms.sums[(ch, (m, span.start, span.end))] = v
        for (ch, m), v in older.items():
            key = (ch, (m, span.start, span.end))
            terms.sums[key] = terms.sums.get(key, 0.0) + v
        for (ch, (m, _)), level in part.lasts.items():
            terms.lasts[(ch, (m, span.end))] = level
        value = compute(metric, span, terms, scope.sets)
        if value.value is not None and measured_per_day(metric):
            value = Value(value.value / ((span.end - span.start).days + 1), value.as_of,
                          value.numerator, value.denominator)
    series = _series(goal, scope.sets, window, end)
    trend_end, anchor = anchors(shape, value, series, goal.start, end)
    line = gm.forecast_line(shape, series, trend_end, value.value, goal.deadline,
                            anchor=anchor, floor=value_floor(metric))
    forecast = None if line is None else line[-1][1]
    return Progress(
        goal=goal, today=today, current=value.value, as_of=anchor,
        progress_pct=gm.progress_pct(shape, value.value, goal.baseline, goal.target,
                                     goal.sign),
        required_per_week=None, recent_per_week=None, historical_per_week=None,
        forecast=forecast,
        on_track=gm.on_track(shape, metric, forecast, goal.baseline, goal.target, goal.sign),
        days_left=max(0, (goal.deadline - today).days))


def _series(goal: Goal, sets: ChannelSets, window: Window, end: date
            ) -> list[tuple[date, float | None]]:
    """The goal's daily values over the trend window (``series.daily_series``' meaning:
    each day's counters summed over the goal's channels, each gauge's level carried forward,
    then the formulas of SPEC §3)."""
    first = end - timedelta(days=SERIES_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(SERIES_DAYS)]
    i0 = window.index(first)
    vectors: dict[tuple[str, bool], list[float | None]] = {}

    def vector(metric: str, rivals: bool) -> list[float | None]:
        """The stored metric per day, summed over the goal's own (or rival) channels."""
        found = vectors.get((metric, rivals))
        if found is not None:
            return found
        out: list[float | None] = [None] * SERIES_DAYS
        gauge = METRICS[metric].kind is Kind.GAUGE
        for ch in sets.competitors if rivals else sets.main:
            for camp in window.series.get((goal.workspace_id, ch, metric), {}):
                if goal.campaign is not None and camp != goal.campaign:
                    continue
                raw = window.carried((goal.workspace_id, ch, metric), camp) if gauge else \
                    window.series[(goal.workspace_id, ch, metric)][camp]
                for j in range(SERIES_DAYS):
                    i = i0 + j
                    v = raw[i] if 0 <= i < len(raw) else None
                    if v is not None:
                        prev = out[j]
                        out[j] = v if prev is None else prev + v
        vectors[(metric, rivals)] = out
        return out

    values = _daily(goal.definition, vector)
    if values is None:  # a metric the fast path does not cover: compute day by day
        terms = Terms()
        stored = needs_for(goal.definition, Span(first, first), Needs())
        for group, rivals in ((_MAIN, False), (_RIVALS, True)):
            for metric in {m for m, _, _ in stored.sums}:
                for day, v in zip(days, vector(metric, rivals), strict=True):
                    if v is not None:
                        terms.sums[(group, (metric, day, day))] = v
            for metric in {m for m, _ in stored.lasts}:
                for day, v in zip(days, vector(metric, rivals), strict=True):
                    if v is not None:
                        terms.lasts[(group, (metric, day))] = (v, day)
        values = [compute(goal.definition, Span(day, day), terms, _PSEUDO).value
                  for day in days]
    return list(zip(days, values, strict=True))


Vector = Callable[[str, bool], list[float | None]]


def _add(a: list[float | None], b: list[float | None]) -> list[float | None]:
    return [x if y is None else (y if x is None else x + y) for x, y in zip(a, b, strict=True)]


def _daily(metric: Metric, vector: Vector) -> list[float | None] | None:
    """``query.compute`` over one-day spans, a whole series at once; None for the metrics
    it leaves to ``compute`` (competitor mentions, share of voice, follower growth)."""
    if metric.key in ("competitor_mentions", "share_of_voice") or \
            metric.kind is Kind.GAUGE_DELTA:
        return None
    if metric.kind is Kind.COUNTER:
        out: list[float | None] = [None] * SERIES_DAYS
        for part in metric.parts or (metric.key,):
            out = _add(out, vector(part, False))
        return out
    if metric.kind is Kind.GAUGE:
        return vector(metric.key, False)

    def side(expr: str) -> list[float | None] | None:
        out: list[float | None] = [None] * SERIES_DAYS
        for key in expr.split("+"):
            found = _daily(METRICS[key], vector)
            if found is None:
                return None
            out = _add(out, found)
        return out

    assert metric.numerator and metric.denominator
    num, den = side(metric.numerator), side(metric.denominator)
    minus = side(metric.numerator_minus) if metric.numerator_minus else None
    if num is None or den is None or (metric.numerator_minus and minus is None):
        return None
    if minus is not None:
        num = [None if n is None or m is None else n - m for n, m in zip(num, minus, strict=True)]
    return [None if n is None or not d else metric.scale * n / d
            for n, d in zip(num, den, strict=True)]


def _signal(goal: Goal, progress: Progress | None,
            events: list[tuple[str, datetime, float | None]]) -> GoalSignal:
    return GoalSignal(
        goal_id=goal.id, metric=goal.metric, channel=goal.channel, target=goal.target,
        deadline=goal.deadline, status=goal.status,
        current=progress.current if progress else None, baseline=goal.baseline,
        progress_pct=progress.progress_pct if progress else None,
        forecast=progress.forecast if progress else None,
        on_track=progress.on_track if progress else None,
        events=tuple(events), platform=goal.platform, chat_id=goal.chat_id)
