"""Google sources benchmark: a 90-day backfill of one YouTube channel with 500 videos, and
of one GA4 property with 40 session sources.

``python bench/google_sources.py [--days 90] [--videos 500] [--ga4-sources 40]``; the last
line is one JSON object.

The real ``YouTubeSource`` and ``GA4Source`` (httpx, google-auth for the service account's
JWT, a throwaway RSA key made here) fetch from ``tests/google_standin.py`` (a local HTTP
server on 127.0.0.1, in this process's threads). ``*_fetch_s`` is a fetch's wall time,
``*_rows`` what it returned, ``*_requests`` what it made (the GA4 count includes the token
request). Both batches are then written through the import path (Store upsert and
``services.ingest.write_content``) into a fresh SQLite file, and fetched and written a
second time (a sync re-running: nothing new, ``second_written_new`` = 0).
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

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from adapters.sources.ga4 import GA4Source  # noqa: E402
from adapters.sources.youtube import YouTubeApi, YouTubeSource  # noqa: E402
from kpi_engine.domain.ports import SourceAccount, SourceBatch  # noqa: E402
from kpi_engine.services.ingest import write_content  # noqa: E402
from kpi_engine.storage.db import make_engine, migrate  # noqa: E402
from kpi_engine.storage.store import Store  # noqa: E402
from tests.google_standin import Channel, GoogleStandin, Property, Video  # noqa: E402

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
TOKEN = "ya29.benchTOKEN"
EMAIL = "bench@kpibot-bench.iam.gserviceaccount.com"
SOCIAL = ["instagram.com", "l.instagram.com", "ig", "m.facebook.com", "lm.facebook.com",
          "tiktok.com", "youtube.com", "linkedin.com", "t.co"]


def rows(batch: SourceBatch) -> int:
    return len(batch.snapshots) + len(batch.posts) + len(batch.post_metrics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--videos", type=int, default=500)
    parser.add_argument("--ga4-sources", type=int, default=40)
    args = parser.parse_args()
    rnd = random.Random(17)
    today = NOW.date()
    first = today - timedelta(days=args.days - 1)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with GoogleStandin() as g, tempfile.TemporaryDirectory() as tmp:
        span = timedelta(days=args.days).total_seconds()
        daily = {today - timedelta(days=i): {"views": rnd.randint(500, 9000),
                                             "likes": rnd.randint(10, 400),
                                             "comments": rnd.randint(0, 80),
                                             "shares": rnd.randint(0, 40)}
                 for i in range(2, args.days)}
        videos = [Video(f"yt{i:09d}", NOW - timedelta(seconds=span * (i + 0.5) / args.videos),
                        f"video {i} #promo", views=rnd.randint(100, 90000),
                        likes=rnd.randint(0, 3000), comments=rnd.randint(0, 200))
                  for i in range(args.videos)]
        g.channels[TOKEN] = Channel("UCbench00000", 48_100, daily, videos)
        g.service_accounts[EMAIL] = public
        prop = Property("300000001", {EMAIL})
        names = SOCIAL + [f"site{i}.example" for i in range(max(0, args.ga4_sources
                                                                 - len(SOCIAL)))]
        for i in range(args.days):
            for name in names[:args.ga4_sources]:
                prop.rows[(today - timedelta(days=i), name)] = (
                    rnd.randint(1, 900), rnd.randint(0, 20), f"{rnd.randint(0, 5_000_000)}")
        g.properties[prop.id] = prop
        yt = YouTubeSource(YouTubeApi(g.url, token_url=g.token_url, retry_delay=0),
                           clock=lambda: NOW)
        yt_account = SourceAccount("youtube", "UCbench00000", "", access_token=TOKEN)
        ga = GA4Source(g.url, token_url=g.token_url, retry_delay=0, clock=lambda: NOW)
        ga_account = SourceAccount("ga4", prop.id, "", access_token=json.dumps({
            "type": "service_account", "client_email": EMAIL, "private_key": private,
            "private_key_id": "bench", "token_uri": "https://oauth2.googleapis.com/token"}))

        started = time.perf_counter()
        yt_batch = yt.fetch(yt_account, first, today)
        yt_s = time.perf_counter() - started
        started = time.perf_counter()
        ga_batch = ga.fetch(ga_account, first, today)
        ga_s = time.perf_counter() - started
        ga_skipped = sum(ga.skipped.values())

        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        migrate(engine)
        store = Store(engine)
        ws = store.ensure_workspace("bench")

        def write(b: SourceBatch) -> int:
            a = store.write_snapshots(ws.id, b.snapshots)
            c = write_content(store, ws.id, "Asia/Jakarta", b.posts, b.post_metrics, b.segments)
            return a.inserted + c.inserted

        started = time.perf_counter()
        written_new = write(yt_batch) + write(ga_batch)
        write_s = time.perf_counter() - started
        second_new = write(yt.fetch(yt_account, first, today)) + write(
            ga.fetch(ga_account, first, today))
        engine.dispose()
    print(json.dumps({
        "days": args.days, "videos": args.videos, "ga4_sources": args.ga4_sources,
        "youtube_rows": rows(yt_batch), "youtube_requests": yt_batch.requests,
        "youtube_fetch_s": round(yt_s, 3), "youtube_rows_per_s": round(rows(yt_batch) / yt_s, 1),
        "ga4_rows_read": len(prop.rows), "ga4_rows": rows(ga_batch),
        "ga4_requests": ga_batch.requests, "ga4_fetch_s": round(ga_s, 3),
        "ga4_skipped_rows": ga_skipped,
        "write_s": round(write_s, 3), "written_new": written_new,
        "second_written_new": second_new}))


if __name__ == "__main__":
    main()
