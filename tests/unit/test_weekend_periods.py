"""The weekend as a period ("akhir pekan lalu", "weekend kemarin", "last weekend"), and the
part of a unit the bot asks about instead of guessing ("awal bulan", "end of last month")."""

from __future__ import annotations

from datetime import date

import pytest

from bot.parsing import parse_text
from kpi_engine.domain.periods import PeriodError, parse_period

THURSDAY = date(2026, 12, 3)
SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize("phrase", ["akhir pekan lalu", "weekend kemarin", "last weekend",
                                    "akhir minggu lalu", "wiken lalu", "weekend"])
def test_last_weekend_on_a_thursday(phrase: str) -> None:
    pq = parse_period(phrase, THURSDAY, "en" if "last" in phrase else "id")
    assert (pq.current.start, pq.current.end) == (date(2026, 11, 28), date(2026, 11, 29))
    assert (pq.previous.start, pq.previous.end) == (date(2026, 11, 21), date(2026, 11, 22))


def test_this_weekend_on_its_sunday_is_both_days_and_a_bare_weekend_too() -> None:
    for phrase in ("akhir pekan ini", "this weekend", "weekend"):
        pq = parse_period(phrase, SUNDAY)
        assert (pq.current.start, pq.current.end) == (date(2026, 11, 28), SUNDAY)
    last = parse_period("weekend lalu", SUNDAY)
    assert (last.current.start, last.current.end) == (date(2026, 11, 21), date(2026, 11, 22))


def test_this_weekend_on_its_saturday_runs_to_today_like_for_like() -> None:
    pq = parse_period("akhir pekan ini", date(2026, 11, 28))
    assert (pq.current.start, pq.current.end) == (date(2026, 11, 28), date(2026, 11, 28))
    assert (pq.previous.start, pq.previous.end) == (date(2026, 11, 21), date(2026, 11, 21))


@pytest.mark.parametrize("phrase", ["akhir pekan ini", "weekend depan", "next weekend"])
def test_a_weekend_still_to_come_is_the_future(phrase: str) -> None:
    with pytest.raises(PeriodError) as err:
        parse_period(phrase, THURSDAY)
    assert err.value.code == "future"


def test_the_weekend_wins_over_the_week_inside_it() -> None:
    p = parse_text("reach ig akhir minggu lalu", THURSDAY)
    assert p.period is not None and p.period.current.start == date(2026, 11, 28)
    assert not p.args and p.unclear is None


@pytest.mark.parametrize(("text", "words"), [
    ("reach ig awal bulan", "awal bulan"),
    ("reach ig pertengahan tahun lalu", "pertengahan tahun lalu"),
    ("reach at the end of last month", "the end of last month"),
    ("reach ig tengah minggu ini", "tengah minggu ini"),
])
def test_part_of_a_unit_is_asked_never_guessed(text: str, words: str) -> None:
    p = parse_text(text, THURSDAY)
    assert p.unclear == words and p.unclear_kind == "period" and p.period is None


def test_a_goal_deadline_at_the_end_of_the_month_is_still_a_deadline() -> None:
    p = parse_text("/target reach ig 400000 akhir bulan", THURSDAY)
    assert p.command == "goal" and p.unclear is None and "akhir" in p.args
