"""Every chat command's names, declared once.

A command's words live here and nowhere else: the parser's tables (``bot.vocabulary``:
``COMMANDS``, ``COMMAND_LANG``, ``QUERY_COMMANDS``, ``METRIC_ARG_COMMANDS``), the router's
``Command`` (its ``name``/``id_name``/``en_name``), the help list, Telegram's "/" menu and
the Slack manifest's slash commands (checked by ``tests/unit/test_command_names.py``) all
come from ``ALL``.

Adding a chat command:

1. a constant here, and in ``ALL``::

       COBA = CommandNames("coba", "coba", "try", reads="question")

2. its handler and registration in its own module, with the router's signature
   ``Command(names, role, handler, help_id, help_en, needs_link=True, quick=False)``::

       router.register(Command(names.COBA, Role.VIEWER, coba, "coba: /coba reach",
                               "try: /try reach", quick=True))

   (``from bot import command_names as names``). The old signature
   ``Command("coba", "coba", "try", role, ...)`` becomes ``Command(names.COBA, role, ...)``.
3. its ``register_*`` call in ``bot.bootstrap``;
4. its slash commands in ``adapters/chat/slack_manifest.yml`` (a test names the missing ones).

Words are lower case, normalized like ``kpi_engine.domain.metrics.normalize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: What the text after a command is: ``question`` — a question about metrics (periods,
#: metrics, channels are read from it, filler words dropped); ``metric`` — arguments typed as
#: they are that may still name a metric and a channel, but no period ("3 bulan" in
#: ``/target`` is a deadline); ``text`` — arguments kept as typed.
Reads = Literal["question", "metric", "text"]


@dataclass(frozen=True)
class CommandNames:
    """One command's words: canonical name, the Indonesian and English names users see, their
    aliases, and the words of no language (``kpi``, ``roi``, ``target``)."""

    name: str  # canonical: what the parser answers and the router registers
    id_name: str  # shown in Indonesian help and menus
    en_name: str  # shown in English help and menus
    id_aliases: tuple[str, ...] = ()  # more Indonesian words for it
    en_aliases: tuple[str, ...] = ()  # more English words for it
    #: words that show no language (``id_name``/``en_name`` may be among them); a name that
    #: is both ``id_name`` and ``en_name`` is neutral anyway
    neutral: tuple[str, ...] = ()
    reads: Reads = "text"
    #: aliases Slack also gets as slash commands (its manifest lists ``id_name``,
    #: ``en_name`` and these)
    slash_aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        aliases = set(self.id_aliases) | set(self.en_aliases)
        if not set(self.slash_aliases) <= aliases:
            raise ValueError(f"{self.name}: slash aliases must be aliases")
        if set(self.id_aliases) & set(self.en_aliases):
            raise ValueError(f"{self.name}: a word is Indonesian or English, not both")

    @property
    def words(self) -> tuple[str, ...]:
        """Every word that calls this command, each once."""
        ordered = (self.id_name, *self.id_aliases, self.en_name, *self.en_aliases,
                   *self.neutral)
        return tuple(dict.fromkeys(ordered))

    def lang(self, word: str) -> str | None:
        """``"id"``, ``"en"`` or ``None`` (neutral) for one of ``words``."""
        if word in self.neutral or (word == self.id_name == self.en_name):
            return None
        if word == self.id_name or word in self.id_aliases:
            return "id"
        if word == self.en_name or word in self.en_aliases:
            return "en"
        return None

    @property
    def slash_names(self) -> tuple[str, ...]:
        """The words offered as slash commands (Slack's manifest)."""
        return tuple(dict.fromkeys((self.id_name, self.en_name, *self.slash_aliases)))


KPI = CommandNames("kpi", "kpi", "kpi", id_aliases=("metrik",), en_aliases=("metric",),
                   reads="question", slash_aliases=("metric",))
SUMMARY = CommandNames("summary", "ringkasan", "summary", id_aliases=("rangkuman",),
                       reads="question")
CHART = CommandNames("chart", "grafik", "chart", reads="question")
COMPARE = CommandNames("compare", "bandingkan", "compare", reads="question")
GOAL = CommandNames("goal", "target", "goal", neutral=("target",), reads="metric")
RECORD = CommandNames("record", "catat", "record", reads="question")
IMPORT = CommandNames("import", "impor", "import")
ALERT = CommandNames("alert", "alert", "alert", reads="metric")
SNOOZE = CommandNames("snooze", "senyap", "snooze")
SUBSCRIBE = CommandNames("subscribe", "langganan", "subscribe")
UNSUBSCRIBE = CommandNames("unsubscribe", "berhenti", "unsubscribe")
ROI = CommandNames("roi", "roi", "roi", reads="question")
WHY = CommandNames("why", "kenapa", "why", id_aliases=("mengapa",), reads="question")
RANK = CommandNames("rank", "peringkat", "rank", id_aliases=("urutan",), neutral=("ranking",),
                    reads="question")
CONTENT = CommandNames("content", "konten", "posts", en_aliases=("content",), reads="question")
AUDIENCE = CommandNames("audience", "audiens", "audience", reads="question")
SOURCES = CommandNames("sources", "sumber", "sources")
HELP = CommandNames("help", "bantuan", "help")
START = CommandNames("start", "start", "start")
INVITE = CommandNames("invite", "undang", "invite")
JOIN = CommandNames("join", "gabung", "join")
ROLE = CommandNames("role", "peran", "role")

#: Every chat command, in the order of the parser's table.
ALL: tuple[CommandNames, ...] = (
    KPI, SUMMARY, CHART, COMPARE, GOAL, RECORD, IMPORT, ALERT, SNOOZE, SUBSCRIBE,
    UNSUBSCRIBE, ROI, WHY, RANK, CONTENT, AUDIENCE, SOURCES, HELP, START, INVITE, JOIN, ROLE,
)

BY_NAME: dict[str, CommandNames] = {c.name: c for c in ALL}
