"""Cell values of import files (SPEC §9): parse each cell, validate a table column by column.

Used by ``kpi_engine.services.importer``, which reads the file and its header and turns a
:class:`CellProblem` into an ``ImportFileError`` with line numbers and a message.

The scalar parsers take one cell (a ``str`` from a CSV, or whatever openpyxl gives for an
XLSX cell) and return ``None`` when it is invalid; callers test for blank cells first with
:func:`is_blank`. :func:`validate_columns` checks whole columns at once: each distinct date,
channel or metric is parsed once, and values are converted in bulk by pandas, so a million
rows take about a second.

Numbers are read strictly, in one style per file: ``.`` is the decimal point, or — when the
file is semicolon-separated or uses ``,`` for decimals — the Indonesian ``1.234,5`` (dots
group thousands by three: ``5.100`` is 5100). An optional ``Rp`` / ``Rp.`` prefix is
accepted; spaces inside a number, ``1,234.5`` and the like are not. Values, days and names
then pass ``kpi_engine.domain.validation``, the rules every way in shares: a ``5.100`` in a count
column of an international-style file is a fraction and is refused, never stored as 5.1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from kpi_engine.domain import validation
from kpi_engine.domain.metrics import METRICS, Kind, Metric, resolve, suggest
from kpi_engine.domain.model import parse_channel_name
from kpi_engine.domain.snapshot_columns import SnapshotColumns

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    ObjectArray = npt.NDArray[np.object_]
    FloatArray = npt.NDArray[np.float64]
    StatusArray = npt.NDArray[np.int8]
    IntArray = npt.NDArray[np.int64]

#: A value above this is a typo, not a KPI ("too_large_value"): the one bound of every way in.
MAX_VALUE = validation.MAX_VALUE
MIN_YEAR, MAX_YEAR = 1970, 2100

#: Status of a parsed value cell.
OK, EMPTY, BAD = 0, 1, 2

_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?",
                      re.ASCII)
_DMY_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})", re.ASCII)
_PLATFORM = re.compile(r"[a-z][a-z0-9 ._-]{0,39}")
_SIGN_RP = r"(?P<sign>[+-]?)\s*(?P<rp>rp\.?\s*)?"
_DOT_NUMBER = re.compile(_SIGN_RP + r"(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)",
                         re.IGNORECASE | re.ASCII)
_ID_NUMBER = re.compile(_SIGN_RP + r"(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<fraction>\d+))?",
                        re.IGNORECASE | re.ASCII)
_ID_PLAIN = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?", re.ASCII)

_FLAGS: dict[str, bool] = {
    "yes": True, "y": True, "ya": True, "true": True, "1": True,
    "no": False, "n": False, "tidak": False, "false": False, "0": False,
}


def is_blank(cell: object) -> bool:
    """An empty cell: ``None`` (XLSX) or a string of spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: object) -> str:
    """A cell as the user wrote it, for messages and text fields (campaign)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    return str(cell).strip()


def parse_day(cell: object) -> date | None:
    """``2026-11-01``, ``1/11/2026`` (also ``-`` or ``.``), or an XLSX date/datetime."""
    if isinstance(cell, datetime):
        day = cell.date()
    elif isinstance(cell, date):
        day = cell
    elif isinstance(cell, str):
        text = cell.strip()
        if m := _ISO_DAY.fullmatch(text):
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
        elif m := _DMY_DAY.fullmatch(text):
            d, mo, y = int(m[1]), int(m[3]), int(m[4])
        else:
            return None
        try:
            day = date(y, mo, d)
        except ValueError:
            return None
    else:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def parse_channel(cell: object) -> tuple[str, str] | None:
    """``instagram`` or ``instagram:@rival`` → (platform, handle); None when malformed."""
    if not isinstance(cell, str):
        return None
    platform, handle = parse_channel_name(cell)
    if not _PLATFORM.fullmatch(platform) or len(handle) > 100 or any(c.isspace() for c in handle):
        return None
    return platform, handle


def parse_flag(cell: object) -> tuple[bool, bool | None]:
    """Competitor flag: (valid, value); a blank cell is valid and means None (unchanged)."""
    if is_blank(cell):
        return True, None
    if isinstance(cell, bool):
        return True, cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return True, bool(cell)
    if isinstance(cell, str) and (flag := _FLAGS.get(cell.strip().lower())) is not None:
        return True, flag
    return False, None


def parse_number(text: str, *, decimal_comma: bool) -> float | None:
    """One number written as text; None when it is not a finite number in the file's format.

    ``Rp5.000`` in a file without decimal commas is refused rather than read as 5: rupiah
    amounts group thousands with dots, so the dot is ambiguous there.
    """
    if decimal_comma:
        m = _ID_NUMBER.fullmatch(text.strip())
        if not m:
            return None
        value = float(m["whole"].replace(".", "") + "." + (m["fraction"] or "0"))
    else:
        m = _DOT_NUMBER.fullmatch(text.strip())
        if not m or (m["rp"] and "." in m["number"]):
            return None
        value = float(m["number"])
    if not math.isfinite(value):
        return None
    return -value if m["sign"] == "-" else value


def has_decimal_comma(columns: list[ObjectArray]) -> bool:
    """True when any text value cell holds a ``,``: the whole file uses ``1.234,5``."""
    return any(isinstance(cell, str) and "," in cell for col in columns for cell in col)


def parse_number_column(col: ObjectArray, *, decimal_comma: bool,
                        typed: bool) -> tuple[FloatArray, StatusArray]:
    """Parse a column of value cells: (values, status) with status OK, EMPTY or BAD per cell.

    ``typed`` columns (XLSX) may hold real numbers and are parsed cell by cell. The others
    are all ``str`` (CSV) and are converted in bulk by pandas; the cells it cannot take
    (blank, ``Rp``, errors) are then parsed one by one.
    """
    import numpy as np
    import pandas as pd

    n = len(col)
    values = np.zeros(n, dtype=np.float64)
    status = np.zeros(n, dtype=np.int8)
    if typed:
        if n:
            values[:], status[:] = zip(*[_parse_cell(cell, decimal_comma) for cell in col],
                                       strict=True)
        return values, status
    if decimal_comma:
        # plain "1.234,5" cells become "1234.5" in one pass over the joined column
        plain = _ID_PLAIN.fullmatch
        others = [i for i, cell in enumerate(col) if cell and not plain(cell)]
        texts = col
        if others:
            texts = col.copy()
            texts[others] = "0"  # parsed below; and a cell may hold a line break
        joined = "\n".join(texts).replace(".", "").replace(",", ".")
        values[:] = pd.to_numeric(np.array(joined.split("\n"), dtype=object), errors="coerce")
    else:
        values[:] = pd.to_numeric(col, errors="coerce")
        failed = ~np.isfinite(values)
        others = np.flatnonzero(failed & (col != "")).tolist() if failed.any() else []
    empty = col == ""
    status[empty], values[empty] = EMPTY, 0.0
    for i in others:
        values[i], status[i] = _parse_cell(col[i], decimal_comma)
    return values, status


def _parse_cell(cell: Any, decimal_comma: bool) -> tuple[float, int]:
    if is_blank(cell):
        return 0.0, EMPTY
    if isinstance(cell, bool):
        return 0.0, BAD
    if isinstance(cell, int | float):
        value = float(cell)
        return (value, OK) if math.isfinite(value) else (0.0, BAD)
    if isinstance(cell, str):
        parsed = parse_number(cell, decimal_comma=decimal_comma)
        return (0.0, BAD) if parsed is None else (parsed, OK)
    return 0.0, BAD


# Per distinct cell of a column: ("", parsed value) or (error code, None).


def check_day(cell: object, today: date | None = None) -> tuple[str, object]:
    """A day cell; ``future_day`` when it is after the workspace's local ``today``."""
    if is_blank(cell):
        return "missing_value", None
    day = parse_day(cell)
    if day is None:
        return "bad_date", None
    code = validation.day_problem(day, today)
    return (code, None) if code else ("", day)


def check_channel(cell: object) -> tuple[str, object]:
    if is_blank(cell):
        return "missing_value", None
    if isinstance(cell, str):
        code = validation.name_problem(parse_channel_name(cell)[1])
        if code:
            return code, None
    channel = parse_channel(cell)
    return ("", channel) if channel is not None else ("bad_channel", None)


def check_campaign(cell: object) -> tuple[str, object]:
    name = cell_text(cell)
    code = validation.name_problem(name)
    return (code, None) if code else ("", name)


def check_flag(cell: object) -> tuple[str, object]:
    ok, flag = parse_flag(cell)
    return ("", flag) if ok else ("bad_competitor", None)


def check_metric(cell: object) -> tuple[str, object]:
    if is_blank(cell):
        return "missing_value", None
    metric = resolve(cell_text(cell))
    if metric is None:
        return "unknown_metric", None
    return ("", metric.key) if metric.stored else ("derived_metric", None)


def describe_derived(metric: Metric) -> tuple[str, str]:
    """A derived metric's formula and the stored metrics to import instead.

    ``engagement`` → ("engagement = likes + comments + shares + saves",
    "likes, comments, shares, saves").
    """
    if metric.parts:
        formula = " + ".join(metric.parts)
    elif metric.kind is Kind.GAUGE_DELTA:
        formula = "Δ followers" + (" / followers" if metric.scale != 1 else "")
    else:
        numerator = metric.numerator or ""
        if metric.numerator_minus:
            numerator = f"({numerator} − {metric.numerator_minus})"
        denominator = (metric.denominator or "").replace("+", " + ")
        if "+" in denominator:
            denominator = f"({denominator})"
        formula = f"{numerator} / {denominator}"
    if metric.scale != 1:
        formula = f"{metric.scale:g} × {formula}"
    return f"{metric.key} = {formula}", ", ".join(_stored_parts(metric))


def _stored_parts(metric: Metric) -> list[str]:
    if metric.stored:
        return [metric.key]
    if metric.kind is Kind.GAUGE_DELTA:
        names = ["followers"]
    else:
        names = [*metric.parts, metric.numerator or "", metric.numerator_minus or "",
                 *(metric.denominator or "").split("+")]
    parts: list[str] = []
    for name in filter(None, names):
        for part in _stored_parts(METRICS[name]):
            if part not in parts:
                parts.append(part)
    return parts


def metric_details(code: str, name: str) -> dict[str, Any]:
    """Details of an unknown_metric / derived_metric problem: a suggestion, or the formula
    and the stored parts to import instead."""
    if code == "unknown_metric":
        suggestion = suggest(name)
        return {"value": name, "suggestion": suggestion or "",
                "variant": "suggest" if suggestion else ""}
    metric = resolve(name)
    if code == "derived_metric" and metric is not None:
        formula, parts = describe_derived(metric)
        return {"value": name, "formula": formula, "parts": parts}
    return {"value": name}


# --------------------------------------------------------------------------- columns


class CellProblem(Exception):
    """The first problem of a table: ``row`` is a data row index in the columns given
    (None: the table as a whole), ``params`` the details a message needs."""

    def __init__(self, code: str, *, row: int | None, column: str | None = None,
                 variant: str = "", other_row: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code, self.row, self.column, self.variant = code, row, column, variant
        self.other_row, self.params = other_row, params


class Validated(NamedTuple):
    rows: SnapshotColumns
    lines: int  # data rows read (rows with no content at all are not counted)


def validate_columns(columns: list[ObjectArray], header: list[str], *, fields: dict[str, int],
                     metrics: list[tuple[int, str]], unnamed: list[int], typed: bool,
                     comma_possible: bool = True, indonesian: bool = False,
                     today: date | None = None) -> Validated:
    """Check a table (one array per column, data rows only) and make its snapshot rows.

    ``fields`` maps date, channel [, metric, value] [, campaign] [, competitor] to column
    positions; ``metrics`` lists the wide shape's (position, metric key) columns;
    ``unnamed`` columns must be empty. ``typed``: cells may be numbers, dates, bools (XLSX).
    ``comma_possible``: False when no value cell can hold a "," (saves a scan).
    ``indonesian``: the file is in the Indonesian number style whatever its cells hold (a
    semicolon-separated CSV): ``.`` groups thousands. Otherwise a ``,`` in any value cell
    makes the whole file Indonesian. ``today``: the workspace's local today (later days are
    refused); None checks no day against the calendar.
    Raises the first :class:`CellProblem` (lowest row; leftmost column within a row).
    """
    return _Validator(columns, header, typed, comma_possible, indonesian, today).run(
        fields, metrics, unnamed)


class _Column(NamedTuple):
    """A column parsed once per distinct cell."""

    codes: IntArray  # per row: index of its distinct cell
    ids: IntArray  # per distinct cell: id of its parsed value (-1: invalid)
    parsed: list[Any]  # per distinct cell: parsed value (None: invalid)

    def per_row(self, rows: IntArray | None, part: int | None = None) -> list[Any]:
        """The parsed value of each row (or of the given rows); ``part`` of a tuple value."""
        import numpy as np

        table = np.empty(len(self.parsed), dtype=object)
        for i, value in enumerate(self.parsed):  # element-wise: values may be tuples
            table[i] = value if part is None or value is None else value[part]
        return table[self.codes if rows is None else self.codes[rows]].tolist()

    def row_codes(self, rows: IntArray | None) -> IntArray:
        """Each row's index into ``parsed`` (or the given rows')."""
        return self.codes if rows is None else self.codes[rows]

    def ids_per_row(self, rows: IntArray | None) -> IntArray:
        return self.ids[self.codes if rows is None else self.codes[rows]]

    def at(self, row: int) -> Any:
        return self.parsed[int(self.codes[row])]


_AFTER_CELLS = 1 << 30  # a duplicate row is reported after the cell problems of its row


class _Validator:
    """Checks every column of a table at once and keeps the first problem."""

    def __init__(self, columns: list[ObjectArray], header: list[str], typed: bool,
                 comma_possible: bool, indonesian: bool, today: date | None) -> None:
        self.columns, self.header = columns, header
        self.typed, self.comma_possible = typed, comma_possible
        self.indonesian, self.today = indonesian, today
        self.n = len(columns[0]) if columns else 0
        self.kept: IntArray | None = None  # original row of each row, once blank rows go
        self.first: tuple[int, int, CellProblem] | None = None
        self.factorized: dict[int, tuple[IntArray, list[object]]] = {}

    def problem(self, row: int, col: int, code: str, *, other_row: int | None = None,
                **details: Any) -> None:
        if self.first is None or (row, col) < self.first[:2]:
            self.first = (row, col, CellProblem(code, row=row, other_row=other_row, **details))

    def run(self, fields: dict[str, int], metrics: list[tuple[int, str]],
            unnamed: list[int]) -> Validated:
        import numpy as np

        f = fields
        self.drop_blank_rows(f["date"])
        n = self.n
        if n == 0:
            raise CellProblem("no_rows", row=None)
        for pos in unnamed:
            self.check_unnamed(pos)
        today = self.today
        day = self.lookup(f["date"], "date", lambda cell: check_day(cell, today))
        channel = self.lookup(f["channel"], "channel", check_channel)
        campaign = self.lookup(f["campaign"], "campaign", check_campaign) if (
            "campaign" in f) else _constant(n, "")
        flag = self.lookup(f["competitor"], "competitor", check_flag) if (
            "competitor" in f) else _constant(n, None)
        if "competitor" in f:
            self.check_flag_conflicts(channel, flag, f["competitor"])

        # the cells holding a value: one per row (long), or the filled cells of the row ×
        # metric grid (wide); rows[i] is the row of cell i (None: cell i is row i)
        rows: IntArray | None = None
        if "metric" in f:
            metric = self.lookup(f["metric"], "metric", check_metric)
            whole = validation.whole_metric_mask(metric.parsed)[metric.codes]
            values, _ = self.parse_values([f["value"]], required=True, whole=[whole],
                                          metric_of=[metric.per_row(None)])
            metric_ids: IntArray = metric.ids_per_row(None)
            metric_keys = metric.per_row(None)
            metric_list, metric_codes = metric.parsed, metric.codes
            cell_values = values[:, 0]
        else:
            keys = [key for _, key in metrics]
            values, status = self.parse_values(
                [p for p, _ in metrics], required=False,
                whole=[validation.is_whole_metric(k) for k in keys], metric_of=keys)
            present = np.flatnonzero(status.ravel() != EMPTY)
            rows, which = present // len(keys), present % len(keys)
            metric_ids = np.array([list(METRICS).index(k) for k in keys], np.int64)[which]
            metric_keys = np.array(keys, dtype=object)[which].tolist()
            metric_list, metric_codes = keys, which.astype(np.int64, copy=False)
            cell_values = values.ravel()[present]
        self.check_duplicates(rows, [c.ids_per_row(rows) for c in (day, channel, campaign)],
                              metric_ids, metric_keys, day, channel, campaign)
        if self.first is not None:
            raise self.in_original_rows(self.first[2])
        if len(cell_values) == 0:
            raise CellProblem("no_rows", row=None, variant="values")
        # the rows column by column (PostgreSQL's COPY reads the arrays; others see tuples)
        return Validated(SnapshotColumns(
            days=day.parsed, day=day.row_codes(rows),
            channels=channel.parsed, channel=channel.row_codes(rows),
            metrics=metric_list, metric=metric_codes,
            campaigns=campaign.parsed, campaign=campaign.row_codes(rows),
            flags=flag.parsed, flag=flag.row_codes(rows), values=cell_values + 0.0), n)

    def in_original_rows(self, problem: CellProblem) -> CellProblem:
        if self.kept is not None:
            if problem.row is not None:
                problem.row = int(self.kept[problem.row])
            if problem.other_row is not None:
                problem.other_row = int(self.kept[problem.other_row])
        return problem

    def factorize(self, pos: int) -> tuple[IntArray, list[object]]:
        """(index of each row's cell among the distinct cells, the distinct cells)."""
        import numpy as np
        import pandas as pd

        if pos not in self.factorized:
            codes, uniques = pd.factorize(self.columns[pos])
            self.factorized[pos] = (codes.astype(np.int64, copy=False), uniques.tolist())
        return self.factorized[pos]

    def drop_blank_rows(self, date_pos: int) -> None:
        """Forget the rows with no content at all (blank lines, trailing ",,,")."""
        import numpy as np

        codes, uniques = self.factorize(date_pos)
        blank_dates = np.array([is_blank(u) for u in uniques], dtype=bool)
        if not blank_dates.any():
            return
        candidates = np.flatnonzero(blank_dates[codes])
        blank = np.zeros(self.n, dtype=bool)
        blank[candidates] = [all(is_blank(col[i]) for col in self.columns)
                             for i in candidates.tolist()]
        if blank.any():
            self.kept = np.flatnonzero(~blank)
            self.columns = [col[self.kept] for col in self.columns]
            self.n = len(self.kept)
            self.factorized[date_pos] = (codes[self.kept], uniques)  # some cells now unused

    def check_unnamed(self, pos: int) -> None:
        """A column without a header must be empty (it is often a stray delimiter)."""
        import numpy as np

        col = self.columns[pos]
        for i in np.flatnonzero(col != "").tolist():
            if not is_blank(col[i]):
                self.problem(i, pos, "unnamed_column", position=pos + 1, value=cell_text(col[i]))
                return

    def lookup(self, pos: int, field: str,
               check: Callable[[object], tuple[str, object]]) -> _Column:
        """Parse each distinct cell of a column once; note the first invalid row."""
        import numpy as np

        codes, uniques = self.factorize(pos)
        parsed: list[Any] = []
        ids = np.empty(len(uniques), dtype=np.int64)
        canonical: dict[object, int] = {}  # equal parsed values ("ig", "Instagram") share ids
        failed: dict[int, tuple[str, object]] = {}
        for j, cell in enumerate(uniques):
            code, value = check(cell)
            parsed.append(value)
            ids[j] = -1 if code else canonical.setdefault(value, len(canonical))
            if code:
                failed[j] = (code, cell)
        bad = ids[codes] < 0 if failed else None
        if bad is not None and bad.any():
            row = int(bad.argmax())
            code, cell = failed[int(codes[row])]
            text = cell_text(cell)
            details: dict[str, Any] = {"variant": field, "value": text}
            if code in ("unknown_metric", "derived_metric"):
                details = metric_details(code, text)
            elif code in validation.TEXTS:
                details = {"value": validation.shown(text), "length": len(text),
                           "today": self.today.isoformat() if self.today else ""}
            self.problem(row, pos, code, column=self.header[pos], **details)
        return _Column(codes, ids, parsed)

    def parse_values(self, positions: list[int], required: bool, whole: list[Any],
                     metric_of: list[Any]) -> tuple[Any, Any]:
        """(values, status) as row × column arrays; notes bad, negative, huge values and
        fractions in count columns (``whole``: per column, a bool or one bool per row;
        ``metric_of``: per column, its metric key or one key per row, for messages).
        Whole values of count columns lose their float noise."""
        import numpy as np

        cols = [self.columns[p] for p in positions]
        comma = self.indonesian or (self.comma_possible and has_decimal_comma(cols))
        values = np.empty((self.n, len(cols)), dtype=np.float64)
        status = np.empty((self.n, len(cols)), dtype=np.int8)
        for j, (pos, col) in enumerate(zip(positions, cols, strict=True)):
            v, s = parse_number_column(col, decimal_comma=comma, typed=self.typed)
            fraction = validation.fraction_mask(v) & whole[j]
            if np.any(whole[j]):
                v = np.where(whole[j], np.round(v), v)
            values[:, j], status[:, j] = v, s
            wrong = (s == BAD) | (v < 0) | (v > MAX_VALUE) | fraction
            if required:
                wrong |= s == EMPTY
            if not wrong.any():
                continue
            row = int(wrong.argmax())
            code, variant = (("missing_value", "value") if s[row] == EMPTY else
                             ("bad_number", "comma" if comma else "dot") if s[row] == BAD
                             else ("negative", "") if v[row] < 0
                             else ("too_large_value", "") if v[row] > MAX_VALUE
                             else ("fraction", ""))
            metric = metric_of[j] if isinstance(metric_of[j], str) else metric_of[j][row]
            text = cell_text(col[row])
            if code == "fraction" and not comma and "." in text:
                variant = "dot"
            self.problem(row, pos, code, column=self.header[pos], variant=variant,
                         value=text, metric=metric)
        return values, status

    def check_flag_conflicts(self, channel: _Column, flag: _Column, pos: int) -> None:
        """The same channel marked a competitor on one row and not on another."""
        import numpy as np

        flag_values = np.array([-1 if v is None else int(v) for v in flag.parsed], np.int64)
        of_row, flag_of_row = channel.ids_per_row(None), flag_values[flag.codes]
        marked = np.flatnonzero((of_row >= 0) & (flag_of_row >= 0))
        pairs = of_row[marked] * 2 + flag_of_row[marked]
        for pair in np.intersect1d(pairs[pairs % 2 == 0], pairs[pairs % 2 == 1] - 1).tolist():
            rows = marked[of_row[marked] == pair // 2]
            flags = flag_of_row[rows]
            later = int(rows[int((flags != flags[0]).argmax())])
            self.problem(later, pos, "bad_competitor", column=self.header[pos],
                         variant="conflict", other_row=int(rows[0]),
                         channel=channel_label(channel.at(later)), flag=not flags[0])

    def check_duplicates(self, rows: IntArray | None, ids: list[IntArray], metric_ids: IntArray,
                         metric_keys: list[Any], day: _Column, channel: _Column,
                         campaign: _Column) -> None:
        """Two cells with the same (day, channel, metric, campaign)."""
        import numpy as np
        import pandas as pd

        parts = [*ids, metric_ids]
        index = np.flatnonzero(np.logical_and.reduce([p >= 0 for p in parts]))
        parts = [p[index] for p in parts]
        sizes = [int(p.max()) + 1 if len(p) else 1 for p in parts]
        key: Any
        if np.prod(np.array(sizes, dtype=np.float64)) < 2.0**62:  # one int64 per cell
            combined = parts[0]
            for size, part in zip(sizes[1:], parts[1:], strict=True):
                combined = combined * size + part
            key = pd.Series(combined)
        else:
            key = pd.DataFrame({str(i): p for i, p in enumerate(parts)})
        dup = key.duplicated().to_numpy()
        if not dup.any():
            return
        later = int(dup.argmax())
        earlier = int(np.logical_and.reduce([p == p[later] for p in parts]).argmax())
        cell, other = int(index[later]), int(index[earlier])
        row = cell if rows is None else int(rows[cell])
        self.problem(row, _AFTER_CELLS, "duplicate_row",
                     other_row=other if rows is None else int(rows[other]),
                     day=str(day.at(row)), channel=channel_label(channel.at(row)),
                     metric=str(metric_keys[cell]), campaign=campaign.at(row))


def _constant(n: int, value: object) -> _Column:
    import numpy as np

    return _Column(np.zeros(n, dtype=np.int64), np.zeros(1, dtype=np.int64), [value])


def channel_label(channel: object) -> str:
    """``("instagram", "@rival")`` → ``instagram:@rival``."""
    if isinstance(channel, tuple):
        platform, handle = channel
        return f"{platform}:{handle}" if handle else str(platform)
    return str(channel)
