"""Service functions that answer KPI questions: one metric, the category summary, the
per-channel comparison. Each runs one SQL statement (``storage.terms.fetch_terms``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kpi_engine.domain.formulas import (
    ChannelSets,
    Needs,
    Span,
    Terms,
    Value,
    compute,
    gauge_as_of,
    has_data,
    needs_for,
)
from kpi_engine.domain.metrics import CATEGORY_METRICS, METRICS, Category, Metric, Unit
from kpi_engine.domain.model import Channel, parse_channel_name
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.domain.ports import SnapshotTerms


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
        return ChannelSets.of(self.main, self.competitors)

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
    if all(c.is_competitor for c in matched):
        # a competitor's account: the others on its platforms are everyone else there, so
        # its share of voice is its share of the platform's mentions (as in /bandingkan sov)
        rivals = tuple(c for c in channels if c.platform in plats and c not in matched)
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
    # like for like (SPEC §3.1): the channels of the total with no data in the previous period,
    # and the current value over the other channels, which the change compares
    left_out: tuple[str, ...] = ()
    comparable: Value | None = None

    @property
    def value(self) -> float | None:
        return self.current.value

    @property
    def previous_value(self) -> float | None:
        return self.prior.value

    @property
    def compared_value(self) -> float | None:
        """The current value the change is computed from (like for like)."""
        return self.value if self.comparable is None else self.comparable.value

    @property
    def change_pct(self) -> float | None:
        """``100 × (value − previous) / |previous|`` over the channels with data in both
        periods; None when previous is 0 or missing."""
        if self.compared_value is None or not self.previous_value:
            return None
        return 100.0 * (self.compared_value - self.previous_value) / abs(self.previous_value)

    @property
    def change(self) -> float | None:
        """``value − previous`` (like for like), None when either is missing."""
        if self.compared_value is None or self.previous_value is None:
            return None
        return self.compared_value - self.previous_value

    @property
    def change_points(self) -> float | None:
        """The change in percentage points, for metrics measured in percent."""
        if self.metric.unit is not Unit.PERCENT:
            return None
        return self.change

    @property
    def as_of(self) -> str | None:
        """The day a gauge value is from, when it is older than the period's start."""
        day = gauge_as_of(self.current, Span(self.period.start, self.period.end))
        return None if day is None else day.isoformat()

    @property
    def reason(self) -> str | None:
        """Why there is no value (``formulas.NO_POSTS``, ``NO_COMPETITOR``, ``NO_SPEND``)."""
        return self.current.reason if self.value is None else None

    @property
    def paid_campaigns(self) -> tuple[str, ...]:
        """Cost ratios: the paid campaigns the value covers (``""``: untagged spend)."""
        return self.current.paid_campaigns


def _spans(pq: PeriodQuery) -> tuple[Span, Span]:
    return (Span(pq.current.start, pq.current.end), Span(pq.previous.start, pq.previous.end))


def _fetch(store: SnapshotTerms, workspace_id: int, scope: Scope, metrics: Sequence[Metric],
           pq: PeriodQuery, campaign: str | None, *, all_channels: bool = False) -> Terms:
    needs = Needs()
    for span in _spans(pq):
        for m in metrics:
            needs_for(m, span, needs)
    ids = scope.channel_ids
    if not needs.competitor_mentions and not all_channels:
        ids = sorted(c.id for c in scope.main)
    return store.snapshot_terms(workspace_id, ids, needs, campaign)


def kpi(store: SnapshotTerms, workspace_id: int, channels: Sequence[Channel], metric_key: str,
        pq: PeriodQuery, channel: str | None = None, campaign: str | None = None) -> KpiAnswer:
    """One metric over a period and the previous one."""
    return kpis(store, workspace_id, channels, [metric_key], pq, channel, campaign)[0]


def kpis(store: SnapshotTerms, workspace_id: int, channels: Sequence[Channel],
         metric_keys: Sequence[str], pq: PeriodQuery, channel: str | None = None,
         campaign: str | None = None) -> list[KpiAnswer]:
    """Several metrics over the same period, in one statement."""
    scope = resolve_scope(channels, channel)
    metrics = [METRICS[k] for k in metric_keys]
    terms = _fetch(store, workspace_id, scope, metrics, pq, campaign)
    return [answer_for(m, pq, terms, scope.sets, scope.label, campaign, scope.main)
            for m in metrics]


def answer_for(metric: Metric, pq: PeriodQuery, terms: Terms, sets: ChannelSets,
               label: str | None, campaign: str | None,
               channels: Sequence[Channel] = ()) -> KpiAnswer:
    """``metric`` over ``pq`` from fetched terms, like for like (SPEC §3.1): when some of
    ``channels`` (the channels ``sets.main`` adds up) have no data in the previous period,
    the change is computed over the others and the answer names the ones left out."""
    cur, prev = _spans(pq)
    current, prior = compute(metric, cur, terms, sets), compute(metric, prev, terms, sets)
    if len(channels) < 2 or current.value is None or prior.value is None:
        return KpiAnswer(metric, label, campaign, pq.current, pq.previous, current, prior)
    new = [c for c in channels if not has_data(metric, prev, terms, c.id)
           and has_data(metric, cur, terms, c.id)]
    if not new:
        return KpiAnswer(metric, label, campaign, pq.current, pq.previous, current, prior)
    kept = sets.only(c.id for c in channels if c not in new)
    # the new channels have no data in the previous period: ``prior`` is already theirs
    return KpiAnswer(metric, label, campaign, pq.current, pq.previous, current, prior,
                     tuple(c.name for c in new), compute(metric, cur, terms, kept))


@dataclass(frozen=True)
class Summary:
    period: Period
    previous: Period
    scope_label: str | None
    sections: list[tuple[Category, list[KpiAnswer]]]


def summary(store: SnapshotTerms, workspace_id: int, channels: Sequence[Channel], pq: PeriodQuery,
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


def compare(store: SnapshotTerms, workspace_id: int, channels: Sequence[Channel], metric_key: str,
            pq: PeriodQuery, campaign: str | None = None) -> Comparison:
    """``metric`` per channel, competitors included, and the total of own channels."""
    metric = METRICS[metric_key]
    scope = resolve_scope(channels, None)
    everyone = (*scope.main, *scope.competitors)
    terms = _fetch(store, workspace_id, Scope(everyone, scope.competitors), [metric], pq,
                   campaign, all_channels=True)
    own_sets = scope.sets

    def answer(sets: ChannelSets, label: str | None) -> KpiAnswer:
        return answer_for(metric, pq, terms, sets, label, campaign)

    if metric.formula == "voice":
        # an own channel against the competitors on its platform (the /kpi number); a
        # competitor's share of its platform's mentions, own and competitors'
        rows = []
        for ch in everyone:
            others = [c for c in everyone if c.platform == ch.platform and c != ch
                      and (ch.is_competitor or c.is_competitor)]
            rows.append(ComparisonRow(ch, answer(ChannelSets.of((ch,), others), ch.name)))
        rows.append(ComparisonRow(None, answer_for(metric, pq, terms, own_sets, None, campaign,
                                                   scope.main)))
        return Comparison(metric, pq.current, pq.previous, rows)

    rows = [ComparisonRow(ch, answer(ChannelSets.of((ch,)), ch.name)) for ch in everyone]
    total = answer_for(metric, pq, terms, own_sets, None, campaign, scope.main)
    if metric.kind.value in ("counter", "gauge") and total.value:
        rows = [ComparisonRow(r.channel, r.answer,
                              None if r.channel is None or r.channel.is_competitor
                              or r.answer.value is None
                              else 100.0 * r.answer.value / total.value) for r in rows]
    rows.append(ComparisonRow(None, total))
    return Comparison(metric, pq.current, pq.previous, rows)

