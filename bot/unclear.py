"""No silent drop (SPEC §5): every word of a request is understood, a known filler, or
reported. A word left over after reading that looks like a period, a channel, a campaign or
a metric (by fuzzy match, else by its position) becomes ``ParsedText.unclear`` with the
closest reading as ``suggestion``; the router answers with a question, never a number for
a different question."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Protocol

from bot import understanding as chat
from bot.parsed_text import ParsedText
from bot.understanding import normalize
from bot.vocabulary import ARGUMENT_WORDS, FILLERS, MONTH_WORDS, UNDERSTOOD
from kpi_engine.domain.metrics import ALIASES
from kpi_engine.domain.model import PLATFORM_ALIASES, parse_channel_name

#: How close (rapidfuzz ratio) a word must be to a metric alias to be offered as a metric.
METRIC_CUTOFF = 78.0


class Token(Protocol):
    raw: str
    clean: str
    words: list[str]
    used: bool


@lru_cache(maxsize=1)
def _metric_words() -> tuple[str, ...]:
    return tuple(ALIASES)


@lru_cache(maxsize=256)
def _channel_words(channels: tuple[str, ...]) -> dict[str, str]:
    """Every word that names a channel (platform words, custom names, bare handles) → the
    channel it names."""
    words = {alias: platform for alias, platform in PLATFORM_ALIASES.items() if len(alias) > 3}
    for name in channels:
        if ":" in name:
            words.setdefault(normalize(parse_channel_name(name)[1].lstrip("@")), name)
        else:
            words.setdefault(normalize(name), name)
    return words


def closest_metric(candidates: Sequence[int], tokens: Sequence[Token]
                   ) -> tuple[list[int], str, str] | None:
    """The most metric-like leftover word or pair of adjacent words: (token indexes, the
    words lower case, the metric key)."""
    options: list[tuple[list[int], str]] = []
    for a, b in pairwise(candidates):
        if b == a + 1:
            options.append(([a, b], f"{tokens[a].clean} {tokens[b].clean}"))
    options += [([t], tokens[t].clean) for t in candidates]
    best: tuple[float, list[int], str, str] | None = None
    for indexes, text in options:
        found = chat.closest(text, _metric_words(), METRIC_CUTOFF)
        if found and (best is None or found[1] > best[0]):
            best = (found[1], indexes, text, ALIASES[found[0]])
    return (best[1], best[2].lower(), best[3]) if best else None


def _classify(word: str, channels: dict[str, str], campaigns: dict[str, str]
              ) -> tuple[str, str, float] | None:
    """(kind, the reading, score) of the closest known word of any kind."""
    best: tuple[str, str, float] | None = None
    for kind, choices in (("metric", _metric_words()), ("channel", tuple(channels)),
                          ("campaign", tuple(campaigns)), ("period", chat.PERIOD_WORDS)):
        found = chat.closest(word, choices, METRIC_CUTOFF if kind == "metric" else 80.0)
        if found and (best is None or found[1] > best[2]):
            value = {"metric": ALIASES, "channel": channels, "campaign": campaigns}.get(
                kind, {}).get(found[0], found[0])
            best = (kind, value, found[1])
    return best


_Option = tuple[int, str, list[int], str | None]  # (position, kind, token indexes, suggestion)


def find(result: ParsedText, tokens: Sequence[Token], candidates: list[int],
         periodish: list[int], unknown_campaign: str | None, *, today: date, lang: str,
         channels: Sequence[str], campaigns: Sequence[str], slash: bool,
         typed: dict[str, str], expanded: str) -> None:
    """Set ``unclear``, ``unclear_kind``, ``suggestion`` and ``corrected`` on ``result`` from
    the words no reading took (the first of them when there are several)."""
    if result.unclear is not None:
        return  # a misspelt period, found before the periods were read
    channel_words = _channel_words(tuple(channels))
    campaign_words = {normalize(c): c for c in campaigns}
    kinds = {t: _classify(" ".join(tokens[t].words), channel_words, campaign_words)
             for t in candidates if not tokens[t].used}
    options: list[_Option] = []
    options += _period_runs(result, tokens, periodish, kinds, today, lang)
    if result.unknown_channel:  # "reach snapchat", "@kopirivall", "/kpi reach instgram"
        bare = result.unknown_channel.lstrip("@")
        found = chat.closest(bare, tuple(channel_words), 80.0)
        options.append((-2, "channel", [], channel_words[found[0]] if found else None))
    if slash:
        if result.unknown_metric:
            options.append((-1, "metric", [], result.suggestion))
        if result.command in NUMBER_CLARIFIED:  # "/kpi reach ig xyz": never dropped
            for t in candidates:
                if tokens[t].used or any(ch.isdigit() for ch in tokens[t].clean):
                    continue  # numbers: stray_number's reply
                found_kind = kinds.get(t)
                if found_kind is not None and found_kind[0] in ("channel", "campaign",
                                                                "metric"):
                    options.append((t, found_kind[0], [t], found_kind[1]))
                else:
                    options.append((t, "word", [t], None))
    else:
        if unknown_campaign is not None:
            found = chat.closest(unknown_campaign, tuple(campaign_words))
            options.append((-1, "campaign", [], campaign_words[found[0]] if found else None))
        left = [t for t in candidates if not tokens[t].used]
        named = any((result.metric, result.channel, result.period, result.campaign,
                     result.period_error))
        if result.metric is None and left:
            metric = closest_metric(left, tokens)
            if metric is not None:
                indexes, result.unknown_metric, result.suggestion = metric
                options.append((indexes[0], "metric", indexes, metric[2]))
                left = [t for t in left if t not in indexes]
        for indexes, name, kind in _names(left, tokens, channel_words, campaign_words):
            options.append((indexes[0], kind, indexes, name))
            left = [t for t in left if t not in indexes]
        for t in left:
            found_kind = kinds.get(t)
            if found_kind is not None and found_kind[0] in ("channel", "campaign", "metric"):
                options.append((t, found_kind[0], [t], found_kind[1]))
            elif named:  # by position, in a question that names something
                slot = ("campaign" if _next_to_campaign_word(tokens, t) else
                        "metric" if result.metric is None and not result.unknown_metric else
                        "channel" if result.channel is None else "campaign")
                options.append((t, slot, [t], None))
    if not options:
        return
    position, kind, indexes, suggestion = min(options, key=lambda o: o[0])
    if kind == "metric":
        for t in indexes:
            tokens[t].used = True
    if position == -2:
        words = result.unknown_channel or ""
    elif position == -1 and kind == "metric":
        words = result.unknown_metric or ""
    elif position == -1:
        words = unknown_campaign or ""
    else:
        words = " ".join(tokens[t].clean.lower() for t in indexes)
    result.unclear = chat.as_typed(words, typed)
    result.unclear_kind = kind
    result.suggestion = suggestion
    if suggestion is not None:
        result.corrected = corrected(expanded, words, suggestion, kind)


def _period_runs(result: ParsedText, tokens: Sequence[Token], periodish: list[int],
                 kinds: dict[int, tuple[str, str, float] | None], today: date, lang: str
                 ) -> list[_Option]:
    """Runs of adjacent period-like leftovers ("bulan kmarin"): a garbled period."""
    fuzzy = {t for t, k in kinds.items() if k is not None and k[0] == "period"}
    like = set(periodish) | fuzzy
    runs: list[list[int]] = []
    for t in sorted(like):
        if runs and runs[-1][-1] == t - 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    options: list[_Option] = []
    for run in runs:
        norms = [" ".join(tokens[t].words) for t in run]
        core = [n for t, n in zip(run, norms, strict=True)
                if n in chat.PERIOD_UNITS or t in fuzzy]
        if not core:
            continue  # "ini", "lalu" alone: fillers
        if (result.period is not None or result.period_error is not None) and not (
                set(run) & fuzzy):
            continue  # "reach minggu ini per hari": the period is named
        if result.rank_by == "day" and not set(run) & fuzzy:
            continue
        before = run[0] - 1
        if before >= 0 and tokens[before].clean.isdigit():
            run = [before, *run]
            norms = [tokens[before].clean, *norms]
        options.append((run[0], "period", run, chat.period_suggestion(norms, today, lang)))
    return options


def _next_to_campaign_word(tokens: Sequence[Token], t: int) -> bool:
    """"the blackfriday campaign", "kampanye x": a name beside a campaign word."""
    return any(0 <= j < len(tokens) and tokens[j].words[:1] in (["campaign"], ["kampanye"])
               for j in (t - 1, t + 1))


def _names(left: list[int], tokens: Sequence[Token], channels: dict[str, str],
           campaigns: dict[str, str]) -> list[tuple[list[int], str, str]]:
    """Misspelt names of two or three words ("toko onlen", "back to scool"): (token indexes,
    the name, "channel" or "campaign")."""
    found: list[tuple[list[int], str, str]] = []
    taken: set[int] = set()
    for size in (3, 2):
        for i in range(len(left)):
            run = left[i:i + size]
            if len(run) < size or run[-1] - run[0] != size - 1 or taken & set(run):
                continue
            text = " ".join(" ".join(tokens[r].words) for r in run)
            for kind, names in (("channel", channels), ("campaign", campaigns)):
                multi = tuple(n for n in names if " " in n)
                match = chat.closest(text, multi, 80.0)
                if match:
                    found.append((run, names[match[0]], kind))
                    taken |= set(run)
                    break
    return found


def corrected(expanded: str, words: str, suggestion: str, kind: str) -> str | None:
    """The message with the unclear words replaced by the suggestion."""
    parts = [re.escape(w) for w in words.split()]
    if not parts:
        return None
    pattern = r"(?<![\w@])" + r"[\s,]+".join(parts) + r"(?!\w)"
    replacement = suggestion.replace("_", " ") if kind == "metric" else suggestion
    fixed, count = re.subn(pattern, lambda _: replacement, expanded, count=1,
                           flags=re.IGNORECASE)
    return fixed if count else None


_WORD = re.compile(r"[^\s,;!?()]+")


def take_period_typo(text: str, known: frozenset[str], today: date, lang: str
                     ) -> tuple[str, str | None, str] | None:
    """A misspelt period word and the period words around it ("30 hari terakir", "mingu
    lalu", "bulan kmarin"): (the words, the period they most likely mean, the text with them
    blanked out), before the periods are read, so that no part of it is read as a period."""
    spans = [(m.start(), m.end(), normalize(m.group().strip(".:'\"")))
             for m in _WORD.finditer(text)]
    units = chat.PERIOD_UNITS | chat.PERIOD_OFFSETS

    def plain(word: str) -> bool:  # a period word as it is, or any other known word
        return (word in units or word in known or word in _known_words()
                or word.isdigit() or not word.isalpha()
                or (word.startswith("se") and word[2:] in chat.PERIOD_UNITS))  # seminggu

    def typo(i: int, cutoff: float) -> bool:
        word = spans[i][2]
        if plain(word) or len(word) < 4:
            return False
        found = chat.closest(word, chat.PERIOD_WORDS, cutoff)
        if found is None:
            return False
        other = chat.closest(word, _sorted(known), cutoff)  # "youtobe": a channel typo
        return other is None or other[1] <= found[1]

    for i in range(len(spans)):
        beside_unit = any(0 <= j < len(spans) and spans[j][2] in chat.PERIOD_UNITS
                          for j in (i - 1, i + 1))
        if not typo(i, 70.0 if beside_unit else 80.0):
            continue
        first = last = i
        while first > 0 and (spans[first - 1][2] in units or spans[first - 1][2].isdigit()):
            first -= 1
        while last + 1 < len(spans) and (spans[last + 1][2] in units or typo(last + 1, 70.0)):
            last += 1
        words = [s[2] for s in spans[first:last + 1]]
        start, end = spans[first][0], spans[last][1]
        blanked = text[:start] + " " * (end - start) + text[end:]
        return text[start:end].lower(), chat.period_suggestion(words, today, lang), blanked
    return None


@lru_cache(maxsize=64)
def _sorted(words: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(words | set(ALIASES)))


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    return frozenset(FILLERS | UNDERSTOOD | ARGUMENT_WORDS | MONTH_WORDS | set(ALIASES)
                     | set(PLATFORM_ALIASES))


# --- numbers and ranking words no reading took ------------------------------------------------

#: The questions whose stray numbers are asked back (/peringkat has its own reply: "top N";
#: /catat, /target and /alert read their numbers themselves).
NUMBER_CLARIFIED = frozenset({"kpi", "summary", "chart", "compare", "roi", "why"})

#: A bare year ("/kpi reach ig 2025"): read as "tahun 2025" only once the user says so.
_YEAR = re.compile(r"(?:19|20)\d\d")


def stray_number(result: ParsedText, expanded: str) -> None:
    """A number no reading took in a question ("/kpi reach ig 1990", "reach ig 12345") is
    never dropped (SPEC §5): a bare year asks back with the whole year as the closest reading;
    any other number is reported as not understood, with examples of periods."""
    if result.unclear is not None or result.period_error is not None or \
            result.command not in NUMBER_CLARIFIED:
        return  # a period error's words stay in the arguments: its own reply names them
    stray = next((a for a in result.args if any(ch.isdigit() for ch in a)), None)
    if stray is None:
        return
    result.unclear = stray
    if _YEAR.fullmatch(stray) and result.period is None:
        result.unclear_kind = "period"
        result.suggestion = f"{'year' if result.lang == 'en' else 'tahun'} {stray}"
        result.corrected = corrected(expanded, stray, result.suggestion, "period")
    else:
        result.unclear_kind = "number"


#: The bare words that say what a ranking ranks (bot.question_shapes.take_rank_key).
RANK_KEY_WORDS: dict[str, str] = {
    "kanal": "channel", "channel": "channel", "platform": "channel", "kampanye": "campaign",
    "campaign": "campaign", "harian": "day", "daily": "day",
}


def rank_key_typo(result: ParsedText, tokens: Sequence[Token], candidates: list[int],
                  channels: Sequence[str], expanded: str) -> None:
    """"peringkat reach knal": a misspelt ranking key is asked back with the word it most
    likely is ("kanal"), not reported as a channel that does not exist."""
    if result.rank_by is not None or result.unclear is not None:
        return
    channel_words = tuple(_channel_words(tuple(channels)))
    words = [(t, " ".join(tokens[t].words)) for t in candidates if not tokens[t].used]
    if result.unknown_channel and not result.unknown_channel.startswith("@"):
        words.append((-1, result.unknown_channel))
    for t, word in words:
        found = chat.closest(word, tuple(RANK_KEY_WORDS), 80.0)
        if found is None:
            continue
        other = chat.closest(word, channel_words, 80.0)
        if other is not None and other[1] >= found[1]:
            continue  # "tiktk": a channel's typo
        if t >= 0:
            tokens[t].used = True
        else:
            result.unknown_channel = None
        typed = tokens[t].clean.lower() if t >= 0 else word
        result.unclear, result.unclear_kind, result.suggestion = typed, "rank", found[0]
        result.corrected = corrected(expanded, typed, found[0], "rank")
        return
