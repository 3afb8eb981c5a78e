"""Telegram throughput: N ``/kpi`` updates through the full stack (PTB polling → router →
engine on SQLite → sendMessage) against the Bot API stand-in, in answered updates per
second; and the same N updates through a bare PTB echo bot against the same stand-in (the
reference: what PTB and the stand-in alone allow on this machine).

``python bench/telegram.py [--quick] [-n N] [--rounds R]``; the last line is one JSON
object with ``telegram_updates_per_s``, ``telegram_echo_updates_per_s`` and their ratio.

Each bot has its own stand-in in a child process (its own core). Both bots run side by
side and take turns: every round queues N updates at once (from 50 chats) for KPI Bot,
waits for the last answer, then does the same for the echo bot; the rate is N over the
time from queueing to the last answer. The figures are medians over the rounds, so that a
burst of load from elsewhere on this shared machine does not decide the result.

Telegram's flood limit (~30 messages/s overall) would cap any bot at 30/s against the real
API, so the KPI bot runs with the rate limiter's overall limit lifted: what is measured is
the bot's own throughput. ``AIORateLimiter`` (with retries) and the per-chat ordering stay in the path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
# this file is named like the ``telegram`` package: keep bench/ off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TOKEN = "123456789:AAHbench-Token_abcdefghijklmnopqrstu"
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
CHATS = [1000 + i for i in range(50)]
QUESTIONS = ("/kpi reach minggu ini", "/kpi engagement instagram bulan lalu",
             "/kpi followers tiktok 30 hari terakhir", "/kpi er minggu lalu")
WARM_UP = 100


class Counter:
    """Answered messages so far (the stand-in's count is cumulative)."""

    def __init__(self) -> None:
        self.total = 0


async def _measure(api: Any, counter: Counter, n: int, check: bool) -> float:
    """Queue ``n`` updates at once; answered updates per second."""
    messages = [(CHATS[i % len(CHATS)], QUESTIONS[i % len(QUESTIONS)]) for i in range(n)]
    since = counter.total
    t0 = time.perf_counter()
    api.inject(messages)
    last, texts = await asyncio.to_thread(api.wait, since + n, since)
    counter.total += n
    if check:
        bad = [t for t in texts if "belum terhubung" in t or "Maaf" in t or "<b>" not in t]
        if bad:
            raise SystemExit(f"unexpected answer: {bad[0]}")
    return n / (last - t0)


@contextlib.asynccontextmanager
async def kpi_bot(api: Any, workdir: Path) -> AsyncIterator[Counter]:
    """KPI Bot (PTB polling → router → SQLite → sendMessage) running against ``api``."""
    from pydantic import SecretStr

    from adapters.chat.telegram import TelegramPlatform, build_application
    from bot.bootstrap import bootstrap
    from config.settings import Settings
    from kpi_engine.domain.model import Role
    from kpi_engine.services.seed import seed_demo

    settings = Settings(database_url=f"sqlite:///{workdir / 'bench.db'}",
                        telegram_token=SecretStr(TOKEN), telegram_api_url=api.url)
    app = bootstrap(settings, clock=lambda: NOW)
    ws, _ = seed_demo(app.store, TODAY)
    for chat in CHATS:
        app.store.link_chat(ws.id, "telegram", str(chat), Role.VIEWER)
    application = build_application(app, overall_max_rate=0)
    platform = TelegramPlatform(app, application=application, poll_timeout=2)
    await platform.start()
    counter = Counter()
    try:
        await _measure(api, counter, WARM_UP, True)  # statement caches, connections
        yield counter
    finally:
        await platform.stop()
        app.close()


@contextlib.asynccontextmanager
async def echo_bot(api: Any) -> AsyncIterator[Counter]:
    """A bare PTB echo bot (the reference) running against ``api``."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message and update.message.text:
            await update.message.reply_text(update.message.text)

    application = (ApplicationBuilder().token(TOKEN).base_url(f"{api.url}/bot")
                   .base_file_url(f"{api.url}/file/bot").concurrent_updates(8).build())
    application.add_handler(MessageHandler(filters.TEXT, echo))
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=2)
    await application.start()
    counter = Counter()
    try:
        await _measure(api, counter, WARM_UP, False)
        yield counter
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def _rounds(kpi_api: Any, echo_api: Any, n: int, rounds: int,
                  workdir: Path) -> list[tuple[float, float]]:
    """Both bots run side by side (each with its own stand-in); every round sends ``n``
    updates to KPI Bot, then ``n`` to the echo bot, so that both see the same machine."""
    pairs = []
    async with kpi_bot(kpi_api, workdir) as kpi, echo_bot(echo_api) as echo:
        for i in range(rounds):
            pair = (await _measure(kpi_api, kpi, n, True),
                    await _measure(echo_api, echo, n, False))
            print(f"  round {i + 1}: KPI Bot {pair[0]:,.0f}/s, echo {pair[1]:,.0f}/s, "
                  f"ratio {pair[0] / pair[1]:.2f}", file=sys.stderr)
            pairs.append(pair)
    return pairs


def run(quick: bool = False, n: int | None = None, rounds: int | None = None
        ) -> dict[str, Any]:
    """The interleaved rounds; returns the figures for the summary line: the median rate of
    each bot, and the median of the per-round ratios (one round's two runs are seconds
    apart, so a noisy neighbour on this shared machine moves both)."""
    import logging

    from tests.telegram_standin import StandinProcess

    logging.getLogger("httpx").setLevel(logging.WARNING)
    count = n or (300 if quick else 1000)
    rounds = rounds or (3 if quick else 5)
    standins = [StandinProcess(TOKEN, CHATS) for _ in range(2)]
    for standin in standins:
        standin.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pairs = asyncio.run(_rounds(*standins, count, rounds, Path(tmp)))
    finally:
        for standin in standins:
            standin.stop()
    results = {"telegram_updates": count * rounds,
               "telegram_updates_per_s": round(statistics.median(k for k, _ in pairs), 1),
               "telegram_echo_updates_per_s": round(statistics.median(e for _, e in pairs), 1),
               "telegram_vs_echo": round(statistics.median(k / e for k, e in pairs), 2)}
    print(f"  median of {rounds} rounds of {count}: KPI Bot "
          f"{results['telegram_updates_per_s']:,.0f}/s, echo "
          f"{results['telegram_echo_updates_per_s']:,.0f}/s, ratio "
          f"{results['telegram_vs_echo']:.2f}", file=sys.stderr)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="3 rounds of 300 updates, not 5 of 1000")
    ap.add_argument("-n", type=int, default=None, help="updates per bot per round")
    ap.add_argument("--rounds", type=int, default=None, help="number of rounds")
    args = ap.parse_args()
    print(json.dumps(run(quick=args.quick, n=args.n, rounds=args.rounds)))


if __name__ == "__main__":
    main()
