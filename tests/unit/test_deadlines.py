"""Deadline phrases of goals. Every expected day was worked out by hand.

Calendar facts: 2026-11-22 is a Sunday; 2026-11-23 a Monday; Q4 2026 ends 2026-12-31;
2027 is not a leap year, 2028 is.
"""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine.domain.deadlines import DeadlineError, find_deadline, parse_deadline

SUNDAY = date(2026, 11, 22)
MONDAY = date(2026, 11, 23)

# (today, phrase, deadline, period_start or None)
TABLE: list[tuple[date, str, str, str | None]] = [
    # durations: the last day of a window of that length starting today
    (SUNDAY, "3 bulan", "2027-02-21", None),
    (SUNDAY, "3 months", "2027-02-21", None),
    (SUNDAY, "tiga bulan", "2027-02-21", None),
    (SUNDAY, "dalam 3 bulan", "2027-02-21", None),
    (SUNDAY, "3 bulan lagi", "2027-02-21", None),
    (SUNDAY, "sebulan", "2026-12-21", None),
    (SUNDAY, "within a month", "2026-12-21", None),
    (MONDAY, "6 minggu", "2027-01-03", None),  # Monday + 6 weeks − 1 day: a Sunday
    (MONDAY, "in 6 weeks", "2027-01-03", None),
    (SUNDAY, "90 hari", "2027-02-19", None),  # 22 Nov + 89 days
    (date(2027, 1, 1), "90 days", "2027-03-31", None),
    (SUNDAY, "2 kuartal", "2027-05-21", None),
    (SUNDAY, "1 tahun", "2027-11-21", None),
    (date(2027, 1, 31), "1 bulan", "2027-02-27", None),  # 31 Jan + 1 month → 28 Feb, − 1
    # dates: without a year the next such day, today included
    (SUNDAY, "31 Des", "2026-12-31", None),
    (SUNDAY, "31 Desember 2027", "2027-12-31", None),
    (SUNDAY, "Dec 31", "2026-12-31", None),
    (SUNDAY, "December 31st, 2027", "2027-12-31", None),
    (SUNDAY, "31 Mar", "2027-03-31", None),
    (SUNDAY, "22 Nov", "2026-11-22", None),
    (SUNDAY, "21 Nov", "2027-11-21", None),
    (SUNDAY, "29 Feb", "2028-02-29", None),
    (SUNDAY, "2027-03-31", "2027-03-31", None),
    (SUNDAY, "31/03/2027", "2027-03-31", None),
    (SUNDAY, "31-03-2027", "2027-03-31", None),
    (SUNDAY, "31.03.2027", "2027-03-31", None),
    (SUNDAY, "31/03", "2027-03-31", None),
    (SUNDAY, "1/1/27", "2027-01-01", None),
    # ends of units
    (SUNDAY, "akhir bulan", "2026-11-30", None),
    (SUNDAY, "akhir kuartal", "2026-12-31", None),
    (SUNDAY, "akhir tahun", "2026-12-31", None),
    (SUNDAY, "akhir minggu", "2026-11-22", None),
    (SUNDAY, "akhir bulan depan", "2026-12-31", None),
    (SUNDAY, "akhir tahun depan", "2027-12-31", None),
    (SUNDAY, "akhir Maret", "2027-03-31", None),
    (SUNDAY, "akhir 2027", "2027-12-31", None),
    (SUNDAY, "end of month", "2026-11-30", None),
    (SUNDAY, "end of the quarter", "2026-12-31", None),
    (SUNDAY, "end of year", "2026-12-31", None),
    (SUNDAY, "by end of year", "2026-12-31", None),
    (SUNDAY, "end of next month", "2026-12-31", None),
    (SUNDAY, "year-end", "2026-12-31", None),
    (SUNDAY, "paling lambat akhir tahun", "2026-12-31", None),
    (date(2027, 2, 10), "akhir kuartal", "2027-03-31", None),
    # calendar units: their last day, and their first day as the period's start
    (SUNDAY, "bulan ini", "2026-11-30", "2026-11-01"),
    (SUNDAY, "this month", "2026-11-30", "2026-11-01"),
    (SUNDAY, "kuartal ini", "2026-12-31", "2026-10-01"),
    (SUNDAY, "tahun ini", "2026-12-31", "2026-01-01"),
    (SUNDAY, "minggu ini", "2026-11-22", "2026-11-16"),
    (SUNDAY, "minggu depan", "2026-11-29", "2026-11-23"),
    (SUNDAY, "bulan depan", "2026-12-31", "2026-12-01"),
    (SUNDAY, "next quarter", "2027-03-31", "2027-01-01"),
    (SUNDAY, "Q1 2027", "2027-03-31", "2027-01-01"),
    (SUNDAY, "kuartal 1", "2027-03-31", "2027-01-01"),
    (SUNDAY, "Q4", "2026-12-31", "2026-10-01"),
    (SUNDAY, "Maret 2027", "2027-03-31", "2027-03-01"),
    # today and tomorrow
    (SUNDAY, "hari ini", "2026-11-22", None),
    (SUNDAY, "besok", "2026-11-23", None),
]


@pytest.mark.parametrize(("today", "phrase", "day", "start"), TABLE)
def test_phrase(today: date, phrase: str, day: str, start: str | None) -> None:
    deadline = parse_deadline(phrase, today)
    assert deadline.day.isoformat() == day
    assert (deadline.period_start.isoformat() if deadline.period_start else None) == start


@pytest.mark.parametrize(("text", "cut", "day"), [
    ("/target followers +20% instagram 3 bulan", "3 bulan", "2027-02-21"),
    ("/target reach 1 jt bulan ini", "bulan ini", "2026-11-30"),
    ("/target er 4% tiktok akhir kuartal", "akhir kuartal", "2026-12-31"),
    ("/target conversions 500 kampanye ramadan 31 Mar", "31 Mar", "2027-03-31"),
    ("set a goal of 50k followers on tiktok by end of year", "by end of year", "2026-12-31"),
    ("followers 1,5 jt ig sampai 31 Des", "sampai 31 Des", "2026-12-31"),
    ("reach 50rb dalam 6 minggu", "dalam 6 minggu", "2027-01-02"),
    ("/target conversions 500 kampanye promo1111 2027-03-31", "2027-03-31", "2027-03-31"),
])
def test_found_inside_a_message_and_cut_with_its_preposition(text: str, cut: str,
                                                             day: str) -> None:
    hit = find_deadline(text, SUNDAY)
    assert hit is not None
    deadline, start, end = hit
    assert text[start:end] == cut
    assert deadline.day.isoformat() == day


@pytest.mark.parametrize("text", [
    "/target followers +20% instagram",
    "/target reach 1,5 jt",  # a number with a comma is a value
    "/target followers 1.5 jt",  # ... and with a dot too
    "reach 3 bulan terakhir",  # a past period, not a deadline
    "reach last 3 months",
    "/target reach 50k promo1111",
    "a goal of 50k",
])
def test_no_deadline(text: str) -> None:
    assert find_deadline(text, SUNDAY) is None


@pytest.mark.parametrize(("phrase", "code"), [
    ("2025-01-01", "past"),
    ("21/11/2026", "past"),
    ("31 Feb", "invalid"),
    ("2027-02-30", "invalid"),
    ("31/13/2027", "invalid"),
    ("2040-01-01", "invalid"),  # more than ten years ahead
])
def test_refused(phrase: str, code: str) -> None:
    with pytest.raises(DeadlineError) as info:
        find_deadline(f"/target reach 1 jt {phrase}", SUNDAY)
    assert info.value.code == code


def test_parse_deadline_wants_exactly_one_phrase() -> None:
    with pytest.raises(DeadlineError):
        parse_deadline("reach 3 bulan", SUNDAY)
    with pytest.raises(DeadlineError):
        parse_deadline("lebaran", SUNDAY)
