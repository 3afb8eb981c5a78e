"""Two replicas, one PostgreSQL (issue 18): two real ``kpibot serve`` processes in Telegram
webhook mode; both answer webhooks, exactly one leads (scheduler + outbox dispatcher), and
``kill -9`` of the leader in the middle of a digest burst (40 digests, text + chart, and an
alert to each of those chats) hands over to the other within 30 s (``LEADER_RETRY_SECONDS``,
the production value, is 10 s) with no digest or alert lost.

What may arrive twice, precisely (``kpi_engine/storage/outbox.py``): only a row the dead
leader had claimed (``sending``) and the platform had accepted before ``sent`` was committed
— one HTTP round trip and a commit (asserted: accepted less than ``WINDOW`` before the kill). The new leader puts every such row back once (``attempts`` + 1,
``last_error`` "interrupted while sending") and sends it once: such a row arrives at most
twice; every other row exactly once. A digest is queued once per (subscription, local day):
``mark_digest_day`` and the outbox rows in one transaction, so the new leader's missed-digest
run skips the subscriptions the dead one had queued.

Slack runs too, over HTTP events: a signed event to either replica is answered.
Runs only with ``KPIBOT_TEST_POSTGRES_URL`` (CI sets it); about 30 s of wall time.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from kpi_engine.storage import schema_alerts as a
from kpi_engine.storage.store import Store
from tests.conftest import PG_URL, _truncate
from tests.replicas import (
    ASK_CHAT,
    LEADING,
    SLACK_CHANNEL,
    STANDING_BY,
    TOKEN,
    TZ,
    Cluster,
    current_schema,
    deliveries,
    digest_calls,
    hold_lock,
    leads,
    mention,
    outbox_rows,
    post_update,
    question,
    schema_url,
    seed,
    slack_event,
)
from tests.slack_standin import SlackStandIn
from tests.telegram_standin import BotApiStandin

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
DIGESTS = 40
KILL_AFTER = 12  # messages accepted (and 8 digests queued) before the leader is killed
#: A message sent twice was accepted at most this long before the kill: the platform's answer,
#: then the commit of ``sent`` (milliseconds; slack for a loaded CI machine). Before the
#: dispatcher's outbox writes had threads of their own, a mark-sent queued behind the digest
#: rendering and 6 of 80 rows were sent twice.
WINDOW = 2.0


def _unqueued(day: object) -> Any:
    """Subscriptions whose digest for ``day`` is not queued yet."""
    s = a.subscriptions.c
    return (s.last_day.is_(None)) | (s.last_day < day)


def undone(engine: Engine, day: object, *, rows: bool = True) -> int:
    """Subscriptions whose digest for ``day`` is not queued yet, plus (``rows``) outbox rows
    not sent yet."""
    with engine.connect() as conn:
        subs = conn.execute(select(func.count()).where(_unqueued(day))).scalar_one()
        left = conn.execute(select(func.count()).where(a.outbox.c.status != "sent")
                            ).scalar_one()
    return int(subs) + (int(left) if rows else 0)


def left(engine: Engine, day: object) -> str:
    """What ``undone`` counted, named, for the failure message."""
    s, o = a.subscriptions.c, a.outbox.c
    with engine.connect() as conn:
        subs = [int(i) for i in conn.execute(select(s.id).where(_unqueued(day))).scalars()]
        rows = [(r.key, r.status, r.attempts, r.last_error) for r in conn.execute(
            select(o.key, o.status, o.attempts, o.last_error).where(o.status != "sent"))]
    return f"subscriptions not queued {subs}; rows not sent {rows[:20]} ({len(rows)})"


async def until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout}s for {what}")
        await asyncio.sleep(0.02)


async def test_kill_9_the_leader_mid_burst_the_other_takes_over(
        tmp_path: Path, pg_engine: Engine | None) -> None:
    if pg_engine is None or PG_URL is None:
        pytest.skip("KPIBOT_TEST_POSTGRES_URL is not set")
    engine = pg_engine
    _truncate(engine)
    chats = seed(Store(engine), DIGESTS)
    chatset = set(chats)
    today = datetime.now(UTC).astimezone(ZoneInfo(TZ)).date()
    url = schema_url(PG_URL, current_schema(engine))
    slack = await SlackStandIn().start()

    def slack_answers() -> int:
        return len([c for c in slack.calls if c.method.startswith("chat.post")
                    and c.params.get("channel") == SLACK_CHANNEL])

    async with BotApiStandin(TOKEN) as api:
        for chat in chats:
            api.add_chat(chat)  # the chats exist (the bot was added to them)
        lock = hold_lock(engine)  # both boot as standbys: the burst waits for both
        cluster = Cluster(url, api.url, tmp_path, direct_url=url, slack_api=slack.api_url)
        try:
            first, second = cluster.start("a"), cluster.start("b")
            await asyncio.gather(cluster.booted(first), cluster.booted(second))
            assert not first.leading and not second.leading
            assert [await leads(first), await leads(second)] == [False, False]
            assert STANDING_BY in first.text() and STANDING_BY in second.text()

            # a load balancer spreads updates: each replica answers what it gets
            for replica in (first, second):
                assert await post_update(replica, question(api, ASK_CHAT, "/bantuan")) == 200
                assert await slack_event(replica, mention("/bantuan", replica.port),
                                         f"Ev{replica.name}1") == 200
            await api.wait_for("sendMessage", 2, chat_id=ASK_CHAT, timeout=30)
            await until(lambda: slack_answers() >= 2, 30,
                        f"both Slack answers: {[(c.method, c.params) for c in slack.calls]}")
            assert digest_calls(api, chatset) == []  # nobody leads: nothing was dispatched

            lock.release()
            leader = await cluster.leader(timeout=30)
            survivor = second if leader is first else first
            assert not survivor.leading
            assert [await leads(leader), await leads(survivor)] == [True, False]  # one leader

            await until(lambda: len(digest_calls(api, chatset)) >= KILL_AFTER
                        and undone(engine, today, rows=False) <= DIGESTS - 8, 60,
                        f"{KILL_AFTER} messages accepted and 8 digests queued")
            killed_at = cluster.kill(leader)
            killed_wall = datetime.now(UTC)
            assert undone(engine, today) > 0, "the burst was over before the kill"
            accepted_before = len(digest_calls(api, chatset))

            new = await cluster.leader(among=[survivor], timeout=30)
            assert new.led_at is not None and new.led_at - killed_at < 30
            assert await leads(survivor)
            # the standby answers chat messages the whole time, and goes on as the leader
            assert await post_update(survivor, question(api, ASK_CHAT, "/bantuan")) == 200
            assert await slack_event(survivor, mention("/bantuan", 1), "Evafter") == 200
            await api.wait_for("sendMessage", 3, chat_id=ASK_CHAT, timeout=30)
            await until(lambda: slack_answers() >= 3, 30, "the survivor's Slack answer")

            try:
                await until(lambda: undone(engine, today) == 0, 60, "every digest sent")
            except AssertionError as error:
                raise AssertionError(f"{error}; left: {left(engine, today)}\n"
                                     f"survivor's log:\n{survivor.text()[-4000:]}") from None
            await asyncio.sleep(1.5)  # a late second copy would arrive now
        finally:
            cluster.stop()
            lock.close()
            await slack.stop()

        rows = outbox_rows(engine)
        with engine.connect() as conn:
            # nothing was queued to the asking chats: what they got were the answers
            assert conn.execute(select(func.count()).where(a.outbox.c.chat_id.in_(
                [str(ASK_CHAT), SLACK_CHANNEL]))).scalar_one() == 0
            queued_at = {int(r.id): r.last_at for r in conn.execute(
                select(a.subscriptions.c.id, a.subscriptions.c.last_at))}
        calls = digest_calls(api, chatset)
    texts = sorted(r.chat for r in rows if r.key.endswith(":text"))
    assert texts == sorted(chats)  # one digest per subscription and day: none lost, none twice
    alerts = sorted(r.chat for r in rows if r.key.startswith("a:"))
    assert alerts == sorted(chats)  # each workspace's alert to each of its chats, once
    counts = deliveries(rows, calls)
    assert len(calls) == sum(counts.values())  # every accepted message is one of the rows
    lost = [k for k, n in counts.items() if n == 0]
    assert lost == []
    doubled = {r.key: r for r in rows if counts[r.key] > 1}
    for key, row in doubled.items():  # only the documented window, and at most once more
        assert counts[key] == 2, (key, counts[key])
        assert row.last_error == "interrupted while sending" and row.attempts >= 1, row
    assert len(calls) > accepted_before  # the survivor delivered the rest
    # the survivor ran as missed exactly the digests the dead leader had not queued
    missed = {int(m) for m in re.findall(r"digest digest:(\d+): missed", survivor.text())}
    # ``last_at`` is the clock when the digest's build began: before the kill for the dead
    # leader's, after it for the survivor's (it leads only once the dead one's lock is gone).
    # No margin: the burst is fast enough that all 8 may be queued within a second of the kill.
    by_dead = {i for i, at in queued_at.items() if at < killed_wall}
    by_survivor = {i for i, at in queued_at.items() if at > killed_wall}
    assert len(by_dead) >= 8  # (the kill waited for 8 queued digests)
    assert not missed & by_dead and by_survivor <= missed, (missed, by_dead, by_survivor)
    owners = {r.claimed_by for r in rows}
    assert len(owners) == 2  # the dead leader's dispatcher, then the survivor's
    assert survivor.text().count(LEADING) == 1
    for replica in (first, second):  # no stack trace in any log line
        assert "Traceback" not in replica.text(), replica.name
    for key, row in doubled.items():  # ...accepted just before the kill (WINDOW)
        first_at = min(c.at for c in calls if int(c.params["chat_id"]) == row.chat
                       and row.title in str(c.params.get("text") or c.params.get("caption")))
        assert killed_at - WINDOW < first_at < killed_at + 0.5, (key, first_at - killed_at)
    print(f"takeover {new.led_at - killed_at:.2f}s; {len(rows)} rows "
          f"({len(alerts)} alerts), "
          f"{accepted_before} accepted before the kill, {len(doubled)} sent twice")
