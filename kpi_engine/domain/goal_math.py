"""The arithmetic of goals (SPEC §6), pure functions of numbers and daily series.

A goal has one of three *shapes*, from its metric's kind:

- ``total`` (counters): the target is a total since the start day; progress is
  ``current / target``. A counter where lower is better (``spend``, ``issues_opened``) is a
  *ceiling*: it is met when the total stays at or below the target at the deadline.
- ``level`` (gauges): a growth goal on the level; progress is
  ``(current − baseline) / (target − baseline)``, the baseline being the level at creation.
- ``ratio`` (ratios): a growth goal on the ratio since the start day, the same formula.

Paces are per week. *Required*: what is left to do (``target − reference``) spread over the
days left, the reference being where the goal stands now (a total's sum since the start, a
level's latest value, a ratio's value since the start; before any of those, the baseline; a
ratio goal stands at its baseline until it has run long enough to be judged, see below).

**One pace model** (issue 11: the verdict at creation and the off-track judgement never
disagree): *the pace* is the trend of the 28 days ending at the last day with data on or
before today (nothing from the future, SPEC §3.1) — a counter's mean daily total over the days
from its first day with data in that window, a level's or a ratio's least-squares slope — and
needs at least 7 days of data; when the last day with data is more than a week before today
there is no pace (and no forecast) until data comes in again. The forecast at the deadline is ``reference + pace × days
left``; a goal is on track when the forecast reaches 90 % of the target on the goal's own
scale: for a total ``forecast ≥ 0.9 × target``; for a growth goal the forecast's progress
≥ 90 % (of the way from the baseline to the target); for a ceiling ``forecast ≤ target``.

The verdict at creation is that same judgement, made with the same numbers: ``realistic``
when the forecast at the pace is on track; otherwise ``ambitious`` when the required pace is
at most 3× the pace, ``unrealistic`` beyond (or when the pace moves the other way); without
7 days of data it is ``no_history``.

Off track is judged only once a goal has run long enough for its pace to mean something:
7 days, or 20 % of its window when that is shorter (at least one day). Before that (and before
the start) the judgement is "not yet".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from kpi_engine.domain.metrics import Kind, Metric

#: One point per day; None where the day has no value.
Series = Sequence[tuple[date, float | None]]

HISTORY_DAYS = 90  # the longest baseline of a ratio goal; the days a goal's series reads
TREND_DAYS = 28  # the one pace's window
LATE_DAYS = 7  # the pace's window may end this many days before today (late data), no more
MIN_HISTORY_DAYS = 7
ON_TRACK_SHARE = 0.9
UNREALISTIC_FROM = 3.0
JUDGE_AFTER_DAYS = 7
JUDGE_AFTER_SHARE = 0.2


class Shape(StrEnum):
    TOTAL = "total"
    LEVEL = "level"
    RATIO = "ratio"


class Verdict(StrEnum):
    REALISTIC = "realistic"
    AMBITIOUS = "ambitious"
    UNREALISTIC = "unrealistic"
    NO_HISTORY = "no_history"


def shape_of(metric: Metric) -> Shape:
    if metric.kind is Kind.COUNTER:
        return Shape.TOTAL
    if metric.kind is Kind.GAUGE:
        return Shape.LEVEL
    if metric.kind is Kind.RATIO:
        return Shape.RATIO
    raise ValueError(f"no goals on {metric.key}")


def is_ceiling(metric: Metric) -> bool:
    """A counter where less is better: its target is a cap (a budget)."""
    return metric.kind is Kind.COUNTER and metric.higher_is_better is False


def direction(shape: Shape, baseline: float | None, target: float, metric: Metric) -> int:
    """+1 when the target is a floor to reach (followers, CTR), −1 when it is a ceiling to get
    under (CPC, a spend budget). A metric with no better direction goes from its baseline."""
    if metric.higher_is_better is not None or shape is Shape.TOTAL:
        return -1 if metric.higher_is_better is False else 1
    if baseline is None or baseline == target:
        return 1
    return 1 if target > baseline else -1


def progress_pct(shape: Shape, current: float | None, baseline: float | None,
                 target: float, sign: int = 1) -> float | None:
    """SPEC §6: ``current / target`` for totals; ``(current − baseline) / (target − baseline)``
    for growth goals (a missing baseline counts as 0). In percent; None without a value.

    A growth goal whose baseline already met the target (ER 5 % aiming at "at least 4 %") has
    no way to go: it is 100 % while met, else how close the value is (``current / target``).
    """
    if current is None:
        return None
    if shape is Shape.TOTAL:
        return 100.0 * current / target if target else None
    if baseline is not None and (target - baseline) * sign > 0:
        return 100.0 * (current - baseline) / (target - baseline)
    if reached(shape, sign, current, target):
        return 100.0
    if sign < 0:
        return 100.0 * target / current if current else None
    return 100.0 * current / target if target else None


def progress_basis(shape: Shape, baseline: float | None, target: float, sign: int,
                   ceiling: bool = False) -> str:
    """What ``progress_pct`` is a percentage of: ``target`` (a total, or a goal measured as
    ``current / target``), ``cap`` (a budget: the share of the cap used), ``rise`` / ``fall``
    (a growth goal: the share of the way from the baseline to the target)."""
    if shape is Shape.TOTAL:
        return "cap" if ceiling else "target"
    if baseline is not None and (target - baseline) * sign > 0:
        return "rise" if sign > 0 else "fall"
    return "target"


def reached(shape: Shape, sign: int, current: float | None, target: float) -> bool:
    if current is None:
        return False
    return current >= target if sign > 0 else current <= target


# --------------------------------------------------------------------------- series

def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """``(intercept, slope)`` of the least-squares line through ``points``; None with fewer
    than two distinct x."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - slope * mx, slope


def window(series: Series, first: date, last: date) -> list[tuple[date, float | None]]:
    return [(d, v) for d, v in series if first <= d <= last]


def last_day_with_data(series: Series, until: date) -> date | None:
    days = [d for d, v in series if v is not None and d <= until]
    return max(days) if days else None


def level_fit(points: Series) -> tuple[date, float, float] | None:
    """``(origin, intercept, slope per day)`` of the least-squares line through the days that
    have a value; None with fewer than two."""
    known = [(d, v) for d, v in sorted(points) if v is not None]
    if len(known) < 2:
        return None
    origin = known[0][0]
    fit = least_squares([(float((d - origin).days), v) for d, v in known])
    return None if fit is None else (origin, fit[0], fit[1])


def trend_window(series: Series, as_of: date) -> list[tuple[date, float | None]]:
    """The 28 days ending at the last day with data."""
    return window(series, as_of - timedelta(days=TREND_DAYS - 1), as_of)


def pace_per_day(shape: Shape, series: Series, as_of: date | None) -> float | None:
    """The one pace (see the module doc), per day: over the 28 days ending at ``as_of`` (the
    last day with data, never after today); None with less than 7 days of data."""
    if as_of is None:
        return None
    points = trend_window(series, as_of)
    known = [d for d, v in points if v is not None]
    if not known or (as_of - min(known)).days + 1 < MIN_HISTORY_DAYS:
        return None
    if shape is Shape.TOTAL:
        total = sum(v for _, v in points if v is not None)
        return total / ((as_of - min(known)).days + 1)
    fit = level_fit(points)
    return None if fit is None else fit[2]


def per_week(per_day: float | None) -> float | None:
    return None if per_day is None else 7.0 * per_day


def forecast_value(reference: float | None, pace: float | None, days: int,
                   floor: float | None = 0.0) -> float | None:
    """``reference + pace × days`` (a negative clipped to ``floor``); None without a pace."""
    if pace is None:
        return None
    value = (reference or 0.0) + pace * days
    return value if floor is None else max(floor, value)


def days_left(deadline: date, anchor: date | None, today: date, start: date) -> int:
    """Days still to come until the deadline: after ``anchor``, the last day the current
    value covers (from today when there is none), and never before the start; at least 1."""
    after = anchor if anchor is not None else today - timedelta(days=1)
    return max(1, (deadline - max(after, start - timedelta(days=1))).days)


def required_per_week(current: float | None, target: float, days: int, sign: int = 1) -> float:
    """What is left (``target − current``) spread evenly over ``days``, per week; 0 when the
    target is already met (``sign``: +1 a floor to reach, −1 a ceiling to get under)."""
    pace = 7.0 * (target - (current or 0.0)) / days
    return max(0.0, pace) if sign > 0 else min(0.0, pace)


def on_track(shape: Shape, metric: Metric, forecast_value: float | None,
             baseline: float | None, target: float, sign: int = 1) -> bool | None:
    """Whether a forecast reaches 90 % of the target on the goal's scale; None without one."""
    if forecast_value is None:
        return None
    if is_ceiling(metric):
        return forecast_value <= target
    pct = forecast_pct(shape, forecast_value, baseline, target, sign)
    return pct is not None and pct >= 100.0 * ON_TRACK_SHARE


def forecast_pct(shape: Shape, forecast_value: float | None, baseline: float | None,
                 target: float, sign: int = 1) -> float | None:
    """The forecast as a percentage on the goal's own scale (what "on track: ≥ 90 %" reads):
    the forecast's progress, i.e. % of the target for a total, % of the way from the baseline
    to the target for a growth goal."""
    return progress_pct(shape, forecast_value, baseline, target, sign)


def judged_after(start: date, deadline: date) -> int:
    """How many days a goal must have run before off track is judged: 7, or 20 % of its
    window when that is shorter; at least 1."""
    length = (deadline - start).days + 1
    return max(1, min(JUDGE_AFTER_DAYS, math.ceil(JUDGE_AFTER_SHARE * length)))


def days_run(start: date, deadline: date, today: date) -> int:
    """The days of the goal's window up to today (0 before the start)."""
    return max(0, (min(today, deadline) - start).days + 1)


def verdict(required: float, pace: float | None, sign: int, ceiling: bool,
            on_track_at_pace: bool | None) -> tuple[Verdict, float | None]:
    """The verdict at creation and the multiple of the pace the goal needs (``inf`` when the
    pace moves the wrong way or the cap is already spent; 0 when the target is already met).
    ``on_track_at_pace``: the off-track judgement of the forecast at this pace (``on_track``);
    it decides ``realistic``, so the two never disagree."""
    if ceiling:  # a budget: how much faster than allowed the team has been spending
        if pace is None:
            return Verdict.NO_HISTORY, None
        if required <= 0:
            return Verdict.UNREALISTIC, math.inf
        multiple = max(0.0, pace) / required
    else:
        if required * sign <= 0:
            return Verdict.REALISTIC, 0.0
        if pace is None:
            return Verdict.NO_HISTORY, None
        if pace * sign <= 0:
            return Verdict.UNREALISTIC, math.inf
        multiple = required / pace
    if on_track_at_pace:
        return Verdict.REALISTIC, multiple
    if multiple <= UNREALISTIC_FROM:
        return Verdict.AMBITIOUS, multiple
    return Verdict.UNREALISTIC, multiple
