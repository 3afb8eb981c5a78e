"""Import files (SPEC §9): an uploaded CSV or XLSX becomes validated snapshot rows.

:func:`parse_import` is pure: it reads bytes and returns rows; the caller writes them.
A file has one of two shapes, told apart by its header (names case-insensitive, key or
alias, Indonesian or English):

- long: ``date, channel, metric, value [, campaign] [, competitor]``
- wide: ``date, channel, <metric>, <metric>, ... [, campaign] [, competitor]``

A bad row rejects the whole file: the first error (lowest line; leftmost column within a
line) is raised as :class:`ImportFileError`, whose :meth:`~ImportFileError.message` says
in Indonesian or English where, what and how to fix it. This module reads the file (CSV
through pandas, XLSX through openpyxl) and its header; ``kpi_engine.domain.import_values`` parses
and checks the cells, a column at a time.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from kpi_engine.domain import content as dc
from kpi_engine.domain import import_values as iv
from kpi_engine.domain import validation
from kpi_engine.domain.metrics import normalize, resolve
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services import import_content

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from kpi_engine.domain.import_values import ObjectArray

    IntArray = npt.NDArray[np.int64]

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
#: Starts of common non-text files (PDF, PNG, JPEG, GIF, gzip) sent by mistake.
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")

#: Header names of the non-metric columns (normalized) → field.
FIELD_NAMES: dict[str, str] = {
    "date": "date", "tanggal": "date", "tgl": "date", "day": "date",
    "channel": "channel", "kanal": "channel", "saluran": "channel", "platform": "channel",
    "metric": "metric", "metrik": "metric",
    "value": "value", "nilai": "value",
    "campaign": "campaign", "kampanye": "campaign",
    "competitor": "competitor", "pesaing": "competitor", "kompetitor": "competitor",
}
_FIELD_WORDS: dict[str, tuple[str, str]] = {
    "date": ("tanggal", "date"), "channel": ("kanal", "channel"), "metric": ("metrik", "metric"),
    "value": ("nilai", "value"), "campaign": ("kampanye", "campaign"),
    "competitor": ("pesaing", "competitor"),
}

# --------------------------------------------------------------------------- messages

_LONG = "date, channel, metric, value"
_SHAPES_ID = (f"Baris pertama harus berisi judul kolom: {_LONG} (format panjang), atau date, "
              "channel lalu satu kolom per metrik seperti reach, likes (format lebar).")
_SHAPES_EN = (f"The first row must hold the column names: {_LONG} (long format), or date, "
              "channel and then one column per metric such as reach, likes (wide format).")
_QUOTE_ID = ('Pada CSV berpemisah koma, apit angka berkoma desimal dengan tanda kutip ("1,5") '
             "atau pakai titik koma sebagai pemisah.")
_QUOTE_EN = ('In a comma-separated CSV, quote numbers with a decimal comma ("1,5") or use '
             "semicolons as the separator.")

#: code or "code:variant" → (Indonesian reason, hint, English reason, hint); {placeholders}
#: are the error's params; {column} is the column name as written in the file.
_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "empty_file": ("file kosong.", "Isi dengan baris judul kolom (mis. " + _LONG + ") dan "
                   "minimal satu baris data.", "the file is empty.", "Add a header row (e.g. "
                   + _LONG + ") and at least one data row."),
    "too_large": ("file terlalu besar ({size} MB, maksimum {limit} MB).", "Bagi data menjadi "
                  "beberapa file lalu impor satu per satu.", "the file is too large ({size} MB, "
                  "at most {limit} MB).", "Split the data into several files and import them "
                  "one by one."),
    "unknown_format": ("format file '{filename}' tidak dikenali.", "Kirim file CSV (.csv) atau "
                       "Excel (.xlsx).", "the format of '{filename}' is not recognised.",
                       "Send a CSV (.csv) or Excel (.xlsx) file."),
    "unknown_format:xls": ("file Excel lama (.xls) tidak didukung.", "Simpan ulang sebagai "
                           ".xlsx atau CSV, lalu impor lagi.", "old Excel files (.xls) are not "
                           "supported.", "Save it again as .xlsx or CSV and import it again."),
    "unknown_format:zip": ("file ZIP ini bukan buku kerja Excel (.xlsx).", "Kirim file CSV "
                           "(.csv) atau Excel (.xlsx).", "this ZIP file is not an Excel "
                           "workbook (.xlsx).", "Send a CSV (.csv) or Excel (.xlsx) file."),
    "unreadable": ("file tidak bisa dibaca.", "Periksa bahwa file tidak rusak, lalu simpan "
                   "ulang sebagai CSV (UTF-8) atau .xlsx.", "the file cannot be read.",
                   "Check that the file is not damaged and save it again as CSV (UTF-8) or "
                   ".xlsx."),
    "unreadable:quote": ('tanda kutip (") dibuka tetapi tidak pernah ditutup.', "Tutup tanda "
                         "kutip di baris ini atau hapus tanda kutip yang berlebih.",
                         'a quote (") is opened but never closed.', "Close the quote on this "
                         "line or remove the stray quote."),
    "missing_column": ("kolom '{column}' ({word}) tidak ada.", _SHAPES_ID,
                       "the '{column}' column is missing.", _SHAPES_EN),
    "missing_column:metrics": ("tidak ada kolom metrik, juga tidak ada kolom 'metric' dan "
                               "'value'.", _SHAPES_ID, "there is no metric column, nor "
                               "'metric' and 'value' columns.", _SHAPES_EN),
    "duplicate_header": ("kolom '{other}' dan '{column}' sama-sama berarti {meaning}.",
                         "Hapus atau ganti nama salah satunya.", "columns '{other}' and "
                         "'{column}' both mean {meaning}.", "Remove or rename one of them."),
    "unknown_column": ("kolom '{column}' tidak dikenal dalam format panjang.", "Format panjang "
                       "hanya berisi kolom date, channel, metric, value, campaign dan "
                       "competitor; untuk satu kolom per metrik, hapus kolom metric dan value "
                       "(format lebar).", "unknown column '{column}' in a long-format file.",
                       "A long-format file only has the columns date, channel, metric, value, "
                       "campaign and competitor; for one column per metric, drop the metric "
                       "and value columns (wide format)."),
    "unnamed_column": ("ada isi '{value}' di kolom ke-{position}, yang tidak punya judul.",
                       "Beri judul kolom itu atau hapus isinya. " + _QUOTE_ID,
                       "there is '{value}' in column {position}, which has no header.",
                       "Give that column a header or clear it. " + _QUOTE_EN),
    "missing_value": ("kolom '{column}' kosong.", "Isi kolom ini.", "the '{column}' column is "
                      "empty.", "Fill in this column."),
    "missing_value:date": ("tanggal kosong (kolom '{column}').", "Isi tanggal dengan format "
                           "2026-11-01 atau 01/11/2026.", "the date is empty (column "
                           "'{column}').", "Fill in a date such as 2026-11-01 or 01/11/2026."),
    "missing_value:channel": ("kanal kosong (kolom '{column}').", "Isi kanal, mis. instagram "
                              "atau instagram:@akun.", "the channel is empty (column "
                              "'{column}').", "Fill in a channel, e.g. instagram or "
                              "instagram:@account."),
    "missing_value:metric": ("nama metrik kosong (kolom '{column}').", "Isi nama metrik, mis. "
                             "reach atau followers.", "the metric name is empty (column "
                             "'{column}').", "Fill in a metric name, e.g. reach or followers."),
    "missing_value:value": ("nilai kosong (kolom '{column}').", "Isi angka, mis. 1250; hapus "
                            "barisnya bila tidak ada data.", "the value is empty (column "
                            "'{column}').", "Fill in a number, e.g. 1250, or remove the line "
                            "when there is no data."),
    "bad_date": ("tanggal '{value}' tidak valid.", "Gunakan format 2026-11-01 atau 01/11/2026.",
                 "the date '{value}' is not valid.", "Use the format 2026-11-01 or 01/11/2026."),
    "bad_number:dot": ("'{value}' di kolom '{column}' bukan angka yang valid.", "Gunakan titik "
                       "sebagai tanda desimal tanpa pemisah ribuan (mis. 1234.5), atau format "
                       "Indonesia 1.234,5 dengan koma desimal.", "'{value}' in column "
                       "'{column}' is not a valid number.", "Use a dot as the decimal point "
                       "and no thousands separator (e.g. 1234.5), or the Indonesian format "
                       "1.234,5 with a decimal comma."),
    "bad_number:comma": ("'{value}' di kolom '{column}' bukan angka yang valid.", "File ini "
                         "memakai format angka Indonesia (titik koma sebagai pemisah kolom atau "
                         "koma desimal): tulis angka seperti 1.234,5 atau 1234,5 (titik hanya "
                         "untuk ribuan).", "'{value}' in column '{column}' is not a valid "
                         "number.", "This file uses the Indonesian number style (semicolons "
                         "between columns or a decimal comma): write numbers like 1.234,5 or "
                         "1234,5 (dots only group thousands)."),
    "unknown_metric": ("metrik '{value}' tidak dikenal.", "Gunakan nama metrik dari katalog, "
                       "mis. reach, followers, likes.", "unknown metric '{value}'.", "Use a "
                       "metric name from the catalogue, e.g. reach, followers, likes."),
    "unknown_metric:suggest": ("metrik '{value}' tidak dikenal; maksud Anda: {suggestion}?",
                               "Tulis nama metrik dari katalog, mis. {suggestion}.",
                               "unknown metric '{value}'; did you mean: {suggestion}?",
                               "Write a metric name from the catalogue, e.g. {suggestion}."),
    "derived_metric": ("metrik '{value}' dihitung otomatis ({formula}) sehingga tidak bisa "
                       "diimpor.", "Impor metrik dasarnya saja: {parts}.", "'{value}' is a "
                       "derived metric ({formula}) and cannot be imported.", "Import its parts "
                       "instead: {parts}."),
    "duplicate_row": ("data tanggal {day}, kanal {channel}, metrik {metric}{campaign} sudah ada "
                      "di baris {other_line}.", "Setiap kombinasi tanggal, kanal, metrik dan "
                      "kampanye hanya boleh muncul sekali; hapus salah satu baris.",
                      "the date {day}, channel {channel}, metric {metric}{campaign} already "
                      "appears on line {other_line}.", "Each date, channel, metric and "
                      "campaign may appear only once; remove one of the lines."),
    "bad_channel": ("kanal '{value}' tidak valid.", "Tulis nama platform (mis. instagram) atau "
                    "platform:akun (mis. instagram:@pesaing).", "the channel '{value}' is not "
                    "valid.", "Write a platform (e.g. instagram) or platform:account (e.g. "
                    "instagram:@rival)."),
    "bad_competitor": ("nilai pesaing '{value}' tidak dikenal.", "Gunakan ya/tidak, yes/no, "
                       "true/false atau 1/0; kosongkan bila tidak berubah.", "unknown "
                       "competitor value '{value}'.", "Use yes/no, ya/tidak, true/false or "
                       "1/0; leave it empty to keep the channel as it is."),
    "bad_competitor:conflict": ("kanal {channel} ditandai {flag} di sini, tetapi {other_flag} "
                                "di baris {other_line}.", "Tandai kanal yang sama dengan cara "
                                "yang sama di seluruh file.", "the channel {channel} is marked "
                                "{flag} here but {other_flag} on line {other_line}.", "Mark "
                                "each channel the same way throughout the file."),
    "no_rows": ("file hanya berisi judul kolom, tanpa baris data.", "Tambahkan minimal satu "
                "baris data di bawah judul kolom.", "the file has a header but no data rows.",
                "Add at least one data row under the header."),
    "no_rows:values": ("semua sel metrik kosong; tidak ada nilai untuk diimpor.", "Isi minimal "
                       "satu nilai.", "every metric cell is empty; there is nothing to "
                       "import.", "Fill in at least one value."),
}
_COMPETITOR_WORDS = {True: ("pesaing", "a competitor"),
                     False: ("bukan pesaing", "not a competitor")}


def _render(error: ImportFileError, lang: str) -> str:
    en = lang == "en"
    texts = _TEXTS.get(f"{error.code}:{error.variant}") or _TEXTS.get(error.code)
    if texts is None:
        texts = ("{code}", "", "{code}", "")
    values: dict[str, object] = {"column": error.column or "", "code": error.code}
    for name, value in error.params.items():
        if isinstance(value, tuple):  # (Indonesian, English)
            value = value[1 if en else 0]
        if isinstance(value, str) and len(value) > 60:
            value = value[:57] + "…"
        values[name] = value
    if error.code in validation.TEXTS:  # the rules and sentences every way in shares
        params = {"metric": "", "value": "", **values}
        del params["code"]
        if error.column:
            params["where"] = (f" in column '{error.column}'" if en
                               else f" di kolom '{error.column}'")
        reason, hint = validation.reason(error.code, lang, variant=error.variant, **params)
    elif error.code in dc.TEXTS and f"{error.code}:{error.variant}" not in _TEXTS:
        params = dict(values)
        del params["code"]
        reason, hint = dc.reason(error.code, lang, **params)
    else:
        reason, hint = (texts[2], texts[3]) if en else (texts[0], texts[1])
        reason, hint = reason.format(**values), hint.format(**values)
    text = reason
    if error.line is not None:
        text = f"{'Line' if en else 'Baris'} {error.line}: {text}"
    else:
        text = text[:1].upper() + text[1:]
    done = "Nothing was saved." if en else "Tidak ada data yang disimpan."
    return " ".join(filter(None, (text, hint, done)))


class ImportFileError(Exception):
    """Why a file was rejected: ``code``, ``line`` (header = 1; XLSX: sheet row), ``column``.

    ``params`` holds the details the message uses (``value``: the cell as written;
    ``other_line`` for a duplicate row, ...).
    """

    def __init__(self, code: str, *, line: int | None = None, column: str | None = None,
                 variant: str = "", **params: object) -> None:
        self.code = code
        self.line = line
        self.column = column
        self.variant = variant
        self.params = params
        super().__init__(code)

    def message(self, lang: str = "id") -> str:
        """One clear text (Indonesian by default, ``lang="en"``): line, reason and hint."""
        return _render(self, lang)

    def __str__(self) -> str:
        return self.message("id")


@dataclass(frozen=True)
class ParsedImport:
    rows: Sequence[SnapshotRow]  # a SnapshotColumns from a file (column by column)
    shape: str  # "long" or "wide"
    lines: int  # data lines read (blank lines not counted)
    # content rows (SPEC §11): a file with a post_id or segment column holds these instead
    posts: tuple[dc.PostRow, ...] = ()
    post_metrics: tuple[dc.PostMetricRow, ...] = ()
    segments: tuple[dc.SegmentRow, ...] = ()


def parse_import(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 today: date | None = None, timezone: str = "Asia/Jakarta") -> ParsedImport:
    """Parse and validate a whole import file; raise :class:`ImportFileError` on the first error.

    ``today`` is the workspace's local today: a row of a later day is refused (None: no
    check against the calendar, for tools that only read a file). ``timezone`` is the
    workspace's: a post's ``published_at`` without an offset is local time there."""
    if len(data) > max_bytes:
        raise ImportFileError("too_large", size=_mb(len(data)), limit=_mb(max_bytes))
    if re.fullmatch(rb"(?:\xef\xbb\xbf)?\s*", data):  # stops at the first character
        raise ImportFileError("empty_file")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("unknown_format", variant="xls", filename=filename)
    with _gc_paused():
        table = _read_xlsx(data, filename) if data.startswith(b"PK") else _read_csv(data, filename)
        if import_content.is_content_header(table.header):
            return _validate_content(table, today, timezone)
        return _validate(table, today)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of cells and rows are made: the
    collector would rescan them all again and again (it triples the time), and they
    form no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _mb(size: int) -> tuple[str, str]:
    """A size in MB, the Indonesian way ("1,5") and the English way ("1.5")."""
    text = f"{size / 1024 / 1024:.1f}".removesuffix(".0")
    return text.replace(".", ","), text


# --------------------------------------------------------------------------- reading


@dataclass
class _Table:
    header: list[str]
    columns: list[ObjectArray]  # one per header column, data rows only
    records: IntArray  # per data row: its record number (CSV) or sheet row (XLSX)
    line_of: Callable[[int], int]  # record number → 1-based line in the file
    header_line: int
    typed: bool  # XLSX: cells may be numbers, dates, bools
    comma_possible: bool = True  # False when no value cell can hold a ","
    indonesian: bool = False  # semicolon-separated: "." groups thousands whatever the cells


def _read_csv(data: bytes, filename: str) -> _Table:
    import numpy as np
    import pandas as pd

    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        data = data.decode("utf-16").encode("utf-8")
    if data.startswith(_BINARY_MAGIC) or b"\x00" in data[:65536]:
        raise ImportFileError("unknown_format", filename=filename)
    lead = re.match(rb"(?:[ \t]*(?:\r\n|\n|\r))*", data)  # blank lines before the header
    assert lead is not None  # the pattern matches the empty string
    blank_lines = len(re.findall(rb"\r\n|\n|\r", lead.group()))
    data = data[lead.end():]
    delimiter = _delimiter(re.split(rb"\r\n|\n|\r", data, maxsplit=1)[0])
    try:
        data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"  # Excel's "CSV" on Windows
    starts: list[int] = []

    def line_of(record: int) -> int:
        if fast:
            return blank_lines + record + 1
        if not starts:
            starts.extend(start for start, _ in _csv_records(data, encoding, delimiter))
        return blank_lines + (starts[record] if record < len(starts) else record + 1)

    def read(width: int | None) -> Any:
        return pd.read_csv(io.BytesIO(data), sep=delimiter, header=None, dtype=str,
                           names=None if width is None else list(range(width)),
                           keep_default_na=False, na_filter=False, skip_blank_lines=False,
                           quotechar='"', doublequote=True, encoding=encoding,
                           encoding_errors="replace", engine="c")

    fast = False
    try:
        frame = read(None)
    except pd.errors.ParserError as exc:
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:
            raise ImportFileError("unreadable", variant="quote",
                                  line=line_of(int(quote[1]))) from None
        # a row wider than the header: read it all; the extra cells get reported in order
        try:
            frame = read(max(width for _, width in _csv_records(data, encoding, delimiter)))
        except (pd.errors.ParserError, ValueError):
            raise ImportFileError("unreadable") from None
    crs = data.count(b"\r")
    fast = (crs == 0 or crs == data.count(b"\r\n")) and len(frame) == (
        data.count(b"\n") + (0 if data.endswith((b"\n", b"\r")) else 1))
    header = [iv.cell_text(h) for h in frame.iloc[0].tolist()]
    columns = [frame[c].to_numpy(dtype=object)[1:] for c in frame.columns]
    return _Table(header=header, columns=columns,
                  records=np.arange(1, len(frame), dtype=np.int64), line_of=line_of,
                  header_line=blank_lines + 1, typed=False,
                  comma_possible=delimiter != "," or b'"' in data,
                  indonesian=delimiter == ";")


def _delimiter(first_line: bytes) -> str:
    unquoted = re.sub(rb'"[^"]*"', b"", first_line)
    counts = {d: unquoted.count(d.encode()) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(data: bytes, encoding: str, delimiter: str) -> Iterator[tuple[int, int]]:
    """(first line, field count) of each CSV record, split the way pandas splits them."""
    text = data.decode(encoding, "replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    start = 1
    for fields in reader:
        yield start, len(fields)
        start = reader.line_num + 1


def _read_xlsx(data: bytes, filename: str) -> _Table:
    import numpy as np
    import openpyxl

    from kpi_engine.services import xlsx_guard

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            is_workbook = "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        raise ImportFileError("unreadable") from None
    if not is_workbook:
        raise ImportFileError("unknown_format", variant="zip", filename=filename)
    xlsx_guard.check(data, ImportFileError)  # bombs are refused before openpyxl unpacks
    rows: list[list[object]] = []
    numbers: list[int] = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet: Any = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong sheet size
            for number, raw in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
                cells = ["" if c is None else c for c in raw]
                while cells and iv.is_blank(cells[-1]):
                    cells.pop()
                if cells:
                    rows.append(cells)
                    numbers.append(number)
        finally:
            book.close()
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError("unreadable") from None
    if not rows:
        raise ImportFileError("empty_file")
    width = max(map(len, rows))
    header = [iv.cell_text(c) for c in rows[0]] + [""] * (width - len(rows[0]))
    columns = []
    for pos in range(width):
        col = np.empty(len(rows) - 1, dtype=object)
        col[:] = [r[pos] if pos < len(r) else "" for r in rows[1:]]
        columns.append(col)
    return _Table(header=header, columns=columns, records=np.array(numbers[1:], dtype=np.int64),
                  line_of=lambda row: row, header_line=numbers[0], typed=True)


# --------------------------------------------------------------------------- header


class _Layout(NamedTuple):
    shape: str
    fields: dict[str, int]  # field → column position
    metrics: list[tuple[int, str]]  # wide: (column position, metric key)
    unnamed: list[int]  # columns without a header name


def _layout(header: list[str], line: int) -> _Layout:
    fields: dict[str, int] = {}
    metrics: dict[str, int] = {}
    unnamed: list[int] = []
    others: list[int] = []  # neither a field nor a stored metric
    for pos, raw in enumerate(header):
        name = normalize(raw)
        field = FIELD_NAMES.get(name)
        metric = None if field or not name else resolve(name)
        if not name:
            unnamed.append(pos)
            continue
        if field:
            seen, key, meaning = fields, field, _FIELD_WORDS[field]
        elif metric and metric.stored:
            seen, key = metrics, metric.key
            meaning = (f"metrik {metric.key}", f"the metric {metric.key}")
        else:
            others.append(pos)
            continue
        if key in seen:
            raise ImportFileError("duplicate_header", line=line, column=header[pos],
                                  other=header[seen[key]], meaning=meaning)
        seen[key] = pos
    for required in ("date", "channel"):
        if required not in fields:
            raise ImportFileError("missing_column", line=line, column=required,
                                  word=_FIELD_WORDS[required][0])
    if "metric" in fields or "value" in fields:
        for required in ("metric", "value"):
            if required not in fields:
                raise ImportFileError("missing_column", line=line, column=required,
                                      word=_FIELD_WORDS[required][0])
        extra = sorted([*others, *metrics.values()])
        if extra:
            raise ImportFileError("unknown_column", line=line, column=header[extra[0]])
        return _Layout("long", fields, [], unnamed)
    for pos in others:  # raises: every other column of a wide file must be a stored metric
        code, _ = iv.check_metric(header[pos])
        raise ImportFileError(code, line=line, column=header[pos],
                              **iv.metric_details(code, header[pos]))
    if not metrics:
        raise ImportFileError("missing_column", line=line, column="metric", variant="metrics")
    return _Layout("wide", fields, sorted((p, k) for k, p in metrics.items()), unnamed)


# --------------------------------------------------------------------------- validation


def _validate(table: _Table, today: date | None) -> ParsedImport:
    layout = _layout(table.header, table.header_line)
    try:
        result = iv.validate_columns(table.columns, table.header, fields=layout.fields,
                                     metrics=layout.metrics, unnamed=layout.unnamed,
                                     typed=table.typed, comma_possible=table.comma_possible,
                                     indonesian=table.indonesian, today=today)
    except iv.CellProblem as problem:
        raise _located(problem, table) from None
    return ParsedImport(rows=result.rows, shape=layout.shape, lines=result.lines)


def _validate_content(table: _Table, today: date | None, timezone: str) -> ParsedImport:
    """A file with post or segment rows (``kpi_engine.services.import_content``)."""
    try:
        parsed = import_content.parse_content(
            table.header, table.columns, base_fields=FIELD_NAMES, typed=table.typed,
            indonesian=table.indonesian, today=today, timezone=timezone)
    except import_content.ContentProblem as problem:
        def line(row: int | None) -> int:
            return table.header_line if row is None else table.line_of(int(table.records[row]))

        raise content_error(problem, line) from None
    shape = "long" if any(FIELD_NAMES.get(normalize(h)) == "metric" for h in table.header) \
        else "wide"
    return ParsedImport(rows=[], shape=shape, lines=parsed.lines, posts=tuple(parsed.posts),
                        post_metrics=tuple(parsed.post_metrics),
                        segments=tuple(parsed.segments))


def content_error(problem: import_content.ContentProblem,
                  where: Callable[[int | None], Any]) -> ImportFileError:
    """The error of a bad content row; ``where`` turns a row index (None: the header) into
    the line (a file's line number, or the API's ``#index``) that messages name."""
    params = dict(problem.params)
    if "other_row" in params:
        params["other_line"] = where(params.pop("other_row"))
    if problem.code == "bad_competitor" and problem.variant == "conflict":
        params["other_flag"] = _COMPETITOR_WORDS[not params["flag"]]
        params["flag"] = _COMPETITOR_WORDS[params["flag"]]
    if problem.code == "missing_column":
        params["word"] = _FIELD_WORDS.get(str(params.get("word")), (params.get("word"),))[0]
    return ImportFileError(problem.code, line=where(problem.row), column=problem.column,
                           variant=problem.variant, **params)


def _located(problem: iv.CellProblem, table: _Table) -> ImportFileError:
    """The error for a problem found in the table's data rows, with its line numbers."""
    def line(row: int | None) -> int:
        return table.header_line if row is None else table.line_of(int(table.records[row]))

    params = dict(problem.params)
    if problem.other_row is not None:
        params["other_line"] = line(problem.other_row)
    if problem.code == "duplicate_row":
        name = params.get("campaign")
        params["campaign"] = (f", kampanye '{name}'", f", campaign '{name}'") if name else ""
    if problem.variant == "conflict":
        params["other_flag"] = _COMPETITOR_WORDS[not params["flag"]]
        params["flag"] = _COMPETITOR_WORDS[params["flag"]]
    return ImportFileError(problem.code, line=line(problem.row), column=problem.column,
                           variant=problem.variant, **params)
