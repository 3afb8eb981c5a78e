"""Goals (SPEC §6): SMART targets on one metric, optionally one channel and one campaign.

What a marketing team expects, and so what this module does (the arithmetic is in
``kpi_engine.domain.goal_math``):

- **Counters** (reach, conversions, revenue…) have *total* goals: the total since the start
  day (the day the goal is set) must reach the target by the deadline; progress is
  ``current / target``. The baseline is the total over the same number of days just before the
  start ("the last comparable stretch"), so ``reach +20% 3 bulan`` means: in the next three
  months, 20 % more reach than in the three months before. ``+5000`` adds to that baseline.
- **Gauges** (followers, subscribers) have *growth* goals: the baseline is the level at
  creation; ``followers +20%`` aims at 1.2 × that level, ``followers 50rb`` at 50 000.
  Progress is ``(current − baseline) / (target − baseline)``: 0 % the day it is set.
- **Ratios** (ER, CTR, ROI…) have growth goals on the ratio since the start day, computed by
  the engine's own formula (``formulas.compute``: engagement rate per post by audience, cost
  ratios paid-only, SPEC §3.1); the baseline is the ratio over the same number of days before
  the start (at most 90). A ratio goal is judged at its deadline, not on a single good day.
- **Nothing from the future** (SPEC §3.1): a goal whose window starts later ("bulan depan")
  takes its baseline from the same number of days ending today; paces and forecasts read the
  days up to today only, and a goal that has not started is never off track.
- **One pace model** (``goal_math``): the verdict at creation and the on/off-track judgement
  come from the same pace, reference and forecast (``outlook``), so they cannot disagree; off
  track is judged only once the goal has run ``goal_math.judged_after`` days.
- ``follower_growth X`` is read as ``followers +X``; ``follower_growth_rate X%`` as
  ``followers +X%``.
- A goal on a platform without a channel yet, or on a scope without data, has no history:
  its verdict is "no history yet"; a missing baseline counts as 0 for progress, and a
  relative value (``+20%``) is refused (there is nothing to be relative to).

Everything here is a function of the data and a given ``today`` (and ``now`` for the time
stamps of status changes): the clock is never read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kpi_engine.domain import goal_math as gm
from kpi_engine.domain.formulas import Needs, Span, Value, compute, gauge_as_of, needs_for
from kpi_engine.domain.goal_math import Shape
from kpi_engine.domain.goal_model import (
    ACHIEVED,
    ACTIVE,
    CANCELLED,
    MISSED,
    Goal,
    GoalError,
    GoalEvent,
    GoalPlan,
    GoalRequest,
)
from kpi_engine.domain.metrics import METRICS, Metric
from kpi_engine.domain.model import PLATFORMS, Channel, parse_channel_name
from kpi_engine.services.answers import Scope, UnknownChannel, resolve_scope
from kpi_engine.services.series import daily_series
from kpi_engine.storage.goal_store import GoalStore
from kpi_engine.storage.store import Store
from kpi_engine.storage.terms import fetch_terms


@dataclass(frozen=True)
class Progress:
    """Where a goal stands on ``today``."""

    goal: Goal
    today: date
    current: float | None
    as_of: date | None  # the last day with data the numbers go to
    progress_pct: float | None
    required_per_week: float | None  # None once the deadline is over
    recent_per_week: float | None  # the one pace: the trend of the 28 days up to today
    forecast: float | None
    on_track: bool | None  # None: no forecast yet, or not judged yet (see ``judged``)
    days_left: int
    forecast_pct: float | None = None  # the forecast on the goal's scale
    days_run: int = 0  # days of the window up to today (0: not started)
    judge_after: int = 1  # off track is judged from this many days run
    gauge_from: date | None = None  # a level older than the start: "per <day>"
    #: the daily series from the start (or 90 days back, when earlier) to today
    series: tuple[tuple[date, float | None], ...] = ()
    forecast_line: tuple[tuple[date, float], ...] = ()  # from the last data to the deadline

    def chart_series(self) -> list[tuple[date, float | None]]:
        """What a goal chart draws against its target: a total's running sum since the start
        (to the last day with data); a level's or ratio's daily values since the start (at
        least the 28-day trend window)."""
        goal = self.goal
        if goal.shape is Shape.TOTAL:
            last = self.as_of if self.as_of is not None else goal.start - timedelta(days=1)
            total, points = 0.0, []
            for day, value in self.series:
                if day < goal.start:
                    continue
                total += value or 0.0
                points.append((day, total if day <= last else None))
            return points
        first = min(goal.start, self.today - timedelta(days=gm.TREND_DAYS - 1))
        return [(d, v) for d, v in self.series if d >= first]

    @property
    def basis(self) -> str:
        """What ``progress_pct`` and ``forecast_pct`` are percentages of (``goal_math``)."""
        g = self.goal
        return gm.progress_basis(g.shape, g.baseline, g.target, g.sign,
                                 gm.is_ceiling(g.definition))

    @property
    def judged(self) -> bool:
        """Whether the goal has run long enough for on/off track to be judged."""
        return self.days_run >= self.judge_after

    @property
    def status(self) -> str:
        """The goal's status, or for an active goal ``on_track``/``off_track``, ``unknown``
        (no forecast), ``not_started`` or ``too_early`` (not run long enough to judge)."""
        if not self.goal.active:
            return self.goal.status
        if self.days_run == 0:
            return "not_started"
        if not self.judged:
            return "too_early"
        if self.on_track is None:
            return "unknown"
        return "on_track" if self.on_track else "off_track"


# ----------------------------------------------------------------------------- values

def goal_scope(channels: Sequence[Channel], name: str | None) -> Scope:
    """The goal's channels; a known platform without a channel yet is an empty scope."""
    try:
        return resolve_scope(channels, name)
    except UnknownChannel:
        platform, handle = parse_channel_name(name or "")
        if platform in PLATFORMS and not handle:
            return Scope((), (), label=platform)
        raise


def _values(store: Store, workspace_id: int, scope: Scope, metric: Metric,
            spans: Sequence[Span], campaign: str | None) -> list[Value]:
    """``metric`` over each span, in one statement (the engine's ``fetch_terms``)."""
    needs = Needs()
    for span in spans:
        needs_for(metric, span, needs)
    ids = scope.channel_ids if needs.competitor_mentions else sorted(c.id for c in scope.main)
    with store.connect() as conn:
        terms = fetch_terms(conn, workspace_id, ids, needs, campaign)
    return [compute(metric, span, terms, scope.sets) for span in spans]


def _series(store: Store, workspace_id: int, scope: Scope, metric: Metric, first: date,
            last: date, campaign: str | None) -> list[tuple[date, float | None]]:
    with store.connect() as conn:
        return daily_series(conn, workspace_id, scope.sets, metric.key, first, last, campaign)


def anchors(shape: Shape, value: Value, series: gm.Series, start: date,
             end: date) -> tuple[date | None, date | None]:
    """``(trend_end, anchor)``: the last day with data (the 28-day trend ends there; for a
    level, the day of its last recorded value) and the day the current value runs to (never
    before the day before the start)."""
    trend_end = value.as_of if shape is Shape.LEVEL else gm.last_day_with_data(series, end)
    if trend_end is None:
        return None, None
    return trend_end, max(trend_end, start - timedelta(days=1))


def _pace_sign(metric: Metric, sign: int) -> int:
    """A budget's required pace is what may still be spent per week: never negative."""
    return 1 if gm.is_ceiling(metric) else sign


def value_floor(metric: Metric) -> float | None:
    return None if metric.key == "roi" else 0.0


@dataclass(frozen=True)
class Outlook:
    """Where a goal is heading, by the one pace model (``goal_math``): what plan, track and
    the alert tick all judge by."""

    anchor: date | None  # the day the current value runs to
    days_left: int  # the days after the anchor (never before the start) to the deadline
    required_per_week: float
    pace_per_week: float | None
    forecast: float | None
    forecast_pct: float | None
    on_track: bool | None  # the forecast's judgement (before the days-run gate)
    line: tuple[tuple[date, float], ...] = ()


def outlook(metric: Metric, sign: int, baseline: float | None, target: float, start: date,
            deadline: date, today: date, value: Value, series: gm.Series) -> Outlook:
    """The reference (where the goal stands: its current value, else the baseline of a
    growth goal; a ratio goal's baseline until it has run ``judged_after`` days), the
    required pace from there, the one pace, and the forecast
    ``reference + pace × days left`` with its judgement. Reads nothing after ``today``."""
    shape = gm.shape_of(metric)
    end = min(today, deadline)
    trend_end, anchor = anchors(shape, value, series, start, end)
    left = gm.days_left(deadline, anchor, today, start)
    current = value.value
    reference = current if current is not None or shape is Shape.TOTAL else baseline
    if shape is Shape.RATIO and gm.days_run(start, deadline, today) < \
            gm.judged_after(start, deadline):
        reference = baseline  # a ratio of a day or two says little: it stands at its baseline
    required = gm.required_per_week(reference, target, left, _pace_sign(metric, sign))
    pace = None
    if trend_end is not None and trend_end >= end - timedelta(days=gm.LATE_DAYS):
        pace = gm.pace_per_day(shape, series, trend_end)  # data a week old or more: no pace
    if today > deadline or (anchor is not None and anchor >= deadline):
        forecast = current
    else:
        forecast = gm.forecast_value(reference, pace, left, value_floor(metric))
    line: tuple[tuple[date, float], ...] = ()
    if forecast is not None:
        here = anchor or min(today, deadline)
        line = ((here, reference if reference is not None else 0.0), (deadline, forecast)) \
            if here < deadline else ((deadline, forecast),)
    return Outlook(anchor, left, required, gm.per_week(pace), forecast,
                   gm.forecast_pct(shape, forecast, baseline, target, sign),
                   gm.on_track(shape, metric, forecast, baseline, target, sign), line)


# ----------------------------------------------------------------------------- create

def _translate(request: GoalRequest) -> tuple[str, str, float]:
    """follower_growth X → followers +X; follower_growth_rate X% → followers +X%."""
    if request.metric == "follower_growth":
        return "followers", "amount", request.value
    if request.metric == "follower_growth_rate":
        return "followers", "percent", request.value
    return request.metric, request.value_kind, request.value


def target_from(value_kind: str, value: float, baseline: float | None) -> float:
    """The absolute target a value means: as typed, ``baseline × (1 + value/100)`` or
    ``baseline + value``. Raises ``GoalError("no_baseline")`` for a relative value without
    a baseline."""
    if value_kind == "absolute":
        return value
    if baseline is None or (value_kind == "percent" and baseline == 0):
        raise GoalError("no_baseline")
    if value_kind == "percent":
        return baseline * (1.0 + value / 100.0)
    return baseline + value


def _check_target(metric: Metric, target: float) -> None:
    if target <= 0 and metric.key != "roi":
        raise GoalError("bad_target", target=target)


def plan_goal(store: Store, workspace_id: int, channels: Sequence[Channel],
              request: GoalRequest, today: date) -> GoalPlan:
    """Work out a goal set ``today``: its baseline, target, paces and verdict. Reads only.

    Raises ``GoalError`` and ``answers.UnknownChannel``.
    """
    key, value_kind, value = _translate(request)
    metric = METRICS[key]
    shape = gm.shape_of(metric)
    if request.deadline < today:
        raise GoalError("deadline_past")
    if shape is Shape.LEVEL and request.campaign:
        raise GoalError("level_campaign", metric=key)
    scope = goal_scope(channels, request.channel)
    start = today if shape is Shape.LEVEL or request.start is None else request.start
    length = (request.deadline - start).days + 1
    if shape is Shape.LEVEL:
        base_span = Span(today, today)
    else:
        back = length if shape is Shape.TOTAL else min(length, gm.HISTORY_DAYS)
        # SPEC §3.1: a window that starts later is compared with the same days ending today
        base_end = min(start - timedelta(days=1), today)
        base_span = Span(base_end - timedelta(days=back - 1), base_end)
    spans = [base_span] + ([Span(start, today)] if start <= today else [])
    base_value, *so_far = _values(store, workspace_id, scope, metric, spans, request.campaign)
    now_value = so_far[0] if so_far else Value(None)
    baseline = base_value.value
    target = target_from(value_kind, value, baseline)
    _check_target(metric, target)
    series = _series(store, workspace_id, scope, metric, today - timedelta(days=gm.HISTORY_DAYS),
                     today, request.campaign)
    sign = gm.direction(shape, baseline, target, metric)
    view = outlook(metric, sign, baseline, target, start, request.deadline, today, now_value,
                   series)
    verdict, multiple = gm.verdict(view.required_per_week, view.pace_per_week, sign,
                                   gm.is_ceiling(metric), view.on_track)
    return GoalPlan(request, key, value_kind, value, start, today, target, baseline,
                    base_span, now_value.value, view.days_left, view.required_per_week,
                    view.pace_per_week, verdict, multiple, view.forecast, view.forecast_pct,
                    view.on_track)


def create_goal(store: Store, goals: GoalStore, workspace_id: int,
                channels: Sequence[Channel], request: GoalRequest, today: date,
                now: datetime, *, owner_id: str = "", owner_name: str = "",
                platform: str = "", chat_id: str = "") -> tuple[Goal, GoalPlan]:
    """Plan and store a goal (with its ``created`` event)."""
    plan = plan_goal(store, workspace_id, channels, request, today)
    goal = goals.add(workspace_id, plan, now=now, owner_id=owner_id, owner_name=owner_name,
                     platform=platform, chat_id=chat_id)
    return goal, plan


def edit_goal(goals: GoalStore, goal: Goal, today: date, now: datetime, *,
              value_kind: str | None = None, value: float | None = None,
              deadline: date | None = None, by_user: str = "") -> Goal:
    """Change an active goal's target (read against its original baseline) and/or deadline;
    the baseline and start stay, the change is an ``edited`` event."""
    if not goal.active:
        raise GoalError("not_active", status=goal.status)
    new_target, new_kind, new_input = goal.target, goal.value_kind, goal.value_input
    if value_kind is not None and value is not None:
        new_target = target_from(value_kind, value, goal.baseline)
        _check_target(goal.definition, new_target)
        new_kind, new_input = value_kind, value
    new_deadline = goal.deadline if deadline is None else deadline
    if deadline is not None and (deadline < today or deadline < goal.start):
        raise GoalError("deadline_past")
    return goals.update(goal, target=new_target, value_kind=new_kind, value_input=new_input,
                        deadline=new_deadline, now=now, day=today, by_user=by_user)


# ------------------------------------------------------------------ the chat's use cases
# ``/target`` (``/goal``) and ``/grafik``'s target line call these with the store; the goal
# table behind it is ``storage/goal_store.py``'s.

def set_goal(store: Store, workspace_id: int, channels: Sequence[Channel],
             request: GoalRequest, today: date, now: datetime, *, owner_id: str = "",
             owner_name: str = "", platform: str = "", chat_id: str = ""
             ) -> tuple[Goal, GoalPlan]:
    """Plan and store a goal in the workspace (``create_goal`` on its goal table)."""
    return create_goal(store, GoalStore(store), workspace_id, channels, request, today, now,
                       owner_id=owner_id, owner_name=owner_name, platform=platform,
                       chat_id=chat_id)


def change_goal(store: Store, goal: Goal, today: date, now: datetime, *,
                value_kind: str | None = None, value: float | None = None,
                deadline: date | None = None, by_user: str = "") -> Goal:
    """A new target and/or deadline for an active goal (``edit_goal`` on its goal table)."""
    return edit_goal(GoalStore(store), goal, today, now, value_kind=value_kind, value=value,
                     deadline=deadline, by_user=by_user)


def find_goal(store: Store, workspace_id: int, goal_id: int) -> Goal | None:
    """Goal ``goal_id`` of this workspace (any status), or None."""
    return GoalStore(store).get(workspace_id, goal_id)


def goal_history(store: Store, workspace_id: int, goal_id: int) -> list[GoalEvent]:
    """The goal's events (created, edited, achieved …), oldest first."""
    return GoalStore(store).events(workspace_id, goal_id=goal_id)


def goals_progress(store: Store, workspace_id: int, channels: Sequence[Channel], today: date,
                   *, everything: bool = False) -> list[Progress]:
    """The progress of the workspace's active goals (``everything``: of all), oldest first."""
    found = GoalStore(store).list_goals(workspace_id, None if everything else (ACTIVE,))
    return [track(store, workspace_id, channels, g, today) for g in found]


def cancel_goal(store: Store, workspace_id: int, channels: Sequence[Channel], goal: Goal,
                today: date, now: datetime, *, by_user: str = "") -> tuple[Goal, Progress]:
    """Cancel an active goal, keeping the value it had reached in its ``cancelled`` event;
    the cancelled goal and its progress. ``GoalError("not_active")`` when it is settled."""
    if not goal.active:
        raise GoalError("not_active", status=goal.status)
    reached = track(store, workspace_id, channels, goal, today, trend=False)
    goals = GoalStore(store)
    goals.set_status(goal, CANCELLED, now=now, day=today, value=reached.current,
                     by_user=by_user)
    cancelled = goals.get(workspace_id, goal.id)
    if cancelled is None:  # pragma: no cover - goals are never deleted
        raise GoalError("not_active", status=CANCELLED)
    return cancelled, track(store, workspace_id, channels, cancelled, today, trend=False)


def goals_on(store: Store, workspace_id: int, metric_key: str, channel: str | None,
             campaign: str | None) -> list[Goal]:
    """The active goals on this metric, channel and campaign (a chart's target line)."""
    return GoalStore(store).for_metric(workspace_id, metric_key, channel, campaign)


# ----------------------------------------------------------------------------- track

def track(store: Store, workspace_id: int, channels: Sequence[Channel], goal: Goal,
          today: date, *, trend: bool = True) -> Progress:
    """The goal's progress, paces and forecast on ``today`` (two statements: the value since
    the start, the daily series of the last 90 days; ``trend=False`` skips the series)."""
    metric = goal.definition
    end = min(today, goal.deadline)
    scope = goal_scope(channels, goal.channel)
    value = Value(None)
    span = Span(goal.start, end)
    if end >= goal.start:
        value = _values(store, workspace_id, scope, metric, [span], goal.campaign)[0]
    series: list[tuple[date, float | None]] = []
    if trend:
        first = min(goal.start, today - timedelta(days=gm.HISTORY_DAYS))
        series = _series(store, workspace_id, scope, metric, first, end, goal.campaign)
    return progress_of(goal, today, value, series, trend=trend)


def progress_of(goal: Goal, today: date, value: Value, series: gm.Series, *,
                trend: bool = True) -> Progress:
    """A goal's ``Progress`` from its value since the start and its daily series (what
    ``track`` reads one goal at a time and the alert tick in bulk)."""
    view = outlook(goal.definition, goal.sign, goal.baseline, goal.target, goal.start,
                   goal.deadline, today, value, series)
    run = gm.days_run(goal.start, goal.deadline, today)
    after = gm.judged_after(goal.start, goal.deadline)
    current = value.value
    return Progress(
        goal=goal, today=today, current=current, as_of=view.anchor,
        progress_pct=gm.progress_pct(goal.shape, current, goal.baseline, goal.target,
                                     goal.sign),
        required_per_week=view.required_per_week if today <= goal.deadline else None,
        recent_per_week=view.pace_per_week if trend else None,
        forecast=view.forecast if trend else None,
        on_track=view.on_track if trend and run >= after else None,
        days_left=max(0, (goal.deadline - today).days),
        forecast_pct=view.forecast_pct if trend else None, days_run=run, judge_after=after,
        gauge_from=gauge_as_of(value, Span(goal.start, min(today, goal.deadline)))
        if goal.shape is Shape.LEVEL else None,
        series=tuple(series), forecast_line=view.line if trend else ())


def outcome(progress: Progress) -> str | None:
    """``achieved``, ``missed`` or None (still open) for an active goal on its day.

    Totals and levels are achieved the day they reach the target and missed when the
    deadline passes without; ratios and ceilings (budgets) are judged after the deadline.
    """
    goal = progress.goal
    if not goal.active:
        return None
    final = progress.today > goal.deadline
    metric = goal.definition
    current = progress.current
    if gm.is_ceiling(metric):
        if not final:
            return None
        return ACHIEVED if (current or 0.0) <= goal.target else MISSED
    hit = gm.reached(goal.shape, goal.sign, current, goal.target)
    if goal.shape is Shape.RATIO:
        return (ACHIEVED if hit else MISSED) if final else None
    if hit:
        return ACHIEVED
    return MISSED if final else None


def evaluate_goals(store: Store, workspace_id: int, today: date,
                   now: datetime | None = None) -> list[GoalEvent]:
    """Settle the workspace's active goals on ``today``: record ``achieved`` / ``missed``
    (at ``now``, default the start of ``today`` in UTC) and return the new events. A goal
    changes status once: running this twice records nothing the second time."""
    goals = GoalStore(store)
    at = now or datetime.combine(today, time(), tzinfo=UTC)
    channels = store.channels(workspace_id)
    events: list[GoalEvent] = []
    for goal in goals.list_goals(workspace_id):
        if today < goal.start:
            continue
        progress = track(store, workspace_id, channels, goal, today, trend=False)
        result = outcome(progress)
        if result is None:
            continue
        event = goals.set_status(goal, result, now=at, day=today, value=progress.current)
        if event is not None:
            events.append(event)
    return events
