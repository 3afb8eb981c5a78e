"""Numbers as people type them in chat: ``41.250``, ``3,5``, ``1.234,5``, ``12rb``, ``1,2 jt``,
``50k``, ``Rp 150.000``."""

from __future__ import annotations

import math
import re

_SUFFIX = {
    "rb": 1e3, "ribu": 1e3, "k": 1e3,
    "jt": 1e6, "juta": 1e6, "m": 1e6, "mio": 1e6,
    "miliar": 1e9, "milyar": 1e9, "m.": 1e9, "b": 1e9, "bn": 1e9,
}
_NUM = re.compile(r"^(?P<sign>[-−+]?)\s*(?:rp\.?\s*)?(?P<digits>[\d.,]+)\s*(?P<suffix>[a-z.]*)$")


def parse_number(text: str) -> float | None:
    """The number ``text`` means, or None when it is not one.

    A comma is the Indonesian decimal mark; dots followed by groups of exactly three digits
    are thousands separators (``41.250`` → 41250), otherwise a single dot is a decimal point
    (``3.5``). Suffixes: ``rb``/``ribu``/``k`` (thousand), ``jt``/``juta`` (million),
    ``miliar`` (billion). ``m`` means *juta* only after a number with a comma or a dot
    (``1,2m``); alone it is read the English way (million) as well.
    """
    raw = text.strip().lower().replace(" ", "")
    match = _NUM.match(raw)
    if not match:
        return None
    digits, suffix = match.group("digits"), match.group("suffix")
    if suffix and suffix not in _SUFFIX:
        return None
    if "," in digits:
        whole, _, frac = digits.rpartition(",")
        if "," in whole or not frac.isdigit():
            return None
        if whole and not (whole.isdigit() or _grouped(whole, ".")):
            return None
        number = float(whole.replace(".", "") + "." + frac) if whole else float("0." + frac)
    elif "." in digits:
        if _grouped(digits, ".") and not suffix:
            number = float(digits.replace(".", ""))
        elif digits.count(".") == 1 and not digits.startswith(".") and not digits.endswith("."):
            number = float(digits)
        else:
            return None
    else:
        if not digits.isdigit():
            return None
        number = float(digits)
    if suffix:
        number *= _SUFFIX[suffix]
    if match.group("sign") in ("-", "−"):
        number = -number
    return number if math.isfinite(number) else None


def _grouped(digits: str, sep: str) -> bool:
    """``41.250`` / ``1.234.567``: 1–3 digits, then groups of exactly three."""
    groups = digits.split(sep)
    return (len(groups) > 1 and 1 <= len(groups[0]) <= 3 and groups[0].isdigit()
            and all(len(g) == 3 and g.isdigit() for g in groups[1:]))


#: What the chat parser strips from the edges of a word (``bot.parsing``), and the part of
#: it that may end a sentence after a number ("... 41.250.").
_EDGE = "\"'“”‘’()[]{}<>,;!?.:…*_~`"
_SENTENCE_END = ".,;:!?…"


def as_typed(text: str, word: str) -> str:
    """The word of the message ``text`` that reads as ``word`` once its edges are stripped,
    as the user typed it: ``{0}`` for ``0``, ``"7"`` for ``7`` (the last such word)."""
    for raw in reversed(text.split()):
        if raw.strip(_EDGE) == word:
            return raw
    return word


def is_bare(typed: str, word: str) -> bool:
    """True when ``typed`` is ``word`` with at most a sentence's end after it: ``41.250.``
    is, ``(500)``, ``<3>``, ``"7"`` and ``{0}`` are not numbers."""
    return typed.rstrip(_SENTENCE_END) == word or typed == word
