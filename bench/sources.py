"""Data-source benchmark: a 90-day backfill of one Instagram account with 500 posts.

``python bench/sources.py [--days 90] [--posts 500]``; the last line is one JSON object.

The real ``InstagramSource`` (httpx) fetches from ``tests/meta_standin.py`` (a local HTTP
server on 127.0.0.1, in this process's threads) the account's 90 days of reach (time series,
30 days per request), views / profile views / website clicks (``total_value``, one request a
day), followers, the media listing (100 a page), every post's lifetime insights and the
audience (city, age, gender). ``fetch_s`` is the fetch's wall time; ``rows`` what it returned
(snapshots + posts + post values + audience buckets); ``requests`` what it made (and the
stand-in counted). The batch is then written through the import path (Store upsert and
``services.ingest.write_content``) into a fresh SQLite file (``write_s``), and fetched and
written a second time (a sync re-running: nothing new, ``second_written_new`` = 0).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.sources.meta import Graph, InstagramSource  # noqa: E402
from kpi_engine.domain.ports import SourceAccount, SourceBatch  # noqa: E402
from kpi_engine.services.ingest import write_content  # noqa: E402
from kpi_engine.storage.db import make_engine, migrate  # noqa: E402
from kpi_engine.storage.store import Store  # noqa: E402
from tests.meta_standin import IgAccount, Media, MetaStandin  # noqa: E402

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
TOKEN = "EAAbenchTOKEN"


def account(days: int, posts: int, seed: int = 17) -> IgAccount:
    rnd = random.Random(seed)
    today = NOW.date()
    daily = {today - timedelta(days=i): {"reach": rnd.randint(800, 5000),
                                         "views": rnd.randint(2000, 15000),
                                         "profile_views": rnd.randint(10, 300),
                                         "website_clicks": rnd.randint(0, 60)}
             for i in range(days)}
    kinds = [("IMAGE", "FEED"), ("VIDEO", "REELS"), ("CAROUSEL_ALBUM", "FEED")]
    span = timedelta(days=days).total_seconds()
    media = []
    for i in range(posts):
        media_type, product = rnd.choice(kinds)
        likes = rnd.randint(10, 900)
        media.append(Media(f"1790{i:011d}", NOW - timedelta(seconds=span * (i + 0.5) / posts),
                           media_type, product, f"post {i} #promo #brand{i % 7}",
                           {"reach": likes * 12, "likes": likes, "comments": likes // 9,
                            "shares": likes // 20, "saved": likes // 15, "views": likes * 25},
                           like_count=likes, comments_count=likes // 9))
    cities = ["Jakarta, Jakarta", "Surabaya, East Java", "Bandung, West Java",
              "Medan, North Sumatra", "Bekasi, West Java", "Tangerang, Banten",
              "Depok, West Java", "Semarang, Central Java", "Makassar, South Sulawesi",
              "Yogyakarta, Yogyakarta", *(f"Kota {c}, Indonesia" for c in range(35))]
    demographics = {"city": {c: rnd.randint(50, 5000) for c in cities},
                    "age": {"13-17": 300, "18-24": 4200, "25-34": 5100, "35-44": 1900,
                            "45-54": 600, "55-64": 200, "65+": 90},
                    "gender": {"F": 7000, "M": 5200, "U": 300}}
    return IgAccount("17841400000000001", "brand", 12_390, daily, media, demographics)


def rows(batch: SourceBatch) -> int:
    return (len(batch.snapshots) + len(batch.posts) + len(batch.post_metrics)
            + len(batch.segments))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--posts", type=int, default=500)
    args = parser.parse_args()
    with MetaStandin() as meta, tempfile.TemporaryDirectory() as tmp:
        meta.add_token(TOKEN)
        ig = account(args.days, args.posts)
        meta.ig[ig.id] = ig
        source = InstagramSource(Graph(meta.url, retry_delay=0), clock=lambda: NOW)
        target = SourceAccount("instagram", ig.id, "", access_token=TOKEN)
        first = NOW.date() - timedelta(days=args.days - 1)

        started = time.perf_counter()
        batch = source.fetch(target, first, NOW.date())
        fetch_s = time.perf_counter() - started
        standin_requests = len(meta.calls)

        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        store = Store(engine)
        ws = store.ensure_workspace("bench")

        def write(b: SourceBatch) -> int:
            a = store.write_snapshots(ws.id, b.snapshots)
            c = write_content(store, ws.id, "Asia/Jakarta", b.posts, b.post_metrics,
                              b.segments)
            return a.inserted + c.inserted

        started = time.perf_counter()
        written_new = write(batch)
        write_s = time.perf_counter() - started
        second = source.fetch(target, first, NOW.date())
        second_new = write(second)
        engine.dispose()
    result = {
        "days": args.days, "posts": args.posts, "rows": rows(batch),
        "snapshots": len(batch.snapshots), "post_rows": len(batch.posts),
        "post_values": len(batch.post_metrics), "segments": len(batch.segments),
        "requests": batch.requests, "standin_requests": standin_requests,
        "fetch_s": round(fetch_s, 3), "rows_per_s": round(rows(batch) / fetch_s, 1),
        "requests_per_s": round(batch.requests / fetch_s, 1),
        "write_s": round(write_s, 3), "written_new": written_new,
        "second_written_new": second_new, "skipped": dict(source.skipped),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
