"""HTTP API ingestion benchmark: snapshots posted to a running ``kpibot serve``.

1,000,000 rows (``--quick``: 100,000) in 10,000-row batches of ``POST /api/v1/snapshots``
against ``kpibot serve`` started as a real subprocess (migrated, with a token made by
``kpibot token create``), on SQLite, and on PostgreSQL too when ``KPIBOT_TEST_POSTGRES_URL``
or ``--pg URL`` is given (a fresh schema, dropped afterwards). The client (aiohttp) sends
the batches one after another, as an automation tool does (``IN_FLIGHT``; more in flight
only adds lock and GIL contention on two cores); the batches are encoded before the clock
starts, so the figure is the server's: JSON parsing, validation of every row, the idempotent
upsert, the reply.

``python bench/api.py [--quick] [--pg URL]``; prints one JSON object with ``api_rows_per_s``
(and ``api_rows_per_s_pg``). ``bench/run.py`` calls :func:`run`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BATCH = 10_000
IN_FLIGHT = 1
METRICS = ("reach", "impressions", "views", "likes", "comments", "shares", "saves", "clicks",
           "spend", "revenue")
PLATFORMS = ("instagram", "tiktok", "youtube", "facebook", "linkedin")
CHANNELS = tuple(p if i == 0 else f"{p}:@brand{i}" for p in PLATFORMS for i in range(4))


def batches(n: int) -> list[bytes]:
    """``n`` distinct snapshot rows (20 channels × 10 metrics per day, back from 2026-11-22),
    encoded as JSON bodies of ``BATCH`` rows."""
    out: list[bytes] = []
    rows: list[dict[str, Any]] = []
    day = date(2026, 11, 22)
    made = 0
    while made < n:
        iso = day.isoformat()
        for channel in CHANNELS:
            for metric in METRICS:
                if made == n:
                    break
                rows.append({"date": iso, "channel": channel, "metric": metric,
                             "value": (made * 7919) % 100_000})
                made += 1
                if len(rows) == BATCH:
                    out.append(json.dumps({"rows": rows}).encode())
                    rows = []
        day -= timedelta(days=1)
    if rows:
        out.append(json.dumps({"rows": rows}).encode())
    return out


def _kpibot() -> list[str]:
    exe = Path(sys.executable).with_name("kpibot")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]


def _env(url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KPIBOT_")}
    env.update(KPIBOT_DATABASE_URL=url, KPIBOT_HTTP_HOST="127.0.0.1",
               KPIBOT_HTTP_PORT=str(port), KPIBOT_LOG_LEVEL="WARNING")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str) -> Iterator[tuple[str, str]]:
    """``kpibot serve`` on a migrated database; yields (base URL, API token)."""
    port = _free_port()
    env = _env(url, port)
    kpibot = _kpibot()
    subprocess.run([*kpibot, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    made = subprocess.run([*kpibot, "token", "create", "--workspace", "bench"], env=env,
                          cwd=ROOT, check=True, capture_output=True, text=True)
    token = made.stdout.strip().splitlines()[-1]
    log = OUT / "api-serve.log"
    with log.open("w") as stderr:
        proc = subprocess.Popen([*kpibot, "serve"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=stderr)
        try:
            yield f"http://127.0.0.1:{port}", token
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def _post_all(base: str, token: str, bodies: list[bytes]) -> tuple[float, int]:
    import aiohttp

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for _ in range(300):  # wait until it is ready (at most 30 s)
            try:
                async with session.get(f"{base}/readyz") as r:
                    if r.status == 200:
                        break
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise SystemExit("kpibot serve did not become ready")
        queue = list(reversed(bodies))
        written = 0

        async def worker() -> None:
            nonlocal written
            while queue:
                body = queue.pop()
                async with session.post(f"{base}/api/v1/snapshots", data=body,
                                        headers=headers) as r:
                    answer = await r.json()
                    if r.status != 200:
                        raise SystemExit(f"batch refused ({r.status}): {str(answer)[:300]}")
                    written += int(answer["written"])

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        return time.perf_counter() - started, written


def measure(url: str, n: int) -> float:
    bodies = batches(n)
    with server(url) as (base, token):
        seconds, written = asyncio.run(_post_all(base, token, bodies))
    if written != n:
        raise SystemExit(f"{written:,} rows written, expected {n:,}")
    rate = n / seconds
    print(f"  api: {n:,} rows in {seconds:.2f}s ({rate:,.0f} rows/s) on "
          f"{url.split(':', 1)[0]}", file=sys.stderr)
    return rate


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A fresh schema on ``url``; yields a URL whose search_path is that schema."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from kpi_engine.storage.db import make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(quick: bool = False, pg_url: str | None = None) -> dict[str, Any]:
    n = 100_000 if quick else 1_000_000
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "api.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    result: dict[str, Any] = {"api_rows": n,
                              "api_rows_per_s": round(measure(f"sqlite:///{db}", n))}
    pg_url = pg_url or os.environ.get("KPIBOT_TEST_POSTGRES_URL")
    if pg_url:
        with pg_schema(pg_url) as url:
            result["api_rows_per_s_pg"] = round(measure(url, n))
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="100,000 rows instead of 1,000,000")
    ap.add_argument("--pg", metavar="URL", help="also PostgreSQL (SQLAlchemy URL)")
    args = ap.parse_args()
    print(json.dumps(run(args.quick, args.pg)))


if __name__ == "__main__":
    main()
