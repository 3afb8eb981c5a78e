"""Calendar words and month arithmetic shared by periods (SPEC §4) and goal deadlines (§6)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

#: Month names, Indonesian and English, full and abbreviated; the index + 1 is the month.
MONTH_WORDS: tuple[str, ...] = (
    "januari january jan",
    "februari pebruari february feb peb",
    "maret march mar",
    "april apr",
    "mei may",
    "juni june jun",
    "juli july jul",
    "agustus august agu ags agt agst aug",
    "september sept sep",
    "oktober october okt oct",
    "november nopember nov nop",
    "desember december des dec",
)
#: month word → month number
MONTH_NUMBERS: dict[str, int] = {word: number
                                 for number, words in enumerate(MONTH_WORDS, start=1)
                                 for word in words.split()}


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of month clipped (Mar 31 − 1 → Feb 28/29)."""
    year, index = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, index + 1)[1]
    return date(year, index + 1, min(day.day, last))


def unit_start(unit: str, day: date) -> date:
    """The first day of the day/week/month/quarter/year holding ``day`` (weeks: Monday)."""
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)
