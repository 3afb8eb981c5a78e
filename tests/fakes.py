"""Fakes with observable state for the engine's ports (``kpi_engine.domain.ports``), so a
unit test runs real handlers and services without a database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from kpi_engine.domain.formulas import Needs, Terms
from kpi_engine.domain.model import Channel, SnapshotRow


@dataclass
class FakeClock:
    """A clock that moves only when told; ``calls`` counts the readings."""

    now_: datetime = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    calls: int = 0

    def __call__(self) -> datetime:
        self.calls += 1
        return self.now_

    def advance(self, **delta: float) -> None:
        self.now_ += timedelta(**delta)


@dataclass
class InMemorySnapshots:
    """The ``SnapshotTerms`` port over a list of rows held in memory, with the semantics of
    ``kpi_engine.storage.terms.fetch_terms``: sums per (channel, campaign); a latest level is,
    per channel and campaign, the value on the last day on or before the term's day, added up
    per channel, dated by the earliest of those days. ``asked`` records every question."""

    channels: list[Channel]
    rows: list[SnapshotRow] = field(default_factory=list)
    asked: list[tuple[int, tuple[int, ...], str | None]] = field(default_factory=list)
    #: (channel id, day) pairs a data source marked provisional
    provisional: set[tuple[int, date]] = field(default_factory=set)

    def add(self, rows: Iterable[SnapshotRow]) -> None:
        self.rows.extend(rows)

    def provisional_days(self, workspace_id: int, channel_ids: Sequence[int], first: date,
                         last: date) -> list[date]:
        return sorted({d for c, d in self.provisional
                       if c in channel_ids and first <= d <= last})

    def first_day(self, workspace_id: int, channel_ids: Sequence[int],
                  metrics: Sequence[str]) -> date | None:
        days = [r.day for r in self.rows if r.metric in metrics
                and self._channel_id(r) in channel_ids]
        return min(days) if days else None

    def _channel_id(self, row: SnapshotRow) -> int | None:
        for c in self.channels:
            if c.platform == row.platform and c.handle == row.handle:
                return c.id
        return None

    def snapshot_terms(self, workspace_id: int, channel_ids: Sequence[int], needs: Needs,
                       campaign: str | None = None) -> Terms:
        self.asked.append((workspace_id, tuple(channel_ids), campaign))
        terms = Terms()
        if not channel_ids or (not needs.sums and not needs.lasts):
            return terms
        wanted = set(channel_ids)
        rows = [(cid, r) for r in self.rows
                if (cid := self._channel_id(r)) is not None and cid in wanted
                and any(c.id == cid and c.workspace_id == workspace_id for c in self.channels)
                and (campaign is None or r.campaign == campaign)]
        groups = sorted({(cid, r.campaign) for cid, r in rows})
        for cid, camp in groups:
            for term in sorted(needs.sums):
                metric, start, end = term
                found = [r.value for c, r in rows if c == cid and r.campaign == camp
                         and r.metric == metric and start <= r.day <= end]
                if found:
                    terms.add_sum(cid, camp, term, float(sum(found)))
        for last in sorted(needs.lasts):
            metric, day = last
            for cid in sorted({c for c, _ in rows}):
                latest: dict[str, date] = {}
                for c, r in rows:
                    if c == cid and r.metric == metric and r.day <= day:
                        latest[r.campaign] = max(latest.get(r.campaign, r.day), r.day)
                if latest:
                    value = sum(r.value for c, r in rows if c == cid and r.metric == metric
                                and latest.get(r.campaign) == r.day)
                    terms.lasts[(cid, last)] = (float(value), min(latest.values()))
        terms.statements = 1
        return terms
