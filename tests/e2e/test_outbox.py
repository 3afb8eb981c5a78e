"""The outbox and its dispatcher: queue once, deliver once, in order, within the limits;
retry, back off, park and tell the admins; survive a SIGKILL of a real ``kpibot serve``."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import Engine, func, select, update

from adapters.chat.platform import delivery_policies
from adapters.chat.slack import SlackPolicy
from adapters.chat.telegram import TelegramPolicy
from bot.reply import Reply
from bot.runtime.delivery import GenericPolicy, Limits
from bot.runtime.dispatcher import Dispatcher, Pacer
from kpi_engine.domain.model import Role
from kpi_engine.storage import outbox
from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.outbox import Message
from kpi_engine.storage.store import Store
from tests.telegram_standin import BotApiStandin

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
FAST = {"telegram": Limits(per_second=None, chat_interval=0.05),
        "slack": Limits(per_second=None, chat_interval=0.05)}
#: Each platform's delivery rules, as ``kpibot serve`` gives them to the dispatcher.
POLICIES = delivery_policies()
TOKEN = "123456789:AAHtest-Token_abcdefghijklmnopqrstuv"


@dataclass
class FakePlatform:
    """Records what it is asked to send; raises the queued errors first."""

    name: str = "telegram"
    sent: list[tuple[str, str, float]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((chat_id, reply.text, time.monotonic()))


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def msg(ws: int, key: str, chat: str, *, kind: str = "alert", platform: str = "telegram",
        at: datetime = NOW) -> Message:
    return Message(key, ws, kind, platform, chat, "id", f"title {key}", f"body {key}", at)


def queue(store: Store, *messages: Message) -> None:
    with store.begin() as conn:
        outbox.enqueue(conn, list(messages), NOW)


def rows(store: Store) -> list[Any]:
    with store.connect() as conn:
        return list(conn.execute(select(a.outbox).order_by(a.outbox.c.id)).all())


@pytest.fixture
def ws(store: Store) -> int:
    return store.ensure_workspace("w").id


def test_a_key_is_queued_once(store: Store, ws: int) -> None:
    queue(store, msg(ws, "k1", "1"), msg(ws, "k2", "1"))
    queue(store, msg(ws, "k1", "1"), msg(ws, "k3", "2"))
    assert [r.key for r in rows(store)] == ["k1", "k2", "k3"]


def test_claim_takes_the_first_row_of_each_chat_only(store: Store, ws: int) -> None:
    queue(store, msg(ws, "a1", "A"), msg(ws, "a2", "A"), msg(ws, "b1", "B"),
          msg(ws, "later", "C", at=NOW + timedelta(hours=1)), msg(ws, "c2", "C"))
    claimed = outbox.claim(store.engine, "me", NOW)
    # C's first row is deferred (a snooze): the chat's next due row may go; A waits for a1
    assert [c.key for c in claimed] == ["a1", "b1", "c2"]
    assert outbox.claim(store.engine, "other", NOW) == []
    assert outbox.mark_sent(store.engine, claimed[0].id, "me", NOW)
    assert not outbox.mark_sent(store.engine, claimed[1].id, "other", NOW)  # not its claim
    assert [c.key for c in outbox.claim(store.engine, "me", NOW)] == ["a2"]


async def test_dispatcher_delivers_in_order_and_paces_each_chat(store: Store, ws: int) -> None:
    queue(store, *(msg(ws, f"{chat}{i}", chat) for i in range(3) for chat in "ABC"))
    platform = FakePlatform()
    limits = {"telegram": Limits(per_second=None, chat_interval=0.2)}
    stats = await Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=Clock(),
                             limits=limits).drain(timeout=20)
    assert stats.sent == 9
    for chat in "ABC":
        mine = [(text, at) for c, text, at in platform.sent if c == chat]
        assert [t.split()[1] for t, _ in mine] == [f"{chat}{i}" for i in range(3)]
        gaps = [b - a_ for (_, a_), (_, b) in itertools.pairwise(mine)]
        assert min(gaps) >= 0.19
    assert {r.status for r in rows(store)} == {"sent"}


def test_pacer_keeps_the_overall_rate_and_group_limits() -> None:
    now = [100.0]
    pacer = Pacer(Limits(per_second=30, chat_interval=1.0, group_per_minute=20),
                  clock=lambda: now[0])
    slots = [pacer.reserve(str(i)) for i in range(60)]
    assert all(b - a_ >= 1 / 30 - 1e-9 for a_, b in itertools.pairwise(slots))
    assert pacer.reserve("0") >= slots[0] + 1.0
    group = [pacer.reserve("-100") for _ in range(21)]
    assert group[20] >= group[0] + 60.0


def test_pacer_holds_back_sends_that_a_stall_bunched_together() -> None:
    """The slots were planned 1/30 s apart, but the machine stalled and 45 of them came due at
    the same moment: only 30 sends may start in any one second (Telegram's overall limit)."""
    now = [100.0]
    pacer = Pacer(Limits(per_second=30, chat_interval=1.0), clock=lambda: now[0])
    for i in range(45):
        pacer.reserve(str(i))
    now[0] = 102.0  # every slot has passed
    starts = 0
    while pacer.wait_before_send() == 0:
        pacer.started()
        starts += 1
    assert starts == 30
    now[0] += 0.5
    assert pacer.wait_before_send() == pytest.approx(0.5)
    now[0] += 0.5
    assert pacer.wait_before_send() == 0
    unlimited = Pacer(Limits(per_second=None, chat_interval=1.0), clock=lambda: now[0])
    for _ in range(100):
        unlimited.started()
    assert unlimited.wait_before_send() == 0


def test_pacer_spaces_a_chat_from_when_its_message_actually_went_out() -> None:
    """Issue 13 item 10: the slot booked for a chat's first message was 100.0; the send went
    out late (at 100.15, the machine was busy). The next message to that chat must wait the
    interval from 100.15, not from the planned 100.0."""
    now = [100.0]
    pacer = Pacer(Limits(per_second=None, chat_interval=0.2), clock=lambda: now[0])
    assert pacer.reserve("A") == 100.0
    now[0] = 100.15  # the send went out (the platform answered) this late
    pacer.sent("A")
    now[0] = 100.2
    assert pacer.reserve("A") >= 100.15 + 0.2 - 1e-9
    assert pacer.reserve("B") == 100.2  # another chat is not held back


def test_errors_are_classified_like_the_platforms_mean_them() -> None:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.slack_response import SlackResponse
    from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

    classify = TelegramPolicy().classify
    assert classify(RetryAfter(3)) == (3.0, False)
    assert classify(Forbidden("Forbidden: bot was blocked by the user")) == (None, True)
    assert classify(BadRequest("Chat not found")) == (None, True)
    assert classify(NetworkError("connection reset")) == (None, False)

    def slack(status: int, error: str, headers: dict[str, str]) -> SlackApiError:
        response = SlackResponse(client=None, http_verb="POST", api_url="x", req_args={},
                                 data={"ok": False, "error": error}, headers=headers,
                                 status_code=status)
        return SlackApiError(error, response)

    classify = SlackPolicy().classify
    assert classify(slack(429, "ratelimited", {"Retry-After": "7"})) == (7.0, False)
    assert classify(slack(200, "not_in_channel", {})) == (None, True)
    # each platform reads only its own errors; one without a policy only waits rate limits
    assert TelegramPolicy().classify(slack(200, "not_in_channel", {})) == (None, False)
    assert SlackPolicy().classify(Forbidden("Forbidden: bot was blocked")) == (None, False)
    assert GenericPolicy().classify(RetryAfter(3)) == (3.0, False)
    assert GenericPolicy().classify(Forbidden("Forbidden: bot was blocked")) == (None, False)


def test_the_registry_finds_every_chat_platform_and_its_limits() -> None:
    """The dispatcher names no platform: limits come from each platform's policy."""
    from adapters.chat.platform import kinds

    assert [k.name for k in kinds()] == ["slack", "telegram"]
    assert POLICIES["telegram"].limits == Limits(per_second=29.0, chat_interval=1.05,
                                                 group_per_minute=20)
    assert POLICIES["slack"].limits == Limits(per_second=None, chat_interval=1.05)
    dispatcher = Dispatcher(None, {"telegram": FakePlatform(), "discord": FakePlatform("x")},  # type: ignore[arg-type]
                            policies=POLICIES)
    assert dispatcher.pacers["telegram"].limits.group_per_minute == 20
    assert dispatcher.pacers["discord"].limits == GenericPolicy().limits


async def test_a_429_waits_its_retry_after_and_is_delivered_once(store: Store, ws: int) -> None:
    from telegram.error import RetryAfter

    queue(store, msg(ws, "k", "A"))
    platform = FakePlatform(errors=[RetryAfter(1)])
    clock = Clock()
    dispatcher = Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=clock, limits=FAST)
    stats = await dispatcher.drain()
    assert (stats.sent, stats.rate_limited) == (0, 1)
    row = rows(store)[0]
    assert row.status == "pending" and row.attempts == 0  # a rate limit is no failure
    assert outbox.next_due(store.engine) == NOW + timedelta(seconds=1)
    assert (await dispatcher.drain()).sent == 0  # not before its retry_after
    clock.now = NOW + timedelta(seconds=1)
    await asyncio.sleep(1.0)  # the chat's pause in the pacer
    assert (await dispatcher.drain()).sent == 1
    assert len(platform.sent) == 1


async def test_failures_back_off_then_park_and_tell_the_admins(store: Store, ws: int) -> None:
    store.link_chat(ws, "telegram", "ADMIN", Role.ADMIN)
    store.link_chat(ws, "telegram", "A", Role.VIEWER)
    queue(store, msg(ws, "k", "A"))
    platform = FakePlatform(errors=[RuntimeError("boom")] * 3)
    clock = Clock()
    failed: list[str] = []
    dispatcher = Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=clock, limits=FAST,
                            max_attempts=3, on_failed=failed.append)
    waits = []
    for _ in range(3):
        await dispatcher.drain()
        row = rows(store)[0]
        if row.status == "pending":
            due = outbox.next_due(store.engine)
            assert due is not None
            waits.append(due - clock.now)
            clock.now = due
    assert waits == [timedelta(seconds=5), timedelta(seconds=10)]  # backoff
    assert failed == ["telegram"] * 3  # what /metrics counts as outbox failures
    parked, notice = rows(store)
    assert parked.status == "parked" and parked.attempts == 3 and "boom" in parked.last_error
    assert (notice.kind, notice.chat_id) == ("notice", "ADMIN")
    assert "3" in notice.body and "telegram chat A" in notice.body
    await dispatcher.drain()
    assert [c for c, _, _ in platform.sent] == ["ADMIN"]


async def test_a_permanent_refusal_parks_at_once(store: Store, ws: int) -> None:
    from telegram.error import Forbidden

    store.link_chat(ws, "telegram", "ADMIN", Role.ADMIN)
    queue(store, msg(ws, "k", "A"), msg(ws, "k2", "A"))
    platform = FakePlatform(errors=[Forbidden("Forbidden: bot was kicked")])
    stats = await Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=Clock(),
                             limits=FAST).drain()
    assert stats.parked == 1
    assert [(r.key, r.status) for r in rows(store)][:2] == [("k", "parked"), ("k2", "sent")]


async def test_rows_left_sending_by_a_dead_dispatcher_are_sent_once(store: Store,
                                                                    ws: int) -> None:
    queue(store, msg(ws, "k1", "A"), msg(ws, "k2", "B"))
    assert len(outbox.claim(store.engine, "dead", NOW)) == 2  # ...and it died
    platform = FakePlatform()
    assert (await Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=Clock(),
                             limits=FAST).drain()).sent == 0  # maybe it is still alive
    stats = await Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=Clock(), limits=FAST,
                             sole=True).drain()  # the sole dispatcher knows it is dead
    assert stats.sent == 2 and sorted(c for c, _, _ in platform.sent) == ["A", "B"]
    assert [r.attempts for r in rows(store)] == [1, 1]


async def test_a_dispatcher_that_lost_the_lead_does_not_send_what_the_new_one_put_back(
        store: Store, ws: int) -> None:
    """A leader whose lock's connection dropped keeps running until it notices; the new
    leader puts back every row left ``sending``. The old one checks each row is still its own
    just before the send: only the new one sends it, once."""
    queue(store, msg(ws, "k1", "A"), msg(ws, "k2", "B"))
    old_platform, new_platform = FakePlatform(), FakePlatform()
    old = Dispatcher(store.engine, {"telegram": old_platform}, policies=POLICIES,
                     clock=Clock(), limits=FAST, owner="old")
    claimed = outbox.claim(store.engine, "old", NOW)
    assert len(claimed) == 2
    new = Dispatcher(store.engine, {"telegram": new_platform}, policies=POLICIES,
                     clock=Clock(), limits=FAST, sole=True, owner="new")
    assert await new.start() == 2  # the new leader's start: both back to pending
    await old._deliver(claimed[0])  # the old one's pacer slot came: it must not send
    assert old_platform.sent == []
    assert (await new.drain()).sent == 2
    await old._deliver(claimed[1])  # sent and marked by the new one meanwhile
    assert old_platform.sent == [] and sorted(c for c, _, _ in new_platform.sent) == ["A", "B"]
    assert [(r.status, r.claimed_by) for r in rows(store)] == [("sent", "new")] * 2


async def test_only_configured_platforms_are_claimed(store: Store, ws: int) -> None:
    queue(store, msg(ws, "t", "A"), msg(ws, "s", "C1", platform="slack"))
    platform = FakePlatform()
    await Dispatcher(store.engine, {"telegram": platform}, policies=POLICIES, clock=Clock(), limits=FAST).drain()
    assert [(r.key, r.status) for r in rows(store)] == [("t", "sent"), ("s", "pending")]


@pytest.mark.postgres
async def test_two_dispatchers_on_postgres_never_send_a_row_twice(store: Store, ws: int) -> None:
    if store.dialect != "postgresql":
        pytest.skip("PostgreSQL only")
    queue(store, *(msg(ws, f"k{i}", f"chat{i % 25}") for i in range(100)))
    one, two = FakePlatform(), FakePlatform()
    d1 = Dispatcher(store.engine, {"telegram": one}, policies=POLICIES, clock=Clock(), limits=FAST)
    d2 = Dispatcher(store.engine, {"telegram": two}, policies=POLICIES, clock=Clock(), limits=FAST)
    await asyncio.gather(d1.drain(30), d2.drain(30))
    texts = [t for _, t, _ in one.sent + two.sent]
    assert len(texts) == len(set(texts)) == 100


# -- a real kill -----------------------------------------------------------------------------------

class GatedStandin(BotApiStandin):
    """The Bot API stand-in with a gate: while it is closed, sends are held unanswered; a
    held send whose client died meanwhile is never processed (Telegram never got it)."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = 0
        self.dropped = 0

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"].lower() == "sendmessage" and not self.gate.is_set():
            self.held += 1
            await self.gate.wait()
            await asyncio.sleep(0.05)
            if request.transport is None or request.transport.is_closing():
                self.dropped += 1
                return web.Response(status=499)
        return await super()._api(request)


@pytest.fixture
async def gated() -> AsyncIterator[GatedStandin]:
    api = GatedStandin(TOKEN)
    await api.start()
    yield api
    await api.stop()


async def wait_until(check: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def test_sigkill_between_queueing_and_sending_loses_and_doubles_nothing(
        tmp_path: Path, gated: GatedStandin, sqlite_url: str) -> None:
    from kpi_engine.storage.db import make_engine, migrate

    engine: Engine = make_engine(sqlite_url)
    migrate(engine)
    store = Store(engine)
    ws = store.ensure_workspace("w").id
    chats = [11, 12, 13]
    for chat in chats:
        gated.add_chat(chat)
    queue(store, *(Message(f"k{chat}-{i}", ws, "alert", "telegram", str(chat), "id",
                           "Alert", f"pesan-{chat}-{i}", datetime.now(UTC) - timedelta(minutes=1))
                   for i in range(5) for chat in chats))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KPIBOT_DATABASE_URL": sqlite_url,
           "KPIBOT_TELEGRAM_TOKEN": TOKEN, "KPIBOT_TELEGRAM_API_URL": gated.url,
           "KPIBOT_HTTP_PORT": "0", "KPIBOT_LOG_LEVEL": "INFO"}
    logs = tmp_path / "serve.log"

    async def serve() -> asyncio.subprocess.Process:
        with logs.open("a") as out:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "adapters.cli", "serve", cwd=tmp_path, env=env,
                stdout=out, stderr=out)

    def delivered() -> list[str]:
        return [str(c.params.get("text", "")) for c in gated.sent("sendMessage")]

    def sent_in_db() -> int:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(a.outbox).where(
                a.outbox.c.status == "sent")).scalar_one())

    async def kill_while_held(process: asyncio.subprocess.Process, after: int) -> None:
        """Let ``after`` messages through, hold the next send(s), then SIGKILL."""
        await wait_until(lambda: len(delivered()) >= after)
        gated.gate.clear()
        await wait_until(lambda: gated.held > 0 and sent_in_db() == len(delivered()))
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await asyncio.sleep(0.3)
        gated.held = 0
        gated.gate.set()
        await asyncio.sleep(0.3)  # the held sends find their client gone

    first = await serve()
    await kill_while_held(first, 3)
    assert gated.dropped >= 1  # a send was in flight when it died: Telegram never got it
    second = await serve()
    await kill_while_held(second, 8)
    third = await serve()
    await wait_until(lambda: len(delivered()) >= 15, timeout=60)
    await asyncio.sleep(2.5)  # time enough for a duplicate to show up
    third.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(third.wait(), 30) == 0, logs.read_text()[-3000:]

    texts = delivered()
    assert sorted(texts) == sorted(f"<b>Alert</b>\npesan-{c}-{i}" for i in range(5)
                                   for c in chats), texts
    for chat in chats:  # each chat got its messages in the order they were queued
        mine = [str(c.params["text"]) for c in gated.sent("sendMessage", chat)]
        assert mine == [f"<b>Alert</b>\npesan-{chat}-{i}" for i in range(5)]
    assert sent_in_db() == 15
    with engine.connect() as conn:
        conn.execute(update(a.outbox).values(status="sent"))  # nothing to do in teardown
    engine.dispose()
