"""Slack benchmark: signed ``/kpi`` slash commands through ``POST /slack/events``.

The bot runs as its own process, ``kpibot serve``'s code path (``adapters.http.server.serve``:
the one aiohttp server, slack-bolt with its signature check, the router on a seeded SQLite
demo workspace, the real slack-sdk client); this process signs the commands, sends them over
loopback and plays the Slack Web API with the tests' stand-in (``tests/slack_standin.py``).
Every command comes from its own linked channel, so the one-message-per-second-per-channel
pacing never holds an answer back; ``--concurrency`` commands are in flight at a time.

Measured: time to ack (the HTTP response Slack waits for, 3 s at most) — its p95 and acks per
second (``slack_commands_per_s``) — and answers posted per second (first command sent → last
``chat.postMessage`` received by the stand-in).

``python bench/slack.py [--quick]`` prints one JSON object; ``bench/run.py`` calls ``run()``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# run as a script, bench/ comes first on the path: bench/telegram.py would shadow the
# telegram package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "bench-signing-secret-7c1e"
TOKEN = "xoxb-bench-token"
NOW = datetime(2026, 11, 22, 15, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 \
        else samples[0]


def signed(body: str, timestamp: str) -> dict[str, str]:
    from slack_sdk.signature import SignatureVerifier

    signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or "",
            "Content-Type": "application/x-www-form-urlencoded"}


def command_body(channel: str, response_url: str) -> str:
    return urlencode({
        "token": "legacy", "team_id": "T0KPI", "team_domain": "bench", "channel_id": channel,
        "channel_name": "bench", "user_id": "U0BENCH", "user_name": "bench",
        "command": "/kpi", "text": "reach minggu ini", "api_app_id": "A0KPI",
        "response_url": response_url, "trigger_id": "1.2.3"})


def prepare(url: str, channels: list[str]) -> None:
    """A migrated SQLite database with the demo workspace and every bench channel linked."""
    from kpi_engine.domain.model import Role
    from kpi_engine.services.seed import seed_demo
    from kpi_engine.storage.db import make_engine, migrate
    from kpi_engine.storage.store import Store

    engine = make_engine(url)
    migrate(engine)
    store = Store(engine)
    ws, _ = seed_demo(store, NOW.date())
    for channel in channels:
        store.link_chat(ws.id, "slack", channel, Role.VIEWER)
    engine.dispose()


def serve_bot(url: str, api_url: str) -> None:
    """The bot process: ``kpibot serve`` with Slack on (port 0); prints its port."""
    from pydantic import SecretStr

    from adapters.http.server import serve
    from bot.bootstrap import bootstrap
    from config.settings import Settings

    settings = Settings(database_url=url, slack_bot_token=SecretStr(TOKEN),
                        slack_signing_secret=SecretStr(SECRET), slack_api_url=api_url,
                        http_host="127.0.0.1", http_port=0, log_level="WARNING")
    app = bootstrap(settings, clock=lambda: NOW)

    async def started(port: int) -> None:
        print(port, flush=True)

    asyncio.run(serve(app, on_started=started))


async def _run(commands: int, concurrency: int) -> dict[str, Any]:
    import aiohttp

    from tests.slack_standin import SlackStandIn

    warmup = 20
    channels = [f"C{i:06d}" for i in range(warmup + commands)]
    standin = await SlackStandIn().start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'slack-bench.db'}"
        prepare(url, channels)
        bot = await asyncio.create_subprocess_exec(
            sys.executable, str(Path(__file__).resolve()), "--serve", url, standin.api_url,
            stdout=asyncio.subprocess.PIPE, cwd=ROOT)
        assert bot.stdout is not None
        port = int((await asyncio.wait_for(bot.stdout.readline(), 60)).decode() or 0)
        if not port:
            raise SystemExit("bench/slack.py: the bot process did not start")
        events = f"http://127.0.0.1:{port}/slack/events"
        timestamp = str(int(time.time()))
        bodies = [command_body(c, standin.response_url(c)) for c in channels]
        requests = [(b, signed(b, timestamp)) for b in bodies]  # the client's work, not timed
        acks: list[float] = []
        failed = 0
        gate = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency)
        try:
            async with aiohttp.ClientSession(connector=connector) as http:
                async def send(body: str, headers: dict[str, str], record: bool) -> None:
                    nonlocal failed
                    async with gate:
                        t0 = time.perf_counter()
                        async with http.post(events, data=body, headers=headers) as resp:
                            await resp.read()
                            ok = resp.status == 200
                        if record:
                            acks.append((time.perf_counter() - t0) * 1000)
                        failed += not ok

                await asyncio.gather(*(send(b, h, False) for b, h in requests[:warmup]))
                await standin.wait_calls("chat.postMessage", warmup, timeout=60)
                start = time.perf_counter()
                await asyncio.gather(*(send(b, h, True) for b, h in requests[warmup:]))
                acked = time.perf_counter() - start
                posts = await standin.wait_calls("chat.postMessage", warmup + commands,
                                                 timeout=600)
                answered = time.perf_counter() - start
        finally:
            if bot.returncode is None:
                bot.terminate()  # SIGTERM: serve() stops gracefully
            await bot.wait()
            await standin.stop()
    wrong = sum("jangkauan" not in str(p.params.get("text", "")).lower() for p in posts)
    result = {
        "slack_commands": commands,
        "slack_concurrency": concurrency,
        "slack_ack_p50_ms": round(statistics.median(acks), 2),
        "slack_ack_p95_ms": round(p95(acks), 2),
        "slack_commands_per_s": round(commands / acked, 1),
        "slack_answers_per_s": round(commands / answered, 1),
        "slack_failed": failed + wrong,
    }
    print(f"  slack: {commands} signed /kpi commands, {concurrency} in flight: ack p50 "
          f"{result['slack_ack_p50_ms']} ms, p95 {result['slack_ack_p95_ms']} ms, "
          f"{result['slack_commands_per_s']} acks/s, {result['slack_answers_per_s']} "
          f"answers/s, {result['slack_failed']} failed", file=sys.stderr)
    return result


def run(quick: bool = False, concurrency: int = 16) -> dict[str, Any]:
    """The Slack figures for ``bench/run.py``'s summary line."""
    return asyncio.run(_run(300 if quick else 2000, concurrency))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="300 commands instead of 2000")
    ap.add_argument("--concurrency", type=int, default=16, help="commands in flight")
    ap.add_argument("--serve", nargs=2, metavar=("DB_URL", "API_URL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve_bot(*args.serve)
        return
    print(json.dumps(run(args.quick, args.concurrency)))


if __name__ == "__main__":
    main()
