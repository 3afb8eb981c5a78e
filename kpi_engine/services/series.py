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

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from kpi_engine.domain.formulas import ChannelSets, Needs, Span, Terms, compute, needs_for
from kpi_engine.domain.metrics import METRICS, Metric
from kpi_engine.domain.model import Channel
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services.answers import resolve_scope
from kpi_engine.storage.store import Store

#: One point per day: (day, value or None when there is no value that day).
Series = list[tuple[date, float | None]]

# the ``k`` column of the statement: what a row holds
_SUM, _CHANGE = 0, 2


def days(span: Span) -> Iterator[date]:
    """Every day of ``span``, in order."""
    for i in range((span.end - span.start).days + 1):
        yield span.start + timedelta(days=i)


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
    daily = _fetch_daily(conn, workspace_id, sets, needs, spans, campaign)
    terms = daily.terms(min(s.start for s in spans), max(s.end for s in spans))
    return [[(d, compute(metric, Span(d, d), terms, sets).value) for d in days(span)]
            for span in spans]


@dataclass
class _Daily:
    """The statement's rows: day sums of counters per (channel, campaign), day changes of
    gauge levels per channel."""

    sums: dict[tuple[int, str, str, date], float] = field(default_factory=dict)
    changes: dict[tuple[int, str], dict[date, float]] = field(default_factory=dict)
    statements: int = 0

    def terms(self, first: date, last: date) -> Terms:
        """One-day terms per channel: ``(metric, d, d)`` sums and ``(metric, d)`` levels for
        every day from the day before ``first`` (follower growth needs it) to ``last``."""
        terms = Terms(statements=self.statements)
        for (ch, campaign, metric, day), value in self.sums.items():
            terms.add_sum(ch, campaign, (metric, day, day), value)
        for (ch, metric), changes in self.changes.items():
            level: float | None = None
            as_of: date | None = None
            before = [d for d in changes if d < first]
            if before:  # every series' last value before the first span
                level = sum(changes[d] for d in before)
                as_of = max(before)
            for day in days(Span(first - timedelta(days=1), last)):
                if day >= first and day in changes:
                    level = (level or 0.0) + changes[day]
                    as_of = day
                if level is not None and as_of is not None:
                    terms.lasts[(ch, (metric, day))] = (level, as_of)
        return terms


def _fetch_daily(conn: Connection, workspace_id: int, sets: ChannelSets, needs: Needs,
                 spans: Sequence[Span], campaign: str | None) -> _Daily:
    daily = _Daily()
    sqlite = conn.dialect.name == "sqlite"

    def d(day: date) -> Any:
        return day.isoformat() if sqlite else day

    counters = sorted({m for m, _, _ in needs.sums})
    gauges = sorted({m for m, _ in needs.lasts})
    own = sorted(set(sets.main))
    rivals = sorted(set(sets.competitors) - set(own)) if needs.competitor_mentions else []
    lo, hi = min(s.start for s in spans), max(s.end for s in spans)
    params: dict[str, Any] = {"ws": workspace_id, "lo": d(lo), "hi": d(hi)}
    expanding: list[str] = []
    camp = ""
    if campaign is not None:
        params["camp"] = campaign
        camp = " AND {a}.campaign = :camp"
    in_spans = []
    for i, span in enumerate(spans):
        params[f"a{i}"], params[f"b{i}"] = d(span.start), d(span.end)
        in_spans.append(f"(s.day >= :a{i} AND s.day <= :b{i})")
    branches: list[str] = []
    if counters and (own or rivals):
        k = _SUM
        params[f"m{k}"], params[f"c{k}"] = counters, own + rivals
        expanding.extend((f"m{k}", f"c{k}"))
        branches.append(
            f"SELECT {k} AS k, s.channel_id AS ch, s.campaign AS camp, s.metric AS metric,"
            " s.day AS day, SUM(s.value) AS v"
            f" FROM snapshots s WHERE s.workspace_id = :ws AND s.metric IN :m{k}"
            f" AND s.channel_id IN :c{k} AND (" + " OR ".join(in_spans) + ")"
            + camp.format(a="s") + " GROUP BY s.channel_id, s.campaign, s.metric, s.day")
    if gauges and own:
        k = _CHANGE
        params[f"m{k}"], params[f"c{k}"] = gauges, own
        expanding.extend((f"m{k}", f"c{k}"))
        branches.append(
            f"SELECT {k} AS k, x.ch AS ch, '' AS camp, x.metric AS metric, x.day AS day,"
            " SUM(x.delta) AS v FROM ("
            " SELECT s.channel_id AS ch, s.metric AS metric, s.day AS day,"
            " s.value - COALESCE(LAG(s.value) OVER"
            " (PARTITION BY s.metric, s.channel_id, s.campaign ORDER BY s.day), 0) AS delta"
            " FROM snapshots s LEFT JOIN ("
            "  SELECT m.metric AS metric, m.channel_id AS channel_id, m.campaign AS campaign,"
            "  MAX(m.day) AS d FROM snapshots m"
            f"  WHERE m.workspace_id = :ws AND m.metric IN :m{k} AND m.channel_id IN :c{k}"
            "  AND m.day < :lo" + camp.format(a="m")
            + "  GROUP BY m.metric, m.channel_id, m.campaign) anchor"
            " ON anchor.metric = s.metric AND anchor.channel_id = s.channel_id"
            " AND anchor.campaign = s.campaign"
            f" WHERE s.workspace_id = :ws AND s.metric IN :m{k} AND s.channel_id IN :c{k}"
            " AND s.day <= :hi AND s.day >= COALESCE(anchor.d, :lo)" + camp.format(a="s")
            + ") x GROUP BY x.ch, x.metric, x.day")
    if not branches:
        return daily
    stmt = text(" UNION ALL ".join(branches)).bindparams(
        *(bindparam(name, expanding=True) for name in expanding))
    for k, ch, campaign_name, metric, day, value in conn.execute(stmt, params):
        if value is None:
            continue
        day = date.fromisoformat(day) if isinstance(day, str) else day
        if k == _CHANGE:
            daily.changes.setdefault((int(ch), metric), {})[day] = float(value)
        else:
            daily.sums[(int(ch), str(campaign_name or ""), metric, day)] = float(value)
    daily.statements = 1
    return daily


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
