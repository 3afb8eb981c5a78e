"""Snapshot writes on PostgreSQL by COPY into a staging table and one upsert (issue 18):
the same counts, values and all-or-nothing as the ``executemany`` path SQLite keeps.

Every case writes the same hand-made rows through both paths (SQLite: the old upsert;
PostgreSQL: ``storage/pg_copy.py``) and compares them; the PostgreSQL cases skip without
``KPIBOT_TEST_POSTGRES_URL``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.importer import ImportFileError
from kpi_engine.services.ingest import CLI_MAX_BYTES, import_bytes
from kpi_engine.storage import schema as t
from kpi_engine.storage.db import make_engine, migrate
from kpi_engine.storage.store import Store

pytestmark = pytest.mark.postgres

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
TODAY = date(2026, 3, 10)


@pytest.fixture
def pg(db_engine: Engine) -> Store:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    return Store(db_engine)


@pytest.fixture
def lite(tmp_path: Path) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine)
    return Store(engine)


def dump(store: Store, workspace_id: int) -> list[tuple[object, ...]]:
    """Every snapshot of the workspace as (platform, handle, metric, day, campaign, value)."""
    s, c = t.snapshots.c, t.channels.c
    with store.connect() as conn:
        rows = conn.execute(
            select(c.platform, c.handle, s.metric, s.day, s.campaign, s.value)
            .join(t.channels, t.channels.c.id == s.channel_id)
            .where(s.workspace_id == workspace_id)).all()
    return sorted(tuple(r) for r in rows)


def both(pg: Store, lite: Store, batches: list[list[SnapshotRow]]
         ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Write each batch on both; (PostgreSQL counts, SQLite counts) per batch."""
    a, b = pg.ensure_workspace("acme"), lite.ensure_workspace("acme")
    out = []
    for rows in batches:
        x, y = pg.write_snapshots(a.id, rows), lite.write_snapshots(b.id, rows)
        out.append(((x.written, x.replaced), (y.written, y.replaced)))
    assert dump(pg, a.id) == dump(lite, b.id)
    return out


def test_counts_written_and_replaced_as_the_old_path(pg: Store, lite: Store) -> None:
    first = [SnapshotRow(D1, "instagram", "", "reach", 100.0),
             SnapshotRow(D2, "instagram", "", "reach", 110.0),
             SnapshotRow(D1, "tiktok", "", "views", 5.0),
             SnapshotRow(D1, "instagram", "", "spend", 10.0, "ramadan")]
    second = [SnapshotRow(D2, "instagram", "", "reach", 120.0),  # replaced
              SnapshotRow(D1, "tiktok", "", "views", 5.0),  # replaced (same value)
              SnapshotRow(D3, "instagram", "", "reach", 130.0),  # new
              SnapshotRow(D1, "instagram", "", "spend", 11.0),  # new: no campaign
              SnapshotRow(D3, "instagram", "", "reach", 131.0)]  # same key again: last wins
    counts = both(pg, lite, [first, second])
    assert counts == [((4, 0), (4, 0)), ((4, 2), (4, 2))]
    ws = pg.workspace("acme")
    assert ws is not None
    ig = next(c for c in pg.channels(ws.id) if c.platform == "instagram")
    assert pg.snapshot_value(ws.id, ig.id, "reach", D3) == 131.0
    assert pg.snapshot_value(ws.id, ig.id, "reach", D2) == 120.0
    assert pg.snapshot_value(ws.id, ig.id, "spend", D1, "ramadan") == 10.0


def test_values_equal_row_by_row_with_odd_text(pg: Store, lite: Store) -> None:
    """Campaign names with a tab, a backslash, a newline and non-ASCII letters, and values
    COPY's text format must carry exactly (tiny, huge, negative, many decimals)."""
    campaigns = ["", "a\tb", "back\\slash", "line\nbreak", "Lebaran ✨ 2026", "\\N"]
    values = [0.1, 1e-9, 123456789012.5, -3.25, 2 / 3, 0.0]
    rows = [SnapshotRow(D1, "instagram", "", "spend", v, c) for c, v in zip(campaigns, values, strict=True)]
    rows += [SnapshotRow(D2, "instagram", "@rival", "followers", 9000.0, competitor=True)]
    assert both(pg, lite, [rows]) == [((7, 0), (7, 0))]


def test_reimport_changes_nothing_and_keeps_campaigns_and_competitors(
        pg: Store, lite: Store) -> None:
    data = (b"date,channel,metric,value,campaign,competitor\n"
            b"2026-03-01,instagram,reach,1000,,\n"
            b"2026-03-01,instagram,spend,50000,ramadan,\n"
            b"2026-03-02,instagram:@rival,followers,7000,,ya\n")
    found = []
    for store in (pg, lite):
        ws = store.ensure_workspace("acme")
        once = import_bytes(store, ws.id, data, "a.csv", today=TODAY, max_bytes=CLI_MAX_BYTES)
        before = dump(store, ws.id)
        again = import_bytes(store, ws.id, data, "a.csv", today=TODAY, max_bytes=CLI_MAX_BYTES)
        assert dump(store, ws.id) == before
        assert store.campaigns(ws.id) == ["ramadan"]
        assert [(c.platform, c.handle, c.is_competitor) for c in store.channels(ws.id)] == [
            ("instagram", "", False), ("instagram", "@rival", True)]
        found.append(((once.result.written, once.result.replaced),
                      (again.result.written, again.result.replaced), before))
    assert found[0] == found[1]
    assert found[0][:2] == ((3, 0), (3, 3))


def test_a_bad_file_writes_nothing(pg: Store) -> None:
    ws = pg.ensure_workspace("acme")
    data = (b"date,channel,metric,value\n"
            b"2026-03-01,instagram,reach,1000\n"
            b"2026-03-02,instagram,reach,banyak\n")
    with pytest.raises(ImportFileError):
        import_bytes(pg, ws.id, data, "a.csv", today=TODAY, max_bytes=CLI_MAX_BYTES)
    assert pg.count_snapshots(ws.id) == 0
    assert pg.channels(ws.id) == []


def test_all_or_none_when_the_transaction_fails_after_the_copy(pg: Store) -> None:
    ws = pg.ensure_workspace("acme")
    rows = [SnapshotRow(D1, "instagram", "", "reach", 1.0),
            SnapshotRow(D2, "instagram", "", "reach", 2.0)]
    with pytest.raises(RuntimeError), pg.begin() as conn:
        assert pg.write_snapshots(ws.id, rows, conn).written == 2
        raise RuntimeError("later step of the same transaction")
    assert pg.count_snapshots(ws.id) == 0
    assert pg.channels(ws.id) == []


def test_two_writes_in_one_transaction(pg: Store) -> None:
    """The staging table is made anew for a second write of the same transaction."""
    ws = pg.ensure_workspace("acme")
    with pg.begin() as conn:
        a = pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 1.0)], conn)
        b = pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 2.0),
                                       SnapshotRow(D2, "instagram", "", "reach", 3.0)], conn)
    assert ((a.written, a.replaced), (b.written, b.replaced)) == ((1, 0), (2, 1))
    assert pg.count_snapshots(ws.id) == 2
