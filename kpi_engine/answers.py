"""Service functions that answer KPI questions: one metric, the category summary, the
per-channel comparison. Each runs one SQL statement (``query.fetch_terms``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi_engine.metrics import CATEGORY_METRICS, METRICS, Category, Metric, Unit
from kpi_engine.model import Channel, parse_channel_name
from kpi_engine.periods import Period, PeriodQuery
from kpi_engine.query import ChannelSets, Needs, Span, Terms, Value, compute, fetch_terms, needs_for
from kpi_engine.store import Store


class UnknownChannel(LookupError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = list(known)


@dataclass(frozen=True)
class Scope:
    """Which channels a question covers: ``main`` adds up; ``competitors`` feed
    ``competitor_mentions``; ``label`` is the channel name as asked (None: own channels)."""

    main: tuple[Channel, ...]
    competitors: tuple[Channel, ...]
    label: str | None = None

    @property
    def sets(self) -> ChannelSets:
        return ChannelSets(tuple(c.id for c in self.main), tuple(c.id for c in self.competitors))

    @property
    def channel_ids(self) -> list[int]:
        return sorted({c.id for c in (*self.main, *self.competitors)})


def resolve_scope(channels: Sequence[Channel], name: str | None) -> Scope:
    """The channels a question covers. No name: the workspace's own channels. A platform
    (``instagram``): its own channels. ``platform:handle`` or ``@handle``: that channel."""
    competitors = tuple(c for c in channels if c.is_competitor)
    if not name:
        return Scope(tuple(c for c in channels if not c.is_competitor), competitors)
    platform, handle = parse_channel_name(name)
    if platform.startswith("@") and not handle:
        matched = tuple(c for c in channels if c.handle == platform)
    elif handle:
        matched = tuple(c for c in channels if c.platform == platform and c.handle == handle)
    else:
        matched = tuple(c for c in channels if c.platform == platform and not c.is_competitor)
        if not matched:  # a platform only a competitor has: show that account
            matched = tuple(c for c in channels if c.platform == platform)
    if not matched:
        raise UnknownChannel(name, [c.name for c in channels])
    plats = {c.platform for c in matched}
    rivals = tuple(c for c in competitors if c.platform in plats and c not in matched)
    return Scope(matched, rivals, label=matched[0].name if len(matched) == 1 else platform)


@dataclass(frozen=True)
class KpiAnswer:
    metric: Metric
    scope_label: str | None
    campaign: str | None
    period: Period
    previous: Period
    current: Value
    prior: Value

    @property
    def value(self) -> float | None:
        return self.current.value

    @property
    def previous_value(self) -> float | None:
        return self.prior.value

    @property
    def change_pct(self) -> float | None:
        """``100 × (value − previous) / previous``; None when previous is 0 or missing."""
        if self.value is None or not self.previous_value:
            return None
        return 100.0 * (self.value - self.previous_value) / abs(self.previous_value)

    @property
    def change_points(self) -> float | None:
        """The change in percentage points, for metrics measured in percent."""
        if self.metric.unit is not Unit.PERCENT:
            return None
        if self.value is None or self.previous_value is None:
            return None
        return self.value - self.previous_value

    @property
    def as_of(self) -> str | None:
        """The day a gauge value is from, when it is older than the period's start."""
        as_of = self.current.as_of
        if as_of is not None and as_of < self.period.start:
            return as_of.isoformat()
        return None


def _spans(pq: PeriodQuery) -> tuple[Span, Span]:
    return (Span(pq.current.start, pq.current.end), Span(pq.previous.start, pq.previous.end))


def _fetch(store: Store, workspace_id: int, scope: Scope, metrics: Sequence[Metric],
           pq: PeriodQuery, campaign: str | None, *, all_channels: bool = False) -> Terms:
    needs = Needs()
    for span in _spans(pq):
        for m in metrics:
            needs_for(m, span, needs)
    ids = scope.channel_ids
    if not needs.competitor_mentions and not all_channels:
        ids = sorted(c.id for c in scope.main)
    with store.connect() as conn:
        return fetch_terms(conn, workspace_id, ids, needs, campaign)


def kpi(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
        pq: PeriodQuery, channel: str | None = None, campaign: str | None = None) -> KpiAnswer:
    """One metric over a period and the previous one."""
    return kpis(store, workspace_id, channels, [metric_key], pq, channel, campaign)[0]


def kpis(store: Store, workspace_id: int, channels: Sequence[Channel],
         metric_keys: Sequence[str], pq: PeriodQuery, channel: str | None = None,
         campaign: str | None = None) -> list[KpiAnswer]:
    """Several metrics over the same period, in one statement."""
    scope = resolve_scope(channels, channel)
    metrics = [METRICS[k] for k in metric_keys]
    terms = _fetch(store, workspace_id, scope, metrics, pq, campaign)
    cur, prev = _spans(pq)
    sets = scope.sets
    return [KpiAnswer(m, scope.label, campaign, pq.current, pq.previous,
                      compute(m, cur, terms, sets), compute(m, prev, terms, sets))
            for m in metrics]


@dataclass(frozen=True)
class Summary:
    period: Period
    previous: Period
    scope_label: str | None
    sections: list[tuple[Category, list[KpiAnswer]]]


def summary(store: Store, workspace_id: int, channels: Sequence[Channel], pq: PeriodQuery,
            channel: str | None = None, campaign: str | None = None,
            categories: Sequence[Category] | None = None) -> Summary:
    """The key metrics of each category (SPEC §3), in one statement."""
    cats = list(categories or CATEGORY_METRICS)
    keys = [k for c in cats for k in CATEGORY_METRICS[c]]
    answers = dict(zip(keys, kpis(store, workspace_id, channels, keys, pq, channel, campaign),
                       strict=True))
    scope_label = next(iter(answers.values())).scope_label if answers else None
    sections = [(c, [answers[k] for k in CATEGORY_METRICS[c]]) for c in cats]
    return Summary(pq.current, pq.previous, scope_label, sections)


@dataclass(frozen=True)
class ComparisonRow:
    channel: Channel | None  # None: the total of own channels
    answer: KpiAnswer
    share_pct: float | None = None  # the channel's share of the total (counters, mentions)


@dataclass(frozen=True)
class Comparison:
    metric: Metric
    period: Period
    previous: Period
    rows: list[ComparisonRow]  # own channels, competitors, then the own total


def compare(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
            pq: PeriodQuery, campaign: str | None = None) -> Comparison:
    """``metric`` per channel, competitors included, and the total of own channels."""
    metric = METRICS[metric_key]
    scope = resolve_scope(channels, None)
    everyone = (*scope.main, *scope.competitors)
    terms = _fetch(store, workspace_id, Scope(everyone, scope.competitors), [metric], pq,
                   campaign, all_channels=True)
    cur, prev = _spans(pq)

    def answer(sets: ChannelSets, label: str | None) -> KpiAnswer:
        return KpiAnswer(metric, label, campaign, pq.current, pq.previous,
                         compute(metric, cur, terms, sets), compute(metric, prev, terms, sets))

    if metric.key == "share_of_voice":
        # each account's share of all mentions, own and competitors'
        mentions = METRICS["mentions"]
        all_ids = tuple(c.id for c in everyone)
        rows = []
        for ch in everyone:
            mine = ChannelSets((ch.id,))
            a = KpiAnswer(metric, ch.name, campaign, pq.current, pq.previous,
                          _share(mentions, cur, terms, mine, all_ids),
                          _share(mentions, prev, terms, mine, all_ids))
            rows.append(ComparisonRow(ch, a))
        rows.append(ComparisonRow(None, answer(scope.sets, None)))
        return Comparison(metric, pq.current, pq.previous, rows)

    rows = [ComparisonRow(ch, answer(ChannelSets((ch.id,)), ch.name)) for ch in everyone]
    total = answer(scope.sets, None)
    if metric.kind.value in ("counter", "gauge") and total.value:
        rows = [ComparisonRow(r.channel, r.answer,
                              None if r.channel is None or r.channel.is_competitor
                              or r.answer.value is None
                              else 100.0 * r.answer.value / total.value) for r in rows]
    rows.append(ComparisonRow(None, total))
    return Comparison(metric, pq.current, pq.previous, rows)


def _share(mentions: Metric, span: Span, terms: Terms, mine: ChannelSets,
           all_ids: tuple[int, ...]) -> Value:
    part = compute(mentions, span, terms, mine).value
    whole = compute(mentions, span, terms, ChannelSets(all_ids)).value
    if part is None or not whole:
        return Value(None)
    return Value(100.0 * part / whole, numerator=part, denominator=whole)
