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
from kpi_engine.domain.snapshot_columns import SnapshotColumns
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


@pytest.fixture(params=["rows", "columns"])
def shape(request: pytest.FixtureRequest) -> str:
    """How PostgreSQL is given the rows: a list (text COPY, as the API and the data sources
    write) or ``SnapshotColumns`` (binary COPY made by numpy, as an import file writes)."""
    return str(request.param)


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


def both(pg: Store, lite: Store, batches: list[list[SnapshotRow]], shape: str = "rows"
         ) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Write each batch on both (on PostgreSQL as ``shape`` says); (PostgreSQL counts,
    SQLite counts) per batch."""
    a, b = pg.ensure_workspace("acme"), lite.ensure_workspace("acme")
    out = []
    for rows in batches:
        given = SnapshotColumns.of(rows) if shape == "columns" else rows
        x, y = pg.write_snapshots(a.id, given), lite.write_snapshots(b.id, rows)
        out.append(((x.written, x.replaced), (y.written, y.replaced)))
    assert dump(pg, a.id) == dump(lite, b.id)
    return out


def test_counts_written_and_replaced_as_the_old_path(pg: Store, lite: Store,
                                                     shape: str) -> None:
    first = [SnapshotRow(D1, "instagram", "", "reach", 100.0),
             SnapshotRow(D2, "instagram", "", "reach", 110.0),
             SnapshotRow(D1, "tiktok", "", "views", 5.0),
             SnapshotRow(D1, "instagram", "", "spend", 10.0, "ramadan")]
    second = [SnapshotRow(D2, "instagram", "", "reach", 120.0),  # replaced
              SnapshotRow(D1, "tiktok", "", "views", 5.0),  # replaced (same value)
              SnapshotRow(D3, "instagram", "", "reach", 130.0),  # new
              SnapshotRow(D1, "instagram", "", "spend", 11.0),  # new: no campaign
              SnapshotRow(D3, "instagram", "", "reach", 131.0)]  # same key again: last wins
    counts = both(pg, lite, [first, second], shape)
    assert counts == [((4, 0), (4, 0)), ((4, 2), (4, 2))]
    ws = pg.workspace("acme")
    assert ws is not None
    ig = next(c for c in pg.channels(ws.id) if c.platform == "instagram")
    assert pg.snapshot_value(ws.id, ig.id, "reach", D3) == 131.0
    assert pg.snapshot_value(ws.id, ig.id, "reach", D2) == 120.0
    assert pg.snapshot_value(ws.id, ig.id, "spend", D1, "ramadan") == 10.0


def test_values_equal_row_by_row_with_odd_text(pg: Store, lite: Store, shape: str) -> None:
    """Campaign names with a tab, a backslash, a newline and non-ASCII letters, and values
    COPY's text format must carry exactly (tiny, huge, negative, many decimals)."""
    campaigns = ["", "a\tb", "back\\slash", "line\nbreak", "Lebaran ✨ 2026", "\\N"]
    values = [0.1, 1e-9, 123456789012.5, -3.25, 2 / 3, 0.0]
    rows = [SnapshotRow(D1, "instagram", "", "spend", v, c) for c, v in zip(campaigns, values, strict=True)]
    rows += [SnapshotRow(D2, "instagram", "@rival", "followers", 9000.0, competitor=True)]
    assert both(pg, lite, [rows], shape) == [((7, 0), (7, 0))]


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


# -- migration 0013: references checked per statement, cascades by trigger ---------------


def test_a_snapshot_of_a_missing_channel_or_workspace_is_refused(pg: Store) -> None:
    """The statement trigger raises what the foreign key raised (foreign_key_violation),
    for COPY and INSERT alike, and nothing is written."""
    from sqlalchemy.exc import IntegrityError

    ws = pg.ensure_workspace("acme")
    pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 1.0)])
    ig = pg.channels(ws.id)[0]
    for workspace_id, channel_id in ((ws.id, ig.id + 1000), (ws.id + 1000, ig.id)):
        with pytest.raises(IntegrityError, match="does not exist"), pg.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO snapshots (workspace_id, metric, channel_id, day, campaign,"
                " value, updated_at) VALUES (%s, 'reach', %s, '2026-03-02', '', 1, now())",
                (workspace_id, channel_id))
    assert pg.count_snapshots(ws.id) == 1
    import psycopg

    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="does not exist"), \
            pg.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(
                "COPY snapshots (workspace_id, metric, channel_id, day, campaign, value,"
                " updated_at) FROM STDIN") as copy:
            copy.write(f"{ws.id}\treach\t{ig.id + 1000}\t2026-03-05\t\t1\t2026-03-05\n")
    assert pg.count_snapshots(ws.id) == 1


def test_one_missing_reference_among_many_rows_refuses_the_whole_statement(pg: Store) -> None:
    """Migration 0014's check reads the rows' (workspace, channel) pairs in one pass: one
    bad pair among good rows of two channels refuses the COPY, and names that pair."""
    import psycopg

    ws = pg.ensure_workspace("acme")
    pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 1.0),
                               SnapshotRow(D1, "tiktok", "", "views", 1.0)])
    ig, tk = sorted(c.id for c in pg.channels(ws.id))
    lines = [f"{ws.id}\treach\t{cid}\t2026-03-{day:02d}\t\t1\t2026-03-05\n"
             for day in range(3, 20) for cid in (ig, tk)]
    lines.insert(7, f"{ws.id}\treach\t{tk + 1000}\t2026-03-04\t\t1\t2026-03-05\n")
    with pytest.raises(psycopg.errors.ForeignKeyViolation,
                       match=f"workspace {ws.id} or channel {tk + 1000} does not exist"), \
            pg.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(
                "COPY snapshots (workspace_id, metric, channel_id, day, campaign, value,"
                " updated_at) FROM STDIN") as copy:
            copy.write("".join(lines))
    assert pg.count_snapshots(ws.id) == 2
    done = pg.write_snapshots(ws.id, [SnapshotRow(D2, "instagram", "", "reach", 2.0),
                                      SnapshotRow(D2, "tiktok", "", "views", 2.0)])
    assert (done.written, done.replaced) == (2, 0)  # the good pairs pass the check


def test_deleting_a_channel_or_a_workspace_deletes_its_snapshots(pg: Store) -> None:
    a, b = pg.ensure_workspace("a"), pg.ensure_workspace("b")
    for ws in (a, b):
        pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 1.0),
                                   SnapshotRow(D1, "tiktok", "", "views", 2.0)])
    tiktok = next(c for c in pg.channels(a.id) if c.platform == "tiktok")
    with pg.begin() as conn:
        conn.execute(t.channels.delete().where(t.channels.c.id == tiktok.id))
    assert (pg.count_snapshots(a.id), pg.count_snapshots(b.id)) == (1, 2)
    with pg.begin() as conn:
        conn.execute(t.workspaces.delete().where(t.workspaces.c.id == a.id))
    assert (pg.count_snapshots(a.id), pg.count_snapshots(b.id)) == (0, 2)


def test_no_foreign_key_triggers_per_row_on_snapshots(pg: Store) -> None:
    with pg.connect() as conn:
        fks = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = 'snapshots'::regclass"
            " AND contype = 'f'").scalar_one()
    assert fks == 0


# -- the two ways in: straight COPY for new keys, staged upsert otherwise ------------------


def _versions(store: Store, workspace_id: int) -> list[tuple[object, ...]]:
    """(key, row version) of every snapshot: xmin changes when the row is written."""
    with store.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql(
            "SELECT metric, channel_id, day, campaign, xmin::text FROM snapshots"
            " WHERE workspace_id = %s", (workspace_id,)).all())


def test_an_unchanged_value_keeps_its_row_and_still_counts_as_replaced(pg: Store) -> None:
    ws = pg.ensure_workspace("acme")
    rows = [SnapshotRow(D1, "instagram", "", "reach", 1.0),
            SnapshotRow(D2, "instagram", "", "reach", 2.0)]
    pg.write_snapshots(ws.id, rows)
    before = _versions(pg, ws.id)
    again = pg.write_snapshots(ws.id, rows)
    assert (again.written, again.replaced) == (2, 2)
    assert _versions(pg, ws.id) == before  # nothing written
    changed = pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 5.0),
                                         SnapshotRow(D2, "instagram", "", "reach", 2.0),
                                         SnapshotRow(D3, "instagram", "", "reach", 3.0)])
    assert (changed.written, changed.replaced) == (3, 2)
    after = _versions(pg, ws.id)
    assert after[1] == before[1] and after[0] != before[0]  # only D1 rewritten
    ig = pg.channels(ws.id)[0]
    assert [pg.snapshot_value(ws.id, ig.id, "reach", d) for d in (D1, D2, D3)] == [5.0, 2.0,
                                                                                   3.0]


def test_a_key_stored_by_another_writer_meanwhile_falls_back_to_the_upsert(
        pg: Store, monkeypatch: pytest.MonkeyPatch, shape: str) -> None:
    """The probe said "no stored key" but another writer stored one before the COPY: the
    COPY fails on the primary key, its savepoint is rolled back and the upsert counts it
    as replaced; the rest of the transaction is kept."""
    from kpi_engine.storage import pg_copy

    ws = pg.ensure_workspace("acme")
    pg.write_snapshots(ws.id, [SnapshotRow(D1, "instagram", "", "reach", 1.0)])
    monkeypatch.setattr(pg_copy, "_PROBE", "SELECT false")  # as if probed before it landed
    rows = [SnapshotRow(D1, "instagram", "", "reach", 7.0),
            SnapshotRow(D2, "instagram", "", "reach", 8.0)]
    with pg.begin() as conn:
        result = pg.write_snapshots(
            ws.id, SnapshotColumns.of(rows) if shape == "columns" else rows, conn)
        pg.ensure_workspace("kept")  # the same transaction goes on after the failed COPY
    assert (result.written, result.replaced) == (2, 1)
    ig = pg.channels(ws.id)[0]
    assert [pg.snapshot_value(ws.id, ig.id, "reach", d) for d in (D1, D2)] == [7.0, 8.0]
    assert pg.workspace("kept") is not None


def test_a_large_write_goes_straight_in_then_replaces_with_the_same_counts(
        pg: Store, lite: Store, shape: str) -> None:
    """More rows than one COPY chunk, in an order unlike the key's, through both paths."""
    from kpi_engine.storage import pg_copy

    n = pg_copy.CHUNK + 123
    first = [SnapshotRow(date.fromordinal(D1.toordinal() - i // 12), ("instagram", "tiktok")[i % 2],
                         "", ("reach", "views", "likes")[i % 3], float(i), ("", "x")[i % 5 == 0])
             for i in range(n)]
    second = [r._replace(value=r.value + (i % 2)) for i, r in enumerate(first[::2])]
    counts = both(pg, lite, [first, second], shape)
    distinct = len({(r.day, r.platform, r.metric, r.campaign) for r in first})
    assert counts[0] == ((distinct, 0), (distinct, 0))
    assert counts[1][0] == counts[1][1]


def test_migrations_0013_0014_down_bring_the_foreign_keys_back_and_up_again(pg: Store) -> None:
    """On a schema of its own: 0013 down restores both foreign keys (ON DELETE CASCADE),
    up again replaces them by the triggers."""
    import os
    import uuid

    from alembic import command
    from sqlalchemy import text

    from kpi_engine.storage.db import _alembic_config

    url = os.environ["KPIBOT_TEST_POSTGRES_URL"]
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})

    def keys() -> tuple[list[str], list[str]]:
        with engine.connect() as conn:
            fks = conn.exec_driver_sql(
                "SELECT confdeltype::text FROM pg_constraint"
                " WHERE conrelid = 'snapshots'::regclass AND contype = 'f'").scalars().all()
            triggers = conn.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN"
                " ('snapshots'::regclass, 'channels'::regclass, 'workspaces'::regclass)"
                " ORDER BY tgname").scalars().all()
        return list(fks), list(triggers)

    def check_source() -> str:
        with engine.connect() as conn:
            return str(conn.exec_driver_sql(
                "SELECT prosrc FROM pg_proc WHERE proname = 'snapshots_check_keys'"
                " AND pronamespace = %s::regnamespace", (schema,)).scalar_one())

    try:
        migrate(engine)
        assert keys() == ([], ["channels_drop_snapshots", "snapshots_keys_insert",
                               "snapshots_keys_update", "workspaces_drop_snapshots"])
        cfg = _alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0012_oauth_states")
        assert keys() == (["c", "c"], [])
        migrate(engine)
        assert keys()[0] == []
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0013_pg_snapshot_keys")  # 0014 down: 0013's check back
        assert "IN (SELECT DISTINCT workspace_id FROM new_rows)" in check_source()
        migrate(engine)
        assert "unnest(ws, ch)" in check_source()
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_an_import_file_column_by_column_stores_what_sqlite_stores(pg: Store, lite: Store
                                                                   ) -> None:
    """A file's rows reach PostgreSQL as ``SnapshotColumns`` (binary COPY): a wide file
    with aliases of one channel, blank cells and lines, campaigns and a competitor; then
    a second file over it (some values changed, some not, one key new)."""
    first = ("date,channel,campaign,competitor,reach,likes,spend\n"
             "2026-03-01,ig,,,1000,50,\n"
             "2026-03-01,Instagram,Lebaran ✨,,,,250000\n"
             "\n"
             "2026-03-02,instagram:@rival,,ya,7000,,\n"
             "02/03/2026,tiktok,,,300,12,\n").encode()
    second = (b"date,channel,metric,value,campaign\n"
              b"2026-03-01,instagram,reach,1000,\n"  # the same value
              b"2026-03-01,instagram,likes,55,\n"  # changed
              b"2026-03-03,tiktok,reach,310,\n")  # new
    found = []
    for store in (pg, lite):
        ws = store.ensure_workspace("acme")
        counts = [import_bytes(store, ws.id, data, "f.csv", today=TODAY,
                               max_bytes=CLI_MAX_BYTES).result for data in (first, second)]
        found.append(([(r.written, r.replaced) for r in counts], dump(store, ws.id),
                      [(c.platform, c.handle, c.is_competitor) for c in store.channels(ws.id)],
                      store.campaigns(ws.id)))
    assert found[0] == found[1]
    assert found[0][0] == [(6, 0), (3, 2)]  # 2 + 1 + 1 + 2 filled cells
    assert ("instagram", "", "likes", D1, "", 55.0) in found[0][1]
    assert found[0][2] == [("instagram", "", False), ("instagram", "@rival", True),
                           ("tiktok", "", False)]
