"""``bot/worker_pool.py``: a worker process does not outlive the bot (``kill -9`` of a leader
left its render and build workers running, the builder holding a database connection)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import os, sys
from bot.worker_pool import WorkerPool

pool = WorkerPool(1, "test", print, ("worker up",))
print(pool.executor().submit(os.getpid).result(60), flush=True)
sys.stdin.read()  # until killed
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_worker_exits_when_the_bot_is_killed() -> None:
    bot = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert bot.stdout is not None
        lines = [bot.stdout.readline().strip() for _ in range(2)]
        worker = int(next(line for line in lines if line.isdigit()))
        assert alive(worker)
        os.kill(bot.pid, signal.SIGKILL)
        bot.wait(10)
        deadline = time.monotonic() + 15
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(worker), "the worker outlived the bot"
    finally:
        if bot.poll() is None:
            bot.kill()
