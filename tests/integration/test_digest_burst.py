"""The 08:00 burst, small (issue 18): 60 daily digests over 20 workspaces, all due at once,
through the real scheduler job, chart cache, outbox dispatcher and Telegram client to the Bot
API stand-in enforcing Telegram's flood limits. Checked on the stand-in's side: every
expected message exactly once, no 429, per chat the text before its chart when a digest is
two messages; the charts several subscriptions share rendered once."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from time import monotonic

from pydantic import SecretStr
from sqlalchemy import Engine, select

from adapters.chat.platform import delivery_policies
from adapters.chat.telegram import TelegramPlatform
from bot.bootstrap import bootstrap
from bot.chart_cache import ChartCache
from bot.runtime.scheduler import Scheduler
from config.settings import Settings
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.digests import subscribe
from kpi_engine.storage import schema_alerts as a
from tests.telegram_standin import BotApiStandin, Limits

TOKEN = "123456789:AAHtest-Token_burstabcdefghijklmnopq"
TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
SOCIAL = ("followers", "reach", "impressions", "likes", "comments")
#: every metric of every digest section: a text too long for a photo caption
EVERYTHING = (*SOCIAL, "website_visits", "shares", "saves", "mentions", "clicks",
              "conversions", "revenue", "spend", "csat_responses", "csat_satisfied",
              "issues_resolved")


def rows(i: int, metrics: tuple[str, ...]) -> list[SnapshotRow]:
    rnd = random.Random(i)
    out = []
    for platform in ("instagram", "tiktok"):
        for d in range(21):
            day = TODAY - timedelta(days=20 - d)
            reach = rnd.randint(2_000, 20_000)
            for m in metrics:
                value = {"followers": 10_000 + d * 10, "reach": reach,
                         "csat_responses": 40, "csat_satisfied": rnd.randint(20, 40)
                         }.get(m, reach // rnd.randint(5, 50))
                out.append(SnapshotRow(day, platform, "", m, float(value)))
    return out


async def test_a_small_burst_reaches_the_stand_in_once_each_in_order(
        db_engine: Engine) -> None:
    start = monotonic()

    def clock() -> datetime:  # 08:00 at the start, then on with the clock (retries fall due)
        return NOW + timedelta(seconds=monotonic() - start)

    async with BotApiStandin(TOKEN, limits=Limits(per_second=30, chat_interval=1.0)) as api:
        app = bootstrap(Settings(telegram_token=SecretStr(TOKEN), telegram_api_url=api.url),
                        engine=db_engine, clock=clock, check_schema=False)
        subs = []
        for i in range(20):
            full = i % 5 == 0  # the whole funnel, and a long name: two messages
            ws = app.store.ensure_workspace(
                f"client-{i:02d}", name=f"PT Klien Agensi Nusantara Sejahtera Abadi Jaya {i:02d}"
                if full else None)
            app.store.write_snapshots(ws.id, rows(i, EVERYTHING if full else SOCIAL))
            for k in range(3):
                chat = 700_000 + i * 3 + k
                api.add_chat(chat)
                lang = "en" if k == 2 and i % 2 == 0 else None
                subs.append(subscribe(app.store, ws.id, "telegram", str(chat), "daily",
                                      time(8, 0), NOW, lang=lang))
        platform = TelegramPlatform(app, poll_timeout=1)
        charts = ChartCache()  # in the calling thread here: the renders are counted
        scheduler = Scheduler(app, {"telegram": platform}, clock=clock, charts=charts,
                              policies=delivery_policies())
        await platform.start()
        try:
            done = await asyncio.gather(*(scheduler.run_digest(s.id) for s in subs))
            assert all(done)
            stats = await scheduler.dispatcher.drain(timeout=60)
            again = await asyncio.gather(*(scheduler.run_digest(s.id) for s in subs))
            assert not any(again)  # the day is done: a second fire queues nothing
        finally:
            await scheduler.stop()
            await platform.stop()
        with db_engine.connect() as conn:
            o = a.outbox.c
            queued = conn.execute(select(o.chat_id, o.key, o.chart_id, o.body, o.status)
                                  .where(o.kind == "digest").order_by(o.id)).all()
    # what the outbox says should arrive, per chat: one photo (the text its caption), or
    # the text and then the chart
    expected: dict[int, list[str]] = {}
    for r in queued:
        assert r.status == "sent"
        expected.setdefault(int(r.chat_id), []).append(
            "photo+text" if r.chart_id is not None and r.body else
            "photo" if r.chart_id is not None else "text")
    arrived: dict[int, list[str]] = {}
    for call in api.calls:
        if call.status != 200 or call.method not in ("sendMessage", "sendPhoto"):
            continue
        if call.method == "sendMessage":
            kind = "text"
            assert "Daily digest" in call.params["text"] or \
                "Ringkasan harian" in call.params["text"]
        else:
            caption = str(call.params.get("caption", ""))
            kind = "photo+text" if "Ringkasan harian" in caption or "Daily digest" in \
                caption else "photo"
        arrived.setdefault(int(call.params["chat_id"]), []).append(kind)
    assert arrived == expected  # each exactly once, per chat in order
    assert len(expected) == 60 and api.too_many == 0 and stats.rate_limited == 0
    shapes = {tuple(v) for v in expected.values()}
    assert shapes == {("photo+text",), ("text", "photo")}  # both kinds of digest occur
    two = [c for c, v in expected.items() if len(v) == 2]
    assert len(two) >= 8  # every fifth workspace's chats (an English text may fit)
    # per workspace: one chart in Indonesian, one in English where a chat asked for it
    assert charts.renders == 20 + 10 and charts.hits == 30
    # a chat's two messages at least a second apart (Telegram's per-chat limit)
    for chat in two:
        times = [c.at for c in api.calls if c.status == 200 and
                 c.method in ("sendMessage", "sendPhoto") and int(c.params["chat_id"]) == chat]
        assert times[1] - times[0] >= 1.0
