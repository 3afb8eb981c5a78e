"""Alert rules (SPEC §7): a pure function of the data and a clock.

``evaluate(inputs, states, now)`` looks at what every rule of every workspace sees in the
fetched data (``kpi_engine.services.alert_inputs`` fetches it in a few grouped statements) and at the
state each (rule, subject) was left in, and returns the messages to send and the new states.
Nothing here reads the database or the time.

Rules:

- **drop** (default for every workspace: ``engagement_rate``, per own channel and for the
  total of own channels): the last complete week (or day) is ≥ X % below the median of the N
  periods before it. A minimum-volume guard keeps tiny numbers quiet: the median volume of
  those periods (the numerator of a ratio, the value of a counter) must reach ``min_volume``.
- **threshold** (``/alert er < 2%``, ``/alert cpc > 5000 instagram``): the metric's value on
  the last complete day, for the named channel or the total of own channels.
- **stale** (default): no snapshot for a channel for N complete days.
- **goal** (default): reached and missed (once, from the goal's recorded events), off track
  (at most once a week while off track; a short note when it is back on track).

State per (rule, subject): a rule fires once when its condition starts to hold, repeats only
after its repeat interval while the condition still holds, and resolves ("pulih") once when
it stops holding. A rule that cannot be evaluated (no data yet) keeps its state.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from kpi_engine.domain.formulas import ChannelSets, Span, Terms, compute
from kpi_engine.domain.metrics import METRICS, Kind
from kpi_engine.domain.model import Channel, Workspace

TOTAL = "*"  # the subject of a rule over all own channels together
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
NEVER = timedelta.max  # one-shot alerts (goal reached / missed) never repeat

#: A drop rule's own options (``alert_rules.k``, ``direction``, ``min_volume``, ``periods``):
#: the defaults a rule has when it names none, and the ranges a team may set.
DEFAULT_K = 3.0
DEFAULT_MIN_VOLUME = 100.0
DEFAULT_PERIODS = 4
K_RANGE = (0.5, 10.0)  # k = 0 would drop the spread condition; beyond 10 nothing fires
PERIODS_RANGE = (2, 12)  # fewer than 2 has no median; 12 weeks is a quarter
MAX_MIN_VOLUME = 1e12
DROP_PCT_RANGE = (1.0, 99.0)


@dataclass(frozen=True)
class Rule:
    """One alert rule. ``key`` names it in the state table: ``drop``, ``stale``, ``goal`` for
    the defaults, ``r<id>`` for a rule a team added."""

    key: str
    kind: str  # drop | threshold | stale | goal
    metric: str | None = None
    channel: str | None = None  # None: own channels (drop: each one and the total)
    op: str = "<"  # threshold: "<" or ">"
    value: float = 0.0  # threshold value; drop: percent; stale: days
    period: str = "day"  # day | week: the period a drop or threshold looks at
    periods: int = DEFAULT_PERIODS  # drop: the N periods whose median is the baseline
    repeat: timedelta = timedelta(hours=24)
    min_volume: float = DEFAULT_MIN_VOLUME
    k: float = DEFAULT_K  # drop: the fall must also exceed k x the scaled MAD of the baseline
    direction: str = "drop"  # drop: drop | rise | both
    id: int | None = None
    platform: str = ""  # the chat a team rule was added in: its alerts go there
    chat_id: str = ""
    created_by: str = ""

    @property
    def default(self) -> bool:
        return self.id is None


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("drop", "drop", "engagement_rate", None, "<", 20.0, "week", 4, repeat=WEEK),
    Rule("stale", "stale", value=3),
    Rule("goal", "goal", repeat=WEEK),
)
DEFAULT_KEYS: tuple[str, ...] = tuple(r.key for r in DEFAULT_RULES)


@dataclass(frozen=True)
class GoalSignal:
    """What the goals feature says about one goal at tick time."""

    goal_id: int
    metric: str
    channel: str | None
    target: float
    deadline: date
    status: str  # active | achieved | missed | cancelled
    current: float | None = None
    baseline: float | None = None
    progress_pct: float | None = None
    forecast: float | None = None
    on_track: bool | None = None  # None: no forecast, or not judged yet (too early)
    #: what progress_pct and forecast_pct are percentages of: target, cap, rise, fall
    basis: str = "target"
    forecast_pct: float | None = None  # the forecast on the goal's scale (on track: ≥ 90)
    days_run: int = 0  # days of the goal's window up to today (0: not started)
    judge_after: int = 1  # on/off track is judged once days_run reaches this
    start: date | None = None
    events: tuple[tuple[str, datetime, float | None], ...] = ()  # (achieved|missed, at, value)
    platform: str = ""
    chat_id: str = ""


@dataclass
class WorkspaceData:
    """Everything the rules of one workspace look at."""

    workspace: Workspace
    today: date  # the workspace's local date at tick time
    channels: list[Channel]
    terms: Terms  # per-channel values over the spans the rules need (alert_inputs)
    last_days: dict[int, date] = field(default_factory=dict)  # channel id → last snapshot day
    rules: list[Rule] = field(default_factory=list)
    goals: list[GoalSignal] = field(default_factory=list)


@dataclass(frozen=True)
class State:
    firing: bool
    seq: int = 0
    since: datetime | None = None
    last_notified_at: datetime | None = None
    last_value: float | None = None


StateKey = tuple[int, str, str]  # (workspace id, rule key, subject)


@dataclass(frozen=True)
class Observation:
    """What a rule sees for one subject. ``firing`` None: cannot tell (keep the state)."""

    rule: Rule
    subject: str
    firing: bool | None
    kind: str  # drop | threshold | stale | goal_reached | goal_off_track | goal_missed
    metric: str | None = None
    channel: str | None = None  # the channel name; None: own channels together
    value: float | None = None
    baseline: float | None = None  # drop: the median; threshold: the limit
    change_pct: float | None = None
    span: Span | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    goal: GoalSignal | None = None
    silent: bool = False  # a resolution nobody needs to hear about


@dataclass(frozen=True)
class AlertEvent:
    """A message-worthy change: the rule starts firing, fires again, or resolves."""

    workspace: Workspace
    observation: Observation
    state: str  # firing | resolved
    seq: int
    at: datetime
    repeat: bool = False
    goals: tuple[GoalSignal, ...] = ()  # goals on the same metric (what it means for them)

    @property
    def rule(self) -> Rule:
        return self.observation.rule

    @property
    def subject(self) -> str:
        return self.observation.subject


@dataclass
class TickResult:
    events: list[AlertEvent] = field(default_factory=list)
    states: dict[StateKey, State] = field(default_factory=dict)  # only changed ones


# -- periods ----------------------------------------------------------------------------------

def last_complete(period: str, today: date) -> Span:
    """The last complete day (yesterday) or week (Monday–Sunday before this week)."""
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return Span(monday - WEEK, monday - DAY)
    return Span(today - DAY, today - DAY)


def previous_spans(period: str, span: Span, n: int) -> list[Span]:
    """The N periods before ``span`` a drop compares with: the previous N weeks, or for a day
    the same weekday of the previous N weeks (so a weekly pattern is not a drop)."""
    return [Span(span.start - WEEK * i, span.end - WEEK * i) for i in range(1, n + 1)]


MAD_SCALE = 1.4826  # scaled MAD: a consistent estimate of the standard deviation
DIRECTIONS = ("drop", "rise", "both")


@dataclass(frozen=True)
class DropVerdict:
    """What the drop math decided: ``firing`` None when there is too little history."""

    firing: bool | None
    median: float | None = None
    mad: float | None = None  # scaled MAD (x 1.4826) of the baseline values
    change_pct: float | None = None
    guard: bool = False  # the minimum-volume (or zero-median) guard kept it quiet


def scaled_mad(values: Sequence[float]) -> float:
    """Median absolute deviation from the median, x 1.4826."""
    med = statistics.median(values)
    return MAD_SCALE * statistics.median(abs(v - med) for v in values)


def drop_verdict(current: float | None, baseline: Sequence[float], volume: float | None, *,
                 pct: float, k: float, min_volume: float, direction: str = "drop",
                 min_history: int = 2) -> DropVerdict:
    """Pure drop/rise decision. Fires when ``current`` is >= ``pct`` % away from the median of
    ``baseline`` in ``direction`` AND more than ``k`` scaled MADs away from it; never when the
    median volume of the baseline is below ``min_volume`` or the median is not positive; not
    decided (``firing`` None) with fewer than ``min_history`` baseline values."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction {direction!r}")
    if current is None or len(baseline) < max(1, min_history):
        return DropVerdict(firing=None)
    median = statistics.median(baseline)
    mad = scaled_mad(baseline)
    if median <= 0 or volume is None or volume < min_volume:
        return DropVerdict(firing=False, median=median, mad=mad, guard=True)
    change = 100.0 * (current - median) / median
    dev = current - median
    fall = change <= -pct and -dev > k * mad
    rise = change >= pct and dev > k * mad
    firing = {"drop": fall, "rise": rise, "both": fall or rise}[direction]
    return DropVerdict(firing=firing, median=median, mad=mad, change_pct=change)


def spans_for(rule: Rule, today: date) -> list[Span]:
    """Every span a rule's value needs (what ``alert_inputs`` fetches)."""
    if rule.kind == "drop":
        cur = last_complete(rule.period, today)
        return [cur, *previous_spans(rule.period, cur, rule.periods)]
    if rule.kind == "threshold":
        return [last_complete("day", today)]
    return []


# -- rules → observations ---------------------------------------------------------------------

def _subjects(rule: Rule, data: WorkspaceData) -> list[tuple[str, str | None, ChannelSets]]:
    """(subject, channel name or None, channel sets) a metric rule is evaluated for."""
    own = [c for c in data.channels if not c.is_competitor]
    rivals = [c for c in data.channels if c.is_competitor]
    total = (TOTAL, None, ChannelSets.of(own, rivals))
    if rule.channel:
        matched = [c for c in data.channels if c.name == rule.channel]
        if not matched:  # a platform name: its own channels
            matched = [c for c in own if c.platform == rule.channel]
        if not matched:
            return []
        return [(rule.channel, rule.channel,
                 ChannelSets.of(matched, [r for r in rivals if r not in matched]))]
    if rule.kind == "drop":
        return [(c.name, c.name, ChannelSets.of((c,), rivals)) for c in own] + [total]
    return [total]


def _volume(metric_key: str, value: Any) -> float | None:
    metric = METRICS[metric_key]
    if metric.kind is Kind.RATIO:
        return None if value.numerator is None else abs(value.numerator)
    return None if value.value is None else abs(value.value)


def observe_drop(rule: Rule, data: WorkspaceData) -> list[Observation]:
    assert rule.metric is not None
    metric = METRICS[rule.metric]
    cur_span = last_complete(rule.period, data.today)
    prev_spans = previous_spans(rule.period, cur_span, rule.periods)
    out: list[Observation] = []
    for subject, channel, sets in _subjects(rule, data):
        cur = compute(metric, cur_span, data.terms, sets)
        prev = [compute(metric, s, data.terms, sets) for s in prev_spans]
        values = [p.value for p in prev if p.value is not None]
        base = dict(rule=rule, subject=subject, kind="drop", metric=rule.metric,
                    channel=channel, span=cur_span)
        volumes = [v for v in (_volume(rule.metric, p) for p in prev) if v is not None]
        vol = statistics.median(volumes) if volumes else None
        verdict = drop_verdict(cur.value, values, vol, pct=rule.value, k=rule.k,
                               min_volume=rule.min_volume, direction=rule.direction,
                               min_history=max(2, rule.periods - 1))
        if verdict.firing is None:
            out.append(Observation(firing=None, **base))  # type: ignore[arg-type]
            continue
        detail = {"periods": rule.periods, "period": rule.period, "threshold_pct": rule.value,
                  "volume": vol or 0.0, "mad": verdict.mad, "k": rule.k,
                  "direction": rule.direction}
        if verdict.guard:
            out.append(Observation(firing=False, value=cur.value, baseline=verdict.median,
                                   detail={**detail, "guard": True}, **base))  # type: ignore[arg-type]
            continue
        out.append(Observation(firing=verdict.firing, value=cur.value, baseline=verdict.median,
                               change_pct=verdict.change_pct, detail=detail,
                               **base))  # type: ignore[arg-type]
    return out


def observe_threshold(rule: Rule, data: WorkspaceData) -> list[Observation]:
    assert rule.metric is not None
    metric = METRICS[rule.metric]
    span = last_complete("day", data.today)
    out: list[Observation] = []
    for subject, channel, sets in _subjects(rule, data):
        value = compute(metric, span, data.terms, sets).value
        firing: bool | None = None
        change = None
        if value is not None:
            firing = value < rule.value if rule.op == "<" else value > rule.value
            if rule.value:
                change = 100.0 * (value - rule.value) / abs(rule.value)
        out.append(Observation(rule, subject, firing, "threshold", rule.metric, channel,
                               value, rule.value, change, span, {"op": rule.op}))
    return out


def observe_stale(rule: Rule, data: WorkspaceData) -> list[Observation]:
    days = int(rule.value)
    out = []
    for ch in data.channels:
        last = data.last_days.get(ch.id)
        if last is None:
            out.append(Observation(rule, ch.name, None, "stale", channel=ch.name))
            continue
        last = min(last, data.today)
        gap = (data.today - last).days - 1  # complete days without a snapshot
        out.append(Observation(rule, ch.name, gap >= days, "stale", channel=ch.name,
                               value=float(gap), baseline=float(days),
                               detail={"last_day": last, "days": days}))
    return out


def observe_goals(rule: Rule, data: WorkspaceData) -> list[Observation]:
    out = []
    for g in data.goals:
        for kind, at, value in g.events:
            name = {"achieved": "goal_reached", "missed": "goal_missed"}.get(kind)
            if name is None:
                continue
            out.append(Observation(replace(rule, repeat=NEVER), f"g{g.goal_id}:{kind}", True,
                                   name, g.metric, g.channel, value, g.target,
                                   detail={"at": at}, goal=g))
        # off track: fires, repeats weekly, a short note when back on track; a goal that is
        # no longer active (reached, missed, cancelled) closes it silently
        judged = g.status == "active" and g.on_track is not None
        out.append(Observation(rule, f"g{g.goal_id}:track", judged and g.on_track is False,
                               "goal_off_track", g.metric, g.channel, g.forecast, g.target,
                               goal=g, silent=not judged))
    return out


OBSERVERS = {"drop": observe_drop, "threshold": observe_threshold, "stale": observe_stale,
             "goal": observe_goals}


def observe(data: WorkspaceData) -> list[Observation]:
    """What every rule of the workspace sees."""
    out: list[Observation] = []
    for rule in data.rules:
        out.extend(OBSERVERS[rule.kind](rule, data))
    return out


# -- state machine ----------------------------------------------------------------------------

def step(obs: Observation, state: State | None, now: datetime
         ) -> tuple[str | None, bool, State | None]:
    """(message state or None, is a repeat, the new state or None when unchanged)."""
    if obs.firing is None:
        return None, False, None
    was = state is not None and state.firing
    seq = state.seq if state else 0
    if obs.firing and not was:
        return "firing", False, State(True, seq + 1, now, now, obs.value)
    if obs.firing and state is not None:
        last = state.last_notified_at
        if obs.rule.repeat is not NEVER and (last is None or now - last >= obs.rule.repeat):
            return "firing", True, replace(state, seq=seq + 1, last_notified_at=now,
                                           last_value=obs.value)
        return None, False, None
    if was and state is not None:
        if obs.silent:
            return None, False, replace(state, firing=False, last_value=obs.value)
        return "resolved", False, State(False, seq + 1, None, now, obs.value)
    return None, False, None


def _related_goals(obs: Observation, goals: Sequence[GoalSignal]) -> tuple[GoalSignal, ...]:
    if obs.kind not in ("drop", "threshold") or obs.metric is None:
        return ()
    return tuple(g for g in goals if g.status == "active" and g.metric == obs.metric
                 and (g.channel or None) == (obs.channel or None))


def evaluate(inputs: Sequence[WorkspaceData], states: Mapping[StateKey, State],
             now: datetime) -> TickResult:
    """The messages every rule produces at ``now`` and the states that change."""
    result = TickResult()
    for data in inputs:
        ws = data.workspace.id
        for obs in observe(data):
            key = (ws, obs.rule.key, obs.subject)
            message, repeat, new = step(obs, states.get(key), now)
            if new is not None:
                result.states[key] = new
            if message is not None and new is not None:
                result.events.append(AlertEvent(data.workspace, obs, message, new.seq, now,
                                                repeat, _related_goals(obs, data.goals)))
    return result
