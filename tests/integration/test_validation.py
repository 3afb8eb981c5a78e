"""One validation for every way in (SPEC §3.1 "Whole numbers stay whole", §9 import files):
the rules of ``kpi_engine.domain.validation`` tried through ``kpibot import`` (the CLI function and a
real subprocess), the HTTP API (batches and uploads) and ``/catat`` through the router, on
SQLite and PostgreSQL, with files written here. Every refusal writes nothing."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from openpyxl import Workbook
from sqlalchemy.engine import Engine

from adapters.cli.kpibot import cmd_import
from adapters.http.server import build_web_app
from bot.bootstrap import App, bootstrap
from config.settings import Settings
from kpi_engine.domain import validation
from kpi_engine.services.importer import ImportFileError, parse_import
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage.tokens import ApiTokens
from tests.conftest import Conversation

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JKT)  # a Sunday in Jakarta
TODAY = NOW.date()
LONG_NAME = "Promo Gajian " + "x" * 88  # 101 characters


@pytest.fixture
def clocked(db_engine: Engine) -> App:
    """The real composition root with the clock fixed at NOW (today: 22 Nov in Jakarta)."""
    return bootstrap(Settings(), engine=db_engine, check_schema=False, clock=lambda: NOW)


# --------------------------------------------------------------------------- the rules


def test_rules_of_one_value() -> None:
    assert validation.value_problem("reach", 5100) is None
    assert validation.value_problem("reach", 5.1) == "fraction"
    assert validation.value_problem("followers", 11.99) == "fraction"
    assert validation.value_problem("website_visits", 0.5) == "fraction"  # visits are counted
    assert validation.value_problem("spend", 5.1) is None  # money may have fractions
    assert validation.value_problem("revenue", 1234.5) is None
    assert validation.value_problem("reach", -1) == "negative"
    assert validation.value_problem("spend", -0.5) == "negative"
    assert validation.value_problem("reach", 10**12) is None
    assert validation.value_problem("reach", 10**12 + 1) == "too_large_value"
    assert validation.value_problem("spend", 5e12) == "too_large_value"
    assert validation.value_problem("reach", float("nan")) == "not_finite"
    assert validation.value_problem("spend", float("inf")) == "not_finite"
    assert validation.stored_value("reach", 5100.0000000001) == 5100.0


def test_rules_of_days_and_names() -> None:
    assert validation.day_problem(TODAY, TODAY) is None
    assert validation.day_problem(TODAY + timedelta(days=1), TODAY) == "future_day"
    assert validation.local_today(datetime(2026, 11, 21, 18, 0), "Asia/Jakarta") == TODAY
    assert validation.name_problem("x" * 100) is None
    assert validation.name_problem("x" * 101) == "name_too_long"
    assert validation.name_problem("promo\x00") == "name_control"
    assert validation.name_problem("\x1b[31mmerah") == "name_control"
    assert validation.name_problem("promo\u202egnp.exe") == "name_control"  # bidi override
    assert validation.name_problem("Promo Ramadan 🌙 2026") is None
    assert validation.shown("a\x00b") == "a\\x00b"


# --------------------------------------------------------------------------- import


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def run_import(app: App, path: Path, capsys: pytest.CaptureFixture[str],
               lang: str | None = None) -> tuple[int, str, str]:
    """``kpibot import FILE --workspace acme`` through the CLI's own function."""
    capsys.readouterr()
    args = argparse.Namespace(file=str(path), workspace="acme", lang=lang, create=True)
    status = cmd_import(app, args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def stored(app: App, channel: str, metric: str, day: date, campaign: str = "") -> float | None:
    ws = app.store.workspace("acme")
    assert ws is not None
    ids = {c.name: c.id for c in app.store.channels(ws.id)}
    if channel not in ids:
        return None
    return app.store.snapshot_value(ws.id, ids[channel], metric, day, campaign)


def count(app: App) -> int:
    ws = app.store.workspace("acme")
    return app.store.count_snapshots(ws.id) if ws else 0


def indonesian(text: str) -> float:
    """A number of the Indonesian style, by hand: dots group thousands, a comma decimals."""
    return float(text.replace(".", "").replace(",", "."))


EXCEL_ID = ("Tanggal;Kanal;Jangkauan;Pengikut;Biaya\r\n"
            "20/11/2026;instagram;5.100;11.990;1.234,5\r\n"
            "21/11/2026;instagram;12.345;12.001;750\r\n")


def test_excel_indonesian_semicolon_file_reads_dots_as_thousands(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_import(clocked, write(tmp_path, "excel.csv", EXCEL_ID), capsys)
    assert status == 0, err
    assert "6 baris ditulis" in out
    lines = [line.split(";") for line in EXCEL_ID.splitlines()[1:]]
    for day, (_, _, reach, followers, spend) in zip((date(2026, 11, 20), date(2026, 11, 21)),
                                                     lines, strict=True):
        assert stored(clocked, "instagram", "reach", day) == indonesian(reach)
        assert stored(clocked, "instagram", "followers", day) == indonesian(followers)
        assert stored(clocked, "instagram", "spend", day) == indonesian(spend)
    assert stored(clocked, "instagram", "reach", date(2026, 11, 20)) == 5100  # not 5.1


def test_long_semicolon_file_without_any_comma_is_indonesian_too() -> None:
    rows = parse_import(b"date;channel;metric;value\n2026-11-20;tiktok;views;5.100\n"
                        b"2026-11-20;tiktok;spend;2.000.000\n", "a.csv", today=TODAY).rows
    assert [r.value for r in rows] == [5100.0, 2_000_000.0]


def test_comma_file_in_indonesian_style_when_a_value_has_a_decimal_comma() -> None:
    text = ('date,channel,metric,value\n2026-11-20,instagram,reach,5.100\n'
            '2026-11-20,instagram,spend,"1.234,5"\n')
    rows = parse_import(text.encode(), "a.csv", today=TODAY).rows
    assert [r.value for r in rows] == [5100.0, 1234.5]


def test_international_file_keeps_the_decimal_point_and_refuses_a_fractional_count(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = "date,channel,metric,value\n2026-11-20,instagram,spend,5.100\n"
    status, _, err = run_import(clocked, write(tmp_path, "money.csv", ok), capsys)
    assert status == 0, err
    assert stored(clocked, "instagram", "spend", date(2026, 11, 20)) == 5.1  # money: 5.1
    before = count(clocked)
    bad = ("date,channel,metric,value\n2026-11-20,instagram,reach,100\n"
           "2026-11-21,instagram,reach,5.100\n"
           "2026-11-21,instagram,likes,7\n")
    status, out, err = run_import(clocked, write(tmp_path, "intl.csv", bad), capsys)
    assert status == 1 and out == ""
    assert err.startswith("Baris 3: reach dihitung dalam bilangan bulat, tetapi nilai '5.100' "
                          "di kolom 'value' berpecahan")
    assert "simpan sebagai CSV berpemisah titik koma" in err  # the hint
    assert err.strip().endswith("Tidak ada data yang disimpan.")
    assert count(clocked) == before  # all or nothing: line 2 was not written either
    assert stored(clocked, "instagram", "reach", date(2026, 11, 20)) is None
    status, _, err = run_import(clocked, write(tmp_path, "intl.csv", bad), capsys, lang="en")
    assert status == 1
    assert err.startswith("Line 3: reach is counted in whole numbers, but the value '5.100' "
                          "in column 'value' has a fraction")


@pytest.mark.parametrize(("row", "code", "needle"), [
    ("2026-11-21,instagram,1000000000001,,", "too_large_value", "terlalu besar"),
    ("2026-11-21,instagram,-3,,", "negative", "negatif"),
    ("2026-11-21,instagram,12.5,,", "fraction", "bilangan bulat"),
    ("2099-01-01,instagram,5,,", "future_day", "belum terjadi (hari ini 2026-11-22)"),
    ("2026-11-23,instagram,5,,", "future_day", "belum terjadi"),
    (f"2026-11-21,instagram,5,,{LONG_NAME}", "name_too_long", "101 karakter, maksimum 100"),
    ("2026-11-21,instagram,5,,\x1b[31mPromo", "name_control", "karakter kontrol"),
    ("2026-11-21,instagram:@a\x07b,5,,", "name_control", "karakter kontrol"),
])
def test_a_bad_row_at_line_3_refuses_the_wide_file(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, code: str,
        needle: str) -> None:
    text = ("date,channel,reach,spend,campaign\n"
            "2026-11-20,instagram,100,1.5,\n" + row + "\n"
            "2026-11-22,instagram,300,,\n")
    with pytest.raises(ImportFileError) as caught:
        parse_import(text.encode(), "a.csv", today=TODAY)
    assert (caught.value.code, caught.value.line) == (code, 3)
    status, out, err = run_import(clocked, write(tmp_path, "wide.csv", text), capsys)
    assert status == 1 and out == "" and "Traceback" not in err
    assert err.startswith("Baris 3: ") and needle in err, err
    assert count(clocked) == 0  # nothing written, on PostgreSQL too (no truncation error)


def test_today_in_the_workspace_timezone_is_accepted(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "date,channel,metric,value\n2026-11-22,instagram,reach,42\n"
    status, _, err = run_import(clocked, write(tmp_path, "today.csv", text), capsys)
    assert status == 0, err
    assert stored(clocked, "instagram", "reach", TODAY) == 42


def test_a_hundred_character_campaign_is_stored(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = LONG_NAME[:100]
    text = f"date,channel,metric,value,campaign\n2026-11-21,tiktok,clicks,9,{name}\n"
    status, _, err = run_import(clocked, write(tmp_path, "c.csv", text), capsys)
    assert status == 0, err
    assert len(name) == 100
    assert stored(clocked, "tiktok", "clicks", date(2026, 11, 21), name) == 9
    ws = clocked.store.workspace("acme")
    assert ws is not None and clocked.store.campaigns(ws.id) == [name]


def xlsx(tmp_path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / "data.xlsx"
    book.save(path)
    return path


def test_xlsx_counts_are_whole_and_text_cells_follow_the_file_style(
        clocked: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = ["date", "channel", "metric", "value"]
    bad = xlsx(tmp_path, [head, [datetime(2026, 11, 20), "instagram", "reach", 1200],
                          [datetime(2026, 11, 21), "instagram", "followers", 3.5]])
    status, _, err = run_import(clocked, bad, capsys)
    assert status == 1 and err.startswith("Baris 3: followers dihitung dalam bilangan bulat")
    assert count(clocked) == 0
    text_dot = xlsx(tmp_path, [head, [datetime(2026, 11, 20), "instagram", "reach", "5.100"]])
    status, _, err = run_import(clocked, text_dot, capsys)
    assert status == 1 and "'5.100'" in err and "Baris 2" in err
    good = xlsx(tmp_path, [head, [datetime(2026, 11, 20), "instagram", "reach", "5.100"],
                           [datetime(2026, 11, 20), "instagram", "spend", "1,5"],
                           [datetime(2026, 11, 21), "instagram", "followers", 11990]])
    status, _, err = run_import(clocked, good, capsys)
    assert status == 0, err
    assert stored(clocked, "instagram", "reach", date(2026, 11, 20)) == indonesian("5.100")
    assert stored(clocked, "instagram", "spend", date(2026, 11, 20)) == indonesian("1,5")
    assert stored(clocked, "instagram", "followers", date(2026, 11, 21)) == 11990


def test_kpibot_import_subprocess_reads_the_excel_file(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    path = write(tmp_path, "excel.csv", EXCEL_ID)
    exe = [sys.executable, "-m", "adapters.cli", "--db", db]
    done = subprocess.run([*exe, "import", str(path), "--workspace", "acme"],
                          capture_output=True, text=True, cwd=Path(__file__).parents[2],
                          timeout=120)
    assert done.returncode == 0, done.stderr
    ask = subprocess.run([*exe, "ask", "reach instagram 20 Nov", "--json", "--workspace",
                          "acme", "--now", NOW.isoformat()], capture_output=True, text=True,
                         cwd=Path(__file__).parents[2], timeout=120)
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["value"] == indonesian("5.100")
    bad = write(tmp_path, "bad.csv", "date,channel,metric,value\n2099-01-01,instagram,reach,5\n")
    done = subprocess.run([*exe, "import", str(bad), "--workspace", "acme"],
                          capture_output=True, text=True, cwd=Path(__file__).parents[2],
                          timeout=120)
    assert done.returncode == 1 and done.stderr.startswith("Baris 2: tanggal 2099-01-01")
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- HTTP API


class Api:
    def __init__(self, app: App, http: aiohttp.ClientSession) -> None:
        self.app, self.http = app, http
        ws = app.store.ensure_workspace("acme")
        self.token = ApiTokens(app.store).create(ws.id).secret

    async def call(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        async with self.http.request(method, path, headers=headers, **kw) as r:
            return r.status, await r.json()

    async def batch(self, rows: list[dict[str, Any]], lang: str = "id") -> tuple[int, Any]:
        return await self.call("POST", f"/api/v1/snapshots?lang={lang}", json={"rows": rows})

    async def upload(self, text: str, name: str = "kpi.csv") -> tuple[int, Any]:
        form = aiohttp.FormData()
        form.add_field("file", io.BytesIO(text.encode()), filename=name)
        return await self.call("POST", "/api/v1/imports", data=form)


@pytest.fixture
async def api(clocked: App) -> AsyncIterator[Api]:
    from aiohttp import web

    runner = web.AppRunner(build_web_app(clocked, []))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    async with aiohttp.ClientSession(base_url=f"http://127.0.0.1:{port}") as http:
        yield Api(clocked, http)
    await runner.cleanup()


def row(**kw: Any) -> dict[str, Any]:
    return {"date": "2026-11-21", "channel": "instagram", "metric": "reach", "value": 10, **kw}


@pytest.mark.parametrize(("bad", "field", "code"), [
    (row(value=5.5), "value", "fraction"),
    (row(metric="followers", value="11.99"), "value", "fraction"),
    (row(value=2e12), "value", "too_large_value"),
    (row(metric="spend", value=5e12), "value", "too_large_value"),
    (row(value=-1), "value", "negative"),
    (row(date="2099-01-01"), "date", "future_day"),
    (row(date="2026-11-23"), "date", "future_day"),
    (row(campaign=LONG_NAME), "campaign", "name_too_long"),
    (row(campaign="promo\x00"), "campaign", "name_control"),
    (row(channel="instagram:@a\x00b"), "channel", "name_control"),
])
async def test_api_batch_refuses_with_the_shared_sentence(api: Api, bad: dict[str, Any],
                                                          field: str, code: str) -> None:
    status, body = await api.batch([row(date="2026-11-20"), bad])
    assert status == 422, body
    assert body["written"] == 0 and api.app.store.count_snapshots() == 0
    [error] = body["errors"]
    assert (error["index"], error["field"], error["code"]) == (1, field, code)
    assert "Traceback" not in error["reason"] and error["reason"][:1].isupper()
    if code == "fraction":
        value = bad["value"] if isinstance(bad["value"], str) else "5.5"
        assert error["reason"] == validation.sentence(code, "id", value=value,
                                                      metric=bad["metric"])
    status, body = await api.batch([bad], lang="en")
    assert status == 422 and body["errors"][0]["reason"] == validation.sentence(
        code, "en", **_params(bad, field, code))


def _params(bad: dict[str, Any], field: str, code: str) -> dict[str, Any]:
    raw = bad[field]
    if field == "value":
        text = "5.5" if raw == 5.5 else ("2000000000000" if raw == 2e12 else
                                         "5000000000000" if raw == 5e12 else str(raw))
        return {"value": text, "metric": bad["metric"]}
    if field == "date":
        return {"value": raw, "today": TODAY.isoformat()}
    name = raw.split(":", 1)[1] if field == "channel" else raw
    return {"value": validation.shown(name), "length": len(name)}


async def test_api_batch_nan_is_refused_and_money_keeps_fractions(api: Api) -> None:
    body = b'{"rows": [{"date": "2026-11-21", "channel": "ig", "metric": "spend", "value": NaN}]}'
    status, out = await api.call("POST", "/api/v1/snapshots", data=body,
                                 headers={"Content-Type": "application/json"})
    assert status == 422 and out["errors"][0]["code"] == "not_finite"
    status, out = await api.batch([row(metric="spend", value=1234.5),
                                   row(metric="reach", value=10**12),
                                   row(date="2026-11-22", value="5100.0")])
    assert status == 200, out
    assert stored(api.app, "instagram", "spend", date(2026, 11, 21)) == 1234.5
    assert stored(api.app, "instagram", "reach", date(2026, 11, 21)) == 10**12
    assert stored(api.app, "instagram", "reach", TODAY) == 5100


async def test_api_upload_reads_the_style_of_the_file(api: Api) -> None:
    status, body = await api.upload(EXCEL_ID, "excel.csv")
    assert status == 200 and body["written"] == 6, body
    assert stored(api.app, "instagram", "followers", date(2026, 11, 20)) == indonesian("11.990")
    before = api.app.store.count_snapshots()
    status, body = await api.upload("date,channel,reach\n2026-11-20,tiktok,1\n"
                                    "2026-11-21,tiktok,11.990\n")
    assert status == 422 and (body["error"], body["line"], body["column"]) == (
        "fraction", 3, "reach")
    assert "Baris 3" in body["message"] and body["written"] == 0
    assert api.app.store.count_snapshots() == before


# --------------------------------------------------------------------------- /catat


@pytest.fixture
def bot(app: App) -> Conversation:
    seed_demo(app.store, TODAY)
    return Conversation(app, NOW)


def demo_value(app: App, metric: str, day: date) -> float | None:
    ws = app.store.workspace("demo")
    assert ws is not None
    ig = next(c for c in app.store.channels(ws.id) if c.name == "instagram")
    return app.store.snapshot_value(ws.id, ig.id, metric, day)


@pytest.mark.parametrize(("text", "code"), [
    ("/catat instagram reach {0}", "record_bad_value"),
    ("/catat instagram reach (500)", "record_bad_value"),
    ("/catat instagram reach <3>", "record_bad_value"),
    ('/catat instagram reach "7"', "record_bad_value"),
    ("/catat instagram reach 3,5", "record_fraction"),
    ("/catat instagram followers 41.250,5", "record_fraction"),
    ("/catat instagram reach 5000000000000", "record_absurd"),
    ("/catat instagram spend 2000 miliar", "record_absurd"),
    ("/catat instagram reach -5", "record_negative"),
    ("/catat instagram reach 5 2099-01-01", "period_future"),
])
def test_record_refuses_and_keeps_the_old_value(bot: Conversation, app: App, text: str,
                                                code: str) -> None:
    before = app.store.count_snapshots()
    old = demo_value(app, "reach", TODAY)
    reply = bot.reply(text)
    assert reply.intent == "error" and reply.error == code, reply.text
    assert "Traceback" not in reply.text
    assert app.store.count_snapshots() == before
    assert demo_value(app, "reach", TODAY) == old


def test_record_speaks_the_shared_sentences(bot: Conversation) -> None:
    assert bot.ask("/catat instagram reach 5.5") == validation.sentence(
        "fraction", "id", value="5.5", metric="reach")
    assert bot.ask("/catat instagram reach 5.5", lang="en") == validation.sentence(
        "fraction", "en", value="5.5", metric="reach")
    assert bot.ask("/catat instagram reach 5000000000000") == validation.sentence(
        "too_large_value", "id", value="5000000000000")
    assert "kurung" in bot.ask("/catat instagram reach (500)")


def test_record_still_takes_chat_numbers(bot: Conversation, app: App) -> None:
    reply = bot.reply("/catat instagram reach 1,5 jt")
    assert reply.intent == "record" and reply.data["value"] == 1_500_000
    reply = bot.reply("/catat instagram followers 42.344 kemarin")
    assert reply.intent == "record" and reply.data["value"] == 42_344
    assert demo_value(app, "followers", TODAY - timedelta(days=1)) == 42_344
    reply = bot.reply("catat reach instagram 41.250.")  # a sentence's full stop
    assert reply.intent == "record" and reply.data["value"] == 41_250
    reply = bot.reply("/catat instagram spend 1.234,5")
    assert reply.intent == "record" and reply.data["value"] == 1234.5  # money: a fraction
    reply = bot.reply("/catat instagram reach 0")  # zero is a number
    assert reply.intent == "record" and demo_value(app, "reach", TODAY) == 0


def test_impor_in_chat_reads_the_excel_file_and_refuses_a_future_day(
        bot: Conversation, app: App) -> None:
    excel = b"Tanggal;Kanal;Jangkauan\r\n21/11/2026;tiktok;5.100\r\n"
    reply = bot.reply("/impor", attachment=excel, attachment_name="excel.csv")
    assert reply.intent == "import", reply.text
    ws = app.store.workspace("demo")
    assert ws is not None
    tiktok = next(c for c in app.store.channels(ws.id) if c.name == "tiktok")
    assert app.store.snapshot_value(ws.id, tiktok.id, "reach", date(2026, 11, 21)) == 5100
    before = app.store.count_snapshots()
    future = b"date,channel,metric,value\n2026-11-22,tiktok,reach,1\n2026-11-23,tiktok,reach,2\n"
    reply = bot.reply("/impor", attachment=future, attachment_name="future.csv")
    assert reply.error == "import_failed" and reply.data["import_error"] == "future_day"
    assert ("Baris 3: tanggal 2026-11-23 di kolom 'date' belum terjadi (hari ini 2026-11-22)"
            in reply.text)
    assert app.store.count_snapshots() == before
