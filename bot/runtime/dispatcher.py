"""The outbox dispatcher: sends queued alerts and digests through each chat's platform
(a ``Sender``), within that platform's limits. It names no platform: each one's limits and
the reading of its errors come as a ``DeliveryPolicy`` (``bot/runtime/delivery.py``), given
by the composition root from the platform registry (``adapters/chat/platform.py``).

- Claims due rows (``kpi_engine.storage.outbox.claim``: at most one per chat, in queue order), paces
  them by the platform's ``Limits``, sends, and marks each sent right after the platform
  accepted it.
- A rate limit waits its ``retry_after`` (the chat is paused that long, the row retried after
  it); other failures back off; after N failures, or a permanent refusal (the bot was
  removed), the row is parked and the workspace's admins are told (``outbox.fail``).
- At start it puts back rows a killed dispatcher left ``sending`` (``outbox.release``); just
  before each send it checks the row is still its own (``outbox.still_claimed``: a new
  leader may have put it back). Its outbox reads and writes run on threads of their own, so
  a mark-sent follows the platform's answer at once (the double-send window stays one
  round trip).
- Only one dispatcher runs per database: the scheduler's leader (``bot/runtime/scheduler.py``).
- An alert with a chart spec (a drop alert) gets its chart drawn here, at delivery, by the
  ``charts`` hook in a worker thread: one message (the picture with the text as its caption)
  when the platform says the text fits (``Sender.caption_fits``), else the picture, then the
  text with the buttons; the picture is recorded as sent (``outbox.mark_chart_sent``) before
  the text goes, so a retry (a failed text, a crash) does not post it twice. A chart that
  cannot be drawn never holds the alert back: the text goes alone and the failure is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.i18n import translate
from bot.reply import Reply, alert_buttons
from bot.runtime.delivery import (
    DeliveryPolicy,
    GenericPolicy,
    Limits,
    Sender,
    SendWindow,
    outbox_sending,
)
from bot.runtime.supervision import JobHealth
from kpi_engine.services import delivery as outbox
from kpi_engine.services.delivery import Claimed

log = logging.getLogger(__name__)

#: Draws an alert's chart: (workspace id, chart spec, language) → PNG (``bot/alert_charts``).
DrawChart = Callable[[int, str, str], bytes]
#: How long a chart may take to draw before the alert goes without it.
CHART_TIMEOUT = 30.0

MESSAGES: dict[str, tuple[str, str]] = {
    "parked_title": ("⚠️ Pesan tidak terkirim", "⚠️ A message could not be delivered"),
    "parked_body": (
        "{kind} untuk {platform} chat {chat} gagal terkirim setelah {n} percobaan "
        "({error}). Periksa apakah bot masih ada di chat itu dan boleh mengirim pesan.",
        "The {kind} for {platform} chat {chat} failed after {n} attempts ({error}). Check "
        "that the bot is still in that chat and may post there."),
    "alert": ("Alert", "An alert"),
    "digest": ("Ringkasan", "A digest"),
    "notice": ("Pemberitahuan", "A notice"),
}

@dataclass
class Pacer:
    """Reserves send times: evenly spaced under the overall rate, a chat's messages at least
    ``chat_interval`` apart, at most N per minute per group. Monotonic seconds.

    ``window``: the sends that count for the overall rate (``SendWindow``); the platform's
    own window when it has one (``Sender.send_window``: its replies to chats count too)."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    window: SendWindow | None = None
    _next: float = 0.0
    _chats: dict[str, float] = field(default_factory=dict)
    _groups: dict[str, deque[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.window is None:
            self.window = SendWindow(self.clock)

    def reserve(self, chat_id: str) -> float:
        now = self.clock()
        at = max(now, self._chats.get(chat_id, now))
        if self.limits.per_second:
            at = max(at, self._next)
            self._next = at + 1.0 / self.limits.per_second
        group = None
        if self.limits.group_per_minute and chat_id.startswith("-"):
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= at - 60.0:
                group.popleft()
            if len(group) >= self.limits.group_per_minute:
                at = max(at, group[0] + 60.0)
            group.append(at)
        self._chats[chat_id] = at + self.limits.chat_interval
        if len(self._chats) > 50_000:
            self._chats = {c: t for c, t in self._chats.items() if t > now}
        return at

    def wait_before_send(self) -> float:
        """Seconds to wait before a send may start, by the sends that actually started in the
        last second. ``reserve`` plans evenly spaced slots; when the machine stalls, several
        slots pass at once and their sends would go out together, a burst over the platform's
        overall limit (measured: 294 × 429 in the 1,000-chat fan-out on a loaded machine). So
        a send also waits while the last second already holds ``per_second`` (rounded down)
        sends: the outbox's and, through the platform's ``SendWindow``, its replies to chats.
        0 when it may start now; the caller records the start with ``started``.

        A send counts from its start until a second after its answer (``finished``): the
        platform counts it when the request arrives, some time between the two. Counted from
        its start only, sends slowed on the way (a busy event loop, a loaded machine) arrive
        bunched: measured, 4 × 429 in a 60-digest burst on PostgreSQL (issue 18)."""
        if not self.limits.per_second:
            return 0.0
        assert self.window is not None
        counted = self.window.counted()
        if len(counted) < max(1, int(self.limits.per_second)):
            return 0.0
        return max(0.001, min(counted) + 1.0 - self.clock())

    def started(self) -> list[float]:
        """A send starts now (see ``wait_before_send``); pass what it returns to
        ``finished`` when the platform has answered."""
        if not self.limits.per_second:
            return [self.clock()]
        assert self.window is not None
        return self.window.started()

    def finished(self, entry: list[float]) -> None:
        """The send ``started`` returned ``entry`` for was answered now: it counts for the
        overall limit until a second from now."""
        entry[0] = max(entry[0], self.clock())

    def sent(self, chat_id: str) -> None:
        """A message to ``chat_id`` has just gone out (the platform answered): its next one
        waits ``chat_interval`` from now. The slot ``reserve`` booked assumed the send would
        happen on time; under load it goes out later, and spacing from the plan would let
        the next one follow too closely."""
        self._chats[chat_id] = max(self._chats.get(chat_id, 0.0),
                                   self.clock() + self.limits.chat_interval)

    def pause(self, chat_id: str, seconds: float) -> None:
        """After a 429: nothing more to this chat for ``seconds``."""
        self._chats[chat_id] = max(self._chats.get(chat_id, 0.0), self.clock() + seconds)


def notice_text(row: Claimed, lang: str, error: str) -> tuple[str, str]:
    def m(key: str, **params: object) -> str:
        return translate(MESSAGES, key, lang, **params)

    return m("parked_title"), m("parked_body", kind=m(row.kind) if row.kind in MESSAGES
                                else row.kind, platform=row.platform, chat=row.chat_id,
                                n=max(1, row.attempts + 1), error=error[:200])


def as_reply(row: Claimed) -> Reply:
    buttons = alert_buttons(row.id, row.lang) if row.kind == "alert" and row.actions else []
    return Reply(title=row.title, body=row.body.split("\n") if row.body else [],
                 footer=row.footer, intent=row.kind, lang=row.lang, chart=row.chart,
                 buttons=buttons)


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    rate_limited: int = 0
    parked: int = 0
    charts_failed: int = 0


class Dispatcher:
    """Delivers the outbox. ``await run(stop)`` in ``kpibot serve``; ``await drain()`` in
    tests and one-shot runs."""

    def __init__(self, engine: Engine, platforms: Mapping[str, Sender], *,
                 clock: Callable[[], datetime] | None = None, owner: str | None = None,
                 max_inflight: int = 64, poll: float = 1.0,
                 lease: timedelta = timedelta(minutes=5),
                 max_attempts: int = outbox.MAX_ATTEMPTS,
                 policies: Mapping[str, DeliveryPolicy] | None = None,
                 limits: Mapping[str, Limits] | None = None, sole: bool = False,
                 on_failed: Callable[[str], None] | None = None,
                 health: JobHealth | None = None, charts: DrawChart | None = None) -> None:
        """``policies``: each platform's limits and reading of errors (a platform without
        one gets ``GenericPolicy``); ``limits`` overrides the limits by platform name.
        ``sole``: this is the only dispatcher of the database (the scheduler's leader, or
        SQLite's one process), so rows left ``sending`` at start are a dead one's.
        ``health``: where ``run`` records its failures (``bot/runtime/supervision.py``).
        ``charts``: draws an alert's chart from its spec (None: alerts go without charts)."""
        self.engine = engine
        self.sole = sole
        self.platforms = dict(platforms)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.owner = owner or f"d-{uuid.uuid4().hex[:12]}"
        self.max_inflight = max_inflight
        self.poll = poll
        self.lease = lease
        self.max_attempts = max_attempts
        self.policies = {name: (policies or {}).get(name) or GenericPolicy()
                         for name in self.platforms}
        self.pacers = {name: Pacer((limits or {}).get(name) or self.policies[name].limits,
                                   window=getattr(platform, "send_window", None))
                       for name, platform in self.platforms.items()}
        self.stats = Stats()
        self.on_failed = on_failed  # told the platform of every failed attempt (metrics)
        self.health = health or JobHealth("dispatcher", "dispatcher")
        self.charts = charts
        self._inflight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # the outbox's reads and writes on threads of their own: behind digest rendering in
        # the default pool, a mark-sent waited seconds after the platform had accepted, and a
        # leader killed then had those messages sent twice (tests/e2e/test_failover.py)
        self._outbox_threads = ThreadPoolExecutor(max_workers=4,
                                                  thread_name_prefix="kpibot-outbox")

    async def _db(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._outbox_threads,
                                          functools.partial(write, *args, **kwargs))

    def wake(self) -> None:
        """Look at the outbox now (something was just queued)."""
        self._wake.set()

    async def start(self) -> int:
        """Put back what a killed dispatcher left half-sent (all of it when this one is the
        sole dispatcher, else only expired leases); returns how many rows."""
        released = await self._db(outbox.release, self.engine, self.clock(),
                                           owner=self.owner, expired_only=not self.sole)
        if released:
            log.warning("outbox: %d message(s) left 'sending' by a stopped dispatcher are "
                        "queued again", released)
        return released

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop``. A failure (the database locked by another process, or
        gone) is logged once and retried with backoff; the loop never ends on one."""
        while not stop.is_set():
            try:
                await self.start()
                break
            except Exception as exc:
                await _pause(stop, self.health.failed(exc, "putting back half-sent messages"))
        try:
            while not stop.is_set():
                try:
                    claimed = await self._fill()
                except Exception as exc:
                    await _pause(stop, self.health.failed(exc, "claiming due messages"))
                    continue
                self.health.ok()
                if claimed:
                    continue
                await self._idle(stop)
        finally:
            if self._inflight:
                await asyncio.wait(set(self._inflight), timeout=30)

    async def drain(self, timeout: float = 60.0) -> Stats:
        """Send everything due now; return when nothing due is left (or ``timeout``)."""
        deadline = time.monotonic() + timeout
        await self.start()
        while time.monotonic() < deadline:
            if await self._fill():
                continue
            if self._inflight:
                await asyncio.wait(set(self._inflight), timeout=self.poll,
                                   return_when=asyncio.FIRST_COMPLETED)
                continue
            # nothing in flight: look once more (a send may have ended while we claimed)
            if not await self._fill():
                break
        return self.stats

    async def _idle(self, stop: asyncio.Event) -> None:
        """Wait for a send to finish, a wake-up, or the next due row (at most ``poll``)."""
        waiters: set[asyncio.Future[Any]] = set(self._inflight)
        self._wake.clear()
        waiters.add(asyncio.ensure_future(self._wake.wait()))
        waiters.add(asyncio.ensure_future(stop.wait()))
        done, pending = await asyncio.wait(waiters, timeout=self.poll,
                                           return_when=asyncio.FIRST_COMPLETED)
        del done
        for fut in pending:
            if fut not in self._inflight:
                fut.cancel()

    async def _fill(self) -> int:
        """Claim as many rows as there is room for; start their sends."""
        room = self.max_inflight - len(self._inflight)
        if room < max(1, self.max_inflight // 4) or not self.platforms:
            return 0
        rows = await self._db(
            outbox.claim, self.engine, self.owner, self.clock(), limit=room, lease=self.lease,
            platforms=sorted(self.platforms))
        for row in rows:
            task = asyncio.create_task(self._deliver(row))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
        return len(rows)

    async def _deliver(self, row: Claimed) -> None:
        outbox_sending.set(True)  # this task's sends: counted by the Pacer, not again
        platform = self.platforms[row.platform]
        pacer = self.pacers[row.platform]
        at = pacer.reserve(row.chat_id)
        delay = at - pacer.clock()
        if delay > 0:
            await asyncio.sleep(delay)
        # before the last wait: between that wait and ``started`` nothing may await (sends
        # that passed the wait together would go out over the platform's rate)
        if not await self._still_mine(row):
            return
        while (wait := pacer.wait_before_send()) > 0:
            await asyncio.sleep(wait)
        entry = pacer.started()
        try:
            if row.chart_spec and self.charts is not None:
                entry = await self._send_with_chart(platform, pacer, row, entry)
            else:
                await platform.send(row.chat_id, as_reply(row))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            pacer.finished(entry)
            pacer.sent(row.chat_id)
            await self._failed(row, exc, pacer)
            return
        pacer.finished(entry)
        pacer.sent(row.chat_id)
        await self._record(outbox.mark_sent, self.engine, row.id, self.owner, self.clock())
        self.stats.sent += 1

    async def _still_mine(self, row: Claimed) -> bool:
        """The row is still claimed by this dispatcher (a new leader may have put it back);
        when the database can't say, it is sent (at least once)."""
        try:
            mine = bool(await self._db(outbox.still_claimed, self.engine, row.id, self.owner))
        except Exception:
            return True
        if not mine:
            log.warning("outbox: %s %s was taken over by another dispatcher; not sent here",
                        row.kind, row.key)
        return mine

    async def _send_with_chart(self, platform: Sender, pacer: Pacer, row: Claimed,
                               entry: list[float]) -> list[float]:
        """An alert and its chart: one message when the text fits as the picture's caption,
        else the picture (recorded as sent), then the text with the buttons. Returns the
        ``Pacer.started`` entry of the last send."""
        reply = as_reply(row)
        png = None if row.chart_sent else await self._draw(row)
        if png is not None:
            with_chart = replace(reply, chart=png)
            fits = getattr(platform, "caption_fits", None)
            if fits is not None and fits(with_chart):
                await platform.send(row.chat_id, with_chart)
                return entry
            await platform.send(row.chat_id, Reply(title=row.title, intent="alert_chart",
                                                   lang=row.lang, chart=png))
            pacer.finished(entry)
            pacer.sent(row.chat_id)
            await self._record(outbox.mark_chart_sent, self.engine, row.id, self.owner)
            delay = pacer.reserve(row.chat_id) - pacer.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            while (wait := pacer.wait_before_send()) > 0:
                await asyncio.sleep(wait)
            entry = pacer.started()
        await platform.send(row.chat_id, reply)
        return entry

    async def _draw(self, row: Claimed) -> bytes | None:
        """The row's chart, drawn off the event loop; None (logged) when it cannot be."""
        assert self.charts is not None
        try:
            return await asyncio.wait_for(asyncio.to_thread(
                self.charts, row.workspace_id, row.chart_spec, row.lang), CHART_TIMEOUT)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.stats.charts_failed += 1
            log.warning("outbox: the chart of %s %s could not be drawn (%s); the alert goes "
                        "without it", row.kind, row.key,
                        f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
            return None

    async def _record(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Write a delivery's outcome, retrying with backoff while the database refuses: a
        message that went out must be marked sent, or the next start sends it again."""
        while True:
            try:
                return await self._db(write, *args, **kwargs)
            except Exception as exc:
                await asyncio.sleep(self.health.failed(exc, "recording a delivery"))

    async def _failed(self, row: Claimed, exc: Exception, pacer: Pacer) -> None:
        retry_after, permanent = self.policies[row.platform].classify(exc)
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        if self.on_failed is not None:
            self.on_failed(row.platform)
        if retry_after is not None:
            self.stats.rate_limited += 1
            pacer.pause(row.chat_id, retry_after)
        else:
            self.stats.failed += 1
        status = await self._record(
            outbox.fail, self.engine, row, self.owner, self.clock(), error,
            retry_after=retry_after, permanent=permanent, max_attempts=self.max_attempts,
            notice=notice_text)
        if status == outbox.PARKED:
            self.stats.parked += 1
            log.error("outbox: %s %s to %s:%s parked after %s: %s", row.kind, row.key,
                      row.platform, row.chat_id, "a permanent error" if permanent else
                      f"{row.attempts + 1} attempts", error)
        else:
            log.warning("outbox: %s to %s:%s failed (%s); retrying", row.kind, row.platform,
                        row.chat_id, error)


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less when ``stop`` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
