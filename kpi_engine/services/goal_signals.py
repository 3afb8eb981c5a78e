"""Goals for the alert tick, set-based: the progress, forecast and outcome of every active
goal of every workspace from the tick's one read of recent data (``daily_window``), where
``goals.track`` reads one goal at a time.

The arithmetic is the goals feature's own (``kpi_engine.domain.goal_math``, ``goals.outcome``); this
module only gathers the numbers in bulk:

- ``load_goals``: the active goals, and the goals with an ``achieved`` / ``missed`` event in
  the last 30 days (two statements);
- the current value over [start, min(today, deadline)] and the daily values of the 28-day
  trend come from the window, per (channel, campaign) so the engine's formulas apply as they
  are (engagement rate per post by audience, paid-only cost ratios, SPEC §3.1); a goal that
  started before the window adds the sums of its older days (``older_sums``: one statement
  for all such goals, none when there are none);
- the progress, pace, forecast and judgement are ``goals.progress_of``'s: one pace model for
  the verdict, ``/target`` and the alerts; a goal that has not started, or has not run
  ``goal_math.judged_after`` days, is not judged (no off-track alert);
- ``signals`` settles the goals whose outcome became known and ``settle`` records them as
  ``GoalStore.set_status`` does (a goal changes status once), for all of them at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from kpi_engine.domain import goal_math as gm
from kpi_engine.domain.alerts import GoalSignal
from kpi_engine.domain.formulas import ChannelSets, Needs, Span, Terms, Value, compute, needs_for
from kpi_engine.domain.goal_model import ACTIVE, Goal
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Channel
from kpi_engine.services.answers import UnknownChannel
from kpi_engine.services.goals import Progress, goal_scope, outcome, progress_of
from kpi_engine.storage import tick_goals as tg
from kpi_engine.storage.alert_store import utc
from kpi_engine.storage.daily_window import Window

EVENT_LOOKBACK = timedelta(days=30)
SERIES_DAYS = gm.TREND_DAYS + gm.LATE_DAYS  # the pace's window, and a week of late data

GoalEvents = tg.GoalEvents
Older = tg.Older
Settled = tuple[Goal, str, float | None, date]  # goal, outcome, value, local day


def load_goals(conn: Connection, now: datetime, workspace_ids: Sequence[int] | None
               ) -> tuple[dict[int, Goal], GoalEvents]:
    """Active goals, and goals reached or missed lately with those events."""
    return tg.load_goals(conn, utc(now) - EVENT_LOOKBACK, workspace_ids)


def stored_parts(goals: Sequence[Goal]) -> tuple[set[str], set[str]]:
    """The stored counters and gauges the goals' metrics are computed from."""
    needs = Needs()
    probe = Span(date(2000, 1, 1), date(2000, 1, 2))
    for metric in {x.metric for x in goals}:
        needs_for(METRICS[metric], probe, needs)
    return {m for m, _, _ in needs.sums}, {m for m, _ in needs.lasts}


def older_sums(conn: Connection, goals: Sequence[Goal], before: date) -> dict[int, Older]:
    """For goals that started before ``before``: Σ per (channel, counter, campaign) of their
    days before it (one statement: goals ⨝ their metric's counters ⨝ snapshots)."""
    older = [x for x in goals if x.start < before]
    counters, _ = stored_parts(older)
    out: dict[int, Older] = defaultdict(dict)
    if not older or not counters:
        return out
    pairs = sorted({(x.metric, m) for x in older for m in stored_parts([x])[0]})
    return tg.older_sums(conn, sorted(x.id for x in older), pairs, before)


def signals(goals: dict[int, Goal], events: GoalEvents, today: dict[int, date],
            channels: dict[int, list[Channel]], window: Window,
            older: dict[int, Older], now: datetime
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
        tg.settle(conn, status, [(goal, value, day) for goal, _, value, day in items], stamp)


def _progress(goal: Goal, today: date, channels: list[Channel], window: Window,
              older: Older) -> Progress | None:
    """The goal's ``Progress`` on ``today``, as ``goals.track`` computes it (the same
    ``goals.progress_of``), from the window."""
    try:
        scope = goal_scope(channels, goal.channel)
    except UnknownChannel:
        return None
    metric = goal.definition
    end = min(today, goal.deadline)
    span = Span(goal.start, end)
    value = Value(None)
    if end >= goal.start:
        first = max(goal.start, window.counters_from)
        terms = _terms(goal, window, scope.channel_ids, [span], {span: first}, older)
        value = compute(metric, span, terms, scope.sets)
    series = _series(goal, scope.sets, scope.channel_ids, window, end)
    return progress_of(goal, today, value, series)


def _terms(goal: Goal, window: Window, channel_ids: Sequence[int], spans: Sequence[Span],
           firsts: dict[Span, date], older: Older | None = None) -> Terms:
    """``formulas.Terms`` of the goal's metric over ``spans``, per (channel, campaign), from the
    window (a span's counters summed from ``firsts[span]``, plus ``older`` for the goal's own
    span; a one-day span reads its day directly); gauges at each span's end."""
    ws, metric = goal.workspace_id, goal.definition
    needs = Needs()
    for one in spans:
        needs_for(metric, one, needs)
    counters = {m for m, _, _ in needs.sums}
    terms = Terms()
    for ch in channel_ids:
        for m in counters:
            key = (ws, ch, m)
            for camp, raw in window.series.get(key, {}).items():
                if goal.campaign is not None and camp != goal.campaign:
                    continue
                for span in spans:
                    if span.start == span.end and span not in firsts:
                        i = window.index(span.start)
                        v = raw[i] if 0 <= i < len(raw) else None
                    else:
                        v = window.total(key, firsts.get(span, span.start), span.end, camp)
                    if v is not None:
                        terms.add_sum(ch, camp, (m, span.start, span.end), v)
        for (och, m, camp), v in (older or {}).items():  # the goal's days before the window
            if och != ch or m not in counters:
                continue
            for span in spans:
                term = (m, span.start, span.end)
                had = terms.pairs.get((ch, camp, term), 0.0)
                terms.pairs[(ch, camp, term)] = had + v
                terms.sums[(ch, term)] = terms.sums.get((ch, term), 0.0) + v
        for m, day in needs.lasts:
            level = window.level((ws, ch, m), day, goal.campaign)
            if level is not None:
                terms.lasts[(ch, (m, day))] = level
    return terms


def _series(goal: Goal, sets: ChannelSets, channel_ids: Sequence[int], window: Window,
            end: date) -> list[tuple[date, float | None]]:
    """The goal's daily values over the trend window: ``formulas.compute`` over each one-day
    span, channel by channel (``series.daily_series``' meaning)."""
    first = end - timedelta(days=SERIES_DAYS - 1)
    days = [first + timedelta(days=i) for i in range(SERIES_DAYS)]
    spans = [Span(d, d) for d in days]
    terms = _terms(goal, window, channel_ids, spans, {})
    return [(d, compute(goal.definition, s, terms, sets).value) for d, s in zip(days, spans,
                                                                              strict=True)]


def _signal(goal: Goal, progress: Progress | None,
            events: list[tuple[str, datetime, float | None]]) -> GoalSignal:
    return GoalSignal(
        goal_id=goal.id, metric=goal.metric, channel=goal.channel, target=goal.target,
        deadline=goal.deadline, status=goal.status,
        current=progress.current if progress else None, baseline=goal.baseline,
        progress_pct=progress.progress_pct if progress else None,
        forecast=progress.forecast if progress else None,
        on_track=progress.on_track if progress else None,
        basis=progress.basis if progress else "target",
        forecast_pct=progress.forecast_pct if progress else None,
        days_run=progress.days_run if progress else 0,
        judge_after=progress.judge_after if progress else 1, start=goal.start,
        events=tuple(events), platform=goal.platform, chat_id=goal.chat_id)
