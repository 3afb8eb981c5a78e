"""Replays (issue 13 item 6) and join-code guessing (item 8), through the real entry points:
signed Slack requests over HTTP to slack-bolt, Telegram updates to the webhook, join codes
through the router. The keys and attempts live in the database (``kpi_engine.storage.guards``), so
a second replica or a restart agrees; tested on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, func, select

from adapters.http.server import serve
from bot.bootstrap import App, bootstrap
from bot.reply import Reply, Request
from config.settings import Settings
from kpi_engine.domain.model import Role
from kpi_engine.storage.guards import JOIN_ATTEMPTS, first_sighting, join_wait, record_wrong_join
from kpi_engine.storage.linking import create_join_code
from kpi_engine.storage.schema import join_codes
from kpi_engine.storage.store import Store
from tests.e2e.test_slack import LINKED, Slack, slack, standin  # noqa: F401  (fixtures)
from tests.e2e.test_telegram import LINKED as TG_LINKED
from tests.e2e.test_telegram import _free_port, make_app
from tests.slack_standin import TEAM_ID, SlackStandIn
from tests.telegram_standin import BotApiStandin

T0 = datetime(2026, 12, 2, 4, 0, tzinfo=UTC)


# -- the guard itself: one key, two replicas, expiry --------------------------------------------

def test_a_key_is_seen_once_by_every_replica_until_it_expires(db_engine: Engine) -> None:
    one, two = Store(db_engine), Store(db_engine)  # two processes on one database
    keep = timedelta(minutes=11)
    assert first_sighting(one, "slack:sig:v0=abc", T0, keep)
    assert not first_sighting(two, "slack:sig:v0=abc", T0 + timedelta(minutes=1), keep)
    assert not first_sighting(one, "slack:sig:v0=abc", T0 + timedelta(minutes=10), keep)
    assert first_sighting(two, "slack:sig:v0=other", T0, keep)
    # after its window the key is forgotten (and deleted)
    assert first_sighting(two, "slack:sig:v0=abc", T0 + timedelta(minutes=12), keep)


def test_join_attempts_are_counted_per_chat_in_a_window(db_engine: Engine) -> None:
    store = Store(db_engine)
    for i in range(JOIN_ATTEMPTS):
        assert join_wait(store, "telegram", "1", T0 + timedelta(minutes=i)) is None
        record_wrong_join(store, "telegram", "1", T0 + timedelta(minutes=i))
    # five wrong ones at 0..4 minutes: wait until the first leaves the 10-minute window
    assert join_wait(store, "telegram", "1", T0 + timedelta(minutes=4)) == timedelta(minutes=6)
    assert join_wait(store, "telegram", "2", T0 + timedelta(minutes=4)) is None  # another chat
    assert join_wait(Store(db_engine), "telegram", "1", T0 + timedelta(minutes=9)) \
        == timedelta(minutes=1)
    assert join_wait(store, "telegram", "1", T0 + timedelta(minutes=10)) is None


# -- Slack ---------------------------------------------------------------------------------------

def _command_body(stand_in: SlackStandIn, command: str, text: str, user: str,
                  key: str) -> str:
    return urlencode({
        "token": "legacy", "team_id": TEAM_ID, "team_domain": "kpi-test", "channel_id": LINKED,
        "channel_name": "marketing", "user_id": user, "user_name": "sari", "command": command,
        "text": text, "api_app_id": "A0KPI", "response_url": stand_in.response_url(key),
        "trigger_id": "1.2.3"})


async def test_a_replayed_slack_command_runs_once(slack: Slack) -> None:  # noqa: F811
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.ADMIN, user_id="U0ADMIN")
    form = "application/x-www-form-urlencoded"
    ts = time.time()
    record = _command_body(slack.standin, "/catat", "instagram saves 4.321", "U0ADMIN", "c")
    invite = _command_body(slack.standin, "/undang", "", "U0ADMIN", "u")
    answers = [await slack.post(body, form, timestamp=ts)
               for body in (record, record, invite, invite)]
    assert [status for status, _ in answers] == [200] * 4
    await slack.standin.wait_calls("chat.postMessage")
    await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    await asyncio.sleep(0.5)
    assert len(slack.standin.delivered()) == 1  # /catat answered once
    assert len(slack.standin.calls_to("response")) == 1  # one invite code shown
    with slack.app.store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(join_codes)).scalar_one() == 1
    # the same command signed again later (a new request) runs
    status, _ = await slack.post(record, form, timestamp=ts + 1)
    assert status == 200
    await slack.standin.wait_calls("chat.postMessage", 2)


async def test_a_non_numeric_slack_timestamp_is_401_and_nothing_runs(
        slack: Slack) -> None:  # noqa: F811
    body = _command_body(slack.standin, "/kpi", "reach", "U0VIEWER", "t")
    for stamp in ("abc", "", "1e9", "-1", "9" * 40, " 17 "):
        headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00",
                   "Content-Type": "application/x-www-form-urlencoded"}
        async with slack.http.post(slack.url, data=body.encode(), headers=headers) as resp:
            assert resp.status == 401, stamp
    await asyncio.sleep(0.3)
    assert slack.standin.calls == []


async def test_a_retried_slack_event_is_answered_once(slack: Slack) -> None:  # noqa: F811
    event = {"type": "app_mention", "user": "U0VIEWER", "channel": LINKED,
             "text": "<@UKPIBOT> berapa reach minggu ini?", "ts": "1790000000.000300"}
    # Slack's retry is signed anew (another timestamp) and carries X-Slack-Retry-Num
    assert (await slack.event(event, event_id="EvRetry"))[0] == 200
    assert (await slack.event(event, event_id="EvRetry", timestamp=time.time() - 30))[0] == 200
    await slack.standin.wait_calls("chat.postMessage")
    await asyncio.sleep(0.5)
    assert len(slack.standin.delivered()) == 1


# -- Telegram webhook ------------------------------------------------------------------------------

async def test_the_same_telegram_update_is_run_once_across_replicas(db_engine: Engine) -> None:
    async with BotApiStandin("123456789:AAHtest-Token_abcdefghijklmnopqrstuv") as api:
        ports = [_free_port(), _free_port()]
        hooks = [f"http://127.0.0.1:{p}/telegram/webhook" for p in ports]
        first = make_app(db_engine, api.url, http_port=ports[0], telegram_webhook_url=hooks[0],
                         telegram_webhook_secret="s3cret-Value_42")
        # the second replica: its own app on the same database
        second = bootstrap(Settings(
            telegram_token=first.settings.telegram_token, telegram_api_url=api.url,
            http_port=ports[1], telegram_webhook_url=hooks[1],
            telegram_webhook_secret=SecretStr("s3cret-Value_42")), engine=db_engine,
            clock=first.router.clock, check_schema=False)
        stop = asyncio.Event()
        started: list[int] = []

        async def on_started(port: int) -> None:
            started.append(port)

        servers = [asyncio.create_task(serve(app, stop=stop, on_started=on_started))
                   for app in (first, second)]
        try:
            while len(started) < 2:
                await asyncio.sleep(0.05)
            update = {"update_id": 501, "message": api.message(
                TG_LINKED, "/kpi reach minggu ini")["message"]}
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Value_42"}
            async with aiohttp.ClientSession() as session:
                for hook in (hooks[0], hooks[0], hooks[1]):  # a redelivery, then the replica
                    async with session.post(hook, json=update, headers=headers) as resp:
                        assert resp.status == 200
            await api.wait_for("sendMessage", 1, chat_id=TG_LINKED)
            await asyncio.sleep(0.8)
            assert len(api.sent("sendMessage", TG_LINKED)) == 1
            # a new update_id is a new message
            update["update_id"] = 502
            async with aiohttp.ClientSession() as session, session.post(
                    hooks[1], json=update, headers=headers) as resp:
                assert resp.status == 200
            await api.wait_for("sendMessage", 2, chat_id=TG_LINKED)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*servers), 15)


# -- join codes --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["id", "en"])
def test_join_codes_take_five_wrong_guesses_then_say_how_long_to_wait(
        db_engine: Engine, lang: str) -> None:
    now = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    app = bootstrap(Settings(), engine=db_engine, check_schema=False)
    ws = app.store.ensure_workspace("demo", name="Kopi Nusantara")
    good = create_join_code(app.store, ws.id, now=now).code

    def join(code: str, at: datetime, chat: str = "900", app_: App = app) -> Reply:
        return app_.router.handle(Request(
            text=f"/gabung {code}", platform="telegram", chat_id=chat, user_id=chat,
            now=at, lang=lang))

    for i in range(JOIN_ATTEMPTS):
        assert join(f"WRONG{i:03d}", now + timedelta(seconds=i)).error == "join_unknown"
    refused = join(good, now + timedelta(minutes=1))  # even the right code waits now
    assert refused.error == "join_wait"
    text = refused.text
    assert ("9 menit" if lang == "id" else "9 minutes") in text
    assert app.store.chat_access("telegram", "900") is None
    # another chat is not held up; a restart (a new app on the same database) still waits
    assert join("NOPE0000", now, chat="901").error == "join_unknown"
    restarted = bootstrap(Settings(), engine=db_engine, check_schema=False)
    assert join(good, now + timedelta(minutes=5), app_=restarted).error == "join_wait"
    # ten minutes after the first wrong guess the chat may try again
    joined = join(good, now + timedelta(minutes=10, seconds=1), app_=restarted)
    assert joined.error is None and app.store.chat_access("telegram", "900") is not None
