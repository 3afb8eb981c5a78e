"""Numbers as people type them in chat, and how the bot shows them (Babel id_ID)."""

from __future__ import annotations

from datetime import date

import pytest

from bot import formatting as fmt
from bot.numbers import as_typed, is_bare, parse_number
from kpi_engine.domain.metrics import METRICS


@pytest.mark.parametrize(("text", "value"), [
    ("41.250", 41250), ("1.234.567", 1234567), ("3.5", 3.5), ("3,5", 3.5),
    ("1.234,5", 1234.5), ("0,25", 0.25), ("12rb", 12000), ("12 ribu", 12000),
    ("50k", 50000), ("1,5 jt", 1_500_000), ("1,5jt", 1_500_000), ("2 juta", 2_000_000),
    ("1,2 miliar", 1_200_000_000), ("Rp 150.000", 150000), ("rp150.000", 150000),
    ("-5", -5), ("−5", -5), ("+20", 20), ("7", 7), ("0", 0),
])
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "", "banyak", "1e30", "1,2,3", "1.2.3", "12 apel", "1..5", ".5.", "nan", "inf", "12,",
])
def test_not_a_number(text: str) -> None:
    assert parse_number(text) is None


def test_indonesian_formats() -> None:
    assert fmt.number(12345) == "12.345"
    assert fmt.percent(3.24) == "3,2%"
    assert fmt.money(1234567) == "Rp1.234.567"
    assert fmt.compact(12345) == "12,3 rb"
    assert fmt.compact(1_234_567) == "1,2 jt"
    assert fmt.points(0.04) == "+0,04"
    assert fmt.signed_percent(-2.0) == "−2,0%"
    assert fmt.metric_value(METRICS["roas"], 2.3333) == "2,33×"
    assert fmt.metric_value(METRICS["cpc"], 961.4) == "Rp961"
    assert fmt.metric_value(METRICS["reach"], 172073) == "172.073"


def test_date_ranges() -> None:
    assert fmt.day_range(date(2026, 11, 16), date(2026, 11, 22)) == "16–22 Nov 2026"
    assert fmt.day_range(date(2026, 10, 28), date(2026, 11, 3)) == "28 Okt – 3 Nov 2026"
    assert fmt.day_range(date(2025, 12, 30), date(2026, 1, 2)) == "30 Des 2025 – 2 Jan 2026"
    assert fmt.day_range(date(2026, 11, 22), date(2026, 11, 22)) == "22 Nov 2026"


@pytest.mark.parametrize(("text", "word", "typed", "bare"), [
    ("/catat instagram reach {0}", "0", "{0}", False),
    ("/catat instagram reach (500)", "500", "(500)", False),
    ("/catat instagram reach <3>", "3", "<3>", False),
    ('/catat instagram reach "7"', "7", '"7"', False),
    ("catat reach instagram 41.250.", "41.250", "41.250.", True),
    ("/catat instagram reach 1,5 jt", "1,5", "1,5", True),
    ("/catat instagram reach 12rb!", "12rb", "12rb!", True),
])
def test_a_value_as_typed(text: str, word: str, typed: str, bare: bool) -> None:
    assert as_typed(text, word) == typed
    assert is_bare(typed, word) is bare
