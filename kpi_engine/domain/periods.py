"""Periods of SPEC §4: period phrases (Indonesian and English) → whole-day date ranges.

``parse_period`` reads a text that is exactly a period phrase, ``find_period`` looks for one
inside a whole chat message (and says where it is, so the caller can cut it out), and
``default_period`` is what a message without a period means: ``minggu ini``.

Every period is a run of whole local days, inclusive, that never ends after ``today``; it
comes with the previous period it is compared with:

* a calendar unit that is over (``bulan lalu``, ``Oktober``, ``Q3 2026``, ``tahun 2025``,
  ``2 minggu lalu``) is compared with the whole unit before it;
* the current unit (``minggu ini``, ``bulan ini``, ``November`` in November, ``kuartal ini``,
  ``tahun ini``) runs to today and is compared like for like: the same weekdays of last week,
  the same day-span of last month or quarter clipped to its end (Mar 1–31 → Feb 1–28), the
  same dates of last year (Jan 1–Feb 29 → Jan 1–Feb 28);
* rolling windows (``30 hari terakhir``, ``3 bulan terakhir``), date ranges, ``sejak 1 Nov``
  and single dates are compared with the same number of days just before;
* a weekday (``hari Minggu``, ``Senin``, ``last Friday``) is compared with the same weekday a
  week earlier.

Weeks start on Monday. "Minggu" is a week only in ``minggu ini/lalu/depan/kemarin`` and
``N minggu``; ``hari Minggu`` is Sunday, and a bare "minggu" elsewhere in a sentence is not a
period at all. A phrase naming a period that lies wholly after today raises
``PeriodError("future")``; an impossible one (``31 Feb``, ``0 hari``, a reversed range, more
than ``MAX_DAYS`` days) raises ``PeriodError("invalid")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from kpi_engine.domain.calendar_words import MONTH_NUMBERS, add_months, unit_start

__all__ = [
    "MAX_DAYS",
    "Period",
    "PeriodError",
    "PeriodQuery",
    "default_period",
    "find_period",
    "parse_period",
]

#: The longest period served (about ten years); longer ones are ``invalid``.
MAX_DAYS = 3660


class PeriodError(ValueError):
    """A period phrase that cannot be served. ``code`` is ``future`` or ``invalid``."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class PeriodQuery:
    """The period asked about and the previous one it is compared with."""

    current: Period
    previous: Period


# --------------------------------------------------------------------------- public API


def parse_period(text: str, today: date, lang: str = "id") -> PeriodQuery:
    """The period named by ``text``, which is exactly one period phrase.

    Surrounding whitespace and punctuation are ignored; a bare "Minggu" is Sunday.
    """
    phrase = text.strip(_STRIP)
    if phrase.lower() == "minggu":
        phrase = "hari " + phrase
    for rule in _RULES:
        match = rule.pattern.fullmatch(phrase)
        if match:
            return _build(rule, match, today, lang, text)
    raise PeriodError("invalid", text)


def find_period(text: str, today: date, lang: str = "id") -> tuple[PeriodQuery, int, int] | None:
    """The first period phrase in a sentence, read as long as it goes, and its span ``[i, j)``.

    Of overlapping readings the longest wins ("minggu kemarin" over "kemarin", "1-15 Nov"
    over "15 Nov"); of separate phrases the first ("minggu ini dibanding minggu lalu").
    The span includes a leading preposition ("selama", "di", "dalam", "in", "over"...), so
    cutting it out leaves the rest of the request. None when the text names no period.
    """
    found = sorted(
        ((match.start(), -len(match.group()), index, match)
         for index, rule in enumerate(_RULES)
         for match in rule.pattern.finditer(text)
         if match.group().lower() not in _AMBIGUOUS_ALONE),
        key=lambda item: item[:3],
    )
    if not found:
        return None
    _, _, index, best = found[0]
    for _, _, other_index, other in found[1:]:
        if other.start() >= best.end():
            break
        if len(other.group()) > len(best.group()):
            index, best = other_index, other
    return _build(_RULES[index], best, today, lang, best.group()), best.start(), best.end()


def default_period(today: date, lang: str = "id") -> PeriodQuery:
    """The period of a message that names none: ``minggu ini``."""
    return _relative(_Ctx(today, _language(lang), "minggu ini"), "week", 0)


# ----------------------------------------------------------------- calendar arithmetic

_ONE_DAY = timedelta(days=1)
_MONTHS_PER_UNIT = {"month": 1, "quarter": 3, "year": 12}






def _unit_shift(unit: str, start: date, count: int) -> date:
    """The start of the unit ``count`` units after the one starting on ``start``."""
    if unit == "day":
        return start + timedelta(days=count)
    if unit == "week":
        return start + timedelta(weeks=count)
    return add_months(start, count * _MONTHS_PER_UNIT[unit])


# -------------------------------------------------------------------------------- labels

_MONTH_NAMES = {
    "id": ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}
_MONTH_SHORT = {
    "id": ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_WEEKDAY_NAMES = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_UNIT_WORDS = {
    "id": {"day": "hari", "week": "minggu", "month": "bulan", "quarter": "kuartal",
           "year": "tahun"},
    "en": {"day": "day", "week": "week", "month": "month", "quarter": "quarter", "year": "year"},
}
#: Labels of the relative phrases: (unit, offset) → (Indonesian, English).
_RELATIVE_LABELS = {
    ("day", 0): ("hari ini", "today"),
    ("day", -1): ("kemarin", "yesterday"),
    ("day", -2): ("kemarin lusa", "the day before yesterday"),
    ("week", 0): ("minggu ini", "this week"),
    ("week", -1): ("minggu lalu", "last week"),
    ("month", 0): ("bulan ini", "this month"),
    ("month", -1): ("bulan lalu", "last month"),
    ("quarter", 0): ("kuartal ini", "this quarter"),
    ("quarter", -1): ("kuartal lalu", "last quarter"),
    ("year", 0): ("tahun ini", "this year"),
    ("year", -1): ("tahun lalu", "last year"),
}


def _language(lang: str) -> str:
    return "en" if lang.lower().startswith("en") else "id"


def _day_label(day: date, lang: str) -> str:
    return f"{day.day} {_MONTH_SHORT[lang][day.month - 1]} {day.year}"


def _month_label(year: int, month: int, lang: str) -> str:
    return f"{_MONTH_NAMES[lang][month - 1]} {year}"


def _span_label(start: date, end: date, lang: str) -> str:
    """``5 Nov 2026``, ``1–15 Nov 2026``, ``Oktober 2026``, ``Q3 2026``, ``2025``..."""
    if start == end:
        return _day_label(start, lang)
    for unit in ("year", "quarter", "month"):
        if start == unit_start(unit, start) and end == _unit_shift(unit, start, 1) - _ONE_DAY:
            if unit == "year":
                return str(start.year)
            if unit == "quarter":
                return f"Q{(start.month - 1) // 3 + 1} {start.year}"
            return _month_label(start.year, start.month, lang)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day_label(end, lang)}"
    if start.year == end.year:
        return f"{start.day} {_MONTH_SHORT[lang][start.month - 1]} – {_day_label(end, lang)}"
    return f"{_day_label(start, lang)} – {_day_label(end, lang)}"


def _count_label(count: int, unit: str, mode: str, lang: str) -> str:
    """``30 hari terakhir`` / ``last 30 days``; ``2 bulan lalu`` / ``2 months ago``."""
    word = _UNIT_WORDS[lang][unit]
    if lang == "id":
        return f"{count} {word} {'terakhir' if mode == 'last' else 'lalu'}"
    plural = word if count == 1 else word + "s"
    return f"last {count} {plural}" if mode == "last" else f"{count} {plural} ago"


# ---------------------------------------------------------------------- building queries


@dataclass(frozen=True)
class _Ctx:
    today: date
    lang: str
    phrase: str

    def error(self, code: str) -> PeriodError:
        return PeriodError(code, self.phrase)


def _make(ctx: _Ctx, start: date, end: date, prev_start: date, prev_end: date,
          label: str) -> PeriodQuery:
    if start > ctx.today:
        raise ctx.error("future")
    if start > end or (end - start).days + 1 > MAX_DAYS:
        raise ctx.error("invalid")
    previous = Period(prev_start, prev_end, _span_label(prev_start, prev_end, ctx.lang))
    return PeriodQuery(Period(start, end, label), previous)


def _calendar(ctx: _Ctx, unit: str, start: date, label: str) -> PeriodQuery:
    """The calendar unit starting on ``start``; the current one runs to today."""
    today = ctx.today
    if start > today:
        raise ctx.error("future")
    end = _unit_shift(unit, start, 1) - _ONE_DAY
    prev_start = _unit_shift(unit, start, -1)
    prev_end = start - _ONE_DAY
    if end >= today:  # the current unit, compared like for like
        end = today
        if unit == "year":
            prev_end = add_months(today, -12)
        else:
            prev_end = min(prev_start + (today - start), prev_end)
    return _make(ctx, start, end, prev_start, prev_end, label)


def _relative(ctx: _Ctx, unit: str, offset: int) -> PeriodQuery:
    """This (0), last (−1) or next (+1) day/week/month/quarter/year."""
    start = _unit_shift(unit, unit_start(unit, ctx.today), offset)
    if start > ctx.today:
        raise ctx.error("future")
    names = _RELATIVE_LABELS[(unit, offset)]
    return _calendar(ctx, unit, start, names[ctx.lang == "en"])


def _ending_today(ctx: _Ctx, start: date, label: str) -> PeriodQuery:
    """``start`` .. today, compared with the same number of days just before."""
    days = timedelta(days=(ctx.today - start).days + 1)
    return _make(ctx, start, ctx.today, start - days, start - _ONE_DAY, label)


def _range(ctx: _Ctx, start: date, end: date, label: str | None = None) -> PeriodQuery:
    """A date range clipped to today, compared with the same number of days just before."""
    if start > end:
        raise ctx.error("invalid")
    if start > ctx.today:
        raise ctx.error("future")
    end = min(end, ctx.today)
    days = timedelta(days=(end - start).days + 1)
    return _make(ctx, start, end, start - days, start - _ONE_DAY,
                 label or _span_label(start, end, ctx.lang))


def _latest(ctx: _Ctx, month: int, day: int) -> date:
    """The latest ``day month`` on or before today (Feb 29 looks back to a leap year)."""
    for year in range(ctx.today.year, ctx.today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= ctx.today:
            return candidate
    raise ctx.error("invalid")


# ---------------------------------------------------------------------- grammar pieces

_STRIP = " \t\r\n.,;:!?()[]{}\"'`"
#: Words that are a period only with more around them ("may I see..." is no month).
_AMBIGUOUS_ALONE = frozenset({"may"})


_WEEKDAY_NUMBERS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jumaat": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
_UNITS = {
    "hari": "day", "day": "day", "days": "day",
    "minggu": "week", "pekan": "week", "week": "week", "weeks": "week",
    "bulan": "month", "month": "month", "months": "month",
    "kuartal": "quarter", "kwartal": "quarter", "triwulan": "quarter", "quarter": "quarter",
    "quarters": "quarter",
    "tahun": "year", "year": "year", "years": "year",
}
_OFFSETS = {
    "ini": 0, "this": 0, "current": 0,
    "lalu": -1, "yanglalu": -1, "kemarin": -1, "kemaren": -1, "sebelumnya": -1,
    "last": -1, "previous": -1, "prior": -1,
    "depan": 1, "berikutnya": 1, "mendatang": 1, "yangakandatang": 1, "next": 1, "coming": 1,
}
#: Fixed phrases → (unit, offset) of ``_relative``.
_FIXED = {
    "hari ini": ("day", 0), "today": ("day", 0),
    "kemarin": ("day", -1), "kemaren": ("day", -1), "yesterday": ("day", -1),
    "kemarin lusa": ("day", -2), "day before yesterday": ("day", -2),
    "the day before yesterday": ("day", -2),
    "besok": ("day", 1), "tomorrow": ("day", 1), "lusa": ("day", 2),
    "day after tomorrow": ("day", 2), "the day after tomorrow": ("day", 2),
    "wtd": ("week", 0), "week to date": ("week", 0),
    "mtd": ("month", 0), "month to date": ("month", 0),
    "qtd": ("quarter", 0), "quarter to date": ("quarter", 0),
    "ytd": ("year", 0), "year to date": ("year", 0),
}
_QUARTER_WORDS = {
    "1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4,
    "pertama": 1, "kedua": 2, "ketiga": 3, "keempat": 4,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}
_AGO = frozenset({"lalu", "yanglalu", "ago"})
_AHEAD = frozenset({"kedepan", "mendatang", "berikutnya", "lagi", "next", "coming"})


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, spaces matching any whitespace."""
    ordered = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in ordered) + ")"


_PREP = (r"(?:(?:selama|sepanjang|di|pada|dalam|untuk|utk|periode|tanggal|tgl\.?"
         r"|in|during|for|over|on)\s+){0,2}")
_MON = _alternation(MONTH_NUMBERS) + r"(?![a-z])\.?"
_ORD = r"(?!\d)(?:st|nd|rd|th)?"
_SEP = (r"\s*(?:-|–|—|\.{2,3}|s\.?\s?d\.?|s/d|sampai(?:\s+dengan)?|hingga|to|until|till"
        r"|through|thru)\s*")
_NOW = r"(?:hari\s+ini|sekarang|kini|today|now)"
_WEEKDAY_BARE = r"(?:senin|selasa|rabu|kamis|jum['’]?at|jumaat|sabtu|ahad|monday|tuesday" \
                r"|wednesday|thursday|friday|saturday|sunday)"


def _year(name: str) -> str:
    return rf"(?:\s*,?\s*(?:tahun\s+)?(?P<{name}>\d{{4}})(?!\d))?"


def _date(p: str) -> str:
    """One date, its groups prefixed with ``p``: ISO, dd/mm/yyyy, ``5 Nov [2026]``, ``Nov 5``."""
    return (
        rf"(?:(?P<{p}iy>\d{{4}})-(?P<{p}im>\d{{1,2}})-(?P<{p}id>\d{{1,2}})(?!\d)"
        rf"|(?P<{p}nd>\d{{1,2}})(?P<{p}ns>[/.])(?P<{p}nm>\d{{1,2}})(?P={p}ns)(?P<{p}ny>\d{{4}})(?!\d)"
        rf"|(?P<{p}ad>\d{{1,2}}){_ORD}\s*(?P<{p}am>{_MON}){_year(p + 'ay')}"
        rf"|(?P<{p}bm>{_MON})\s*(?P<{p}bd>\d{{1,2}}){_ORD}{_year(p + 'by')})"
    )


_DateParts = tuple[int | None, int, int]  # (year or None, month, day)


def _date_parts(match: re.Match[str], p: str) -> _DateParts:
    groups = match.groupdict()
    if groups[p + "iy"]:
        return int(groups[p + "iy"]), int(groups[p + "im"]), int(groups[p + "id"])
    if groups[p + "nd"]:
        return int(groups[p + "ny"]), int(groups[p + "nm"]), int(groups[p + "nd"])
    kind = "a" if groups[p + "am"] else "b"
    year = groups[p + kind + "y"]
    return (int(year) if year else None, _month_number(groups[p + kind + "m"]),
            int(groups[p + kind + "d"]))


def _month_number(word: str) -> int:
    return MONTH_NUMBERS[word.rstrip(".").lower()]


def _key(text: str) -> str:
    """Lower case, with no spaces, dashes or apostrophes: ``ke belakang`` → ``kebelakang``."""
    return re.sub(r"[\s\-'’]+", "", text.lower())


# ---------------------------------------------------------------------------- handlers


def _h_fixed(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    unit, offset = _FIXED[" ".join(re.split(r"[\s-]+", match["fixed"].lower()))]
    return _relative(ctx, unit, offset)


def _h_relative(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    return _relative(ctx, _UNITS[match["unit"].lower()], _OFFSETS[_key(match["rel"])])


def _h_count(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    """``N hari terakhir``/``last N days``, ``N bulan lalu``/``N months ago``, ``N hari ke depan``."""
    groups = match.groupdict()
    count = 1 if match["n"].lower() == "se" else int(match["n"])
    unit = _UNITS[match["unit"].lower()]
    suffix, direction = _key(groups.get("suf") or ""), _key(groups.get("dir") or "")
    if count < 1 or count > MAX_DAYS:
        raise ctx.error("invalid")
    if suffix in _AHEAD or direction in _AHEAD:
        raise ctx.error("future")
    today = ctx.today
    if suffix in _AGO:
        start = _unit_shift(unit, unit_start(unit, today), -count)
        if (today - start).days > MAX_DAYS:
            raise ctx.error("invalid")
        return _calendar(ctx, unit, start, _count_label(count, unit, "ago", ctx.lang))
    if unit in ("day", "week"):
        start = today - timedelta(days=count * (7 if unit == "week" else 1) - 1)
    else:
        start = add_months(today, -count * _MONTHS_PER_UNIT[unit]) + _ONE_DAY
    return _ending_today(ctx, start, _count_label(count, unit, "last", ctx.lang))


def _h_weekday(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    """The latest such weekday on or before today; ``lalu``/``last``: before today."""
    weekday = _WEEKDAY_NUMBERS[_key(match["wd1"] or match["wd2"])]
    rel = _key(match["post"] or match["pre"] or "")
    today = ctx.today
    if _OFFSETS.get(rel) == 0:  # "Senin ini": this week's Monday
        day = unit_start("week", today) + timedelta(days=weekday)
    elif _OFFSETS.get(rel) == -1:
        day = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    else:
        day = today - timedelta(days=(today.weekday() - weekday) % 7)
    label = f"{_WEEKDAY_NAMES[ctx.lang][weekday]}, {_day_label(day, ctx.lang)}"
    week = timedelta(weeks=1)
    return _make(ctx, day, day, day - week, day - week, label)


_WEEKEND_LABELS = {0: ("akhir pekan ini", "this weekend"), -1: ("akhir pekan lalu",
                                                                  "last weekend")}


def _h_weekend(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    """``akhir pekan lalu``/``weekend kemarin``/``last weekend``: Saturday and Sunday of last
    week; ``… ini``/``this weekend``: this week's (to today, like for like); a bare
    ``weekend``: the latest that has begun. Compared with the weekend before."""
    rel = _key(match["pre"] or match["post"] or "")
    offset = _OFFSETS.get(rel)
    if offset is None:  # bare: this weekend once it has begun, else the last one
        offset = 0 if ctx.today.weekday() >= 5 else -1
    if offset > 0:
        raise ctx.error("future")
    saturday = unit_start("week", ctx.today) + timedelta(days=5, weeks=offset)
    if saturday > ctx.today:
        raise ctx.error("future")
    end = min(saturday + _ONE_DAY, ctx.today)
    week = timedelta(weeks=1)
    label = _WEEKEND_LABELS[offset][ctx.lang == "en"]
    return _make(ctx, saturday, end, saturday - week, end - week, label)


def _h_month(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    month = _month_number(match["mon"])
    if match["y"]:
        year = int(match["y"])
    else:  # the latest one that has begun
        year = ctx.today.year if month <= ctx.today.month else ctx.today.year - 1
    return _calendar(ctx, "month", date(year, month, 1), _month_label(year, month, ctx.lang))


def _h_quarter(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    groups = match.groupdict()
    word = next(groups[g] for g in ("q0", "q1", "q2", "q3", "q4") if groups[g])
    quarter = _QUARTER_WORDS[word.lower()]
    year_text = groups["y0"] or groups["y"]
    if year_text:
        year = int(year_text)
    else:  # the latest one that has begun
        current = (ctx.today.month - 1) // 3 + 1
        year = ctx.today.year if quarter <= current else ctx.today.year - 1
    return _calendar(ctx, "quarter", date(year, 3 * quarter - 2, 1), f"Q{quarter} {year}")


def _h_year(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    year = int(match["y"])
    return _calendar(ctx, "year", date(year, 1, 1), str(year))


def _h_date(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    day = _resolve(ctx, _date_parts(match, "a"))
    return _range(ctx, day, day)


def _h_range(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    start, end = _resolve_range(ctx, _date_parts(match, "a"), _date_parts(match, "b"))
    return _range(ctx, start, end)


def _h_day_range(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    """``1-15 Nov [2026]`` / ``Nov 1-15[, 2026]``."""
    year = int(match["y"]) if match["y"] else None
    month = _month_number(match["mon"])
    start, end = _resolve_range(ctx, (year, month, int(match["d1"])),
                                (year, month, int(match["d2"])))
    return _range(ctx, start, end)


def _h_since(match: re.Match[str], ctx: _Ctx) -> PeriodQuery:
    """``sejak 1 Nov``, ``since Nov 1``, ``1 Nov - sekarang``: up to today."""
    start = _resolve(ctx, _date_parts(match, "a"))
    if start > ctx.today:
        raise ctx.error("future")
    word = "since" if ctx.lang == "en" else "sejak"
    return _range(ctx, start, ctx.today, f"{word} {_day_label(start, ctx.lang)}")


def _resolve(ctx: _Ctx, parts: _DateParts) -> date:
    year, month, day = parts
    if year is None:
        return _latest(ctx, month, day)
    return date(year, month, day)


def _resolve_range(ctx: _Ctx, first: _DateParts, last: _DateParts) -> tuple[date, date]:
    """Both ends of a range, years filled in: a missing year is the other end's, or the
    latest that has begun; ``25 Des - 5 Jan`` crosses the new year (end month at least six
    months "before" the start month); other reversed ranges stay reversed (invalid)."""
    (y1, m1, d1), (y2, m2, d2) = first, last
    wraps = m1 - m2 >= 6
    if y1 is None and y2 is None:
        y1 = _latest(ctx, m1, d1).year
    if y1 is None:
        assert y2 is not None
        y1 = y2 - 1 if wraps else y2
    if y2 is None:
        y2 = y1 + 1 if wraps else y1
    return date(y1, m1, d1), date(y2, m2, d2)


# ------------------------------------------------------------------------------- rules


def _build(rule: _Rule, match: re.Match[str], today: date, lang: str, phrase: str
           ) -> PeriodQuery:
    ctx = _Ctx(today, _language(lang), phrase)
    try:
        return rule.handler(match, ctx)
    except PeriodError:
        raise
    except (ValueError, OverflowError):  # an impossible date: 31 Feb, month 13, year 0
        raise ctx.error("invalid") from None


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: Callable[[re.Match[str], _Ctx], PeriodQuery]


def _rule(body: str, handler: Callable[[re.Match[str], _Ctx], PeriodQuery]) -> _Rule:
    return _Rule(re.compile(rf"(?<!\w)(?<!\d[.,]){_PREP}(?:{body})(?!\w)", re.IGNORECASE), handler)


_RANGE_FROM = r"(?:(?:dari|from)\s+)?"

_RULES: tuple[_Rule, ...] = (
    _rule(rf"(?P<fixed>{_alternation(_FIXED)})", _h_fixed),
    _rule(r"(?P<unit>minggu|pekan|bulan|kuartal|kwartal|triwulan|tahun)\s+"
          r"(?P<rel>ini|lalu|yang\s+lalu|kemarin|kemaren|sebelumnya|depan|berikutnya|mendatang"
          r"|yang\s+akan\s+datang)", _h_relative),
    _rule(r"(?:the\s+)?(?P<rel>this|current|last|previous|prior|next|coming)\s+"
          r"(?P<unit>week|month|quarter|year)", _h_relative),
    _rule(r"(?P<n>\d+)\s*(?P<unit>hari|minggu|pekan|bulan|kuartal|triwulan|tahun)"
          r"(?:\s+(?P<suf>terakhir(?:\s+ini)?|ke\s*belakang|belakangan(?:\s+ini)?|yang\s+lalu"
          r"|lalu|ke\s*depan|mendatang|berikutnya|lagi))?", _h_count),
    _rule(r"(?P<n>se)(?P<unit>hari|minggu|pekan|bulan|tahun)\s+"
          r"(?P<suf>terakhir(?:\s+ini)?|ke\s*belakang|belakangan(?:\s+ini)?|yang\s+lalu|lalu)",
          _h_count),
    _rule(r"(?:(?:the\s+)?(?P<dir>last|past|previous|prior|next|coming)\s+)?(?P<n>\d+)\s*"
          r"(?P<unit>days?|weeks?|months?|quarters?|years?)(?:\s+(?P<suf>ago))?", _h_count),
    _rule(r"(?:(?:the\s+)?(?P<pre>last|previous|this|next|coming)\s+)?"
          r"(?:akhir\s+(?:pekan|minggu)|week[\s-]?end|wiken|wikend)"
          r"(?:\s+(?P<post>lalu|yang\s+lalu|kemarin|kemaren|ini|depan))?", _h_weekend),
    _rule(rf"(?:(?P<pre>last|previous|this)\s+)?"
          rf"(?:hari\s+(?P<wd1>{_WEEKDAY_BARE}|minggu)|(?P<wd2>{_WEEKDAY_BARE}))"
          r"(?:\s+(?P<post>lalu|yang\s+lalu|kemarin|kemaren|ini))?", _h_weekday),
    _rule(rf"(?:bulan\s+|the\s+month\s+of\s+)?(?P<mon>{_MON})"
          r"(?:\s*[,/-]?\s*(?:tahun\s+)?(?P<y>\d{4})(?!\d))?", _h_month),
    _rule(r"(?:q(?P<q0>[1-4])|(?:kuartal|kwartal|triwulan|quarter)\s*(?:ke\s*-?\s*)?"
          r"(?P<q1>[1-4]|iv|iii|ii|i)|(?:kuartal|kwartal|triwulan)\s+"
          r"(?P<q2>pertama|kedua|ketiga|keempat)|(?:the\s+)?(?P<q3>first|second|third|fourth"
          r"|1st|2nd|3rd|4th)\s+quarter)(?:\s*(?:[-/,]|of)?\s*(?:tahun\s+)?(?P<y>\d{4})(?!\d))?"
          r"|(?P<y0>\d{4})\s*[-/]?\s*q(?P<q4>[1-4])", _h_quarter),
    _rule(r"(?:tahun|year)\s+(?P<y>\d{4})", _h_year),
    _rule(rf"{_RANGE_FROM}(?P<d1>\d{{1,2}}){_ORD}{_SEP}(?P<d2>\d{{1,2}}){_ORD}\s*"
          rf"(?P<mon>{_MON}){_year('y')}", _h_day_range),
    _rule(rf"{_RANGE_FROM}(?P<mon>{_MON})\s*(?P<d1>\d{{1,2}}){_ORD}{_SEP}"
          rf"(?P<d2>\d{{1,2}}){_ORD}{_year('y')}", _h_day_range),
    _rule(rf"{_RANGE_FROM}{_date('a')}{_SEP}(?:(?:tanggal|tgl\.?)\s+)?{_date('b')}", _h_range),
    _rule(r"(?:(?P<since>sejak|since|mulai(?:\s+dari)?|starting(?:\s+from)?|dari|from)\s+"
          rf"(?:(?:tanggal|tgl\.?|the)\s+)?)?{_date('a')}(?(since)(?:{_SEP}{_NOW})?|{_SEP}{_NOW})",
          _h_since),
    _rule(_date("a"), _h_date),
)
