"""A command's names are declared once (``bot.command_names``); the parser's tables, the
router's commands and the Slack manifest follow from them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.chat.slack import RESERVED_COMMANDS as SLACK_RESERVED
from bot import command_names as names
from bot import vocabulary
from bot.command_names import ALL, CommandNames

# The literal tables of bot/vocabulary.py before they were derived (copied once, on purpose:
# the derived tables must stay exactly these until a command is added on purpose).
OLD_COMMANDS: dict[str, str] = {
    "kpi": "kpi", "metric": "kpi", "metrik": "kpi",
    "ringkasan": "summary", "rangkuman": "summary", "summary": "summary",
    "grafik": "chart", "chart": "chart",
    "bandingkan": "compare", "compare": "compare",
    "target": "goal", "goal": "goal",
    "catat": "record", "record": "record",
    "impor": "import", "import": "import",
    "alert": "alert",
    "senyap": "snooze", "snooze": "snooze",
    "langganan": "subscribe", "subscribe": "subscribe",
    "berhenti": "unsubscribe", "unsubscribe": "unsubscribe",
    "roi": "roi",
    "bantuan": "help", "help": "help",
    "start": "start",
    "undang": "invite", "invite": "invite",
    "gabung": "join", "join": "join",
    "peran": "role", "role": "role",
}
OLD_COMMAND_LANG: dict[str, str] = {
    **{w: "id" for w in ("metrik", "ringkasan", "rangkuman", "grafik", "bandingkan", "catat",
                         "impor", "senyap", "langganan", "berhenti", "bantuan", "undang",
                         "gabung", "peran")},
    **{w: "en" for w in ("metric", "summary", "chart", "compare", "goal", "record", "import",
                         "snooze", "subscribe", "unsubscribe", "help", "invite", "join",
                         "role")},
}
OLD_QUERY_COMMANDS = frozenset({"kpi", "summary", "chart", "compare", "record", "roi"})
OLD_METRIC_ARG_COMMANDS = frozenset({"goal", "alert"})
#: (canonical, id_name, en_name) of every ``Command(...)`` registered before the change.
OLD_ROUTER_NAMES = {
    ("kpi", "kpi", "kpi"), ("summary", "ringkasan", "summary"), ("chart", "grafik", "chart"),
    ("compare", "bandingkan", "compare"), ("goal", "target", "goal"),
    ("record", "catat", "record"), ("import", "impor", "import"), ("alert", "alert", "alert"),
    ("snooze", "senyap", "snooze"), ("subscribe", "langganan", "subscribe"),
    ("unsubscribe", "berhenti", "unsubscribe"), ("roi", "roi", "roi"),
    ("help", "bantuan", "help"), ("start", "start", "start"), ("invite", "undang", "invite"),
    ("join", "gabung", "join"), ("role", "peran", "role"),
}

MANIFEST = Path(__file__).resolve().parents[2] / "adapters" / "chat" / "slack_manifest.yml"


def test_derived_tables_equal_the_old_literal_ones() -> None:
    # restricted to the commands of then, so a command added later needs no edit here
    old = {name for name, _, _ in OLD_ROUTER_NAMES}
    assert {w: c for w, c in vocabulary.COMMANDS.items() if c in old} == OLD_COMMANDS
    assert {w: lang for w, lang in vocabulary.COMMAND_LANG.items()
            if vocabulary.COMMANDS[w] in old} == OLD_COMMAND_LANG
    assert vocabulary.QUERY_COMMANDS & old == OLD_QUERY_COMMANDS
    assert vocabulary.METRIC_ARG_COMMANDS & old == OLD_METRIC_ARG_COMMANDS
    assert {(c.name, c.id_name, c.en_name) for c in ALL if c.name in old} == OLD_ROUTER_NAMES
    assert {c.name for c in ALL} >= old  # no command went away
    assert set(vocabulary.COMMAND_LANG) <= set(vocabulary.COMMANDS)


def test_no_command_word_is_a_filler() -> None:
    # a filler is dropped from sentences ("coba lihat reach"): as a command word it would
    # turn such a sentence into that command
    clash = {w for c in ALL for w in c.words} & (vocabulary.FILLERS | vocabulary.GREETINGS)
    assert not clash, f"command words that are fillers or greetings: {sorted(clash)}"


def test_every_name_is_declared_once() -> None:
    assert len({c.name for c in ALL}) == len(ALL)
    words = [w for c in ALL for w in c.words]
    assert len(words) == len(set(words)), "a word calls two commands"
    for c in ALL:
        assert all(w == w.strip().lower() and w for w in c.words)
        assert getattr(names, c.name.upper()) is c  # one constant per command
    assert {c.name: c for c in ALL} == names.BY_NAME


def test_languages_and_neutral_words() -> None:
    assert names.GOAL.lang("target") is None and names.GOAL.lang("goal") == "en"
    assert names.KPI.lang("kpi") is None and names.KPI.lang("metrik") == "id"
    assert names.KPI.lang("metric") == "en" and names.SUMMARY.lang("rangkuman") == "id"
    assert names.START.lang("start") is None


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(ValueError):
        CommandNames("x", "x", "x", slash_aliases=("y",))
    with pytest.raises(ValueError):
        CommandNames("x", "ex", "ix", id_aliases=("w",), en_aliases=("w",))


def test_slack_manifest_lists_exactly_the_slash_names_of_all() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    listed = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert len(listed) == len(set(listed))
    wanted = {f"/{w}" for c in ALL for w in c.slash_names if w not in SLACK_RESERVED}
    missing, extra = wanted - set(listed), set(listed) - wanted
    assert not missing, f"add to adapters/chat/slack_manifest.yml: {sorted(missing)}"
    assert not extra, f"not a command in bot/command_names.py: {sorted(extra)}"
