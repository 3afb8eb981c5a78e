"""``bot/runtime/digest_builder.py``: the burst's digests are built in a process of their own
(issue 18), the same digest the bot's thread builds, from the same database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from bot.runtime.digest_builder import DigestBuilder, build_here, worker_url
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.storage import alert_store
from kpi_engine.storage.db import make_engine
from kpi_engine.storage.store import Store

DAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def seeded(engine: Engine) -> tuple[Store, alert_store.Subscription]:
    store = Store(engine)
    ws = store.ensure_workspace("builder", name="Builder Co", timezone="Asia/Jakarta")
    store.write_snapshots(ws.id, [
        SnapshotRow(DAY - timedelta(days=d), "instagram", "", "reach", 1000.0 + 17 * d)
        for d in range(1, 15)])
    sub = alert_store.subscribe(store, ws.id, "telegram", "42", "daily", 8, 0, NOW)
    return store, sub


def test_the_worker_builds_the_digest_the_thread_builds(db_engine: Engine) -> None:
    store, sub = seeded(db_engine)
    here = build_here(store, sub, DAY, NOW)
    builder = DigestBuilder(db_engine, processes=1)
    try:
        if builder.url is None:  # SQLite in memory: no other process can open it
            assert builder.build(store, sub, DAY, NOW) == here
            return
        builder.start()
        there = builder.build(store, sub, DAY, NOW)
    finally:
        builder.close()
    assert here is not None and there == here
    assert "Builder Co" in there.text.title and there.spec is not None
    assert [v for _, v in there.spec.current] == [v for _, v in here.spec.current]  # type: ignore[union-attr]


def test_a_database_in_memory_is_built_in_the_thread() -> None:
    engine = make_engine("sqlite://")
    assert worker_url(engine) is None
    assert DigestBuilder(engine, processes=1).url is None
    assert worker_url(make_engine("sqlite:////tmp/kpibot-x.db")) == "sqlite:////tmp/kpibot-x.db"
