"""Import rows column by column (``SnapshotColumns``, issue 18): the rows they stand for,
the channels and flags the store derives from them, and the keys PostgreSQL's binary
COPY is made of (``storage/pg_copy._Keyed``), each against the same thing worked out
from the plain rows by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.snapshot_columns import SnapshotColumns
from kpi_engine.services.importer import parse_import
from kpi_engine.storage.pg_copy import _PG_EPOCH, _Keyed

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
TODAY = date(2026, 3, 10)


def test_an_import_file_gives_columns_that_read_as_its_rows() -> None:
    data = (b"date,channel,metric,value,campaign,competitor\n"
            b"2026-03-01,ig,reach,1000,,\n"
            b"2026-03-01,Instagram,spend,50.5,Ramadan,\n"
            b"\n"  # a blank line: its cells are dropped, not rows
            b"2026-03-02,instagram:@rival,followers,7000,,ya\n"
            b"02/03/2026,tiktok,views,0,,\n")
    rows = parse_import(data, "a.csv", today=TODAY).rows
    assert isinstance(rows, SnapshotColumns)
    assert len(rows) == 4
    assert rows == [SnapshotRow(D1, "instagram", "", "reach", 1000.0, "", None),
                    SnapshotRow(D1, "instagram", "", "spend", 50.5, "Ramadan", None),
                    SnapshotRow(D2, "instagram", "@rival", "followers", 7000.0, "", True),
                    SnapshotRow(D2, "tiktok", "", "views", 0.0, "", None)]
    assert rows[1].campaign == "Ramadan" and rows[-1].platform == "tiktok"
    assert [r.metric for r in rows[1:3]] == ["spend", "followers"]
    assert all(type(r.value) is float for r in rows)


def test_a_wide_file_gives_one_row_per_filled_cell() -> None:
    data = (b"date,channel,reach,likes\n"
            b"2026-03-01,ig,100,\n"
            b"2026-03-02,tiktok,,7\n")
    rows = parse_import(data, "w.csv", today=TODAY).rows
    assert list(rows) == [SnapshotRow(D1, "instagram", "", "reach", 100.0),
                          SnapshotRow(D2, "tiktok", "", "likes", 7.0)]


def by_rows(rows: list[SnapshotRow]) -> dict[tuple[str, str], bool | None]:
    """What ``Store.write_snapshots`` makes of plain rows."""
    flags = {(r.platform, r.handle): r.competitor for r in rows if r.competitor is not None}
    return {key: flags.get(key) for key in dict.fromkeys((r.platform, r.handle) for r in rows)}


@pytest.mark.parametrize("flags", [
    [None, None, None, None, None],
    [None, True, None, False, None],
    [False, None, True, None, True],
])
def test_channels_in_order_with_their_last_flag_as_from_rows(
        flags: list[bool | None]) -> None:
    channels = [("tiktok", ""), ("instagram", "@a"), ("tiktok", ""), ("instagram", "@a"),
                ("youtube", "")]
    rows = [SnapshotRow(D1, p, h, "reach", float(i), "", f)
            for i, ((p, h), f) in enumerate(zip(channels, flags, strict=True))]
    cols = SnapshotColumns.of(rows)
    assert cols.channels_in_order() == by_rows(rows)
    # two codes for one channel (the file said "ig" and "Instagram"): one channel still
    twice = SnapshotColumns(
        days=[D1], day=np.zeros(3, np.int64),
        channels=[("instagram", ""), ("tiktok", ""), ("instagram", "")],
        channel=np.array([1, 2, 0]), metrics=["reach"], metric=np.zeros(3, np.int64),
        campaigns=[""], campaign=np.zeros(3, np.int64), flags=[None, True, False],
        flag=np.array([1, 2, 0]), values=np.array([1.0, 2.0, 3.0]))
    assert twice.channels_in_order() == by_rows(list(twice)) == {
        ("tiktok", ""): True, ("instagram", ""): False}


def test_the_copy_keys_collapse_repeats_to_the_last_and_come_grouped_in_key_order() -> None:
    rows = [SnapshotRow(D2, "instagram", "", "reach", 1.0),
            SnapshotRow(D1, "tiktok", "", "reach", 2.0, "b"),
            SnapshotRow(D1, "instagram", "", "likes", 3.0),
            SnapshotRow(D2, "instagram", "", "reach", 4.0),  # the same key: last wins
            SnapshotRow(D1, "instagram", "", "reach", 5.0, "b"),
            SnapshotRow(D3, "tiktok", "", "reach", 6.0)]
    ids = {("instagram", ""): 11, ("tiktok", ""): 7}
    keyed = _Keyed(SnapshotColumns.of(rows), ids)
    got = [(keyed.metric_names[m], keyed.campaign_names[c], ch,
            date.fromordinal(_PG_EPOCH.toordinal() + d), v)
           for m, c, ch, d, v in zip(keyed.metric.tolist(), keyed.campaign.tolist(),
                                     keyed.channel.tolist(), keyed.day.tolist(),
                                     keyed.value.tolist(), strict=True)]
    last: dict[tuple[str, str, int, date], float] = {}
    for r in rows:
        last[(r.metric, r.campaign, ids[r.platform, r.handle], r.day)] = r.value
    assert got == [(*key, v) for key, v in sorted(last.items())]
    assert keyed.n == 5
    # a group per (metric, campaign): where one starts, and the end
    assert keyed.starts == [0, 1, 3, 5]  # likes; reach; reach "b"
    assert (keyed.days, keyed.channel_ids) == (
        ((D1 - _PG_EPOCH).days, (D3 - _PG_EPOCH).days), [7, 11])


def test_the_binary_records_hold_each_field_as_postgresql_reads_it() -> None:
    """One record decoded by hand: field count, then (length, bytes) per field."""
    import struct
    from datetime import UTC, datetime

    rows = [SnapshotRow(D1, "instagram", "", "reach", 2 / 3, "Lebaran ✨")]
    keyed = _Keyed(SnapshotColumns.of(rows), {("instagram", ""): 9})
    stamp = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    data = b"".join(keyed.chunks(42, stamp))
    assert data.startswith(b"PGCOPY\n\xff\r\n\x00" + bytes(8)) and data.endswith(b"\xff\xff")
    body = data[19:-2]
    (fields,), at = struct.unpack_from(">h", body), 2
    values = []
    for _ in range(fields):
        (size,) = struct.unpack_from(">i", body, at)
        values.append(body[at + 4:at + 4 + size])
        at += 4 + size
    assert at == len(body) and fields == 7
    ws, metric, channel, day, campaign, value, moment = values
    assert struct.unpack(">i", ws) == (42,) and metric == b"reach"
    assert struct.unpack(">i", channel) == (9,)
    assert struct.unpack(">i", day) == ((D1 - date(2000, 1, 1)).days,)
    assert campaign.decode() == "Lebaran ✨"
    assert struct.unpack(">d", value) == (2 / 3,)
    micros = (stamp - datetime(2000, 1, 1, tzinfo=UTC)).total_seconds() * 1e6
    assert struct.unpack(">q", moment) == (round(micros),)
    staged = b"".join(keyed.chunks(None, None))[19:-2]  # the staging table: 5 fields
    assert struct.unpack_from(">h", staged) == (5,)
    assert len(staged) == len(body) - 2 * (4 + 4) - 4  # no workspace, no time stamp
