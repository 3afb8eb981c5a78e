"""Failover benchmark (issue 18). ``python bench/failover.py [--quick]``; the last line is one
JSON object. Needs ``KPIBOT_BENCH_POSTGRES_URL`` (a schema of its own is made and dropped);
without it the keys are null, with the reason in ``failover_note``.

Two real ``kpibot serve`` replicas (Telegram webhook mode, against the Bot API stand-in, which
runs in this process) on one PostgreSQL schema, the leader lock's connection direct
(``KPIBOT_DATABASE_DIRECT_URL``), ``LEADER_RETRY_SECONDS`` at its production value (10 s).
This process holds the leader lock while both boot, then lets go: one leads and sends the
burst (100 daily digests due now, ``--quick``: 40, text + chart each, and an alert to each of
those chats: 300 messages). When 40 of them (``--quick``: 16) have been accepted, the
leader gets ``SIGKILL``.

- ``failover_s``: seconds from the SIGKILL to the first message the stand-in accepted from
  the new leader (a row the new leader's dispatcher claimed). It is the standby's wait for
  its next lock attempt (up to ``LEADER_RETRY_SECONDS``), plus taking the lead (jobs rebuilt,
  rows left ``sending`` put back), plus one delivery.
- ``failover_lock_s``: SIGKILL to the survivor's "scheduler: leading" log line (lock acquired,
  scheduler and dispatcher running; polled every 20 ms).
- ``failover_lost`` (must be 0) and ``failover_doubled``: messages never delivered, and sent
  twice (the outbox's documented window: accepted by the platform, not yet marked sent).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# bench/telegram.py would shadow the telegram package: drop bench/ from the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEYS = ("failover_s", "failover_lock_s", "failover_lost", "failover_doubled")


async def run(base_url: str, digests: int) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from bot.runtime.scheduler import LEADER_RETRY_SECONDS
    from kpi_engine.storage import schema_alerts as a
    from kpi_engine.storage.db import make_engine, migrate
    from kpi_engine.storage.store import Store
    from tests.replicas import (
        TOKEN,
        TZ,
        Cluster,
        deliveries,
        digest_calls,
        hold_lock,
        outbox_rows,
        schema_url,
        seed,
    )
    from tests.telegram_standin import BotApiStandin

    schema = f"bench_failover_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = schema_url(base_url, schema)
    engine = make_engine(url)
    try:
        migrate(engine)
        chats = seed(Store(engine), digests)
        chatset = set(chats)
        day = datetime.now(UTC).astimezone(ZoneInfo(TZ)).date()

        def undone() -> int:
            s, o = a.subscriptions.c, a.outbox.c
            with engine.connect() as conn:
                subs = conn.execute(select(func.count()).where(
                    (s.last_day.is_(None)) | (s.last_day < day))).scalar_one()
                rows = conn.execute(select(func.count()).where(
                    o.status != "sent")).scalar_one()
            return int(subs) + int(rows)

        async with BotApiStandin(TOKEN) as api:
            for chat in chats:
                api.add_chat(chat)
            lock = hold_lock(engine)
            with tempfile.TemporaryDirectory() as tmp:
                cluster = Cluster(url, api.url, Path(tmp), direct_url=url)
                try:
                    first, second = cluster.start("a"), cluster.start("b")
                    await asyncio.gather(cluster.booted(first), cluster.booted(second))
                    lock.release()
                    leader = await cluster.leader(timeout=30)
                    survivor = second if leader is first else first
                    kill_after = max(1, digests * 2 // 5)  # a fifth of text + chart
                    deadline = time.monotonic() + 300
                    while len(digest_calls(api, chatset)) < kill_after:
                        if time.monotonic() > deadline:
                            raise SystemExit("the burst did not start")
                        await asyncio.sleep(0.01)
                    killed_at = cluster.kill(leader)
                    dead_owner_rows = {r.key for r in outbox_rows(engine)
                                       if r.status == "sent"}
                    if undone() == 0:
                        raise SystemExit("the burst was over before the kill")
                    new = await cluster.leader(among=[survivor], timeout=60)
                    deadline = time.monotonic() + 300
                    while undone():
                        if time.monotonic() > deadline:
                            raise SystemExit("the burst did not finish after the failover")
                        await asyncio.sleep(0.05)
                    await asyncio.sleep(1.5)  # a late second copy would arrive now
                finally:
                    cluster.stop()
                    lock.close()
            rows = outbox_rows(engine)
            calls = digest_calls(api, chatset)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    counts = deliveries(rows, calls)
    dead_owners = {r.claimed_by for r in rows if r.key in dead_owner_rows}
    new_rows = [r for r in rows if r.claimed_by not in dead_owners]
    firsts = [c.at for r in new_rows for c in calls
              if int(c.params.get("chat_id", 0)) == r.chat and c.at > killed_at
              and r.method in (c.method, "any")
              and r.title in str(c.params.get("text") or c.params.get("caption") or "")]
    assert new.led_at is not None
    return {"failover_s": round(min(firsts) - killed_at, 2) if firsts else None,
            "failover_lock_s": round(new.led_at - killed_at, 2),
            "failover_lost": sum(1 for n in counts.values() if n == 0),
            "failover_doubled": sum(1 for n in counts.values() if n > 1),
            "failover_digests": digests, "failover_messages": len(rows),
            "failover_sent_before_kill": len(dead_owner_rows),
            "failover_leader_retry_s": LEADER_RETRY_SECONDS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="40 digests instead of 100")
    args = ap.parse_args()
    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if not url:
        summary: dict[str, Any] = dict.fromkeys(KEYS)
        summary["failover_note"] = "KPIBOT_BENCH_POSTGRES_URL not set"
    else:
        summary = asyncio.run(run(url, 40 if args.quick else 100))
        print(f"  failover: {summary}", file=sys.stderr)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
