"""The 08:00 digest burst (issue 18). ``python bench/burst.py [--quick] [--render thread]``;
the last line is one JSON object.

2,000 daily digest subscriptions over 500 workspaces (``--quick``: 60 over 20), all due at
08:00 Asia/Jakarta, each with its chart, delivered by the real parts of ``kpibot serve``:
the scheduler's ``run_digest`` for every subscription at the fire time (what APScheduler
calls then), its digest pool and ``ChartCache``, the outbox dispatcher and its ``Pacer``,
``TelegramPlatform`` (python-telegram-bot, ``AIORateLimiter``) — against the Bot API
stand-in in its own process, which enforces Telegram's flood limits (30 messages/s overall,
1/s per chat: 429 with ``retry_after`` beyond).

- ``digest_burst_s``: from the fire time to the last digest message the stand-in accepted;
  ``digest_burst_floor_s``: the platform's floor for the messages really sent (each at
  30/s overall, a chat's messages 1 s apart); ``digest_burst_vs_floor`` their ratio.
- Checked on the stand-in's side: every expected message exactly once (a digest whose text
  fits the caption is one photo, else the text then the chart), text before chart per chat,
  ``digest_burst_429s`` counted by the stand-in.
- ``kpi_idle_p95_ms`` / ``kpi_during_burst_p95_ms``: a ``/kpi`` sent to the bot every second
  (from the stand-in, through getUpdates) answered before the burst, then during it, timed
  from the update's queueing to the stand-in's acceptance of the answer.

The database is SQLite (a file in bench/out) or, with ``KPIBOT_BENCH_POSTGRES_URL``, that
PostgreSQL database, in a schema of its own (``bench_burst_<pid>``, dropped at the end; a
killed run's is dropped by the next).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# bench/telegram.py would shadow the telegram package: drop bench/ from the path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
TOKEN = "123456789:AAHbench-Token_burstabcdefghijklmnopq"
TODAY = date(2026, 11, 24)  # a Tuesday: the digest covers Monday and the week to date
NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # Wednesday 08:00 in Jakarta
DAYS = 21
#: This run's schema: two runs at once (or a run's build processes still alive after it was
#: killed) never share one; a dead run's schema is dropped by the next (``_engine``).
SCHEMA = f"bench_burst_{os.getpid()}"
PER_SECOND = 30  # Telegram's overall limit, as the stand-in enforces it
CHAT_INTERVAL = 1.0
PROBE_CHATS = [990_000 + i for i in range(10)]
PROBE_TEXT = "/kpi reach minggu ini"
#: what a workspace tracks: most track their social channels; every fourth also its funnel
#: (conversions, revenue, spend, website visits), whose digest is too long for a caption
SOCIAL = ("followers", "reach", "impressions", "likes", "comments", "shares")
FUNNEL = (*SOCIAL, "mentions", "clicks", "conversions", "revenue", "spend",
          "website_visits")
CHANNELS = (("instagram", "", False), ("tiktok", "", False), ("instagram", "@rival", True))


def _rows(i: int) -> list[Any]:
    from kpi_engine.domain.model import SnapshotRow

    rnd = random.Random(i)
    metrics = FUNNEL if i % 4 == 3 else SOCIAL
    out: list[Any] = []
    for platform, handle, competitor in CHANNELS:
        level = rnd.randint(5_000, 80_000)
        for d in range(DAYS):
            day = TODAY - timedelta(days=DAYS - 1 - d)
            level += rnd.randint(-10, 60)
            reach = rnd.randint(2_000, 20_000)
            values = {"followers": level, "reach": reach, "impressions": reach * 2,
                      "likes": reach // 25, "comments": reach // 250, "shares": reach // 300,
                      "clicks": reach // 60, "conversions": reach // 900,
                      "revenue": rnd.randint(0, 3_000_000), "spend": rnd.randint(50_000, 600_000),
                      "website_visits": reach // 15, "mentions": rnd.randint(0, 40)}
            out.extend(SnapshotRow(day, platform, handle, m, float(values[m]),
                                   competitor=competitor) for m in metrics)
    return out


def _engine(quick: bool) -> Any:
    from sqlalchemy import text

    from kpi_engine.storage.db import make_engine, migrate

    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if url:
        admin = make_engine(url)
        with admin.begin() as conn:  # a schema of its own; those of dead runs go
            for (name,) in conn.execute(text(
                    "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bench\\_burst%'")):
                pid = name.removeprefix("bench_burst").lstrip("_")
                if not pid.isdigit() or not _alive(int(pid)):
                    conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
            conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        admin.dispose()
        engine = make_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        db = OUT / ("burst-quick.db" if quick else "burst.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    return engine


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _drop_schema() -> None:
    """This run's schema, when it ran on PostgreSQL."""
    from sqlalchemy import text

    from kpi_engine.storage.db import make_engine

    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if url:
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


def build(store: Any, workspaces: int, subs: int) -> list[tuple[int, int, str]]:
    """The workspaces, their data and the subscriptions: (sub id, chat, lang). Every fifth
    workspace has one English-speaking subscriber (their chart has English labels)."""
    from datetime import time as dtime

    from kpi_engine.domain.model import Role
    from kpi_engine.services.digests import subscribe

    t0 = time.perf_counter()
    out = []
    per_ws = subs // workspaces
    for i in range(workspaces):
        ws = store.ensure_workspace(f"agency-client-{i:03d}")
        store.write_snapshots(ws.id, _rows(i))
        for k in range(per_ws):
            chat = 300_000 + i * per_ws + k
            lang = "en" if (i % 5 == 0 and k == per_ws - 1) else None
            sub = subscribe(store, ws.id, "telegram", str(chat), "daily", dtime(8, 0), NOW,
                            lang=lang)
            out.append((sub.id, chat, lang or "id"))
        if i == 0:
            for chat in PROBE_CHATS:
                store.link_chat(ws.id, "telegram", str(chat), Role.VIEWER)
    print(f"  built {workspaces} workspaces, {len(out)} subscriptions in "
          f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return out


# -- the stand-in, in a process of its own --------------------------------------------------------

def _standin_child(conn: Any, chats: list[int]) -> None:
    from tests.telegram_standin import BotApiStandin, Limits

    async def probe(api: BotApiStandin, count: int, every: float) -> list[float]:
        """``/kpi`` from the probe chats, one every ``every`` s; the answer times (ms)."""
        out = []
        for n in range(count):
            started = time.perf_counter()
            chat = PROBE_CHATS[n % len(PROBE_CHATS)]
            before = len(api.sent("sendMessage", chat))
            api.inject(api.message(chat, PROBE_TEXT))
            found = await api.wait_for("sendMessage", before + 1, chat_id=chat, timeout=60)
            out.append((found[before].at - started) * 1000)
            await asyncio.sleep(max(0.0, every - (time.perf_counter() - started)))
        return out

    async def main() -> None:
        loop = asyncio.get_running_loop()
        api = BotApiStandin(TOKEN, limits=Limits(PER_SECOND, CHAT_INTERVAL))
        await api.start()
        for chat in chats + PROBE_CHATS:
            api.add_chat(chat)
        conn.send(api.url)
        probing: asyncio.Task[list[float]] | None = None
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "probe":
                probing = asyncio.ensure_future(probe(api, command[1], command[2]))
            elif command[0] == "probed":
                assert probing is not None
                conn.send(await probing)
            elif command[0] == "count":  # digest messages accepted so far, the last's time
                got = [c for c in api.calls if c.status == 200 and c.method in
                       ("sendMessage", "sendPhoto") and int(c.params["chat_id"]) in set(chats)]
                conn.send((len(got), max((c.at for c in got), default=0.0)))
            elif command[0] == "report":
                wanted = set(chats)
                sent = [(int(c.params["chat_id"]), c.method, c.at) for c in api.calls
                        if c.status == 200 and c.method in ("sendMessage", "sendPhoto")
                        and int(c.params["chat_id"]) in wanted]
                refused = sum(1 for c in api.calls if c.status == 429)
                conn.send((sent, refused, api.too_many))
            elif command[0] == "stop":
                await api.stop()
                return

    asyncio.run(main())


class Standin:
    def __init__(self, chats: list[int]) -> None:
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_standin_child, args=(child, chats), daemon=True)
        self.process.start()
        self.url: str = self.conn.recv()

    def ask(self, *command: Any) -> Any:
        self.conn.send(command)
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send(("stop",))
        self.process.join(10)


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 \
        else samples[0]


# -- the run --------------------------------------------------------------------------------------

async def burst(quick: bool, render: str, processes: int, niceness: int,
                builders: int, build_niceness: int) -> dict[str, Any]:
    from pydantic import SecretStr
    from sqlalchemy import select

    from adapters.chat.platform import delivery_policies
    from adapters.chat.telegram import TelegramPlatform
    from bot.bootstrap import bootstrap
    from bot.chart_cache import ChartCache
    from bot.runtime.scheduler import Scheduler
    from config.settings import Settings
    from kpi_engine.storage import schema_alerts as a
    from kpi_engine.storage.store import Store

    workspaces, subs = (20, 60) if quick else (500, 2000)
    engine = _engine(quick)
    made = build(Store(engine), workspaces, subs)
    chats = [chat for _, chat, _ in made]
    standin = Standin(chats)
    t_base = time.monotonic()

    def clock() -> datetime:  # 08:00 in Jakarta when the run starts, then on with the clock
        return NOW + timedelta(seconds=time.monotonic() - t_base)

    app = bootstrap(Settings(telegram_token=SecretStr(TOKEN), telegram_api_url=standin.url),
                    engine=engine, clock=clock, check_schema=False)
    platform = TelegramPlatform(app, poll_timeout=2)
    charts = ChartCache(processes=processes if render == "process" else 0, niceness=niceness)
    scheduler = Scheduler(app, {"telegram": platform}, clock=clock, charts=charts,
                          policies=delivery_policies())
    from bot.runtime.digest_builder import DigestBuilder

    scheduler.digest_builder = DigestBuilder(engine, processes=builders,
                                               niceness=build_niceness)
    scheduler.digest_builder.start()
    await platform.start()
    charts.start()
    stop = asyncio.Event()
    dispatching = asyncio.create_task(scheduler.dispatcher.run(stop))
    idle_n, every = (10, 1.0) if quick else (30, 1.0)
    try:
        standin.conn.send(("probe", 3, every))  # warm up: connections, statement caches
        await asyncio.to_thread(standin.ask, "probed")
        standin.conn.send(("probe", idle_n, every))
        idle = await asyncio.to_thread(standin.ask, "probed")
        # the fire time: every job's run_digest at once, as APScheduler starts them
        during_n = max(5, int(len(made) * 1.3 / PER_SECOND / every))
        standin.conn.send(("probe", during_n, every))
        t0 = time.perf_counter()
        done = await asyncio.gather(*(scheduler.run_digest(sub_id) for sub_id, _, _ in made))
        queued_s = time.perf_counter() - t0
        with engine.connect() as conn:
            o = a.outbox.c
            rows = conn.execute(select(o.chat_id, o.id, o.chart_id, o.body).where(
                o.kind == "digest").order_by(o.id)).all()
        expected: dict[int, list[str]] = {}
        for r in rows:
            expected.setdefault(int(r.chat_id), []).append(
                "sendPhoto" if r.chart_id is not None else "sendMessage")
        total = sum(len(v) for v in expected.values())
        deadline = time.monotonic() + 600
        while True:
            count, last = await asyncio.to_thread(standin.ask, "count")
            if count >= total or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        during = await asyncio.to_thread(standin.ask, "probed")
        sent, refused, too_many = await asyncio.to_thread(standin.ask, "report")
    finally:
        stop.set()
        await dispatching
        await scheduler.stop()  # (closes the digest builder too)
        await platform.stop()
        app.close()
        standin.stop()
        _drop_schema()
    burst_s = last - t0
    per_chat: dict[int, list[str]] = {}
    for chat, method, _ in sorted(sent, key=lambda s: s[2]):
        per_chat.setdefault(chat, []).append(method)
    wrong = [c for c in set(expected) | set(per_chat) if expected.get(c) != per_chat.get(c)]
    floor = max(total / PER_SECOND,
                max((len(v) - 1) * CHAT_INTERVAL for v in expected.values()))
    shapes = Counter(len(v) for v in expected.values())
    print(f"  burst ({engine.dialect.name}, render in a {render}, {builders} build processes): {sum(done)} of {len(made)} "
          f"digests queued in {queued_s:.1f}s; {len(sent)} of {total} messages "
          f"({shapes[1]} one-photo digests, {shapes[2]} text+chart) in {burst_s:.1f}s, floor "
          f"{floor:.1f}s ({burst_s / floor:.3f}x); {too_many} x 429; {len(wrong)} chats "
          f"wrong; charts rendered {charts.renders} ({charts.render_s / max(1, charts.renders) * 1000:.0f}"
          f" ms each from submission), shared {charts.hits}", file=sys.stderr)
    print(f"  /kpi p95 idle {p95(idle):.1f} ms ({len(idle)}), during the burst "
          f"{p95(during):.1f} ms ({len(during)})", file=sys.stderr)
    if wrong or len(sent) != total or sum(done) != len(made):
        raise SystemExit(f"burst: {len(wrong)} chats with missing, doubled or out-of-order "
                         f"messages (e.g. {sorted(wrong)[:3]}); {len(sent)} of {total} sent")
    engine.dispose()
    return {"digest_burst_subscriptions": len(made), "digest_burst_workspaces": workspaces,
            "digest_burst_messages": total, "digest_burst_s": round(burst_s, 2),
            "digest_burst_floor_s": round(floor, 2),
            "digest_burst_vs_floor": round(burst_s / floor, 3),
            "digest_burst_429s": too_many + max(0, refused - too_many),
            "digest_burst_charts_rendered": charts.renders,
            "digest_burst_charts_shared": charts.hits,
            "kpi_idle_p95_ms": round(p95(idle), 1),
            "kpi_during_burst_p95_ms": round(p95(during), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="60 subscriptions over 20 workspaces")
    ap.add_argument("--render", choices=("process", "thread"), default="process",
                    help="where charts are rendered (the scheduler's default: process)")
    ap.add_argument("--render-processes", type=int, default=None,
                    help="render processes (default: the scheduler's RENDER_PROCESSES)")
    ap.add_argument("--build-processes", type=int, default=None,
                    help="digest build processes (default: the scheduler's DIGEST_PROCESSES)")
    ap.add_argument("--render-niceness", type=int, default=None,
                    help="how much lower the render processes run (default: RENDER_NICENESS)")
    ap.add_argument("--build-niceness", type=int, default=None,
                    help="how much lower the build processes run (default: BUILD_NICENESS)")
    args = ap.parse_args()
    from bot.chart_cache import RENDER_NICENESS
    from bot.runtime.digest_builder import BUILD_NICENESS
    from bot.runtime.scheduler import DIGEST_PROCESSES, RENDER_PROCESSES

    processes = args.render_processes or RENDER_PROCESSES
    niceness = RENDER_NICENESS if args.render_niceness is None else args.render_niceness
    builders = DIGEST_PROCESSES if args.build_processes is None else args.build_processes
    print(json.dumps(asyncio.run(burst(args.quick, args.render, processes, niceness,
                                       builders, BUILD_NICENESS if args.build_niceness is None
                                       else args.build_niceness))))


if __name__ == "__main__":
    main()
