"""What the outbox dispatcher needs to know of a chat platform, as bot/ defines it.

The dispatcher names no platform: each chat platform (``adapters/chat/``) brings a
``DeliveryPolicy`` (its rate limits and how to read its errors), and the composition root
(``adapters/http/server.py`` through the platform registry) hands them to the dispatcher.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple, Protocol

from bot.reply import Reply


class Sender(Protocol):
    """What the dispatcher needs of a platform to deliver: its name and ``send``.

    A platform may also define ``caption_fits(reply) -> bool``: True when a reply with a
    chart goes out as one message (the picture with the text and buttons); without it, an
    alert's chart goes first and its text after."""

    name: str

    async def send(self, chat_id: str, reply: Reply) -> None: ...


@dataclass(frozen=True)
class Limits:
    per_second: float | None  # all chats together; None: no overall limit
    chat_interval: float  # seconds between two messages to one chat
    group_per_minute: int | None = None  # groups (chat ids that start with "-")


class SendWindow:
    """The sends to one platform that count for its overall rate now: each from its start
    until a second after its answer (the platform counts a message when the request arrives,
    some time between the two). Shared by the outbox's ``Pacer`` and the platform's replies
    to chats (``Sender.send_window``): the platform's limit is for all the bot's messages
    (about 30/s on the largest one), so the outbox holds back while chats are being answered.

    The outbox's own sends mark themselves (``outbox_sending``): the platform records only
    the others (replies), the Pacer records its sends itself, before they start."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: deque[list[float]] = deque()

    def started(self) -> list[float]:
        """A send starts now; pass what it returns to ``finished`` when it is answered."""
        entry = [self.clock()]
        self._entries.append(entry)
        return entry

    def finished(self, entry: list[float]) -> None:
        entry[0] = max(entry[0], self.clock())

    def counted(self) -> list[float]:
        """The times of the sends that count now (started or answered in the last second)."""
        now = self.clock()
        while self._entries and self._entries[0][0] <= now - 1.0:
            self._entries.popleft()  # (an entry moved later by ``finished`` stays a bit)
        return [e[0] for e in self._entries if e[0] > now - 1.0]


#: Set (True) while the outbox dispatcher sends: the platform does not count those sends
#: in its ``SendWindow`` again (the ``Pacer`` counted them).
outbox_sending: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "kpibot_outbox_sending", default=False)


#: A platform that brings no limits of its own.
DEFAULT_LIMITS = Limits(per_second=10.0, chat_interval=1.05)


class Failure(NamedTuple):
    """How a failed send reads: wait ``retry_after`` seconds (a rate limit), or ``permanent``
    (no retry will fix it: the chat is gone, the bot was removed or blocked)."""

    retry_after: float | None
    permanent: bool


class DeliveryPolicy(Protocol):
    """A chat platform's delivery rules."""

    @property
    def limits(self) -> Limits: ...

    def classify(self, exc: BaseException) -> Failure: ...


def retry_after_of(exc: BaseException) -> float | None:
    """The seconds a rate-limit error asks to wait: a ``retry_after`` attribute (seconds or a
    timedelta), or an HTTP 429 response's ``Retry-After`` header; else ``None``."""
    raw = getattr(exc, "_retry_after", None)
    if raw is None:
        raw = getattr(exc, "retry_after", None)
    if isinstance(raw, timedelta):
        return raw.total_seconds()
    if isinstance(raw, (int, float)):
        return float(raw)
    response = getattr(exc, "response", None)
    if response is not None and getattr(response, "status_code", None) == 429:
        headers = getattr(response, "headers", None) or {}
        with contextlib.suppress(TypeError, ValueError):
            return float(headers.get("Retry-After") or headers.get("retry-after") or 1)
        return 1.0
    return None


@dataclass(frozen=True)
class GenericPolicy:
    """For a platform without a policy: default limits; only rate limits are recognised,
    every other failure is retried (then parked after N attempts)."""

    limits: Limits = DEFAULT_LIMITS

    def classify(self, exc: BaseException) -> Failure:
        return Failure(retry_after_of(exc), False)
