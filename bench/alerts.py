"""Alerts benchmark. ``python bench/alerts.py [--quick]``; the last line is one JSON object.

1. **Alert tick**: 1,000 workspaces × 10 rules (the 3 defaults — engagement-rate drop, stale
   data, goals — and 7 team rules: thresholds and drops) and 5,000 goals over a SQLite
   database of about 1,000,000 snapshots (3 channels × 6 metrics × 56 days per workspace;
   ``--quick``: 100 workspaces). One cold tick is timed (alert states, log and outbox empty,
   goals active: it evaluates everything and writes what fires), then a warm one (nothing
   new); the SQL statements of the cold tick are counted (``alert_tick_statements``).
   **At scale** (issue 18): 10,000 workspaces of which 500 have new data since the last
   tick (``--quick``: 1,000 and 50): ``alert_tick_10k_s`` and its statements.
2. **Digest fan-out**: one rendered digest (text + chart) queued for 1,000 Telegram chats
   (``--quick``: 100) and delivered by the outbox dispatcher through the real
   ``TelegramPlatform`` (python-telegram-bot) to the Bot API stand-in in its own process,
   which enforces 30 messages/s overall and 1/s per chat (429 with ``retry_after`` beyond).
   ``fanout_msgs_per_s`` is the sustained rate the stand-in accepted (first to last message).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/telegram.py would shadow the telegram package: drop bench/ from the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
TODAY = date(2026, 11, 22)  # a Sunday
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 08:00 in Jakarta
DAYS = 56
CHANNELS = (("instagram", "", False), ("tiktok", "", False), ("instagram", "@rival", True))
METRICS = ("followers", "likes", "comments", "reach", "clicks", "spend")
TOKEN = "123456789:AAHbench-Token_abcdefghijklmnopqrstuv"


# -- 1. the tick ------------------------------------------------------------------------------

def _rows(i: int) -> list[Any]:
    from kpi_engine.domain.model import SnapshotRow

    rnd = random.Random(i)
    dip = rnd.random() < 0.2  # a fifth of the workspaces had a bad week
    silent = rnd.random() < 0.1  # a tenth stopped sending tiktok data 5 days ago
    out: list[Any] = []
    for platform, handle, competitor in CHANNELS:
        level = rnd.randint(5_000, 80_000)
        for d in range(DAYS):
            day = TODAY - timedelta(days=DAYS - 1 - d)
            if silent and platform == "tiktok" and day > TODAY - timedelta(days=5):
                continue
            level += rnd.randint(-10, 60)
            factor = 0.6 if dip and day > TODAY - timedelta(days=7) else 1.0
            reach = rnd.randint(2_000, 20_000)
            values = {"followers": level, "likes": reach // 25 * factor,
                      "comments": reach // 250 * factor, "reach": reach,
                      "clicks": reach // 60, "spend": rnd.randint(50_000, 600_000)}
            out.extend(SnapshotRow(day, platform, handle, m, float(round(values[m])),
                                   competitor=competitor) for m in METRICS)
    return out


#: What a team adds: limits that hold on most days (alerts are the exception).
TEAM_RULES = (
    ("threshold", "engagement_rate", None, "<", 0.4, "day"),
    ("threshold", "reach", None, "<", 6_000.0, "day"),
    ("threshold", "cpc", "instagram", ">", 8_000.0, "day"),
    ("threshold", "clicks", None, "<", 60.0, "day"),
    ("threshold", "followers", "tiktok", "<", 6_000.0, "day"),
    ("drop", "reach", None, "<", 30.0, "week"),
    ("drop", "clicks", "instagram", "<", 40.0, "day"),
)
GOAL_START, GOAL_DEADLINE = TODAY - timedelta(days=30), TODAY + timedelta(days=30)


def _goals(rows: list[Any]) -> list[tuple[str, str | None, float, float | None]]:
    """Five goals near the workspace's own pace: (metric, channel, target, baseline)."""
    own = [r for r in rows if not r.handle]
    days = len({r.day for r in own})

    def daily(metric: str, platform: str | None = None) -> float:
        return sum(r.value for r in own if r.metric == metric and
                   (platform is None or r.platform == platform)) / days

    start_level = next(r.value for r in own if r.metric == "followers" and
                       r.platform == "instagram" and r.day == GOAL_START)
    return [("reach", None, 58 * daily("reach"), None),
            ("followers", "instagram", start_level + 60 * 24.0, start_level),
            ("engagement_rate", None, 100 * (daily("likes") + daily("comments")) / (
                2 * 45_000), None),
            ("clicks", "tiktok", 57 * daily("clicks", "tiktok"), None),
            ("spend", None, 62 * daily("spend"), None)]


def build_tick_db(path: Path, workspaces: int) -> Any:
    from sqlalchemy import insert

    from kpi_engine.domain.model import Role
    from kpi_engine.storage import schema_alerts as a
    from kpi_engine.storage.db import make_engine, migrate
    from kpi_engine.storage.schema_goals import goals
    from kpi_engine.storage.store import Store

    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    started = time.perf_counter()
    created = datetime(2026, 10, 1, tzinfo=UTC)
    snapshots = 0
    for i in range(workspaces):
        ws = store.ensure_workspace(f"ws{i:04d}")
        rows = _rows(i)
        snapshots += store.write_snapshots(ws.id, rows).written
        store.link_chat(ws.id, "telegram", str(100_000 + i), Role.ADMIN)
        with store.begin() as conn:
            conn.execute(insert(a.alert_rules), [
                {"workspace_id": ws.id, "kind": k, "metric": m, "channel": c, "op": op,
                 "value": v, "period": p, "periods": 4, "repeat_minutes": 1440,
                 "created_at": created} for k, m, c, op, v, p in TEAM_RULES])
            conn.execute(insert(goals), [
                {"workspace_id": ws.id, "metric": m, "channel": c, "value_kind": "absolute",
                 "value_input": target, "target": target, "baseline": baseline,
                 "start_day": GOAL_START, "deadline": GOAL_DEADLINE, "verdict": "",
                 "status": "active", "created_at": created, "updated_at": created}
                for m, c, target, baseline in _goals(rows)])
    print(f"  built {workspaces:,} workspaces, {snapshots:,} snapshots, "
          f"{workspaces * (3 + len(TEAM_RULES)):,} rules, {workspaces * 5:,} goals in "
          f"{time.perf_counter() - started:.0f}s", file=sys.stderr)
    return engine, snapshots


def reset(engine: Any) -> None:
    from sqlalchemy import delete, update

    from kpi_engine.storage import schema_alerts as a
    from kpi_engine.storage.schema_goals import goal_events, goals
    from kpi_engine.storage.schema_ticks import tick_marks

    with engine.begin() as conn:  # no tick marks either: the cold tick evaluates everything
        for table in (a.outbox, a.outbox_charts, a.alert_log, a.alert_state, goal_events,
                      tick_marks):
            conn.execute(delete(table))
        conn.execute(update(goals).values(status="active", status_at=None))


def tick_bench(quick: bool) -> dict[str, Any]:
    from sqlalchemy import event

    from bot.alert_views import render
    from kpi_engine.services.alert_inputs import run_tick
    from kpi_engine.storage.store import Store

    OUT.mkdir(parents=True, exist_ok=True)
    workspaces = 100 if quick else 1000
    engine, snapshots = build_tick_db(OUT / f"alerts-{workspaces}.db", workspaces)
    store = Store(engine)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    results = []
    for _ in range(2 if quick else 3):
        reset(engine)
        statements = 0
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        queued = run_tick(store, NOW, render)
        cold = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        again = run_tick(store, NOW, render)
        warm = time.perf_counter() - started
        results.append((cold, warm, statements, len(queued), len(again)))
    cold, warm, statements, events, repeats = min(results)
    assert repeats == 0
    print(f"  tick: {events:,} alert events, cold {cold:.2f}s ({statements} statements), "
          f"warm {warm:.2f}s", file=sys.stderr)
    engine.dispose()
    return {"alert_workspaces": workspaces, "alert_snapshots": snapshots,
            "alert_rules": workspaces * (3 + len(TEAM_RULES)),
            "alert_goals": workspaces * 5, "alert_events": events,
            "alert_tick_s": round(cold, 3), "alert_tick_warm_s": round(warm, 3),
            "alert_tick_statements": statements}


# -- 1b. the tick that grows with work (issue 18) -------------------------------------------

def tick_scale_bench(quick: bool) -> dict[str, Any]:
    """On SQLite, and on PostgreSQL too (in a schema of its own, dropped after) when
    ``KPIBOT_BENCH_POSTGRES_URL`` is set (``alert_tick_10k_pg_s``)."""
    import os

    from sqlalchemy import text

    from kpi_engine.storage.db import make_engine

    n, changed = (1_000, 50) if quick else (10_000, 500)
    path = OUT / f"alerts-scale-{n}.db"
    if path.exists():
        path.unlink()
    result = _tick_scale(make_engine(f"sqlite:///{path}"), n, changed)
    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if not url:
        result["alert_tick_10k_pg_s"] = None
        return result
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS bench_tick CASCADE"))
        conn.execute(text("CREATE SCHEMA bench_tick"))
    try:
        pg = _tick_scale(make_engine(url, connect_args={"options": "-csearch_path=bench_tick"}),
                         n, changed)
    finally:
        with admin.begin() as conn:
            conn.execute(text("DROP SCHEMA bench_tick CASCADE"))
        admin.dispose()
    result.update({f"{k.replace('_10k_', '_10k_pg_')}": v for k, v in pg.items()
                   if k.startswith("alert_tick_10k")})
    return result


def _tick_scale(engine: Any, n: int, changed: int) -> dict[str, Any]:
    """10,000 workspaces (``--quick``: 1,000), one channel with reach and likes for 40
    days each, the default rules; after a tick that evaluated them all, 500 (``--quick``:
    50) get a new snapshot through ``Store.write_snapshots`` and the next tick, a minute
    later, is timed with its statements counted (``alert_tick_10k_s``)."""
    from sqlalchemy import event, insert

    from bot.alert_views import render
    from kpi_engine.services.alert_inputs import run_tick
    from kpi_engine.storage import schema as t
    from kpi_engine.storage.db import migrate
    from kpi_engine.storage.store import Store

    migrate(engine)
    store = Store(engine)
    created = datetime(2026, 10, 1, tzinfo=UTC)
    started = time.perf_counter()
    with engine.begin() as conn:  # bulk set-up: the tick's inputs, not the write path
        conn.execute(insert(t.workspaces), [
            {"id": i + 1, "slug": f"s{i:05d}", "name": f"s{i:05d}", "timezone": "Asia/Jakarta",
             "language": "id", "currency": "IDR", "created_at": created} for i in range(n)])
        conn.execute(insert(t.channels), [
            {"id": i + 1, "workspace_id": i + 1, "platform": "instagram", "handle": "",
             "is_competitor": False, "created_at": created} for i in range(n)])
        rows = []
        for i in range(n):
            rnd = random.Random(i)
            for d in range(40):
                day = TODAY - timedelta(days=d)
                reach = rnd.randint(2_000, 20_000)
                rows += [{"workspace_id": i + 1, "metric": "reach", "channel_id": i + 1,
                          "day": day, "campaign": "", "value": float(reach),
                          "updated_at": created},
                         {"workspace_id": i + 1, "metric": "likes", "channel_id": i + 1,
                          "day": day, "campaign": "", "value": float(reach // 25),
                          "updated_at": created}]
            if len(rows) > 100_000:
                conn.execute(insert(t.snapshots), rows)
                rows = []
        if rows:
            conn.execute(insert(t.snapshots), rows)
    print(f"  scale ({engine.dialect.name}): built {n:,} workspaces in {time.perf_counter() - started:.0f}s",
          file=sys.stderr)
    started = time.perf_counter()
    run_tick(store, NOW, render)  # every workspace once (never evaluated)
    first = time.perf_counter() - started
    idle_started = time.perf_counter()
    idle = run_tick(store, NOW + timedelta(minutes=1), render)  # nothing new
    idle_s = time.perf_counter() - idle_started
    from kpi_engine.domain.model import SnapshotRow

    for i in random.Random(7).sample(range(n), changed):
        store.write_snapshots(i + 1, [SnapshotRow(TODAY, "instagram", "", "reach", 9_999.0)])
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    run_tick(store, NOW + timedelta(minutes=2), render)
    tick = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    assert idle == []
    print(f"  scale ({engine.dialect.name}): first tick (all {n:,}) {first:.2f}s, idle tick {idle_s:.3f}s, "
          f"{changed} changed: {tick:.3f}s ({statements} statements)", file=sys.stderr)
    engine.dispose()
    return {"alert_tick_workspaces": n, "alert_tick_changed": changed,
            "alert_tick_10k_s": round(tick, 3), "alert_tick_10k_statements": statements,
            "alert_tick_10k_idle_s": round(idle_s, 3), "alert_tick_10k_all_s": round(first, 3)}


# -- 2. the fan-out ---------------------------------------------------------------------------

def _standin_child(conn: Any, per_second: int, chat_interval: float, chats: list[int]) -> None:
    from tests.telegram_standin import ApiError, BotApiStandin

    class Limited(BotApiStandin):
        """Telegram's limits: 429 with retry_after beyond 30/s overall or 1/s per chat."""

        def __init__(self) -> None:
            super().__init__(TOKEN)
            self.recent: deque[float] = deque()
            self.last: dict[str, float] = {}
            self.accepted: list[float] = []
            self.too_many = 0

        def _admit(self, params: dict[str, Any]) -> None:
            chat = str(params.get("chat_id"))
            now = time.monotonic()
            while self.recent and self.recent[0] <= now - 1.0:
                self.recent.popleft()
            if len(self.recent) >= per_second or now - self.last.get(chat, -9.0) < \
                    chat_interval:
                self.too_many += 1
                raise ApiError(429, "Too Many Requests: retry after 1", 1)
            self.recent.append(now)
            self.last[chat] = now
            self.accepted.append(now)

        async def _m_sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            self._admit(params)
            return await super()._m_sendmessage(params, files)

        async def _m_sendphoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
            self._admit(params)
            return await super()._m_sendphoto(params, files)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        api = Limited()
        await api.start()
        for chat in chats:
            api.add_chat(chat)
        conn.send(api.url)
        await loop.run_in_executor(None, conn.recv)  # "stop"
        conn.send((api.accepted, api.too_many))
        await api.stop()

    asyncio.run(main())


async def _fanout(chats: int, budget: float) -> dict[str, Any]:
    import multiprocessing

    from pydantic import SecretStr

    from adapters.chat.platform import delivery_policies
    from adapters.chat.telegram import TelegramPlatform
    from bot.bootstrap import bootstrap
    from bot.digest_views import render_digest
    from bot.runtime.dispatcher import Dispatcher
    from config.settings import Settings
    from kpi_engine.services.digests import build_digest
    from kpi_engine.services.seed import seed_demo
    from kpi_engine.storage import outbox
    from kpi_engine.storage.db import make_engine, migrate

    ids = [200_000 + i for i in range(chats)]
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_standin_child, args=(child, 30, 1.0, ids), daemon=True)
    process.start()
    url = parent.recv()
    db = OUT / "fanout.db"
    if db.exists():
        db.unlink()
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    app = bootstrap(Settings(telegram_token=SecretStr(TOKEN), telegram_api_url=url),
                    engine=engine, check_schema=False)
    ws, _ = seed_demo(app.store, TODAY)
    view = render_digest(build_digest(app.store, ws, "daily", TODAY + timedelta(days=1), NOW))
    reply = view.reply
    assert view.chart is not None
    with app.store.begin() as conn:  # one digest, fanned out: text then chart per chat
        chart_id = outbox.add_chart(conn, view.chart, NOW)
        messages = []
        for chat in ids:
            messages.append(outbox.Message(f"f:{chat}:text", ws.id, "digest", "telegram",
                                           str(chat), "id", reply.title, "\n".join(reply.body),
                                           NOW, reply.footer))
            messages.append(outbox.Message(f"f:{chat}:chart", ws.id, "digest", "telegram",
                                           str(chat), "id", view.chart_caption, "", NOW,
                                           chart_id=chart_id))
        outbox.enqueue(conn, messages, NOW)
    platform = TelegramPlatform(app)
    await platform.application.initialize()
    dispatcher = Dispatcher(app.engine, {"telegram": platform}, clock=lambda: NOW, sole=True,
                            policies=delivery_policies())
    started = time.perf_counter()
    try:
        stats = await dispatcher.drain(timeout=budget)
    finally:
        await platform.application.shutdown()
    wall = time.perf_counter() - started
    parent.send("stop")
    accepted, too_many = parent.recv()
    process.join(10)
    app.close()
    sent = len(accepted)
    rate = (sent - 1) / (accepted[-1] - accepted[0]) if sent > 1 else 0.0
    print(f"  fan-out: {sent:,} of {2 * chats:,} messages to {chats:,} chats in {wall:.1f}s, "
          f"{rate:.1f} msgs/s sustained, {too_many} × 429, dispatcher {stats}",
          file=sys.stderr)
    return {"fanout_chats": chats, "fanout_messages": sent,
            "fanout_msgs_per_s": round(rate, 2), "fanout_429s": too_many,
            "fanout_wall_s": round(wall, 1)}


def run(quick: bool = False) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    result = tick_bench(quick)
    result.update(tick_scale_bench(quick))
    result.update(asyncio.run(_fanout(100 if quick else 1000, 40 if quick else 150)))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="100 workspaces, 100 chats")
    args = ap.parse_args()
    print(json.dumps(run(args.quick)))


if __name__ == "__main__":
    main()
