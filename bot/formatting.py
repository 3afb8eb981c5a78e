"""Numbers and dates the Indonesian way (Babel, locale ``id_ID``): ``12.345``, ``3,2%``,
``Rp1.234.567``, compact ``12,3 rb``; dates ``16–22 Nov 2026``."""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, format_compact_decimal, format_currency, parse_pattern

from kpi_engine.domain.metrics import Metric, Unit

LOCALE = "id_ID"
NBSP = "\u00a0"
_ID = Locale.parse(LOCALE)


@lru_cache(maxsize=8)
def _decimal_pattern(decimals: int) -> NumberPattern:
    """``#,##0`` with ``decimals`` fixed decimals, parsed once (what ``format_decimal`` would
    parse on every call)."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def number(value: float, decimals: int | None = None) -> str:
    """``12345`` → ``12.345``; non-integers get one decimal (``3,5``) unless told."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() or abs(value) >= 1000 else 1
    return _decimal_pattern(decimals).apply(round(value, decimals), _ID)


def percent(value: float, decimals: int = 1) -> str:
    """``3.2`` (already ×100) → ``3,2%``."""
    return number(value, decimals) + "%"


def money(value: float, currency: str = "IDR") -> str:
    if currency == "IDR":
        return format_currency(round(value), "IDR", format="¤#,##0", currency_digits=False,
                               locale=LOCALE)
    return format_currency(value, currency, locale=LOCALE).replace(NBSP, " ")


def compact(value: float) -> str:
    """``12345`` → ``12,3 rb``; ``1234567`` → ``1,2 jt``."""
    if abs(value) < 1000:
        return number(value)
    return format_compact_decimal(value, locale=LOCALE, fraction_digits=1).replace(NBSP, " ")


def metric_value(metric: Metric, value: float, currency: str = "IDR", *,
                 short: bool = False) -> str:
    if not math.isfinite(value):
        return "–"
    if metric.unit is Unit.PERCENT:
        return percent(value, 2 if 0 < abs(value) < 0.1 else 1)
    if metric.unit is Unit.CURRENCY:
        if short and abs(value) >= 1_000_000 and currency == "IDR":
            return "Rp" + compact(value)
        return money(value, currency)
    if metric.unit is Unit.MULTIPLE:
        return number(value, 2) + "×"
    return compact(value) if short else number(value)


def signed_percent(value: float) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + percent(abs(value))


def points(value: float) -> str:
    """Percentage points, signed; small changes keep two decimals (``+0,04``)."""
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number(abs(value), 2 if 0 < abs(value) < 0.1 else 1)


@lru_cache(maxsize=4096)
def day(d: date, lang: str = "id") -> str:
    return format_date(d, "d MMM yyyy", locale=LOCALE if lang == "id" else "en_GB")


@lru_cache(maxsize=4096)
def day_range(start: date, end: date, lang: str = "id") -> str:
    """``16–22 Nov 2026``, ``28 Okt – 3 Nov 2026``, ``30 Des 2025 – 2 Jan 2026``."""
    loc = LOCALE if lang == "id" else "en_GB"
    if start == end:
        return day(start, lang)
    if start.year != end.year:
        return f"{day(start, lang)} – {day(end, lang)}"
    if start.month != end.month:
        return f"{format_date(start, 'd MMM', locale=loc)} – {day(end, lang)}"
    return f"{start.day}–{day(end, lang)}"


#: How much of what a user typed a reply echoes back ("Metrik "…" tidak dikenal").
EXCERPT_MAX = 80


def excerpt(text: object, limit: int = EXCERPT_MAX) -> str:
    """What the user typed, as a short excerpt for a reply: control characters (ANSI escapes,
    NUL, newlines) made visible as spaces, at most ``limit`` characters (``…`` when cut)."""
    value = "".join(" " if ch < " " or "\x7f" <= ch < "\xa0" else ch for ch in str(text))
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
