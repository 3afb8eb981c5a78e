"""XLSX bombs (issue 13, item 1): refused before openpyxl unpacks past a bound, with a clear
message, through the importer, a ``kpibot import`` subprocess (peak RSS measured) and a
running ``kpibot serve`` (other users' latency measured against the same run without bombs)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from kpi_engine.services import xlsx_guard
from kpi_engine.services.importer import ImportFileError, parse_import

ROOT = Path(__file__).resolve().parents[2]
RSS_LIMIT_MB = 300


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = workbook([["date", "channel", "metric", "value"],
                 ["2026-11-01", "instagram", "reach", 12500],
                 ["2026-11-02", "instagram", "reach", 13100]])


def replace_part(data: bytes, name: str, write: Callable[[io.BufferedIOBase], None]) -> bytes:
    """``data`` with part ``name`` replaced by what ``write`` streams (deflated; big parts
    never sit in this process's memory whole)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        with target.open(name, "w", force_zip64=True) as part:
            write(part)  # type: ignore[arg-type]
    return out.getvalue()


def sheet_xml(rows: Callable[[io.BufferedIOBase], None]) -> Callable[[io.BufferedIOBase], None]:
    def write(part: io.BufferedIOBase) -> None:
        part.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                   b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
        rows(part)
        part.write(b"</sheetData></worksheet>")
    return write


def wide_bomb(rows: int = 20_000) -> bytes:
    """Every row has a cell at column XFD (16,384): openpyxl fills all columns in between."""
    def body(part: io.BufferedIOBase) -> None:
        part.write(b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c><c r="XFD%d"><v>1</v></c>'
                            b"</row>" % (i, i, i) for i in range(1, rows + 1)))
    return replace_part(GOOD, "xl/worksheets/sheet1.xml", sheet_xml(body))


def tall_bomb() -> bytes:
    """Ten columns in row 1, then one cell in the sheet's last row: a 10 × 1,048,576 grid."""
    def body(part: io.BufferedIOBase) -> None:
        part.write(b'<row r="1">' + b"".join(b'<c r="%c1"><v>1</v></c>' % c for c in
                                              b"ABCDEFGHIJ") + b"</row>")
        part.write(b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    return replace_part(GOOD, "xl/worksheets/sheet1.xml", sheet_xml(body))


def cells_without_refs(rows: int) -> bytes:
    """Rows and cells without ``r`` attributes (allowed): counted one after the other."""
    def body(part: io.BufferedIOBase) -> None:
        part.write(b"<row>" + b"<c><v>1</v></c>" * 10 + b"</row>")
        for _ in range(rows):
            part.write(b"<row><c><v>1</v></c></row>")
    return replace_part(GOOD, "xl/worksheets/sheet1.xml", sheet_xml(body))


def shared_strings(items: Callable[[io.BufferedIOBase], None]) -> bytes:
    def write(part: io.BufferedIOBase) -> None:
        part.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                   b'openxmlformats.org/spreadsheetml/2006/main">')
        items(part)
        part.write(b"</sst>")
    return replace_part(GOOD, "xl/sharedStrings.xml", write)


def long_string_bomb(chars: int = 8 * 2**20) -> bytes:
    def items(part: io.BufferedIOBase) -> None:
        part.write(b"<si><t>")
        for _ in range(chars // 2**20):
            part.write(b"A" * 2**20)
        part.write(b"</t></si>")
    return shared_strings(items)


def declared_size_bomb() -> bytes:
    """One part that unpacks to 256 MB (under 1 MB on disk)."""
    def items(part: io.BufferedIOBase) -> None:
        chunk = b"<si><t>a</t></si>" * 60_000
        for _ in range(256 * 2**20 // len(chunk)):
            part.write(chunk)
    return shared_strings(items)


def many_strings_bomb() -> bytes:
    def items(part: io.BufferedIOBase) -> None:
        for _ in range(11):
            part.write(b"<si><t>a</t></si>" * 100_000)
    return shared_strings(items)


BOMBS = {"columns": wide_bomb, "cells": tall_bomb, "string": long_string_bomb,
         "unpacked": declared_size_bomb, "strings": many_strings_bomb}


def test_a_normal_workbook_passes_the_guard_and_imports() -> None:
    assert xlsx_guard.inspect(GOOD) is None
    parsed = parse_import(GOOD, "data.xlsx")
    assert [r.value for r in parsed.rows] == [12500, 13100]


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_each_kind_of_bomb_is_refused_by_the_importer(kind: str) -> None:
    data = BOMBS[kind]()
    assert len(data) < 2 * 2**20  # small on disk: the danger is what it unpacks to
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        parse_import(data, "bom.xlsx")
    assert time.perf_counter() - started < 30  # bounded work (a bomb took 228 s before)
    refusal = xlsx_guard.inspect(data)
    assert refusal is not None and refusal.what == kind
    assert caught.value.code == "too_large"  # the HTTP API answers 413 for it
    text_id, text_en = caught.value.message("id"), caught.value.message("en")
    assert "Tidak ada data yang disimpan." in text_id and "Nothing was saved." in text_en
    assert "Traceback" not in text_id and len(text_id) < 400


def test_the_grid_counts_cells_without_references_like_openpyxl() -> None:
    assert xlsx_guard.inspect(cells_without_refs(1000)) is None
    refusal = xlsx_guard.inspect(cells_without_refs(xlsx_guard.MAX_CELLS // 10 + 10))
    assert refusal is not None and refusal.what == "cells"


def test_limits_at_the_bound_are_accepted() -> None:
    """A sheet exactly MAX_COLUMNS wide and a string of Excel's maximum length pass."""
    last = xlsx_guard.MAX_COLUMNS
    letters = ""
    n = last
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters

    def body(part: io.BufferedIOBase) -> None:
        part.write(b'<row r="1"><c r="%s1"><v>1</v></c></row>' % letters.encode())
    assert xlsx_guard.inspect(replace_part(GOOD, "xl/worksheets/sheet1.xml",
                                           sheet_xml(body))) is None

    def items(part: io.BufferedIOBase) -> None:
        part.write(b"<si><t>" + "é".encode() * xlsx_guard.MAX_STRING_CHARS + b"</t></si>")
    assert xlsx_guard.inspect(shared_strings(items)) is None


# --------------------------------------------------------------------------- real entry points

PEAK_RSS = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
sys.stdout.write(done.stderr)
"""


def env_for(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    return {**env, "PYTHONPATH": str(ROOT), "KPIBOT_DATABASE_URL": db}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["columns", "string", "unpacked"])
def test_kpibot_import_of_a_bomb_stays_small_and_says_why(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bom.xlsx"
    path.write_bytes(BOMBS[kind]())
    db = f"sqlite:///{tmp_path / 'k.db'}"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, sys.executable, "-m", "adapters.cli", "import",
         str(path), "--workspace", "demo"], capture_output=True, text=True,
        env=env_for(db), cwd=tmp_path, timeout=120)
    seconds = time.perf_counter() - started
    code, rss_mb, *stderr = done.stdout.split("\n")
    message = "\n".join(stderr)
    print(f"kpibot import {kind} bomb: exit {code}, peak RSS {rss_mb} MB, {seconds:.1f} s")
    assert code == "1", message
    assert int(rss_mb) < RSS_LIMIT_MB
    assert "Tidak ada data yang disimpan." in message and "Traceback" not in message
    assert len(message.strip().splitlines()) == 1


def _port(log: Path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"HTTP server on [\d.]+:(\d+)", log.read_text())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(log.read_text()[-2000:])


@pytest.mark.slow
async def test_bombs_through_kpibot_serve_leave_other_answers_fast(tmp_path: Path) -> None:
    """Editors upload bombs to ``POST /api/v1/imports`` of a real ``kpibot serve`` while
    another user asks ``GET /api/v1/kpi``: every bomb is refused with 413, the server's peak
    RSS stays under 300 MB, and the other user's latency stays near its bomb-free value."""
    import aiohttp

    db = f"sqlite:///{tmp_path / 'k.db'}"
    env = env_for(db)
    subprocess.run([sys.executable, "-m", "adapters.cli", "import", "--workspace", "w",
                    str(_csv(tmp_path))], env=env, cwd=tmp_path, check=True, timeout=60)
    created = subprocess.run([sys.executable, "-m", "adapters.cli", "token", "create",
                              "--workspace", "w"], env=env, cwd=tmp_path, check=True,
                             capture_output=True, text=True, timeout=60)
    token = created.stdout.strip().splitlines()[-1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=tmp_path,
                                  env={**env, "KPIBOT_HTTP_PORT": "0"}, stdout=out, stderr=out)
    try:
        base = f"http://127.0.0.1:{_port(log)}"
        headers = {"Authorization": f"Bearer {token}"}
        bombs = [BOMBS[k]() for k in ("columns", "string", "unpacked")]
        async with aiohttp.ClientSession(headers=headers) as http:

            async def ask(n: int) -> list[float]:
                times = []
                for _ in range(n):
                    started = time.perf_counter()
                    async with http.get(f"{base}/api/v1/kpi",
                                        params={"metric": "reach", "now": "2026-11-22"}) as r:
                        assert r.status == 200, await r.text()
                        assert (await r.json())["value"] == 2 * 12500.0
                    times.append(time.perf_counter() - started)
                    await asyncio.sleep(0.02)
                return times

            async def upload(data: bytes) -> tuple[int, str]:
                form = aiohttp.FormData()
                form.add_field("file", data, filename="bom.xlsx")
                async with http.post(f"{base}/api/v1/imports", data=form) as r:
                    return r.status, (await r.json())["message"]

            async def uploads(stop: asyncio.Event) -> list[tuple[int, str]]:
                answers = []
                while not stop.is_set():
                    for data in bombs:
                        answers.append(await upload(data))
                return answers

            await ask(5)  # warm up
            quiet = await ask(30)
            stop = asyncio.Event()
            editor = asyncio.create_task(uploads(stop))
            loaded = await ask(30)
            stop.set()
            answers = await editor
        rss_mb = _peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    quiet_ms, loaded_ms = statistics.median(quiet) * 1000, statistics.median(loaded) * 1000
    print(json.dumps({"kpi_median_ms_without_bombs": round(quiet_ms, 1),
                      "kpi_median_ms_with_bombs": round(loaded_ms, 1),
                      "kpi_max_ms_with_bombs": round(max(loaded) * 1000, 1),
                      "bombs_refused": len(answers), "serve_peak_rss_mb": rss_mb}))
    assert answers and all(status == 413 for status, _ in answers), answers[:3]
    assert all("Tidak ada data yang disimpan." in text for _, text in answers)
    assert rss_mb < RSS_LIMIT_MB
    assert loaded_ms < 10 * quiet_ms + 100  # generous: the figures are in the output


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "seed.csv"
    path.write_text("date,channel,metric,value\n2026-11-17,instagram,reach,12500\n"
                    "2026-11-18,instagram,reach,12500\n")
    return path


def _peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM")
