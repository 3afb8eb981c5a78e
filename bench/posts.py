"""Content benchmark. ``python bench/posts.py [--quick]``; the last line is one JSON object.

A SQLite database of 200,000 posts (``--quick``: 20,000) in 10 workspaces, published over
90 days, each read **every day** from its publishing day to the end of the window (about
9,000,000 lifetime rows; ``--quick``: 900,000), with hashtags. Timed: ``/konten``'s query,
``ContentStore.top_posts`` (ONE SQL statement: the posts published in the period ranked by
their latest lifetime value read on or before its end), for this week and last month, by
engagement and by reach, over the workspaces; ``posts_p95_ms`` is the 95th percentile.
Also ``by_format``, ``by_posting_time`` and ``by_hashtag`` of last month
(``content_groups_p95_ms``).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kpi_engine.storage.db import make_engine, migrate  # noqa: E402
from kpi_engine.storage.posts import ContentStore  # noqa: E402
from kpi_engine.storage.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
TODAY = date(2026, 11, 22)  # a Sunday
DAYS = 90
WORKSPACES = 10
FORMATS = ("reel", "feed", "carousel", "story")
TAGS = tuple(f"tag{i}" for i in range(40))


def build(path: Path, posts: int) -> Store:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    for w in range(WORKSPACES):
        ws = store.ensure_workspace(f"ws{w}")
        with store.begin() as conn:
            store.ensure_channels(conn, ws.id, {("instagram", ""): False,
                                                ("tiktok", ""): False,
                                                ("instagram", "@rival"): True})
    channels = {ws.id: [c.id for c in store.channels(ws.id)] for ws in store.workspaces()}
    engine.dispose()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    rnd = random.Random(16)
    start = TODAY - timedelta(days=DAYS - 1)
    post_rows: list[tuple[Any, ...]] = []
    metric_rows: list[tuple[Any, ...]] = []
    tag_rows: list[tuple[int, str]] = []
    per_ws = posts // WORKSPACES
    pid = 0
    for ws_id, chans in channels.items():
        for _ in range(per_ws):
            pid += 1
            offset = rnd.randrange(DAYS)
            day = start + timedelta(days=offset)
            hour = rnd.choice((7, 9, 12, 16, 19, 19, 21))
            when = datetime(day.year, day.month, day.day, hour) - timedelta(hours=7)
            post_rows.append((pid, ws_id, rnd.choice(chans), f"p{pid}",
                              when.isoformat(sep=" "), day.isoformat(), day.weekday(), hour,
                              rnd.choice(FORMATS), "", f"https://example.com/p/{pid}", now))
            for tag in rnd.sample(TAGS, 3):
                tag_rows.append((pid, tag))
            likes = reach = 0.0
            for d in range(offset, DAYS):
                grow = max(0.0, rnd.gauss(1.0, 0.5)) * (0.5 ** (d - offset))
                likes += round(200 * grow)
                reach += round(4000 * grow)
                metric_rows.append((pid, (start + timedelta(days=d)).isoformat(), reach, None,
                                    likes, round(likes * 0.05), round(likes * 0.1),
                                    round(likes * 0.12), now))
            if len(metric_rows) > 200_000:
                _flush(db, post_rows, metric_rows, tag_rows)
    _flush(db, post_rows, metric_rows, tag_rows)
    db.execute("ANALYZE")
    db.commit()
    db.close()
    return Store(make_engine(f"sqlite:///{path}"))


def _flush(db: sqlite3.Connection, posts: list[Any], metrics: list[Any],
           tags: list[Any]) -> None:
    db.executemany("INSERT INTO posts (id, workspace_id, channel_id, post_id, published_at,"
                   " published_day, published_weekday, published_hour, format, caption,"
                   " permalink, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", posts)
    db.executemany("INSERT INTO post_metrics (post_id, day, reach, views, likes, comments,"
                   " shares, saves, updated_at) VALUES (?,?,?,?,?,?,?,?,?)", metrics)
    db.executemany("INSERT INTO post_hashtags (post_id, tag) VALUES (?,?)", tags)
    db.commit()
    posts.clear()
    metrics.clear()
    tags.clear()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def run(quick: bool) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    posts = 20_000 if quick else 200_000
    started = time.perf_counter()
    store = build(OUT / "posts.db", posts)
    build_s = time.perf_counter() - started
    with store.connect() as conn:
        lifetime_rows = conn.exec_driver_sql("SELECT COUNT(*) FROM post_metrics").scalar_one()
    content = ContentStore(store)
    week = (TODAY - timedelta(days=6), TODAY)
    last_month = (date(2026, 10, 1), date(2026, 10, 31))
    workspaces = [ws.id for ws in store.workspaces()]
    top_ms: list[float] = []
    group_ms: list[float] = []
    for _ in range(3):
        for ws in workspaces:
            for start, end in (week, last_month):
                for metric in ("engagement", "reach"):
                    t0 = time.perf_counter()
                    rows = content.top_posts(ws, start, end, metric, limit=10)
                    top_ms.append((time.perf_counter() - t0) * 1000)
                    assert len(rows) == 10
            for query in (content.by_format, content.by_posting_time, content.by_hashtag):
                t0 = time.perf_counter()
                query(ws, *last_month)
                group_ms.append((time.perf_counter() - t0) * 1000)
    return {"posts": posts, "post_lifetime_rows": int(lifetime_rows),
            "posts_build_s": round(build_s, 1), "posts_p95_ms": round(p95(top_ms), 2),
            "posts_median_ms": round(statistics.median(top_ms), 2),
            "content_groups_p95_ms": round(p95(group_ms), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    print(json.dumps(run(ap.parse_args().quick)))


if __name__ == "__main__":
    main()
