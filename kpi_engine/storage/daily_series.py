"""The daily aggregates behind a chart (``services/series.py``): one statement per chart,
day sums of counters per (channel, campaign, metric) and day changes of gauge levels per
(channel, metric), with every gauge series' last value before the first span as its anchor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from kpi_engine.domain.formulas import ChannelSets, Needs, Span, Terms
from kpi_engine.storage.types import bind_day

# the ``k`` column of the statement: what a row holds
_SUM, _CHANGE = 0, 2


def days(span: Span) -> Iterator[date]:
    """Every day of ``span``, in order."""
    for i in range((span.end - span.start).days + 1):
        yield span.start + timedelta(days=i)


@dataclass
class DailyRows:
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


def fetch_daily(conn: Connection, workspace_id: int, sets: ChannelSets, needs: Needs,
                 spans: Sequence[Span], campaign: str | None) -> DailyRows:
    daily = DailyRows()
    def d(day: date) -> Any:
        return bind_day(conn, day)

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
