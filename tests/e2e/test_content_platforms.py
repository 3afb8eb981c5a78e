"""/konten and /audiens through the real adapters (issue 16): PTB against the Telegram Bot API
stand-in and slack-bolt + slack-sdk against the Slack stand-in, on the demo brand with one
more post whose caption carries ``<``, ``&`` and ``*`` and whose link carries ``&``. The
tests read what the stand-ins received: Telegram HTML whose only markup is the bot's bold,
Slack mrkdwn with no markup from the caption, and the links as typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from pydantic import SecretStr
from sqlalchemy import Engine

from adapters.chat.slack import SlackPlatform
from adapters.chat.telegram import TelegramPlatform
from adapters.http.server import build_web_app
from bot.bootstrap import App
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.domain.model import Role
from kpi_engine.storage.posts import ContentStore
from tests.e2e.test_slack import (
    TODAY,
    Slack,
    assert_png,
    block_text,
    seeded_app,
    slack_settings,
)
from tests.slack_standin import SlackStandIn
from tests.telegram_standin import BotApiStandin, parse_html

TG_TOKEN = "123456789:AAHcontent-posts_abcdefghijklmnopqr"
TG_CHAT = 3001
CAPTION = "Promo <b>kopi</b> & susu *gratis* <!channel>"
LINK = "https://www.instagram.com/p/HOSTILE1/?a=1&b=2"


@dataclass
class Both:
    app: App
    slack: Slack
    api: BotApiStandin


def _hostile_post(app: App) -> None:
    """Today's instagram post with 99,999 likes: first in "/konten minggu ini"."""
    ws = app.store.workspace("demo")
    assert ws is not None
    when = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 08:00 in Jakarta
    ContentStore(app.store).write_posts(
        ws.id, ws.timezone, [PostRow("instagram", "", "HOSTILE1", when, "reel", CAPTION, LINK)],
        [PostMetricRow("instagram", "", "HOSTILE1", TODAY, "likes", 99999)])
    app.store.link_chat(ws.id, "telegram", str(TG_CHAT), Role.VIEWER)


@pytest.fixture
async def both(db_engine: Engine) -> AsyncIterator[Both]:
    standin = await SlackStandIn().start()
    async with BotApiStandin(TG_TOKEN) as api:
        settings = slack_settings(standin, telegram_token=SecretStr(TG_TOKEN),
                                  telegram_api_url=api.url)
        app = seeded_app(db_engine, settings)
        _hostile_post(app)
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
                                      f"http://127.0.0.1:{port}/slack/events", http), api)
        finally:
            await telegram.stop()
            await platform.stop()
            await runner.cleanup()
            await standin.stop()


async def test_konten_on_telegram_shows_the_caption_and_link_as_typed(both: Both) -> None:
    api = both.api
    api.inject(api.message(TG_CHAT, "/konten minggu ini"))
    [sent] = await api.wait_for("sendMessage", 1, chat_id=TG_CHAT)
    raw = str(sent.params["text"])
    assert sent.params.get("parse_mode") == "HTML"
    shown, entities = parse_html(raw)
    assert {e["type"] for e in entities} == {"bold"}  # the title only
    lines = shown.split("\n")
    assert lines[0].startswith("Konten terbaik · Engagement · semua kanal sendiri · minggu ini")
    assert lines[1] == "1. Reel · 22 Nov 2026 · instagram — 99.999 engagement"
    assert lines[2] == f"   “{CAPTION}”" and lines[3] == f"   {LINK}"
    assert "&lt;b&gt;kopi&lt;/b&gt; &amp; susu *gratis* &lt;!channel&gt;" in raw
    assert "https://www.instagram.com/p/HOSTILE1/?a=1&amp;b=2" in raw
    assert "<b>kopi" not in raw


async def test_audiens_on_telegram_is_a_chart_with_its_text(both: Both) -> None:
    api = both.api
    api.inject(api.message(TG_CHAT, "/audiens instagram bulan ini"))
    [photo] = await api.wait_for("sendPhoto", 1, chat_id=TG_CHAT)
    caption, entities = parse_html(str(photo.params["caption"]))
    assert caption.startswith("Audiens · instagram · bulan ini")
    assert {e["type"] for e in entities} == {"bold"}
    assert "Kota teratas" in caption and "• Jakarta: " in caption


async def test_konten_on_slack_shows_no_markup_from_the_caption(both: Both) -> None:
    slack, standin = both.slack, both.slack.standin
    status, _ = await slack.command("/konten", "minggu ini")
    assert status == 200
    [post] = await standin.wait_calls("chat.postMessage")
    text = block_text(post.params["blocks"])
    fallback = str(post.params["text"])
    for sent in (text, fallback):
        assert "&lt;b&gt;kopi&lt;/b&gt; &amp; susu ∗gratis∗ &lt;!channel&gt;" in sent
        assert "<!channel>" not in sent and "*gratis*" not in sent and "<b>" not in sent
        assert "https://www.instagram.com/p/HOSTILE1/?a=1&amp;b=2" in sent
    assert "1. Reel · 22 Nov 2026 · instagram — 99.999 engagement" in text


async def test_audiens_on_slack_uploads_the_chart_with_a_bold_mrkdwn_title(both: Both) -> None:
    slack, standin = both.slack, both.slack.standin
    await slack.command("/audience", "instagram this month")
    [complete] = await standin.wait_calls("files.completeUploadExternal")
    comment = str(complete.params["initial_comment"])
    assert comment.startswith("*Audience · instagram · this month")
    assert comment.split("\n")[0].endswith("*") and "<b>" not in comment
    assert "• Jakarta: " in comment
    [upload] = standin.calls_to("upload")
    assert_png(upload.body)
