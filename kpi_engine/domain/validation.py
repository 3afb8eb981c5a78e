"""One validation of a snapshot for every way in (SPEC §3.1 "Whole numbers stay whole", §9).

``/catat``, file import (CSV/XLSX, long and wide) and the HTTP API all ask these functions
whether a value, a day or a name may be stored, and show the same bilingual sentence when
it may not. Pure: no SQL, no clock (``today`` is the workspace's local today, given).

- **Whole counts**: a count metric (people, posts, clicks, followers, visits ...) takes whole
  numbers only; money may have fractions.
- **Plausible bounds**: no negative value, nothing above 10^12, no NaN or infinity.
- **Nothing from the future**: a snapshot's day is not after the workspace's local today.
- **Names** (campaigns, channel handles): at most 100 characters, no control characters.

The file importer checks whole columns at once with :func:`fraction_mask` and the same
constants; the other ways in check one value with :func:`value_problem`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from kpi_engine.domain.metrics import METRICS, Unit

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: A value above this is a typo (an extra digit, swapped separators), not a KPI.
MAX_VALUE = 1e12
#: Campaign names and channel handles (the database columns hold 100 characters).
NAME_MAX_CHARS = 100
#: Units whose values are counted, so whole: people, posts, clicks, followers, visits.
WHOLE_UNITS = frozenset({Unit.COUNT, Unit.PEOPLE, Unit.VISITS})
#: A value this close to a whole number is that number (float noise from a spreadsheet).
_WHOLE_TOLERANCE = 1e-6

#: C0 and C1 controls (NUL, line breaks, the ESC of terminal colours), the line and
#: paragraph separators, and the bidirectional overrides that reorder what a reader sees.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: code → (Indonesian reason, hint, English reason, hint). Placeholders: {value} as typed,
#: {where} where it is (" di kolom 'value'"; empty by default), {metric} the metric key, {today} the workspace's local today (ISO), {limit}, {length}.
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "not_finite": ("'{value}'{where} bukan angka yang bisa disimpan.",
                   "Tulis angka biasa, mis. 1250.",
                   "'{value}'{where} is not a number that can be stored.",
                   "Write a plain number, e.g. 1250."),
    "negative": ("nilai '{value}'{where} negatif.",
                 "Nilai KPI tidak boleh negatif; periksa tanda minusnya.",
                 "the value '{value}'{where} is negative.",
                 "KPI values cannot be negative; check the minus sign."),
    "too_large_value": ("nilai '{value}'{where} terlalu besar (lebih dari "
                        "1.000.000.000.000).",
                        "Periksa digit yang berlebih atau pemisah ribuan dan desimal yang "
                        "tertukar.",
                        "the value '{value}'{where} is too large (over 10^12).",
                        "Check for extra digits or swapped thousands and decimal separators."),
    "fraction": ("{metric} dihitung dalam bilangan bulat, tetapi nilai '{value}'{where} "
                 "berpecahan.",
                 "Tulis angka bulat, mis. 5100 atau 5.100 (titik memisahkan ribuan).",
                 "{metric} is counted in whole numbers, but the value '{value}'{where} has a "
                 "fraction.",
                 "Write a whole number, e.g. 5100."),
    # a file in the international style, where "5.100" reads as five point one
    "fraction:dot": ("{metric} dihitung dalam bilangan bulat, tetapi nilai '{value}'{where} "
                     "berpecahan (file ini memakai titik sebagai tanda desimal).",
                     "Bila titik di file ini memisahkan ribuan (5.100 = lima ribu seratus), "
                     "simpan sebagai CSV berpemisah titik koma (format Indonesia) atau tulis "
                     "5100 tanpa titik.",
                     "{metric} is counted in whole numbers, but the value '{value}'{where} has a "
                     "fraction (this file uses a dot as the decimal point).",
                     "If the dots in this file group thousands (5.100 = five thousand one "
                     "hundred), save it as a semicolon-separated CSV (Indonesian style) or "
                     "write 5100 without the dot."),
    "future_day": ("tanggal {value}{where} belum terjadi (hari ini {today}).",
                   "Catat hanya hari yang sudah terjadi; periksa tahun dan urutan "
                   "hari/bulan.",
                   "the date {value}{where} has not happened yet (today is {today}).",
                   "Record only days that have happened; check the year and the day/month "
                   "order."),
    "name_too_long": ("nama '{value}'{where} terlalu panjang ({length} karakter, maksimum {limit}).",
                      "Pakai nama yang lebih pendek.",
                      "the name '{value}'{where} is too long ({length} characters, at most {limit}).",
                      "Use a shorter name."),
    "name_control": ("nama '{value}'{where} berisi karakter kontrol (mis. NUL atau baris baru).",
                     "Tulis nama sebagai teks biasa dalam satu baris.",
                     "the name '{value}'{where} holds control characters (e.g. NUL or a line break).",
                     "Write the name as plain text on one line."),
}


def is_whole_metric(metric: object) -> bool:
    """True for a metric counted in whole numbers (followers, reach, clicks ...)."""
    m = METRICS.get(metric) if isinstance(metric, str) else None
    return m is not None and m.unit in WHOLE_UNITS


def value_problem(metric: str, value: float) -> str | None:
    """Why ``value`` cannot be stored for ``metric`` (a code of :data:`TEXTS`), or None."""
    if not math.isfinite(value):
        return "not_finite"
    if value < 0:
        return "negative"
    if value > MAX_VALUE:
        return "too_large_value"
    if is_whole_metric(metric) and abs(value - round(value)) > _WHOLE_TOLERANCE:
        return "fraction"
    return None


def stored_value(metric: str, value: float) -> float:
    """The value as stored: a count's float noise (``5100.0000001``) rounded away."""
    return float(round(value)) if is_whole_metric(metric) else float(value)


def local_today(now: datetime, timezone: str) -> date:
    """The workspace's local today at ``now`` (a naive ``now`` is UTC)."""
    aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone)).date()


def day_problem(day: date, today: date | None) -> str | None:
    """``future_day`` when ``day`` is after the workspace's local ``today``."""
    return "future_day" if today is not None and day > today else None


def name_problem(name: str) -> str | None:
    """Why a campaign name or channel handle cannot be stored, or None."""
    if _CONTROL.search(name):
        return "name_control"
    if len(name) > NAME_MAX_CHARS:
        return "name_too_long"
    return None


def shown(value: object) -> str:
    """A typed value for a message: control characters visible, at most 60 characters."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= 60 else text[:57] + "…"


def reason(code: str, lang: str, *, variant: str = "", **params: object) -> tuple[str, str]:
    """(reason, hint) of a problem in Indonesian (default) or English (``lang="en"``)."""
    texts = TEXTS.get(f"{code}:{variant}") or TEXTS[code]
    values = {"limit": NAME_MAX_CHARS, "where": "", **params}
    r, h = (texts[2], texts[3]) if lang == "en" else (texts[0], texts[1])
    return r.format(**values), h.format(**values)


def sentence(code: str, lang: str, *, variant: str = "", **params: object) -> str:
    """The reason and the hint as one sentence that starts with a capital."""
    r, h = reason(code, lang, variant=variant, **params)
    return f"{r[:1].upper()}{r[1:]} {h}"


# --------------------------------------------------------------------------- columns


def fraction_mask(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Per value: True when it is not a whole number (for a column of a count metric)."""
    import numpy as np

    return np.abs(values - np.round(values)) > _WHOLE_TOLERANCE


def whole_metric_mask(keys: list[object]) -> npt.NDArray[np.bool_]:
    """Per metric key: True when the metric is counted in whole numbers."""
    import numpy as np

    return np.array([is_whole_metric(k) for k in keys], dtype=bool)
