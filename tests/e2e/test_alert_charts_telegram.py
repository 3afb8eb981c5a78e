"""A drop alert's chart end to end on Telegram (issue 15): a real tick on the demo's dip
week, the outbox dispatcher draws each chart at delivery and the real PTB client posts it to
the Bot API stand-in: one photo with the alert as its caption and the buttons under it; a
text over the 1024-character caption limit goes as the photo, then the text with the buttons.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from adapters.chat.telegram import TelegramPlatform
from bot.alert_charts import AlertCharts
from bot.alert_views import render
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.domain.alert_chart import AlertChart
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.services.demo import engagement_dip_week
from kpi_engine.storage import outbox
from kpi_engine.storage import schema_alerts as a
from tests.e2e.test_telegram import ADMIN, EDITOR, GROUP, LINKED, TODAY, TOKEN, make_app
from tests.telegram_standin import BotApiStandin

DIP_START, DIP_END = engagement_dip_week(TODAY)
TICK = datetime.combine(DIP_END + timedelta(days=1), time(9), tzinfo=ZoneInfo("Asia/Jakarta"))
LABELS = ["Lihat grafik", "Senyapkan 1 hari", "👍 berguna", "👎 tidak berguna"]


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as standin:
        yield standin


@pytest.fixture
async def bot(db_engine: Engine, api: BotApiStandin) -> AsyncIterator[TelegramPlatform]:
    for chat in (LINKED, EDITOR, ADMIN, GROUP):
        api.add_chat(chat)
    platform = TelegramPlatform(make_app(db_engine, api.url), poll_timeout=1)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


async def drain(bot: TelegramPlatform, at: datetime = TICK) -> int:
    app = bot.app
    stats = await Dispatcher(app.engine, {"telegram": bot}, clock=lambda: at,
                             limits={"telegram": Limits(per_second=None, chat_interval=0)},
                             charts=AlertCharts(app.store).draw).drain(timeout=60)
    assert stats.charts_failed == 0
    return stats.sent


def labels(markup: object) -> list[str]:
    assert isinstance(markup, dict)
    return [b["text"] for row in markup["inline_keyboard"] for b in row]


async def test_a_drop_alert_is_one_photo_with_its_text_and_buttons(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    assert run_tick(bot.app.store, TICK, render)
    assert await drain(bot) == 16  # four drops to each of the four linked chats
    photos = api.sent("sendPhoto", LINKED)
    assert len(photos) == 4 and not api.sent("sendMessage", LINKED)
    channels = set()
    for photo in photos:
        assert photo.files["photo"].startswith(b"\x89PNG")
        caption = str(photo.result["caption"])
        assert caption.startswith("⚠️ Engagement rate turun")
        assert "median 4 minggu" in caption  # the alert's whole text is the caption
        assert labels(photo.params["reply_markup"]) == LABELS
        channels.add(caption.splitlines()[0].rsplit("· ", 1)[-1])
    assert channels == {"instagram", "tiktok", "youtube", "semua kanal sendiri"}
    # a retry finds nothing more to send: every chart went once
    assert await drain(bot, TICK + timedelta(minutes=5)) == 0
    assert len(api.sent("sendPhoto", LINKED)) == 4


async def test_a_long_alert_is_the_photo_then_the_text_with_the_buttons(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    app = bot.app
    ws = app.store.workspaces()[0]
    spec = AlertChart("reach", "instagram", "week", DIP_START, DIP_END, 4, 70_000.0)
    body = "\n".join(f"Baris penjelasan {i}: " + "kata " * 12 for i in range(25))
    assert len(body) > 1024
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message(
            "a:long", ws.id, "alert", "telegram", str(LINKED), "id", "⚠️ Reach turun 30%",
            body, TICK, actions=outbox.event_ref("drop", "instagram", 1),
            chart_spec=spec.to_json())], TICK)
    assert await drain(bot) == 1
    [photo] = api.sent("sendPhoto", LINKED)
    texts = api.sent("sendMessage", LINKED)
    assert photo.result["caption"] == "⚠️ Reach turun 30%" and "reply_markup" not in photo.params
    assert texts and photo.at < texts[0].at
    assert str(texts[0].params["text"]).startswith("<b>⚠️ Reach turun 30%</b>")
    assert labels(texts[-1].params["reply_markup"]) == LABELS
    o = a.outbox.c
    with app.engine.connect() as conn:
        row = conn.execute(select(o.status, o.chart_sent).where(o.key == "a:long")).one()
    assert (row.status, row.chart_sent) == (outbox.SENT, True)


async def test_a_chart_that_fails_to_draw_still_delivers_the_alert(
        bot: TelegramPlatform, api: BotApiStandin) -> None:
    app = bot.app
    ws = app.store.workspaces()[0]
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message(
            "a:bad", ws.id, "alert", "telegram", str(LINKED), "id", "⚠️ Reach turun 30%",
            "Minggu lalu: 1.000", TICK, actions=outbox.event_ref("drop", "instagram", 1),
            chart_spec='{"m":"reach","ch":"instagram"}')], TICK)
    stats = await Dispatcher(app.engine, {"telegram": bot}, clock=lambda: TICK,
                             limits={"telegram": Limits(per_second=None, chat_interval=0)},
                             charts=AlertCharts(app.store).draw).drain(timeout=60)
    assert stats.sent == 1 and stats.charts_failed == 1
    assert not api.sent("sendPhoto", LINKED)
    [text] = api.sent("sendMessage", LINKED)
    assert "Minggu lalu: 1.000" in str(text.params["text"])
    assert labels(text.params["reply_markup"]) == LABELS
