"""Snapshot rows held column by column, as the import validator makes them (issue 18).

A file of 500,000 rows has a few hundred distinct days, a handful of channels, metrics
and campaigns. :class:`SnapshotColumns` keeps, for each of those fields, the distinct
values and one integer code per row (numpy arrays), and the values as one float array.
PostgreSQL's writer (``storage/pg_copy.py``) turns them into ``COPY`` data with array
operations, never touching a row in Python; every other reader sees an ordinary
sequence of :class:`SnapshotRow`, made the first time it is asked for (and kept).

Only the codes are trusted: a list of distinct values may hold entries no row uses (the
validator's cells that were dropped as blank), so the ``used_*`` helpers look at the
codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, overload

from kpi_engine.domain.model import SnapshotRow

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]

_new_tuple = tuple.__new__


class SnapshotColumns(Sequence[SnapshotRow]):
    """``n`` snapshot rows: row ``i`` is ``SnapshotRow(days[day[i]], *channels[channel[i]],
    metrics[metric[i]], float(values[i]), campaigns[campaign[i]], flags[flag[i]])``."""

    __slots__ = ("_rows", "campaign", "campaigns", "channel", "channels", "day", "days",
                 "flag", "flags", "metric", "metrics", "values")

    def __init__(self, *, days: list[date], day: IntArray,
                 channels: list[tuple[str, str]], channel: IntArray,
                 metrics: list[str], metric: IntArray,
                 campaigns: list[str], campaign: IntArray,
                 flags: list[bool | None], flag: IntArray, values: FloatArray) -> None:
        n = len(values)
        for name, codes in (("day", day), ("channel", channel), ("metric", metric),
                            ("campaign", campaign), ("flag", flag)):
            if len(codes) != n:
                raise ValueError(f"{name}: {len(codes)} codes for {n} values")
        self.days, self.day = days, day
        self.channels, self.channel = channels, channel
        self.metrics, self.metric = metrics, metric
        self.campaigns, self.campaign = campaigns, campaign
        self.flags, self.flag = flags, flag
        self.values = values
        self._rows: list[SnapshotRow] | None = None

    @classmethod
    def of(cls, rows: Sequence[SnapshotRow]) -> SnapshotColumns:
        """The same rows column by column (each field's distinct values in the order first
        seen)."""
        import numpy as np

        def codes(values: Iterator[Any]) -> tuple[list[Any], IntArray]:
            index: dict[Any, int] = {}
            per_row = [index.setdefault(v, len(index)) for v in values]
            return list(index), np.array(per_row, dtype=np.int64)

        days, day = codes(r.day for r in rows)
        channels, channel = codes((r.platform, r.handle) for r in rows)
        metrics, metric = codes(r.metric for r in rows)
        campaigns, campaign = codes(r.campaign for r in rows)
        flags, flag = codes(r.competitor for r in rows)
        return cls(days=days, day=day, channels=channels, channel=channel, metrics=metrics,
                   metric=metric, campaigns=campaigns, campaign=campaign, flags=flags,
                   flag=flag, values=np.array([r.value for r in rows], dtype=np.float64))

    # ------------------------------------------------------------------ as a sequence

    def rows(self) -> list[SnapshotRow]:
        """The rows as tuples (made once)."""
        if self._rows is None:
            self._rows = [_new_tuple(SnapshotRow, row) for row in zip(
                _per_row(self.days, self.day), _per_row(self.channels, self.channel, 0),
                _per_row(self.channels, self.channel, 1), _per_row(self.metrics, self.metric),
                self.values.tolist(), _per_row(self.campaigns, self.campaign),
                _per_row(self.flags, self.flag), strict=True)]
        return self._rows

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> SnapshotRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[SnapshotRow]: ...
    def __getitem__(self, index: int | slice) -> SnapshotRow | list[SnapshotRow]:
        return self.rows()[index]

    def __iter__(self) -> Iterator[SnapshotRow]:
        return iter(self.rows())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SnapshotColumns):
            return self.rows() == other.rows()
        if isinstance(other, list | tuple):
            return self.rows() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-looking, as a list

    def __repr__(self) -> str:
        return f"SnapshotColumns({len(self)} rows)"

    # ------------------------------------------------------------------ by column

    def used(self, field: str) -> IntArray:
        """The codes of ``field`` ("day", "channel", …) some row uses, ascending."""
        import numpy as np

        return np.unique(getattr(self, field))

    def channels_in_order(self) -> dict[tuple[str, str], bool | None]:
        """The channels in the order their first rows come, each with the flag of the last
        row that gives one (None: no row does): what ``Store.write_snapshots`` makes of
        rows. (Two codes may stand for one channel: "ig" and "Instagram".)"""
        import numpy as np

        codes, first = np.unique(self.channel, return_index=True)
        out: dict[tuple[str, str], bool | None] = {}
        for code in codes[np.argsort(first, kind="stable")].tolist():
            out.setdefault(self.channels[code], None)
        given = np.flatnonzero(np.array([f is not None for f in self.flags], dtype=bool)[
            self.flag]) if self.flags else np.zeros(0, dtype=np.int64)
        if len(given):
            backwards = given[::-1]  # np.unique's index: the first of each, so the last row
            codes, at = np.unique(self.channel[backwards], return_index=True)
            last: dict[tuple[str, str], tuple[int, bool]] = {}
            for code, row in zip(codes.tolist(), backwards[at].tolist(), strict=True):
                flag = self.flags[int(self.flag[row])]
                assert flag is not None
                key = self.channels[code]
                if key not in last or row > last[key][0]:
                    last[key] = (row, flag)
            for key, (_, flag) in last.items():
                out[key] = flag
        return out


def _per_row(values: Sequence[Any], codes: IntArray, part: int | None = None) -> list[Any]:
    import numpy as np

    table = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):  # element-wise: values may be tuples
        table[i] = value if part is None or value is None else value[part]
    return table[codes].tolist()
