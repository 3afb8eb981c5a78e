"""The pieces a chat message is cut into while it is read (``bot.parsing``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Token:
    raw: str  # as typed
    clean: str  # surrounding punctuation stripped
    words: list[str]  # normalized words
    used: bool = False  # read: by a phrase, as a filler, as an unknown word...
    extra: bool = False  # a second metric or channel: kept as an argument


@dataclass(frozen=True)
class Hit:
    kind: str  # "metric", "platform", "channel", "campaign", "intent", "greeting"
    value: str
    phrase: str  # normalized, as matched
    tokens: list[Token]  # the tokens it took
