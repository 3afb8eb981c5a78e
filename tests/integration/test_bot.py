"""The conversation through the real router: answers, bad input, permissions, languages."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot import command_names as names
from bot.bootstrap import App
from bot.reply import Request
from bot.router import Command
from kpi_engine.domain.model import Role
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.conftest import Conversation

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JKT)  # Sunday
TODAY = NOW.date()


@pytest.fixture
def bot(app: App) -> Conversation:
    seed_demo(app.store, TODAY)
    return Conversation(app, NOW)


@pytest.fixture
def chat(app: App) -> Conversation:
    """A Telegram group linked to the demo workspace as viewer; user 7 is an editor."""
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "telegram", "-100", Role.VIEWER)
    app.store.link_chat(ws.id, "telegram", "-100", Role.EDITOR, user_id="7")
    return Conversation(app, NOW, platform="telegram", chat_id="-100", user_id="8", workspace=None)


def own_sum(metric: str, start: date, end: date) -> float:
    return sum(r.value for r in demo_rows(TODAY) if r.metric == metric and not r.handle
               and start <= r.day <= end)


def idn(n: float) -> str:
    return f"{round(n):,}".replace(",", ".")


def test_kpi_reach_this_week_in_indonesian_format(bot: Conversation) -> None:
    reply = bot.reply("/kpi reach minggu ini")
    expected = own_sum("reach", date(2026, 11, 16), TODAY)
    assert reply.data["value"] == expected
    assert idn(expected) in reply.text
    assert reply.text.startswith("Jangkauan")
    assert "dibanding 9–15 Nov 2026" in reply.text


def test_sentence_and_command_are_the_same_request(bot: Conversation) -> None:
    a = bot.reply("/kpi engagement instagram bulan lalu").data
    b = bot.reply("berapa engagement instagram bulan lalu?").data
    assert a == b and a["value"] is not None


def test_english_sentence_gets_english_reply(bot: Conversation) -> None:
    reply = bot.reply("how many clicks last week")
    assert reply.lang == "en" and reply.text.startswith("Clicks")
    assert "vs 2–8 Nov 2026" in reply.text


def test_workspace_language_english(bot: Conversation, app: App) -> None:
    ws = app.store.workspace("demo")
    assert ws is not None
    app.store.set_workspace_language(ws.id, "en")
    assert bot.reply("/kpi reach").text.startswith("Reach")


def test_summary_without_metric(bot: Conversation) -> None:
    reply = bot.reply("/kpi")
    assert reply.intent == "summary"
    for heading in ("Jangkauan", "Engagement", "Konversi", "Kepuasan pelanggan"):
        assert f"■ {heading}" in reply.text


def test_compare_marks_competitor(bot: Conversation) -> None:
    reply = bot.reply("/bandingkan followers bulan ini")
    assert "instagram:@kopirival (pesaing)" in reply.text
    assert "Total kanal sendiri" in reply.text


def test_arrow_respects_direction(bot: Conversation) -> None:
    # spend: lower is better, so a rise is red and a fall is green
    reply = bot.reply("/kpi spend minggu ini")
    line = next(line for line in reply.body if "▲" in line or "▼" in line)
    assert ("🔴" in line) == ("▲" in line)


@pytest.mark.parametrize(("text", "code", "needle"), [
    ("", "empty", "kosong"),
    ("   ", "empty", "kosong"),
    ("/foo", "unknown_command", "/bantuan"),
    ("/kpi rech minggu ini", "unknown_metric", "Maksud Anda: reach?"),
    ("/kpi reach snapchat", "unknown_channel", "instagram"),
    ("/kpi reach bulan depan", "period_future", "belum terjadi"),
    ("/kpi reach Desember 2027", "period_future", "belum terjadi"),
    ("/bandingkan", "compare_needs_metric", "/bandingkan reach"),
    ("asdf qwerty", "not_understood", "/bantuan"),
])
def test_bad_input_gets_a_clear_indonesian_reply(bot: Conversation, text: str, code: str,
                                                 needle: str) -> None:
    reply = bot.reply(text)
    assert reply.intent == "error" and reply.error == code
    assert needle in reply.text
    assert "Traceback" not in reply.text


def test_bad_input_in_english(bot: Conversation) -> None:
    reply = bot.reply("/kpi rech this week", lang="en")
    assert reply.text == 'Unknown metric "rech". Did you mean: reach? Reply "yes" to use it.'
    # the hint is kept: "yes" answers the corrected question
    assert bot.reply("yes", lang="en").data["metric"] == "reach"


@pytest.mark.parametrize(("text", "code"), [
    ("/catat instagram followers -5", "record_negative"),
    ("/catat instagram reach banyak", "record_bad_value"),
    ("/catat instagram reach 1e30", "record_bad_value"),
    ("/catat instagram reach 9.999.999.999.999", "record_absurd"),
    ("/catat instagram engagement 50", "record_derived"),
    ("/catat instagram er 5", "record_derived"),
    ("/catat snapchat reach 5", "record_new_channel"),
    ("/catat reach 5", "record_needs_channel"),
    ("/catat instagram reach", "record_usage"),
    ("/catat instagram reach 5 bulan lalu", "record_not_day"),
    ("/catat instagram reach 5 besok", "period_future"),
])
def test_record_refuses_bad_values_and_changes_nothing(bot: Conversation, app: App, text: str,
                                                       code: str) -> None:
    before = app.store.count_snapshots()
    reply = bot.reply(text)
    assert reply.error == code, reply.text
    assert app.store.count_snapshots() == before


def test_record_writes_and_replaces(bot: Conversation, app: App) -> None:
    reply = bot.reply("/catat instagram followers 41.250 kemarin")
    assert reply.intent == "record" and reply.data["value"] == 41250
    assert "menggantikan" in reply.text  # the demo had a value that day
    ws = app.store.workspace("demo")
    assert ws is not None
    ig = next(c for c in app.store.channels(ws.id) if c.name == "instagram")
    assert app.store.snapshot_value(ws.id, ig.id, "followers", TODAY - timedelta(days=1)) == 41250
    again = bot.reply("/catat instagram reach 1,5 jt")
    assert again.data["value"] == 1_500_000 and again.data["day"] == TODAY.isoformat()


def test_unlinked_chat_learns_nothing(app: App, bot: Conversation) -> None:
    stranger = Conversation(app, NOW, platform="telegram", chat_id="999", user_id="1", workspace=None)
    for text in ("/kpi reach minggu ini", "berapa followers?", "/ringkasan", "/bandingkan reach"):
        reply = stranger.reply(text)
        assert reply.error == "not_linked"
        assert "Kopi" not in reply.text and "instagram" not in reply.text
    assert stranger.reply("/bantuan").intent == "help"


def test_viewer_may_ask_but_not_record(chat: Conversation) -> None:
    assert chat.reply("/kpi reach").intent == "kpi"
    refused = chat.reply("/catat instagram reach 5")
    assert refused.error == "no_permission" and "editor" in refused.text
    editor = chat.reply("/catat instagram reach 5", user_id="7")
    assert editor.intent == "record"


def test_no_trace_reaches_the_chat(app: App, bot: Conversation,
                                   caplog: pytest.LogCaptureFixture) -> None:
    def boom(_ctx: object) -> None:
        raise RuntimeError("database on fire")

    app.router.register(Command(names.KPI, Role.VIEWER, boom,  # type: ignore[arg-type]
                                "", ""))
    with caplog.at_level(logging.ERROR):
        reply = app.router.handle(Request(text="/kpi reach", platform="cli", now=NOW))
    assert reply.error == "internal_error"
    assert "database on fire" not in reply.text and "Traceback" not in reply.text
    assert "database on fire" in caplog.text


def test_help_lists_only_registered_commands(bot: Conversation, app: App) -> None:
    text = bot.reply("/bantuan").text
    for cmd in app.router.commands.values():
        assert f"/{cmd.id_name}" in text
    english = bot.reply("/help").text
    assert "/summary" in english and "/ringkasan" in english


def test_stale_gauge_says_from_which_day(bot: Conversation, app: App) -> None:
    ws = app.store.workspace("demo")
    assert ws is not None
    # YouTube subscribers exist only in the demo window; ask about a later week (no new data)
    later = Conversation(app, NOW + timedelta(days=14))
    reply = later.reply("/kpi subscribers youtube minggu ini")
    assert reply.data["as_of"] == TODAY.isoformat()
    assert "Nilai terakhir tercatat 22 Nov 2026" in reply.text


def test_any_message_teaches_the_bot_a_username(chat: Conversation, app: App) -> None:
    chat.reply("/kpi reach", user_id="55", user_name="Budi")
    assert app.store.find_user("telegram", "-100", "@budi") == "55"
    ws = app.store.workspace("demo")
    assert ws is not None
    app.store.link_chat(ws.id, "telegram", "-100", Role.ADMIN, user_id="1")
    done = chat.reply("/peran @budi editor", user_id="1")
    assert done.intent == "role", done.text
    assert chat.reply("/catat instagram reach 5", user_id="55").intent == "record"


def test_a_chat_question_costs_three_statements(chat: Conversation, app: App) -> None:
    """Access (link + workspace), the workspace's channels and campaigns, the answer."""
    from tests.integration.test_engine import count_statements

    chat.reply("/kpi reach", user_name="sari")  # first sighting of the username is written
    with count_statements(app.engine) as seen:
        reply = chat.reply("/kpi reach minggu ini", user_name="sari")
    assert reply.intent == "kpi"
    assert len(seen) == 3, seen


def test_channels_and_campaigns_in_one_round_trip(app: App) -> None:
    ws, _ = seed_demo(app.store, TODAY)
    channels, campaigns = app.store.channels_and_campaigns(ws.id)
    assert [c.name for c in channels] == [c.name for c in app.store.channels(ws.id)]
    assert campaigns == app.store.campaigns(ws.id) == ["gajian", "ramadan"]
