"""Metric values over periods, computed in SQL: one statement per question.

A question (one or many metrics, over one or more periods, for a set of channels) is first
broken into *terms*, the stored quantities it needs:

- a **sum term** ``(metric, start, end)``: Σ of a stored counter's daily values;
- a **last term** ``(metric, day)``: for each series (channel, campaign) the last value of a
  gauge recorded on or before ``day``, summed, with the oldest such day.

One statement fetches every term *per channel* (conditional aggregation for the sums, one
``UNION ALL`` branch per last term). The formulas of SPEC §3 are then applied in Python to the
per-channel terms, so totals over own channels, a named channel, or each channel of a
comparison all come from the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, TextClause, bindparam, text

from kpi_engine.metrics import METRICS, Kind, Metric

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
        for side in _ratio_sides(metric):
            needs_for(METRICS[side], span, needs)
    return needs


def _ratio_sides(metric: Metric) -> list[str]:
    sides: list[str] = []
    for expr in (metric.numerator, metric.denominator, metric.numerator_minus):
        if expr:
            sides.extend(expr.split("+"))
    return sides


@dataclass
class Terms:
    """Per-channel term values fetched by one statement."""

    sums: dict[tuple[int, SumTerm], float] = field(default_factory=dict)
    lasts: dict[tuple[int, LastTerm], tuple[float, date]] = field(default_factory=dict)
    statements: int = 0

    def sum(self, term: SumTerm, channel_ids: Iterable[int]) -> float | None:
        found = [self.sums[(c, term)] for c in channel_ids if (c, term) in self.sums]
        return sum(found) if found else None

    def last(self, term: LastTerm, channel_ids: Iterable[int]) -> tuple[float | None, date | None]:
        found = [self.lasts[(c, term)] for c in channel_ids if (c, term) in self.lasts]
        if not found:
            return None, None
        return sum(v for v, _ in found), min(d for _, d in found)


def fetch_terms(conn: Connection, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                campaign: str | None = None) -> Terms:
    """Fetch every term of ``needs`` for each channel of ``channel_ids`` in one statement."""
    terms = Terms()
    if not channel_ids or (not needs.sums and not needs.lasts):
        return terms
    sqlite = conn.dialect.name == "sqlite"

    def d(day: date) -> Any:
        return day.isoformat() if sqlite else day

    sums = sorted(needs.sums)
    lasts = sorted(needs.lasts)
    width = max(1, len(sums))
    params: dict[str, Any] = {"ws": workspace_id, "chs": list(channel_ids)}
    camp = ""
    if campaign is not None:
        params["camp"] = campaign
        camp = " AND {a}.campaign = :camp"
    branches: list[str] = []
    if sums:
        cols = []
        for i, (metric, start, end) in enumerate(sums):
            params[f"sm{i}"], params[f"sa{i}"], params[f"sb{i}"] = metric, d(start), d(end)
            cols.append(f"SUM(CASE WHEN s.metric = :sm{i} AND s.day >= :sa{i} AND s.day <= :sb{i}"
                        f" THEN s.value END) AS v{i}")
        metrics = sorted({m for m, _, _ in sums})
        params["sms"] = metrics
        params["slo"] = d(min(s for _, s, _ in sums))
        params["shi"] = d(max(e for _, _, e in sums))
        branches.append(
            "SELECT s.channel_id AS ch, -1 AS g, NULL AS asof, " + ", ".join(cols)
            + " FROM snapshots s WHERE s.workspace_id = :ws AND s.metric IN :sms"
            " AND s.channel_id IN :chs AND s.day >= :slo AND s.day <= :shi"
            + camp.format(a="s") + " GROUP BY s.channel_id")
    pad = "".join(f", NULL AS v{i}" for i in range(1, width))
    for j, (metric, day) in enumerate(lasts):
        params[f"gm{j}"], params[f"gd{j}"] = metric, d(day)
        branches.append(
            f"SELECT v.channel_id AS ch, {j} AS g, MIN(v.day) AS asof, SUM(v.value) AS v0{pad}"
            " FROM snapshots v JOIN (SELECT m.channel_id, m.campaign, MAX(m.day) AS d"
            f" FROM snapshots m WHERE m.workspace_id = :ws AND m.metric = :gm{j}"
            f" AND m.channel_id IN :chs AND m.day <= :gd{j}" + camp.format(a="m")
            + " GROUP BY m.channel_id, m.campaign) lastday"
            f" ON v.workspace_id = :ws AND v.metric = :gm{j} AND v.channel_id = lastday.channel_id"
            " AND v.campaign = lastday.campaign AND v.day = lastday.d"
            " GROUP BY v.channel_id")
    for row in conn.execute(_statement(" UNION ALL ".join(branches), bool(sums)), params):
        ch, g = int(row[0]), int(row[1])
        if g < 0:
            for i, term in enumerate(sums):
                v = row[3 + i]
                if v is not None:
                    terms.sums[(ch, term)] = float(v)
        elif row[3] is not None:
            asof = row[2]
            terms.lasts[(ch, lasts[g])] = (
                float(row[3]), date.fromisoformat(asof) if isinstance(asof, str) else asof)
    terms.statements = 1
    return terms


@lru_cache(maxsize=512)
def _statement(sql: str, with_sums: bool) -> TextClause:
    """The ``text()`` construct of a question's SQL, built once per distinct shape."""
    return text(sql).bindparams(bindparam("chs", expanding=True),
                                *([bindparam("sms", expanding=True)] if with_sums else []))


@dataclass(frozen=True)
class ChannelSets:
    """Which channels a formula adds up: the question's own scope, and the competitors whose
    mentions count as ``competitor_mentions``."""

    main: tuple[int, ...]
    competitors: tuple[int, ...] = ()


def compute(metric: Metric, span: Span, terms: Terms, sets: ChannelSets) -> Value:
    """Apply the formula of SPEC §3 to fetched terms."""
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
    return _ratio(metric, span, terms, sets)


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
