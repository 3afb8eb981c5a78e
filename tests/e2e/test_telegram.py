"""Telegram end to end: the real PTB ``Application`` (adapters/chat/telegram.py) over real HTTP
against the Bot API stand-in (tests/telegram_standin.py), on the test database."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from babel.numbers import format_decimal
from pydantic import SecretStr
from sqlalchemy import Engine

from adapters.chat.telegram import TelegramPlatform, split_html
from adapters.http.server import serve
from bot.bootstrap import App, bootstrap
from bot.command_names import ROI
from bot.reply import Reply
from bot.router import Command
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.telegram_standin import BotApiStandin, parse_html

TOKEN = "123456789:AAHtest-Token_abcdefghijklmnopqrstuv"
JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 22)  # a Sunday: "minggu ini" is Mon 16 .. Sun 22 Nov
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JAKARTA)
LINKED = 1001  # a private chat linked as viewer
EDITOR = 1002  # a private chat whose user is an editor
ADMIN = 1003  # a private chat whose user is an admin
GROUP = -100500  # a group linked as viewer
STRANGER = 4242  # never linked


def expected_reach_this_week() -> str:
    """The demo's reach of its own channels, 16–22 Nov, computed from the seed rows."""
    start = TODAY - timedelta(days=6)
    total = sum(r.value for r in demo_rows(TODAY) if r.metric == "reach"
                and start <= r.day <= TODAY and not r.handle and not r.competitor)
    return format_decimal(total, format="#,##0", locale="id_ID")


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as standin:
        yield standin


def make_app(db_engine: Engine, url: str, **settings: Any) -> App:
    app = bootstrap(Settings(telegram_token=SecretStr(TOKEN), telegram_api_url=url, **settings),
                    engine=db_engine, clock=lambda: NOW, check_schema=False)
    ws, _ = seed_demo(app.store, TODAY)
    store = app.store
    store.link_chat(ws.id, "telegram", str(LINKED), Role.VIEWER)
    store.link_chat(ws.id, "telegram", str(EDITOR), Role.EDITOR)
    store.link_chat(ws.id, "telegram", str(ADMIN), Role.ADMIN)
    store.link_chat(ws.id, "telegram", str(GROUP), Role.VIEWER)
    return app


@pytest.fixture
async def bot(db_engine: Engine, api: BotApiStandin) -> AsyncIterator[TelegramPlatform]:
    """The Telegram platform, polling the stand-in."""
    platform = TelegramPlatform(make_app(db_engine, api.url), poll_timeout=1)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


async def ask(api: BotApiStandin, chat_id: int, text: str, **kw: Any) -> str:
    """Send a message; wait for the next reply in that chat and return its text."""
    before = len(api.sent("sendMessage", chat_id))
    api.inject(api.message(chat_id, text, **kw))
    sent = await api.wait_for("sendMessage", before + 1, chat_id=chat_id)
    return str(sent[before].params["text"])


async def test_kpi_in_a_linked_chat(bot: TelegramPlatform, api: BotApiStandin) -> None:
    text = await ask(api, LINKED, "/kpi reach minggu ini")
    assert expected_reach_this_week() in text
    assert text.startswith("<b>") and "16–22 Nov 2026" in text
    _plain, entities = parse_html(text)  # valid Telegram HTML; the title is bold
    assert entities[0]["type"] == "bold" and entities[0]["offset"] == 0
    # the same question as a plain sentence
    sentence = await ask(api, LINKED, "berapa reach minggu ini?")
    assert expected_reach_this_week() in sentence
    # polling started clean: deleteWebhook, then getUpdates; commands registered
    methods = [c.method for c in api.calls]
    assert methods.index("deleteWebhook") < methods.index("getUpdates")


async def test_commands_are_registered_in_both_languages(bot: TelegramPlatform,
                                                         api: BotApiStandin) -> None:
    menu_id = api.commands[("default", "")]
    menu_en = api.commands[("default", "en")]
    names = [c["command"] for c in menu_id]
    for command in bot.app.router.commands.values():
        assert command.id_name in names and command.en_name in names
    assert {c["command"] for c in menu_en} == set(names)
    by_name_id = {c["command"]: c["description"] for c in menu_id}
    by_name_en = {c["command"]: c["description"] for c in menu_en}
    assert by_name_id["ringkasan"] == bot.app.router.commands["summary"].help_id
    assert by_name_en["summary"] == bot.app.router.commands["summary"].help_en
    assert names[:2] == ["kpi", "ringkasan"]
    assert [c["command"] for c in menu_en][:2] == ["kpi", "summary"]


async def test_an_unlinked_chat_learns_nothing(bot: TelegramPlatform, api: BotApiStandin) -> None:
    for question in ("/kpi reach minggu ini", "berapa reach instagram bulan lalu?",
                     "/ringkasan", "/bandingkan reach"):
        text = await ask(api, STRANGER, question)
        assert "belum terhubung" in text
        assert "Kopi" not in text and "demo" not in text
        assert expected_reach_this_week() not in text
    help_text = await ask(api, STRANGER, "/bantuan")
    assert "/kpi" in help_text and "Kopi" not in help_text


async def test_group_messages_not_addressed_to_the_bot_are_ignored(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    for text in ("halo semua, rapat jam 3", "berapa reach minggu ini?",
                 "/kpi@another_bot reach minggu ini"):
        api.inject(api.message(GROUP, text))
    # addressed: a command, a command for this bot, a mention, a reply to the bot
    api.inject(api.message(GROUP, "/kpi reach minggu ini"))
    api.inject(api.message(GROUP, "/kpi@kpi_test_bot reach minggu ini"))
    api.inject(api.message(GROUP, "@kpi_test_bot berapa reach minggu ini?"))
    api.inject(api.message(GROUP, "berapa reach minggu ini?", reply_to_bot=True))
    sent = await api.wait_for("sendMessage", 4, chat_id=GROUP)
    await asyncio.sleep(0.3)
    assert len(api.sent("sendMessage", GROUP)) == 4
    for call in sent:
        assert expected_reach_this_week() in call.params["text"]
        assert "reply_parameters" in call.params  # answers in a group quote the question


async def test_a_429_is_waited_out_and_delivered_once(bot: TelegramPlatform,
                                                      api: BotApiStandin) -> None:
    api.fail_next("sendMessage", 429, retry_after=1)
    text = await ask(api, LINKED, "/kpi reach minggu ini")
    assert expected_reach_this_week() in text
    await asyncio.sleep(0.3)
    attempts = [c for c in api.calls if c.method == "sendMessage"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0


async def test_import_good_and_bad_csv(bot: TelegramPlatform, api: BotApiStandin) -> None:
    store = bot.app.store
    ws = store.workspace("demo")
    assert ws is not None
    before = store.count_snapshots(ws.id)
    good = (b"date,channel,metric,value\n"
            b"2026-11-20,instagram,reach,12345\n"  # replaces the demo's value
            b"2026-11-22,linkedin,followers,900\n"  # today (a later day is refused)
            b"2026-11-22,linkedin,reach,450\n")
    doc = api.add_file(good, "kpi.csv")
    text = await ask(api, EDITOR, "/impor", document=doc)
    assert "3 baris ditulis (2 baru, 1 menggantikan nilai lama)" in text
    assert store.count_snapshots(ws.id) == before + 2
    channels = {c.name: c.id for c in store.channels(ws.id)}
    assert store.snapshot_value(ws.id, channels["instagram"], "reach", date(2026, 11, 20)) == 12345

    bad = (b"date,channel,metric,value\n"
           b"2026-11-21,instagram,reach,100\n"
           b"2026-11-21,instagram,reach,banyak\n")
    text = await ask(api, EDITOR, "/impor", document=api.add_file(bad, "bad.csv"))
    assert "Baris 3" in text and "bad.csv" in text and "banyak" in text
    text = await ask(api, EDITOR, "/import", document=api.add_file(bad, "bad.csv"))
    assert "Line 3" in text  # the user's language: an English command, an English reply
    assert store.count_snapshots(ws.id) == before + 2  # nothing of the bad file
    assert store.snapshot_value(ws.id, channels["instagram"], "reach",
                                date(2026, 11, 21)) != 100

    # an Excel workbook, sent on its own in a private chat: the same importer
    text = await ask(api, EDITOR, "", document=api.add_file(_xlsx(), "kpi.xlsx"))
    assert "2 baris ditulis (2 baru, 0 menggantikan nilai lama)" in text
    assert store.count_snapshots(ws.id) == before + 4

    # a viewer may not import, and the bot does not even fetch the file
    fetched = len([c for c in api.calls if c.method in ("getFile", "download")])
    text = await ask(api, LINKED, "/impor", document=api.add_file(good, "kpi.csv"))
    assert "editor" in text
    assert store.count_snapshots(ws.id) == before + 4
    assert len([c for c in api.calls if c.method in ("getFile", "download")]) == fetched


def _xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (("date", "channel", "reach", "likes"), ("2026-11-21", "linkedin", 300, 12)):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_import_refuses_a_large_file_before_download(bot: TelegramPlatform,
                                                           api: BotApiStandin) -> None:
    big = api.add_file(b"date,channel,metric,value\n" + b"x" * (11 * 1024 * 1024), "big.csv")
    text = await ask(api, EDITOR, "/impor", document=big)
    assert "terlalu besar" in text and "10 MB" in text
    assert not [c for c in api.calls if c.method in ("getFile", "download")]
    # without a file: how to send one
    text = await ask(api, EDITOR, "/impor")
    assert "CSV" in text and ".xlsx" in text


async def test_chart_is_sent_as_a_photo(bot: TelegramPlatform, api: BotApiStandin) -> None:
    api.inject(api.message(LINKED, "/grafik reach minggu ini"))
    photos = await api.wait_for("sendPhoto", 1, chat_id=LINKED, timeout=20)
    png = photos[0].files["photo"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    caption = str(photos[0].params["caption"])
    assert expected_reach_this_week() in caption and len(parse_html(caption)[0]) <= 1024


async def test_long_replies_are_split_into_valid_html(bot: TelegramPlatform,
                                                      api: BotApiStandin) -> None:
    body = [f"baris {i:03d} <b>&amp; a < b > c & d \"kutip\"" for i in range(300)]
    reply = Reply(title="Judul <panjang> & tebal", body=body, footer="akhir")
    api.add_chat(LINKED)
    await bot.send(str(LINKED), reply)
    parts = [str(c.params["text"]) for c in api.sent("sendMessage", LINKED)]
    assert len(parts) >= 3
    plain = [parse_html(p)[0] for p in parts]  # the stand-in accepted each: valid HTML
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(plain) == reply.text  # nothing lost, cut on line boundaries only
    assert parts[0].startswith("<b>Judul &lt;panjang&gt; &amp; tebal</b>\n")
    assert all("<b>" not in p for p in parts[1:])

    # a chart whose text does not fit a caption: the caption is cut, the rest follows
    await bot.send(str(LINKED), Reply(title="Grafik", body=body[:60], chart=_tiny_png()))
    photo = api.sent("sendPhoto", LINKED)[-1]
    caption = parse_html(str(photo.params["caption"]))[0]
    assert len(caption) <= 1024
    rest = [parse_html(str(c.params["text"]))[0] for c in api.sent("sendMessage", LINKED)]
    assert "\n".join([caption, *rest[len(parts):]]) == "\n".join(["Grafik", *body[:60]])


def test_split_html_cuts_a_single_overlong_line() -> None:
    reply = Reply(body=["&" * 5000])
    parts = split_html(reply)
    assert len(parts) == 7 and all(len(p) <= 4096 for p in parts)  # 5 characters per "&"
    assert "".join(parse_html(p)[0] for p in parts) == "&" * 5000


async def test_errors_are_logged_without_the_token_and_answered(
        bot: TelegramPlatform, api: BotApiStandin, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    api.fail_next("sendMessage", 400, description="Bad Request: simulated failure")
    text = await ask(api, LINKED, "/kpi reach minggu ini")
    assert "Maaf, terjadi kesalahan" in text
    assert "Traceback" not in text and "BadRequest" not in text
    assert "Simulated failure" in caplog.text  # the error was logged (PTB capitalises)...
    assert "getUpdates" in caplog.text  # ...and so were the request URLs (httpx, DEBUG)
    assert TOKEN not in caplog.text and TOKEN.partition(":")[2] not in caplog.text
    for record in caplog.records:
        assert TOKEN.partition(":")[2] not in record.getMessage()


async def test_slow_answers_show_typing(bot: TelegramPlatform, api: BotApiStandin) -> None:
    def slow(ctx: Any) -> Reply:
        time.sleep(0.7)
        return Reply(body=["selesai"])

    bot.app.router.register(Command(ROI, Role.VIEWER, slow, "roi", "roi"))
    text = await ask(api, LINKED, "/roi")
    assert text == "selesai"
    actions = api.sent("sendChatAction", LINKED)
    assert actions and actions[0].params["action"] == "typing"


async def test_join_code_links_another_chat(bot: TelegramPlatform, api: BotApiStandin) -> None:
    newcomer, late = 2001, 2002
    text = await ask(api, ADMIN, "/undang")
    code = next(w for w in parse_html(text)[0].split() if w.isalnum() and len(w) == 8
                and w.isupper())
    assert "24 jam" in text
    assert "belum terhubung" in await ask(api, newcomer, "/kpi reach minggu ini")
    text = await ask(api, newcomer, f"/start {code}")
    assert "sekarang terhubung" in text and "Kopi Nusantara" in text
    assert expected_reach_this_week() in await ask(api, newcomer, "/kpi reach minggu ini")
    # the code works once
    assert "sudah dipakai" in await ask(api, late, f"/gabung {code}")
    assert "belum terhubung" in await ask(api, late, "/kpi reach minggu ini")
    # only admins create codes
    assert "admin" in await ask(api, LINKED, "/undang")


async def test_the_standin_answers_like_the_bot_api(api: BotApiStandin) -> None:
    from telegram import Bot, BotCommand
    from telegram.error import BadRequest, Conflict, InvalidToken

    api.add_chat(LINKED)
    async with Bot(TOKEN, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot") as bot:
        assert bot.username == "kpi_test_bot"
        msg = await bot.send_document(LINKED, b"a,b\n1,2\n", filename="x.csv",
                                      caption="<b>data</b>", parse_mode="HTML")
        assert msg.document is not None and msg.document.file_name == "x.csv"
        assert msg.caption == "data"
        file = await bot.get_file(msg.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
        for bad_html in ("<b>open", "a < b", "<script>x</script>", "Tom & Jerry"):
            with pytest.raises(BadRequest, match="parse entities"):
                await bot.send_message(LINKED, bad_html, parse_mode="HTML")
        with pytest.raises(BadRequest, match="too long"):
            await bot.send_message(LINKED, "x" * 4097)
        with pytest.raises(BadRequest, match="not found"):
            await bot.send_message(31337, "hi")
        with pytest.raises(BadRequest):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        assert await bot.send_chat_action(LINKED, "typing")
        assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc_DEF-1")
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(InvalidToken):
        async with Bot("999:not-the-token", base_url=f"{api.url}/bot"):
            pass
    methods = {c.method for c in api.calls}
    assert {"getMe", "sendDocument", "getFile", "download", "sendMessage", "setMyCommands",
            "sendChatAction", "setWebhook", "getUpdates", "deleteWebhook"} <= methods


async def test_the_aiohttp_transport_maps_failures_like_ptb(api: BotApiStandin) -> None:
    from telegram.error import NetworkError, TimedOut
    from telegram.request import RequestData
    from telegram.request._requestparameter import RequestParameter

    from adapters.chat.telegram_http import AiohttpRequest

    request = AiohttpRequest(read_timeout=0.2)
    await request.initialize()
    try:
        status, body = await request.do_request(f"{api.url}/bot{TOKEN}/getMe", "POST")
        assert status == 200 and b'"kpi_test_bot"' in body
        slow = RequestData([RequestParameter.from_input("timeout", 5)])
        with pytest.raises(TimedOut):
            await request.do_request(f"{api.url}/bot{TOKEN}/getUpdates", "POST", slow)
        with pytest.raises(NetworkError):
            await request.do_request(f"http://127.0.0.1:{_free_port()}/bot{TOKEN}/getMe",
                                     "POST")
    finally:
        await request.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_checks_the_secret(db_engine: Engine, api: BotApiStandin) -> None:
    port = _free_port()
    hook = f"http://127.0.0.1:{port}/telegram/webhook"
    app = make_app(db_engine, api.url, http_port=port, telegram_webhook_url=hook,
                   telegram_webhook_secret="s3cret-Value_42")
    stop = asyncio.Event()
    started = asyncio.Event()

    async def on_started(_port: int) -> None:
        started.set()

    server = asyncio.create_task(serve(app, stop=stop, on_started=on_started))
    try:
        await asyncio.wait_for(started.wait(), 10)
        assert api.webhook == {"url": hook, "secret_token": "s3cret-Value_42"}
        assert not [c for c in api.calls if c.method == "getUpdates"]
        update = {"update_id": 90, "message": api.message(LINKED, "/kpi reach minggu ini")[
            "message"]}
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with session.post(hook, json=update, headers=headers) as resp:
                    assert resp.status == 403
            await asyncio.sleep(0.3)
            assert not api.sent("sendMessage")  # nothing was processed
            async with session.post(hook, json=update, headers={
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_42"}) as resp:
                assert resp.status == 200
        sent = await api.wait_for("sendMessage", 1, chat_id=LINKED)
        assert expected_reach_this_week() in sent[0].params["text"]
        # the stand-in delivers injected updates to the webhook, with the secret
        api.inject(api.message(LINKED, "berapa reach minggu ini?"))
        sent = await api.wait_for("sendMessage", 2, chat_id=LINKED)
        assert expected_reach_this_week() in sent[1].params["text"]
        assert [c.status for c in api.calls if c.method == "webhook"] == [200]
    finally:
        stop.set()
        await asyncio.wait_for(server, 10)


async def test_serve_polls_when_no_webhook_is_set(db_engine: Engine,
                                                  api: BotApiStandin) -> None:
    app = make_app(db_engine, api.url, http_port=0)
    stop = asyncio.Event()
    started = asyncio.Event()

    async def on_started(_port: int) -> None:
        started.set()

    server = asyncio.create_task(serve(app, stop=stop, on_started=on_started))
    try:
        await asyncio.wait_for(started.wait(), 10)
        assert expected_reach_this_week() in await ask(api, LINKED, "/kpi reach minggu ini")
    finally:
        stop.set()
        await asyncio.wait_for(server, 20)


def _tiny_png() -> bytes:
    import base64

    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


async def test_ya_accepts_the_last_suggestion(bot: TelegramPlatform, api: BotApiStandin) -> None:
    """Issue 12: "maksud Anda …?", then "ya" answers the corrected question in that chat."""
    asked = await ask(api, LINKED, "reach ig bln kmarin")
    assert "bln kmarin" in asked and "bulan lalu?" in asked
    answer = await ask(api, LINKED, "ya")
    october = sum(r.value for r in demo_rows(TODAY) if r.metric == "reach"
                  and r.platform == "instagram" and not r.handle
                  and date(2026, 10, 1) <= r.day <= date(2026, 10, 31))
    assert format_decimal(october, format="#,##0", locale="id_ID") in answer
    assert "1–31 Okt 2026" in answer
    other = await ask(api, EDITOR, "ya")  # another chat has no suggestion waiting
    assert "Tidak ada saran" in other


async def test_replies_are_counted_in_the_outbox_window_and_outbox_sends_are_not(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    """Telegram's ~30 messages/s is for all of the bot's messages: a reply to a chat is
    recorded in the platform's ``send_window``, which the outbox's Pacer reads; a send of
    the outbox itself (``outbox_sending``) is not recorded again (the Pacer counted it)."""
    from bot.runtime.delivery import outbox_sending

    window = bot.send_window
    window.clock = lambda: 1000.0  # frozen: nothing leaves the window on a slow machine
    assert len(window.counted()) == 0
    await ask(api, LINKED, "/kpi reach minggu ini")
    assert len(window.counted()) == 1  # the answer (sendChatAction is not a message)

    async def from_the_outbox() -> None:
        outbox_sending.set(True)
        await bot.send(str(LINKED), Reply(title="Ringkasan", body=["isi"], intent="digest"))

    await asyncio.create_task(from_the_outbox())
    assert len(api.sent("sendMessage", LINKED)) == 2
    assert len(window.counted()) == 1
    await bot.send(str(LINKED), Reply(title="Balasan", body=["isi"], intent="kpi"))
    assert len(window.counted()) == 2
