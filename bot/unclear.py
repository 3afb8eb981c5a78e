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
from typing import TYPE_CHECKING, Protocol

from bot import understanding as chat
from kpi_engine.metrics import ALIASES, normalize
from kpi_engine.model import PLATFORM_ALIASES, parse_channel_name

if TYPE_CHECKING:
    from bot.parsing import ParsedText

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
    channel_words = _channel_words(tuple(channels))
    campaign_words = {normalize(c): c for c in campaigns}
    kinds = {t: _classify(" ".join(tokens[t].words), channel_words, campaign_words)
             for t in candidates if not tokens[t].used}
    options: list[_Option] = []
    options += _period_runs(result, tokens, periodish, kinds, today, lang)
    if slash:
        if result.unknown_metric:
            options.append((-1, "metric", [], result.suggestion))
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
        for t in left:
            found_kind = kinds.get(t)
            if found_kind is not None and found_kind[0] in ("channel", "campaign", "metric"):
                options.append((t, found_kind[0], [t], found_kind[1]))
            elif named:  # by position, in a question that names something
                slot = ("metric" if result.metric is None and not result.unknown_metric else
                        "channel" if result.channel is None else "campaign")
                options.append((t, slot, [t], None))
    if not options:
        return
    position, kind, indexes, suggestion = min(options, key=lambda o: o[0])
    if kind == "metric":
        for t in indexes:
            tokens[t].used = True
    if position == -1 and kind == "metric":
        words = result.unknown_metric or ""
    elif position == -1:
        words = unknown_campaign or ""
    else:
        words = " ".join(tokens[t].clean.lower() for t in indexes)
    result.unclear = chat.as_typed(words, typed)
    result.unclear_kind = kind
    result.suggestion = suggestion
    if suggestion is not None:
        result.corrected = _corrected(expanded, words, suggestion, kind, position == -1)


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


def _corrected(expanded: str, words: str, suggestion: str, kind: str, after_keyword: bool
               ) -> str | None:
    """The message with the unclear words replaced by the suggestion."""
    parts = [re.escape(w) for w in words.split()]
    if not parts:
        return None
    pattern = r"(?<![\w@])" + r"[\s,]+".join(parts) + r"(?!\w)"
    if after_keyword:
        pattern = r"(?<=\s)" + pattern if kind != "campaign" else \
            r"(?<=kampanye\s|campaign\s|kampanya\s)" + r"[\s,]+".join(parts) + r"(?!\w)"
    replacement = suggestion.replace("_", " ") if kind == "metric" else suggestion
    fixed, count = re.subn(pattern, lambda _: replacement, expanded, count=1,
                           flags=re.IGNORECASE)
    return fixed if count else None
