"""Slack adapter: the real slack-bolt app behind the real aiohttp server, signed requests over
HTTP, and the real slack-sdk client posting to a local Web API stand-in (no network)."""

from __future__ import annotations

import asyncio
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import aiohttp
import pytest
import yaml
from aiohttp import web
from pydantic import SecretStr
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine

from adapters.chat.slack import (
    RESERVED_COMMANDS,
    ChannelPacer,
    SlackConfigError,
    SlackPlatform,
    command_words,
    plain_text,
    render_blocks,
)
from adapters.http.server import build_web_app, serve
from bot import formatting as fmt
from bot.bootstrap import App, bootstrap
from bot.parsing import COMMANDS
from bot.reply import Reply, Request
from config.settings import Settings
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import Role
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandIn

SECRET = "kpibot-test-signing-secret-5f2c"
TOKEN = "xoxb-111-222-kpibottesttoken"
TZ = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=TZ)  # a Sunday afternoon in Jakarta
TODAY = NOW.date()
LINKED, UNLINKED = "C0LINKED", "C0STRANGER"
MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "chat" / "slack_manifest.yml"


def expected_reach_this_week() -> float:
    """Reach of the demo's own channels, Mon 16 – Sun 22 Nov 2026, from the seed rows."""
    start = date(2026, 11, 16)
    return sum(r.value for r in demo_rows(TODAY)
               if r.metric == "reach" and not r.competitor and start <= r.day <= TODAY)


def png(width: int = 4, height: int = 3) -> bytes:
    """A small valid PNG (grey pixels), built by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                            0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def assert_png(data: bytes) -> None:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 0 and height > 0
    assert data.rstrip()[-8:-4] == b"IEND"


def block_text(blocks: Any) -> str:
    """Every text in a Block Kit payload (a list, or its JSON string)."""
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    out: list[str] = []
    for b in blocks or []:
        if "text" in b:
            out.append(b["text"]["text"])
        out += [e["text"] for e in b.get("elements", []) if "text" in e]
    return "\n".join(out)


@dataclass
class Slack:
    """The running server (``url``), the platform, the stand-in and a signing HTTP client."""

    app: App
    platform: SlackPlatform
    standin: SlackStandIn
    url: str
    http: aiohttp.ClientSession
    acks: list[float] = field(default_factory=list)

    async def post(self, body: str, content_type: str, *, secret: str = SECRET,
                   timestamp: float | None = None) -> tuple[int, str]:
        ts = str(int(time.time() if timestamp is None else timestamp))
        signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
        headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature or "",
                   "Content-Type": content_type}
        async with self.http.post(self.url, data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()

    async def command(self, command: str, text: str = "", *, channel: str = LINKED,
                      user: str = "U0VIEWER", key: str = "r1", **kw: Any) -> tuple[int, str]:
        body = urlencode({
            "token": "legacy", "team_id": TEAM_ID, "team_domain": "kpi-test",
            "channel_id": channel, "channel_name": "marketing", "user_id": user,
            "user_name": "sari", "command": command, "text": text, "api_app_id": "A0KPI",
            "response_url": self.standin.response_url(key), "trigger_id": "1.2.3"})
        return await self.post(body, "application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], event_id: str = "Ev001",
                    **kw: Any) -> tuple[int, str]:
        body = json.dumps({
            "token": "legacy", "team_id": TEAM_ID, "api_app_id": "A0KPI", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]})
        return await self.post(body, "application/json", **kw)


def slack_settings(standin: SlackStandIn, **extra: Any) -> Settings:
    fields: dict[str, Any] = {"slack_bot_token": TOKEN, "slack_signing_secret": SECRET,
                              "slack_api_url": standin.api_url, "http_port": 0}
    return Settings(**{**fields, **extra})


def seeded_app(db_engine: Engine, settings: Settings) -> App:
    app = bootstrap(settings, engine=db_engine, clock=lambda: NOW, check_schema=False)
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "slack", LINKED, Role.VIEWER)
    return app


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    s = await SlackStandIn().start()
    yield s
    await s.stop()


@pytest.fixture
async def slack(db_engine: Engine, standin: SlackStandIn) -> AsyncIterator[Slack]:
    app = seeded_app(db_engine, slack_settings(standin))
    platform = SlackPlatform(app, interval=0.05)
    runner = web.AppRunner(build_web_app(app, [platform]), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = next(a[1] for a in runner.addresses if isinstance(a, tuple))
    await platform.start()
    async with aiohttp.ClientSession() as http:
        yield Slack(app, platform, standin, f"http://127.0.0.1:{port}/slack/events", http)
    await platform.stop()
    await runner.cleanup()


# -- slash commands -------------------------------------------------------------------------------

async def test_kpi_in_a_linked_channel_posts_the_right_number(slack: Slack) -> None:
    status, body = await slack.command("/kpi", "reach minggu ini")
    assert status == 200 and body == ""  # the ack: empty, at once
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert post.params["channel"] == LINKED
    assert post.authorization == f"Bearer {TOKEN}"
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    blocks = post.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert [b["type"] for b in blocks] == ["header", "section", "context"]
    header, section, context = (block_text([b]) for b in blocks)
    assert METRICS["reach"].label("id") in header and "minggu ini" in header
    assert "16" in header
    assert section.splitlines()[0] == f"*{expected}*"  # the number, then its change
    assert "%" in section
    assert "9" in context and "15" in context  # compared with 9–15 Nov
    assert expected in post.params["text"]  # the plain-text fallback
    assert not slack.standin.calls_to("response")
    # the same number the router gives any other surface
    cli = slack.app.router.handle(
        Request(text="/kpi reach minggu ini", platform="cli", workspace="demo"))
    assert cli.data["value"] == pytest.approx(expected_reach_this_week())


async def test_help_and_errors_are_ephemeral(slack: Slack) -> None:
    await slack.command("/bantuan", key="help")
    await slack.command("/kpi", "reachh minggu ini", key="typo")
    await slack.standin.wait_for(lambda: len(slack.standin.calls_to("response")) == 2)
    answers = {c.key: c.params for c in slack.standin.calls_to("response")}
    assert answers["help"]["response_type"] == "ephemeral"
    assert "/kpi" in block_text(answers["help"]["blocks"])
    assert answers["typo"]["response_type"] == "ephemeral"
    assert "reach" in answers["typo"]["text"]  # "maksud Anda: reach?"
    assert not slack.standin.calls_to("chat.postMessage")


async def test_english_command_names_work(slack: Slack) -> None:
    await slack.command("/summary", "last week")
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert "KPI summary" in post.params["text"]


async def test_unlinked_channel_learns_nothing(slack: Slack) -> None:
    status, _ = await slack.command("/kpi", "reach minggu ini", channel=UNLINKED, key="u")
    assert status == 200
    [answer] = await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert answer.params["response_type"] == "ephemeral"
    text = answer.params["text"]
    assert "belum terhubung" in text
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    for secret in (expected, "Kopi", "demo", "instagram"):
        assert secret not in text
    await slack.event({"type": "app_mention", "user": "U0X", "channel": UNLINKED,
                       "text": f"<@{BOT_USER_ID}> berapa reach minggu ini?",
                       "ts": "1790000000.000200"})
    [eph] = await slack.standin.wait_calls("chat.postEphemeral")
    assert "belum terhubung" in eph.params["text"] and expected not in eph.params["text"]
    assert not slack.standin.calls_to("chat.postMessage")


async def test_roles_are_per_slack_user(slack: Slack) -> None:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    before = slack.app.store.count_snapshots(ws.id)
    await slack.command("/catat", "instagram followers 41.250", user="U0VIEWER", key="v")
    [refused] = await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert refused.params["response_type"] == "ephemeral"
    assert slack.app.store.count_snapshots(ws.id) == before
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.EDITOR, user_id="U0EDITOR")
    await slack.command("/catat", "instagram followers 41.250", user="U0EDITOR", key="e")
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert "41.250" in post.params["text"]
    assert slack.app.store.snapshot_value(ws.id, _instagram(slack), "followers", TODAY, "") \
        == 41250


async def test_peran_by_slack_mention_in_a_mention_gives_that_user_the_role(
        slack: Slack) -> None:
    """``@KPI Bot /peran @budi editor``: the bot's own mention is dropped, budi's is kept."""
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.ADMIN, user_id="U0ADMIN")
    before = slack.app.store.count_snapshots(ws.id)
    await slack.command("/catat", "instagram followers 41.250", user="U123ABC", key="b1")
    await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert slack.app.store.count_snapshots(ws.id) == before  # budi is a viewer so far
    status, _ = await slack.event({
        "type": "app_mention", "user": "U0ADMIN", "channel": LINKED,
        "text": f"<@{BOT_USER_ID}> /peran <@U123ABC|budi> editor", "ts": "1790000000.000700"})
    assert status == 200
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert "U123ABC" in post.params["text"] and "editor" in post.params["text"]
    await slack.command("/catat", "instagram followers 41.250", user="U123ABC", key="b2")
    await slack.standin.wait_calls("chat.postMessage", 2)
    assert slack.app.store.snapshot_value(ws.id, _instagram(slack), "followers", TODAY, "") \
        == 41250


async def test_join_codes_link_a_slack_channel(slack: Slack) -> None:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.ADMIN, user_id="U0ADMIN")
    await slack.command("/undang", user="U0ADMIN", key="invite")
    [invite] = await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert invite.params["response_type"] == "ephemeral"  # the code is for the admin only
    code = next(line.split(":", 1)[1].strip() for line in invite.params["text"].splitlines()
                if line.startswith("Kode:"))
    await slack.command("/kpi", "reach minggu ini", channel=UNLINKED, key="before")
    await slack.standin.wait_for(lambda: len(slack.standin.calls_to("response")) == 2)
    await slack.command("/gabung", code, channel=UNLINKED, user="U0NEW", key="join")
    [joined] = await slack.standin.wait_calls("chat.postMessage")
    assert joined.params["channel"] == UNLINKED and "Kopi Nusantara" in joined.params["text"]
    assert slack.app.store.chat_access("slack", UNLINKED, "U0NEW") is not None
    await slack.command("/kpi", "reach minggu ini", channel=UNLINKED, user="U0NEW", key="after")
    posts = await slack.standin.wait_calls("chat.postMessage", 2)
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    assert posts[1].params["channel"] == UNLINKED and expected in posts[1].params["text"]
    before = next(c for c in slack.standin.calls_to("response") if c.key == "before")
    assert expected not in before.params["text"]


def _instagram(slack: Slack) -> int:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    return next(c.id for c in slack.app.store.channels(ws.id)
                if c.platform == "instagram" and not c.handle)


async def test_bot_not_in_channel_answers_through_response_url(slack: Slack) -> None:
    slack.standin.not_member.add(LINKED)
    await slack.command("/kpi", "reach minggu ini", key="nm")
    [answer] = await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert answer.params["response_type"] == "in_channel"
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    assert expected in answer.params["text"]


# -- signatures -----------------------------------------------------------------------------------

async def test_bad_and_stale_signatures_get_401_and_nothing_runs(slack: Slack) -> None:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    before = slack.app.store.count_snapshots(ws.id)
    slack.app.store.link_chat(ws.id, "slack", LINKED, Role.EDITOR, user_id="U0EDITOR")
    bad = await slack.command("/catat", "instagram followers 1", user="U0EDITOR",
                              secret="not-the-secret")
    stale = await slack.command("/catat", "instagram followers 1", user="U0EDITOR",
                                timestamp=time.time() - 6 * 60)
    future = await slack.command("/kpi", "reach", timestamp=time.time() + 6 * 60)
    async with slack.http.post(slack.url, data=b"command=/kpi&text=reach") as unsigned:
        unsigned_status = unsigned.status
    mention = await slack.event({"type": "app_mention", "user": "U0VIEWER", "channel": LINKED,
                                 "text": f"<@{BOT_USER_ID}> reach", "ts": "1.2"},
                                secret="nope")
    assert [bad[0], stale[0], future[0], unsigned_status, mention[0]] == [401] * 5
    await asyncio.sleep(0.3)
    assert slack.standin.calls == []  # not even auth.test
    assert slack.app.store.count_snapshots(ws.id) == before
    # a signature just inside the 5-minute window is fine
    ok = await slack.command("/kpi", "reach minggu ini", timestamp=time.time() - 4 * 60)
    assert ok[0] == 200
    await slack.standin.wait_calls("chat.postMessage")


async def test_url_verification_challenge(slack: Slack) -> None:
    body = json.dumps({"token": "legacy", "challenge": "c-123", "type": "url_verification"})
    status, text = await slack.post(body, "application/json")
    assert status == 200 and "c-123" in text
    status, _ = await slack.post(body, "application/json", secret="wrong")
    assert status == 401


# -- mentions and direct messages -----------------------------------------------------------------

async def test_app_mention_is_answered_in_its_thread(slack: Slack) -> None:
    status, _ = await slack.event({
        "type": "app_mention", "user": "U0VIEWER", "channel": LINKED,
        "text": f"<@{BOT_USER_ID}> berapa reach minggu ini?", "ts": "1790000000.000300",
        "event_ts": "1790000000.000300"})
    assert status == 200
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert post.params["channel"] == LINKED
    assert post.params["thread_ts"] == "1790000000.000300"
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    assert expected in block_text(post.params["blocks"])
    # a mention inside a thread answers in that thread; a retried event is answered once
    for _ in range(2):
        await slack.event({"type": "app_mention", "user": "U0VIEWER", "channel": LINKED,
                           "text": f"<@{BOT_USER_ID}> engagement bulan lalu",
                           "ts": "1790000000.000500", "thread_ts": "1790000000.000400"},
                          event_id="Ev002")
    posts = await slack.standin.wait_calls("chat.postMessage", 2)
    await asyncio.sleep(0.3)
    assert len(slack.standin.delivered()) == 2
    assert posts[1].params["thread_ts"] == "1790000000.000400"
    assert "Engagement" in posts[1].params["text"]


async def test_direct_message_takes_plain_sentences(slack: Slack) -> None:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", "D0SARI", Role.VIEWER)
    await slack.event({"type": "message", "channel_type": "im", "channel": "D0SARI",
                       "user": "U0SARI", "text": "berapa reach minggu ini?",
                       "ts": "1790000000.000600"})
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert post.params["channel"] == "D0SARI" and "thread_ts" not in post.params
    expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
    assert expected in post.params["text"]
    # the bot's own messages and channel chatter are not answered
    await slack.event({"type": "message", "channel_type": "im", "channel": "D0SARI",
                       "user": BOT_USER_ID, "bot_id": "BKPIBOT", "text": "reach",
                       "ts": "1790000000.000700"}, event_id="Ev003")
    await slack.event({"type": "message", "channel_type": "channel", "channel": LINKED,
                       "user": "U0SARI", "text": "reach minggu ini", "ts": "1790000000.0008"},
                      event_id="Ev004")
    await asyncio.sleep(0.3)
    assert len(slack.standin.delivered()) == 1


async def test_a_csv_shared_in_a_dm_is_imported(slack: Slack) -> None:
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", "D0EDITOR", Role.EDITOR)
    csv = b"date,channel,metric,value\n2026-11-20,instagram,saves,777\n" \
          b"2026-11-21,instagram,saves,888\n"
    shared = slack.standin.add_file("kpi-nov.csv", csv)
    await slack.event({"type": "message", "subtype": "file_share", "channel_type": "im",
                       "channel": "D0EDITOR", "user": "U0ED", "text": "", "files": [shared],
                       "ts": "1790000000.000900"}, event_id="Ev010")
    [post] = await slack.standin.wait_calls("chat.postMessage")
    assert "2 baris ditulis" in post.params["text"]
    [download] = slack.standin.calls_to("download")
    assert download.authorization == f"Bearer {TOKEN}"
    saves = slack.app.store.snapshot_value(ws.id, _instagram(slack), "saves",
                                           date(2026, 11, 21), "")
    assert saves == 888
    # a bad file changes nothing and says why, with its line
    bad = slack.standin.add_file("rusak.csv", b"date,channel,metric,value\n"
                                 b"2026-11-20,instagram,saves,banyak\n")
    await slack.event({"type": "message", "subtype": "file_share", "channel_type": "im",
                       "channel": "D0EDITOR", "user": "U0ED", "text": "impor", "files": [bad],
                       "ts": "1790000000.001000"}, event_id="Ev011")
    posts = await slack.standin.wait_calls("chat.postMessage", 2)
    assert "2" in posts[1].params["text"] and "banyak" in posts[1].params["text"]
    assert slack.app.store.snapshot_value(ws.id, _instagram(slack), "saves",
                                          date(2026, 11, 20), "") == 777
    # a file too large is not even downloaded
    huge = slack.standin.add_file("besar.csv", b"x", size=50 * 2**20)
    await slack.event({"type": "message", "subtype": "file_share", "channel_type": "im",
                       "channel": "D0EDITOR", "user": "U0ED", "text": "", "files": [huge],
                       "ts": "1790000000.001100"}, event_id="Ev012")
    posts = await slack.standin.wait_calls("chat.postMessage", 3)
    assert "50" in posts[2].params["text"]
    assert len(slack.standin.calls_to("download")) == 2


# -- charts, rate limits ----------------------------------------------------------------------------

async def test_chart_is_uploaded_with_the_three_step_flow(slack: Slack) -> None:
    image = png()
    await slack.platform.send(LINKED, Reply(title="Reach · semua kanal · minggu ini",
                                            body=["123.456"], chart=image))
    methods = [c.method for c in slack.standin.calls]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    get_url, upload, complete = slack.standin.calls
    assert get_url.params["filename"] == "grafik.png"
    assert int(get_url.params["length"]) == len(image)
    assert upload.body == image
    assert_png(upload.body)
    assert complete.params["channel_id"] == LINKED
    assert json.loads(complete.params["files"])[0]["id"] == upload.key
    assert "123.456" in complete.params["initial_comment"]
    assert not slack.standin.calls_to("files.upload")


async def test_grafik_command_uploads_a_png(slack: Slack) -> None:
    if "chart" not in slack.app.router.commands:
        pytest.skip("/grafik is not registered yet (bot/chart_command.py)")
    await slack.command("/grafik", "reach minggu ini")
    [complete] = await slack.standin.wait_calls("files.completeUploadExternal")
    [upload] = slack.standin.calls_to("upload")
    assert_png(upload.body)
    assert complete.params["channel_id"] == LINKED
    assert not slack.standin.calls_to("files.upload")
    # where the bot is not a member the chart can't be shared: the text comes with a hint
    slack.standin.not_member.add(LINKED)
    await slack.command("/grafik", "reach minggu ini", key="g2")
    [fallback] = await slack.standin.wait_for(lambda: slack.standin.calls_to("response"))
    assert fallback.params["response_type"] == "in_channel"
    assert "/invite" in fallback.params["text"]
    assert not slack.standin.calls_to("files.upload")


async def test_a_429_is_retried_after_retry_after_and_delivered_once(slack: Slack) -> None:
    slack.standin.rate_limit("chat.postMessage", retry_after=1)
    t0 = time.monotonic()
    await slack.command("/kpi", "reach minggu ini")
    await slack.standin.wait_calls("chat.postMessage", timeout=15)
    attempts = slack.standin.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0
    assert time.monotonic() - t0 >= 1.0
    await asyncio.sleep(0.3)
    assert len(slack.standin.delivered()) == 1


async def test_pacer_spaces_messages_per_channel() -> None:
    pacer = ChannelPacer(interval=0.2)
    t0 = time.monotonic()
    await asyncio.gather(*(pacer.wait("C1") for _ in range(3)), pacer.wait("C2"))
    assert 0.35 <= time.monotonic() - t0 < 1.0
    t1 = time.monotonic()
    await pacer.wait("C3")
    assert time.monotonic() - t1 < 0.05


# -- serve, Socket Mode, configuration ----------------------------------------------------------------

async def test_kpibot_serve_runs_slack_on_the_one_http_server(db_engine: Engine,
                                                               standin: SlackStandIn) -> None:
    app = seeded_app(db_engine, slack_settings(standin))
    stop = asyncio.Event()
    ports: list[int] = []

    async def started(port: int) -> None:
        ports.append(port)

    task = asyncio.create_task(serve(app, stop=stop, on_started=started))
    try:
        while not ports:
            await asyncio.sleep(0.02)
        async with aiohttp.ClientSession() as http:
            run = Slack(app, None, standin,  # type: ignore[arg-type]
                        f"http://127.0.0.1:{ports[0]}/slack/events", http)
            async with http.get(f"http://127.0.0.1:{ports[0]}/healthz") as health:
                assert health.status == 200
            assert (await run.command("/kpi", "reach minggu ini"))[0] == 200
            [post] = await standin.wait_calls("chat.postMessage")
            expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
            assert expected in post.params["text"]
            assert (await run.command("/kpi", "reach", secret="x"))[0] == 401
    finally:
        stop.set()
        await task


async def test_one_process_serves_telegram_and_slack(db_engine: Engine,
                                                     standin: SlackStandIn) -> None:
    from tests.telegram_standin import BotApiStandin

    tg_token = "123456789:AAHslack-and-telegram_abcdefghijklmno"
    async with BotApiStandin(tg_token) as telegram:
        settings = slack_settings(standin, telegram_token=SecretStr(tg_token),
                                  telegram_api_url=telegram.url)
        app = seeded_app(db_engine, settings)
        ws = app.store.workspace("demo")
        assert ws is not None
        app.store.link_chat(ws.id, "telegram", "1001", Role.VIEWER)
        stop = asyncio.Event()
        ports: list[int] = []

        async def started(port: int) -> None:
            ports.append(port)

        task = asyncio.create_task(serve(app, stop=stop, on_started=started))
        try:
            await standin.wait_for(lambda: ports or task.done())
            async with aiohttp.ClientSession() as http:
                run = Slack(app, None, standin,  # type: ignore[arg-type]
                            f"http://127.0.0.1:{ports[0]}/slack/events", http)
                assert (await run.command("/kpi", "reach minggu ini"))[0] == 200
                telegram.inject(telegram.message(1001, "/kpi reach minggu ini"))
                [slack_post] = await standin.wait_calls("chat.postMessage")
                [tg_post] = await telegram.wait_for("sendMessage")
            expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
            assert expected in slack_post.params["text"]
            assert expected in str(tg_post.params["text"])
        finally:
            stop.set()
            await task


async def test_socket_mode(db_engine: Engine, standin: SlackStandIn) -> None:
    app = seeded_app(db_engine, slack_settings(standin, slack_app_token="xapp-1-A0KPI-test",
                                               slack_signing_secret=None))
    platform = SlackPlatform(app)
    assert platform.routes() == []
    await platform.start()
    try:
        [opened] = await standin.wait_calls("apps.connections.open")
        assert opened.authorization == "Bearer xapp-1-A0KPI-test"
        await standin.send_envelope({
            "envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
            "payload": {"team_id": TEAM_ID, "channel_id": LINKED, "user_id": "U0VIEWER",
                        "user_name": "sari", "command": "/kpi", "text": "reach minggu ini",
                        "api_app_id": "A0KPI", "response_url": standin.response_url("s"),
                        "trigger_id": "1.2.3"}})
        [post] = await standin.wait_calls("chat.postMessage")
        expected = fmt.metric_value(METRICS["reach"], expected_reach_this_week())
        assert expected in post.params["text"]
        await standin.wait_for(lambda: any(a.get("envelope_id") == "env-1"
                                           for a in standin.socket_acks))
    finally:
        await platform.stop()


def test_http_mode_needs_a_signing_secret(db_engine: Engine) -> None:
    settings = Settings(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=None,
                        slack_app_token=None)
    app = bootstrap(settings, engine=db_engine, check_schema=False)
    with pytest.raises(SlackConfigError, match="SIGNING_SECRET"):
        SlackPlatform(app)


# -- rendering, manifest ----------------------------------------------------------------------------

def test_block_kit_rendering() -> None:
    reply = Reply(title="Reach · instagram · minggu ini (16–22 Nov 2026)",
                  body=["12.345", "🟢 ▲ +12,2%"], footer="dibanding 9–15 Nov 2026: 11.000")
    blocks = render_blocks(reply)
    assert blocks[0] == {"type": "header", "text": {
        "type": "plain_text", "text": reply.title, "emoji": True}}
    assert blocks[1]["text"] == {"type": "mrkdwn", "text": "*12.345*\n🟢 ▲ +12,2%"}
    assert blocks[2]["elements"][0]["text"] == "dibanding 9–15 Nov 2026: 11.000"
    long = render_blocks(Reply(title="x" * 400, body=["<b> & " + "y" * 100] * 80,
                               intent="summary"))
    assert len(long[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in long[1:])
    assert "&lt;b&gt; &amp;" in long[1]["text"]["text"]
    assert len(long) > 2


def test_plain_text_strips_slack_markup() -> None:
    assert plain_text("<@UKPIBOT> berapa reach &amp; ER di <#C1|marketing>?", "UKPIBOT") == \
        "berapa reach & ER di marketing?"
    assert plain_text("<@UKPIBOT|kpibot>   lihat <https://x.id|situs>", "UKPIBOT") == \
        "lihat situs"
    # only the bot's own mention is dropped: another user's stays, for /peran
    assert plain_text("<@UKPIBOT> /peran <@U123ABC> editor", "UKPIBOT") == \
        "/peran <@U123ABC> editor"
    assert plain_text("<@UKPIBOT> /peran <@U123ABC|budi> editor", "UKPIBOT") == \
        "/peran <@U123ABC> editor"
    assert plain_text("/peran <@U123ABC> editor") == "/peran <@U123ABC> editor"


def test_manifest_has_every_router_command_and_the_events() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    listed = {c["command"] for c in manifest["features"]["slash_commands"]}
    app = bootstrap(Settings(database_url="sqlite://"))
    names = {f"/{n}" for c in app.router.commands.values() for n in (c.id_name, c.en_name)}
    missing = {n for n in names if n.lstrip("/") not in RESERVED_COMMANDS} - listed
    assert not missing, f"add to adapters/chat/slack_manifest.yml: {sorted(missing)}"
    assert {"/kpi", "/grafik", "/bandingkan", "/ringkasan", "/target", "/catat", "/bantuan",
            "/undang", "/gabung"} <= listed
    for c in manifest["features"]["slash_commands"]:
        word = c["command"].lstrip("/")
        assert word in COMMANDS and word not in RESERVED_COMMANDS
        assert c["url"].endswith("/slack/events") and c["description"]
    assert len(listed) <= 50
    assert set(command_words(app)) >= listed
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "files:write", "files:read", "app_mentions:read",
            "im:history"} <= scopes


async def test_ya_accepts_the_last_suggestion_in_a_dm(slack: Slack) -> None:
    """Issue 12: "maksud Anda …?", then "ya" answers the corrected question."""
    ws = slack.app.store.workspace("demo")
    assert ws is not None
    slack.app.store.link_chat(ws.id, "slack", "D0SARI", Role.VIEWER)
    for n, text in enumerate(("rech ig minggu ini", "ya")):
        await slack.event({"type": "message", "channel_type": "im", "channel": "D0SARI",
                           "user": "U0SARI", "text": text, "ts": f"1790000001.00010{n}"},
                          event_id=f"EvYa{n}")
        await slack.standin.wait_for(
            lambda n=n: len([c for c in slack.standin.calls if c.status == 200
                             and c.params.get("channel") == "D0SARI"]) > n)
    said = [str(c.params.get("text", "")) for c in slack.standin.calls
            if c.status == 200 and c.params.get("channel") == "D0SARI"]
    assert "Maksud Anda: reach?" in said[0]
    expected = fmt.metric_value(METRICS["reach"], sum(
        r.value for r in demo_rows(TODAY) if r.metric == "reach" and r.platform == "instagram"
        and not r.handle and date(2026, 11, 16) <= r.day <= TODAY))
    assert expected in said[1]
