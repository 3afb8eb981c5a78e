"""The arithmetic of goals (SPEC §6), pure functions of numbers and daily series.

A goal has one of three *shapes*, from its metric's kind:

- ``total`` (counters): the target is a total since the start day; progress is
  ``current / target``. A counter where lower is better (``spend``, ``issues_opened``) is a
  *ceiling*: it is met when the total stays at or below the target at the deadline.
- ``level`` (gauges): a growth goal on the level; progress is
  ``(current − baseline) / (target − baseline)``, the baseline being the level at creation.
- ``ratio`` (ratios): a growth goal on the ratio since the start day, the same formula.

Paces are per week. *Required*: what is left to do (``target − current``) spread over the
days left. *Historical*: the last 90 complete days — a counter's mean daily total over the
days it has data for, a level's or a ratio's least-squares slope. *Recent*: the same over the
28-day trend window the forecast uses.

Forecast at the deadline, from the least-squares line of the last 28 days of data:

- total: ``current + slope(cumulative sum) × days from the last day with data to the deadline``;
- level and ratio: the fitted line's value at the deadline.

A goal is on track when the forecast reaches 90 % of the target on the goal's own scale: for a
total ``forecast ≥ 0.9 × target``; for a growth goal the forecast's progress ≥ 90 % (on the way
from the baseline to the target); for a ceiling ``forecast ≤ target``.

The verdict at creation compares the required pace with the historical one: up to 1.5× is
``realistic``, up to 3× ``ambitious``, beyond (or a history that moves the other way)
``unrealistic``; without 7 days of history it is ``no_history``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

from kpi_engine.metrics import Kind, Metric

#: One point per day; None where the day has no value.
Series = Sequence[tuple[date, float | None]]

HISTORY_DAYS = 90
TREND_DAYS = 28
MIN_HISTORY_DAYS = 7
ON_TRACK_SHARE = 0.9
AMBITIOUS_FROM = 1.5
UNREALISTIC_FROM = 3.0


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


def counter_rate(points: Series) -> float | None:
    """Per day: the least-squares slope of the cumulative sum, from the first day with data
    (days without a row count as 0)."""
    started = False
    total = 0.0
    cumulative: list[tuple[float, float]] = []
    origin: date | None = None
    for day, value in sorted(points):
        if value is None and not started:
            continue
        if origin is None:
            origin = day
        started = True
        total += value or 0.0
        cumulative.append((float((day - origin).days), total))
    fit = least_squares(cumulative)
    return None if fit is None else fit[1]


def level_fit(points: Series) -> tuple[date, float, float] | None:
    """``(origin, intercept, slope per day)`` of the least-squares line through the days that
    have a value; None with fewer than two."""
    known = [(d, v) for d, v in sorted(points) if v is not None]
    if len(known) < 2:
        return None
    origin = known[0][0]
    fit = least_squares([(float((d - origin).days), v) for d, v in known])
    return None if fit is None else (origin, fit[0], fit[1])


def historical_per_week(shape: Shape, series: Series, today: date) -> float | None:
    """The pace of the 90 complete days before ``today``; None with less than 7 days of data."""
    points = window(series, today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1))
    known = [d for d, v in points if v is not None]
    if not known:
        return None
    first, last = min(known), today - timedelta(days=1)
    if (last - first).days + 1 < MIN_HISTORY_DAYS:
        return None
    if shape is Shape.TOTAL:
        total = sum(v for _, v in points if v is not None)
        return 7.0 * total / ((last - first).days + 1)
    fit = level_fit(points)
    return None if fit is None else 7.0 * fit[2]


def trend_window(series: Series, as_of: date) -> list[tuple[date, float | None]]:
    """The 28 days ending at the last day with data."""
    return window(series, as_of - timedelta(days=TREND_DAYS - 1), as_of)


def recent_per_week(shape: Shape, series: Series, as_of: date | None) -> float | None:
    """The pace of the trend window: the slope the forecast extends, per week."""
    if as_of is None:
        return None
    points = trend_window(series, as_of)
    if shape is Shape.TOTAL:
        rate = counter_rate(points)
        return None if rate is None else 7.0 * rate
    fit = level_fit(points)
    return None if fit is None else 7.0 * fit[2]


def forecast_line(shape: Shape, series: Series, trend_end: date | None,
                  current: float | None, deadline: date, *, anchor: date | None = None,
                  floor: float | None = 0.0) -> list[tuple[date, float]] | None:
    """The projection from the last day with data to the deadline, as its two end points; the
    last one is the forecast. From the linear trend of the 28 days ending at ``trend_end``
    (see the module doc); a total is projected from ``current`` on ``anchor`` (default
    ``trend_end``: the day its total runs to). Past the deadline, the current value alone.
    ``floor`` clips impossible negatives. None when there is no trend."""
    if trend_end is None:
        return None
    points = trend_window(series, trend_end)

    def clip(value: float) -> float:
        return value if floor is None else max(floor, value)

    if shape is Shape.TOTAL:
        start = anchor or trend_end
        if start >= deadline:
            return None if current is None else [(deadline, current)]
        rate = counter_rate(points)
        if rate is None:
            return None
        here = current or 0.0
        return [(start, here), (deadline, clip(here + rate * (deadline - start).days))]
    if trend_end >= deadline:
        return None if current is None else [(deadline, current)]
    fit = level_fit(points)
    if fit is None:
        return None
    origin, intercept, slope = fit
    return [(trend_end, clip(intercept + slope * (trend_end - origin).days)),
            (deadline, clip(intercept + slope * (deadline - origin).days))]


def forecast(shape: Shape, series: Series, trend_end: date | None, current: float | None,
             deadline: date, *, anchor: date | None = None,
             floor: float | None = 0.0) -> float | None:
    """The value expected at the deadline: the end of ``forecast_line``."""
    line = forecast_line(shape, series, trend_end, current, deadline, anchor=anchor,
                         floor=floor)
    return None if line is None else line[-1][1]


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
    """None when there is no forecast."""
    if forecast_value is None:
        return None
    if is_ceiling(metric):
        return forecast_value <= target
    if shape is Shape.TOTAL:
        return forecast_value >= ON_TRACK_SHARE * target
    pct = progress_pct(shape, forecast_value, baseline, target, sign)
    return pct is not None and pct >= 100.0 * ON_TRACK_SHARE


def verdict(required: float, historical: float | None, sign: int,
            ceiling: bool = False) -> tuple[Verdict, float | None]:
    """The verdict and the multiple of the historical pace the goal needs (``inf`` when the
    history moves the wrong way; 0 when the target is already met)."""
    if ceiling:  # a budget: how much faster than allowed the team has been spending
        if historical is None:
            return Verdict.NO_HISTORY, None
        if required <= 0:
            return Verdict.UNREALISTIC, math.inf
        multiple = max(0.0, historical) / required
    else:
        if required * sign <= 0:
            return Verdict.REALISTIC, 0.0
        if historical is None:
            return Verdict.NO_HISTORY, None
        if historical * sign <= 0:
            return Verdict.UNREALISTIC, math.inf
        multiple = required / historical
    if multiple <= AMBITIOUS_FROM:
        return Verdict.REALISTIC, multiple
    if multiple <= UNREALISTIC_FROM:
        return Verdict.AMBITIOUS, multiple
    return Verdict.UNREALISTIC, multiple
