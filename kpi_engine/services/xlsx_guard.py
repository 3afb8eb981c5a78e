"""Refuse XLSX bombs before openpyxl unpacks them (issue 13, item 1).

An XLSX file is a ZIP archive of XML parts. A few kilobytes can declare gigabytes once
unpacked (deflate compresses repeated markup a thousandfold), place one cell at column XFD
of every row (openpyxl then fills 16,384 columns per row), or hold one shared string of a
gigabyte. :func:`check` looks at the archive without unpacking more than a bounded amount:

- the uncompressed size of every part and of all parts together, from the ZIP directory
  (``zipfile`` never returns more than a part's declared size, so the header cannot lie
  to us; a part that is longer fails its CRC check);
- each worksheet's grid, streamed in 1 MB chunks and read only for its ``<row>`` and
  ``<c>`` tags: the last row times the widest column must stay within :data:`MAX_CELLS`,
  and no column may lie beyond :data:`MAX_COLUMNS`;
- the shared strings: how many, and that none is longer than Excel's own cell limit.

It stops at the first bound passed, so a bomb costs at most one chunk of memory and the
time to read up to the bound. The importer calls :func:`check` with its own error type
(``ImportFileError``), so the refusal reaches every entry point (CLI, ``/impor``, the HTTP
API) as an import error with a clear message, and this module needs no import of the
importer.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

#: All parts together, unpacked (a 100,000-row sheet of 10 columns is about 25 MB).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: One part, unpacked.
MAX_PART_BYTES = 64 * 1024 * 1024
#: Cells of a worksheet's grid: its last row × its widest column (what openpyxl yields).
MAX_CELLS = 2_000_000
#: The widest column (an import needs date, channel, campaign and a few dozen metrics).
MAX_COLUMNS = 256
#: Excel's own limit for the text of one cell.
MAX_STRING_CHARS = 32_767
#: Shared strings in the workbook.
MAX_SHARED_STRINGS = 1_000_000

CHUNK = 1 << 20
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_ROW_ATTR = re.compile(rb"""\sr\s*=\s*["'](\d+)["']""")
_CELL_ATTR = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,4})(\d+)["']""")
_STRING = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?si(?=[\s/>])[^>]*?(/?)>")


@dataclass(frozen=True)
class Refusal:
    """Why a workbook is refused: ``what`` it exceeds, the amount found and the bound."""

    what: str  # unpacked | columns | cells | string | strings
    found: int
    limit: int
    part: str = ""

    def message(self, lang: str = "id") -> str:
        en = lang == "en"
        n = (lambda v: f"{v:,}") if en else (lambda v: f"{v:,}".replace(",", "."))
        found, limit = n(self.found), n(self.limit)
        reason = {
            "unpacked": (f"file Excel ini terlalu besar setelah dibuka ({_mb(self.found, en)} "
                         f"MB, maksimum {_mb(self.limit, en)} MB)",
                         f"this Excel file is too large once unpacked "
                         f"({_mb(self.found, en)} MB, at most {_mb(self.limit, en)} MB)"),
            "columns": (f"lembar kerja memakai kolom ke-{found} (maksimum {limit} kolom)",
                        f"the worksheet uses column {found} (at most {limit} columns)"),
            "cells": (f"lembar kerja terlalu besar (lebih dari {limit} sel)",
                      f"the worksheet is too large (more than {limit} cells)"),
            "string": (f"satu teks di file lebih panjang dari {limit} karakter",
                       f"one text in the file is longer than {limit} characters"),
            "strings": (f"file berisi lebih dari {limit} teks",
                        f"the file holds more than {limit} texts"),
        }[self.what][1 if en else 0]
        hint = ("Hapus sel kosong yang terisi format atau baris/kolom berlebih, atau bagi data "
                "menjadi beberapa file (CSV juga bisa), lalu impor lagi.",
                "Delete stray formatted cells and extra rows or columns, or split the data "
                "into several files (CSV works too), and import them again.")[1 if en else 0]
        done = "Nothing was saved." if en else "Tidak ada data yang disimpan."
        return f"{reason[:1].upper()}{reason[1:]}. {hint} {done}"


def _mb(size: int, en: bool) -> str:
    text = f"{size / 1024 / 1024:.1f}".removesuffix(".0")
    return text if en else text.replace(".", ",")


def inspect(data: bytes) -> Refusal | None:
    """The first bound ``data`` (an XLSX archive) passes, or None when it is within all."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None  # not a ZIP: the importer says it cannot read it
    with archive:
        infos = archive.infolist()
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_PART_BYTES:
                return Refusal("unpacked", info.file_size, MAX_PART_BYTES, info.filename)
        if total > MAX_UNPACKED_BYTES:
            return Refusal("unpacked", total, MAX_UNPACKED_BYTES)
        for info in infos:
            name = info.filename.lower()
            try:
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(info) as part:
                        found = _sheet(part, info.filename)
                elif name == "xl/sharedstrings.xml":
                    with archive.open(info) as part:
                        found = _shared_strings(part, info.filename)
                else:
                    continue
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
                return None  # damaged or encrypted: openpyxl fails and the importer says so
            if found is not None:
                return found
    return None


def check(data: bytes, error: type[Exception]) -> None:
    """Raise ``error`` (the importer's ``ImportFileError``, code ``too_large``) with this
    module's message when ``data`` passes a bound."""
    found = inspect(data)
    if found is not None:
        raise _refused(error)(found)


_REFUSED: dict[type[Exception], Callable[[Refusal], Exception]] = {}


def _refused(base: type[Exception]) -> Callable[[Refusal], Exception]:
    """A subclass of the caller's error type whose message is the refusal's (made once)."""
    if base in _REFUSED:
        return _REFUSED[base]

    class WorkbookTooLarge(base):  # type: ignore[valid-type,misc]
        def __init__(self, refusal: Refusal) -> None:
            super().__init__("too_large", variant=f"xlsx_{refusal.what}")
            self.refusal = refusal

        def message(self, lang: str = "id") -> str:
            return self.refusal.message(lang)

    _REFUSED[base] = WorkbookTooLarge
    return WorkbookTooLarge


def _chunks(part: IO[bytes]) -> Iterator[bytes]:
    """The part in chunks that never end inside a tag (the rest is carried over)."""
    carry = b""
    while block := part.read(CHUNK):
        block = carry + block
        cut = block.rfind(b"<")
        if cut <= 0 or block.find(b">", cut) != -1:
            carry, block = b"", block
        else:
            carry, block = block[cut:], block[:cut]
        yield block
    if carry:
        yield carry


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def _sheet(part: IO[bytes], name: str) -> Refusal | None:
    """Walk a worksheet's ``<row>`` and ``<c>`` tags: rows and columns as openpyxl counts
    them (an ``r`` attribute, else the one after the previous)."""
    row = 0
    col = 0
    widest = 0
    for block in _chunks(part):
        for tag in _TAG.finditer(block):
            attrs: Any = tag.group(2)
            if tag.group(1) == b"row":
                found = _ROW_ATTR.search(attrs)
                row = int(found.group(1)) if found else row + 1
                col = 0
            else:
                found = _CELL_ATTR.search(attrs)
                if found:
                    col = _column(found.group(1))
                    row = max(row, int(found.group(2)))
                else:
                    col += 1
                if col > widest:
                    widest = col
                    if widest > MAX_COLUMNS:
                        return Refusal("columns", widest, MAX_COLUMNS, name)
            if row * max(widest, 1) > MAX_CELLS:
                return Refusal("cells", row * max(widest, 1), MAX_CELLS, name)
    return None


def _shared_strings(part: IO[bytes], name: str) -> Refusal | None:
    """Count ``<si>`` items and measure each one's length (markup included: a bound on the
    text, with room for its tags and escapes)."""
    limit_bytes = MAX_STRING_CHARS * 4 + 4096  # UTF-8 is at most 4 bytes a character
    count = 0
    opened_at: int | None = None  # offset of the open <si> in the part
    offset = 0
    for block in _chunks(part):
        for tag in _STRING.finditer(block):
            closing, empty = tag.group(1), tag.group(2)
            if closing:
                if opened_at is not None and offset + tag.start() - opened_at > limit_bytes:
                    return Refusal("string", (offset + tag.start() - opened_at) // 4,
                                   MAX_STRING_CHARS, name)
                opened_at = None
                continue
            count += 1
            if count > MAX_SHARED_STRINGS:
                return Refusal("strings", count, MAX_SHARED_STRINGS, name)
            opened_at = None if empty else offset + tag.end()
        offset += len(block)
        if opened_at is not None and offset - opened_at > limit_bytes:
            return Refusal("string", (offset - opened_at) // 4, MAX_STRING_CHARS, name)
    return None
