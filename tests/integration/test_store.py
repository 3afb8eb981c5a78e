"""Storage on SQLite and PostgreSQL: idempotent upserts, batched writes, channels, links."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, event

from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.storage.db import current_revision, ensure_schema, head_revision, make_engine
from kpi_engine.storage.store import BATCH, Store


def rows(n: int, value: float = 1.0, start: date = date(2026, 1, 1)) -> list[SnapshotRow]:
    return [SnapshotRow(start + timedelta(days=i), "instagram", "", "reach", value + i)
            for i in range(n)]


def test_write_then_replace_counts_and_values(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    first = store.write_snapshots(ws.id, rows(10))
    assert (first.written, first.replaced, first.inserted) == (10, 0, 10)
    again = store.write_snapshots(ws.id, rows(10, value=100.0))
    assert (again.written, again.replaced) == (10, 10)
    assert store.count_snapshots(ws.id) == 10  # replaced, never doubled
    ch = store.channels(ws.id)[0]
    assert store.snapshot_value(ws.id, ch.id, "reach", date(2026, 1, 1)) == 100.0


def test_partial_overlap(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    store.write_snapshots(ws.id, rows(5))
    result = store.write_snapshots(ws.id, rows(8))
    assert (result.written, result.replaced, result.inserted) == (8, 5, 3)
    assert store.count_snapshots(ws.id) == 8


def test_campaign_is_part_of_the_key(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    day = date(2026, 3, 1)
    store.write_snapshots(ws.id, [
        SnapshotRow(day, "instagram", "", "spend", 10.0),
        SnapshotRow(day, "instagram", "", "spend", 20.0, "ramadan"),
    ])
    assert store.count_snapshots(ws.id) == 2
    assert store.campaigns(ws.id) == ["ramadan"]


def test_duplicate_keys_in_one_write_collapse_to_the_last(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    day = date(2026, 3, 1)
    result = store.write_snapshots(ws.id, [
        SnapshotRow(day, "tiktok", "", "views", 1.0),
        SnapshotRow(day, "tiktok", "", "views", 2.0),
    ])
    assert result.written == 1
    ch = store.channels(ws.id)[0]
    assert store.snapshot_value(ws.id, ch.id, "views", day) == 2.0


def test_competitor_flag_and_channel_reuse(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    day = date(2026, 3, 1)
    store.write_snapshots(ws.id, [SnapshotRow(day, "instagram", "@rival", "mentions", 3.0,
                                              competitor=True)])
    store.write_snapshots(ws.id, [SnapshotRow(day, "instagram", "@rival", "likes", 3.0)])
    (ch,) = store.channels(ws.id)
    assert ch.is_competitor and ch.name == "instagram:@rival"


def test_bulk_write_is_batched(store: Store, db_engine: Engine) -> None:
    ws = store.ensure_workspace("acme")
    n = BATCH * 2 + 17
    data = rows(n)
    executes: list[int] = []

    def before(_conn: object, _cur: object, stmt: str, params: object, _ctx: object,
               many: bool) -> None:
        if stmt.startswith("INSERT INTO snapshots"):
            executes.append(len(params) if many else 1)  # type: ignore[arg-type]

    event.listen(db_engine, "before_cursor_execute", before)
    try:
        result = store.write_snapshots(ws.id, data)
    finally:
        event.remove(db_engine, "before_cursor_execute", before)
    assert result.written == n
    if db_engine.dialect.name == "postgresql":  # COPY into the staging table, one upsert
        assert executes == []
        assert store.count_snapshots(ws.id) == n
        return
    assert len(executes) == 3 and sum(executes) == n


def test_postgres_writes_by_copy_and_one_upsert(store: Store, db_engine: Engine) -> None:
    """New keys only (one index probe says so): COPY straight into snapshots (on the driver's
    cursor: no statement through SQLAlchemy). Some keys stored: COPY into the staging table
    and one upsert."""
    if db_engine.dialect.name != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    ws = store.ensure_workspace("acme")
    n = BATCH * 2 + 17
    seen: list[str] = []

    def before(_conn: object, _cur: object, stmt: str, params: object, _ctx: object,
               many: bool) -> None:
        if "snapshots" in stmt:
            seen.append(stmt.split(" (")[0] if not stmt.startswith("WITH") else "UPSERT")

    event.listen(db_engine, "before_cursor_execute", before)
    try:
        first = store.write_snapshots(ws.id, rows(n))
        probe_only = list(seen)
        again = store.write_snapshots(ws.id, rows(n))
    finally:
        event.remove(db_engine, "before_cursor_execute", before)
    assert (first.written, first.replaced) == (n, 0)
    assert (again.written, again.replaced) == (n, n)
    assert probe_only == ["SELECT EXISTS"]
    assert seen[1:] == ["SELECT EXISTS", "CREATE TEMP TABLE snapshots_stage",
                        "ANALYZE snapshots_stage", "UPSERT", "DROP TABLE snapshots_stage"]
    assert store.count_snapshots(ws.id) == n


def test_workspaces_isolated(store: Store) -> None:
    a = store.ensure_workspace("a")
    b = store.ensure_workspace("b")
    store.write_snapshots(a.id, rows(3))
    assert store.count_snapshots(b.id) == 0
    assert store.channels(b.id) == []


def test_chat_links_and_roles(store: Store) -> None:
    ws = store.ensure_workspace("acme")
    assert store.chat_access("telegram", "-100", "7") is None
    store.link_chat(ws.id, "telegram", "-100", Role.VIEWER)
    found = store.chat_access("telegram", "-100", "7")
    assert found is not None and found[0].slug == "acme" and found[1] is Role.VIEWER
    store.link_chat(ws.id, "telegram", "-100", Role.EDITOR, user_id="7")
    assert store.chat_access("telegram", "-100", "7")[1] is Role.EDITOR  # type: ignore[index]
    assert store.chat_access("telegram", "-100", "8")[1] is Role.VIEWER  # type: ignore[index]
    assert store.chat_access("slack", "-100", "7") is None  # platforms are separate


def test_ensure_workspace_defaults(store: Store) -> None:
    ws = store.ensure_workspace("new")
    assert (ws.timezone, ws.language, ws.currency) == ("Asia/Jakarta", "id", "IDR")
    assert store.ensure_workspace("new").id == ws.id


def test_sqlite_migrates_itself_on_first_use(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/fresh.db")
    assert current_revision(engine) is None
    ensure_schema(engine)
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()
