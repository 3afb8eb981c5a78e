"""One ``kpibot serve`` per SQLite file (issue 13, item 4): a second one refuses to start with
a clear message; the lock goes with the process, even after ``kill -9``; PostgreSQL, with
its leader lock, stays the way to run several."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kpi_engine.storage.db import SqliteServerLock

ROOT = Path(__file__).resolve().parents[2]


def env_for(db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    return {**env, "PYTHONPATH": str(ROOT), "KPIBOT_DATABASE_URL": db, "KPIBOT_HTTP_PORT": "0",
            "KPIBOT_LOG_LEVEL": "INFO"}


def start(env: dict[str, str], cwd: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "adapters.cli", "serve"], cwd=cwd,
                                   env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"HTTP server on [\d.]+:(\d+)", log.read_text())
        if found and "scheduler: leading" in log.read_text():
            return process, int(found.group(1))
        assert process.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError(log.read_text())


def healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        return bool(r.status == 200)


@pytest.mark.slow
def test_a_second_serve_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    env = env_for(f"sqlite:///{tmp_path / 'k.db'}")
    first, port = start(env, tmp_path, tmp_path / "first.log")
    try:
        second = subprocess.run([sys.executable, "-m", "adapters.cli", "serve"], cwd=tmp_path,
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        lines = [line for line in second.stderr.splitlines() if line.startswith("kpibot")]
        assert lines == [
            f"kpibot serve: another kpibot serve (pid {first.pid}) is already running on the "
            f"SQLite database {tmp_path / 'k.db'}. One SQLite file takes one server: stop the "
            "other one, or use PostgreSQL to run several (docs/deploy.md)."], second.stderr
        assert "Traceback" not in second.stderr
        assert "scheduler: leading" not in second.stderr  # it never led
        assert healthy(port)  # the first one is untouched
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        third, port = start(env, tmp_path, tmp_path / "third.log")  # the kernel freed it
        third.terminate()
        assert third.wait(30) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(30)


def test_other_commands_and_other_databases_take_no_server_lock(tmp_path: Path) -> None:
    assert SqliteServerLock.for_url("postgresql+psycopg://u:p@h/kpibot") is None
    assert SqliteServerLock.for_url("sqlite://") is None
    lock = SqliteServerLock.for_url(f"sqlite:///{tmp_path / 'k.db'}")
    assert lock is not None and lock.path == tmp_path / "k.db.serve.lock"
    lock.acquire()
    try:  # the CLI's one-shot commands keep working while a server runs
        done = subprocess.run([sys.executable, "-m", "adapters.cli", "ask", "/bantuan"],
                              cwd=tmp_path, env=env_for(f"sqlite:///{tmp_path / 'k.db'}"),
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    finally:
        lock.release()
