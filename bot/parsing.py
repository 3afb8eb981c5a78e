"""Chat text → request: the same reading for slash commands and plain sentences (SPEC §5).

``/kpi reach ig minggu ini``, ``berapa reach IG mgg ini?`` and ``show me instagram reach
this week`` all become ``ParsedText(command="kpi", metric="reach", channel="instagram",
period=<16–22 Nov>)``. The reading goes in this order:

1. bot mentions (``@KpiBot``, Slack's ``<@U123>``) are dropped; a ``/command`` in the middle
   of a message is that command ("eh salah, /catat …"); a whole message of thanks, greeting,
   "siapa kamu" is ``smalltalk``, a bare "ya" is ``confirm`` (``bot.understanding``);
2. chat abbreviations are written out (``bln`` → ``bulan``, ``brp`` → ``berapa``); a
   ``/command`` (with an optional ``@botname`` suffix) or a sentence's first word naming a
   command sets the command; a digest sentence is ``/langganan``;
3. the question's shape is read (``bot.question_shapes``): "per kanal", "kanal/kampanye/hari
   mana yang paling …", "naik atau turun"; then ``kampanye X`` (``bot.campaign_names``);
4. a misspelt period ("mingu lalu") is cut out as ``unclear``; period phrases are found by
   ``kpi_engine.domain.periods.find_period`` and cut out ("dibanding bulan lalu" alone asks about
   this month against last);
5. the longest known phrases win: metric aliases, platform words, the workspace's custom
   channel names, bare competitor handles, known campaigns, intent words; channels named
   side by side fill ``channels`` (``bot.channel_names``); growth words make follower growth;
6. what is left is a number or an argument (kept in ``args``), a known filler or
   understood word (dropped), or reported: ``unclear`` / ``unclear_kind`` / ``suggestion``
   (``bot.unclear``), never dropped in silence;
7. a sentence's command comes from its shape and intent words, else from what it names.

Nothing here reads the database: the caller checks that a channel exists and applies the
default period when ``period`` is None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot import campaign_names, channel_names, unclear
from bot import question_shapes as shapes
from bot import understanding as chat
from bot.mentions import drop_mentions
from bot.parsed_text import ParsedText
from bot.tokens import Hit as _Hit
from bot.tokens import Token as _Token
from bot.understanding import normalize
from bot.vocabulary import (
    ALIAS_CHANNEL,
    ARGUMENT_WORDS,
    CAMPAIGN_WORDS,
    COMMAND_LANG,
    COMMANDS,
    FILLERS,
    GREETINGS,
    INTENT_PRIORITY,
    INTENT_WORDS,
    LANG_WORDS,
    METRIC_ARG_COMMANDS,
    MONTH_WORDS,
    OTHER_PLATFORMS,
    QUERY_COMMANDS,
    STRONG_LANG_WORDS,
    UNDERSTOOD,
)
from kpi_engine.domain.metrics import ALIASES
from kpi_engine.domain.model import PLATFORM_ALIASES, parse_channel_name
from kpi_engine.domain.periods import PeriodError, PeriodQuery, find_period, parse_period

__all__ = ["COMMANDS", "COMMAND_LANG", "ParsedText", "parse_text"]

#: Commands with a metric slot and a channel slot: an unknown word there is reported.
_SLOT_COMMANDS = frozenset({"kpi", "chart", "compare", "record", "goal", "rank"})

_SLASH = re.compile(r"^/(\S*)")
_NUMBER = re.compile(
    r"[+\-−]?(?:rp\.?\s?)?\d[\d.,:/]*(?:%|x|k|rb|ribu|jt|juta|m|b|pp)?", re.IGNORECASE)
#: Values that must not be read as a period: "12.000 hari ini", "Rp1.500.000".
_FORMATTED_NUMBER = re.compile(
    r"(?<![\w.,])(?:rp\.?\s?)?[+\-]?\d{1,3}(?:[.,]\d{3})+(?:,\d+)?%?(?!\w)", re.IGNORECASE)
#: A count before a unit word ("30 hari"): a value, not a period, in a record ("reach 30 hari ini").
_COUNT_NUMBER = re.compile(
    r"(?<![\w.,])\d+(?=\s*(?:hari|minggu|pekan|bulan|kuartal|triwulan|tahun|days?|weeks?"
    r"|months?|quarters?|years?)(?!\w))", re.IGNORECASE)
_PUNCT = "\"'“”‘’()[]{}<>,;!?.:…*_~`"


# --- the vocabulary -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _base_phrases() -> dict[str, tuple[str, str]]:
    """normalized phrase → (kind, value); on a clash the earlier kind wins."""
    phrases: dict[str, tuple[str, str]] = {}
    for word, intent in INTENT_WORDS.items():
        phrases[word] = ("intent", intent)
    for word in GREETINGS:
        phrases.setdefault(word, ("greeting", word))
    for word, platform in PLATFORM_ALIASES.items():
        phrases[normalize(word)] = ("platform", platform)
    for alias, key in ALIASES.items():
        phrases[alias] = ("metric", key)
    return phrases


@dataclass(frozen=True)
class _Vocabulary:
    phrases: dict[str, tuple[str, str]]  # never changed once built
    longest: int  # words in the longest phrase
    words: frozenset[str]  # every word of every phrase


@lru_cache(maxsize=256)
def _vocabulary(channels: tuple[str, ...], campaigns: tuple[str, ...]) -> _Vocabulary:
    """The phrases of a workspace (its channels and campaigns added), built once per set of
    names: every chat question of the workspace reads them."""
    phrases = _phrases(channels, campaigns)
    return _Vocabulary(phrases, max(len(p.split()) for p in phrases),
                       frozenset(w for p in phrases for w in p.split()))


def _phrases(channels: Sequence[str], campaigns: Sequence[str]) -> dict[str, tuple[str, str]]:
    phrases = dict(_base_phrases())
    for name in campaigns:
        if normalize(name):
            phrases.setdefault(normalize(name), ("campaign", name))
    for name in channels:  # custom channels ("toko online"); handles are read apart
        if ":" not in name and normalize(name) and normalize(name) not in PLATFORM_ALIASES:
            phrases.setdefault(normalize(name), ("channel", name))
    for name in channels:  # a competitor's handle typed without "@": "followers kopirival"
        if ":" in name:
            bare = normalize(parse_channel_name(name)[1].lstrip("@"))
            if bare and bare not in FILLERS:
                phrases.setdefault(bare, ("handle", bare))
    return phrases


# --- steps ----------------------------------------------------------------------------------

def _strip_mentions(text: str, bot_username: str | None) -> str:
    text = drop_mentions(text)
    if bot_username:
        name = re.escape(bot_username.lstrip("@"))
        text = re.sub(rf"(?<![\w/])@{name}\b[:,]?", " ", text, flags=re.IGNORECASE)
    return text


def _split_command(text: str) -> tuple[str | None, str | None, str]:
    """(canonical command, command word, the rest) of a ``/command``; (None, None, text)."""
    stripped = text.strip()
    match = _SLASH.match(stripped)
    if match is None:
        return None, None, stripped
    word = match.group(1).split("@", 1)[0].lower()
    rest = stripped[match.end():].strip()
    if not word:
        return "unknown", None, rest
    return COMMANDS.get(word, "unknown"), word, rest


def _first_word_command(text: str) -> tuple[str | None, str | None, str]:
    """A sentence that starts with a command word is that command: ``gabung K7Q2`` is
    ``/gabung K7Q2``. Words that are also intent words ("ringkasan bulan lalu", "grafik
    perbandingan reach") stay in the sentence and count as its intent."""
    head, *rest = text.split(maxsplit=1)
    word = head.strip(_PUNCT).lower()
    if word not in COMMANDS:
        return None, None, text
    if word in INTENT_WORDS:
        return None, word, text
    return COMMANDS[word], word, " ".join(rest)


def _words(text: str) -> list[str]:
    return [w.strip(_PUNCT) for w in normalize(text).split()]


def _detect_lang(text: str) -> str | None:
    scores = {"id": 0, "en": 0}
    first: str | None = None
    for word in _words(text):
        lang = LANG_WORDS.get(word)
        if lang is None:
            continue
        scores[lang] += 2 if word in STRONG_LANG_WORDS else 1
        first = first or lang
    if scores["id"] == scores["en"]:
        return first
    return "id" if scores["id"] > scores["en"] else "en"


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _take_periods(text: str, today: date, lang: str, *, recording: bool
                  ) -> tuple[PeriodQuery | None, PeriodError | None, str, list[tuple[int, str]]]:
    """The first period phrase in the text, an error, the text without period phrases, and
    each phrase's start and text ("bulan ini dibanding bulan lalu": two, both cut out).
    Formatted numbers, and in a record any count, are values, not periods."""
    found: list[tuple[int, PeriodQuery, str]] = []
    error: PeriodError | None = None
    masked = _FORMATTED_NUMBER.sub(lambda m: "#" * len(m.group()), text)
    if recording:
        masked = _COUNT_NUMBER.sub(lambda m: "#" * len(m.group()), masked)
    for _ in range(4):
        try:
            hit = find_period(masked, today, lang)
        except PeriodError as exc:
            error = exc
            break
        if hit is None or hit[2] <= hit[1]:
            break
        found.append((hit[1], hit[0], text[hit[1]:hit[2]]))
        text, masked = _blank(text, hit[1], hit[2]), _blank(masked, hit[1], hit[2])
    spans = sorted((start, phrase) for start, _, phrase in found)
    if found:
        return min(found, key=lambda item: item[0])[1], None, text, spans
    return None, error, text, spans


def _named_pair(found: list[tuple[int, str]], first: PeriodQuery, today: date,
                lang: str) -> PeriodQuery:
    """Two periods named ("kemarin vs hari ini", "Oktober vs Agustus"): the later one is
    asked about, compared with the earlier one: its own like-for-like previous when the
    earlier period holds it ("minggu ini vs minggu lalu"), else the earlier period as
    named. Overlapping periods keep the first one's reading."""
    try:
        second = parse_period(found[1][1], today, lang)
    except PeriodError:
        return first
    if second.current == first.current:
        return first
    later, earlier = (first, second) if first.current.end >= second.current.end else \
        (second, first)
    if earlier.current.end >= later.current.start:
        return first  # "bulan ini vs minggu ini"
    prev = later.previous
    if earlier.current.start <= prev.start and prev.end <= earlier.current.end:
        return later
    return PeriodQuery(later.current, earlier.current)


def _tokenize(text: str) -> list[_Token]:
    tokens = []
    for raw in text.split():
        clean = re.sub(r"['’]s$", "", raw.strip(_PUNCT), flags=re.IGNORECASE)  # instagram's
        tokens.append(_Token(raw, clean, normalize(clean).split() if clean else []))
    return tokens


def _match_phrases(tokens: list[_Token], vocabulary: _Vocabulary) -> list[_Hit]:
    """Known phrases in the tokens, longest first; marks their tokens used."""
    phrases, longest = vocabulary.phrases, vocabulary.longest
    words = [(w, t) for t, tok in enumerate(tokens) if not tok.used for w in tok.words]
    taken = [False] * len(words)
    hits: list[tuple[int, _Hit]] = []
    for n in range(min(longest, len(words)), 0, -1):
        i = 0
        while i + n <= len(words):
            if any(taken[i:i + n]):
                i += 1
                continue
            phrase = " ".join(w for w, _ in words[i:i + n])
            found = phrases.get(phrase)
            if found is None and n == 1 and phrase.endswith("nya"):  # "reachnya"
                found = phrases.get(phrase[:-3])
            if found is None:
                i += 1
                continue
            taken[i:i + n] = [True] * n
            covered = [tokens[t] for t in dict.fromkeys(t for _, t in words[i:i + n])]
            for tok in covered:
                tok.used = True
            hits.append((i, _Hit(found[0], found[1], phrase, covered)))
            i += n
    return [hit for _, hit in sorted(hits, key=lambda pair: pair[0])]


def _is_number(word: str) -> bool:
    return _NUMBER.fullmatch(word) is not None


# --- the reader -----------------------------------------------------------------------------

def parse_text(text: str, today: date, *, channels: Sequence[str] = (),
               campaigns: Sequence[str] = (), bot_username: str | None = None) -> ParsedText:
    """Read one chat message; never raises on odd input."""
    body = _strip_mentions(text, bot_username).strip()
    if not body:
        return ParsedText("empty")
    inner = shapes.inner_command(body)
    if inner is not None:  # "eh salah, /catat instagram followers 42.344 kemarin"
        result = parse_text(inner, today, channels=channels, campaigns=campaigns)
        result.text = inner
        return result
    alert = None if body.startswith("/") else shapes.alert_request(body)
    if alert is not None:  # "tolong bikin alert kalau er ig di bawah 2%"
        result = parse_text(alert, today, channels=channels, campaigns=campaigns)
        result.text = alert
        return result
    if not body.startswith("/"):
        talk = _small_talk(body)
        if talk is not None:
            return talk
    expanded, typed = chat.expand(body)
    command, word, body = _split_command(expanded)
    slash = command is not None
    if not slash:
        command, word, body = _first_word_command(body)
    lang = COMMAND_LANG.get(word or "") or _detect_lang(body)
    result = ParsedText(command or "kpi", word, lang)
    if command is not None and command not in QUERY_COMMANDS | METRIC_ARG_COMMANDS:
        result.args = body.split()  # help, start, join CODE, /senyap 2 jam...: as typed
        return result
    if command is None:
        digest = shapes.digest_request(body)
        if digest is not None:  # "tolong kasih digest harian"
            result.command, result.text, result.args = "subscribe", digest, digest.split()[1:]
            return result

    vocabulary = _vocabulary(tuple(channels), tuple(campaigns))
    phrases = vocabulary.phrases
    periods_named = 0
    breakdown: str | None = None
    trend = False
    unknown_campaign: str | None = None
    recording = command == "record"
    before_shapes = body
    if command not in METRIC_ARG_COMMANDS:  # "/target ... 3 bulan": a deadline, no period
        breakdown, body = shapes.take_breakdown(body)
        result.rank_by, body = shapes.take_ranking(body)
        if result.rank_by is None and (command == "rank" or _RANK_WORD.search(body)):
            result.rank_by, body = shapes.take_rank_key(body, campaigns)  # /peringkat reach kanal
        top = shapes.top_n(before_shapes)
        if top is not None and (command == "rank" or result.rank_by is not None):
            # a ranking's "top 99999 minggu lalu", "5 kanal terbaik bulan lalu": the number
            # is the cut, never a period
            result.top, body = top[0], shapes.blank(body, top[1], top[2])
        result.rank_dir = shapes.rank_direction(before_shapes)
        trend, body = shapes.take_trend(body)
        result.campaign, body, unknown_campaign = campaign_names.take_campaign(body, campaigns,
                                                                                phrases)
        if unknown_campaign is not None and slash:
            result.campaign, unknown_campaign = unknown_campaign, None  # /kpi … kampanye x
        recording = command == "record" or any(
            INTENT_WORDS.get(w) == "record" for w in _words(body))
        part = shapes.part_of_unit(body)
        if part is not None:  # "reach ig awal bulan": which days? asked, never guessed
            result.unclear, result.unclear_kind, body = part[0], "period", part[1]
        typo = None if part else unclear.take_period_typo(body, vocabulary.words, today,
                                                          lang or "id")
        if typo is not None:  # "reach ig mingu lalu": asked back, never read as a period
            result.unclear, result.suggestion, body = chat.as_typed(typo[0], typed), typo[1], \
                typo[2]
            result.unclear_kind = "period"
            if typo[1] is not None:
                result.corrected = unclear.corrected(expanded, typo[0], typo[1], "period")
        before = body
        result.period, result.period_error, body, found = _take_periods(
            body, today, lang or "id", recording=recording)
        periods_named = len(found)
        if periods_named == 2 and result.period is not None:  # "kemarin vs hari ini"
            result.period = _named_pair(found, result.period, today, lang or "id")
        if periods_named == 1 and shapes.compared_with(before, found[0][0]):
            this = shapes.this_counterpart(found[0][1], lang or "id")  # "dibanding bulan lalu"
            if this is not None:
                result.period, periods_named = parse_period(this, today, lang or "id"), 2
    tokens = _tokenize(body)
    for tok in tokens:  # "ratenya", "alertnya": the word without its "-nya"
        tok.words = [w[:-3] if w.endswith("nya") and w not in vocabulary.words
                     and (w[:-3] in vocabulary.words or w[:-3] in UNDERSTOOD) else w
                     for w in tok.words]
    words = {w for tok in tokens for w in tok.words}
    result.competitors = bool(words & _COMPETITOR_WORDS)
    hits = _match_phrases(tokens, vocabulary)
    intents, greeted = _read_phrases(result, hits)
    channel_names.read_channels(result, tokens, hits, channel_names.take_handles(tokens),
                                channels)
    as_typed = command in METRIC_ARG_COMMANDS
    if not as_typed:
        _read_growth(result, tokens, words, trend)
        if result.metric in ("engagement_rate", "engagement") and _BY_REACH.search(before_shapes):
            result.metric = "engagement_rate_reach"  # "ER ig by reach kmrn"
            for hit in hits:
                if hit.kind == "metric" and hit.value == "reach":
                    for tok in hit.tokens:
                        tok.extra = False
    ranked_by = None
    if command is None:  # "konten dengan reach tertinggi": the posts ranked by reach
        ranked_by = _posts_ranked_by(result, hits, before_shapes)
        _posting_frequency(result, tokens, before_shapes)  # "berapa kali pesaing posting"
    candidates, periodish = _leftovers(result, tokens, keep_fillers=as_typed,
                                       recording=recording)
    if slash:
        _read_unknown_words(result, tokens, candidates, command)
    if not as_typed and (command == "rank" or _RANK_WORD.search(before_shapes)):
        unclear.rank_key_typo(result, tokens, candidates, channels, expanded)
    if not as_typed:
        unclear.find(result, tokens, candidates, periodish, unknown_campaign,
                     today=today, lang=lang or "id", channels=channels, campaigns=campaigns,
                     slash=slash, typed=typed, expanded=expanded)

    result.args = [tok.raw if as_typed else tok.clean for tok in tokens
                   if (tok.extra or not tok.used) and (tok.clean or as_typed)]
    result.chart = command == "chart" or "chart" in intents
    if command is None:
        if shapes.asks_alerts(before_shapes) and result.metric is None:
            intents.append("alert")
        result.command = _sentence_command(result, intents, greeted, periods_named, breakdown)
        if result.command in ("kpi", "chart", "compare") and result.metric == "posts" \
                and _BEST_POST.search(before_shapes) and not _RANK_CHANNELS.search(before_shapes):
            result.command = "content"  # "postingan terbaik kmrn", "top post ig bulan ini"
        if ranked_by is not None:
            result.command = "content"
        if shapes.content_view(before_shapes) is not None:
            result.command = "content"  # "reel vs feed", "jam posting terbaik", "hashtag …"
        if result.command == "alert":
            result.text = "/alert"
        if word is not None and COMMANDS[word] != result.command:
            result.command_word = None  # "help reach ig" is no help request
        result.chart = result.chart or result.command == "chart"
    elif command in ("kpi", "summary") and (breakdown == "channel" or len(result.channels) > 1
                                            or len(result.campaigns) > 1):
        result.command = "compare"  # "/kpi reach per kanal", "/kpi reach ig vs tiktok"
    elif command == "kpi" and breakdown == "day" and result.metric:
        result.command, result.chart = "chart", True  # "/kpi reach per hari": the days
    if result.command == "rank" and result.rank_by is None:
        result.rank_by = breakdown  # "peringkat reach per kanal"
    if not as_typed and not recording:
        unclear.stray_number(result, expanded)  # "/kpi reach ig 1990": asked back
    if result.command == "why":  # "kenapa reach turun?": the change the question assumes
        result.asked_change = shapes.asked_change(before_shapes)
    return result


#: A word that asks for a ranking in a sentence ("ranking kanal bulan ini").
_RANK_WORD = re.compile(r"(?<!\w)(?:" + "|".join(
    w for w, intent in INTENT_WORDS.items() if intent == "rank") + r")(?!\w)", re.IGNORECASE)


#: "tertinggi", "terbanyak", "paling", "top", "most": a ranking word.
_RANKING_WORD = re.compile(
    r"(?<!\w)(?:paling|ter(?:baik|tinggi|banyak|besar|bagus|laris|atas)|top|best|highest|most"
    r"|teratas)(?!\w)", re.IGNORECASE)


def _posts_ranked_by(result: ParsedText, hits: list[_Hit], text: str) -> str | None:
    """"konten dengan reach tertinggi", "post dengan likes terbanyak": a posts word, a second
    metric and a ranking word ask for the posts ranked by that metric. The metric becomes
    ``result.metric`` (never dropped: a metric posts do not carry gets the ranking's own
    reply) and is returned; None when the sentence is no such question."""
    if result.metric != "posts" or result.rank_by is not None or \
            not _RANKING_WORD.search(text) or _RANK_CHANNELS.search(text):
        return None
    second = next((h for h in hits if h.kind == "metric" and h.value != "posts"), None)
    if second is None:
        return None
    result.metric = second.value
    for tok in second.tokens:
        tok.extra = False
        tok.used = True
    return second.value


#: "berapa kali … posting", "frekuensi posting", "seberapa sering … upload", "how often …
#: post": the number of posts published.
_POSTING_FREQUENCY = re.compile(
    r"(?<!\w)(?:berapa\s+kali|brp\s+kali|seberapa\s+sering|sesering\s+apa|frekuensi"
    r"|how\s+often|how\s+many\s+times|posting\s+frequency|frequency)(?!\w)", re.IGNORECASE)
_POSTING_WORDS = frozenset({"posting", "ngepost", "ngepos", "upload", "unggah", "mengunggah",
                            "memposting", "post", "posts", "posted", "posting nya",
                            "frekuensi", "kali", "sering", "seberapa", "often", "frequency",
                            "times"})


def _posting_frequency(result: ParsedText, tokens: list[_Token], text: str) -> None:
    """"berapa kali pesaing posting bulan ini", "frekuensi posting kompetitor": the posts
    metric (per channel, competitors included, when a competitor is named); the words of
    the phrase are understood, never an unknown metric."""
    if result.metric not in (None, "posts") or not _POSTING_FREQUENCY.search(text):
        return
    posting = [tok for tok in tokens if not tok.used and
               " ".join(tok.words) in _POSTING_WORDS]
    if result.metric is None and not any(" ".join(tok.words) not in
                                         {"frekuensi", "kali", "sering", "seberapa", "often",
                                          "frequency", "times"} for tok in posting):
        return  # "berapa kali" with no posting word: not this question
    result.metric = "posts"
    for tok in posting:
        tok.used = True


#: "the best post": a posts question that asks for the posts themselves, not their count.
_BEST_POST = re.compile(r"(?<!\w)(?:top|best|terbaik|teratas|terbagus|paling\s+bagus|"
                        r"paling\s+laku|paling\s+rame|paling\s+ramai)(?!\w)", re.IGNORECASE)
#: "which channel posts the most": channels ranked (by their number of posts).
_RANK_CHANNELS = re.compile(r"(?<!\w)(?:channel|kanal|platform|akun)\s+(?:mana|apa|which)"
                            r"|(?<!\w)which\s+(?:channel|platform)", re.IGNORECASE)
_BY_REACH = re.compile(r"(?<!\w)(?:by|per|berdasarkan|based\s+on|dari|dr)\s+(?:reach|jangkauan)"
                       r"(?!\w)", re.IGNORECASE)
_COMPETITOR_WORDS = frozenset({"pesaing", "kompetitor", "competitor", "competitors", "rival",
                               "rivals", "kompetitornya", "pesaingnya", "saingan"})


def _small_talk(body: str) -> ParsedText | None:
    """Thanks, a greeting, "siapa kamu", or a bare "ya" accepting a suggestion."""
    lang = _detect_lang(body)
    if chat.is_confirmation(body):
        words = normalize(body).split()
        english = words and words[0].strip(_PUNCT) in {"yes", "y", "yup", "yep", "yeah", "ok",
                                                       "okay", "correct"}
        return ParsedText("confirm", lang=lang or ("en" if english else "id"))
    kind = chat.small_talk(body)
    if kind is None:
        return None
    english = any(w.strip(_PUNCT) in _ENGLISH_TALK for w in normalize(body).split())
    return ParsedText("smalltalk", lang=lang or ("en" if english else "id"), smalltalk=kind)


_ENGLISH_TALK = frozenset({"thanks", "thank", "thx", "hello", "hi", "hey", "who", "what",
                           "morning", "good", "cheers"})


def _read_growth(result: ParsedText, tokens: list[_Token], words: set[str], trend: bool) -> None:
    """"growth followers", "followers naik berapa", "berapa persen": follower growth; "paling
    untung": ROI."""
    if result.metric is None and words & shapes.PROFIT_WORDS:
        result.metric = "roi"
    rate = bool(words & shapes.RATE_WORDS) or any("%" in tok.clean for tok in tokens)
    if result.metric == "follower_growth" and rate:
        result.metric = "follower_growth_rate"  # "berapa persen pertumbuhan pengikut"
    if trend or result.metric not in (None, "followers"):
        return
    if not words & shapes.GROWTH_WORDS:
        return
    if result.metric is None and not words & {"growth", "pertumbuhan", "followers", "follower",
                                              "pengikut", "fans"}:
        return
    result.metric = "follower_growth_rate" if rate else "follower_growth"


def _read_phrases(result: ParsedText, hits: list[_Hit]) -> tuple[list[str], bool]:
    """Fill metric and campaigns from the known phrases; (intents, greeted). Channels are
    read by ``_read_channels``.

    The first metric counts; a later one stays in the arguments.
    """
    intents: list[str] = []
    greeted = False
    named: list[str] = [result.campaign] if result.campaign else []
    for hit in hits:
        if hit.kind == "metric" and result.metric is None:
            result.metric = hit.value
            result.channel = result.channel or ALIAS_CHANNEL.get(hit.phrase)
        elif hit.kind in ("platform", "channel", "handle"):
            continue
        elif hit.kind == "campaign":
            named.append(hit.value)
        elif hit.kind == "intent":
            intents.append(hit.value)
        elif hit.kind == "greeting":
            greeted = True
        else:  # a second metric: an argument
            for tok in hit.tokens:
                tok.extra = True
    named = list(dict.fromkeys(named))
    result.campaign = named[0] if named else None
    if len(named) > 1:
        result.campaigns = named
    return intents, greeted


def _leftovers(result: ParsedText, tokens: list[_Token], *, keep_fillers: bool,
               recording: bool = False) -> tuple[list[int], list[int]]:
    """Sort out the tokens no phrase took: the indexes of the words that may be typos, and
    of the period words ("bulan", "lalu") left over from no period phrase.

    Numbers, argument words and months stay as arguments; fillers and lone punctuation are
    dropped (kept when ``keep_fillers``: /target and /alert read their own arguments);
    platforms the bot does not serve become ``unknown_channel``.
    """
    candidates: list[int] = []
    periodish: list[int] = []
    for t, tok in enumerate(tokens):
        norm = " ".join(tok.words)
        if tok.used or not tok.clean:
            continue
        if not keep_fillers and (norm in chat.PERIOD_UNITS or norm in chat.PERIOD_OFFSETS):
            periodish.append(t)
            tok.used = True
            continue
        if _is_number(tok.clean) or norm in ARGUMENT_WORDS or norm in MONTH_WORDS:
            continue
        if norm in OTHER_PLATFORMS:
            result.unknown_channel = result.unknown_channel or norm
            tok.used = True
        elif (norm in FILLERS or norm in CAMPAIGN_WORDS or (norm in UNDERSTOOD and not recording)
              or not any(c.isalnum() for c in norm)):
            tok.used = not keep_fillers
        else:
            candidates.append(t)
    return candidates, periodish


def _read_unknown_words(result: ParsedText, tokens: list[_Token], candidates: list[int],
                        slash_command: str | None) -> None:
    """A misspelt metric gets a suggestion; in a slash command, an unknown word in the
    metric slot is ``unknown_metric``, in the channel slot ``unknown_channel``, and the first
    word of ``/roi`` is the campaign."""
    if result.metric is None and candidates:
        unknown = unclear.closest_metric(candidates, tokens)
        if unknown is not None:
            indexes, result.unknown_metric, result.suggestion = unknown
            for t in indexes:
                tokens[t].used = True
                candidates.remove(t)
    if slash_command is None or not candidates:
        return
    first = tokens[candidates[0]]
    if slash_command == "roi":
        if result.campaign is None:
            result.campaign, first.used = first.clean.lower(), True
    elif slash_command in _SLOT_COMMANDS:
        if result.metric is None and result.unknown_metric is None:
            result.unknown_metric, first.used = first.clean.lower(), True
        elif result.channel is None and result.unknown_channel is None:
            result.unknown_channel, first.used = first.clean.lower(), True


def _sentence_command(parsed: ParsedText, intents: list[str], greeted: bool,
                      periods_named: int, breakdown: str | None) -> str:
    """A sentence's command: its shape first (a breakdown, a "which is best", two channels or
    campaigns side by side), else as ``_intent_command`` reads it."""
    command = _intent_command(parsed, intents, greeted, periods_named)
    if command in ("record", "goal", "help"):
        return command
    if "alert" in intents and parsed.metric is None:
        return "alert"  # "ada alert apa aja?"
    if command == "rank" or (parsed.rank_by is not None
                             and command not in ("why", "content", "audience", "chart")):
        return "rank"  # "kanal mana yang paling bagus", "hari apa … paling tinggi"
    if breakdown == "channel":
        return "compare"
    if breakdown == "campaign":
        return "roi"
    if breakdown == "day" and command in ("kpi", "summary", "compare") and parsed.metric:
        return "chart"  # "reach ig per hari minggu lalu": the daily series
    if len(parsed.channels) > 1 or len(parsed.campaigns) > 1:
        return "compare"
    if command == "kpi" and parsed.metric in ("roi", "roas") and parsed.campaign and \
            parsed.period is None and parsed.period_error is None:
        return "roi"  # "berapa roi kampanye ramadan": the campaign's whole run, as /roi
    return command


def _intent_command(parsed: ParsedText, intents: list[str], greeted: bool,
                    periods_named: int) -> str:
    """A sentence's command: its strongest intent word, else ``kpi`` when it names a metric,
    channel, period or campaign, else ``help`` for a greeting."""
    named = any((parsed.metric, parsed.channel, parsed.unknown_channel, parsed.period,
                 parsed.period_error, parsed.campaign))
    for intent in INTENT_PRIORITY:
        if intent not in intents:
            continue
        if intent == "help" and (named or parsed.unknown_metric):
            continue  # "cara lihat reach ig": the answer is the number
        if intent == "summary" and parsed.metric is not None:
            return "kpi"  # "laporan reach bulan ini"
        if intent == "compare" and periods_named > 1:
            return "kpi"  # "reach minggu ini vs minggu lalu": the change /kpi gives
        return intent
    if named:
        return "kpi"
    if greeted and parsed.unknown_metric is None:
        return "help"
    return "unknown"
