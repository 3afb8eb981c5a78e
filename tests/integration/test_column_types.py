"""Issue 14: ``storage/types.py`` decides how a moment and a day are stored. The migrated
schema keeps its format: SQLite holds ISO text (``YYYY-MM-DD``; the UTC wall time as
``YYYY-MM-DD HH:MM:SS.ffffff``), PostgreSQL ``date`` and ``timestamptz``; every read gives a
``date`` and an aware UTC moment, whatever zone the moment was written in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.storage import schema as t
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.store import Store
from kpi_engine.storage.types import bind_day, bind_moment

JAKARTA = timezone(timedelta(hours=7))


def test_rows_keep_their_stored_format(db_engine: Engine) -> None:
    store = Store(db_engine)
    ws = store.ensure_workspace("w")
    store.write_snapshots(ws.id, [SnapshotRow(day=date(2026, 11, 21), platform="instagram",
                                              handle="", metric="reach", value=5.0)])
    at = datetime(2026, 11, 22, 8, 30, 15, 123456, tzinfo=JAKARTA)  # 01:30:15 UTC
    with db_engine.begin() as conn:
        conn.execute(insert(a.alert_log).values(
            workspace_id=ws.id, rule_key="r", subject="s", kind="drop", metric="reach",
            channel="instagram", state="firing", seq=1, summary="x", at=at))
    with db_engine.connect() as conn:
        day, stamp = conn.exec_driver_sql("SELECT day, updated_at FROM snapshots").one()
        [logged] = conn.exec_driver_sql("SELECT at FROM alert_log").one()
        read = conn.execute(select(t.snapshots.c.day, t.snapshots.c.updated_at)).one()
        [read_at] = conn.execute(select(a.alert_log.c.at)).one()
        if db_engine.dialect.name == "sqlite":
            assert day == "2026-11-21"
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", stamp), stamp
            assert logged == "2026-11-22 01:30:15.123456"  # the UTC wall time
        else:
            kinds = dict(conn.exec_driver_sql(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_name = 'snapshots'").all())
            assert (kinds["day"], kinds["updated_at"]) == ("date", "timestamp with time zone")
            assert day == date(2026, 11, 21) and logged == at
    assert read.day == date(2026, 11, 21) and type(read.day) is date
    assert read.updated_at.tzinfo is UTC
    assert abs(read.updated_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert read_at == at and read_at.tzinfo is UTC
    assert (read_at.hour, read_at.minute, read_at.microsecond) == (1, 30, 123456)


def test_the_fast_day_binder_gives_what_the_column_type_gives(db_engine: Engine) -> None:
    """``day_binder`` (the bulk write's per-row conversion) skips the type's processor chain
    on SQLite; it must produce exactly what the type's own processor does."""
    from datetime import timedelta

    from kpi_engine.storage.types import ISODate, _processor, day_binder

    proc = _processor(ISODate, db_engine.dialect)
    fast = day_binder(db_engine.dialect)
    for n in range(0, 3000, 7):
        day = date(1999, 12, 25) + timedelta(days=n)
        assert fast(day) == (proc(day) if proc is not None else day)


def test_raw_statements_bind_days_and_moments_as_the_columns_store_them(
        db_engine: Engine) -> None:
    at = datetime(2026, 1, 2, 10, 4, 5, 6, tzinfo=JAKARTA)
    if db_engine.dialect.name == "sqlite":
        assert bind_day(db_engine.dialect, date(2026, 1, 2)) == "2026-01-02"
        assert bind_moment(db_engine.dialect, at) == "2026-01-02 03:04:05.000006"
    else:
        assert bind_day(db_engine.dialect, date(2026, 1, 2)) == date(2026, 1, 2)
        assert bind_moment(db_engine.dialect, at) == at
        assert bind_moment(db_engine.dialect, at).tzinfo is UTC
