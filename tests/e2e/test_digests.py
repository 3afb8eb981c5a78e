"""Digests: their periods, their numbers (the same as /kpi gives), goals, alerts since the
last digest, one chart; queued once per day; delivered by the real Telegram and Slack
clients to the local stand-ins."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from bot.alert_views import render
from bot.bootstrap import App, bootstrap
from bot.digest_views import render_digest
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from bot.runtime.scheduler import Scheduler
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.services import answers
from kpi_engine.services.alert_inputs import run_tick
from kpi_engine.services.demo import engagement_dip_week
from kpi_engine.services.digests import build_digest, digest_periods, queue_digest
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage import alert_store
from kpi_engine.storage import schema_alerts as a
from tests.slack_standin import SlackStandIn
from tests.telegram_standin import BotApiStandin

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 11, 22)
TUESDAY = date(2026, 11, 17)
TOKEN = "123456789:AAHtest-Token_abcdefghijklmnopqrstuv"


def at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=JAKARTA)


def test_periods_of_daily_and_weekly_digests() -> None:
    yesterday, wtd = digest_periods("daily", TUESDAY)
    assert (yesterday.current.start, yesterday.previous.start) == (date(2026, 11, 16),
                                                                   date(2026, 11, 15))
    assert (wtd.current.start, wtd.current.end) == (date(2026, 11, 16), date(2026, 11, 16))
    assert (wtd.previous.start, wtd.previous.end) == (date(2026, 11, 9), date(2026, 11, 9))
    saturday = digest_periods("daily", date(2026, 11, 21))[1]
    assert (saturday.current.start, saturday.current.end) == (date(2026, 11, 16),
                                                              date(2026, 11, 20))
    monday = digest_periods("daily", date(2026, 11, 23))[1]  # on Monday: all of last week
    assert (monday.current.start, monday.current.end) == (date(2026, 11, 16), TODAY)
    (week,) = digest_periods("weekly", date(2026, 11, 23))
    assert (week.current.start, week.current.end) == (date(2026, 11, 16), TODAY)
    assert (week.previous.start, week.previous.end) == (date(2026, 11, 9), date(2026, 11, 15))


@pytest.fixture
def demo_app(db_engine: Engine) -> App:
    app = bootstrap(Settings(), engine=db_engine, check_schema=False)
    seed_demo(app.store, TODAY)
    return app


def test_digest_numbers_are_the_kpi_answers_with_goals_and_alerts(demo_app: App) -> None:
    from kpi_engine.domain.goal_model import GoalRequest
    from kpi_engine.services.goals import create_goal
    from kpi_engine.storage.goal_store import GoalStore

    store = demo_app.store
    ws = store.workspace("demo")
    assert ws is not None
    channels = store.channels(ws.id)
    create_goal(store, GoalStore(store), ws.id, channels,
                GoalRequest("followers", "percent", 5, date(2026, 12, 31), "instagram"),
                TODAY - timedelta(days=20), at(TODAY - timedelta(days=20)))
    store.link_chat(ws.id, "telegram", "1", Role.ADMIN)
    dip_monday = engagement_dip_week(TODAY)[1] + timedelta(days=1)
    # four drops (instagram, tiktok, youtube — its ER per post is by subscribers, SPEC §3.1 —
    # and the total); the goal is off track
    run_tick(store, at(dip_monday, 0), render)
    day = dip_monday + timedelta(days=1)
    digest = build_digest(store, ws, "daily", day, at(day), alerts_since=at(dip_monday, 0)
                          - timedelta(minutes=1))
    yesterday, wtd = digest.periods
    reach = answers.kpi(store, ws.id, channels, "reach", yesterday)
    row = next(r for _, rows in digest.sections for r in rows if r[0].metric.key == "reach")
    assert (row[0].value, row[0].previous_value) == (reach.value, reach.previous_value)
    assert row[1].value == answers.kpi(store, ws.id, channels, "reach", wtd).value
    assert [g.metric for g in digest.goals] == ["followers"]
    assert digest.goals[0].progress_pct is not None and digest.goals[0].required_per_week
    assert sorted(x.kind for x in digest.alerts) == ["drop"] * 4 + ["goal_off_track"]
    later = build_digest(store, ws, "daily", day, at(day), alerts_since=at(day, 7))
    assert later.alerts == []  # only the alerts since the last digest
    view = render_digest(digest)
    text = view.reply.text
    assert "Ringkasan harian · Kopi Nusantara" in text and "■ Jangkauan" in text
    assert "🎯 Target" in text and "perlu" in text and "Engagement rate turun" in text
    assert view.chart is not None and view.chart[:4] == b"\x89PNG"
    english = render_digest(build_digest(store, ws, "weekly", dip_monday, at(dip_monday),
                                         lang="en"), chart=False)
    assert "Weekly digest" in english.reply.text and "■ Reach" in english.reply.text
    assert "Goals" in english.reply.text and english.chart is None


def test_a_digest_is_queued_once_per_day(demo_app: App) -> None:
    store = demo_app.store
    ws = store.workspace("demo")
    assert ws is not None
    sub = alert_store.subscribe(store, ws.id, "telegram", "1", "daily", 8, 0, at(TODAY))
    args: dict[str, Any] = {"lang": "id", "title": "T", "body": "B", "chart_png": b"\x89PNG.."}
    assert queue_digest(store, sub, TODAY, at(TODAY), **args)
    again = alert_store.subscription(store, sub.id)
    assert again is not None and again.last_day == TODAY
    assert not queue_digest(store, sub, TODAY, at(TODAY, 9), **args)
    assert not queue_digest(store, again, TODAY - timedelta(days=1), at(TODAY, 9), **args)
    with store.connect() as conn:
        keys = list(conn.execute(select(a.outbox.c.key).order_by(a.outbox.c.id)).scalars())
    assert keys == [f"d:{sub.id}:{TODAY}:text", f"d:{sub.id}:{TODAY}:chart"]


def test_kpibot_digest_json(demo_app: App, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    import json

    from adapters.cli.alerts import digest

    args = argparse.Namespace(workspace="demo", now="2026-11-23T08:00", json=True,
                              kind="daily", lang=None)
    assert digest(demo_app, args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["intent"] == "digest" and out["day"] == "2026-11-23"
    assert out["periods"][1]["start"] == "2026-11-16" and out["chart_metric"] == "reach"
    assert any(m["metric"] == "engagement_rate" for m in out["metrics"])
    assert "Ringkasan harian" in out["text"]


# -- delivered through the real clients ----------------------------------------------------------

async def deliver(app: App, platform: object, name: str, chat: str) -> None:
    ws = app.store.workspace("demo")
    assert ws is not None
    app.store.link_chat(ws.id, name, chat, Role.ADMIN)
    sub = alert_store.subscribe(app.store, ws.id, name, chat, "daily", 8, 0, at(TODAY))
    now = at(TODAY + timedelta(days=1), 8)
    scheduler = Scheduler(app, {name: platform}, clock=lambda: now)  # type: ignore[dict-item]
    assert await scheduler.run_digest(sub.id)
    dispatcher = Dispatcher(app.engine, {name: platform},  # type: ignore[dict-item]
                            clock=lambda: now,
                            limits={name: Limits(per_second=None, chat_interval=0.2)})
    started = time.monotonic()
    stats = await dispatcher.drain(timeout=30)
    assert stats.sent == 2 and time.monotonic() - started >= 0.19  # paced within the chat


@pytest.fixture
async def telegram_api() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN) as api:
        yield api


async def test_the_telegram_stand_in_receives_the_digest(db_engine: Engine,
                                                        telegram_api: BotApiStandin) -> None:
    from adapters.chat.telegram import TelegramPlatform

    app = bootstrap(Settings(telegram_token=SecretStr(TOKEN),
                             telegram_api_url=telegram_api.url),
                    engine=db_engine, check_schema=False)
    seed_demo(app.store, TODAY)
    telegram_api.add_chat(4242)
    platform = TelegramPlatform(app, poll_timeout=1)
    await platform.start()
    try:
        await deliver(app, platform, "telegram", "4242")
    finally:
        await platform.stop()
    (text,) = telegram_api.texts(4242)
    assert "Ringkasan harian · Kopi Nusantara" in text and "Jangkauan" in text
    (photo,) = telegram_api.sent("sendPhoto", 4242)
    assert photo.files["photo"][:4] == b"\x89PNG" and "Jangkauan harian" in str(
        photo.params.get("caption"))


async def test_the_slack_stand_in_receives_the_digest(db_engine: Engine) -> None:
    from adapters.chat.slack import SlackPlatform

    standin = await SlackStandIn().start()
    try:
        app = bootstrap(Settings(slack_bot_token=SecretStr("xoxb-test-token"),
                                 slack_signing_secret=SecretStr("s3cr3t-signing"),
                                 slack_api_url=standin.api_url),
                        engine=db_engine, check_schema=False)
        seed_demo(app.store, TODAY)
        platform = SlackPlatform(app, interval=0.05)
        await platform.start()
        try:
            await deliver(app, platform, "slack", "C0DIGEST")
        finally:
            await platform.stop()
    finally:
        await standin.stop()
    (post,) = standin.delivered("chat.postMessage")
    assert post.params["channel"] == "C0DIGEST"
    assert "Ringkasan harian · Kopi Nusantara" in str(post.params["text"])
    (upload,) = [c for c in standin.calls if c.method == "upload"]
    assert upload.body[:4] == b"\x89PNG"
    (done,) = standin.delivered("files.completeUploadExternal")
    assert done.params["channel_id"] == "C0DIGEST"


def test_subscriptions_keep_their_last_day(demo_app: App) -> None:
    store = demo_app.store
    ws = store.workspace("demo")
    assert ws is not None
    s = alert_store.subscribe(store, ws.id, "slack", "C1", "weekly", 9, 30,
                              datetime(2026, 11, 1, tzinfo=UTC), weekday=0)
    assert (s.kind, s.weekday, s.hour, s.minute, s.last_day) == ("weekly", 0, 9, 30, None)
