"""Daily series of a metric, for charts: SPEC §3 applied one day at a time, in one statement.

For each day ``d`` of a span the value is the metric's value over the one-day span
``[d, d]``, computed by the same formulas as a period answer (``formulas.compute``):

- **counter**: the day's sum over the channels; None when no channel has a row that day;
- **gauge**: the level at the end of the day: each series' (channel, campaign) last value on
  or before ``d``, carried forward over days without a value, summed; None before the first;
- **ratio**: ``scale × numerator / denominator`` with each side by its own kind for that day
  (engagement_rate = that day's engagement per post by each channel's followers level, SPEC
  §3.1); None on a zero or missing denominator, or on a day without posts;
- **follower_growth**: the day's net change of the followers level (level(d) − level(d − 1));
  ``follower_growth_rate`` relates it to level(d − 1);
- **competitor_mentions** / **share_of_voice**: from that day's own and competitor mentions.

One SQL statement fetches a whole chart (current and previous spans together), aggregated by
day — never one query per day or per channel:

- counters: ``SUM(value) … GROUP BY channel, campaign, metric, day`` for the own channels
  (and, for competitor mentions and share of voice, the competitors), restricted to the
  spans' days;
- gauges: each row's change against the previous row of its series (``LAG`` over channel and
  campaign), ``SUM … GROUP BY channel, metric, day``, with every series' last value before the first
  span included. The running total of those daily changes *is* the summed level: a series
  with no new value simply contributes no change, which carries its level forward.

The daily aggregates become one-day ``formulas.Terms`` per channel (and per campaign, for the
paid-only cost ratios) and each day goes through ``formulas.compute`` with the question's own
channel sets: the formulas live in one place only, so a chart's daily engagement rate is
per post by audience channel by channel, exactly like its headline (SPEC §3.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from kpi_engine.domain.formulas import ChannelSets, Needs, Span, compute, needs_for
from kpi_engine.domain.metrics import METRICS, Metric
from kpi_engine.domain.model import Channel
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services.answers import resolve_scope
from kpi_engine.storage.daily_series import days, fetch_daily
from kpi_engine.storage.store import Store

#: One point per day: (day, value or None when there is no value that day).
Series = list[tuple[date, float | None]]


def daily_series(conn: Connection, workspace_id: int, sets: ChannelSets, metric_key: str,
                 start: date, end: date, campaign: str | None = None) -> Series:
    """``metric_key`` for each day of ``start``..``end`` over the channels of ``sets``
    (``answers.Scope.sets``: ``main`` adds up, ``competitors`` feed competitor mentions)."""
    return daily_series_many(conn, workspace_id, sets, metric_key, [Span(start, end)],
                             campaign)[0]


def daily_series_many(conn: Connection, workspace_id: int, sets: ChannelSets,
                      metric_key: str, spans: Sequence[Span],
                      campaign: str | None = None) -> list[Series]:
    """One series per span (a chart's current and previous periods), in one statement."""
    metric = METRICS[metric_key]
    if not spans:
        return []
    needs = Needs()
    for span in spans:
        needs_for(metric, span, needs)
    daily = fetch_daily(conn, workspace_id, sets, needs, spans, campaign)
    terms = daily.terms(min(s.start for s in spans), max(s.end for s in spans))
    return [[(d, compute(metric, Span(d, d), terms, sets).value) for d in days(span)]
            for span in spans]


@dataclass(frozen=True)
class ChartData:
    """A chart's two series. ``previous`` keeps its own days; its i-th day is drawn beside
    the i-th day of ``current`` (the periods are aligned by day index)."""

    metric: Metric
    scope_label: str | None
    campaign: str | None
    current: Series
    previous: Series


def chart_data(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
               pq: PeriodQuery, channel: str | None = None,
               campaign: str | None = None) -> ChartData:
    """The daily series of ``metric_key`` over the period and the previous one, in one
    statement. Raises ``answers.UnknownChannel`` for a channel the workspace lacks."""
    scope = resolve_scope(channels, channel)
    spans = [Span(pq.current.start, pq.current.end), Span(pq.previous.start, pq.previous.end)]
    with store.connect() as conn:
        current, previous = daily_series_many(conn, workspace_id, scope.sets, metric_key,
                                              spans, campaign)
    return ChartData(METRICS[metric_key], scope.label, campaign, current, previous)
