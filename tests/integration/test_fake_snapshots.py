"""The in-memory ``SnapshotTerms`` fake (``tests/fakes.py``) answers as the real store's one
statement does, on the same rows, on SQLite and PostgreSQL: the unit tests that use it test
what production computes."""

from __future__ import annotations

from datetime import date, timedelta

from kpi_engine.domain.formulas import Needs, Span, needs_for
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.storage.store import Store
from tests.fakes import InMemorySnapshots

START = date(2026, 11, 1)


def rows() -> list[SnapshotRow]:
    out: list[SnapshotRow] = []
    for i in range(30):
        day = START + timedelta(days=i)
        out += [SnapshotRow(day, "instagram", "", "reach", 100 + 7 * i),
                SnapshotRow(day, "instagram", "", "likes", 10 + i, "gajian" if i % 3 else ""),
                SnapshotRow(day, "tiktok", "", "reach", 50 + i),
                SnapshotRow(day, "instagram", "@rival", "mentions", 3, competitor=True)]
        if i % 4 == 0:
            out += [SnapshotRow(day, "instagram", "", "followers", 1000 + i, "gajian"),
                    SnapshotRow(day, "instagram", "", "followers", 500 + i)]
    return out


def test_fake_and_store_give_the_same_terms(store: Store) -> None:
    ws = store.ensure_workspace("fake-vs-real")
    store.write_snapshots(ws.id, rows())
    channels = store.channels(ws.id)
    fake = InMemorySnapshots(channels, rows())
    ids = [c.id for c in channels]
    needs = Needs()
    for key in ("reach", "engagement", "followers", "engagement_rate", "follower_growth",
                "share_of_voice"):
        for span in (Span(START, START + timedelta(days=9)),
                     Span(START + timedelta(days=10), START + timedelta(days=40))):
            needs_for(METRICS[key], span, needs)
    for campaign in (None, "gajian"):
        real = store.snapshot_terms(ws.id, ids, needs, campaign)
        mine = fake.snapshot_terms(ws.id, ids, needs, campaign)
        assert real.sums and real.lasts
        assert real.sums == mine.sums
        assert real.pairs == mine.pairs
        assert real.lasts == mine.lasts
