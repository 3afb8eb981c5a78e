"""The shape of a chat question, read before its words: a breakdown ("per kanal"), a "which
is best" question ("kampanye mana yang paling untung"), "naik atau turun", follower growth,
a command in the middle of a message, and the sentences that ask for alerts or a digest.

Each reader takes the text and returns what it found and the text with that phrase blanked
out (same length, so later spans stay valid)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.understanding import normalize
from bot.vocabulary import COMMANDS

_I = re.IGNORECASE

#: A ``/command`` after other words: "eh salah, /catat instagram followers 42.344 kemarin".
_INNER_COMMAND = re.compile(r"(?:^|(?<=[\s,.;:!?]))/(?P<word>[a-z]+)(?:@\w+)?(?=\s|$)", _I)

#: "per kanal", "tiap channel", "masing-masing kanal", "by channel": the per-channel breakdown.
_BY_CHANNEL = re.compile(
    r"(?<!\w)(?:per|tiap|setiap|masing[\s-]*masing|by|each|breakdown|rincian)\s+"
    r"(?:kanal|channel|channels|platform|platforms|sosmed|akun|medsos)(?!\w)", _I)
#: "per kampanye", "by campaign": the per-campaign breakdown (/roi).
_BY_CAMPAIGN = re.compile(
    r"(?<!\w)(?:per|tiap|setiap|masing[\s-]*masing|by|each)\s+(?:kampanye|campaign|campaigns)"
    r"(?!\w)", _I)
#: "per hari", "tiap hari", "by day": the daily series (a chart; /peringkat ranks the days).
#: "per hari ini" is today, and "hari minggu" after "per" is no Sunday: "per hari minggu
#: lalu" is the days of last week.
_BY_DAY = re.compile(
    r"(?<!\w)(?:per|tiap|setiap|by|each)\s+(?:hari|day)"
    r"(?!\s+(?:ini|terakhir|lalu|kemarin|kmrn|sebelumnya|ago|before))(?!\w)", _I)

_BEST = (r"(?:paling|ter(?:baik|tinggi|banyak|besar|rendah|buruk|sedikit|kecil|laris|untung"
         r"|murah|mahal|jelek|bawah)|best|top|highest|lowest|worst|most|least|fewest|cheapest"
         r"|biggest|largest|smallest|juara|unggul|menang)")
#: How many rows: "top 3", "3 teratas" (counted apart by ``top_n``).
_N = r"(?:\d{1,9}\s+)?"
#: up to two words (a metric) between "kanal dengan" and "tertinggi": "kanal dengan
#: engagement tertinggi", "campaign with the most conversions"
def _between(name: str) -> str:
    """The words in between, kept (a named group ``take_ranking`` does not blank)."""
    return rf"(?P<{name}>(?:[\w-]+\s+){{0,2}}?)"
#: "lowest ctr channel", "highest reach day": an English superlative, a metric, the key word.
def _value_first(name: str) -> str:
    return (r"(?:lowest|highest|best|worst|top|most|least|fewest|cheapest|biggest)\s+"
            rf"(?P<{name}>(?:[\w-]+\s+){{1,2}}?)")
_CHANNEL_WORD = r"(?:kanal|channels?|platforms?|sosmed|medsos|akun)"
_CAMPAIGN_WORD = r"(?:kampanye|campaigns?|kampanya)"
#: "kanal mana / channel apa / which channel … paling …", "worst performing channel",
#: "channel with the most …": a ranking of channels.
_RANK_CHANNEL = re.compile(
    r"(?<!\w)(?:(?:kanal|channel|platform|sosmed|medsos|akun)\s+(?:mana|apa)(?:\s+(?:yang|yg))?"
    r"|which\s+(?:channel|platform)s?|(?:kanal|channel|platform)\s+" + _BEST +
    r"|" + _BEST + r"\s+" + _N + r"(?:performing\s+)?" + _CHANNEL_WORD +
    r"|" + _CHANNEL_WORD + r"\s+(?:with|that\s+(?:has|had)|dengan|dgn)\s+(?:the\s+)?"
    + _between("mid1") + _BEST + r"|" + _value_first("mid2") + _CHANNEL_WORD + r")(?!\w)", _I)
_RANK_CAMPAIGN = re.compile(
    r"(?<!\w)(?:(?:kampanye|campaign|kampanya)\s+(?:mana|apa)(?:\s+(?:yang|yg))?"
    r"|which\s+campaigns?|(?:kampanye|campaign)\s+" + _BEST +
    r"|" + _BEST + r"\s+" + _N + r"(?:performing\s+)?" + _CAMPAIGN_WORD +
    r"|" + _CAMPAIGN_WORD + r"\s+(?:with|that\s+(?:has|had)|dengan|dgn)\s+(?:the\s+)?"
    + _between("mid1") + _BEST + r"|" + _value_first("mid2") + _CAMPAIGN_WORD + r")(?!\w)",
    _I)
_RANK_DAY = re.compile(
    r"(?<!\w)(?:hari\s+(?:apa|mana)(?:\s+(?:yang|yg))?|which\s+days?"
    r"|(?:top|best|worst)\s+\d{1,9}\s+(?:hari|days?)|\d{1,9}\s+(?:hari|days?)\s+" + _BEST +
    r"|hari\s+" + _BEST + r"|(?:best|top|worst)\s+days?"
    r"|days?\s+(?:with|when)\s+(?:the\s+)?" + _between("mid1") + _BEST
    + r"|hari\s+(?:dengan|dgn)\s+" + _between("mid2") + _BEST + r"|" + _value_first("mid3")
    + r"days?"
    r")(?!\w)", _I)
#: Words that only say "the best": understood, never an unknown word.
BEST_WORDS = frozenset({
    "paling", "terbaik", "tertinggi", "terbanyak", "terbesar", "terendah", "terburuk",
    "tersedikit", "terkecil", "terlaris", "best", "top", "highest", "lowest", "worst", "most",
    "juara", "unggul", "menang", "bagus", "tinggi", "rendah", "banyak", "gede", "besar",
    "mana", "which", "teratas",
})
#: Profit words: "kampanye mana yang paling untung" asks for ROI.
PROFIT_WORDS = frozenset({"untung", "menguntungkan", "profit", "profitable", "cuan",
                          "keuntungan", "laba", "balik modal"})

#: "naik atau turun", "naik ato turun", "naik/turun", "up or down": the change of the period.
_TREND = re.compile(
    r"(?<!\w)(?:(?:naik|turun)\s*(?:atau|apa|/|ato|or|\s)\s*(?:naik|turun)"
    r"|(?:up|down)\s+or\s+(?:up|down)|naik\s+turun(?:nya)?)(?!\w)", _I)
#: Words before a single period that make it the period compared *with*.
_AGAINST = re.compile(
    r"(?:dibanding(?:kan)?|dibandingin|banding|bandingkan|vs\.?|versus|compared\s+(?:to|with)"
    r"|than|daripada|drpd|ketimbang|against|from)\s*(?:(?:dengan|dgn|sama|to|with)\s+)?$", _I)
#: Growth words: with followers (or alone) they ask for follower growth.
GROWTH_WORDS = frozenset({
    "growth", "pertumbuhan", "naik", "kenaikan", "bertambah", "tambah", "nambah", "penambahan",
    "gain", "gained", "grow", "grew", "tumbuh", "bertumbuh", "naiknya", "increase",
    "tambahan", "new",
})
RATE_WORDS = frozenset({"persen", "%", "rate", "laju", "persentase", "percent", "percentage",
                        "pct"})

_ALERT = re.compile(r"(?<!\w)(?:alert|alerts|peringatan|notifikasi|notif|alarm)(?:nya)?(?!\w)",
                    _I)
_DIGEST = re.compile(
    r"(?<!\w)(?:digest|langganan|berlangganan|subscribe|subscription|laporan\s+(?:harian"
    r"|mingguan)|ringkasan\s+(?:harian|mingguan)|(?:daily|weekly)\s+(?:report|digest))(?!\w)",
    _I)
_DIGEST_KIND = re.compile(r"(?<!\w)(harian|mingguan|daily|weekly|tiap\s+hari|setiap\s+hari"
                          r"|tiap\s+minggu|setiap\s+minggu)(?!\w)", _I)
_CLOCK = re.compile(r"(?<![\w.:])(?:(?:jam|pukul|pkl|at)\s+)?(\d{1,2})(?:[:.](\d{2}))?"
                    r"(?:\s*(?:pagi|wib|am))?(?![\w.:])", _I)


def blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def inner_command(text: str) -> str | None:
    """The ``/command …`` part of a message that starts with other words, or None."""
    if text.lstrip().startswith("/"):
        return None
    for match in _INNER_COMMAND.finditer(text):
        if match["word"].lower() in COMMANDS:
            return text[match.start():].strip()
    return None


def take_breakdown(text: str) -> tuple[str | None, str]:
    """``"channel"`` for "per kanal", ``"campaign"`` for "per kampanye", ``"day"`` for "per
    hari"; the text without it."""
    for by, pattern in (("channel", _BY_CHANNEL), ("campaign", _BY_CAMPAIGN),
                        ("day", _BY_DAY)):
        match = pattern.search(text)
        if match:
            return by, blank(text, match.start(), match.end())
    return None, text


def take_ranking(text: str) -> tuple[str | None, str]:
    """What a "which is best" question ranks (``channel``, ``campaign``, ``day``)."""
    for by, pattern in (("day", _RANK_DAY), ("campaign", _RANK_CAMPAIGN),
                        ("channel", _RANK_CHANNEL)):
        match = pattern.search(text)
        if match:
            kept = [match.span(g) for g in ("mid1", "mid2", "mid3")
                    if g in pattern.groupindex and match.group(g)]
            start, end = kept[0] if kept else (match.end(), match.end())
            return by, blank(blank(text, match.start(), start), end, match.end())
    return None, text


#: A ranking command's own words for what it ranks: ``/peringkat reach kanal``, ``/rank roi
#: campaign``, ``/peringkat reach hari`` ("hari" of "hari ini" or "30 hari" is a period).
_BY_WORD = (
    ("day", re.compile(r"(?<![\w\d])(?<!\d )(?:per\s+)?(?:hari|harian|days?|daily)"
                       r"(?!\s+(?:ini|terakhir|lalu|kemarin|kmrn|ago|before))(?![\w])", _I)),
    ("campaign", re.compile(r"(?<!\w)(?:per\s+)?(?:kampanye|campaigns?|kampanya)(?!\w)", _I)),
    ("channel", re.compile(r"(?<!\w)(?:per\s+)?(?:kanal|channels?|platforms?)(?!\w)", _I)),
)


def take_rank_key(text: str, campaigns: Sequence[str] = ()) -> tuple[str | None, str]:
    """What ``/peringkat`` ranks when it says so with a bare word (``kanal``, ``kampanye``,
    ``hari``); "kampanye ramadan" names a campaign (a filter), not what is ranked."""
    names = [normalize(c) for c in campaigns]
    for by, pattern in _BY_WORD:
        for match in pattern.finditer(text):
            after = normalize(text[match.end():]).strip()
            if by == "campaign" and any(n and (after == n or after.startswith(n + " "))
                                        for n in names):
                continue  # "kampanye ramadan": that campaign
            return by, blank(text, match.start(), match.end())
    return None, text


_TOP = re.compile(
    r"(?<!\w)(?:top|teratas|best|worst|terbaik|terburuk|bottom)\s*(\d{1,9})(?![\w.,%])"
    r"|(?<![\w.,])(\d{1,9})\s+(?:(?:hari|days?|kanal|channels?|platforms?|kampanye|campaigns?)"
    r"\s+)?(?:teratas|terbaik|terburuk|tertinggi|terendah|terbawah|top|best|worst)(?!\w)", _I)


def top_n(text: str) -> tuple[int, int, int] | None:
    """How many rows a ranking asks for ("top 3", "3 kanal terbaik", "5 hari terendah"), and
    where those words are (start, end)."""
    match = _TOP.search(text)
    if match is None:
        return None
    return int(match.group(1) or match.group(2)), match.start(), match.end()


#: The direction words of a ranking, by what they ask: "worst" reverses the metric's better
#: direction; "high" and "low" name the values themselves ("cpc paling murah": the lowest).
_DIRECTIONS = (
    ("worst", r"terburuk|terjelek|paling\s+(?:buruk|jelek)|worst|jelek|buruk|bottom|terbawah"
              r"|underperform\w*"),
    ("low", r"terendah|paling\s+(?:rendah|sedikit|dikit|kecil|murah|sepi|hemat)|tersedikit"
            r"|terkecil|termurah|tersepi|terhemat|lowest|least|fewest|smallest|cheapest|murah"),
    ("high", r"tertinggi|paling\s+(?:tinggi|banyak|besar|gede|mahal|rame|ramai|boros)"
             r"|terbanyak|terbesar|termahal|terboros|highest|most|biggest|largest|mahal"),
)
_DIRECTION = re.compile("|".join(f"(?P<{name}>(?<!\\w)(?:{words})(?!\\w))"
                                 for name, words in _DIRECTIONS), _I)


def rank_direction(text: str) -> str:
    """``best`` unless the text asks for the worst, or names high or low values first."""
    match = _DIRECTION.search(text)
    return match.lastgroup if match and match.lastgroup else "best"


def take_trend(text: str) -> tuple[bool, str]:
    match = _TREND.search(text)
    if match is None:
        return False, text
    return True, blank(text, match.start(), match.end())


def compared_with(text: str, start: int) -> bool:
    """Does the period phrase at ``start`` follow "dibanding" / "vs" / "compared to"…?"""
    return _AGAINST.search(text[:start].rstrip()) is not None


_THIS_OF = (
    (re.compile(r"minggu|pekan", _I), "minggu ini", "this week"),
    (re.compile(r"\bweek", _I), "minggu ini", "this week"),
    (re.compile(r"bulan|month", _I), "bulan ini", "this month"),
    (re.compile(r"kuartal|kwartal|triwulan|quarter", _I), "kuartal ini", "this quarter"),
    (re.compile(r"tahun|year", _I), "tahun ini", "this year"),
    (re.compile(r"kemarin|yesterday", _I), "hari ini", "today"),
)
_RELATIVE_PAST = re.compile(r"lalu|kemarin|sebelumnya|last|previous|prior|yesterday", _I)


def this_counterpart(phrase: str, lang: str) -> str | None:
    """"bulan lalu" → "bulan ini": the current period a "dibanding bulan lalu" asks about."""
    if not _RELATIVE_PAST.search(phrase) or re.search(r"\d", phrase):
        return None
    for pattern, id_, en in _THIS_OF:
        if pattern.search(phrase):
            return en if lang == "en" else id_
    return None


#: "tolong bikin alert kalau er ig di bawah 2%", "create an alert when reach drops 30%": a
#: request to add an alert rule, whatever else the sentence names.
_ALERT_REQUEST = re.compile(
    r"^\s*(?:(?:tolong|please|pls|plis|mohon|coba|bot)[\s,]+)?"
    r"(?:buat|buatkan|bikin|bikinin|pasang|pasangkan|tambah|tambahkan|set|setup|add|create|"
    r"make)\s+(?:(?:an?|sebuah|satu)\s+)?(?:alert|peringatan|notifikasi|notif|alarm)(?:nya)?"
    r"(?!\w)[\s,:]*(?P<rest>.*)$", _I | re.S)


def alert_request(text: str) -> str | None:
    """``/alert …`` for a sentence that asks to add an alert rule, or None."""
    match = _ALERT_REQUEST.match(text)
    if match is None:
        return None
    rest = _PARTICLES.sub(" ", match["rest"]).strip(" ,.!?")
    return "/alert " + rest if rest else None  # "bikin alert dong": the sentence's own reading


_PARTICLES = re.compile(r"(?<!\w)(?:dong|donk|ya|yah|sih|deh|please|pls|plis|nih|ok|oke)(?!\w)",
                        _I)


def asks_alerts(text: str) -> bool:
    return _ALERT.search(text) is not None


def digest_request(text: str) -> str | None:
    """``/langganan harian 08:00`` for "tolong kasih digest harian jam 8", or None."""
    if _DIGEST.search(text) is None:
        return None
    kind = _DIGEST_KIND.search(text)
    if kind is None:
        return "/langganan"
    word = kind.group(1).lower()
    daily = word in ("harian", "daily") or "hari" in word
    out = "/langganan " + ("harian" if daily else "mingguan")
    rest = text[kind.end():] + " " + text[:kind.start()]
    for clock in _CLOCK.finditer(rest):
        hour = int(clock.group(1))
        if 0 <= hour <= 23 and (clock.group(2) or re.match(r"\s*(?:jam|pukul|pkl|at)",
                                                          clock.group(0), _I)):
            out += f" {hour:02d}:{clock.group(2) or '00'}"
            break
    return out


#: Format words of posts (SPEC §11): two of them side by side ask for engagement by format.
_FORMAT_WORD = r"(?:reels?|feeds?|carousels?|karosel|story|stories|video|videos|shorts?)"
_FORMATS_VS = re.compile(rf"(?<!\w){_FORMAT_WORD}\s+(?:vs\.?|versus|atau|or|lawan|dan|and|&)\s+"
                         rf"{_FORMAT_WORD}(?!\w)", _I)
_BY_FORMAT = re.compile(r"(?<!\w)(?:per|tiap|by|each)\s+format(?!\w)|(?<!\w)format\s+"
                        r"(?:apa|mana|terbaik|paling|yang\s+paling|konten|postingan|post)"
                        r"|(?<!\w)(?:best|top|which)\s+(?:post\s+)?format", _I)
#: "jam posting terbaik", "waktu terbaik untuk posting", "best time to post".
_POSTING_TIME = re.compile(
    r"(?<!\w)(?:jam|waktu|hari\s+dan\s+jam)\s+(?:posting|post|upload|unggah|ngepost|"
    r"ngepos)|(?<!\w)(?:jam|waktu)\s+(?:terbaik|paling\s+bagus)\s+(?:untuk|buat|utk)\s+"
    r"(?:posting|post|upload)|(?<!\w)(?:best|top)\s+(?:time|times|hour|hours)\s+(?:to\s+)?"
    r"(?:post|posting|publish)|(?<!\w)posting\s+(?:time|times|hour|hours)", _I)
#: "hashtag terbaik bulan ini", "best hashtags", "tagar apa yang paling bagus".
_HASHTAGS = re.compile(r"(?<!\w)(?:hashtags?|tagar|tagline\s+hashtag)(?!\w)", _I)


def content_view(text: str) -> str | None:
    """Which view of the posts a sentence asks for: ``format`` ("reel vs feed", "per
    format"), ``time`` ("jam posting terbaik"), ``hashtag`` ("hashtag terbaik"), or None."""
    if _POSTING_TIME.search(text):
        return "time"
    if _HASHTAGS.search(text):
        return "hashtag"
    if _FORMATS_VS.search(text) or _BY_FORMAT.search(text):
        return "format"
    return None


_FORMAT_CANON = {"reel": "reel", "reels": "reel", "feed": "feed", "feeds": "feed",
                 "carousel": "carousel", "carousels": "carousel", "karosel": "carousel",
                 "story": "story", "stories": "story", "video": "video", "videos": "video",
                 "short": "short", "shorts": "short"}


def formats_named(text: str) -> list[str]:
    """The post formats a sentence names ("reel vs feed" → reel, feed), in order."""
    found: list[str] = []
    for word in re.findall(r"\w+", text.lower()):
        canon = _FORMAT_CANON.get(word)
        if canon and canon not in found:
            found.append(canon)
    return found


#: The words of a fall and of a rise in a "kenapa … turun?" / "why did … rise" question.
_FALL = re.compile(
    r"(?<!\w)(?:turun(?:nya)?|menurun|nurun|anjlok|merosot|jatuh|ambles|berkurang|drop(?:ped|s|"
    r"ping)?|fall(?:s|ing)?|fell|declin(?:e|ed|es|ing)|down|decrease[ds]?|decreasing)(?!\w)", _I)
_RISE = re.compile(
    r"(?<!\w)(?:naik(?:nya)?|meningkat|ningkat|melonjak|melejit|bertambah|nambah|ris(?:e|es|"
    r"ing)|rose|up|gr[eo]w(?:s|ing|n)?|increase[ds]?|increasing|jump(?:ed|s)?|spike[ds]?)(?!\w)",
    _I)


def asked_change(text: str) -> str | None:
    """The change a why-question takes for granted: "down" ("kenapa reach turun"), "up"
    ("why did reach rise"), None when it names neither or both."""
    fall, rise = bool(_FALL.search(text)), bool(_RISE.search(text))
    if fall == rise:
        return None
    return "down" if fall else "up"


#: "awal bulan", "pertengahan tahun lalu", "end of the month": part of a calendar unit, which
#: no rule of SPEC §4 reads ("akhir pekan" is the weekend: a period of its own).
_PART_OF_UNIT = re.compile(
    r"(?<!\w)(?:(?:awal|pertengahan|tengah|akhir)\s+(?:bulan|tahun|kuartal|triwulan)"
    r"|(?:awal|pertengahan|tengah)\s+(?:minggu|pekan)"
    r"|(?:the\s+)?(?:start|beginning|middle|mid|end)\s+of\s+(?:the\s+|last\s+|this\s+)?"
    r"(?:month|year|quarter|week))"
    r"(?:\s+(?:ini|lalu|kemarin|kemaren|depan|this|last))?(?!\w)", _I)


def part_of_unit(text: str) -> tuple[str, str] | None:
    """("awal bulan", the text without it) when a request names part of a month, year,
    quarter or week: a period the bot asks about rather than guesses."""
    match = _PART_OF_UNIT.search(text)
    if match is None:
        return None
    return match.group().lower(), blank(text, match.start(), match.end())
