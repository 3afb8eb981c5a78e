"""Telegram throughput: N ``/kpi`` updates through the full stack (PTB polling → router →
engine on SQLite → sendMessage) against the Bot API stand-in, in answered updates per
second; and the same N updates through a bare PTB echo bot against the same stand-in (the
reference: what PTB and the stand-in alone allow on this machine).

``python bench/telegram.py [--quick] [-n N]``; the last line is one JSON object with
``telegram_updates_per_s`` and ``telegram_echo_updates_per_s``.

The stand-in runs in a child process (its own core). All N updates are queued at once from
50 chats; the rate is N over the time from queueing to the last answer. Telegram's flood
limit (~30 messages/s overall) would cap any bot at 30/s against the real API, so the KPI
bot runs with the rate limiter's overall limit lifted: what is measured is the bot's own
throughput. ``AIORateLimiter`` (with retries) and the per-chat ordering stay in the path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
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


async def kpi_bot(api: Any, n: int, workdir: Path) -> float:
    from pydantic import SecretStr

    from adapters.telegram import TelegramPlatform, build_application
    from bot.bootstrap import bootstrap
    from config.settings import Settings
    from kpi_engine.model import Role
    from kpi_engine.seed import seed_demo

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
        return await _measure(api, counter, n, True)
    finally:
        await platform.stop()
        app.close()


async def echo_bot(api: Any, n: int) -> float:
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
        return await _measure(api, counter, n, False)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


def run(quick: bool = False, n: int | None = None) -> dict[str, Any]:
    """Both runs; returns the figures for the summary line."""
    import logging

    from tests.telegram_standin import StandinProcess

    logging.getLogger("httpx").setLevel(logging.WARNING)
    count = n or (300 if quick else 2000)
    results: dict[str, Any] = {"telegram_updates": count}
    with tempfile.TemporaryDirectory() as tmp:
        runs = (("telegram_updates_per_s", lambda api: kpi_bot(api, count, Path(tmp))),
                ("telegram_echo_updates_per_s", lambda api: echo_bot(api, count)))
        for name, bench in runs:
            standin = StandinProcess(TOKEN, CHATS)
            standin.start()
            try:
                rate = asyncio.run(bench(standin))
            finally:
                standin.stop()
            results[name] = round(rate, 1)
            print(f"  {name}: {rate:,.0f} answered updates/s ({count} updates)",
                  file=sys.stderr)
    results["telegram_vs_echo"] = round(
        results["telegram_updates_per_s"] / results["telegram_echo_updates_per_s"], 2)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="300 updates instead of 2000")
    ap.add_argument("-n", type=int, default=None, help="number of updates per run")
    args = ap.parse_args()
    print(json.dumps(run(quick=args.quick, n=args.n)))


if __name__ == "__main__":
    main()
