"""Rankings (SPEC §9 ``rank``, issue 15): a metric per channel, per campaign or per day of a
period, best first by the metric's ``better`` direction (or as asked: worst first, highest or
lowest value first), cut to the top N when asked.

No new math: every value comes from the engine's own formulas (``formulas.compute``) over
fetched terms, exactly like a ``/kpi`` answer for that key:

- **by channel**: the per-channel answers of ``answers.compare`` (competitors included and
  marked; a gauge is each channel's last level on or before the end);
- **by campaign**: the period's sum terms of the scope's own channels, one campaign at a time
  (``Terms.only_campaign``): a counter is the campaign's sum, a ratio Σnumerator/Σdenominator
  over the campaign's rows, a cost ratio over its paid pairs (SPEC §3.1). Gauges, engagement
  rate per post and share of voice have no campaign of their own (``NotByCampaign``);
- **by day**: the daily series of a chart (``series.daily_series``): each day's value by the
  same formulas, a gauge the level at the end of that day.

One statement per ranking (``storage.terms.fetch_terms`` or ``storage.daily_series``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpi_engine.domain.formulas import Span, compute, needs_for
from kpi_engine.domain.metrics import METRICS, Kind, Metric
from kpi_engine.domain.model import Channel, parse_channel_name
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.domain.ranking import order_for, ranked
from kpi_engine.services import answers
from kpi_engine.services.series import daily_series
from kpi_engine.storage.store import Store

BY = ("channel", "campaign", "day")
UNTAGGED = ""


class NotByCampaign(ValueError):
    """A metric a campaign has no value of its own for (a gauge, ER per post, share of
    voice): it can be ranked by channel or by day, not by campaign."""

    def __init__(self, metric: str) -> None:
        super().__init__(metric)
        self.metric = metric


@dataclass(frozen=True)
class RankRow:
    key: str  # channel name, campaign name, or ISO day
    value: float | None
    competitor: bool = False  # channel rows: a competitor's account
    as_of: date | None = None  # channel rows of a gauge: the level's day, when before the start
    reason: str | None = None  # why there is no value (``formulas.NO_SPEND``…)


@dataclass(frozen=True)
class Ranking:
    metric: str
    by: str  # "channel" | "campaign" | "day"
    order: str  # "desc" | "asc": the order of the values
    rows: list[RankRow]  # ranked, keys without a value last, cut to ``top``
    period: Period
    keys: int  # how many keys the period has (before the cut)
    top: int | None = None  # the cut asked for
    scope_label: str | None = None  # the channel a campaign or day ranking covers
    campaign: str | None = None  # the campaign a channel or day ranking covers
    #: campaigns: the untagged rows' value, never ranked (they are no campaign)
    untagged: float | None = None
    paid_campaigns: tuple[str, ...] = ()  # cost ratios: the paid campaigns covered
    valued: int = 0  # keys of the period with a value (before the cut)

    @property
    def empty(self) -> bool:
        return self.valued == 0


def campaign_rankable(metric: Metric) -> bool:
    """Counters and sum-based ratios (cost ratios included) have a value per campaign."""
    if metric.kind is Kind.COUNTER:
        return metric.key != "competitor_mentions"
    return metric.kind is Kind.RATIO and metric.formula not in ("per_post", "voice")


def _cut(rows: list[RankRow], top: int | None) -> list[RankRow]:
    return rows[:top] if top is not None and top > 0 else rows


def _order(metric_key: str, direction: str) -> str:
    return order_for(METRICS[metric_key].higher_is_better, direction)


def _sorted(items: Sequence[RankRow], order: str) -> list[RankRow]:
    by_key = {r.key: r for r in items}
    return [by_key[k] for k, _ in ranked([(r.key, r.value) for r in items], order)]


def by_channel(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
               pq: PeriodQuery, *, worst: bool = False, top: int | None = None,
               campaign: str | None = None, direction: str | None = None,
               platform: str | None = None) -> Ranking:
    """Every channel (competitors marked) ranked by ``metric_key`` over ``pq``; ``platform``
    keeps one platform's accounts (ours and the competitors')."""
    order = _order(metric_key, direction or ("worst" if worst else "best"))
    comparison = answers.compare(store, workspace_id, channels, metric_key, pq, campaign)
    found = [RankRow(r.channel.name, r.answer.value, r.channel.is_competitor,
                     None if r.answer.as_of is None else date.fromisoformat(r.answer.as_of),
                     r.answer.reason)
             for r in comparison.rows if r.channel is not None
             and (platform is None or r.channel.platform == platform)]
    rows = _sorted(found, order)
    return Ranking(metric_key, "channel", order, _cut(rows, top), pq.current, len(rows), top,
                   platform, campaign, valued=sum(r.value is not None for r in rows))


def by_campaign(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
                pq: PeriodQuery, *, channel: str | None = None, direction: str = "best",
                top: int | None = None) -> Ranking:
    """Every campaign of the period's rows (own channels, or ``channel``) ranked by
    ``metric_key``; raises ``NotByCampaign`` for a metric with no value per campaign and
    ``answers.UnknownChannel`` for a channel the workspace lacks."""
    metric = METRICS[metric_key]
    if not campaign_rankable(metric):
        raise NotByCampaign(metric_key)
    scope = answers.resolve_scope(channels, channel)
    span = Span(pq.current.start, pq.current.end)
    own = sorted(c.id for c in scope.main)
    terms = store.snapshot_terms(workspace_id, own, needs_for(metric, span))
    sets = scope.sets
    found: list[RankRow] = []
    untagged: float | None = None
    paid: set[str] = set()
    for name in terms.campaigns(own):
        value = compute(metric, span, terms.only_campaign(name), sets)
        paid.update(value.paid_campaigns)
        if name == UNTAGGED:
            untagged = value.value
        else:
            found.append(RankRow(name, value.value, reason=value.reason))
    order = _order(metric_key, direction)
    rows = _sorted(found, order)
    return Ranking(metric_key, "campaign", order, _cut(rows, top), pq.current, len(rows), top,
                   scope.label, None, untagged, tuple(sorted(paid)),
                   valued=sum(r.value is not None for r in rows))


def by_day(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
           pq: PeriodQuery, *, channel: str | None = None, campaign: str | None = None,
           direction: str = "best", top: int | None = None) -> Ranking:
    """Every day of ``pq`` ranked by the day's value of ``metric_key`` (the chart's daily
    series); days without a value last."""
    scope = answers.resolve_scope(channels, channel)
    with store.connect() as conn:
        series = daily_series(conn, workspace_id, scope.sets, metric_key, pq.current.start,
                              pq.current.end, campaign)
    order = _order(metric_key, direction)
    rows = _sorted([RankRow(d.isoformat(), v) for d, v in series], order)
    return Ranking(metric_key, "day", order, _cut(rows, top), pq.current, len(rows), top,
                   scope.label, campaign, valued=sum(r.value is not None for r in rows))


def rank(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
         pq: PeriodQuery, by: str = "channel", *, channel: str | None = None,
         campaign: str | None = None, direction: str = "best",
         top: int | None = None) -> Ranking:
    """The ranking ``by`` one of ``BY``; a channel ranking named with a platform keeps that
    platform's accounts, with a handle (one account) ranks that platform's accounts too."""
    if by == "campaign":
        return by_campaign(store, workspace_id, channels, metric_key, pq, channel=channel,
                           direction=direction, top=top)
    if by == "day":
        return by_day(store, workspace_id, channels, metric_key, pq, channel=channel,
                      campaign=campaign, direction=direction, top=top)
    platform = None
    if channel is not None:
        answers.resolve_scope(channels, channel)  # raises UnknownChannel
        platform = parse_channel_name(channel)[0]
        if platform.startswith("@"):  # a bare handle: its account's platform
            platform = next(c.platform for c in channels if c.handle == platform)
    return by_channel(store, workspace_id, channels, metric_key, pq, top=top,
                      campaign=campaign, direction=direction, platform=platform)
