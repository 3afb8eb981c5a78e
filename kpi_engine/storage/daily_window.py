"""The last weeks of every series, read in one streaming statement: what an alert tick needs.

An alert tick looks at short, recent periods for every workspace at once: the last complete
day, the last five weeks (a drop against the median of four), the 28-day trend of each goal.
Rather than one scan of the snapshots per question, ``fetch_window`` reads every snapshot of
those days once (``SELECT … WHERE day BETWEEN``, streamed in partitions) into one list per
series (workspace, channel, metric, campaign) indexed by day. Sums over any span and gauge
levels carried to any day are then plain list arithmetic, and ``terms`` turns them into
``formulas.Terms`` so the formulas of SPEC §3 (``formulas.compute``) apply unchanged.

Gauges follow the one rule of SPEC §3 (``formulas.gauge_as_of``): the last value on or before
the day, however old. They are read from ``gauge_start``, and the same statement also reads
each gauge series' last value before that day (its *anchor*), which carries into the window.
Sums are filed per campaign too (``Terms.pairs``), for the paid-only cost ratios.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, text

from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.storage.types import bind_day

SeriesKey = tuple[int, int, str]  # (workspace, channel, metric)


class Window:
    """Values of the days ``start``..``end`` per series; ``last_seen`` per channel."""

    def __init__(self, start: date, end: date, counters_from: date | None = None) -> None:
        self.start = start
        self.end = end
        self.counters_from = counters_from or start  # counters are read from this day
        self.size = (end - start).days + 1
        # (ws, channel, metric) → campaign → value per day (None: no snapshot that day)
        self.series: dict[SeriesKey, dict[str, list[float | None]]] = defaultdict(dict)
        self.last_seen: dict[int, date] = {}  # channel → its latest day with a snapshot
        self._prefixes: dict[tuple[SeriesKey, str | None], tuple[list[float], list[int]]] = {}
        self._carried: dict[tuple[SeriesKey, str], list[tuple[float, int] | None]] = {}
        # a gauge series' last value before the window: (value, day index, negative)
        self.anchors: dict[tuple[SeriesKey, str], tuple[float, int]] = {}
        self._anchored: dict[SeriesKey, list[str]] | None = None  # series → anchored campaigns

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def _prefix(self, key: SeriesKey, campaign: str | None) -> tuple[list[float], list[int]]:
        """Running sums and counts of present values (the day's sum over the campaigns when
        ``campaign`` is None): any span's total in O(1)."""
        found = self._prefixes.get((key, campaign))
        if found is None:
            by_campaign = self.series.get(key, {})
            lists = list(by_campaign.values()) if campaign is None else \
                [by_campaign[campaign]] if campaign in by_campaign else []
            sums, counts = [0.0], [0]
            for i in range(self.size):
                present = [x[i] for x in lists if x[i] is not None]
                sums.append(sums[-1] + sum(present))  # type: ignore[arg-type]
                counts.append(counts[-1] + (1 if present else 0))
            found = self._prefixes[(key, campaign)] = (sums, counts)
        return found

    def total(self, key: SeriesKey, first: date, last: date,
              campaign: str | None = None) -> float | None:
        """Σ of a counter over ``first``..``last`` (within the window); None: no snapshot."""
        lo, hi = max(0, self.index(first)), min(self.size - 1, self.index(last))
        if hi < lo or key not in self.series:
            return None
        sums, counts = self._prefix(key, campaign)
        if counts[hi + 1] == counts[lo]:
            return None
        return sums[hi + 1] - sums[lo]

    def carried(self, key: SeriesKey, campaign: str) -> list[float | None]:
        """A gauge series' level per day: its last value on or before the day."""
        return [None if x is None else x[0] for x in self._carry(key, campaign)]

    def _carry(self, key: SeriesKey, campaign: str) -> list[tuple[float, int] | None]:
        found = self._carried.get((key, campaign))
        if found is None:
            level: tuple[float, int] | None = self.anchors.get((key, campaign))
            found = []
            values = self.series.get(key, {}).get(campaign)
            for i, v in enumerate(values if values is not None else [None] * self.size):
                if v is not None:
                    level = (v, i)
                found.append(level)
            self._carried[(key, campaign)] = found
        return found

    def campaigns(self, key: SeriesKey) -> list[str]:
        """The campaigns of a series that have a value in the window or an anchor (the
        anchors indexed by series once, on first use, after the window is filled)."""
        if self._anchored is None:
            self._anchored = defaultdict(list)
            for k, c in self.anchors:
                self._anchored[k].append(c)
        found = list(self.series.get(key, {}))
        found += [c for c in self._anchored.get(key, ()) if c not in found]
        return found

    def level(self, key: SeriesKey, day: date,
              campaign: str | None = None) -> tuple[float, date] | None:
        """A gauge at the end of ``day``: each campaign series' last value on or before it,
        summed, with the oldest day used (the engine's ``last`` term)."""
        i = self.index(day)
        if i < 0:
            return None
        i = min(i, self.size - 1)
        total, oldest = None, None
        for camp in self.campaigns(key):
            if campaign is not None and camp != campaign:
                continue
            carried = self._carry(key, camp)
            found = carried[i] if i < len(carried) else None
            if found is None:
                continue
            total = found[0] if total is None else total + found[0]
            oldest = found[1] if oldest is None else min(oldest, found[1])
        if total is None or oldest is None:
            return None
        return total, self.day(oldest)

    def terms(self, workspace_id: int, channel_ids: Iterable[int], needs: Needs,
              campaign: str | None = None) -> Terms:
        """``formulas.Terms`` of ``needs`` for these channels, from the window."""
        terms = Terms()
        for ch in channel_ids:
            for metric, first, last in needs.sums:
                key = (workspace_id, ch, metric)
                for camp in self.series.get(key, {}):
                    if campaign is not None and camp != campaign:
                        continue
                    value = self.total(key, first, last, camp)
                    if value is not None:
                        terms.add_sum(ch, camp, (metric, first, last), value)
            for metric, day in needs.lasts:
                level = self.level((workspace_id, ch, metric), day, campaign)
                if level is not None:
                    terms.lasts[(ch, (metric, day))] = level
        return terms


def fetch_window(conn: Connection, start: date, end: date, *, counters: Iterable[str],
                 gauges: Iterable[str], gauge_start: date, any_from: date | None = None,
                 workspace_ids: Sequence[int] | None = None) -> Window:
    """Every snapshot of ``counters`` from ``start``, of ``gauges`` from ``gauge_start`` (and
    each gauge series' last value before it), and of any metric from ``any_from`` (so
    ``last_seen`` is exact from that day on), to ``end`` (one statement, streamed)."""
    window = Window(min(start, gauge_start, any_from or start), end, start)
    counters, gauges = sorted(set(counters)), sorted(set(gauges))
    if not counters and not gauges and any_from is None:
        return window
    def d(day: date) -> Any:
        return bind_day(conn, day)

    params: dict[str, Any] = {"lo": d(start), "glo": d(gauge_start), "hi": d(end),
                              "cm": counters or [""], "gm": gauges or [""],
                              "any": d(any_from or end + timedelta(days=1))}
    binds: list[Any] = [bindparam("cm", expanding=True), bindparam("gm", expanding=True)]
    where_ws = ""
    if workspace_ids is not None:
        params["ws"] = list(workspace_ids) or [0]
        binds.append(bindparam("ws", expanding=True))
        where_ws = " AND workspace_id IN :ws"
    sql = ("SELECT workspace_id, channel_id, metric, campaign, day, value FROM snapshots"
           " WHERE day >= :glo AND day <= :hi"
           " AND ((metric IN :cm AND day >= :lo) OR metric IN :gm OR day >= :any)"
           + where_ws)
    if gauges:  # the anchors: each gauge series' last value before :glo, however old
        sql += (" UNION ALL SELECT s.workspace_id, s.channel_id, s.metric, s.campaign, s.day,"
                " s.value FROM snapshots s JOIN (SELECT workspace_id AS w, channel_id AS c,"
                " metric AS m, campaign AS k, MAX(day) AS d FROM snapshots"
                " WHERE metric IN :gm AND day < :glo" + where_ws
                + " GROUP BY workspace_id, channel_id, metric, campaign) a"
                " ON s.workspace_id = a.w AND s.channel_id = a.c AND s.metric = a.m"
                " AND s.campaign = a.k AND s.day = a.d")
    result = conn.execute(text(sql).bindparams(*binds), params)
    cursor = result.cursor  # plain tuples, in batches: a million rows stay cheap
    index: dict[Any, int] = {}
    flat: dict[tuple[int, int, str, str], list[float | None]] = {}
    size = window.size
    while part := cursor.fetchmany(20_000):
        for ws, ch, metric, campaign, day, value in part:
            i = index.get(day)
            if i is None:
                when = date.fromisoformat(day) if isinstance(day, str) else day
                i = index[day] = (when - window.start).days
            if i < 0:
                window.anchors[((ws, ch, metric), campaign)] = (float(value), i)
                continue
            values = flat.get((ws, ch, metric, campaign))
            if values is None:
                values = flat[(ws, ch, metric, campaign)] = [None] * size
            values[i] = value
    result.close()
    last_seen: dict[int, int] = {}
    for (ws, ch, metric, campaign), values in flat.items():
        window.series[(ws, ch, metric)][campaign] = values
        last = next((i for i in range(size - 1, -1, -1) if values[i] is not None), -1)
        if last > last_seen.get(ch, -1):
            last_seen[ch] = last
    window.last_seen = {ch: window.day(i) for ch, i in last_seen.items()}
    return window
