"""The words of a drop (or rise) alert's own options, read from what a marketer types; pure.

``/alert tambah turun engagement_rate 20% ig harian toleransi 2 min 1000 arah naik`` and
``/alert ubah 3 k=2 min 500`` (``/alert edit 3 tolerance 2 min 500``) are read here; the
handler in ``bot.alert_commands`` writes what was read. The words:

=================  ==========================================  =================================
option             Indonesian (first) and English               values
=================  ==========================================  =================================
the change         ``turun`` / ``drop`` ``20%``; ``naik`` /     1 %–99 %
                   ``rise`` ``20%``; ``berubah`` / ``change``
                   ``20%`` (either way)
direction          ``arah turun|naik|dua-arah`` ·               turun/drop, naik/rise,
                   ``direction drop|rise|both``                 dua-arah/keduanya/both
spread factor k    ``toleransi 2`` · ``tolerance 2`` · ``k=2``  0,5–10 (default 3): the change
                                                                must also exceed k × the spread
                                                                (scaled MAD) of the history;
                                                                larger k, fewer alerts
minimum volume     ``min 1000`` · ``minimal 1rb`` ·             0 or more (default 100): the
                   ``min volume 1.000``                         history's median volume (a
                                                                ratio's numerator) below which
                                                                the rule never fires
history            ``n=6`` · ``periode 6`` · ``6 minggu``       2–12 (default 4): weeks (a daily
                   · ``6 weeks``                                rule: the same weekday of them)
the period         ``harian`` / ``daily`` · ``mingguan`` /      default weekly
                   ``weekly``
=================  ==========================================  =================================

``kepekaan`` / ``sensitivity`` is refused with a hint rather than read: "more sensitive"
means a *smaller* k, and reading it either way would be a guess. A value out of its range, a
direction that is none of the three, an option named twice or without its value gives an
``OptionError`` naming the word; nothing is read then.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.numbers import parse_number
from kpi_engine.domain.alerts import (
    DROP_PCT_RANGE,
    K_RANGE,
    MAX_MIN_VOLUME,
    PERIODS_RANGE,
)

K_WORDS = frozenset({"k", "toleransi", "tolerance", "tol"})
SENSITIVITY_WORDS = frozenset({"kepekaan", "sensitivitas", "sensitivity", "sensitif",
                               "sensitive", "peka"})
DIRECTION_WORDS = frozenset({"arah", "direction", "dir"})
MIN_WORDS = frozenset({"min", "min.", "minimal", "minimum", "volume", "vol", "min_volume",
                       "minvol"})
PERIODS_WORDS = frozenset({"n", "periode", "periods", "period", "pembanding", "window"})
WEEK_WORDS = frozenset({"minggu", "pekan", "week", "weeks"})
AFTER_WEEKS = frozenset({"terakhir", "sebelumnya", "lalu", "last", "before", "previous"})
DAILY = frozenset({"harian", "daily", "hari", "day", "per-hari"})
WEEKLY = frozenset({"mingguan", "weekly", "per-minggu", "per-pekan"})
EVERY = frozenset({"per", "tiap", "setiap", "every"})

DIRECTION_VALUES: dict[str, str] = {
    **dict.fromkeys(("turun", "drop", "drops", "down", "jatuh", "menurun", "fall", "falls"),
                    "drop"),
    **dict.fromkeys(("naik", "rise", "rises", "up", "meningkat", "melonjak", "jump", "jumps"),
                    "rise"),
    **dict.fromkeys(("dua-arah", "duaarah", "dua_arah", "keduanya", "both", "naik-turun",
                     "turun-naik", "naik/turun", "turun/naik", "either"), "both"),
}
#: The verb of an added rule and the direction it implies (``arah`` overrides it).
VERBS: dict[str, str] = {
    **dict.fromkeys(("turun", "drop", "drops", "down", "fall", "falls", "anjlok", "menurun"),
                    "drop"),
    **dict.fromkeys(("naik", "rise", "rises", "up", "melonjak", "meningkat", "jump", "jumps"),
                    "rise"),
    **dict.fromkeys(("berubah", "change", "changes", "bergerak", "moves"), "both"),
}
_SUFFIXES = frozenset({"rb", "ribu", "k", "jt", "juta", "m"})
_PCT = re.compile(r"^(?:≥|>=)?(\d+(?:[.,]\d+)?)%$")
_KEYED = re.compile(r"(?<![\w@])(" + "|".join(sorted(
    K_WORDS | SENSITIVITY_WORDS | DIRECTION_WORDS | MIN_WORDS | PERIODS_WORDS,
    key=len, reverse=True)).replace(".", r"\.") + r")\s*[=:]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class DropOptions:
    """What was read; None: not given (a new rule takes the default, an edit keeps it)."""

    pct: float | None = None
    verb: str | None = None  # drop | rise | both: the direction the verb implies
    direction: str | None = None  # an explicit ``arah`` / ``direction``
    k: float | None = None
    min_volume: float | None = None
    periods: int | None = None
    period: str | None = None  # day | week
    used: tuple[str, ...] = field(default=(), compare=False)  # the words read (lowercase)

    @property
    def chosen_direction(self) -> str | None:
        return self.direction or self.verb

    @property
    def options(self) -> dict[str, object]:
        """The options given, by the ``alert_rules`` column they set."""
        found = {"value": self.pct, "direction": self.chosen_direction, "k": self.k,
                 "min_volume": self.min_volume, "periods": self.periods,
                 "period": self.period}
        return {key: value for key, value in found.items() if value is not None}

    @property
    def any_option(self) -> bool:
        """Any of the rule's own options (not the change or the verb)."""
        return any(v is not None for v in (self.direction, self.k, self.min_volume,
                                           self.periods))


@dataclass(frozen=True)
class OptionError:
    """Why the options were not read: ``bad_k``, ``bad_min``, ``bad_periods``,
    ``bad_direction``, ``bad_drop`` (the percent), ``sensitivity``, ``twice``, ``no_value``;
    ``word`` is what was typed."""

    code: str
    word: str


def words_of(text: str) -> list[str]:
    """Lowercase words, ``k = 2`` / ``toleransi: 2`` joined to ``k=2``."""
    return _KEYED.sub(lambda m: m.group(1) + "=", text.lower()).split()


def _number(tokens: list[str], i: int) -> tuple[str, int]:
    """The value typed at ``tokens[i]`` (``1``, ``rb`` joined to ``1rb``) and how many words."""
    word = tokens[i]
    if i + 1 < len(tokens) and tokens[i + 1] in _SUFFIXES and parse_number(word) is not None:
        return word + tokens[i + 1], 2
    return word, 1


def read(text: str) -> DropOptions | OptionError:
    """The change, verb, options and period of a drop rule in ``text`` (see the module)."""
    tokens = words_of(text)
    found: dict[str, object] = {}
    used: list[str] = []
    i = 0

    def put(key: str, value: object, word: str) -> OptionError | None:
        if key in found:
            return OptionError("twice", word)
        found[key] = value
        return None

    while i < len(tokens):
        word = tokens[i]
        key, _, inline = word.partition("=")
        if key in SENSITIVITY_WORDS:
            return OptionError("sensitivity", key)
        if key in K_WORDS | MIN_WORDS | PERIODS_WORDS | DIRECTION_WORDS:
            start = i
            if key in MIN_WORDS and not inline and i + 1 < len(tokens) and (
                    tokens[i + 1] in MIN_WORDS):  # "min volume 1000", "volume minimal 1000"
                i += 1
            if inline:
                value, width = inline, 0
            elif i + 1 < len(tokens):
                value, width = tokens[i + 1], 1
            else:
                return OptionError("no_value", key)
            if key in DIRECTION_WORDS:
                if not inline and value == "dua" and i + 2 < len(tokens) and (
                        tokens[i + 2] == "arah"):
                    value, width = "dua-arah", 2
                direction = DIRECTION_VALUES.get(value)
                if direction is None:
                    return OptionError("bad_direction", value)
                error = put("direction", direction, key)
            elif key in K_WORDS:
                k = parse_number(value)
                if k is None or not math.isfinite(k) or not K_RANGE[0] <= k <= K_RANGE[1]:
                    return OptionError("bad_k", value)
                error = put("k", k, key)
            elif key in MIN_WORDS:
                if width:
                    value, width = _number(tokens, i + 1)
                volume = parse_number(value)
                if volume is None or not 0 <= volume <= MAX_MIN_VOLUME:
                    return OptionError("bad_min", value)
                error = put("min_volume", volume, key)
            else:
                error = _periods(value, put, key)
            if error is not None:
                return error
            i += width + 1
            used += tokens[start:i]
            continue
        if word in ("dua-arah", "keduanya") or (word == "dua" and i + 1 < len(tokens)
                                                and tokens[i + 1] == "arah"):
            width = 2 if word == "dua" else 1  # "… berubah 20% dua arah": no "arah" before
            error = put("direction", "both", word)
            if error is not None:
                return error
            used += tokens[i:i + width]
            i += width
            continue
        if word in EVERY and i + 1 < len(tokens) and tokens[i + 1] in (
                DAILY | WEEK_WORDS):  # "per hari", "tiap minggu", "every week"
            error = put("period", "day" if tokens[i + 1] in DAILY else "week", word)
            if error is not None:
                return error
            used += tokens[i:i + 2]
            i += 2
            continue
        if word in DAILY | WEEKLY:
            error = put("period", "day" if word in DAILY else "week", word)
            if error is not None:
                return error
            used.append(word)
            i += 1
            continue
        if (i + 1 < len(tokens) and tokens[i + 1] in WEEK_WORDS
                and re.fullmatch(r"[-−]?\d+", word)):  # "6 minggu (terakhir)"
            error = _periods(word, put, "minggu")
            if error is not None:
                return error
            width = 3 if i + 2 < len(tokens) and tokens[i + 2] in AFTER_WEEKS else 2
            used += tokens[i:i + width]
            i += width
            continue
        pct_word, width = word, 1
        if word in ("≥", ">=") and i + 1 < len(tokens):
            pct_word, width = tokens[i + 1], 2
        if i + width < len(tokens) and tokens[i + width] == "%":
            pct_word, width = pct_word + "%", width + 1
        pct = _PCT.match(pct_word)
        if pct and "pct" not in found:
            share = parse_number(pct.group(1))
            if share is None or not DROP_PCT_RANGE[0] <= share <= DROP_PCT_RANGE[1]:
                return OptionError("bad_drop", pct_word)
            found["pct"] = share
            used += tokens[i:i + width]
            i += width
            continue
        if word in VERBS and "verb" not in found:
            found["verb"] = VERBS[word]
            used.append(word)
        i += 1
    return DropOptions(
        pct=found.get("pct"), verb=found.get("verb"),  # type: ignore[arg-type]
        direction=found.get("direction"), k=found.get("k"),  # type: ignore[arg-type]
        min_volume=found.get("min_volume"), periods=found.get("periods"),  # type: ignore[arg-type]
        period=found.get("period"), used=tuple(used))  # type: ignore[arg-type]


def _periods(value: str, put: Callable[[str, object, str], OptionError | None], word: str
             ) -> OptionError | None:
    n = parse_number(value)
    if n is None or n != int(n) or not PERIODS_RANGE[0] <= n <= PERIODS_RANGE[1]:
        return OptionError("bad_periods", value)
    return put("periods", int(n), word)


def leftover(words: Iterable[str], used: Iterable[str]) -> list[str]:
    """``words`` less the ones the options read (each once): what is still to be explained."""
    spent = Counter(used)
    out = []
    for word in words:
        w = word.lower()
        if spent[w] > 0:
            spent[w] -= 1
            continue
        out.append(word)
    return out
