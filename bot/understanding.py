"""How people type in chat (SPEC §5): abbreviations, small talk, "ya" and fuzzy words.

``bot.parsing`` reads a request; this module holds what that reading needs to understand
chat Indonesian and typos:

- ``expand``: chat abbreviations to their words (``bln`` → ``bulan``, ``kmrn`` → ``kemarin``),
  word by word, remembering what was typed so a clarification quotes the user's own words;
- ``small_talk`` and ``is_confirmation``: thanks, greetings, "siapa kamu", and a bare
  ``ya``/``iya``/``yes`` accepting the last suggestion;
- ``closest``: the nearest known word by rapidfuzz's ratio (difflib misses ``rech``,
  ``folowers``, ``jangkuan``, ``pengikt`` at a cutoff that keeps false matches out);
- ``period_suggestion``: the period a garbled period phrase most likely means
  (``bln kmarin`` → ``bulan lalu``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from kpi_engine.domain.calendar_words import MONTH_NUMBERS
from kpi_engine.domain.metrics import normalize as _normalize
from kpi_engine.domain.periods import PeriodError, find_period


@lru_cache(maxsize=16_384)
def normalize(text: str) -> str:
    """``kpi_engine.domain.metrics.normalize``, remembered: chats repeat the same words."""
    return _normalize(text)


#: Chat abbreviations → the word they stand for (normalized, one word each).
ABBREVIATIONS: dict[str, str] = {
    "bln": "bulan", "bl": "bulan",
    "mgg": "minggu", "mg": "minggu", "mngg": "minggu", "mggu": "minggu",
    "pkn": "pekan",
    "kmrn": "kemarin", "kmrin": "kemarin", "kmren": "kemarin", "kemaren": "kemarin",
    "kmaren": "kemarin",
    "thn": "tahun", "th": "tahun", "taun": "tahun",
    "hr": "hari", "hri": "hari",
    "skrg": "sekarang", "skrng": "sekarang", "skr": "sekarang", "skg": "sekarang",
    "brp": "berapa", "brapa": "berapa", "berapaan": "berapa", "brpa": "berapa",
    "dr": "dari", "yg": "yang", "sm": "sama", "ama": "sama", "dgn": "dengan", "utk": "untuk",
    "ato": "atau", "atw": "atau", "atawa": "atau",
    "trkhr": "terakhir", "trkh": "terakhir",
    "lg": "lagi", "jg": "juga", "sj": "saja", "sdh": "sudah", "udh": "sudah", "dah": "sudah",
    "blm": "belum", "tdk": "tidak", "gk": "gak", "krn": "karena", "klo": "kalau",
    "kalo": "kalau", "gmn": "gimana", "gmana": "gimana", "bs": "bisa", "sy": "saya",
    "pd": "pada", "dlm": "dalam", "bgt": "banget", "tlg": "tolong", "mksh": "makasih",
    "makasi": "makasih", "mkasih": "makasih", "trims": "makasih", "tq": "makasih",
    "bandingin": "bandingkan", "bandingkn": "bandingkan",
}

#: Whole messages of thanks, greeting or "who are you" (normalized), by kind.
THANKS = frozenset({
    "makasih", "terima kasih", "terimakasih", "thanks", "thank you", "thx", "ty", "tengkyu",
    "thank", "suwun", "nuhun", "hatur nuhun", "matur nuwun", "makasih banyak",
    "terima kasih banyak", "thanks a lot", "many thanks", "mantap", "mantul", "keren",
    "sip makasih", "oke makasih", "ok makasih", "great thanks", "cheers",
})
_HELLO = frozenset({"halo", "hallo", "hai", "hi", "hello", "hey", "hei", "pagi", "permisi"})
#: Words that may come with thanks: "mantap, makasih ya", "makasih infonya", "ok thx".
THANKS_COMPANY = frozenset({
    "mantap", "mantul", "keren", "sip", "oke", "ok", "okay", "siap", "infonya", "info",
    "bantuannya", "jawabannya", "banyak", "ya", "yaa", "kak", "bro", "sis", "gan", "min",
    "bot", "deh", "dong", "nih", "sekali", "lot", "a", "so", "much", "very", "great", "nice",
    "good", "cool", "noted", "terima", "kasih", "thank", "you", "all", "semuanya", "udah",
    "sudah", "bantu", "dibantu", "membantu", "bantuin", "atas", "lagi", "that's",
    "thats", "that", "is", "it", "for", "the", "help", "helping", "your",
})
_THANKS_WORDS = frozenset({"makasih", "thanks", "thx", "terima", "thank", "tengkyu", "suwun",
                           "nuhun", "ty", "cheers", "makasi", "trims"})
GREETINGS = frozenset({
    "halo", "hallo", "helo", "hai", "hi", "hello", "hey", "hei", "pagi", "siang", "sore",
    "malam", "selamat pagi", "selamat siang", "selamat sore", "selamat malam", "assalamualaikum",
    "permisi", "good morning", "good afternoon", "good evening", "morning", "halo bot",
    "hai bot", "hi bot", "hello bot", "apa kabar", "halo apa kabar", "p", "test", "tes",
    "met pagi", "met siang", "met sore", "met malam", "pagi semua", "halo semua", "hi all",
    "hai semua", "halo guys", "pagi kak", "hello there", "hey there", "good day",
})
ABOUT = frozenset({
    "siapa kamu", "kamu siapa", "siapa anda", "anda siapa", "who are you", "what are you",
    "kamu itu apa", "kamu apa", "kamu bot apa", "bot apa ini", "ini bot apa", "siapa ini",
    "ini siapa", "kamu itu siapa", "siapakah kamu", "who r u", "what is this bot",
    "kamu bot", "kamu robot", "ini bot", "kamu manusia", "are you a bot", "are you human",
    "kamu bisa apa aja", "what do you do", "siapa yang bikin kamu", "kamu siapa sih",
})
#: Particles and forms of address that may surround small talk and confirmations.
PARTICLES = frozenset({
    "ya", "yah", "dong", "sih", "deh", "nih", "kok", "kah", "lah", "loh", "lho", "kak", "gan",
    "bro", "sis", "min", "bot", "kpibot", "ka", "bang", "mas", "mbak", "pak", "bu", "om",
    "banyak", "yaa", "sekali", "so", "much", "very", "guys", "semua", "all",
})
#: A bare "yes": accepts the last "maksud Anda …?".
CONFIRMATIONS = frozenset({
    "ya", "iya", "iyaa", "iyah", "iye", "yes", "y", "yup", "yep", "yeah", "betul", "benar",
    "bener", "oke", "ok", "okay", "okey", "sip", "boleh", "yoi", "yaa", "ya betul", "iya betul",
    "ya benar", "iya benar", "betul itu", "ya itu", "iya itu", "itu", "yes please", "correct",
    "ya itu maksud saya", "iya itu maksud saya", "bener banget", "yap", "ho oh", "iyo",
    "iya bener", "ya bener", "yes correct", "yes that", "yup betul", "oke betul",
    "betul sekali", "benar sekali", "iya dong", "ya dong", "yes that one",
})

#: Period words a garbled period is corrected to (units, offsets and month names).
PERIOD_UNITS = frozenset({
    "hari", "minggu", "pekan", "bulan", "tahun", "kuartal", "triwulan", "day", "days", "week",
    "weeks", "month", "months", "year", "years", "quarter", "quarters",
})
PERIOD_OFFSETS = frozenset({
    "ini", "lalu", "kemarin", "terakhir", "depan", "sebelumnya", "last", "this", "past",
    "previous", "sekarang", "today", "yesterday",
})
PERIOD_WORDS: tuple[str, ...] = tuple(sorted(
    PERIOD_UNITS | PERIOD_OFFSETS | {w for w in MONTH_NUMBERS if len(w) > 3}))

#: How close (rapidfuzz ratio, 0–100) a typed word must be to a known one.
FUZZY_CUTOFF = 80.0

_WORD_EDGES = "\"'“”‘’()[]{}<>,;!?.:…*_~`"


def expand(text: str) -> tuple[str, dict[str, str]]:
    """The text with chat abbreviations written out, and what each expanded word was typed
    as (``{"bulan": "bln"}``). Handles, numbers and ``/commands`` are left alone."""
    typed: dict[str, str] = {}
    out: list[str] = []
    for raw in text.split():
        core = raw.strip(_WORD_EDGES)
        word = ABBREVIATIONS.get(core.lower()) if core and raw[0] not in "@/#" else None
        if word is None:
            out.append(raw)
            continue
        start = raw.find(core)
        out.append(raw[:start] + word + raw[start + len(core):])
        typed.setdefault(word, core.lower())
    return " ".join(out), typed


def _plain(text: str) -> str:
    """Lower case words without punctuation or emoji."""
    words = [w.strip(_WORD_EDGES) for w in normalize(text).split()]
    words = ["".join(c for c in w if c.isalnum() or c in "'%") for w in words]
    return " ".join(w for w in words if w)


def small_talk(text: str) -> str | None:
    """``"thanks"``, ``"greeting"`` or ``"about"`` when the whole message is small talk."""
    plain = _plain(expand(text)[0])
    words = plain.split()
    if len(words) > 1 and words[0] in _HELLO:  # "halo, kamu siapa?"
        rest = small_talk(" ".join(words[1:]))
        if rest is not None:
            return rest
    while words:  # "makasih ya kak", "kamu bot ya"
        core = " ".join(words)
        for kind, phrases in (("thanks", THANKS), ("about", ABOUT), ("greeting", GREETINGS)):
            if core in phrases:
                return kind
        if words[-1] not in PARTICLES:
            break
        words.pop()
    if not words:
        return None
    if set(words) & _THANKS_WORDS and all(w in _THANKS_WORDS or w in THANKS_COMPANY
                                          or w in PARTICLES for w in words):
        return "thanks"
    return None


def is_confirmation(text: str) -> bool:
    """A bare "yes" (``ya``, ``iya``, ``yes``, ``y``, ``betul``, ``oke``...)."""
    words = _plain(text).split()
    while len(words) > 1 and words[-1] in PARTICLES - {"ya", "yaa"}:
        words.pop()
    if " ".join(words) in CONFIRMATIONS:
        return True
    return bool(words) and words[0] in _YES and all(w in _YES or w in _YES_TOO for w in words)


#: "iya betul itu", "iya boleh", "yes please": a yes and words that only agree.
_YES = frozenset({"ya", "iya", "iyaa", "yes", "y", "yup", "yep", "betul", "benar", "bener",
                  "oke", "ok", "okay", "sip", "boleh", "yoi", "yap"})
_YES_TOO = frozenset({"itu", "dong", "deh", "please", "silakan", "lanjut", "gas", "sekali",
                      "banget", "that", "one", "correct", "maksud", "maksudnya", "saya", "aku",
                      "gw", "yang", "yg", "tadi", "right", "sure"})


@lru_cache(maxsize=4096)
def _closest(word: str, choices: tuple[str, ...], cutoff: float) -> tuple[str, float] | None:
    found = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return (found[0], float(found[1])) if found else None


def closest(word: str, choices: Sequence[str], cutoff: float = FUZZY_CUTOFF
            ) -> tuple[str, float] | None:
    """The known word nearest to ``word`` and its score, or None below ``cutoff``. Words of
    three letters or fewer match only exactly (``ig`` is no typo of ``er``)."""
    norm = normalize(word)
    if len(norm) <= 3 or not choices:
        return None
    return _closest(norm, tuple(choices), cutoff)


def period_word(word: str) -> str | None:
    """The period word a typed word is (``bulan``) or is a typo of (``buln``), else None."""
    norm = normalize(word)
    if norm in PERIOD_UNITS or norm in PERIOD_OFFSETS or norm in MONTH_NUMBERS:
        return norm
    found = closest(norm, PERIOD_WORDS, 70.0)
    return found[0] if found else None


def period_suggestion(words: Sequence[str], today: date, lang: str) -> str | None:
    """The period phrase ``words`` most likely mean, as its label (``bulan lalu``), or None.

    Each word is corrected to its period word; a unit alone means its current period
    (``bulan`` → ``bulan ini``)."""
    fixed = [w if w.isdigit() else (period_word(w) or w) for w in words]
    if not any(w in PERIOD_UNITS for w in fixed) and len(fixed) == 1:
        phrase = fixed[0]
    elif not any(w in PERIOD_OFFSETS or w.isdigit() for w in fixed):
        phrase = " ".join(fixed) + (" this" if lang == "en" else " ini")
    else:
        phrase = " ".join(fixed)
    try:
        found = find_period(phrase, today, lang)
    except PeriodError:
        return None
    if found is None:
        return None
    label = found[0].current.label
    return label or phrase


_REVERSE = re.compile(r"\s+")


def as_typed(phrase: str, typed: dict[str, str]) -> str:
    """``phrase`` (expanded words) back in the words the user typed."""
    return " ".join(typed.get(w, w) for w in _REVERSE.split(phrase.lower()) if w)
