"""KPI Bot benchmarks. ``python bench/run.py [--quick]``; the last line is one JSON object.

Engine: a SQLite database of about 1,000,000 snapshots (20 workspaces × 6 channels ×
12 metrics × 2 years; ``--quick``: 3 workspaces × 1 year), then five question shapes timed
through the engine (``kpi_engine.services.answers``) and the same questions as hand-written SQL through
``sqlite3`` (the floor): counter this week, gauge last month, ratio last quarter, the
category summary, the per-channel comparison. Import: a long CSV of 1,000,000 rows
(``--quick``: 100,000) through ``kpibot import`` as a real subprocess; with
``KPIBOT_BENCH_POSTGRES_URL``, 500,000 rows (``--quick``: 100,000) through ``kpibot import``
on PostgreSQL next to a raw ``COPY`` of the same rows into an unindexed table (the floor):
new keys, the same file again, then every value changed (``KPIBOT_BENCH_PG_ROWS``: another
size, e.g. 1,000,000 so that the process start is amortised).

Other benchmarks (``bench/router.py``, ``bench/telegram.py``, ``bench/slack.py``,
``bench/api.py``, ``bench/alerts.py``, ``bench/posts.py`` with ``posts_p95_ms``,
``bench/failover.py`` with ``failover_s`` on ``KPIBOT_BENCH_POSTGRES_URL``,
``bench/burst.py``: the 08:00 digest burst, ``digest_burst_s`` against
``digest_burst_floor_s``, ``kpi_idle_p95_ms`` and ``kpi_during_burst_p95_ms``) are run
too, each in a process of its own, unless ``--engine-only``; their keys join the summary line.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpi_engine.domain.model import SnapshotRow  # noqa: E402
from kpi_engine.domain.periods import Period, PeriodQuery  # noqa: E402
from kpi_engine.services import answers, explain  # noqa: E402
from kpi_engine.storage.db import make_engine, migrate  # noqa: E402
from kpi_engine.storage.store import Store  # noqa: E402

TODAY = date(2026, 11, 22)  # a Sunday
OUT = ROOT / "bench" / "out"
METRICS = ("followers", "reach", "impressions", "views", "likes", "comments", "shares", "saves",
           "mentions", "clicks", "spend", "revenue")
CHANNELS = (("instagram", "", False), ("tiktok", "", False), ("youtube", "", False),
            ("facebook", "", False), ("linkedin", "", False), ("instagram", "@rival", True))


def pq(start: date, end: date, pstart: date, pend: date) -> PeriodQuery:
    return PeriodQuery(Period(start, end), Period(pstart, pend))


WEEK = pq(date(2026, 11, 16), TODAY, date(2026, 11, 9), date(2026, 11, 15))
LAST_MONTH = pq(date(2026, 10, 1), date(2026, 10, 31), date(2026, 9, 1), date(2026, 9, 30))
LAST_QUARTER = pq(date(2026, 7, 1), date(2026, 9, 30), date(2026, 4, 1), date(2026, 6, 30))


def rows_for(ws_index: int, days: int) -> list[SnapshotRow]:
    rnd = random.Random(ws_index)
    out: list[SnapshotRow] = []
    start = TODAY - timedelta(days=days - 1)
    for platform, handle, competitor in CHANNELS:
        level = rnd.randint(5_000, 80_000)
        for d in range(days):
            day = start + timedelta(days=d)
            level += rnd.randint(-20, 80)
            reach = rnd.randint(1_000, 20_000)
            values = {"followers": level, "reach": reach, "impressions": reach * 2,
                      "views": reach // 2, "likes": reach // 20, "comments": reach // 200,
                      "shares": reach // 300, "saves": reach // 250, "mentions": rnd.randint(0, 40),
                      "clicks": reach // 50, "spend": rnd.randint(100_000, 900_000),
                      "revenue": rnd.randint(0, 3_000_000)}
            out.extend(SnapshotRow(day, platform, handle, m, float(values[m]),
                                   competitor=competitor) for m in METRICS)
    return out


def build_db(path: Path, workspaces: int, days: int) -> Store:
    if path.exists():
        path.unlink()
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine)
    t0 = time.perf_counter()
    total = 0
    for i in range(workspaces):
        ws = store.ensure_workspace(f"ws{i:02d}")
        total += store.write_snapshots(ws.id, rows_for(i, days)).written
    dt = time.perf_counter() - t0
    print(f"built {total:,} snapshots in {dt:.1f}s ({total / dt:,.0f} rows/s through "
          "Store.write_snapshots)", file=sys.stderr)
    return store


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 \
        else samples[0]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    fn()  # warm up (statement caches)
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


# -- the floor: the same questions as hand-written SQL through sqlite3 -------------------------
SUM_SQL = """SELECT SUM(CASE WHEN day BETWEEN ? AND ? THEN value END),
                    SUM(CASE WHEN day BETWEEN ? AND ? THEN value END)
             FROM snapshots WHERE workspace_id = ? AND metric = ? AND channel_id IN ({ids})
             AND day BETWEEN ? AND ?"""
LAST_SQL = """SELECT SUM(s.value) FROM snapshots s JOIN (
                SELECT channel_id, campaign, MAX(day) AS d FROM snapshots
                WHERE workspace_id = ? AND metric = ? AND channel_id IN ({ids}) AND day <= ?
                GROUP BY channel_id, campaign) m
              ON s.workspace_id = ? AND s.metric = ? AND s.channel_id = m.channel_id
              AND s.campaign = m.campaign AND s.day = m.d"""
PARTS_SQL = """SELECT SUM(CASE WHEN day BETWEEN ? AND ? THEN value END),
                      SUM(CASE WHEN day BETWEEN ? AND ? THEN value END)
               FROM snapshots WHERE workspace_id = ? AND metric IN
               ('likes', 'comments', 'shares', 'saves') AND channel_id IN ({ids})
               AND day BETWEEN ? AND ?"""
COMPARE_SQL = """SELECT channel_id, SUM(CASE WHEN day BETWEEN ? AND ? THEN value END),
                        SUM(CASE WHEN day BETWEEN ? AND ? THEN value END)
                 FROM snapshots WHERE workspace_id = ? AND metric = 'reach'
                 AND day BETWEEN ? AND ? GROUP BY channel_id"""


def floor_questions(con: sqlite3.Connection, ws: int, own: list[int]
                    ) -> dict[str, Callable[[], Any]]:
    ids = ",".join(str(i) for i in own)

    def iso(d: date) -> str:
        return d.isoformat()

    def counter() -> Any:
        c, p = WEEK.current, WEEK.previous
        return con.execute(SUM_SQL.format(ids=ids), (iso(c.start), iso(c.end), iso(p.start),
                           iso(p.end), ws, "reach", iso(p.start), iso(c.end))).fetchall()

    def gauge() -> Any:
        q = LAST_SQL.format(ids=ids)
        return [con.execute(q, (ws, "followers", iso(d), ws, "followers")).fetchall()
                for d in (LAST_MONTH.current.end, LAST_MONTH.previous.end)]

    def ratio() -> Any:
        c, p = LAST_QUARTER.current, LAST_QUARTER.previous
        parts = con.execute(PARTS_SQL.format(ids=ids), (iso(c.start), iso(c.end), iso(p.start),
                            iso(p.end), ws, iso(p.start), iso(c.end))).fetchall()
        q = LAST_SQL.format(ids=ids)
        dens = [con.execute(q, (ws, "followers", iso(d), ws, "followers")).fetchall()
                for d in (c.end, p.end)]
        return parts, dens

    def compare() -> Any:
        c, p = LAST_MONTH.current, LAST_MONTH.previous
        return con.execute(COMPARE_SQL, (iso(c.start), iso(c.end), iso(p.start), iso(p.end), ws,
                           iso(p.start), iso(c.end))).fetchall()

    return {"counter_this_week": counter, "gauge_last_month": gauge,
            "ratio_last_quarter": ratio, "compare_last_month": compare}


def engine_bench(quick: bool) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    workspaces, days = (3, 365) if quick else (20, 730)
    db = OUT / ("engine-quick.db" if quick else "engine.db")
    store = build_db(db, workspaces, days)
    repeat = 60 if quick else 200
    con = sqlite3.connect(db)
    engine_ms: list[float] = []
    floor_ms: list[float] = []
    shapes: dict[str, dict[str, float]] = {}
    summary_ms: list[float] = []
    why_ms: list[float] = []
    for w in range(min(workspaces, 5)):
        ws = store.workspace(f"ws{w:02d}")
        assert ws is not None
        chans = store.channels(ws.id)
        own = [c.id for c in chans if not c.is_competitor]
        eng = {
            "counter_this_week": lambda ws=ws, chans=chans: answers.kpi(
                store, ws.id, chans, "reach", WEEK),
            "gauge_last_month": lambda ws=ws, chans=chans: answers.kpi(
                store, ws.id, chans, "followers", LAST_MONTH),
            "ratio_last_quarter": lambda ws=ws, chans=chans: answers.kpi(
                store, ws.id, chans, "engagement_rate", LAST_QUARTER),
            "compare_last_month": lambda ws=ws, chans=chans: answers.compare(
                store, ws.id, chans, "reach", LAST_MONTH),
        }
        flo = floor_questions(con, ws.id, own)
        for name in eng:
            e = timed(eng[name], repeat // 5)
            f = timed(flo[name], repeat // 5)
            engine_ms += e
            floor_ms += f
            s = shapes.setdefault(name, {"engine": [], "floor": []})  # type: ignore[dict-item]
            s["engine"] += e  # type: ignore[operator]
            s["floor"] += f  # type: ignore[operator]
        summary_ms += timed(lambda ws=ws, chans=chans: answers.summary(
            store, ws.id, chans, WEEK), repeat // 5)
        # /kenapa (issue 15): the same shapes as the /kpi questions, explained by channel
        # and campaign (the ratio with its rate/mix split)
        for key, period in (("reach", WEEK), ("followers", LAST_MONTH),
                            ("engagement_rate", LAST_QUARTER), ("revenue", LAST_MONTH)):
            why_ms += timed(lambda ws=ws, chans=chans, key=key, period=period: explain.explain(
                store, ws.id, chans, key, period), repeat // 5)
    for name, s in shapes.items():
        print(f"  {name:22s} engine p95 {p95(s['engine']):6.2f} ms   floor p95 "  # type: ignore[arg-type]
              f"{p95(s['floor']):6.2f} ms", file=sys.stderr)  # type: ignore[arg-type]
    print(f"  why (/kenapa)          engine p95 {p95(why_ms):6.2f} ms", file=sys.stderr)
    store.engine.dispose()
    return {"snapshots": workspaces * days * len(CHANNELS) * len(METRICS),
            "query_p95_ms": round(p95(engine_ms), 2), "floor_p95_ms": round(p95(floor_ms), 2),
            "summary_p95_ms": round(p95(summary_ms), 2), "why_p95_ms": round(p95(why_ms), 2)}


def import_bench(quick: bool) -> dict[str, Any]:
    OUT.mkdir(parents=True, exist_ok=True)
    n = 100_000 if quick else 1_000_000
    csv = OUT / f"import-{n}.csv"
    if not csv.exists():
        with csv.open("w", encoding="utf-8") as fh:
            fh.write("date,channel,metric,value\n")
            written = 0
            d = 0
            while written < n:
                day = (TODAY - timedelta(days=d)).isoformat()
                for platform in ("instagram", "tiktok", "youtube", "facebook", "linkedin"):
                    for metric in METRICS:
                        if written == n:
                            break
                        fh.write(f"{day},{platform},{metric},{(written * 7919) % 100000}\n")
                        written += 1
                d += 1
    db = OUT / "import.db"
    if db.exists():
        db.unlink()
    exe = Path(sys.executable).with_name("kpibot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]
    url = f"sqlite:///{db}"
    subprocess.run([*cmd, "--db", url, "migrate"], check=True, capture_output=True, cwd=ROOT)
    t0 = time.perf_counter()
    done = subprocess.run([*cmd, "--db", url, "import", str(csv), "--workspace", "bench"],
                          capture_output=True, text=True, cwd=ROOT)
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr.strip()}")
    print(f"  import: {n:,} rows in {dt:.2f}s — {done.stdout.strip()}", file=sys.stderr)
    return {"import_rows": n, "import_rows_per_s": round(n / dt)}


def pg_import_bench(quick: bool) -> dict[str, Any]:
    """``kpibot import`` on PostgreSQL (COPY into a staging table, one upsert) next to the
    floor: a raw ``COPY`` of the same CSV rows into an unindexed table, in the same run, and
    the same ``COPY`` into a table keyed as the rows are (the index's own cost).
    Only with ``KPIBOT_BENCH_POSTGRES_URL`` (the keys are null otherwise, with a reason)."""
    import os

    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if not url:
        return {"pg_import_rows_per_s": None, "pg_copy_floor_rows_per_s": None,
                "pg_import_note": "KPIBOT_BENCH_POSTGRES_URL not set"}
    import psycopg
    from sqlalchemy import make_url

    # KPIBOT_BENCH_PG_ROWS: another size (1,000,000 amortises the process start)
    n = int(os.environ.get("KPIBOT_BENCH_PG_ROWS") or (100_000 if quick else 500_000))
    OUT.mkdir(parents=True, exist_ok=True)
    csv, changed = OUT / f"pg-import-{n}.csv", OUT / f"pg-import-{n}-changed.csv"
    for path, bump in ((csv, 0), (changed, 1)):  # the rows of the SQLite import bench
        with path.open("w", encoding="utf-8") as fh:  # changed: every value + 1
            fh.write("date,channel,metric,value\n")
            written, d = 0, 0
            while written < n:
                day = (TODAY - timedelta(days=d)).isoformat()
                for platform in ("instagram", "tiktok", "youtube", "facebook", "linkedin"):
                    for metric in METRICS:
                        if written < n:
                            fh.write(f"{day},{platform},{metric},"
                                     f"{(written * 7919) % 100000 + bump}\n")
                            written += 1
                d += 1
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    exe = Path(sys.executable).with_name("kpibot")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "adapters.cli"]
    subprocess.run([*cmd, "--db", url, "migrate"], check=True, capture_output=True, cwd=ROOT)
    with psycopg.connect(raw, autocommit=True) as con:  # start afresh
        con.execute("DELETE FROM workspaces WHERE slug = 'bench-pg'")
        con.execute("DROP TABLE IF EXISTS bench_copy_floor, bench_copy_keyed")
        con.execute("CREATE TABLE bench_copy_floor (day date, channel text, metric text,"
                    " value double precision)")
        con.execute("CREATE TABLE bench_copy_keyed (day date, channel text, metric text,"
                    " value double precision, PRIMARY KEY (metric, channel, day))")
        con.execute("VACUUM ANALYZE snapshots")
    timings = []
    # insert: new keys; replace: the same file again (nothing changes); changed: every
    # value differs (each row rewritten)
    for attempt, path in (("insert", csv), ("replace", csv), ("changed", changed)):
        t0 = time.perf_counter()
        done = subprocess.run([*cmd, "--db", url, "import", str(path), "--workspace",
                               "bench-pg", "--create"], capture_output=True, text=True,
                              cwd=ROOT)
        timings.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"PostgreSQL import failed: {done.stderr.strip()}")
        print(f"  pg import ({attempt}): {n:,} rows in {timings[-1]:.2f}s — "
              f"{done.stdout.strip()}", file=sys.stderr)
    data = csv.read_bytes()
    floors = []
    # the floor of the issue (an unindexed table), then the same COPY into a table whose
    # primary key is the rows' key: what the server's index costs with no client at all
    for table in ("bench_copy_floor", "bench_copy_keyed"):
        t0 = time.perf_counter()
        with psycopg.connect(raw) as con, con.cursor() as cur:
            with cur.copy(f"COPY {table} (day, channel, metric, value) FROM STDIN"
                          " WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            con.commit()
        floors.append(time.perf_counter() - t0)
    floor, keyed = floors
    with psycopg.connect(raw, autocommit=True) as con:
        con.execute("DROP TABLE bench_copy_floor, bench_copy_keyed")
        con.execute("DELETE FROM workspaces WHERE slug = 'bench-pg'")
    print(f"  pg COPY floor: {n:,} rows in {floor:.2f}s; into a table with the rows' key:"
          f" {keyed:.2f}s", file=sys.stderr)
    return {"pg_import_rows": n, "pg_import_rows_per_s": round(n / timings[0]),
            "pg_import_replace_rows_per_s": round(n / timings[1]),
            "pg_import_changed_rows_per_s": round(n / timings[2]),
            "pg_copy_floor_rows_per_s": round(n / floor),
            "pg_import_vs_floor": round(floor / timings[0], 3),
            "pg_copy_keyed_floor_rows_per_s": round(n / keyed),
            "pg_copy_keyed_vs_floor": round(floor / keyed, 3),
            "pg_import_vs_keyed_floor": round(keyed / timings[0], 3)}


def optional(name: str, quick: bool) -> dict[str, Any]:
    """Run ``bench/<name>.py`` in a process of its own (no threads, loops or forked children
    left over from the other benchmarks) and take the JSON object of its last line."""
    path = ROOT / "bench" / f"{name}.py"
    if not path.exists():
        return {}
    print(f"running bench/{name}.py …", file=sys.stderr)
    done = subprocess.run([sys.executable, str(path), *(["--quick"] if quick else [])],
                          cwd=ROOT, stdout=subprocess.PIPE, text=True)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"bench/{name}.py failed (exit {done.returncode})")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def sources_bench(quick: bool) -> dict[str, Any]:
    """``bench/sources.py``: the 90-day Instagram backfill (``ig_backfill_*``) and the daily
    sync of 100 sources (``sync_100_*``; ``sync_100_pg_*`` with KPIBOT_BENCH_POSTGRES_URL).
    Only those keys: its plain ones (``posts``, ``rows`` …) would clash with other benches."""
    found = optional("sources", quick)
    return {k: v for k, v in found.items() if k.startswith(("ig_backfill_", "sync_100_"))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a smaller run, under a minute")
    ap.add_argument("--engine-only", action="store_true", help="skip the adapter benchmarks")
    args = ap.parse_args()
    summary: dict[str, Any] = {"quick": args.quick}
    summary.update(engine_bench(args.quick))
    summary.update(import_bench(args.quick))
    summary.update(pg_import_bench(args.quick))
    if not args.engine_only:
        for name in ("router", "telegram", "slack", "api", "alerts", "posts", "failover",
                     "burst"):
            summary.update(optional(name, args.quick))
        summary.update(sources_bench(args.quick))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
