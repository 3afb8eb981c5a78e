"""Limits at the edges (issue 13 items 7 and 9's ``/alert``): out-of-range numbers, an
unknown word after an alert's value, unbounded input echoed back, the HTTP API's ``now``,
nesting and body size, a database held by a long import, and control characters in names on
the console — each through its real entry point (the Telegram and Slack stand-ins with the
real PTB and Bolt clients, the HTTP API over HTTP, the console loop)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, select, text

from adapters.chat.console import run_console
from adapters.chat.telegram import TelegramPlatform
from bot.bootstrap import bootstrap
from bot.reply import Request
from config.settings import Settings
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.db import make_engine, migrate
from tests.conftest import PG_URL
from tests.data.hostile_names import CAMPAIGNS, HANDLES
from tests.e2e.test_slack import LINKED, Slack, slack, standin  # noqa: F401  (fixtures)
from tests.e2e.test_telegram import EDITOR, NOW, TODAY, TOKEN, ask, make_app
from tests.integration.test_http_api import Api, api  # noqa: F401  (fixture)
from tests.telegram_standin import BotApiStandin

INTERNAL = "terjadi kesalahan"


@pytest.fixture
async def tg_api() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as telegram:
        yield telegram


@pytest.fixture
async def bot(db_engine: Engine, tg_api: BotApiStandin) -> AsyncIterator[TelegramPlatform]:
    """The Telegram platform, polling the stand-in (as in tests/e2e/test_telegram.py)."""
    platform = TelegramPlatform(make_app(db_engine, tg_api.url), poll_timeout=1)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


def rules(engine: Engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(a.alert_rules.c.id)).all())


# -- /senyap, /alert hapus, /alert … bogus (Telegram) -------------------------------------------

#: (message, the words the reply must contain)
REFUSED = [
    ("/senyap 99999999999 jam", ("1 menit", "7 hari")),
    ("/senyap 99999999999999999999999 menit", ("7 hari",)),
    ("/senyap 0,001 menit", ("1 menit",)),
    ("/alert hapus 99999999999999999999", ("1 sampai 2.147.483.647",)),
    ("/alert hapus 0", ("1 sampai",)),
    ("/alert hapus ²", ("Format",)),
    ("/alert reach < 5 bogus", ("\"bogus\"", "kanal")),
    ("/alert reach < 5 instagram bogus", ("\"bogus\"",)),
    ("/alert reach < 5 snapchat:zzz", ("snapchat:zzz", "Kanal yang ada")),
]


async def test_out_of_range_and_unknown_words_get_a_clear_reply(
        bot: TelegramPlatform, tg_api: BotApiStandin) -> None:
    engine = bot.app.engine
    held = 0
    for message, words in REFUSED:
        reply = await ask(tg_api, EDITOR, message)
        assert INTERNAL not in reply, message
        for word in words:
            assert word in reply, (message, reply)
        held += 1
    assert held == len(REFUSED)
    assert rules(engine) == 0  # nothing was created
    # what is meant still works: a channel after the value, "2 %", a snooze within range
    assert "#1" in await ask(tg_api, EDITOR, "/alert reach < 5 instagram")
    assert "#2" in await ask(tg_api, EDITOR, "/alert er < 2 %")
    assert "disenyapkan sampai" in await ask(tg_api, EDITOR, "/senyap 7 hari")
    assert rules(engine) == 2


async def test_english_range_replies(bot: TelegramPlatform, tg_api: BotApiStandin) -> None:
    ws = bot.app.store.workspace("demo")
    assert ws is not None
    bot.app.store.set_workspace_language(ws.id, "en")
    assert "1 minute to at most 7 days" in await ask(tg_api, EDITOR, "/snooze 99999999999 hours")
    assert "1 to 2.147.483.647" in await ask(tg_api, EDITOR, "/alert remove 99999999999999999999")
    assert "\"bogus\"" in await ask(tg_api, EDITOR, "/alert reach < 5 bogus")


# -- unbounded input is echoed as a short excerpt (Slack takes long commands) -----------------------

async def test_a_huge_word_is_echoed_as_a_short_excerpt(slack: Slack) -> None:  # noqa: F811
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.EDITOR, user_id="U0EDITOR")
    huge = "x" * 20_000
    sent = [("/kpi", huge), ("/kpi", f"reach {huge}"), ("/catat", f"instagram reach {huge}"),
            ("/alert", f"{huge} < 5"), ("/alert", f"reach < {huge}"), ("/gabung", huge),
            ("/target", f"reach {huge} 3 bulan"), ("/senyap", huge)]
    for i, (command, rest) in enumerate(sent):
        await slack.command(command, rest, user="U0EDITOR", key=f"h{i}")
    answers = await slack.standin.wait_for(
        lambda: (found if len(found := [*slack.standin.calls_to("response"),
                                        *slack.standin.delivered()]) >= len(sent) else None),
        timeout=30)
    for call in answers:
        assert len(call.params["text"]) < 1000, call.params["text"][:200]
        assert "x" * 100 not in call.params["text"]
        assert INTERNAL not in call.params["text"]


# -- the HTTP API ----------------------------------------------------------------------------------

async def test_api_refuses_far_dates_deep_json_and_huge_bodies(api: Api) -> None:  # noqa: F811
    token = api.token("demo")
    for now in ("9999-12-31T23:59:59", "0001-01-01T00:00:00", "2101-01-01T00:00:00"):
        status, body = await api.call("GET", "/api/v1/kpi", token,
                                      params={"metric": "reach", "now": now})
        assert status == 400 and body["error"] == "bad_param", now
        assert "2000" in body["message"] and "2100" in body["message"]
    status, body = await api.call("GET", "/api/v1/kpi", token,
                                  params={"metric": "reach", "now": "2026-11-22T10:00:00"})
    assert status == 200
    deep = b"[" * 100_000 + b"]" * 100_000
    status, body = await api.call("POST", "/api/v1/snapshots", token, data=deep,
                                  headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"] == "too_deep"
    big = b'{"rows": [' + b" " * (25 * 2**20) + b"]}"
    status, body = await api.call("POST", "/api/v1/snapshots", token, data=big,
                                  headers={"Content-Type": "application/json"})
    assert status == 413 and body["error"] == "too_large" and "20 MB" in body["message"]
    assert api.count("demo") == 0


# -- a database held by a long import ----------------------------------------------------------------

@pytest.fixture
def impatient(db_engine: Engine, pg_schema: str | None) -> Iterator[Engine]:
    """The test database (SQLite or PostgreSQL) with a short lock wait: 0.5 s, not 30 s."""
    if db_engine.dialect.name == "postgresql":
        assert PG_URL is not None
        engine = make_engine(PG_URL, connect_args={
            "options": f"-csearch_path={pg_schema} -c lock_timeout=500"})
    else:
        engine = make_engine(str(db_engine.url))

        @event.listens_for(engine, "connect")
        def short_wait(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA busy_timeout=500")
    yield engine
    engine.dispose()


def test_a_write_waiting_on_a_long_import_says_the_database_is_busy(
        db_engine: Engine, impatient: Engine) -> None:
    now = datetime(2026, 11, 22, 10, 0).astimezone()
    app = bootstrap(Settings(), engine=impatient, check_schema=False, clock=lambda: now)
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "telegram", "77", Role.EDITOR)
    holding, release = threading.Event(), threading.Event()

    def long_import() -> None:  # another writer holds the lock (a big CLI import does)
        with db_engine.connect() as conn:
            if db_engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.execute(text("LOCK TABLE snapshots IN EXCLUSIVE MODE"))
            holding.set()
            release.wait(10)
            conn.rollback()

    worker = threading.Thread(target=long_import)
    worker.start()
    try:
        assert holding.wait(5)
        for lang, words in (("id", "database sedang sibuk"), ("en", "database is busy")):
            reply = app.router.handle(Request(
                text="/catat instagram saves 4.321 kemarin", platform="telegram",
                chat_id="77", user_id="77", lang=lang))
            assert reply.error == "database_busy"
            assert words in reply.text.lower()
            assert "terjadi kesalahan" not in reply.text
    finally:
        release.set()
        worker.join()
    done = app.router.handle(Request(text="/catat instagram saves 4.321 kemarin",
                                     platform="telegram", chat_id="77", user_id="77"))
    assert done.error is None


# -- control characters on the console ----------------------------------------------------------------

def test_the_console_escapes_control_characters_in_names(app: Any) -> None:
    ws, _ = seed_demo(app.store, TODAY)
    rows = [SnapshotRow(TODAY - timedelta(days=i), "instagram", "", metric, 1000.0, campaign)
            for i in range(7) for campaign in CAMPAIGNS for metric in ("spend", "revenue")]
    rows += [SnapshotRow(TODAY, "instagram", "\x1b]0;judul\x07\x1b[2J" + HANDLES[0], "reach", 5)]
    app.store.write_snapshots(ws.id, rows)
    out = io.StringIO()
    lines = "/roi bulan ini\n/bandingkan reach hari ini\n/kpi reach snapchat:\x1b[31mx\n"
    run_console(app, workspace="demo", now=NOW, stdin=io.StringIO(lines), stdout=out)
    shown = out.getvalue()
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\\x1b[31mmerah\\x1b[0m" in shown  # the campaign, visible as text
    assert "\\x1b]0;judul\\x07\\x1b[2J" in shown  # the channel
    assert json.dumps(shown)  # printable


def test_ask_and_digest_on_the_command_line_escape_control_characters(
        sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.cli import main

    engine = make_engine(sqlite_url)
    migrate(engine)
    try:
        app = bootstrap(Settings(), engine=engine, check_schema=False)
        ws, _ = seed_demo(app.store, TODAY)
        with engine.begin() as conn:
            conn.execute(text("UPDATE workspaces SET name = :n WHERE id = :i"),
                         {"n": "\x1b[2JKopi\x1b[0m", "i": ws.id})
        app.store.write_snapshots(ws.id, [SnapshotRow(TODAY, "instagram", "", "spend", 9.0,
                                                      CAMPAIGNS[-1])])
    finally:
        engine.dispose()
    now = "2026-11-22T10:00:00+07:00"
    assert main(["--db", sqlite_url, "ask", "/roi bulan ini", "--now", now]) == 0
    assert main(["--db", sqlite_url, "digest", "--workspace", "demo", "--now", now]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown
    assert "\\x1b[31mmerah" in shown  # the campaign, as text
    assert "[2JKopi" in shown  # the workspace name (an echoed parameter: ESC made a space)


def test_a_channel_named_after_the_value_is_the_rule_s_channel(app: Any) -> None:
    """``/alert reach < 5 instagram:kopi&teh``: the parser does not read that handle; the rule
    must still be about that channel, never silently about all own channels."""
    ws, _ = seed_demo(app.store, TODAY)
    app.store.write_snapshots(ws.id, [SnapshotRow(TODAY, "instagram", "kopi&teh", "reach", 5)])
    reply = app.router.handle(Request(text="/alert reach < 5 instagram:kopi&teh",
                                      platform="cli", workspace="demo", now=NOW))
    assert reply.error is None and reply.data["channel"] == "instagram:kopi&teh"
