"""Partial periods: a counter summed over a period that the scope's data covers only in part
(the data begins inside it) is no like-for-like number. "reach ig Q3" against a Q2 whose
data begins on 7 June reads +292 %; the reply says which period is partial and how many of
its days the data covers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpi_engine.domain.metrics import METRICS, Kind
from kpi_engine.domain.model import Channel
from kpi_engine.domain.periods import Period, PeriodQuery
from kpi_engine.domain.ports import FirstDay

#: The shortest period checked (one more index seek): months, quarters, years, "30 hari
#: terakhir". A day or a week, the questions asked most, keep their three statements.
MIN_DAYS = 28


@dataclass(frozen=True)
class Partial:
    """The data of the scope begins on ``since``, inside ``period``: ``covered`` of its
    ``days`` days have data."""

    period: Period
    since: date
    covered: int
    days: int


def stored_terms(metric: str) -> tuple[str, ...]:
    """The stored counters a counter metric sums; () for a metric that is no sum."""
    m = METRICS[metric]
    if m.kind is not Kind.COUNTER:
        return ()
    return m.parts or ((m.key,) if m.stored else ())


def partial(store: FirstDay, workspace_id: int, channels: Sequence[Channel], metric: str,
            pq: PeriodQuery) -> tuple[Partial | None, Partial | None]:
    """(the current period, the previous one) when the data begins inside it, else None."""
    terms = stored_terms(metric)
    if not terms or not channels or (pq.current.end - pq.current.start).days + 1 < MIN_DAYS:
        return None, None
    since = store.first_day(workspace_id, [c.id for c in channels], terms)
    if since is None:
        return None, None

    def part(p: Period) -> Partial | None:
        if not p.start < since <= p.end:
            return None
        return Partial(p, since, (p.end - since).days + 1, (p.end - p.start).days + 1)

    return part(pq.current), part(pq.previous)
