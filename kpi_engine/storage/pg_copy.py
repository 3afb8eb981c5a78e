"""Snapshot writes on PostgreSQL by ``COPY`` (issue 18): the rows go into a staging table
of the transaction (``COPY … FROM STDIN``, psycopg 3), then one ``INSERT … SELECT … ON
CONFLICT … DO UPDATE`` moves them into ``snapshots`` and counts, in the same statement, the
keys it inserted and those it replaced (``xmax = 0`` marks a row the statement inserted).

The caller (``Store.write_snapshots``) has validated the rows, created their channels and
campaigns and collapsed repeated keys, inside the same transaction: all rows or none, the
same idempotence and the same counts as the ``executemany`` upsert SQLite keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from kpi_engine.domain.model import WriteResult

#: The staging table lives until the end of the transaction (``ON COMMIT DROP``), so a
#: pooled connection (PgBouncer in transaction mode) never sees another writer's rows.
STAGE = "snapshots_stage"
_CREATE = (f"CREATE TEMP TABLE {STAGE} (metric text NOT NULL, channel_id integer NOT NULL,"
           " day date NOT NULL, campaign text NOT NULL, value double precision NOT NULL)"
           " ON COMMIT DROP")
_COPY = f"COPY {STAGE} (metric, channel_id, day, campaign, value) FROM STDIN"
_UPSERT = (
    "WITH up AS (INSERT INTO snapshots (workspace_id, metric, channel_id, day, campaign,"
    " value, updated_at)"
    f" SELECT %(ws)s, metric, channel_id, day, campaign, value, %(stamp)s FROM {STAGE}"
    # in the key's order: the primary key's index is filled from left to right
    " ORDER BY metric, channel_id, day, campaign"
    " ON CONFLICT (workspace_id, metric, channel_id, day, campaign)"
    " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    " RETURNING (xmax = 0) AS inserted)"
    " SELECT count(*) FILTER (WHERE inserted), count(*) FROM up")
#: Rows per ``write`` to the COPY stream.
CHUNK = 20_000

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    """A text field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def copy_snapshots(conn: Connection, workspace_id: int,
                   rows: Iterable[tuple[tuple[str, int, date, str], float]],
                   stamp: datetime) -> WriteResult:
    """Upsert ``((metric, channel id, day, campaign), value)`` rows (keys unique) of one
    workspace through a staging table; in the caller's transaction."""
    conn.exec_driver_sql(_CREATE)
    raw: Any = conn.connection.driver_connection  # the same connection and transaction
    with raw.cursor() as cur, cur.copy(_COPY) as copy:
        lines: list[str] = []
        days: dict[date, str] = {}
        for (metric, channel_id, day, campaign), value in rows:
            iso = days.get(day)
            if iso is None:
                iso = days[day] = day.isoformat()
            lines.append(f"{_text(metric)}\t{channel_id}\t{iso}\t{_text(campaign)}"
                         f"\t{value!r}\n")
            if len(lines) >= CHUNK:
                copy.write("".join(lines))
                lines = []
        if lines:
            copy.write("".join(lines))
    found = conn.exec_driver_sql(_UPSERT, {"ws": workspace_id, "stamp": stamp}).one()
    conn.exec_driver_sql(f"DROP TABLE {STAGE}")  # a second write in this transaction: anew
    inserted, total = int(found[0]), int(found[1])
    return WriteResult(written=total, replaced=total - inserted)
