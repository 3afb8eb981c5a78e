"""The formulas of SPEC §3 over fetched terms: one statement per question (the statement
itself is :func:`kpi_engine.storage.terms.fetch_terms`).

A question (one or many metrics, over one or more periods, for a set of channels) is first
broken into *terms*, the stored quantities it needs:

- a **sum term** ``(metric, start, end)``: Σ of a stored counter's daily values;
- a **last term** ``(metric, day)``: for each series (channel, campaign) the last value of a
  gauge recorded on or before ``day``, summed, with the oldest such day.

One statement fetches every term *per channel* (conditional aggregation for the sums, one
``UNION ALL`` branch per last term). The formulas of SPEC §3 are then applied in Python to the
per-channel terms, so totals over own channels, a named channel, or each channel of a
comparison all come from the same rows. Sums are fetched per (channel, campaign) so the
paid-only cost ratios of SPEC §3.1 can keep the pairs with spend and leave organic ones out.

The meaning rules of SPEC §3.1 live in ``compute`` (and nowhere else):

- ``engagement_rate``: ``100 × Σ_c engagement_c / Σ_c (posts_c × audience_c)``, channel by
  channel, audience = followers at the end (subscribers when the channel has no followers);
- cost ratios (``formula == "paid"``): both terms from the (channel, campaign) pairs with
  spend > 0 in the span; the value names those campaigns (``Value.paid_campaigns``);
- ``share_of_voice``: the scope's mentions on the platforms where a competitor channel is
  tracked, against those competitors' mentions; no competitor there: no value;
- gauges: the last value on or before the span's end, however old (``gauge_as_of`` says
  when it is older than the span's start) — the one rule every reader follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from kpi_engine.domain.metrics import METRICS, Kind, Metric

SumTerm = tuple[str, date, date]
LastTerm = tuple[str, date]


@dataclass(frozen=True)
class Span:
    """A closed range of days (a ``Period`` without its label)."""

    start: date
    end: date


@dataclass(frozen=True)
class Value:
    """A metric's value over a span; ``value`` is None when there is no data."""

    value: float | None
    as_of: date | None = None  # gauges: the oldest day of the last values used
    numerator: float | None = None  # ratios: the two sides, before scaling
    denominator: float | None = None
    reason: str | None = None  # why there is no value: "no_posts", "no_competitor", "no_spend"
    paid_campaigns: tuple[str, ...] = ()  # cost ratios: the paid campaigns covered ("" untagged)


#: Why a value is missing (``Value.reason``).
NO_POSTS, NO_AUDIENCE, NO_COMPETITOR, NO_SPEND = "no_posts", "no_audience", "no_competitor", \
    "no_spend"


def gauge_as_of(value: Value, span: Span) -> date | None:
    """The day a gauge's value is from, when it is older than ``span``'s start (the reply says
    "per <day>"); None when the value is from inside the span. The one gauge rule of SPEC §3:
    the last value on or before the end, with no limit on how far back."""
    if value.as_of is not None and value.as_of < span.start:
        return value.as_of
    return None


@dataclass
class Needs:
    sums: set[SumTerm] = field(default_factory=set)
    lasts: set[LastTerm] = field(default_factory=set)
    competitor_mentions: bool = False  # competitor channels' mentions are needed


def needs_for(metric: Metric, span: Span, needs: Needs | None = None) -> Needs:
    """The terms ``metric`` over ``span`` depends on."""
    needs = needs or Needs()
    key = metric.key
    if metric.kind is Kind.COUNTER:
        for part in metric.parts or (key,):
            needs.sums.add((part, span.start, span.end))
        if key == "competitor_mentions":
            needs.sums.add(("mentions", span.start, span.end))
            needs.competitor_mentions = True
    elif metric.kind is Kind.GAUGE:
        needs.lasts.add((key, span.end))
    elif metric.kind is Kind.GAUGE_DELTA:
        needs.lasts.add(("followers", span.end))
        needs.lasts.add(("followers", span.start - timedelta(days=1)))
    else:
        if metric.formula == "per_post":
            needs.lasts.add(("followers", span.end))
            needs.lasts.add(("subscribers", span.end))
        if metric.formula == "voice":
            needs.competitor_mentions = True
        for side in _ratio_sides(metric):
            needs_for(METRICS[side], span, needs)
    return needs


def has_data(metric: Metric, span: Span, terms: Terms, channel_id: int) -> bool:
    """Whether any stored term of ``metric`` over ``span`` has a value for the channel (a
    channel without is new to the period: like-for-like totals leave it out)."""
    needs = needs_for(metric, span)
    return any((channel_id, term) in terms.sums for term in needs.sums) or \
        any((channel_id, term) in terms.lasts for term in needs.lasts)


def _ratio_sides(metric: Metric) -> list[str]:
    sides: list[str] = []
    for expr in (metric.numerator, metric.denominator, metric.numerator_minus):
        if expr:
            sides.extend(expr.split("+"))
    return sides


@dataclass
class Terms:
    """Per-channel term values fetched by one statement; ``pairs`` holds the sums per
    (channel, campaign) (``""``: untagged), which the paid-only cost ratios need."""

    sums: dict[tuple[int, SumTerm], float] = field(default_factory=dict)
    lasts: dict[tuple[int, LastTerm], tuple[float, date]] = field(default_factory=dict)
    pairs: dict[tuple[int, str, SumTerm], float] = field(default_factory=dict)
    statements: int = 0

    def add_sum(self, channel: int, campaign: str, term: SumTerm, value: float) -> None:
        """File one (channel, campaign) sum: under its pair and in the channel's total."""
        self.pairs[(channel, campaign, term)] = value
        self.sums[(channel, term)] = self.sums.get((channel, term), 0.0) + value

    def campaigns(self, channel_ids: Iterable[int]) -> list[str]:
        """The campaigns (``""``: untagged) with a sum term for any of ``channel_ids``."""
        ids = set(channel_ids)
        return sorted({camp for (c, camp, _) in self.pairs if c in ids})

    def only_campaign(self, name: str) -> Terms:
        """The sum terms of one campaign (``""``: the untagged rows), as if nothing else had
        been fetched; last terms are kept (a gauge has no campaign of its own)."""
        sub = Terms(lasts=dict(self.lasts), statements=self.statements)
        for (c, camp, term), value in self.pairs.items():
            if camp == name:
                sub.add_sum(c, camp, term, value)
        return sub

    def sum(self, term: SumTerm, channel_ids: Iterable[int]) -> float | None:
        found = [self.sums[(c, term)] for c in channel_ids if (c, term) in self.sums]
        return sum(found) if found else None

    def last(self, term: LastTerm, channel_ids: Iterable[int]) -> tuple[float | None, date | None]:
        found = [self.lasts[(c, term)] for c in channel_ids if (c, term) in self.lasts]
        if not found:
            return None, None
        return sum(v for v, _ in found), min(d for _, d in found)


@dataclass(frozen=True)
class ChannelSets:
    """Which channels a formula adds up: the question's own scope, and the competitors whose
    mentions count as ``competitor_mentions``. ``platforms`` maps channel id → platform (for
    share of voice on the same platforms); without it every competitor counts."""

    main: tuple[int, ...]
    competitors: tuple[int, ...] = ()
    platforms: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, main: Iterable[Any], competitors: Iterable[Any] = ()) -> ChannelSets:
        """The sets of channel objects (anything with ``id`` and ``platform``)."""
        main, competitors = tuple(main), tuple(competitors)
        return cls(tuple(c.id for c in main), tuple(c.id for c in competitors),
                   tuple((c.id, c.platform) for c in (*main, *competitors)))

    def only(self, main: Iterable[int]) -> ChannelSets:
        """The same sets with ``main`` narrowed to some of its channels."""
        return ChannelSets(tuple(main), self.competitors, self.platforms)


def compute(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    """Apply the formula of SPEC §3 (with the meaning rules of §3.1) to fetched terms."""
    key = metric.key
    if metric.kind is Kind.COUNTER:
        parts = [terms.sum((p, span.start, span.end), sets.main) for p in metric.parts or (key,)]
        if key == "competitor_mentions":
            parts.append(terms.sum(("mentions", span.start, span.end), sets.competitors))
        present = [p for p in parts if p is not None]
        return Value(sum(present) if present else None)
    if metric.kind is Kind.GAUGE:
        value, as_of = terms.last((key, span.end), sets.main)
        return Value(value, as_of=as_of)
    if metric.kind is Kind.GAUGE_DELTA:
        end_value, as_of = terms.last(("followers", span.end), sets.main)
        base, _ = terms.last(("followers", span.start - timedelta(days=1)), sets.main)
        if end_value is None or base is None:
            return Value(None, as_of=as_of)
        growth = end_value - base
        if key == "follower_growth":
            return Value(growth, as_of=as_of, numerator=growth, denominator=base)
        if not base:
            return Value(None, as_of=as_of, numerator=growth, denominator=base)
        return Value(metric.scale * growth / base, as_of=as_of, numerator=growth,
                     denominator=base)
    if metric.formula == "per_post":
        return _per_post(metric, span, terms, sets)
    if metric.formula == "paid":
        return _paid(metric, span, terms, sets)
    if metric.formula == "voice":
        return _voice(metric, span, terms, sets)
    return _ratio(metric, span, terms, sets)


def _per_post(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    """Engagement rate: ``100 × Σ_c engagement_c / Σ_c (posts_c × audience_c)`` over the
    channels with posts and an audience (followers at the end; subscribers when the channel
    records no followers)."""
    engagement = METRICS["engagement"]
    num = den = 0.0
    any_posts = False
    as_ofs: list[date] = []
    for c in sets.main:
        posts = terms.sum(("posts", span.start, span.end), (c,))
        if not posts:
            continue
        any_posts = True
        audience, as_of = terms.last(("followers", span.end), (c,))
        if not audience:
            audience, as_of = terms.last(("subscribers", span.end), (c,))
        if not audience or as_of is None:
            continue
        num += compute(engagement, span, terms, ChannelSets((c,))).value or 0.0
        den += posts * audience
        as_ofs.append(as_of)
    if not den:
        return Value(None, reason=NO_AUDIENCE if any_posts else NO_POSTS)
    return Value(metric.scale * num / den, as_of=min(as_ofs), numerator=num, denominator=den)


def _paid(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    """A cost ratio over the paid (channel, campaign) pairs: those with spend > 0."""
    assert metric.numerator and metric.denominator
    spend = ("spend", span.start, span.end)
    main = set(sets.main)
    paid = sorted((c, camp) for (c, camp, term), v in terms.pairs.items()
                  if term == spend and c in main and v > 0)
    if not paid:
        return Value(None, reason=NO_SPEND)

    def side(key: str) -> float | None:
        term = (key, span.start, span.end)
        found = [terms.pairs[(c, camp, term)] for c, camp in paid
                 if (c, camp, term) in terms.pairs]
        return sum(found) if found else None

    campaigns = tuple(sorted({camp for _, camp in paid}))
    numerator = side(metric.numerator)
    if metric.numerator_minus is not None and numerator is not None:
        minus = side(metric.numerator_minus)
        numerator = None if minus is None else numerator - minus
    denominator = side(metric.denominator)
    if numerator is None or not denominator:
        return Value(None, numerator=numerator, denominator=denominator,
                     paid_campaigns=campaigns)
    return Value(metric.scale * numerator / denominator, numerator=numerator,
                 denominator=denominator, paid_campaigns=campaigns)


def _voice(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    """Share of voice: the scope's mentions on the platforms where a competitor channel is
    tracked ÷ (those + the competitors' mentions there + any stored competitor mentions)."""
    platform = dict(sets.platforms)
    rivals = [r for r in sets.competitors if r not in sets.main]
    if platform:
        tracked = {platform.get(r) for r in rivals}
        main = [c for c in sets.main if platform.get(c) in tracked]
        rivals = [r for r in rivals if platform.get(r) in {platform.get(c) for c in main}]
    else:
        main = list(sets.main)
    if not main or not rivals:
        return Value(None, reason=NO_COMPETITOR)
    mentions = ("mentions", span.start, span.end)
    own = terms.sum(mentions, main)
    others = [terms.sum(mentions, rivals),
              terms.sum(("competitor_mentions", span.start, span.end), [*main, *rivals])]
    if own is None:  # no mentions recorded for the scope: no value (never 0 from no data)
        return Value(None)
    whole = own + sum(x for x in others if x is not None)
    if not whole:
        return Value(None, numerator=own, denominator=whole)
    return Value(metric.scale * own / whole, numerator=own, denominator=whole)

def _side(expr: str, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    values = [compute(METRICS[k], span, terms, sets) for k in expr.split("+")]
    present = [v.value for v in values if v.value is not None]
    as_ofs = [v.as_of for v in values if v.as_of is not None]
    return Value(sum(present) if present else None, as_of=min(as_ofs) if as_ofs else None)


def _ratio(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    assert metric.numerator and metric.denominator
    num = _side(metric.numerator, span, terms, sets)
    den = _side(metric.denominator, span, terms, sets)
    numerator = num.value
    if metric.numerator_minus is not None and numerator is not None:
        minus = _side(metric.numerator_minus, span, terms, sets).value
        numerator = None if minus is None else numerator - minus
    as_of = den.as_of or num.as_of
    if numerator is None or not den.value:
        return Value(None, as_of=as_of, numerator=numerator, denominator=den.value)
    return Value(metric.scale * numerator / den.value, as_of=as_of, numerator=numerator,
                 denominator=den.value)
