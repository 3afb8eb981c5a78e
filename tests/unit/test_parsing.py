"""bot.parsing: chat text → request, the same for slash commands and sentences."""

from __future__ import annotations

import random
import re
from datetime import date
from typing import Any

import pytest

from bot.parsing import COMMAND_LANG, COMMANDS, ParsedText, parse_text
from kpi_engine.domain.metrics import METRICS
from kpi_engine.domain.model import PLATFORM_ALIASES
from tests.data.phrasings import BOT, CAMPAIGNS, CASES, CHANNELS, TODAY


def parse(text: str, today: date = TODAY) -> ParsedText:
    return parse_text(text, today, channels=CHANNELS, campaigns=CAMPAIGNS, bot_username=BOT)


def observed(parsed: ParsedText, field: str) -> Any:
    if field in ("start", "end"):
        if parsed.period is None:
            return None
        return getattr(parsed.period.current, field).isoformat()
    if field == "period_error":
        return parsed.period_error.code if parsed.period_error else None
    return getattr(parsed, field)


def case_id(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip()) or "<blank>"


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[case_id(t) for t, _ in CASES])
def test_phrasing(text: str, expected: dict[str, Any]) -> None:
    parsed = parse(text)
    got = {field: observed(parsed, field) for field in expected}
    assert got == expected, parsed


# --- the corpus covers what it should -------------------------------------------------------

def test_corpus_is_large_and_unique() -> None:
    texts = [text for text, _ in CASES]
    assert len(texts) >= 160
    assert len(set(texts)) == len(texts)


def test_corpus_covers_every_command_and_metric() -> None:
    words = {text.split()[0][1:].split("@")[0].lower() for text, _ in CASES
             if text.startswith("/")}
    assert set(COMMANDS) - {"metrik", "rangkuman"} <= words
    metrics = {exp.get("metric") for _, exp in CASES}
    assert set(METRICS) <= metrics


def test_corpus_covers_every_platform_alias() -> None:
    texts = " ".join(text.lower() for text, _ in CASES)
    for alias in PLATFORM_ALIASES:
        assert re.search(rf"(?<![\w@]){re.escape(alias)}(?!\w)", texts), alias


# --- focused behaviour ----------------------------------------------------------------------

def test_every_command_word_maps_to_a_command_and_has_a_language_when_not_neutral() -> None:
    for word, command in COMMANDS.items():
        parsed = parse(f"/{word}")
        assert parsed.command == command
        assert parsed.command_word == word
        assert parsed.lang == COMMAND_LANG.get(word)
    for neutral in ("kpi", "roi", "alert", "start"):
        assert neutral not in COMMAND_LANG


def test_slash_commands_and_sentences_read_the_same() -> None:
    slash = parse("/kpi reach ig minggu ini")
    sentence = parse("Berapa reach IG minggu ini?")
    english = parse("how much reach did instagram get this week")
    for parsed in (sentence, english):
        assert parsed.period is not None and slash.period is not None
        assert (parsed.command, parsed.metric, parsed.channel, parsed.period.current.start,
                parsed.period.current.end) == (slash.command, slash.metric, slash.channel,
                                               slash.period.current.start,
                                               slash.period.current.end)


def test_period_is_cut_out_before_metrics_and_channels() -> None:
    parsed = parse("/kpi hari ini reach")
    assert parsed.metric == "reach"
    assert parsed.args == []
    assert parsed.unknown_metric is None


def test_no_period_is_left_to_the_caller() -> None:
    parsed = parse("/kpi reach instagram")
    assert parsed.period is None and parsed.period_error is None


def test_future_period_is_an_error_not_a_crash() -> None:
    parsed = parse("/kpi reach bulan depan")
    assert parsed.period is None
    assert parsed.period_error is not None and parsed.period_error.code == "future"


def test_previous_period_comes_with_the_period() -> None:
    parsed = parse("/kpi reach minggu ini")
    assert parsed.period is not None
    previous = parsed.period.previous
    assert (previous.start, previous.end) == (date(2026, 11, 9), date(2026, 11, 15))


def test_record_keeps_the_value_as_typed() -> None:
    parsed = parse("/catat instagram followers 41.250 kemarin")
    assert parsed.args == ["41.250"]
    assert parsed.period is not None and parsed.period.current.start == date(2026, 11, 21)
    assert parse("/catat instagram reach 30").period is None


def test_goal_keeps_its_deadline_in_the_arguments() -> None:
    parsed = parse("/target followers +20% instagram 3 bulan")
    assert (parsed.metric, parsed.channel, parsed.period) == ("followers", "instagram", None)
    assert parsed.args == ["+20%", "3", "bulan"]


def test_bot_name_suffix_is_accepted_for_any_bot_name() -> None:
    parsed = parse_text("/kpi@OtherNameBot reach", TODAY)
    assert (parsed.command, parsed.command_word, parsed.metric) == ("kpi", "kpi", "reach")


def test_a_leading_mention_of_the_bot_is_ignored_only_when_it_is_this_bot() -> None:
    assert parse_text("@KpiBot reach", TODAY, bot_username="@kpibot").metric == "reach"
    other = parse_text("@somebody followers", TODAY, channels=CHANNELS)
    assert other.unknown_channel == "@somebody"


def test_handle_resolves_to_the_platform_named_with_it() -> None:
    assert parse("reach tiktok @kopirival").channel == "tiktok:@kopirival"
    assert parse("reach @kopirival").channel == "instagram:@kopirival"
    assert parse("reach tiktok:@kopirival").channel == "tiktok:@kopirival"


def test_platforms_need_not_be_in_the_workspace() -> None:
    parsed = parse_text("/kpi reach linkedin", TODAY, channels=("instagram",))
    assert parsed.channel == "linkedin"


def test_custom_channel_needs_to_be_known() -> None:
    assert parse_text("/kpi reach toko online", TODAY).channel is None
    assert parse_text("/kpi reach toko online", TODAY,
                      channels=("toko online",)).channel == "toko online"


def test_campaign_without_known_list() -> None:
    # a campaign the workspace does not have is reported, never a filter (SPEC §5)
    parsed = parse_text("berapa revenue kampanye ramadan bulan lalu", TODAY)
    assert parsed.campaign is None
    assert (parsed.unclear, parsed.unclear_kind) == ("ramadan", "campaign")
    assert parsed.metric == "revenue"
    assert parsed.period is not None


def test_known_campaign_keeps_its_spelling() -> None:
    parsed = parse_text("reach Ramadan", TODAY, campaigns=("Ramadan",))
    assert parsed.campaign == "Ramadan"


def test_language_is_none_when_nothing_shows_it() -> None:
    assert parse("/kpi reach ig").lang is None
    assert parse("/kpi reach ig minggu ini").lang == "id"
    assert parse("/kpi reach ig this week").lang == "en"
    assert parse("/ringkasan").lang == "id"
    assert parse("/summary").lang == "en"


def test_typos_get_a_suggestion() -> None:
    for typo, key in (("engagment", "engagement"), ("folowers", "followers"),
                      ("jangkuan", "reach"), ("impresion", "impressions"),
                      ("konversii", "conversions")):
        parsed = parse(f"berapa {typo} minggu ini")
        assert (parsed.command, parsed.unknown_metric, parsed.suggestion) == (
            "kpi", typo, key)


def test_ordinary_words_are_not_taken_for_misspelt_metrics() -> None:
    for text in ("gimana performa kita bulan ini", "tolong kasih data terbaru dong",
                 "bagaimana hasil minggu ini", "how are we doing this month"):
        parsed = parse(text)
        assert parsed.unknown_metric is None, (text, parsed)
        assert parsed.command == "kpi"


def test_parser_never_raises_on_noise() -> None:
    rng = random.Random(20261122)
    alphabet = "abcdeiklmnoprstuy @/:#%+-.,?!0123456789_\n\tçé😀"
    words = ["/kpi", "reach", "minggu", "ini", "@", "/", "kampanye", "ig:", "x", "30",
             "hari", "terakhir", "Q5", "13-40 Nov", "sejak", "since", "..", "/catat"]
    for _ in range(400):
        if rng.random() < 0.5:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        else:
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
        parsed = parse(text)
        assert parsed.command in {*COMMANDS.values(), "unknown", "empty"}
