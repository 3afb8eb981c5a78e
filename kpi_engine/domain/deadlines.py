"""Deadline phrases of goals (SPEC §6 "Time-bound"), Indonesian and English → one local day.

``find_deadline`` looks for a deadline inside a whole chat message and says where it is (so
the caller can cut it out); ``parse_deadline`` reads a text that is exactly one. Every
deadline is a day on or after ``today``; a goal's window is ``today .. deadline`` inclusive.

- durations: ``3 bulan``, ``6 minggu``, ``90 hari``, ``1 tahun``, ``2 kuartal``,
  ``dalam 3 bulan``, ``3 bulan lagi``, ``in 6 weeks``, ``tiga bulan``, ``sebulan``: the last day
  of a window of that length starting today (``90 hari`` from 1 Jan → 31 Mar; ``3 bulan``
  from 22 Nov → 21 Feb; ``6 minggu`` from a Monday → the Sunday of the sixth week);
- dates: ``31 Des``, ``31 Desember 2027``, ``Dec 31``, ``2027-03-31``, ``31/03/2027``,
  ``31-03-2027``, ``31/03``: without a year, the next such day (today included);
- ends: ``akhir bulan`` / ``end of month``, ``akhir kuartal``, ``akhir tahun``, ``akhir
  minggu``, with ``ini``/``depan`` (``end of next month``), ``akhir Maret``, ``akhir 2027``;
- calendar units: ``bulan ini`` / ``this month`` (its last day), ``minggu depan``,
  ``kuartal depan``, ``tahun depan``, ``Maret 2027``, ``Q1 2027``, ``kuartal 1``: the last day
  of that unit, and the unit's first day as ``period_start`` (a total goal on "reach this
  month" counts the whole month); ``hari ini``, ``besok``.

A leading ``by``/``before``/``until``/``sampai``/``hingga``/``sebelum``/``pada``/``paling
lambat``/``deadline`` belongs to the phrase. A date already past raises
``DeadlineError("past")``; an impossible one (``31 Feb``) or one more than ten years ahead
``DeadlineError("invalid")``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_engine.domain.calendar_words import MONTH_NUMBERS, add_months, unit_start

__all__ = ["MAX_YEARS", "Deadline", "DeadlineError", "find_deadline", "parse_deadline"]

#: Deadlines further ahead than this are refused as typos.
MAX_YEARS = 10


class DeadlineError(ValueError):
    """A deadline phrase that cannot be a goal's deadline: ``code`` is ``past`` or ``invalid``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Deadline:
    day: date
    phrase: str  # as typed, without the leading "by"/"sampai"
    #: the first day of the calendar unit the phrase names (``bulan ini``: the 1st of this
    #: month; ``Q1 2027``: 1 Jan 2027); None for durations, dates and "akhir …" phrases
    period_start: date | None = None


# --------------------------------------------------------------------------- vocabulary

_UNITS = {
    "hari": "day", "day": "day", "days": "day",
    "minggu": "week", "pekan": "week", "week": "week", "weeks": "week",
    "bulan": "month", "month": "month", "months": "month",
    "kuartal": "quarter", "kwartal": "quarter", "triwulan": "quarter", "quarter": "quarter",
    "quarters": "quarter",
    "tahun": "year", "year": "year", "years": "year",
}
_COUNT_WORDS = {
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11, "dua belas": 12,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1,
}
#: "sebulan", "seminggu": one unit in one word.
_ONE_UNIT = {"sehari": "day", "seminggu": "week", "sepekan": "week", "sebulan": "month",
             "sekuartal": "quarter", "setriwulan": "quarter", "setahun": "year"}
_QUARTERS = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4,
             "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4}
_THIS = {"ini": 0, "this": 0, "current": 0, "depan": 1, "berikutnya": 1, "next": 1,
         "mendatang": 1, "coming": 1}


def _alt(words: object) -> str:
    ordered = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered) + ")"


_B = r"(?<![\w@#:/.,+\-])"  # a phrase starts at a word boundary (not inside "promo1111")
_E = r"(?![\w/])"  # ... and ends at one
_PREP = (r"(?:(?:by|before|until|till|on|in|within|due|at|the|sampai|hingga|sebelum|pada|"
         r"dalam|paling\s+lambat|selambatnya|tenggat|deadline|batas|waktu|tanggal|tgl\.?|per)"
         r"\s*:?\s+)*")
_MON = _alt(MONTH_NUMBERS) + r"\.?"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:\s*,?\s*(?P<year>\d{4}))?"
_UNIT = _alt(_UNITS)
_COUNT = r"(?P<count>\d{1,3}|" + _alt(_COUNT_WORDS) + ")"
_AHEAD = r"(?:\s+(?:lagi|ke\s*depan|mendatang|berikutnya|from\s+now|dari\s+sekarang))?"
_END = r"(?:akhir|ujung|penghujung|end\s+of(?:\s+the)?)"
_WHICH = r"(?:\s+(?P<which>" + _alt(_THIS) + "))?"
_NEXT_FIRST = r"(?:(?P<which>this|next|current|coming)\s+)"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    build: Callable[[re.Match[str], date], date]
    unit: str | None = None  # a calendar unit the phrase names: "unit" (from the match),
    # "month", "quarter"; its first day is the deadline's ``period_start``


def _rule(body: str, build: Callable[[re.Match[str], date], date],
          unit: str | None = None) -> _Rule:
    return _Rule(re.compile(_B + "(?P<prep>" + _PREP + ")(?P<phrase>" + body + ")" + _E,
                            re.IGNORECASE), build, unit)


# ------------------------------------------------------------------------- arithmetic





def _unit_end(unit: str, day: date, offset: int = 0) -> date:
    """The last day of the week/month/quarter/year holding ``day``, ``offset`` units on."""
    if unit == "day":
        return day + timedelta(days=offset)
    if unit == "week":
        return day + timedelta(days=6 - day.weekday(), weeks=offset)
    months = {"month": 1, "quarter": 3, "year": 12}[unit]
    if unit == "month":
        first = day.replace(day=1)
    elif unit == "quarter":
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        first = date(day.year, 1, 1)
    return add_months(first, months * (offset + 1)) - timedelta(days=1)


def _after(today: date, unit: str, count: int) -> date:
    """The last day of a window of ``count`` units starting today."""
    if unit == "day":
        return today + timedelta(days=count - 1)
    if unit == "week":
        return today + timedelta(weeks=count, days=-1)
    months = {"month": 1, "quarter": 3, "year": 12}[unit] * count
    return add_months(today, months) - timedelta(days=1)


def _next_date(today: date, month: int, day: int, year: int | None) -> date:
    """``day month [year]``; without a year the next such day, today included."""
    try:
        if year is not None:
            return date(year, month, day)
        found = date(today.year, month, day)
    except ValueError:
        if year is None and month == 2 and day == 29:  # the next leap year's 29 Feb
            for y in range(today.year, today.year + 9):
                if calendar.isleap(y) and date(y, 2, 29) >= today:
                    return date(y, 2, 29)
        raise
    return found if found >= today else found.replace(year=found.year + 1)


def _month_end_next(today: date, month: int, year: int | None) -> date:
    """The last day of ``month`` [``year``]; without a year, of the next such month."""
    if year is None:
        year = today.year if month >= today.month else today.year + 1
    return date(year, month, calendar.monthrange(year, month)[1])


# ----------------------------------------------------------------------------- rules

def _count(match: re.Match[str]) -> int:
    raw = " ".join(match["count"].lower().split())
    return int(raw) if raw.isdigit() else _COUNT_WORDS[raw]


def _b_duration(m: re.Match[str], today: date) -> date:
    count = _count(m)
    if count < 1:
        raise ValueError("zero")
    return _after(today, _UNITS[m["unit"].lower()], count)


def _b_one_unit(m: re.Match[str], today: date) -> date:
    return _after(today, _ONE_UNIT[m["unit"].lower()], 1)


def _b_iso(m: re.Match[str], today: date) -> date:
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _b_dmy(m: re.Match[str], today: date) -> date:
    year = m["y"]
    if year is None:
        return _next_date(today, int(m["m"]), int(m["d"]), None)
    y = int(year) + (2000 if len(year) == 2 else 0)
    return date(y, int(m["m"]), int(m["d"]))


def _b_day_month(m: re.Match[str], today: date) -> date:
    month = MONTH_NUMBERS[m["mon"].lower().rstrip(".")]
    return _next_date(today, month, int(m["d"]), int(m["year"]) if m["year"] else None)


def _which(m: re.Match[str]) -> int:
    which = m.groupdict().get("which")
    return _THIS[" ".join(which.lower().split())] if which else 0


def _b_end_of_unit(m: re.Match[str], today: date) -> date:
    return _unit_end(_UNITS[m["unit"].lower()], today, _which(m))


def _b_end_of_month_name(m: re.Match[str], today: date) -> date:
    month = MONTH_NUMBERS[m["mon"].lower().rstrip(".")]
    return _month_end_next(today, month, int(m["year"]) if m["year"] else None)


def _b_end_of_year(m: re.Match[str], today: date) -> date:
    return date(int(m["y"]), 12, 31)


def _b_quarter(m: re.Match[str], today: date) -> date:
    q = _QUARTERS[m["q"].lower()]
    year = int(m["year"]) if m["year"] else None
    if year is None:
        year = today.year if date(today.year, 3 * q, 1) >= today.replace(day=1) else \
            today.year + 1
    return _unit_end("quarter", date(year, 3 * q, 1))


def _b_fixed(m: re.Match[str], today: date) -> date:
    word = " ".join(m["phrase"].lower().split())
    return today + timedelta(days=0 if word in ("hari ini", "today") else 1)


_UNIT_NO_DAY = _alt({k: v for k, v in _UNITS.items() if v != "day"})

_RULES: tuple[_Rule, ...] = (
    _rule(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})", _b_iso),
    _rule(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d%])", _b_dmy),
    _rule(r"(?P<d>\d{1,2})(?P<s>[.\-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})(?!\d)", _b_dmy),
    _rule(r"(?P<d>\d{1,2})" + _ORD + r"\s*(?:of\s+)?(?P<mon>" + _MON + r")(?![a-z])" + _YEAR,
          _b_day_month),
    _rule(r"(?P<mon>" + _MON + r")(?![a-z])\s*(?P<d>\d{1,2})" + _ORD + r"(?!\d)" + _YEAR,
          _b_day_month),
    _rule(_END + r"\s+(?P<mon>" + _MON + r")(?![a-z])" + _YEAR, _b_end_of_month_name),
    _rule(_END + r"\s+(?:tahun\s+|year\s+)?(?P<y>\d{4})", _b_end_of_year),
    _rule(_END + r"\s+(?P<unit>" + _UNIT_NO_DAY + r")" + _WHICH, _b_end_of_unit),
    _rule(_END + r"\s+" + _NEXT_FIRST + r"(?P<unit>" + _UNIT_NO_DAY + r")", _b_end_of_unit),
    _rule(_NEXT_FIRST + r"(?P<unit>" + _UNIT_NO_DAY + r")(?:'s)?\s+end", _b_end_of_unit),
    _rule(r"(?P<unit>month|quarter|year)[\s-]+end", _b_end_of_unit),
    _rule(r"(?:q|kuartal\s+|triwulan\s+|quarter\s+)(?P<q>[1-4]|iv|iii|ii|i|pertama|kedua"
          r"|ketiga|keempat)(?![a-z\d])" + _YEAR, _b_quarter, "quarter"),
    _rule(r"(?P<unit>" + _UNIT_NO_DAY + r")\s+(?P<which>" + _alt(_THIS) + r")", _b_end_of_unit,
          "unit"),
    _rule(_NEXT_FIRST + r"(?P<unit>" + _UNIT_NO_DAY + r")", _b_end_of_unit, "unit"),
    _rule(r"(?P<mon>" + _MON + r")(?![a-z])" + r"\s*(?P<year>\d{4})", _b_end_of_month_name,
          "month"),
    _rule(_COUNT + r"\s*(?P<unit>" + _UNIT + r")" + _AHEAD, _b_duration),
    _rule(r"(?P<unit>" + _alt(_ONE_UNIT) + r")" + _AHEAD, _b_one_unit),
    _rule(r"hari\s+ini|today|besok|tomorrow", _b_fixed),
)
#: Words after a duration that make it a past period ("3 bulan terakhir"), not a deadline.
_PAST_AFTER = re.compile(r"\s*(?:terakhir|lalu|yang\s+lalu|ago|before)\b", re.IGNORECASE)
_PAST_BEFORE = re.compile(r"(?:last|past|previous)\s+$", re.IGNORECASE)


def _check(day: date, today: date, text: str) -> date:
    if day < today:
        raise DeadlineError("past", text)
    if day > add_months(today, 12 * MAX_YEARS):
        raise DeadlineError("invalid", text)
    return day


def find_deadline(text: str, today: date) -> tuple[Deadline, int, int] | None:
    """The first deadline phrase in ``text`` and its span ``[i, j)`` (with its leading
    "by"/"sampai"), read as long as it goes; None when there is none. Raises
    ``DeadlineError`` for a phrase that names a past or impossible day."""
    found: list[tuple[int, int, int, re.Match[str]]] = []
    for index, rule in enumerate(_RULES):
        for match in rule.pattern.finditer(text):
            if rule.build is _b_duration and (
                    _PAST_AFTER.match(text, match.end())
                    or _PAST_BEFORE.search(text[:match.start("phrase")])):
                continue
            found.append((match.start("phrase"), -len(match["phrase"]), index, match))
    if not found:
        return None
    found.sort(key=lambda item: item[:3])
    _, _, index, best = found[0]
    for begin, _, other_index, other in found[1:]:
        if begin >= best.end():
            break
        if len(other["phrase"]) > len(best["phrase"]):
            index, best = other_index, other
    phrase = best["phrase"]
    rule = _RULES[index]
    try:
        day = rule.build(best, today)
    except (ValueError, KeyError, OverflowError):
        raise DeadlineError("invalid", phrase) from None
    start = None
    if rule.unit is not None:
        unit = _UNITS[best["unit"].lower()] if rule.unit == "unit" else rule.unit
        start = unit_start(unit, day)
    return Deadline(_check(day, today, phrase), phrase, start), best.start(), best.end()


def parse_deadline(text: str, today: date) -> Deadline:
    """The deadline ``text`` names; ``text`` is exactly one phrase (surrounding spaces and
    punctuation aside). Raises ``DeadlineError("invalid")`` when it is none."""
    stripped = text.strip(" \t\r\n.,;:!?()[]\"'")
    hit = find_deadline(stripped, today)
    if hit is None or stripped[:hit[1]].strip() or stripped[hit[2]:].strip():
        raise DeadlineError("invalid", text)
    return hit[0]
