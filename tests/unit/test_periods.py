"""Period grammar of SPEC §4. Every expected date below was worked out by hand.

Calendar facts used: 2026-11-22 is a Sunday (so 2026-11-16 is its Monday); 2027-01-01 is a
Friday (its week starts Monday 2026-12-28); 2028 is a leap year and 2028-02-29 is a Tuesday.
"""

from __future__ import annotations

from datetime import date

import pytest

from kpi_engine.domain.periods import (
    Period,
    PeriodError,
    PeriodQuery,
    default_period,
    find_period,
    parse_period,
)

SUNDAY = "2026-11-22"  # the default "today" of the table


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _span(period: Period) -> tuple[str, str]:
    return period.start.isoformat(), period.end.isoformat()


def _check(query: PeriodQuery, cur: tuple[str, str], prev: tuple[str, str]) -> None:
    assert _span(query.current) == cur
    assert _span(query.previous) == prev


# (today, phrase, current start, current end, previous start, previous end)
TABLE: list[tuple[str, str, str, str, str, str]] = [
    # hari ini / today: today, previous yesterday
    (SUNDAY, "hari ini", "2026-11-22", "2026-11-22", "2026-11-21", "2026-11-21"),
    (SUNDAY, "today", "2026-11-22", "2026-11-22", "2026-11-21", "2026-11-21"),
    # kemarin / yesterday
    (SUNDAY, "kemarin", "2026-11-21", "2026-11-21", "2026-11-20", "2026-11-20"),
    (SUNDAY, "yesterday", "2026-11-21", "2026-11-21", "2026-11-20", "2026-11-20"),
    (SUNDAY, "kemarin lusa", "2026-11-20", "2026-11-20", "2026-11-19", "2026-11-19"),
    # this week, on a Sunday: Mon 16..Sun 22; like for like Mon 9..Sun 15
    (SUNDAY, "minggu ini", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "pekan ini", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "this week", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "Minggu Ini", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    # last week: Mon 9..Sun 15, previous Mon 2..Sun 8
    (SUNDAY, "minggu lalu", "2026-11-09", "2026-11-15", "2026-11-02", "2026-11-08"),
    (SUNDAY, "pekan lalu", "2026-11-09", "2026-11-15", "2026-11-02", "2026-11-08"),
    (SUNDAY, "minggu kemarin", "2026-11-09", "2026-11-15", "2026-11-02", "2026-11-08"),
    (SUNDAY, "last week", "2026-11-09", "2026-11-15", "2026-11-02", "2026-11-08"),
    (SUNDAY, "LAST WEEK", "2026-11-09", "2026-11-15", "2026-11-02", "2026-11-08"),
    # this month: Nov 1..22, previous Oct 1..22
    (SUNDAY, "bulan ini", "2026-11-01", "2026-11-22", "2026-10-01", "2026-10-22"),
    (SUNDAY, "this month", "2026-11-01", "2026-11-22", "2026-10-01", "2026-10-22"),
    # last month: October, previous September
    (SUNDAY, "bulan lalu", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "last month", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "bulan kemarin", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    # this quarter: Oct 1..Nov 22 = 53 days; Jul 1 + 52 days = Aug 22
    (SUNDAY, "kuartal ini", "2026-10-01", "2026-11-22", "2026-07-01", "2026-08-22"),
    (SUNDAY, "triwulan ini", "2026-10-01", "2026-11-22", "2026-07-01", "2026-08-22"),
    (SUNDAY, "this quarter", "2026-10-01", "2026-11-22", "2026-07-01", "2026-08-22"),
    # last quarter: Q3, previous Q2
    (SUNDAY, "kuartal lalu", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "triwulan lalu", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "last quarter", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    # this year / last year
    (SUNDAY, "tahun ini", "2026-01-01", "2026-11-22", "2025-01-01", "2025-11-22"),
    (SUNDAY, "this year", "2026-01-01", "2026-11-22", "2025-01-01", "2025-11-22"),
    (SUNDAY, "tahun lalu", "2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31"),
    (SUNDAY, "last year", "2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31"),
    (SUNDAY, "tahun 2025", "2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31"),
    # N days: Oct 24..Nov 22 is 8 + 22 = 30 days; before it Sep 24..Oct 23 (7 + 23)
    (SUNDAY, "30 hari terakhir", "2026-10-24", "2026-11-22", "2026-09-24", "2026-10-23"),
    (SUNDAY, "30 hari", "2026-10-24", "2026-11-22", "2026-09-24", "2026-10-23"),
    (SUNDAY, "dalam 30 hari terakhir", "2026-10-24", "2026-11-22", "2026-09-24", "2026-10-23"),
    (SUNDAY, "last 30 days", "2026-10-24", "2026-11-22", "2026-09-24", "2026-10-23"),
    (SUNDAY, "past 30 days", "2026-10-24", "2026-11-22", "2026-09-24", "2026-10-23"),
    (SUNDAY, "7 hari terakhir", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "7 hari ke belakang", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "the last 7 days", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    (SUNDAY, "1 hari terakhir", "2026-11-22", "2026-11-22", "2026-11-21", "2026-11-21"),
    # N weeks = 7N days: Nov 9..22, before it Oct 26..Nov 8 (6 + 8)
    (SUNDAY, "2 minggu terakhir", "2026-11-09", "2026-11-22", "2026-10-26", "2026-11-08"),
    (SUNDAY, "2 pekan terakhir", "2026-11-09", "2026-11-22", "2026-10-26", "2026-11-08"),
    (SUNDAY, "last 2 weeks", "2026-11-09", "2026-11-22", "2026-10-26", "2026-11-08"),
    (SUNDAY, "seminggu terakhir", "2026-11-16", "2026-11-22", "2026-11-09", "2026-11-15"),
    # N months: Aug 22 + 1 day .. Nov 22 = 9 + 30 + 31 + 22 = 92 days;
    # 92 days ending Aug 22: Aug 1-22 (22) + Jul (31) + Jun (30) + May 23-31 (9)
    (SUNDAY, "3 bulan terakhir", "2026-08-23", "2026-11-22", "2026-05-23", "2026-08-22"),
    (SUNDAY, "last 3 months", "2026-08-23", "2026-11-22", "2026-05-23", "2026-08-22"),
    # N units ago: that whole unit
    (SUNDAY, "3 hari lalu", "2026-11-19", "2026-11-19", "2026-11-18", "2026-11-18"),
    (SUNDAY, "2 bulan lalu", "2026-09-01", "2026-09-30", "2026-08-01", "2026-08-31"),
    (SUNDAY, "2 months ago", "2026-09-01", "2026-09-30", "2026-08-01", "2026-08-31"),
    # month names: a whole past month against the month before
    (SUNDAY, "Oktober", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "okt 2026", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "October 2026", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "oct", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "bulan Oktober", "2026-10-01", "2026-10-31", "2026-09-01", "2026-09-30"),
    (SUNDAY, "Agustus", "2026-08-01", "2026-08-31", "2026-07-01", "2026-07-31"),
    (SUNDAY, "agu", "2026-08-01", "2026-08-31", "2026-07-01", "2026-07-31"),
    (SUNDAY, "ags", "2026-08-01", "2026-08-31", "2026-07-01", "2026-07-31"),
    (SUNDAY, "Aug", "2026-08-01", "2026-08-31", "2026-07-01", "2026-07-31"),
    (SUNDAY, "Mei", "2026-05-01", "2026-05-31", "2026-04-01", "2026-04-30"),
    (SUNDAY, "May 2026", "2026-05-01", "2026-05-31", "2026-04-01", "2026-04-30"),
    (SUNDAY, "Sept", "2026-09-01", "2026-09-30", "2026-08-01", "2026-08-31"),
    (SUNDAY, "Januari", "2026-01-01", "2026-01-31", "2025-12-01", "2025-12-31"),
    (SUNDAY, "Maret 2025", "2025-03-01", "2025-03-31", "2025-02-01", "2025-02-28"),
    # the current month runs to today, like for like
    (SUNDAY, "November", "2026-11-01", "2026-11-22", "2026-10-01", "2026-10-22"),
    # no year, not yet begun this year: last year's
    (SUNDAY, "Desember", "2025-12-01", "2025-12-31", "2025-11-01", "2025-11-30"),
    (SUNDAY, "Des", "2025-12-01", "2025-12-31", "2025-11-01", "2025-11-30"),
    (SUNDAY, "December", "2025-12-01", "2025-12-31", "2025-11-01", "2025-11-30"),
    # quarters
    (SUNDAY, "Q3 2026", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "Q3", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "kuartal 3", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "triwulan 3", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "kuartal ke-3", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "third quarter", "2026-07-01", "2026-09-30", "2026-04-01", "2026-06-30"),
    (SUNDAY, "Q1 2026", "2026-01-01", "2026-03-31", "2025-10-01", "2025-12-31"),
    (SUNDAY, "Q4 2025", "2025-10-01", "2025-12-31", "2025-07-01", "2025-09-30"),
    (SUNDAY, "Q4", "2026-10-01", "2026-11-22", "2026-07-01", "2026-08-22"),  # current
    # ranges: 15 days, previous the 15 days before (Oct 17..31)
    (SUNDAY, "1-15 Nov", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "1–15 Nov 2026", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "2026-11-01..2026-11-15", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "2026-11-01 - 2026-11-15", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "1 Nov - 15 Nov", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "01/11/2026-15/11/2026", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "Nov 1-15", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "Nov 1 - Nov 15, 2026", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "1 s.d. 15 Nov", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    (SUNDAY, "dari 1 Nov sampai 15 Nov", "2026-11-01", "2026-11-15", "2026-10-17", "2026-10-31"),
    # across the new year: Dec 25..Jan 5 = 7 + 5 = 12 days; before it Dec 13..24
    (SUNDAY, "25 Des - 5 Jan", "2025-12-25", "2026-01-05", "2025-12-13", "2025-12-24"),
    # a range running past today is clipped: Nov 20..22 (3 days), before it Nov 17..19
    (SUNDAY, "20 Nov - 30 Nov", "2026-11-20", "2026-11-22", "2026-11-17", "2026-11-19"),
    # since: Nov 1..22 = 22 days; before it Oct 10..31
    (SUNDAY, "sejak 1 Nov", "2026-11-01", "2026-11-22", "2026-10-10", "2026-10-31"),
    (SUNDAY, "since Nov 1", "2026-11-01", "2026-11-22", "2026-10-10", "2026-10-31"),
    (SUNDAY, "since 1 November", "2026-11-01", "2026-11-22", "2026-10-10", "2026-10-31"),
    (SUNDAY, "sejak 2026-11-01", "2026-11-01", "2026-11-22", "2026-10-10", "2026-10-31"),
    (SUNDAY, "1 Nov - sekarang", "2026-11-01", "2026-11-22", "2026-10-10", "2026-10-31"),
    # single dates
    (SUNDAY, "5 Nov", "2026-11-05", "2026-11-05", "2026-11-04", "2026-11-04"),
    (SUNDAY, "2026-11-05", "2026-11-05", "2026-11-05", "2026-11-04", "2026-11-04"),
    (SUNDAY, "05/11/2026", "2026-11-05", "2026-11-05", "2026-11-04", "2026-11-04"),
    (SUNDAY, "Nov 5", "2026-11-05", "2026-11-05", "2026-11-04", "2026-11-04"),
    (SUNDAY, "5 Des", "2025-12-05", "2025-12-05", "2025-12-04", "2025-12-04"),  # latest begun
    (SUNDAY, "29 Feb", "2024-02-29", "2024-02-29", "2024-02-28", "2024-02-28"),  # a leap year
    # weekdays: the latest one on or before today, against the week before
    (SUNDAY, "hari Minggu", "2026-11-22", "2026-11-22", "2026-11-15", "2026-11-15"),
    (SUNDAY, "Minggu", "2026-11-22", "2026-11-22", "2026-11-15", "2026-11-15"),
    (SUNDAY, "Sunday", "2026-11-22", "2026-11-22", "2026-11-15", "2026-11-15"),
    (SUNDAY, "hari Senin", "2026-11-16", "2026-11-16", "2026-11-09", "2026-11-09"),
    (SUNDAY, "Monday", "2026-11-16", "2026-11-16", "2026-11-09", "2026-11-09"),
    (SUNDAY, "hari Sabtu", "2026-11-21", "2026-11-21", "2026-11-14", "2026-11-14"),
    (SUNDAY, "Jumat", "2026-11-20", "2026-11-20", "2026-11-13", "2026-11-13"),
    (SUNDAY, "hari Minggu lalu", "2026-11-15", "2026-11-15", "2026-11-08", "2026-11-08"),
    (SUNDAY, "last Sunday", "2026-11-15", "2026-11-15", "2026-11-08", "2026-11-08"),
    # month ends: this month's previous is clipped to last month's end
    ("2027-03-31", "bulan ini", "2027-03-01", "2027-03-31", "2027-02-01", "2027-02-28"),
    ("2028-03-31", "bulan ini", "2028-03-01", "2028-03-31", "2028-02-01", "2028-02-29"),
    ("2026-05-31", "bulan ini", "2026-05-01", "2026-05-31", "2026-04-01", "2026-04-30"),
    ("2026-05-31", "this month", "2026-05-01", "2026-05-31", "2026-04-01", "2026-04-30"),
    ("2026-05-31", "bulan lalu", "2026-04-01", "2026-04-30", "2026-03-01", "2026-03-31"),
    ("2027-03-31", "bulan lalu", "2027-02-01", "2027-02-28", "2027-01-01", "2027-01-31"),
    # Mar 31 − 1 month = Feb 28, + 1 day = Mar 1; 31 days before: Jan 29..Feb 28
    ("2027-03-31", "1 bulan terakhir", "2027-03-01", "2027-03-31", "2027-01-29", "2027-02-28"),
    ("2027-03-31", "last 1 month", "2027-03-01", "2027-03-31", "2027-01-29", "2027-02-28"),
    # leap year: Mar 31 − 1 month = Feb 29; 31 days before: Jan 30..Feb 29
    ("2028-03-31", "1 bulan terakhir", "2028-03-01", "2028-03-31", "2028-01-30", "2028-02-29"),
    # Q1 2027 so far is 90 days; Oct 1 + 89 days = Dec 29
    ("2027-03-31", "kuartal ini", "2027-01-01", "2027-03-31", "2026-10-01", "2026-12-29"),
    # leap day
    ("2028-02-29", "tahun ini", "2028-01-01", "2028-02-29", "2027-01-01", "2027-02-28"),
    ("2028-02-29", "this year", "2028-01-01", "2028-02-29", "2027-01-01", "2027-02-28"),
    ("2028-02-29", "tahun lalu", "2027-01-01", "2027-12-31", "2026-01-01", "2026-12-31"),
    ("2028-02-29", "bulan ini", "2028-02-01", "2028-02-29", "2028-01-01", "2028-01-29"),
    ("2028-02-29", "hari ini", "2028-02-29", "2028-02-29", "2028-02-28", "2028-02-28"),
    ("2028-02-29", "kemarin", "2028-02-28", "2028-02-28", "2028-02-27", "2028-02-27"),
    ("2028-02-29", "minggu ini", "2028-02-28", "2028-02-29", "2028-02-21", "2028-02-22"),
    ("2028-02-29", "29 Feb", "2028-02-29", "2028-02-29", "2028-02-28", "2028-02-28"),
    # Q1 2028 so far: Jan (31) + Feb (29) = 60 days; Oct 1 + 59 days = Nov 29
    ("2028-02-29", "kuartal ini", "2028-01-01", "2028-02-29", "2027-10-01", "2027-11-29"),
    # 2027-02-28 + 1 = 2027-03-01 .. 2028-02-29: 366 days; the 366 before end 2027-02-28
    ("2028-02-29", "12 bulan terakhir", "2027-03-01", "2028-02-29", "2026-02-28", "2027-02-28"),
    # year boundary: 2027-01-01 is a Friday
    ("2027-01-01", "minggu ini", "2026-12-28", "2027-01-01", "2026-12-21", "2026-12-25"),
    ("2027-01-01", "this week", "2026-12-28", "2027-01-01", "2026-12-21", "2026-12-25"),
    ("2027-01-01", "minggu lalu", "2026-12-21", "2026-12-27", "2026-12-14", "2026-12-20"),
    ("2027-01-01", "bulan lalu", "2026-12-01", "2026-12-31", "2026-11-01", "2026-11-30"),
    ("2027-01-01", "bulan ini", "2027-01-01", "2027-01-01", "2026-12-01", "2026-12-01"),
    ("2027-01-01", "kuartal lalu", "2026-10-01", "2026-12-31", "2026-07-01", "2026-09-30"),
    ("2027-01-01", "kuartal ini", "2027-01-01", "2027-01-01", "2026-10-01", "2026-10-01"),
    ("2027-01-01", "tahun ini", "2027-01-01", "2027-01-01", "2026-01-01", "2026-01-01"),
    ("2027-01-01", "tahun lalu", "2026-01-01", "2026-12-31", "2025-01-01", "2025-12-31"),
    ("2027-01-01", "Desember", "2026-12-01", "2026-12-31", "2026-11-01", "2026-11-30"),
    ("2027-01-01", "Q4", "2026-10-01", "2026-12-31", "2026-07-01", "2026-09-30"),
    ("2027-01-01", "kemarin", "2026-12-31", "2026-12-31", "2026-12-30", "2026-12-30"),
    ("2027-01-01", "7 hari terakhir", "2026-12-26", "2027-01-01", "2026-12-19", "2026-12-25"),
    ("2027-01-01", "hari Minggu", "2026-12-27", "2026-12-27", "2026-12-20", "2026-12-20"),
    # Dec 25..Jan 1 after clipping = 8 days; before it Dec 17..24
    ("2027-01-01", "25 Des - 5 Jan", "2026-12-25", "2027-01-01", "2026-12-17", "2026-12-24"),
]


@pytest.mark.parametrize(("today", "phrase", "cs", "ce", "ps", "pe"), TABLE,
                         ids=[f"{row[0]}:{row[1]}" for row in TABLE])
def test_table(today: str, phrase: str, cs: str, ce: str, ps: str, pe: str) -> None:
    _check(parse_period(phrase, _d(today)), (cs, ce), (ps, pe))


# A bare "Minggu" is Sunday only on its own: inside a sentence it is no period.
IN_SENTENCES = [row for row in TABLE if row[1].lower() != "minggu"]


@pytest.mark.parametrize(("today", "phrase", "cs", "ce", "ps", "pe"), IN_SENTENCES,
                         ids=[f"{row[0]}:{row[1]}" for row in IN_SENTENCES])
def test_table_in_a_sentence(today: str, phrase: str, cs: str, ce: str, ps: str,
                             pe: str) -> None:
    """find_period reads the same phrase inside a request and gives its exact span."""
    text = f"/kpi reach ig {phrase} tolong"
    found = find_period(text, _d(today))
    assert found is not None
    query, i, j = found
    assert text[i:j] == phrase
    _check(query, (cs, ce), (ps, pe))


def test_periods_never_end_after_today() -> None:
    today = _d(SUNDAY)
    for _, phrase, *_rest in (row for row in TABLE if row[0] == SUNDAY):
        query = parse_period(phrase, today)
        assert query.current.end <= today
        assert query.previous.end < query.current.start


def test_default_period_is_this_week() -> None:
    query = default_period(_d(SUNDAY))
    _check(query, ("2026-11-16", "2026-11-22"), ("2026-11-09", "2026-11-15"))
    assert query.current.label == "minggu ini"
    assert default_period(_d(SUNDAY), "en").current.label == "this week"


def test_parse_ignores_surrounding_whitespace_and_punctuation() -> None:
    query = parse_period("  Bulan Lalu? ", _d(SUNDAY))
    _check(query, ("2026-10-01", "2026-10-31"), ("2026-09-01", "2026-09-30"))


# --------------------------------------------------------------------------- labels

LABELS = [
    ("minggu ini", "id", "minggu ini", "9–15 Nov 2026"),
    ("this week", "en", "this week", "9–15 Nov 2026"),
    ("minggu ini", "en", "this week", "9–15 Nov 2026"),
    ("bulan lalu", "id", "bulan lalu", "September 2026"),
    ("last month", "en", "last month", "September 2026"),
    ("30 hari terakhir", "id", "30 hari terakhir", "24 Sep – 23 Okt 2026"),
    ("last 30 days", "en", "last 30 days", "24 Sep – 23 Oct 2026"),
    ("Oktober", "id", "Oktober 2026", "September 2026"),
    ("October 2026", "en", "October 2026", "September 2026"),
    ("Q3 2026", "id", "Q3 2026", "Q2 2026"),
    ("1-15 Nov", "id", "1–15 Nov 2026", "17–31 Okt 2026"),
    ("hari ini", "id", "hari ini", "21 Nov 2026"),
    ("today", "en", "today", "21 Nov 2026"),
    ("sejak 1 Nov", "id", "sejak 1 Nov 2026", "10–31 Okt 2026"),
    ("since Nov 1", "en", "since 1 Nov 2026", "10–31 Oct 2026"),
    ("tahun lalu", "id", "tahun lalu", "2024"),
    ("25 Des - 5 Jan", "id", "25 Des 2025 – 5 Jan 2026", "13–24 Des 2025"),
    ("hari Minggu", "id", "Minggu, 22 Nov 2026", "15 Nov 2026"),
    ("Sunday", "en", "Sunday, 22 Nov 2026", "15 Nov 2026"),
    ("20 Nov - 30 Nov", "id", "20–22 Nov 2026", "17–19 Nov 2026"),
]


@pytest.mark.parametrize(("phrase", "lang", "label", "previous"), LABELS)
def test_labels(phrase: str, lang: str, label: str, previous: str) -> None:
    query = parse_period(phrase, _d(SUNDAY), lang)
    assert query.current.label == label
    assert query.previous.label == previous


# --------------------------------------------------------------------------- errors

FUTURE = [
    "bulan depan", "besok", "lusa", "Desember 2027", "minggu depan", "pekan depan",
    "tahun depan", "kuartal depan", "next month", "next week", "tomorrow", "Q1 2027",
    "tahun 2027", "5 Des 2026", "sejak 1 Des 2026", "since Dec 1, 2026",
    "2026-12-01..2026-12-05", "7 hari ke depan", "next 7 days",
]


@pytest.mark.parametrize("phrase", FUTURE)
def test_future(phrase: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(phrase, _d(SUNDAY))
    assert caught.value.code == "future"
    assert caught.value.text == phrase


INVALID = [
    "31 Feb", "30 Feb 2024", "31/02/2026", "2026-13-01", "0 hari terakhir", "last 0 days",
    "3661 hari terakhir", "4000 hari", "121 bulan terakhir", "15-1 Nov",
    "2026-11-15..2026-11-01", "15 Nov - 1 Okt", "banana", "", "Q5", "kuartal 5", "hari",
    "reach instagram",
]


@pytest.mark.parametrize("phrase", INVALID)
def test_invalid(phrase: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(phrase, _d(SUNDAY))
    assert caught.value.code == "invalid"


def test_longest_periods_allowed() -> None:
    today = _d(SUNDAY)
    # 3660 days ending Nov 22, 2026 start 3659 days earlier
    assert parse_period("3660 hari terakhir", today).current.days == 3660
    # 2016-11-23 .. 2026-11-22: ten years with the leap days of 2020 and 2024
    query = parse_period("120 bulan terakhir", today)
    assert _span(query.current) == ("2016-11-23", "2026-11-22")
    assert query.current.days == 3652


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="future: bulan depan"):
        parse_period("bulan depan", _d(SUNDAY))


# ------------------------------------------------------------------------ find_period

FIND = [
    ("berapa engagement instagram bulan lalu?", "bulan lalu", "2026-10-01", "2026-10-31"),
    ("how many clicks last week", "last week", "2026-11-09", "2026-11-15"),
    ("/kpi reach ig 1-15 nov", "1-15 nov", "2026-11-01", "2026-11-15"),
    ("/kpi followers tiktok 30 hari terakhir", "30 hari terakhir", "2026-10-24", "2026-11-22"),
    ("reach selama bulan lalu dong", "selama bulan lalu", "2026-10-01", "2026-10-31"),
    ("engagement di bulan Oktober", "di bulan Oktober", "2026-10-01", "2026-10-31"),
    ("reach pada minggu ini", "pada minggu ini", "2026-11-16", "2026-11-22"),
    ("klik dalam 7 hari terakhir ya", "dalam 7 hari terakhir", "2026-11-16", "2026-11-22"),
    ("reach 7 hari ke belakang", "7 hari ke belakang", "2026-11-16", "2026-11-22"),
    ("reach minggu kemarin", "minggu kemarin", "2026-11-09", "2026-11-15"),
    ("reach ig hari Minggu", "hari Minggu", "2026-11-22", "2026-11-22"),
    ("reach ig pada hari Senin", "pada hari Senin", "2026-11-16", "2026-11-16"),
    ("reach since Nov 1 please", "since Nov 1", "2026-11-01", "2026-11-22"),
    ("reach 2026-11-01..2026-11-15 ig", "2026-11-01..2026-11-15", "2026-11-01", "2026-11-15"),
    ("reach over the past 30 days", "over the past 30 days", "2026-10-24", "2026-11-22"),
    ("show me instagram reach this week", "this week", "2026-11-16", "2026-11-22"),
    ("reach in May", "in May", "2026-05-01", "2026-05-31"),
    ("/catat ig followers 12000 2026-11-05", "2026-11-05", "2026-11-05", "2026-11-05"),
    ("reach minggu ini dibanding minggu lalu", "minggu ini", "2026-11-16", "2026-11-22"),
    ("reach q3 2026 vs q2", "q3 2026", "2026-07-01", "2026-09-30"),
    ("reach sejak tanggal 1 Nov sampai sekarang", "sejak tanggal 1 Nov sampai sekarang",
     "2026-11-01", "2026-11-22"),
]


@pytest.mark.parametrize(("text", "phrase", "start", "end"), FIND)
def test_find_period(text: str, phrase: str, start: str, end: str) -> None:
    found = find_period(text, _d(SUNDAY))
    assert found is not None
    query, i, j = found
    assert text[i:j] == phrase
    assert _span(query.current) == (start, end)


NO_PERIOD = [
    "berapa followers instagram",
    "rata-rata reach per minggu di instagram",  # "minggu" alone is not a week
    "laporan minggu instagram",
    "reach minggu",
    "may I see the reach",  # English "may" alone is not May
    "/langganan harian 08:00",
    "/senyap 2 jam",
    "",
]


@pytest.mark.parametrize("text", NO_PERIOD)
def test_find_nothing(text: str) -> None:
    assert find_period(text, _d(SUNDAY)) is None


def test_find_future_raises_with_the_phrase() -> None:
    with pytest.raises(PeriodError) as caught:
        find_period("/kpi reach ig bulan depan", _d(SUNDAY))
    assert caught.value.code == "future"
    assert caught.value.text == "bulan depan"


def test_find_invalid_date_raises() -> None:
    with pytest.raises(PeriodError) as caught:
        find_period("reach ig 31 feb", _d(SUNDAY))
    assert caught.value.code == "invalid"


def test_find_prefers_the_longest_reading() -> None:
    text = "clicks 1 Nov - 15 Nov 2026 ig"
    found = find_period(text, _d(SUNDAY))
    assert found is not None
    query, i, j = found
    assert text[i:j] == "1 Nov - 15 Nov 2026"
    assert query.current.days == 15


def test_find_uses_the_reply_language_for_labels() -> None:
    found = find_period("reach bulan lalu", _d(SUNDAY), "en")
    assert found is not None
    assert found[0].current.label == "last month"
    assert found[0].previous.label == "September 2026"


def test_period_dates() -> None:
    query = parse_period("1-3 Nov", _d(SUNDAY))
    assert query.current.dates() == [_d("2026-11-01"), _d("2026-11-02"), _d("2026-11-03")]
    assert query.previous.dates() == [_d("2026-10-29"), _d("2026-10-30"), _d("2026-10-31")]


@pytest.mark.parametrize(("text", "phrase"), [
    ("12.000 hari ini", "hari ini"),
    ("catat 1.500 hari ini", "hari ini"),
    ("Rp1.500.000 kemarin", "kemarin"),
])
def test_thousands_number_is_not_a_day_count(text: str, phrase: str) -> None:
    found = find_period(text, date(2026, 11, 22))
    assert found is not None
    _, i, j = found
    assert text[i:j].strip() == phrase
