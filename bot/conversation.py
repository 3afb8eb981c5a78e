"""The turns of a chat around a question: small talk, a clarifying question when a word is
not understood, and the memory of the last "maksud Anda …?" that a ``ya`` accepts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import t
from bot.parsing import ParsedText
from bot.reply import Reply

#: How long a chat remembers its last suggestion.
SUGGESTION_TTL = timedelta(minutes=5)
#: The most chats remembered at once (the oldest is forgotten first).
MAX_REMEMBERED = 10_000

ChatKey = tuple[str, ...]  # (platform, chat id, user id, workspace id)


class SuggestionMemory:
    """The last corrected question offered in each chat, for a few minutes. Time comes from
    the request (``now``), so ``--now`` and tests see the same expiry."""

    def __init__(self, ttl: timedelta = SUGGESTION_TTL, size: int = MAX_REMEMBERED) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[ChatKey, tuple[str, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, key: ChatKey, text: str, now: datetime) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = (text, now + self.ttl)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def peek(self, key: ChatKey, now: datetime) -> str | None:
        """The remembered question, or None when there is none or it has expired."""
        with self._lock:
            found = self._items.get(key)
            if found is not None and now > found[1]:
                del self._items[key]
                found = None
        return found[0] if found else None

    def forget(self, key: ChatKey) -> None:
        with self._lock:
            self._items.pop(key, None)


def small_talk_reply(parsed: ParsedText, lang: str) -> Reply:
    kind = parsed.smalltalk or "greeting"
    return Reply(body=[t(f"talk_{kind}", lang)], intent="smalltalk", lang=lang,
                 data={"smalltalk": kind})


def understood(parsed: ParsedText) -> dict[str, Any]:
    """What the bot read from a request it could not serve, for ``ask --json`` (the fields it
    did not read are left out, as the HTTP API's error shape has them)."""
    period = None
    if parsed.period is not None:
        cur = parsed.period.current
        period = {"label": cur.label, "start": cur.start.isoformat(),
                  "end": cur.end.isoformat()}
    found = {"metric": parsed.metric, "channel": parsed.channel, "campaign": parsed.campaign,
             "period": period, "unclear": parsed.unclear, "unclear_kind": parsed.unclear_kind,
             "suggestion": parsed.suggestion}
    return {k: v for k, v in found.items() if v is not None}  # what was read, nothing else


def clarify_reply(parsed: ParsedText, lang: str, channels: Sequence[str],
                  campaigns: Sequence[str]) -> Reply:
    """The question back: what was not understood and the closest reading."""
    word, kind = parsed.unclear or "", parsed.unclear_kind or "metric"
    if parsed.suggestion:
        shown = parsed.suggestion
        code, text = "unclear", t("unclear", lang, word=word, suggestion=shown)
    elif kind == "period":
        code, text = "unclear_period", t("unclear_period", lang, word=word)
    elif kind == "channel":
        known = ", ".join(channels) or t("no_channels", lang)
        code, text = "unclear_channel", t("unclear_channel", lang, word=word, known=known)
    elif kind == "word":  # "/kpi reach ig xyz": every slot of the command is filled
        code, text = "unclear_word", t("unclear_word", lang, word=word)
    elif kind == "number":  # "/kpi reach ig 12345"
        code, text = "unclear_number", t("unclear_number", lang, word=word)
    elif kind == "campaign":
        known = ", ".join(campaigns) or t("no_campaigns", lang)
        code, text = "unclear_campaign", t("unclear_campaign", lang, word=word, known=known)
    else:
        code, text = "unclear_metric", t("unclear_metric", lang, word=word)
    return Reply(body=[text], intent="error", error=code, lang=lang, ephemeral=True,
                 data=understood(parsed))
