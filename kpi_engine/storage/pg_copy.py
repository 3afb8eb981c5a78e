"""Snapshot writes on PostgreSQL by ``COPY`` (issue 18).

One pass over the rows collapses repeated keys (the last value wins) and turns each key
into the text of ``COPY``. Then:

- **no stored key can collide** (one index probe: no snapshot of the workspace for these
  metrics and channels between the first and the last day): the rows are copied straight
  into ``snapshots`` in key order, inside a savepoint. Every key is new, so the counts are
  ``written = n, replaced = 0``. A writer that stored one of these keys meanwhile makes the
  ``COPY`` fail on the primary key: the savepoint is rolled back and the upsert below runs.
- **otherwise**: ``COPY`` into a staging table of the transaction, then one upsert
  statement: an ``UPDATE … FROM`` the staging table for the stored keys whose value
  differs and an ``INSERT … SELECT … ON CONFLICT … DO UPDATE`` for the others; it counts
  the keys it inserted (``xmax = 0``), every other key was stored already: replaced. A
  stored key whose value is the same is left as it is (no new row version: importing a
  file twice writes nothing the second time; ``updated_at`` is when the value last
  changed, as on SQLite).

The references to ``workspaces`` and ``channels`` are checked once per statement by the
triggers of migration ``0013_pg_snapshot_keys`` (no per-row foreign-key trigger).

Rows come two ways. A list of ``SnapshotRow`` (the HTTP API, the data sources) goes as
COPY text made row by row. An import file's ``SnapshotColumns`` (``domain/snapshot_columns``)
goes as COPY binary data made by numpy, one structured array per (metric, campaign)
(``_Keyed``): no Python work per row, and the server parses no text.

The caller (``Store.write_snapshots``) has validated the rows and created their channels
and campaigns inside the same transaction: all rows or none, the same idempotence and the
same counts as the ``executemany`` upsert SQLite keeps.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection

from kpi_engine.domain.model import SnapshotRow, WriteResult
from kpi_engine.domain.snapshot_columns import SnapshotColumns

#: The staging table lives until the end of the transaction (``ON COMMIT DROP``), so a
#: pooled connection (PgBouncer in transaction mode) never sees another writer's rows.
STAGE = "snapshots_stage"
_CREATE = (f"CREATE TEMP TABLE {STAGE} (metric text NOT NULL, channel_id integer NOT NULL,"
           " day date NOT NULL, campaign text NOT NULL, value double precision NOT NULL)"
           " ON COMMIT DROP")
_COPY_STAGE = f"COPY {STAGE} (metric, channel_id, day, campaign, value) FROM STDIN"
_COPY_DIRECT = ("COPY snapshots (workspace_id, metric, channel_id, day, campaign, value,"
                " updated_at) FROM STDIN")
_KEY_MATCH = ("s.workspace_id = %(ws)s AND s.metric = st.metric AND s.channel_id = st.channel_id"
              " AND s.day = st.day AND s.campaign = st.campaign")
#: One statement: the stored keys whose value differs are updated (a join, not a conflict
#: per row: a conflicting row is locked and written even when nothing changes), the keys
#: not stored are inserted (``ON CONFLICT``: a writer that stored one meanwhile is
#: overwritten, as the last write wins). Both parts see the same snapshot, so they touch
#: disjoint keys. It returns the count of inserted keys; every other key was stored.
_UPSERT = (
    "WITH changed AS (UPDATE snapshots AS s SET value = st.value, updated_at = %(stamp)s"
    f" FROM {STAGE} AS st WHERE {_KEY_MATCH} AND s.value IS DISTINCT FROM st.value"
    " RETURNING 1),"
    " added AS (INSERT INTO snapshots (workspace_id, metric, channel_id, day, campaign,"
    " value, updated_at)"
    f" SELECT %(ws)s, metric, channel_id, day, campaign, value, %(stamp)s FROM {STAGE} AS st"
    f" WHERE NOT EXISTS (SELECT 1 FROM snapshots AS s WHERE {_KEY_MATCH})"
    # in the key's order: the primary key's index is filled from left to right
    " ORDER BY metric, channel_id, day, campaign"
    " ON CONFLICT (workspace_id, metric, channel_id, day, campaign)"
    " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    " WHERE snapshots.value IS DISTINCT FROM excluded.value"
    " RETURNING (xmax = 0) AS inserted)"
    " SELECT (SELECT count(*) FILTER (WHERE inserted) FROM added),"
    " (SELECT count(*) FROM changed)")
#: Is any stored key inside the box of the new ones? (The primary key's index answers.)
_PROBE = ("SELECT EXISTS (SELECT 1 FROM snapshots WHERE workspace_id = %(ws)s"
          " AND metric = ANY(%(metrics)s) AND channel_id = ANY(%(channels)s)"
          " AND day BETWEEN %(lo)s AND %(hi)s)")
#: For the upsert only (the caller's settings are put back after it): its sorts and hashes
#: in memory, not in temporary files, and no JIT compilation (it costs more than it saves
#: on this plan).
_TUNE = ("SELECT current_setting('work_mem'), current_setting('jit'),"
         " set_config('work_mem', '128MB', true), set_config('jit', 'off', true)")
_RESTORE = "SELECT set_config('work_mem', %(mem)s, true), set_config('jit', %(jit)s, true)"
#: Lines per ``write`` to the COPY stream.
CHUNK = 20_000
#: Send the COPY stream from a thread (``_writer``).
QUEUED = True

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})



def _text(value: str) -> str:
    """A text field of COPY's text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def collect(rows: Iterable[SnapshotRow], channel_ids: Mapping[tuple[str, str], int]
            ) -> tuple[dict[str, float], set[date], set[str]]:
    """Each row's key as the start of its COPY line, ``"metric\\tchannel id\\tday\\t
    campaign\\t"`` (the fields escaped: no tab inside one, so the text is the key), with
    its value (a repeated key: the last one wins); the days and the metrics they cover."""
    chans = {key: str(cid) for key, cid in channel_ids.items()}
    days: dict[date, str] = {}
    metrics: dict[str, str] = {}
    campaigns: dict[str, str] = {}
    found: dict[str, float] = {}
    for day, platform, handle, metric, value, campaign, _flag in rows:
        iso = days.get(day)
        if iso is None:
            iso = days[day] = day.isoformat()
        m = metrics.get(metric)
        if m is None:
            m = metrics[metric] = _text(metric)
        c = campaigns.get(campaign)
        if c is None:
            c = campaigns[campaign] = _text(campaign)
        found[f"{m}\t{chans[platform, handle]}\t{iso}\t{c}\t"] = value
    return found, set(days), set(metrics)


def copy_snapshots(conn: Connection, workspace_id: int, rows: Iterable[SnapshotRow],
                   channel_ids: Mapping[tuple[str, str], int], stamp: datetime
                   ) -> WriteResult:
    """Upsert ``rows`` of one workspace (channels already in ``channel_ids``), in the
    caller's transaction."""
    if isinstance(rows, SnapshotColumns):  # an import file's rows: array by array
        return _copy_columns(conn, workspace_id, rows, channel_ids, stamp)
    found, days, metrics = collect(rows, channel_ids)
    if not found:
        return WriteResult(written=0, replaced=0)
    raw: Any = conn.connection.driver_connection  # the same connection and transaction
    probe = {"ws": workspace_id, "metrics": sorted(metrics),
             "channels": sorted(set(channel_ids.values())), "lo": min(days), "hi": max(days)}
    if not conn.exec_driver_sql(_PROBE, probe).scalar_one() and _copy_direct(
            raw, workspace_id, found, stamp):
        return WriteResult(written=len(found), replaced=0)
    return _copy_upsert(conn, raw, workspace_id, found, stamp)


def _writer(cur: Any) -> Any:
    """The COPY stream sent by a thread of psycopg's: the server stores one chunk while
    this thread builds the next (the sending releases the GIL)."""
    return QueuedLibpqWriter(cur) if QUEUED else None


def _copy_direct(raw: Any, workspace_id: int, found: dict[str, float],
                 stamp: datetime) -> bool:
    """COPY the rows straight into ``snapshots`` (in the key's order: the index is filled
    page by page; A/B with the bench rows, 3 rounds: 2.6-2.9 s sorted vs 3.0-4.4 s as
    given); False (and nothing written) when a key exists after all."""
    head, tail = f"{workspace_id}\t", f"\t{stamp.isoformat()}\n"
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT snapshots_copy")
        try:
            items = sorted(found.items())
            with cur.copy(_COPY_DIRECT, writer=_writer(cur)) as copy:
                for start in range(0, len(items), CHUNK):
                    copy.write("".join([f"{head}{key}{value!r}{tail}"
                                        for key, value in items[start:start + CHUNK]]))
        except psycopg.errors.UniqueViolation:  # another writer stored one of the keys
            cur.execute("ROLLBACK TO SAVEPOINT snapshots_copy")
            return False
        cur.execute("RELEASE SAVEPOINT snapshots_copy")
    return True


def _copy_upsert(conn: Connection, raw: Any, workspace_id: int, found: dict[str, float],
                 stamp: datetime) -> WriteResult:
    conn.exec_driver_sql(_CREATE)
    with raw.cursor() as cur, cur.copy(_COPY_STAGE, writer=_writer(cur)) as copy:
        items = list(found.items())
        for start in range(0, len(items), CHUNK):
            copy.write("".join([f"{key}{value!r}\n"
                                for key, value in items[start:start + CHUNK]]))
    return _upsert_staged(conn, workspace_id, len(found), stamp)


def _upsert_staged(conn: Connection, workspace_id: int, n: int, stamp: datetime
                   ) -> WriteResult:
    """The staged ``n`` keys into ``snapshots`` by one statement; the staging table goes."""
    conn.exec_driver_sql(f"ANALYZE {STAGE}")  # its size, for the join's plan
    mem, jit = conn.exec_driver_sql(_TUNE).one()[:2]
    counted = conn.exec_driver_sql(_UPSERT, {"ws": workspace_id, "stamp": stamp}).one()
    conn.exec_driver_sql(_RESTORE, {"mem": mem, "jit": jit})
    conn.exec_driver_sql(f"DROP TABLE {STAGE}")  # a second write in this transaction: anew
    inserted = int(counted[0])  # the other keys were stored: replaced (or the same value)
    return WriteResult(written=n, replaced=n - inserted)


# --------------------------------------------------------------------------- by column
#
# An import file's rows (``SnapshotColumns``) go to the server in COPY's binary format,
# made by numpy: the rows of one (metric, campaign) share one record layout, so they are
# one structured array whose bytes are the COPY data (no Python work per row; the server
# parses no text either: dates, floats and the time stamp arrive as their binary forms).

_COPY_DIRECT_BINARY = f"{_COPY_DIRECT} (FORMAT binary)"
_COPY_STAGE_BINARY = f"{_COPY_STAGE} (FORMAT binary)"
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_TRAILER = b"\xff\xff"
_PG_EPOCH = date(2000, 1, 1)
_PG_EPOCH_AT = datetime(2000, 1, 1, tzinfo=UTC)


class _Keyed:
    """The distinct keys of ``SnapshotColumns`` (a repeated key: the last row wins), in
    groups of one (metric, campaign), each ordered by (channel id, day): the primary key's
    order within a group, so each group fills the index from left to right."""

    def __init__(self, cols: SnapshotColumns, channel_ids: Mapping[tuple[str, str], int]
                 ) -> None:
        import numpy as np

        used = {f: cols.used(f) for f in ("day", "channel", "metric", "campaign")}
        chan = np.full(len(cols.channels), -1, dtype=np.int64)
        chan[used["channel"]] = [channel_ids[cols.channels[i]]
                                 for i in used["channel"].tolist()]
        day = np.zeros(len(cols.days), dtype=np.int64)
        day[used["day"]] = [(cols.days[i] - _PG_EPOCH).days for i in used["day"].tolist()]
        # metrics and campaigns by their text (two codes may share one): a rank each
        self.metric_names = sorted({cols.metrics[i] for i in used["metric"].tolist()})
        self.campaign_names = sorted({cols.campaigns[i] for i in used["campaign"].tolist()})
        m_rank = np.zeros(len(cols.metrics), dtype=np.int64)
        m_rank[used["metric"]] = [self.metric_names.index(cols.metrics[i])
                                  for i in used["metric"].tolist()]
        c_rank = np.zeros(len(cols.campaigns), dtype=np.int64)
        c_rank[used["campaign"]] = [self.campaign_names.index(cols.campaigns[i])
                                    for i in used["campaign"].tolist()]
        order = np.lexsort((day[cols.day], chan[cols.channel], c_rank[cols.campaign],
                            m_rank[cols.metric]))  # stable: a repeated key keeps its order
        keys = [day[cols.day][order], chan[cols.channel][order],
                c_rank[cols.campaign][order], m_rank[cols.metric][order]]
        last = np.ones(len(order), dtype=bool)  # the last row of each key
        if len(order) > 1:
            last[:-1] = np.logical_or.reduce([k[1:] != k[:-1] for k in keys])
        self.day, self.channel, self.campaign, self.metric = (k[last] for k in keys)
        self.value = cols.values[order][last]
        self.n = len(self.value)
        self.days = (int(self.day.min()), int(self.day.max())) if self.n else (0, 0)
        self.channel_ids = sorted(set(chan[used["channel"]].tolist()))
        group = np.ones(self.n, dtype=bool)
        if self.n > 1:
            group[1:] = (self.metric[1:] != self.metric[:-1]) | (
                self.campaign[1:] != self.campaign[:-1])
        self.starts = [*np.flatnonzero(group).tolist(), self.n]

    def chunks(self, workspace_id: int | None, stamp: datetime | None) -> Iterator[bytes]:
        """The COPY binary data: the signature, the records (with the workspace and the
        time stamp when given: ``snapshots``; without: the staging table), the trailer."""
        yield _SIGNATURE
        for a, b in itertools.pairwise(self.starts):
            for lo in range(a, b, CHUNK):
                yield self._records(lo, min(b, lo + CHUNK), workspace_id, stamp)
        yield _TRAILER

    def _records(self, lo: int, hi: int, workspace_id: int | None,
                 stamp: datetime | None) -> bytes:
        import numpy as np

        metric = self.metric_names[int(self.metric[lo])].encode()
        campaign = self.campaign_names[int(self.campaign[lo])].encode()
        spec: list[tuple[str, str]] = [("fields", ">i2")]
        if workspace_id is not None:
            spec += [("ws_len", ">i4"), ("ws", ">i4")]
        spec += [("metric_len", ">i4"), *([("metric", f"S{len(metric)}")] if metric else []),
                 ("channel_len", ">i4"), ("channel", ">i4"), ("day_len", ">i4"),
                 ("day", ">i4"), ("campaign_len", ">i4"),
                 *([("campaign", f"S{len(campaign)}")] if campaign else []),
                 ("value_len", ">i4"), ("value", ">f8")]
        if stamp is not None:
            spec += [("stamp_len", ">i4"), ("stamp", ">i8")]
        out = np.empty(hi - lo, dtype=spec)
        out["fields"] = 5 + (workspace_id is not None) + (stamp is not None)
        if workspace_id is not None:
            out["ws_len"], out["ws"] = 4, workspace_id
        out["metric_len"] = len(metric)
        if metric:
            out["metric"] = metric
        out["channel_len"], out["channel"] = 4, self.channel[lo:hi]
        out["day_len"], out["day"] = 4, self.day[lo:hi]
        out["campaign_len"] = len(campaign)
        if campaign:
            out["campaign"] = campaign
        out["value_len"], out["value"] = 8, self.value[lo:hi]
        if stamp is not None:
            out["stamp_len"] = 8
            out["stamp"] = (stamp - _PG_EPOCH_AT) // timedelta(microseconds=1)
        return out.tobytes()


def _copy_columns(conn: Connection, workspace_id: int, cols: SnapshotColumns,
                  channel_ids: Mapping[tuple[str, str], int], stamp: datetime
                  ) -> WriteResult:
    keyed = _Keyed(cols, channel_ids)
    if not keyed.n:
        return WriteResult(written=0, replaced=0)
    raw: Any = conn.connection.driver_connection
    lo, hi = (_PG_EPOCH + timedelta(days=d) for d in keyed.days)
    probe = {"ws": workspace_id, "metrics": keyed.metric_names,
             "channels": keyed.channel_ids, "lo": lo, "hi": hi}
    if not conn.exec_driver_sql(_PROBE, probe).scalar_one():
        with raw.cursor() as cur:
            cur.execute("SAVEPOINT snapshots_copy")
            try:
                with cur.copy(_COPY_DIRECT_BINARY, writer=_writer(cur)) as copy:
                    for data in keyed.chunks(workspace_id, stamp):
                        copy.write(data)
            except psycopg.errors.UniqueViolation:  # another writer stored one of the keys
                cur.execute("ROLLBACK TO SAVEPOINT snapshots_copy")
            else:
                cur.execute("RELEASE SAVEPOINT snapshots_copy")
                return WriteResult(written=keyed.n, replaced=0)
    conn.exec_driver_sql(_CREATE)
    with raw.cursor() as cur, cur.copy(_COPY_STAGE_BINARY, writer=_writer(cur)) as copy:
        for data in keyed.chunks(None, None):
            copy.write(data)
    return _upsert_staged(conn, workspace_id, keyed.n, stamp)
