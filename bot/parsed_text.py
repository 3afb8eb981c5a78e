"""What a chat message asks for (``ParsedText``), as ``bot.parsing.parse_text`` reads it; in a
module of its own so the readers of its parts (``bot.channel_names``, ``bot.unclear``) need
no import of the parser."""

from __future__ import annotations

from dataclasses import dataclass, field

from kpi_engine.domain.periods import PeriodError, PeriodQuery


@dataclass
class ParsedText:
    """What a chat message asks for; see the module docstring for how it is read."""

    command: str  # canonical command, "unknown" (an unknown /command) or "empty"
    command_word: str | None = None  # as typed, lower case, without "/" and "@botname"
    lang: str | None = None  # "id" / "en" when the text shows it
    metric: str | None = None  # a catalogue key
    unknown_metric: str | None = None  # a word in metric position that is no metric
    suggestion: str | None = None  # the metric key closest to unknown_metric
    channel: str | None = None  # "instagram", "instagram:@kopirival", a custom channel
    unknown_channel: str | None = None  # "snapchat", "@someone": looks like a channel, isn't
    period: PeriodQuery | None = None  # None: no period named (the caller's default applies)
    period_error: PeriodError | None = None
    campaign: str | None = None
    chart: bool = False
    args: list[str] = field(default_factory=list)
    smalltalk: str | None = None  # "thanks", "greeting", "about" (command "smalltalk")
    channels: list[str] = field(default_factory=list)  # two or more, side by side
    campaigns: list[str] = field(default_factory=list)  # two or more, side by side
    competitors: bool = False  # "pesaing", "kompetitor", "competitors" named
    unclear: str | None = None  # words not understood that look like a slot, as typed
    unclear_kind: str | None = None  # "period", "channel", "campaign", "metric", "number",
    # "rank" (a ranking key word: "knal"), "word" (a slash command's extra word)
    rank_by: str | None = None  # "which is best" by "channel", "campaign" or "day"
    #: how a ranking is ordered: "best" (the metric's better direction first), "worst",
    #: "high" (the largest value first: "tertinggi", "most"), "low" ("terendah", "termurah")
    rank_dir: str | None = None
    top: int | None = None  # "top 3", "5 kanal terbaik": how many rows a ranking shows
    text: str | None = None  # the text a handler reads when it differs from the message
    corrected: str | None = None  # the message with ``unclear`` replaced by ``suggestion``
    #: the change a "kenapa … turun?" question assumes: "down", "up", None when it names none
    asked_change: str | None = None
