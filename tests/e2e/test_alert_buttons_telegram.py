"""Alert buttons end to end on Telegram: an alert from a real tick, delivered by the outbox
dispatcher through the real PTB client to the Bot API stand-in with an inline keyboard; presses
answered (answerCallbackQuery), checked, recorded, acted on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from adapters.chat.telegram import TelegramPlatform
from bot.alert_views import render
from bot.bootstrap import App
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.storage import alert_feedback, alert_store, outbox
from kpi_engine.storage import schema_alerts as a
from tests.e2e.test_telegram import EDITOR, GROUP, LINKED, NOW, STRANGER, TOKEN, make_app
from tests.telegram_standin import BotApiStandin


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as standin:
        yield standin


@pytest.fixture
async def bot(db_engine: Engine, api: BotApiStandin) -> AsyncIterator[TelegramPlatform]:
    for chat in (LINKED, EDITOR, GROUP):
        api.add_chat(chat)  # chats the bot knows (their users started it)
    platform = TelegramPlatform(make_app(db_engine, api.url), poll_timeout=1)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


async def deliver(app: App, platform: TelegramPlatform, chat: int) -> int:
    """A rule that fires on the demo data, in ``chat``; one tick; the outbox drained."""
    ws = app.store.workspaces()[0]
    alert_store.add_rule(app.store, ws.id, kind="threshold", metric="reach", value=1, op=">",
                         now=NOW - timedelta(days=1), platform="telegram", chat_id=str(chat))
    assert run_tick(app.store, NOW, render)
    stats = await Dispatcher(app.engine, {"telegram": platform}, clock=lambda: NOW,
                             limits={"telegram": Limits(per_second=None, chat_interval=0)}
                             ).drain(timeout=30)
    assert stats.sent >= 1
    return ws.id


def alert_message(api: BotApiStandin, chat: int) -> dict[str, Any]:
    sent = [c for c in api.sent("sendMessage", chat) if c.params.get("reply_markup")]
    assert sent, "no message with buttons"
    return dict(sent[-1].result)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
            for b in row}


async def press(api: BotApiStandin, message: dict[str, Any], data: str, **kw: Any) -> str:
    chat = kw.get("chat_id") or message["chat"]["id"]
    before = len(api.sent("sendMessage", chat))
    update = api.press(message, data, **kw)
    query_id = update["callback_query"]["id"]
    api.inject(update)
    sent = await api.wait_for("sendMessage", before + 1, chat_id=chat, timeout=20)
    assert api.callback_queries[query_id] is True  # answered
    answered = [c for c in api.sent("answerCallbackQuery")
                if c.params["callback_query_id"] == query_id]
    assert len(answered) == 1 and answered[0].at <= sent[before].at  # answered first
    return str(sent[before].params["text"])


def votes(engine: Engine) -> list[tuple[str, int]]:
    f = a.alert_feedback.c
    with engine.connect() as conn:
        return [(r.user_id, r.vote) for r in conn.execute(
            select(f.user_id, f.vote).order_by(f.user_id))]


async def test_an_alert_has_buttons_and_votes_are_recorded_once(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    await deliver(bot.app, bot, LINKED)
    message = alert_message(api, LINKED)
    keys = buttons(message)
    assert list(keys) == ["Lihat grafik", "Senyapkan 1 hari", "👍 berguna", "👎 tidak berguna"]
    assert all(len(d.encode()) <= 64 for d in keys.values())
    assert "berguna" in await press(api, message, keys["👍 berguna"])
    assert votes(bot.app.engine) == [(str(LINKED), 1)]
    assert "sudah tercatat" in await press(api, message, keys["👍 berguna"])  # twice: once
    assert votes(bot.app.engine) == [(str(LINKED), 1)]
    assert "tidak berguna" in await press(api, message, keys["👎 tidak berguna"])  # replaced
    assert votes(bot.app.engine) == [(str(LINKED), -1)]
    # /alert shows the rule's counts: fired once, rated not useful once
    before = len(api.sent("sendMessage", LINKED))
    api.inject(api.message(LINKED, "/alert"))
    listing = str((await api.wait_for("sendMessage", before + 1, chat_id=LINKED))[before]
                  .params["text"])
    line = next(x for x in listing.split("\n") if x.strip().startswith("#"))
    assert "dipicu 1, 👍 0, 👎 1" in line


async def test_chart_button_sends_the_rules_chart(bot: TelegramPlatform,
                                                  api: BotApiStandin) -> None:
    await deliver(bot.app, bot, LINKED)
    message = alert_message(api, LINKED)
    api.inject(api.press(message, buttons(message)["Lihat grafik"]))
    photos = await api.wait_for("sendPhoto", 1, chat_id=LINKED, timeout=30)
    assert photos[0].files["photo"].startswith(b"\x89PNG")
    assert "jangkauan" in str(photos[0].params["caption"]).lower()  # the rule's metric


async def test_snooze_needs_an_editor(bot: TelegramPlatform, api: BotApiStandin) -> None:
    app = bot.app
    await deliver(app, bot, LINKED)
    viewer_alert = alert_message(api, LINKED)
    text = await press(api, viewer_alert, buttons(viewer_alert)["Senyapkan 1 hari"])
    assert "editor" in text.lower()  # refused politely, like /senyap from a viewer
    assert alert_store.snoozed_until(app.store, "telegram", str(LINKED), NOW) is None
    # the editor's chat: the same button snoozes it for a day
    ws = app.store.workspaces()[0]
    alert_store.add_rule(app.store, ws.id, kind="threshold", metric="reach", value=2, op=">",
                         now=NOW - timedelta(days=1), platform="telegram", chat_id=str(EDITOR))
    run_tick(app.store, NOW + timedelta(minutes=1), render)
    await Dispatcher(app.engine, {"telegram": bot}, clock=lambda: NOW + timedelta(minutes=1),
                     limits={"telegram": Limits(per_second=None, chat_interval=0)}
                     ).drain(timeout=30)
    editor_alert = alert_message(api, EDITOR)
    text = await press(api, editor_alert, buttons(editor_alert)["Senyapkan 1 hari"])
    until = alert_store.snoozed_until(app.store, "telegram", str(EDITOR), NOW)
    assert until is not None and abs(until - (NOW + timedelta(days=1))) < timedelta(minutes=5)


async def test_a_copied_or_forged_press_is_refused(bot: TelegramPlatform,
                                                   api: BotApiStandin) -> None:
    await deliver(bot.app, bot, LINKED)
    message = alert_message(api, LINKED)
    keys = buttons(message)
    # the same press from another chat (linked, and not linked): refused, nothing recorded
    for chat in (GROUP, STRANGER):
        text = await press(api, message, keys["👍 berguna"], chat_id=chat)
        assert "tidak berlaku" in text
    # made-up data: a row that does not exist, an action that is not one
    assert "tidak berlaku" in await press(api, message, "kb:999999:u")
    assert "tidak berlaku" in await press(api, message, keys["👍 berguna"][:-1] + "x")
    assert votes(bot.app.engine) == []


async def test_enough_not_useful_votes_propose_a_looser_rule(bot: TelegramPlatform,
                                                             api: BotApiStandin) -> None:
    app = bot.app
    ws_id = await deliver(app, bot, LINKED)
    rule = next(r for r in alert_store.list_rules(app.store, ws_id)[0] if r.id is not None)
    # three earlier events of the rule, each rated not useful (the stored votes of past days)
    for seq in (101, 102):
        alert_feedback.vote(app.store, ws_id, rule.key, "*", seq, "telegram", "9", -1,
                            NOW - timedelta(days=seq - 100))
    assert not alert_feedback.rule_feedback(app.store, ws_id, NOW)[rule.key].wants_looser()
    message = alert_message(api, LINKED)
    await press(api, message, buttons(message)["👎 tidak berguna"])
    o = a.outbox.c
    with app.engine.connect() as conn:
        proposals = conn.execute(select(o.title, o.body, o.chat_id).where(
            o.key.like(f"p:{ws_id}:{rule.key}:%"))).all()
    assert len(proposals) == 1 and proposals[0].chat_id == str(LINKED)
    assert "3 dari 3" in proposals[0].body and "di atas 1,2" in proposals[0].body
    assert "/alert reach > 1.2" in proposals[0].body  # a command that parses as it reads
    # it goes out through the outbox like any message; the rule itself is unchanged
    await Dispatcher(app.engine, {"telegram": bot}, clock=lambda: NOW,
                     limits={"telegram": Limits(per_second=None, chat_interval=0)}
                     ).drain(timeout=30)
    assert any("longgarkan" in t for t in api.texts(LINKED))
    assert next(r for r in alert_store.list_rules(app.store, ws_id)[0]
                if r.id == rule.id).value == 1
    with app.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(a.outbox).where(
            o.key.like("p:%"))).scalar_one() == 1
    assert outbox.parse_ref("") is None


def keyboard_labels(markup: dict[str, Any] | None) -> list[str]:
    return [b["text"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def test_the_buttons_show_what_a_press_did(bot: TelegramPlatform,
                                                 api: BotApiStandin) -> None:
    """issue 15: after 👍 / 👎 the keyboard says "👍 dicatat" (editMessageReplyMarkup);
    after "Senyapkan 1 hari" by an editor, until when and by whom."""
    app = bot.app
    await deliver(app, bot, LINKED)
    message = alert_message(api, LINKED)
    keys = buttons(message)
    assert "berguna" in await press(api, message, keys["👍 berguna"])
    [edit] = await api.wait_for("editMessageReplyMarkup", 1, chat_id=LINKED, timeout=20)
    assert int(edit.params["message_id"]) == message["message_id"]
    assert keyboard_labels(edit.params["reply_markup"]) == [
        "Lihat grafik", "Senyapkan 1 hari", "👍 dicatat"]
    now = api.messages[(LINKED, message["message_id"])]
    assert keyboard_labels(now["reply_markup"]) == ["Lihat grafik", "Senyapkan 1 hari",
                                                    "👍 dicatat"]
    # the vote changed from the edited keyboard: its one vote button now says 👎
    changed = buttons(now)
    assert "tidak berguna" in await press(api, now, changed["👍 dicatat"][:-1] + "d")
    edits = await api.wait_for("editMessageReplyMarkup", 2, chat_id=LINKED, timeout=20)
    assert keyboard_labels(edits[1].params["reply_markup"])[-1] == "👎 dicatat"
    assert votes(app.engine) == [(str(LINKED), -1)]
    # "Lihat grafik" changes nothing on the message
    before = len(api.sent("sendPhoto", LINKED))
    api.inject(api.press(now, changed["Lihat grafik"]))
    await api.wait_for("sendPhoto", before + 1, chat_id=LINKED, timeout=30)
    assert len(api.sent("editMessageReplyMarkup", LINKED)) == 2
    # a viewer's refused snooze changes nothing either
    assert "editor" in (await press(api, now, changed["Senyapkan 1 hari"])).lower()
    assert len(api.sent("editMessageReplyMarkup", LINKED)) == 2

    # the editor's chat: the snooze button says until when, and who
    ws = app.store.workspaces()[0]
    alert_store.add_rule(app.store, ws.id, kind="threshold", metric="reach", value=2, op=">",
                         now=NOW - timedelta(days=1), platform="telegram", chat_id=str(EDITOR))
    run_tick(app.store, NOW + timedelta(minutes=1), render)
    await Dispatcher(app.engine, {"telegram": bot}, clock=lambda: NOW + timedelta(minutes=1),
                     limits={"telegram": Limits(per_second=None, chat_interval=0)}
                     ).drain(timeout=30)
    editor_alert = alert_message(api, EDITOR)
    await press(api, editor_alert, buttons(editor_alert)["Senyapkan 1 hari"], username="ana")
    [edit] = await api.wait_for("editMessageReplyMarkup", 1, chat_id=EDITOR, timeout=20)
    assert keyboard_labels(edit.params["reply_markup"]) == [
        "Lihat grafik", "🔕 disenyapkan s/d 23 Nov 10:00 oleh @ana", "👍 berguna",
        "👎 tidak berguna"]


async def test_a_press_on_an_old_alert_gets_a_short_answer(bot: TelegramPlatform,
                                                           api: BotApiStandin) -> None:
    app = bot.app
    await deliver(app, bot, LINKED)
    message = alert_message(api, LINKED)
    ws = app.store.workspaces()[0]
    old = NOW - timedelta(days=20)
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message("a:old", ws.id, "alert", "telegram", str(LINKED),
                                             "id", "Alert lama", "…", old,
                                             actions=outbox.event_ref("r9", "*", 1))], old)
    o = a.outbox.c
    with app.engine.connect() as conn:
        row = conn.execute(select(o.id).where(o.key == "a:old")).scalar_one()
    text = await press(api, message, f"kb:{row}:u")
    assert text == ("Alert ini sudah lama (dikirim 2 Nov); tombolnya tidak berlaku lagi. "
                    "Ketik /alert untuk aturan sekarang.")
    assert votes(app.engine) == [] and not api.sent("editMessageReplyMarkup")
