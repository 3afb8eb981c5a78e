"""Issue 12 through the real router on the demo brand: chat abbreviations, handles without
@, side-by-side answers, breakdowns, growth, clarifications, "ya", small talk. Every
number is summed by hand from the demo's raw rows inside the test."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import App
from bot.conversation import SuggestionMemory
from bot.understanding import closest, expand, is_confirmation, small_talk
from kpi_engine.domain.metrics import ALIASES, suggest
from kpi_engine.domain.model import Role
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.conftest import Conversation

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JKT)  # a Sunday
TODAY = NOW.date()
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)
WEEK_START = date(2026, 11, 16)


@pytest.fixture
def bot(app: App) -> Conversation:
    seed_demo(app.store, TODAY)
    return Conversation(app, NOW)


@pytest.fixture
def chat(app: App) -> Conversation:
    """A linked Telegram chat of an admin: the memory is keyed by platform, chat and user."""
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "telegram", "-100", Role.ADMIN)
    return Conversation(app, NOW, platform="telegram", chat_id="-100", user_id="8",
                        workspace=None)


def total(metric: str, start: date, end: date, platform: str | None = None,
          handle: str = "", campaign: str | None = None) -> float:
    """A counter summed from the demo rows (own channels unless ``handle``)."""
    return sum(r.value for r in demo_rows(TODAY) if r.metric == metric
               and start <= r.day <= end and r.handle == handle
               and (platform is None or r.platform == platform)
               and (campaign is None or r.campaign == campaign))


def level(metric: str, day: date, platform: str, handle: str = "") -> float:
    """A gauge: the last value on or before ``day``."""
    rows = [r for r in demo_rows(TODAY) if r.metric == metric and r.platform == platform
            and r.handle == handle and r.day <= day]
    return max(rows, key=lambda r: r.day).value


# --- abbreviations, handles, metric phrases ------------------------------------------------

def test_bln_lalu_is_last_month_not_this_week(bot: Conversation) -> None:
    reply = bot.reply("reach ig bln lalu")
    assert reply.data["period"]["start"] == "2026-10-01"
    assert reply.data["period"]["end"] == "2026-10-31"
    assert reply.data["value"] == total("reach", OCT_1, OCT_31, "instagram")


def test_a_competitor_handle_without_at(bot: Conversation) -> None:
    with_at = bot.reply("berapa followers @kopirival?").data
    without = bot.reply("berapa followers kopirival?").data
    assert without["channel"] == "instagram:@kopirival"
    assert without["value"] == level("followers", TODAY, "instagram", "@kopirival")
    assert without == with_at
    ours = bot.reply("berapa followers ig?").data
    assert ours["value"] == level("followers", TODAY, "instagram") != without["value"]


def test_traffic_website_in_either_order_is_the_metric(bot: Conversation) -> None:
    a = bot.reply("website traffic bulan ini")
    b = bot.reply("traffic website bulan ini")
    assert a.intent == b.intent == "kpi"
    assert a.data["metric"] == b.data["metric"] == "website_visits"
    assert a.data["value"] == b.data["value"] == total("website_visits", date(2026, 11, 1),
                                                       TODAY)


def test_by_reach_is_err(bot: Conversation) -> None:
    reply = bot.reply("engagement rate by reach ig")
    assert reply.data["metric"] == "engagement_rate_reach"
    parts = ("likes", "comments", "shares", "saves")
    engagement = sum(total(m, WEEK_START, TODAY, "instagram") for m in parts)
    assert reply.data["value"] == pytest.approx(
        100 * engagement / total("reach", WEEK_START, TODAY, "instagram"), abs=1e-4)


def test_growth_questions_answer_the_growth(bot: Conversation) -> None:
    before = WEEK_START - timedelta(days=1)
    growth = sum(level("followers", TODAY, p) - level("followers", before, p)
                 for p in ("instagram", "tiktok", "youtube")
                 if any(r.metric == "followers" and r.platform == p and not r.handle
                        for r in demo_rows(TODAY)))
    reply = bot.reply("followers naik berapa minggu ini?")
    assert reply.data["metric"] == "follower_growth"
    assert reply.data["value"] == growth
    rate = bot.reply("growth followers ig bulan ini berapa persen")
    start = date(2026, 10, 31)
    expected = 100 * (level("followers", TODAY, "instagram")
                      - level("followers", start, "instagram")) / level("followers", start,
                                                                       "instagram")
    assert rate.data["metric"] == "follower_growth_rate"
    assert rate.data["value"] == pytest.approx(expected, abs=1e-4)


def test_naik_atau_turun_dibanding_bulan_lalu_is_this_month(bot: Conversation) -> None:
    data = bot.reply("er ig naik ato turun dibanding bulan lalu").data
    assert data["metric"] == "engagement_rate"
    assert (data["period"]["start"], data["period"]["end"]) == ("2026-11-01", "2026-11-22")
    assert data["previous"]["start"] == "2026-10-01"


# --- side by side and breakdowns -----------------------------------------------------------

def test_two_channels_side_by_side(bot: Conversation) -> None:
    reply = bot.reply("reach ig vs tiktok")
    assert reply.intent == "compare" and reply.data["by"] == "channel"
    assert reply.title.startswith("Jangkauan · instagram vs tiktok · minggu ini")
    values = {row["key"]: row["value"] for row in reply.data["rows"]}
    assert values == {"instagram": total("reach", WEEK_START, TODAY, "instagram"),
                      "tiktok": total("reach", WEEK_START, TODAY, "tiktok")}
    rival = bot.reply("followers ig vs kopirival").data["rows"]
    assert [(r["key"], r["competitor"]) for r in rival] == [
        ("instagram", False), ("instagram:@kopirival", True)]
    assert rival[1]["value"] == level("followers", TODAY, "instagram", "@kopirival")


def test_two_campaigns_side_by_side(bot: Conversation) -> None:
    reply = bot.reply("bandingin revenue gajian sama ramadan tahun ini")
    assert reply.data["by"] == "campaign" and reply.data["keys"] == ["gajian", "ramadan"]
    assert "gajian vs ramadan" in reply.title
    start = date(2026, 1, 1)
    values = {row["key"]: row["value"] for row in reply.data["rows"]}
    assert values == {c: pytest.approx(total("revenue", start, TODAY, campaign=c))
                      for c in ("gajian", "ramadan")}
    assert all(v > 0 for v in values.values())


def test_per_kanal_keeps_campaign_and_period(bot: Conversation) -> None:
    reply = bot.reply("revenue per kanal kampanye gajian bulan ini")
    assert reply.intent == "compare" and "kampanye gajian" in reply.title
    rows = {row["channel"]: row["value"] for row in reply.data["rows"]}
    start = date(2026, 11, 1)
    for platform in ("instagram", "tiktok"):
        assert rows[platform] == pytest.approx(
            total("revenue", start, TODAY, platform, campaign="gajian"))


def test_which_campaign_is_best_is_roi_over_all_campaigns(bot: Conversation) -> None:
    # /roi over all campaigns until rankings existed; since issue 15 every campaign ranked by
    # ROI, each value the one /kpi gives for that campaign
    reply = bot.reply("kampanye mana yang paling untung?")
    assert (reply.intent, reply.data["by"], reply.data["metric"]) == ("rank", "campaign", "roi")
    assert reply.data["campaign"] is None
    assert "mana" not in reply.text.lower().split()
    rows = [r for r in reply.data["rows"] if r["value"] is not None]
    assert rows
    for r in rows:
        assert r["value"] == bot.reply(f"/kpi roi kampanye {r['key']}").data["value"]
    values = [r["value"] for r in rows]
    assert values == sorted(values, reverse=True)


# --- clarifications and "ya" ---------------------------------------------------------------

def test_a_garbled_period_is_asked_back_and_ya_answers_it(chat: Conversation) -> None:
    asked = chat.reply("reach ig bln kmarin")
    assert asked.error == "unclear" and "value" not in asked.data
    assert '"bln kmarin"' in asked.text and "bulan lalu?" in asked.text
    assert (asked.data["unclear"], asked.data["suggestion"]) == ("bln kmarin", "bulan lalu")
    assert asked.data["metric"] == "reach" and asked.data["channel"] == "instagram"
    answer = chat.reply("ya")
    assert answer.intent == "kpi"
    assert answer.data["value"] == total("reach", OCT_1, OCT_31, "instagram")
    again = chat.reply("ya")  # accepted once: nothing is waiting any more
    assert again.error == "confirm_nothing"


def test_the_suggestion_is_per_chat_and_user_and_expires(chat: Conversation) -> None:
    chat.reply("rech ig bulan lalu")
    other_user = chat.reply("iya", user_id="9")
    assert other_user.error == "confirm_nothing"
    late = chat.reply("iya", now=NOW + timedelta(minutes=6))
    assert late.error == "confirm_nothing"
    chat.reply("rech ig bulan lalu")
    soon = chat.reply("betul", now=NOW + timedelta(minutes=4))
    assert soon.data["metric"] == "reach"
    assert soon.data["value"] == total("reach", OCT_1, OCT_31, "instagram")


def test_an_unknown_campaign_is_never_a_filter(bot: Conversation) -> None:
    reply = bot.reply("revenue kampanye blackfriday bulan ini")
    assert reply.error == "unclear_campaign" and "value" not in reply.data
    assert "blackfriday" in reply.text and "gajian" in reply.text


def test_a_huge_count_of_days_is_a_period_error(bot: Conversation) -> None:
    reply = bot.reply("/kpi reach 999999999999 hari terakhir")
    assert reply.error == "period_invalid" and "value" not in reply.data
    assert "999999999999 hari terakhir" in reply.text


def test_english_chat_gets_english_clarification(bot: Conversation) -> None:
    reply = bot.reply("show me reach on instagram last mnth")
    assert reply.error == "unclear" and reply.lang == "en"
    assert "Did you mean: last month?" in reply.text


# --- small talk, alerts, digests, a command in the middle ----------------------------------

def test_small_talk_is_short_and_friendly(bot: Conversation, app: App) -> None:
    thanks = bot.reply("makasih ya")
    assert thanks.intent == "smalltalk" and thanks.text.startswith("Sama-sama")
    assert bot.reply("thanks!").text.startswith("You're welcome")
    assert "reach" in bot.reply("halo").text
    assert bot.reply("siapa kamu?").text.startswith("Saya KPI Bot")
    stranger = Conversation(app, NOW, platform="telegram", chat_id="777", user_id="1",
                            workspace=None)
    hello = stranger.reply("halo")
    assert hello.intent == "smalltalk" and "Kopi" not in hello.text


def test_alert_and_digest_sentences(chat: Conversation) -> None:
    assert chat.ask("ada alert apa aja?") == chat.ask("/alert")
    reply = chat.reply("tolong kasih digest harian")
    assert reply.intent == "subscribe"
    assert (reply.data["kind"], reply.data["time"]) == ("daily", "08:00")


def test_a_command_in_the_middle_of_a_message(bot: Conversation, app: App) -> None:
    reply = bot.reply("eh salah, /catat instagram followers 42.344 kemarin")
    assert reply.intent == "record"
    assert reply.data == {"metric": "followers", "channel": "instagram", "day": "2026-11-21",
                          "value": 42344.0, "campaign": None, "replaced": True}


# --- the pieces ----------------------------------------------------------------------------

def test_rapidfuzz_finds_what_difflib_is_asked_for() -> None:
    for typo, key in (("rech", "reach"), ("folowers", "followers"), ("jangkuan", "reach"),
                      ("pengikt", "followers")):
        assert suggest(typo, cutoff=0.75) == key
        found = closest(typo, tuple(ALIASES))
        assert found is not None and ALIASES[found[0]] == key
    assert closest("ig", ("er",)) is None  # short words only match exactly


def test_abbreviations_expand_word_by_word() -> None:
    text, typed = expand("brp reach ig bln lalu, @dr kmrn?")
    assert text == "berapa reach ig bulan lalu, @dr kemarin?"
    assert typed == {"berapa": "brp", "bulan": "bln", "kemarin": "kmrn"}
    assert small_talk("makasih ya kak 😊") == "thanks"
    assert small_talk("makasih, reach ig berapa?") is None
    assert is_confirmation("iya") and is_confirmation("y") and not is_confirmation("ya reach")


def test_memory_forgets_the_oldest_when_full() -> None:
    memory = SuggestionMemory(size=2)
    for n in range(3):
        memory.remember(("t", str(n), "u"), f"q{n}", NOW)
    assert memory.peek(("t", "0", "u"), NOW) is None
    assert memory.peek(("t", "2", "u"), NOW) == "q2"
    assert memory.peek(("t", "2", "u"), NOW + timedelta(minutes=5, seconds=1)) is None
