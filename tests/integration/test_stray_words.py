"""No silent drop (SPEC §5) for the words that slipped through before: a stray number in a
question ("/kpi reach ig 1990"), a misspelt ranking key ("peringkat reach knal"), and a
why-question whose premise is wrong ("kenapa reach turun?" when reach rose). Every number
is summed by hand from the demo's raw rows inside the test."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap import App
from kpi_engine.domain.model import Role
from kpi_engine.services.demo import demo_rows
from kpi_engine.services.seed import seed_demo
from tests.conftest import Conversation

JKT = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=JKT)  # a Sunday
TODAY = NOW.date()


@pytest.fixture
def chat(app: App) -> Conversation:
    ws, _ = seed_demo(app.store, TODAY)
    app.store.link_chat(ws.id, "telegram", "-100", Role.ADMIN)
    return Conversation(app, NOW, platform="telegram", chat_id="-100", user_id="8",
                        workspace=None)


def total(metric: str, start: date, end: date, platform: str | None = None) -> float:
    return sum(r.value for r in demo_rows(TODAY) if r.metric == metric and not r.handle
               and start <= r.day <= end and (platform is None or r.platform == platform))


# --- a stray number -----------------------------------------------------------------------

@pytest.mark.parametrize("text", ["/kpi reach ig 2026", "reach ig 2026", "brp reach ig 2026?"])
def test_a_bare_year_is_asked_back_then_answered_as_that_year(chat: Conversation,
                                                              text: str) -> None:
    asked = chat.reply(text)
    assert asked.error == "unclear" and "value" not in asked.data
    assert '"2026"' in asked.text and "tahun 2026" in asked.text
    answer = chat.reply("ya")
    assert answer.error is None and answer.data["metric"] == "reach"
    assert answer.data["period"]["start"] == "2026-01-01"
    assert answer.data["period"]["end"] == TODAY.isoformat()
    assert answer.data["value"] == total("reach", date(2026, 1, 1), TODAY, "instagram")


def test_a_year_without_data_is_still_asked_never_dropped(chat: Conversation) -> None:
    asked = chat.reply("/kpi reach ig 1990")
    assert asked.error == "unclear" and "value" not in asked.data
    assert asked.data["unclear"] == "1990" and asked.data["suggestion"] == "tahun 1990"
    answer = chat.reply("ya")
    assert answer.data["period"]["start"] == "1990-01-01" and answer.data["value"] is None


@pytest.mark.parametrize("text", ["reach ig 12345", "/kpi reach ig 5",
                                  "/kpi reach ig bulan lalu 2025", "/ringkasan 77"])
def test_any_other_stray_number_is_reported(chat: Conversation, text: str) -> None:
    reply = chat.reply(text)
    assert reply.error == "unclear_number" and "value" not in reply.data
    stray = text.split()[-1]
    assert f'"{stray}"' in reply.text and "periode" in reply.text


def test_numbers_that_are_read_stay_read(chat: Conversation) -> None:
    week = chat.reply("/kpi reach ig 7 hari terakhir")
    assert week.error is None
    assert week.data["value"] == total("reach", date(2026, 11, 16), TODAY, "instagram")
    assert chat.reply("/kpi reach 999999999999 hari terakhir").error == "period_invalid"
    assert chat.reply("reach ig okt 2026").data["value"] == total(
        "reach", date(2026, 10, 1), date(2026, 10, 31), "instagram")
    top = chat.reply("peringkat reach hari top 3 bulan lalu")
    assert top.error is None and len(top.data["rows"]) == 3


def test_english_year_reads_as_year(chat: Conversation) -> None:
    asked = chat.reply("show reach on instagram 2026")
    assert asked.error == "unclear" and asked.data["suggestion"] == "year 2026"


# --- a misspelt ranking key ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "word", "key", "by"), [
    ("peringkat reach knal", "knal", "kanal", "channel"),
    ("/peringkat reach knal bulan lalu", "knal", "kanal", "channel"),
    ("ranking revenue kampnye bulan ini", "kampnye", "kampanye", "campaign"),
])
def test_a_misspelt_ranking_key_is_offered_as_that_key(chat: Conversation, text: str,
                                                       word: str, key: str, by: str) -> None:
    asked = chat.reply(text)
    assert asked.error == "unclear" and "rows" not in asked.data
    assert f'"{word}"' in asked.text and f"{key}?" in asked.text
    assert "tidak ada" not in asked.text  # never "there is no such channel"
    ranked = chat.reply("ya")
    assert ranked.intent == "rank" and ranked.data["by"] == by and ranked.data["rows"]


def test_a_misspelt_channel_in_a_ranking_is_still_a_channel(chat: Conversation) -> None:
    asked = chat.reply("peringkat reach tiktk")
    assert asked.error == "unclear" and asked.data["suggestion"] == "tiktok"


# --- a why-question with the wrong premise ------------------------------------------------

def test_why_says_when_the_metric_moved_the_other_way(chat: Conversation) -> None:
    now = total("reach", date(2026, 11, 16), TODAY, "instagram")
    before = total("reach", date(2026, 11, 9), date(2026, 11, 15), "instagram")
    assert now != before
    rose = now > before
    wrong, right = ("turun", "naik") if rose else ("naik", "turun")
    contradicted = chat.reply(f"kenapa reach ig {wrong} minggu ini?")
    assert contradicted.intent == "explain"
    assert contradicted.data["change"] == pytest.approx(now - before)
    note = f"Catatan: jangkauan tidak {wrong}, justru {right}."
    assert contradicted.text.splitlines()[1] == note  # under the title, before the numbers
    confirmed = chat.reply(f"kenapa reach ig {right} minggu ini?")
    assert "Catatan" not in confirmed.text
    assert confirmed.data["asked_change"] == ("up" if rose else "down")
    neutral = chat.reply("kenapa reach ig minggu ini?")
    assert "Catatan" not in neutral.text and "asked_change" not in neutral.data


def test_why_in_english_says_it_too(chat: Conversation) -> None:
    now = total("reach", date(2026, 11, 16), TODAY)
    before = total("reach", date(2026, 11, 9), date(2026, 11, 15))
    wrong = "fall" if now > before else "rise"
    reply = chat.reply(f"why did reach {wrong} this week?")
    assert reply.lang == "en"
    assert f"did not {wrong}" in reply.text


# --- the same thing under each platform's name --------------------------------------------

def level(metric: str, day: date, platform: str) -> float:
    rows = [r for r in demo_rows(TODAY) if r.metric == metric and r.platform == platform
            and not r.handle and r.day <= day]
    return max(rows, key=lambda r: r.day).value


@pytest.mark.parametrize(("text", "asked", "metric", "platform"), [
    ("followers yt skrg", "followers", "subscribers", "youtube"),
    ("/kpi subscribers instagram", "subscribers", "followers", "instagram"),
])
def test_followers_of_youtube_are_its_subscribers(chat: Conversation, text: str, asked: str,
                                                  metric: str, platform: str) -> None:
    reply = chat.reply(text)
    assert reply.error is None and reply.data["metric"] == metric
    assert reply.data["asked_metric"] == asked
    assert reply.data["value"] == level(metric, TODAY, platform)
    assert f"{platform} mencatat" in reply.text


def test_a_metric_with_data_is_answered_as_asked(chat: Conversation) -> None:
    reply = chat.reply("followers ig")
    assert reply.data["metric"] == "followers" and "asked_metric" not in reply.data
    assert reply.data["value"] == level("followers", TODAY, "instagram")


# --- two periods, a daily breakdown, an alert asked for in a sentence ----------------------

def test_the_later_of_two_periods_is_asked_about(chat: Conversation) -> None:
    reply = chat.reply("reach ig kemarin vs hari ini")
    assert reply.data["period"]["start"] == TODAY.isoformat()
    assert reply.data["previous"]["start"] == "2026-11-21"
    assert reply.data["value"] == total("reach", TODAY, TODAY, "instagram")
    assert reply.data["previous"]["value"] == total("reach", date(2026, 11, 21),
                                                    date(2026, 11, 21), "instagram")


def test_two_months_named_compare_as_named(chat: Conversation) -> None:
    for text in ("reach ig oktober vs agustus", "reach ig agustus dibanding oktober"):
        reply = chat.reply(text)
        assert reply.data["period"]["start"] == "2026-10-01", text
        assert reply.data["previous"]["start"] == "2026-08-01", text
        assert reply.data["previous"]["end"] == "2026-08-31", text
        assert reply.data["previous"]["value"] == total(
            "reach", date(2026, 8, 1), date(2026, 8, 31), "instagram")


def test_this_vs_last_keeps_like_for_like(chat: Conversation) -> None:
    reply = chat.reply("reach ig minggu ini vs minggu lalu")
    assert reply.data["period"]["start"] == "2026-11-16"
    previous = reply.data["previous"]
    assert (previous["start"], previous["end"]) == ("2026-11-09", "2026-11-15")
    assert previous["value"] == total("reach", date(2026, 11, 9), date(2026, 11, 15),
                                      "instagram")


@pytest.mark.parametrize("text", ["reach ig per hari minggu lalu",
                                  "/kpi reach ig per hari minggu lalu",
                                  "reach ig tiap hari minggu lalu"])
def test_per_day_is_the_daily_series_never_a_sunday(chat: Conversation, text: str) -> None:
    reply = chat.reply(text)
    assert reply.intent == "chart" and reply.error is None
    assert reply.data["period"]["start"] == "2026-11-09"
    assert reply.data["period"]["end"] == "2026-11-15"


def test_hari_minggu_lalu_alone_is_still_last_sunday(chat: Conversation) -> None:
    reply = chat.reply("reach ig hari minggu lalu")
    assert reply.data["period"]["start"] == reply.data["period"]["end"] == "2026-11-15"


@pytest.mark.parametrize(("text", "rule"), [
    ("tolong bikin alert kalau er ig di bawah 2%", "di bawah 2%"),
    ("alert kalau engagement ig turun 20%", "turun ≥20%"),
    ("buat alert reach tiktok turun 30% harian ya", "turun ≥30%"),
])
def test_an_alert_asked_in_a_sentence_is_added(chat: Conversation, text: str,
                                               rule: str) -> None:
    reply = chat.reply(text)
    assert reply.error is None and "ditambahkan" in reply.text and rule in reply.text
    listed = chat.reply("/alert")
    assert rule in listed.text


# --- a period the data covers only in part ------------------------------------------------

def first_demo_day() -> date:
    return min(r.day for r in demo_rows(TODAY) if r.platform == "instagram" and not r.handle
               and r.metric == "reach")


def test_a_change_against_a_partly_covered_period_says_so(chat: Conversation) -> None:
    since = first_demo_day()
    assert date(2026, 4, 1) < since <= date(2026, 6, 30)  # the demo begins inside Q2
    reply = chat.reply("reach ig q3")
    assert reply.data["value"] == total("reach", date(2026, 7, 1), date(2026, 9, 30),
                                        "instagram")
    covered = (date(2026, 6, 30) - since).days + 1
    assert reply.data["partial"] == [{"period": "previous", "since": since.isoformat(),
                                      "days_covered": covered, "days": 91}]
    assert f"hanya tercakup {covered} dari 91 hari" in reply.text
    assert "bukan perbandingan setara" in reply.text


def test_a_partly_covered_current_period_without_previous(chat: Conversation) -> None:
    reply = chat.reply("reach ig tahun ini")
    since = first_demo_day()
    days = (TODAY - date(2026, 1, 1)).days + 1
    assert reply.data["partial"] == [{"period": "current", "since": since.isoformat(),
                                      "days_covered": (TODAY - since).days + 1, "days": days}]
    assert "bukan perbandingan setara" not in reply.text  # no change is shown


@pytest.mark.parametrize("text", ["reach ig bulan lalu", "followers ig q3", "er ig q3"])
def test_whole_periods_and_non_sums_carry_no_note(chat: Conversation, text: str) -> None:
    reply = chat.reply(text)
    assert "partial" not in reply.data and "tercakup" not in reply.text


def test_the_coverage_check_costs_one_seek_and_only_for_long_periods(chat: Conversation,
                                                                     app: App) -> None:
    from tests.integration.test_engine import count_statements

    chat.reply("/kpi reach")  # the first question of a chat writes its sighting
    with count_statements(app.engine) as week:
        chat.reply("/kpi reach minggu ini")
    with count_statements(app.engine) as month:
        chat.reply("/kpi reach bulan lalu")
    assert len(week) == 3 and len(month) == 4
    assert "min(" in month[-1].lower() and "snapshots" in month[-1]


def test_last_weekend_is_answered_from_its_two_days(chat: Conversation) -> None:
    reply = chat.reply("brp reach ig weekend kemarin?")
    assert reply.data["period"]["start"] == "2026-11-14"
    assert reply.data["value"] == total("reach", date(2026, 11, 14), date(2026, 11, 15),
                                        "instagram")
    assert reply.data["previous"]["value"] == total("reach", date(2026, 11, 7),
                                                    date(2026, 11, 8), "instagram")


def test_the_start_of_the_month_is_asked_about(chat: Conversation) -> None:
    reply = chat.reply("reach ig awal bulan")
    assert reply.error == "unclear_period" and '"awal bulan"' in reply.text
    assert "value" not in reply.data


# --- a campaign asked about with no period -------------------------------------------------

def campaign_days(name: str) -> tuple[date, date]:
    days = [r.day for r in demo_rows(TODAY) if r.campaign == name]
    return min(days), max(days)


def test_roi_of_a_campaign_in_a_sentence_is_its_whole_run(chat: Conversation) -> None:
    first, last = campaign_days("ramadan")
    reply = chat.reply("berapa roi kampanye ramadan")
    assert reply.intent == "roi"
    assert reply.data["period"]["start"] == first.isoformat()
    assert reply.data["period"]["end"] == min(last, TODAY).isoformat()
    spend = sum(r.value for r in demo_rows(TODAY) if r.campaign == "ramadan"
                and r.metric == "spend")
    assert reply.data["spend"] == pytest.approx(spend)


def test_a_campaign_without_data_this_week_says_when_it_ran(chat: Conversation) -> None:
    first, last = campaign_days("ramadan")
    reply = chat.reply("revenue kampanye ramadan")
    assert reply.data["value"] is None
    assert reply.data["campaign_run"] == {"start": first.isoformat(), "end": last.isoformat()}
    example = f"revenue kampanye ramadan {first.isoformat()}..{last.isoformat()}"
    assert example in reply.text
    again = chat.reply(example)  # the example given is a question that works
    assert again.data["value"] == pytest.approx(sum(
        r.value for r in demo_rows(TODAY) if r.campaign == "ramadan" and r.metric == "revenue"))


# --- a slash command's extra word ----------------------------------------------------------

@pytest.mark.parametrize(("text", "error", "word"), [
    ("/kpi reach ig xyz", "unclear_word", "xyz"),
    ("/grafik reach ig xyz minggu lalu", "unclear_word", "xyz"),
    ("/kpi reach ig tiktk", "unclear", "tiktk"),
    ("/kpi reach ig ramadn", "unclear", "ramadn"),
])
def test_a_slash_commands_extra_word_is_never_dropped(chat: Conversation, text: str,
                                                      error: str, word: str) -> None:
    reply = chat.reply(text)
    assert reply.error == error and "value" not in reply.data
    assert f'"{word}"' in reply.text


def test_a_slash_command_with_an_audience_bucket_still_answers_it(chat: Conversation) -> None:
    reply = chat.reply("/kpi followers ig jakarta")
    assert reply.error is None and "Jakarta" in reply.text


def test_a_summary_shows_the_audience_under_the_platforms_own_name(chat: Conversation) -> None:
    tiktok = chat.reply("/ringkasan tiktok")
    assert "Pengikut:" in tiktok.text and "Subscriber:" not in tiktok.text
    youtube = chat.reply("/ringkasan youtube")
    assert "Subscriber:" in youtube.text and "Pengikut:" not in youtube.text
    keys = [m["metric"] for m in youtube.data["metrics"]]
    assert "followers" in keys and "subscribers" in keys  # the JSON keeps every metric
    both = chat.reply("/ringkasan")
    assert "Pengikut:" in both.text and "Subscriber:" in both.text
