"""Hostile names (issue 13 item 5): channel handles, campaigns and a workspace name from an
import that carry Slack markup (``<!here>``, ``<!channel>``, ``<@U…>``, ``<url|label>``) or
HTML reach Slack and Telegram only as text. Every command that echoes names and every alert
kind goes through the real adapters (slack-bolt + slack-sdk, PTB) to the stand-ins, and the
test reads what they received."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import Engine, update

from adapters.chat.slack import SlackPlatform
from adapters.chat.telegram import TelegramPlatform
from adapters.http.server import build_web_app
from bot.alert_views import render
from bot.bootstrap import App
from bot.digest_views import render_digest
from bot.runtime.delivery import Limits
from bot.runtime.dispatcher import Dispatcher
from kpi_engine.domain.alerts import AlertEvent, GoalSignal, Observation, Rule
from kpi_engine.domain.formulas import Span
from kpi_engine.domain.model import Role, SnapshotRow
from kpi_engine.services.digests import build_digest
from kpi_engine.storage import alert_store, outbox
from kpi_engine.storage.outbox import Message
from kpi_engine.storage.schema import workspaces
from tests.data.hostile_names import CAMPAIGNS, HANDLES, SLACK_MARKUP, WORKSPACE_NAME
from tests.e2e.test_slack import LINKED, NOW, TODAY, Slack, block_text, seeded_app, slack_settings
from tests.slack_standin import SlackStandIn
from tests.telegram_standin import BotApiStandin, parse_html

TG_TOKEN = "123456789:AAHhostile-names_abcdefghijklmnopq"
TG_EDITOR = 2001
FAST = {"telegram": Limits(per_second=None, chat_interval=0.0),
        "slack": Limits(per_second=None, chat_interval=0.0)}
CHANNELS = tuple(f"instagram:{h}" for h in HANDLES)


def hostile_rows(today: date) -> list[SnapshotRow]:
    """14 days of reach for every hostile channel; paid rows for every hostile campaign."""
    rows: list[SnapshotRow] = []
    for i in range(14):
        day = today - timedelta(days=i)
        rows += [SnapshotRow(day, "instagram", h, "reach", 100.0 + i) for h in HANDLES]
        for c in CAMPAIGNS:
            rows += [SnapshotRow(day, "instagram", "", "spend", 1000.0, c),
                     SnapshotRow(day, "instagram", "", "revenue", 3000.0, c),
                     SnapshotRow(day, "instagram", "", "clicks", 30.0, c)]
    return rows


def hostile_app(db_engine: Engine, settings: Any) -> App:
    app = seeded_app(db_engine, settings)
    store = app.store
    ws = store.workspace("demo")
    assert ws is not None
    with store.begin() as conn:  # a workspace name as an operator might type it
        conn.execute(update(workspaces).where(workspaces.c.id == ws.id)
                     .values(name=WORKSPACE_NAME))
    store.write_snapshots(ws.id, hostile_rows(TODAY))
    store.link_chat(ws.id, "slack", LINKED, Role.EDITOR, user_id="U0EDITOR")
    store.link_chat(ws.id, "telegram", str(TG_EDITOR), Role.EDITOR)
    assert {c.name for c in store.channels(ws.id)} >= set(CHANNELS)
    assert set(store.campaigns(ws.id)) >= set(CAMPAIGNS)
    return app


# -- what the stand-ins received ------------------------------------------------------------------

def slack_mrkdwn(standin: SlackStandIn) -> list[str]:
    """Every mrkdwn text Slack was sent (message text, sections, context, comments)."""
    out: list[str] = []
    for call in standin.calls:
        p = call.params
        if call.method in ("chat.postMessage", "chat.postEphemeral", "response"):
            out.append(str(p.get("text", "")))
            blocks = p.get("blocks") or []
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            out.append(block_text([b for b in blocks if b.get("type") != "header"]))
        if call.method == "files.completeUploadExternal":
            out.append(str(p.get("initial_comment", "")))
    return out


def assert_slack_safe(texts: list[str]) -> None:
    """No Slack markup from a name: ``<`` and ``>`` never raw, ``&`` only as an entity."""
    for text in texts:
        for markup in SLACK_MARKUP:
            assert markup not in text, text
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text


def slack_escaped(name: str) -> str:
    return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def assert_telegram_safe(texts: list[str]) -> list[str]:
    """Every text is valid Telegram HTML whose only markup is the bot's own bold; returns
    the plain texts a user sees."""
    plain: list[str] = []
    for text in texts:
        shown, entities = parse_html(text)
        assert {e["type"] for e in entities} <= {"bold"}, text
        plain.append(shown)
    return plain


# -- fixtures -----------------------------------------------------------------------------------

@dataclass
class Both:
    app: App
    slack: Slack
    telegram: TelegramPlatform
    api: BotApiStandin


@pytest.fixture
async def both(db_engine: Engine) -> AsyncIterator[Both]:
    from pydantic import SecretStr

    standin = await SlackStandIn().start()
    async with BotApiStandin(TG_TOKEN) as api:
        settings = slack_settings(standin, telegram_token=SecretStr(TG_TOKEN),
                                  telegram_api_url=api.url)
        app = hostile_app(db_engine, settings)
        platform = SlackPlatform(app, interval=0.0)
        runner = web.AppRunner(build_web_app(app, [platform]), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
        await platform.start()
        telegram = TelegramPlatform(app, poll_timeout=1)
        await telegram.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield Both(app, Slack(app, platform, standin,
                                      f"http://127.0.0.1:{port}/slack/events", http),
                           telegram, api)
        finally:
            await telegram.stop()
            await platform.stop()
            await runner.cleanup()
            await standin.stop()


#: (command text, the names its reply must echo)
COMMANDS: list[tuple[str, tuple[str, ...]]] = [
    ("/bandingkan reach minggu ini", CHANNELS),
    ("/roi bulan ini", CAMPAIGNS[:-1]),  # the ANSI one is checked on the console
    ("/kpi reach snapchat:zzz", CHANNELS),  # unknown channel: the known ones are listed
    ("/catat snapchat:zzz reach 5", CHANNELS),
    ("/target reach 50000 snapchat:zzz 3 bulan", CHANNELS),
    ("/alert reach < 5 snapchat:zzz", CHANNELS),
    ("/alert", ("instagram:<!here>", "instagram:<https://evil.example|klik di sini>")),
]


def add_hostile_rules(app: App) -> None:
    ws = app.store.workspace("demo")
    assert ws is not None
    for channel in ("instagram:<!here>", "instagram:<https://evil.example|klik di sini>"):
        alert_store.add_rule(app.store, ws.id, kind="threshold", metric="reach", value=5,
                             channel=channel, op="<", period="day", now=NOW)


async def test_slack_commands_show_hostile_names_as_text(both: Both) -> None:
    add_hostile_rules(both.app)
    slack, standin = both.slack, both.slack.standin
    held = 0
    for i, (text, names) in enumerate(COMMANDS):
        word, _, rest = text.partition(" ")
        before = len(slack_mrkdwn(standin))
        status, _ = await slack.command(word, slack_escaped(rest), user="U0EDITOR",
                                        key=f"k{i}")
        assert status == 200
        await standin.wait_for(lambda: len(slack_mrkdwn(standin)) > before)  # noqa: B023
        sent = "\n".join(slack_mrkdwn(standin)[before:])
        for name in names:  # each name is echoed, as text
            assert slack_escaped(name) in sent, (text, name)
        held += 1
    assert held == len(COMMANDS)
    assert_slack_safe(slack_mrkdwn(standin))


async def test_an_import_error_echoes_a_hostile_value_as_text(both: Both) -> None:
    slack, standin = both.slack, both.slack.standin
    ws = both.app.store.workspace("demo")
    assert ws is not None
    both.app.store.link_chat(ws.id, "slack", "D0EDITOR", Role.EDITOR)
    csv = b"date,channel,metric,value\n2026-11-20,instagram,reach,<!channel>\n"
    shared = standin.add_file("jahat.csv", csv)
    await slack.event({"type": "message", "subtype": "file_share", "channel_type": "im",
                       "channel": "D0EDITOR", "user": "U0ED", "text": "", "files": [shared],
                       "ts": "1790000000.000900"}, event_id="EvHostile")
    [post] = await standin.wait_calls("chat.postMessage")
    assert "&lt;!channel&gt;" in post.params["text"]
    assert_slack_safe(slack_mrkdwn(standin))


async def test_telegram_commands_show_hostile_names_as_text(both: Both) -> None:
    add_hostile_rules(both.app)
    api = both.api
    for text, names in COMMANDS:
        before = len(api.sent("sendMessage", TG_EDITOR))
        api.inject(api.message(TG_EDITOR, text))
        sent = await api.wait_for("sendMessage", before + 1, chat_id=TG_EDITOR)
        await asyncio.sleep(0.05)
        texts = [str(c.params["text"]) for c in api.sent("sendMessage", TG_EDITOR)[before:]]
        shown = "\n".join(assert_telegram_safe(texts))
        for name in names:  # the user sees the name exactly as stored
            assert name in shown, (text, name)
        assert sent
    # the raw markup went out escaped
    joined = "\n".join(api.texts(TG_EDITOR))
    assert html.escape("instagram:<b>tebal</b>", quote=False) in joined


# -- alerts and digests through the outbox ----------------------------------------------------------

def alert_events(app: App) -> list[AlertEvent]:
    """One event of every kind, about a hostile channel (and a goal on one)."""
    ws = app.store.workspace("demo")
    assert ws is not None
    week, day = Span(date(2026, 11, 9), date(2026, 11, 15)), Span(TODAY, TODAY)
    at = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
    goal = GoalSignal(goal_id=7, metric="reach", channel="instagram:<!channel>", target=5000,
                      deadline=date(2026, 12, 31), status="active", current=4000,
                      baseline=1000, progress_pct=75.0, forecast=4200, on_track=False)
    events = []
    specs: list[tuple[str, str, dict[str, Any]]] = [
        ("drop", "instagram:<!here>", dict(metric="engagement_rate", value=1.0, baseline=2.0,
                                           change_pct=-50.0, span=week,
                                           detail={"period": "week", "periods": 4})),
        ("threshold", "instagram:<@u0boss>", dict(metric="reach", value=3, baseline=5,
                                                  change_pct=-40.0, span=day)),
        ("stale", "instagram:<https://evil.example|klik di sini>",
         dict(value=5, detail={"last_day": TODAY - timedelta(days=5), "days": 3})),
        ("goal_reached", "instagram:<!channel>", dict(metric="reach", value=5100, goal=goal)),
        ("goal_off_track", "instagram:<!channel>", dict(metric="reach", value=4000, goal=goal)),
        ("goal_missed", "instagram:<!channel>", dict(metric="reach", value=4000, goal=goal)),
    ]
    for i, (kind, channel, fields) in enumerate(specs):
        rule_kind = kind if kind in ("drop", "threshold", "stale") else "goal"
        rule = Rule(key=f"r{i}", kind=rule_kind, metric=fields.get("metric"),
                    channel=channel, op="<", value=20.0)
        obs = Observation(rule=rule, subject=channel, firing=True, kind=kind, channel=channel,
                          **fields)
        events.append(AlertEvent(ws, obs, "firing", 1, at, goals=(goal,)))
    return events


async def test_every_alert_kind_and_the_digest_reach_both_platforms_as_text(
        both: Both) -> None:
    app = both.app
    both.api.add_chat(TG_EDITOR)  # a chat the stand-in knows (it refuses unknown ones)
    ws = app.store.workspace("demo")
    assert ws is not None
    events = alert_events(app)
    messages = []
    for i, event in enumerate(events):
        r = render(event)
        for platform, chat in (("slack", LINKED), ("telegram", str(TG_EDITOR))):
            messages.append(Message(f"a{i}-{platform}", ws.id, "alert", platform, chat, "id",
                                    r.title, r.body, NOW))
    digest = render_digest(build_digest(app.store, ws, "daily", TODAY, NOW), chart=False)
    for platform, chat in (("slack", LINKED), ("telegram", str(TG_EDITOR))):
        messages.append(Message(f"d-{platform}", ws.id, "digest", platform, chat, "id",
                                digest.reply.title, "\n".join(digest.reply.body), NOW,
                                footer=digest.reply.footer))
    with app.store.begin() as conn:
        outbox.enqueue(conn, messages, NOW)
    stats = await Dispatcher(app.engine, {"slack": both.slack.platform,
                                          "telegram": both.telegram},
                             clock=lambda: NOW, limits=FAST).drain(timeout=30)
    assert stats.sent == len(messages)
    # Slack: every alert and the digest, the names escaped
    slack_texts = slack_mrkdwn(both.slack.standin)
    assert len([c for c in both.slack.standin.delivered()]) == len(events) + 1
    assert_slack_safe(slack_texts)
    joined = "\n".join(slack_texts)
    for name in ("instagram:<!here>", "instagram:<@u0boss>", "instagram:<!channel>",
                 "instagram:<https://evil.example|klik di sini>", WORKSPACE_NAME):
        assert slack_escaped(name) in joined, name
    # Telegram: valid HTML, the names shown exactly
    shown = "\n".join(assert_telegram_safe(both.api.texts(TG_EDITOR)))
    for name in ("instagram:<!here>", "instagram:<@u0boss>", "instagram:<!channel>",
                 "instagram:<https://evil.example|klik di sini>", WORKSPACE_NAME):
        assert name in shown, name
