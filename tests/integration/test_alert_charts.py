"""A drop alert's chart (issue 15): a small spec in the outbox row, drawn at delivery by the
dispatcher off the event loop, posted once even when the text after it fails or the sender
dies, never holding the alert back when it cannot be drawn; "Lihat grafik" and the drawn
chart keep to the alert's channel (values against sums of the seed rows). SQLite and
PostgreSQL (``db_engine``)."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.alert_buttons import press
from bot.alert_charts import AlertCharts
from bot.alert_views import render
from bot.bootstrap import App
from bot.reply import Reply, Request
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.domain.alert_chart import AlertChart
from kpi_engine.domain.model import Role
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.services.demo import demo_rows, engagement_dip_week
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage import outbox
from kpi_engine.storage import schema_alerts as a

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 22)
DIP_START, DIP_END = engagement_dip_week(TODAY)
TICK = datetime.combine(DIP_END + timedelta(days=1), time(9), tzinfo=JAKARTA)
CHAT = "1001"
FAST = {"telegram": Limits(per_second=None, chat_interval=0)}


class Recorder:
    """A platform that records what it was asked to send; ``fail_texts`` text sends fail."""

    name = "telegram"

    def __init__(self, fail_texts: int = 0) -> None:
        self.sent: list[Reply] = []
        self.fail_texts = fail_texts

    async def send(self, chat_id: str, reply: Reply) -> None:
        if reply.chart is None and self.fail_texts > 0:
            self.fail_texts -= 1
            raise ConnectionError("the text did not go")
        self.sent.append(reply)

    def charts(self) -> list[Reply]:
        return [r for r in self.sent if r.chart is not None]

    def texts(self) -> list[Reply]:
        return [r for r in self.sent if r.chart is None]


class CaptionRecorder(Recorder):
    """A platform whose photos take the whole text as their caption."""

    def caption_fits(self, reply: Reply) -> bool:
        return len(reply.text) <= 1024


@pytest.fixture
def demo(app: App) -> App:
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "telegram", CHAT, Role.VIEWER)
    return app


def drop_rows(app: App) -> list[Any]:
    o = a.outbox.c
    with app.engine.connect() as conn:
        return list(conn.execute(select(o.id, o.key, o.chart_spec, o.chart_id, o.status,
                                        o.chart_sent).where(o.chart_spec != "")
                                 .order_by(o.id)))


def dispatcher(app: App, sender: Recorder, at: datetime = TICK, **kw: Any) -> Dispatcher:
    return Dispatcher(app.engine, {"telegram": sender}, clock=lambda: at, limits=FAST,
                      charts=kw.pop("charts", AlertCharts(app.store).draw), **kw)


async def test_a_drop_alert_row_keeps_a_spec_and_no_picture(demo: App) -> None:
    assert run_tick(demo.store, TICK, render)
    rows = drop_rows(demo)
    assert {AlertChart.from_json(r.chart_spec).channel for r in rows} == {
        "instagram", "tiktok", "youtube", None}  # the four drops of the dip week
    for r in rows:
        spec = AlertChart.from_json(r.chart_spec)
        assert r.chart_id is None and len(r.chart_spec) < 200
        assert (spec.metric, spec.period, spec.start, spec.end, spec.periods) == (
            "engagement_rate", "week", DIP_START, DIP_END, 4)
        assert spec.baseline is not None and spec.baseline > 0
        assert spec.window() == (DIP_START - timedelta(days=28), DIP_END)


async def test_the_chart_carries_the_text_when_it_fits(demo: App) -> None:
    run_tick(demo.store, TICK, render)
    sender = CaptionRecorder()
    stats = await dispatcher(demo, sender).drain(30)
    assert stats.sent == 4 and stats.charts_failed == 0
    assert len(sender.sent) == 4 and not sender.texts()  # one message each: photo + caption
    for reply in sender.sent:
        assert reply.chart is not None and reply.chart.startswith(b"\x89PNG")
        assert "Engagement rate turun" in reply.text and len(reply.buttons) == 4


async def test_a_failed_text_after_the_chart_does_not_post_the_chart_again(demo: App
                                                                          ) -> None:
    run_tick(demo.store, TICK, render)
    sender = Recorder(fail_texts=1)  # no caption: the picture, then the text (which fails)
    first = await dispatcher(demo, sender).drain(30)
    # the chat's first alert: its picture went, its text failed; the later ones wait
    assert first.sent == 0 and first.failed == 1 and len(sender.charts()) == 1
    rows = drop_rows(demo)
    assert rows[0].chart_sent and rows[0].status == outbox.PENDING
    assert not any(r.chart_sent for r in rows[1:])
    later = TICK + timedelta(minutes=1)  # past the backoff
    second = await dispatcher(demo, sender, later).drain(30)
    assert second.sent == 4
    assert len(sender.charts()) == 4  # the first one's not posted twice
    assert [r.title for r in sender.charts()] == [r.title for r in sender.texts()]
    assert len(sender.texts()) == 4 and all(len(r.buttons) == 4 for r in sender.texts())
    # the chart message comes first, titled; the text (with the buttons) after it
    assert all(r.title.startswith("⚠️ Engagement rate turun") and not r.body
               for r in sender.charts())
    assert all(r.status == outbox.SENT for r in drop_rows(demo))


async def test_a_sender_killed_after_the_chart_sends_only_the_text(demo: App) -> None:
    run_tick(demo.store, TICK, render)
    # a dispatcher claimed the rows, posted the pictures and died before the texts
    claimed = outbox.claim(demo.engine, "dead", TICK, limit=10)
    assert len(claimed) == 1  # one chat: one row at a time
    assert outbox.mark_chart_sent(demo.engine, claimed[0].id, "dead")
    sender = Recorder()
    stats = await dispatcher(demo, sender, sole=True).drain(30)
    assert stats.sent == 4
    texts_of_dead = [r for r in sender.sent if r.title == claimed[0].title]
    assert len(texts_of_dead) == 1 and texts_of_dead[0].chart is None  # text only
    assert len(sender.charts()) == 3 and len(sender.texts()) == 4


async def test_a_chart_that_cannot_be_drawn_never_holds_the_alert_back(
        demo: App, caplog: pytest.LogCaptureFixture) -> None:
    run_tick(demo.store, TICK, render)
    o = a.outbox.c
    with demo.engine.begin() as conn:  # one spec the renderer cannot read
        first = drop_rows(demo)[0]
        conn.execute(a.outbox.update().where(o.id == first.id).values(
            chart_spec='{"m":"gone","p":"week"}'))

    def broken(workspace_id: int, spec: str, lang: str) -> bytes:
        if "gone" in spec:
            return AlertCharts(demo.store).draw(workspace_id, spec, lang)  # ValueError
        raise RuntimeError("matplotlib fell over")

    sender = CaptionRecorder()
    with caplog.at_level(logging.WARNING, logger="bot.runtime.dispatcher"):
        stats = await dispatcher(demo, sender, charts=broken).drain(30)
    assert stats.sent == 4 and stats.charts_failed == 4 and stats.failed == 0
    assert len(sender.texts()) == 4 and not sender.charts()
    assert all("Engagement rate turun" in r.text and len(r.buttons) == 4 for r in sender.sent)
    warned = [r.getMessage() for r in caplog.records if "could not be drawn" in r.getMessage()]
    assert len(warned) == 4 and any("unknown metric" in w for w in warned)
    assert any("matplotlib fell over" in w for w in warned)
    assert not any("Traceback" in r.text for r in sender.sent)


async def test_charts_are_drawn_off_the_event_loop(demo: App) -> None:
    run_tick(demo.store, TICK, render)
    loop_thread = threading.get_ident()
    threads: list[int] = []
    draw = AlertCharts(demo.store).draw

    def slow(workspace_id: int, spec: str, lang: str) -> bytes:
        threads.append(threading.get_ident())
        png = draw(workspace_id, spec, lang)
        threading.Event().wait(0.3)  # a slow render: the loop must keep running meanwhile
        return png

    beats = 0

    async def heartbeat() -> None:
        nonlocal beats
        while True:
            await asyncio.sleep(0.02)
            beats += 1

    beating = asyncio.create_task(heartbeat())
    try:
        stats = await dispatcher(demo, CaptionRecorder(), charts=slow).drain(60)
    finally:
        beating.cancel()
    assert stats.sent == 4 and len(threads) == 4
    assert loop_thread not in threads
    assert beats >= 4 * 0.3 / 0.02 * 0.5  # the loop kept beating while charts were drawn


def own_daily(metric: str, platform: str | None, start: date, end: date) -> dict[date, float]:
    """The seed rows' daily sum of a counter for the own channels (one platform, or all)."""
    out: dict[date, float] = {}
    for r in demo_rows(TODAY):
        if r.metric == metric and not r.handle and not r.competitor \
                and (platform is None or r.platform == platform) and start <= r.day <= end:
            out[r.day] = out.get(r.day, 0.0) + r.value
    return out


def test_the_drawn_chart_keeps_to_the_alerts_channel(demo: App) -> None:
    ws = demo.store.workspaces()[0].id
    spec = AlertChart("reach", "instagram", "day", date(2026, 11, 18), date(2026, 11, 18),
                      4, 1234.0)
    drawn = AlertCharts(demo.store).drawn(ws, spec.to_json(), "id")
    start, end = spec.window()
    assert (drawn.current[0][0], drawn.current[-1][0]) == (start, end)  # 29 days
    expected = own_daily("reach", "instagram", start, end)
    everyone = own_daily("reach", None, start, end)
    assert expected and all(expected[d] != everyone[d] for d in expected)  # it could fail
    assert {d: v for d, v in drawn.current if v is not None} == pytest.approx(expected)
    assert drawn.baseline == 1234.0 and drawn.png.startswith(b"\x89PNG")
    # a weekly counter's baseline is drawn per day
    week = AlertChart("reach", None, "week", DIP_START, DIP_END, 4, 7000.0)
    assert AlertCharts(demo.store).drawn(ws, week.to_json(), "en").baseline == 1000.0


def queue_alert(app: App, spec: str, key: str = "a:test", created: datetime = TICK) -> int:
    ws = app.store.workspaces()[0].id
    with app.store.begin() as conn:
        outbox.enqueue(conn, [outbox.Message(key, ws, "alert", "telegram", CHAT, "id",
                                             "⚠️ Reach turun", "…", created,
                                             actions=outbox.event_ref("drop", "instagram", 1),
                                             chart_spec=spec)], created)
        return int(conn.execute(select(a.outbox.c.id).where(a.outbox.c.key == key))
                   .scalar_one())


def test_lihat_grafik_draws_the_alerts_channel_only(demo: App) -> None:
    spec = AlertChart("reach", "instagram", "day", date(2026, 11, 18), date(2026, 11, 18),
                      4, 1234.0).to_json()
    row = queue_alert(demo, spec)
    now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    reply = press(demo.router, Request(text="", platform="telegram", chat_id=CHAT, now=now),
                  f"{row}:c")
    assert reply.error is None and reply.chart is not None
    assert "instagram" in reply.text
    current = {date.fromisoformat(d): v for d, v in reply.data["series"]["current"]
               if v is not None}
    days = sorted(current)
    expected = own_daily("reach", "instagram", days[0], days[-1])
    everyone = own_daily("reach", None, days[0], days[-1])
    assert len(days) >= 28 and current == pytest.approx(expected)
    assert current != pytest.approx(everyone)


def test_a_press_on_an_old_alert_gets_a_short_answer(demo: App) -> None:
    sent = TICK - timedelta(days=20)
    row = queue_alert(demo, "", "a:old", created=sent)
    for action in ("u", "s", "c"):
        reply = press(demo.router, Request(text="", platform="telegram", chat_id=CHAT,
                                           now=TICK), f"{row}:{action}")
        assert reply.error == "button_expired" and reply.chart is None
        assert reply.text == ("Alert ini sudah lama (dikirim 20 Okt); tombolnya tidak "
                              "berlaku lagi. Ketik /alert untuk aturan sekarang.")
    with demo.engine.connect() as conn:
        assert conn.execute(select(a.alert_feedback.c.id)).first() is None
