"""The campaign a message names with its keyword: ``kampanye ramadan``, ``campaign: back to
school``, ``the blackfriday campaign``; a name the workspace does not have is handed back
apart (a sentence reports it, it never filters)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import understanding as chat
from bot.understanding import normalize
from bot.vocabulary import CAMPAIGN_WORDS, FILLERS

_PUNCT = "\"'“”‘’()[]{}<>,;!?.:…*_~`"
_NUMBER = re.compile(r"[+\-−]?(?:rp\.?\s?)?\d[\d.,:/]*(?:%|x|k|rb|ribu|jt|juta|m|b|pp)?",
                     re.IGNORECASE)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _is_number(word: str) -> bool:
    return _NUMBER.fullmatch(word) is not None


def take_campaign(text: str, campaigns: Sequence[str], phrases: dict[str, tuple[str, str]]
                   ) -> tuple[str | None, str, str | None]:
    """``kampanye ramadan`` → ("ramadan", the text without it, None); a name that is no known
    campaign is the third item (a sentence reports it, it never filters)."""
    spans = list(re.finditer(r"[^\s:]+", text))
    for i, keyword in enumerate(spans):
        if keyword.group().strip(_PUNCT).lower() not in CAMPAIGN_WORDS:
            continue
        following = spans[i + 1:]
        for name in sorted(campaigns, key=len, reverse=True):  # a known (multi-word) name
            size = len(normalize(name).split())
            typed = " ".join(m.group() for m in following[:size]).strip(_PUNCT)
            if 0 < size <= len(following) and normalize(typed) == normalize(name):
                return name, _blank(text, keyword.start(), following[size - 1].end()), None
        for size in (3, 2):  # a misspelt name of several words: "back to scool"
            typed = " ".join(m.group() for m in following[:size]).strip(_PUNCT)
            multi = [normalize(c) for c in campaigns if len(normalize(c).split()) == size]
            if len(following) >= size and chat.closest(typed, multi, 80.0):
                return None, _blank(text, keyword.start(), following[size - 1].end()), \
                    typed.lower()
        if following:
            name = following[0].group().strip(_PUNCT).lower()
            if (name and name not in FILLERS and normalize(name) not in phrases
                    and name not in _NOT_A_NAME):
                return None, _blank(text, keyword.start(), following[0].end()), name
        for name in sorted(campaigns, key=len, reverse=True):  # "back to school campaign"
            size = len(normalize(name).split())
            typed = " ".join(m.group() for m in spans[max(i - size, 0):i]).strip(_PUNCT)
            if 0 < size <= i and normalize(typed) == normalize(name):
                return name, _blank(text, spans[i - size].start(), keyword.end()), None
        if i > 0:  # "the blackfriday campaign"
            name = spans[i - 1].group().strip(_PUNCT).lower()
            known = next((c for c in campaigns if normalize(c) == normalize(name)), None)
            if known is not None:
                return known, _blank(text, spans[i - 1].start(), keyword.end()), None
            if (name and name not in FILLERS and normalize(name) not in phrases
                    and name not in _NOT_A_NAME and not _is_number(name)):
                return None, _blank(text, spans[i - 1].start(), keyword.end()), name
        return None, _blank(text, keyword.start(), keyword.end()), None
    return None, text, None


#: Words after "kampanye" that are no campaign name: "kampanye mana", "kampanye apa".
_NOT_A_NAME = frozenset({"mana", "apa", "apapun", "terbaik", "paling", "which", "what", "best",
                         "top", "lain", "kita", "kami", "semua", "all"})
