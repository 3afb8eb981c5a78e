"""``/kenapa`` (``/why``): what drove a metric's change against the previous period (issue 15).

The change is the one ``/kpi`` gives (same previous period, like for like, own channels only:
a competitor is never part of "our" change). It is split by channel and by campaign, largest
absolute change first, each with its share of the change. For a ratio the split is the exact
rate/mix decomposition of :mod:`kpi_engine.domain.decomposition`: a row's ``change`` is its
part of the total change (``rate_effect + mix_effect``), so the rows add up to the change.
One statement (``storage.terms.fetch_terms``) serves the whole answer.

When posts are known for every explained channel (a post metric: engagement, its parts,
reach, views; no campaign), two more statements count the posts published in each period, and the
change is also split into posts and value per post, exactly:
``Δ = Δposts × per_post_previous + posts × Δper_post`` (``domain.content.split_by_posts``).
The value is the daily total the change is of, so the two effects add up to that change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from kpi_engine.domain.content import RANKABLE, PostsSplit, split_by_posts
from kpi_engine.domain.decomposition import Sides, largest_first, share_pct, split_ratio
from kpi_engine.domain.formulas import ChannelSets, Span, Terms, Value, compute
from kpi_engine.domain.metrics import METRICS, Kind, Metric
from kpi_engine.domain.model import Channel
from kpi_engine.domain.periods import PeriodQuery
from kpi_engine.services.answers import KpiAnswer, _fetch, answer_for, resolve_scope
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

#: Why there is nothing to explain.
NO_DATA, NO_PREVIOUS, NO_CHANGE = "no_data", "no_previous", "no_change"
UNTAGGED = ""


@dataclass(frozen=True)
class Contribution:
    by: str  # "channel" | "campaign"
    key: str  # channel name, campaign name ("" untagged)
    value: float | None
    previous: float | None
    change: float  # this row's part of the total change
    share_of_change_pct: float | None
    rate_effect: float | None = None  # ratios only
    mix_effect: float | None = None

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "by": self.by, "key": self.key, "value": _r(self.value),
            "previous": _r(self.previous), "change": _r(self.change),
            "share_of_change_pct": _r(self.share_of_change_pct, 2)}
        if self.rate_effect is not None:
            out["rate_effect"], out["mix_effect"] = _r(self.rate_effect), _r(self.mix_effect)
        return out


@dataclass(frozen=True)
class Explanation:
    answer: KpiAnswer
    contributions: list[Contribution] = field(default_factory=list)
    rate_effect: float | None = None
    mix_effect: float | None = None
    reason: str | None = None  # NO_DATA, NO_PREVIOUS, NO_CHANGE: nothing to explain
    #: the change split into fewer/more posts and value per post (posts known), else None
    posts: PostsSplit | None = None

    @property
    def metric(self) -> Metric:
        return self.answer.metric

    @property
    def change(self) -> float | None:
        return self.answer.change

    def top(self, by: str = "channel", n: int = 2) -> list[Contribution]:
        return [c for c in self.contributions if c.by == by][:n]


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def is_ratio(metric: Metric) -> bool:
    return metric.kind is Kind.RATIO or metric.key == "follower_growth_rate"


def explain(store: Store, workspace_id: int, channels: Sequence[Channel], metric_key: str,
            pq: PeriodQuery, channel: str | None = None,
            campaign: str | None = None) -> Explanation:
    """The change of ``metric_key`` over ``pq`` and what drove it (raises
    ``answers.UnknownChannel`` for a channel the workspace lacks)."""
    scope = resolve_scope(channels, channel)
    metric = METRICS[metric_key]
    terms = _fetch(store, workspace_id, scope, [metric], pq, campaign)
    e = explain_terms(metric, pq, terms, scope.main, scope.competitors, scope.label, campaign)
    if e.reason is None and campaign is None and metric_key in RANKABLE:
        kept = {c.id for c in scope.main if c.name not in e.answer.left_out}
        moved = {c.key for c in e.contributions if c.by == "channel" and (c.value or c.previous)}
        carrying = {c.id for c in scope.main if c.id in kept and c.name in moved}
        e = replace(e, posts=_posts_split(store, workspace_id, kept, carrying or kept, pq,
                                          e.answer))
    return e


def _posts_split(store: Store, workspace_id: int, channel_ids: set[int],
                 carrying: set[int], pq: PeriodQuery, answer: KpiAnswer) -> PostsSplit | None:
    """The split by posts of ``answer``'s change over the posts published by ``channel_ids``
    in each period; None when no post is known on either side, or when a channel whose
    value is part of the change (``carrying``) has no post stored at all (its daily value
    would be divided by posts it is not in)."""
    content = ContentStore(store)
    found = content.posting_by_channel(
        workspace_id, pq.current.start, pq.current.end, pq.previous.start, pq.previous.end)
    mine = [f for f in found if f.channel_id in channel_ids]
    if not mine or not carrying <= content.channels_with_posts(workspace_id):
        return None
    return split_by_posts(answer.value, answer.previous_value,
                          sum(f.posts for f in mine if f.current),
                          sum(f.posts for f in mine if not f.current))


def explain_terms(metric: Metric, pq: PeriodQuery, terms: Terms, main: Sequence[Channel],
                  competitors: Sequence[Channel], label: str | None,
                  campaign: str | None) -> Explanation:
    """The explanation from fetched terms (the alert tick calls this with its own terms)."""
    sets = ChannelSets.of(main, competitors)
    answer = answer_for(metric, pq, terms, sets, label, campaign, main)
    if answer.value is None and answer.previous_value is None:
        return Explanation(answer, reason=NO_DATA)
    if answer.change is None:
        return Explanation(answer, reason=NO_PREVIOUS if answer.previous_value is None
                           else NO_DATA)
    if not answer.change:
        return Explanation(answer, reason=NO_CHANGE)
    cur = Span(pq.current.start, pq.current.end)
    prev = Span(pq.previous.start, pq.previous.end)
    kept = [c for c in main if c.name not in answer.left_out]
    change = answer.change

    def values(sub: Terms, which: ChannelSets) -> tuple[Value, Value]:
        return compute(metric, cur, sub, which), compute(metric, prev, sub, which)

    channel_parts = {c.name: values(terms, ChannelSets.of((c,), competitors)) for c in kept}
    campaign_parts: dict[str, tuple[Value, Value]] = {}
    if campaign is None and _campaign_split(metric):
        kept_sets = ChannelSets.of(kept, competitors)
        for name in _campaigns(terms, {c.id for c in kept}):
            campaign_parts[name] = values(_only_campaign(terms, name), kept_sets)
        if set(campaign_parts) <= {UNTAGGED}:
            campaign_parts = {}
    rows: list[Contribution] = []
    rate = mix = None
    for by, parts in (("channel", channel_parts), ("campaign", campaign_parts)):
        found = _rows(metric, by, parts, change)
        if found is None:
            continue
        made, r, m = found
        rows.extend(made)
        if by == "channel":
            rate, mix = r, m
    return Explanation(answer, rows, rate, mix)


def _rows(metric: Metric, by: str, parts: dict[str, tuple[Value, Value]], change: float
          ) -> tuple[list[Contribution], float | None, float | None] | None:
    present = {k: v for k, v in parts.items()
               if v[0].value is not None or v[1].value is not None}
    if not present:
        return None
    if not is_ratio(metric):
        moves = {k: (v1.value or 0.0) - (v0.value or 0.0) for k, (v1, v0) in present.items()}
        rows = [Contribution(by, k, present[k][0].value, present[k][1].value, d,
                             share_pct(d, change))
                for k, d in largest_first(list(moves.items()))]
        return rows, None, None
    split = None
    if metric.formula != "voice":
        after = {k: Sides(v1.numerator, v1.denominator) for k, (v1, _) in present.items()
                 if v1.numerator is not None and v1.denominator}
        before = {k: Sides(v0.numerator, v0.denominator) for k, (_, v0) in present.items()
                  if v0.numerator is not None and v0.denominator}
        split = split_ratio(before, after, metric.scale)
    if split is not None and abs(split.change - change) <= 1e-9 * max(1.0, abs(change)):
        effects = {p.key: p for p in split.parts}
        order = largest_first([(p.key, p.change) for p in split.parts])
        rows = [Contribution(by, k, present[k][0].value if k in present else None,
                             present[k][1].value if k in present else None, d,
                             share_pct(d, change), effects[k].rate_effect,
                             effects[k].mix_effect) for k, d in order]
        return rows, split.rate_effect, split.mix_effect
    # no exact split (share of voice, or the parts do not add up to the whole): each part's
    # own move, with no share of a change it is not a part of
    moves = {k: v1.value - v0.value for k, (v1, v0) in present.items()
             if v1.value is not None and v0.value is not None}
    rows = [Contribution(by, k, present[k][0].value, present[k][1].value, d, None)
            for k, d in largest_first(list(moves.items()))]
    return rows, None, None


def _campaign_split(metric: Metric) -> bool:
    """Counters and sum-based ratios split by campaign; gauges, ER per post and share of
    voice do not (a campaign has no followers of its own)."""
    if metric.kind is Kind.COUNTER:
        return metric.key != "competitor_mentions"
    return metric.kind is Kind.RATIO and metric.formula not in ("per_post", "voice")


def _campaigns(terms: Terms, channel_ids: set[int]) -> list[str]:
    return sorted({camp for (c, camp, _) in terms.pairs if c in channel_ids})


def _only_campaign(terms: Terms, name: str) -> Terms:
    sub = Terms(lasts=terms.lasts)
    for (c, camp, term), value in terms.pairs.items():
        if camp == name:
            sub.add_sum(c, camp, term, value)
    return sub
