"""Data-source benchmarks: a 90-day backfill of one Instagram account with 500 posts, and a
daily sync of 100 sources.

``python bench/sources.py [--days 90] [--posts 500] [--sources 100] [--quick]
[--only backfill|sync100]``; the last line is one JSON object. ``bench/run.py`` merges its
``ig_backfill_*`` and ``sync_100_*`` keys.

The real ``InstagramSource`` (httpx) fetches from ``tests/meta_standin.py`` (a local HTTP
server on 127.0.0.1, in this process's threads) the account's 90 days of reach (time series,
30 days per request), views / profile views / website clicks (``total_value``, one request a
day), followers, the media listing (100 a page), every post's lifetime insights and the
audience (city, age, gender). ``fetch_s`` is the fetch's wall time; ``rows`` what it returned
(snapshots + posts + post values + audience buckets); ``requests`` what it made (and the
stand-in counted). The batch is then written through the import path (Store upsert and
``services.ingest.write_content``) into a fresh SQLite file (``write_s``), and fetched and
written a second time (a sync re-running: nothing new, ``second_written_new`` = 0).

**Daily sync of 100 sources** (:func:`sync_100`): 40 Instagram accounts, 20 Facebook Pages,
10 Meta ad accounts, 10 TikTok business accounts, 10 YouTube channels and 10 GA4 properties,
spread over 10 workspaces (a brand each: 4 IG accounts on ``instagram:@igN``, 2 Pages, one of
each other), served by the real stand-ins (``tests/meta_standin.py``,
``tests/tiktok_standin.py``, ``tests/google_standin.py``, started here on 127.0.0.1:0) and
synced by the real connectors (built by each module's ``make_source`` from ``Settings`` base
URLs) through ``SourceService.sync_due`` (what the leader scheduler's ``sources:sync`` job
calls). Sources are added with ``SourceService.add`` (encrypted tokens, the (channel, metric)
clash check) and back-filled 14 days (untimed setup: ``sync_100_setup_s``). Then the
stand-ins get one more day of data, revised values for the days each platform revises, and
grown post totals, the clock moves one day, and **every source's nightly sync** runs:
``sync_100_sources_s`` its wall time, ``sync_100_requests`` the requests the stand-ins
counted (``sync_100_requests_reported``: what the service recorded), ``sync_100_rows`` rows
written (snapshots + posts + post values + audience), ``sync_100_changed`` stored values it
changed, ``sync_100_statements`` the SQL statements it ran. Right after, a second sync of all 100 (each made due again, as ``/sumber sync``
does): ``sync_100_second_changed`` must be 0. On SQLite (a file) and, with
``KPIBOT_BENCH_POSTGRES_URL``, on PostgreSQL in a schema of its own (``sync_100_pg_*``).
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
from typing import Any

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
    parser.add_argument("--sources", type=int, default=100, help="sources of the daily sync "
                        "(a multiple of 10: 4 IG, 2 FB, 1 each of the others per workspace)")
    parser.add_argument("--quick", action="store_true", help="bench/run.py --quick: the same")
    parser.add_argument("--only", choices=("backfill", "sync100"))
    args = parser.parse_args()
    result: dict[str, object] = {}
    if args.only != "sync100":
        result.update(backfill(args.days, args.posts))
    if args.only != "backfill":  # --quick: 30 sources (the same mix), for a run under a minute
        result.update(sync_100(30 if args.quick and args.sources == 100 else args.sources))
    print(json.dumps(result))


def backfill(days: int, posts: int) -> dict[str, object]:
    """The 90-day backfill of one Instagram account (the keys of this bench before the daily
    sync was added, and the same again prefixed ``ig_backfill_`` for bench/run.py)."""
    args = argparse.Namespace(days=days, posts=posts)
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
    result.update({f"ig_backfill_{k}": result[k] for k in (
        "rows", "requests", "standin_requests", "fetch_s", "rows_per_s", "second_written_new")})
    return result

# ------------------------------------------------------------------ the daily sync of 100

#: 06:00 on 30 Nov in Jakarta: the workspaces' yesterday is 29 Nov (the backfill's last day)
T0 = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)  # the next morning: every nightly slot (01:00-05:00) has passed
SETUP_DAYS = 14
#: per workspace: platform → sources (the 40/20/10/10/10/10 mix for 10 workspaces)
MIX = {"instagram": 4, "facebook": 2, "meta_ads": 1, "tiktok": 1, "youtube": 1, "ga4": 1}
GA4_SOURCES = ("instagram.com", "l.instagram.com", "m.facebook.com", "tiktok.com",
               "youtube.com", "google", "(direct)")
GA4_EMAIL = "bench@kpibot-bench.iam.gserviceaccount.com"
#: the tables whose rows a sync writes (their counts must not move in the second sync)
DATA_TABLES = ("snapshots", "posts", "post_metrics", "post_hashtags", "audience_segments")


class Fleet:
    """The stand-ins' accounts of the 100 sources, and how a day passes on them."""

    def __init__(self, meta: Any, tt: Any, g: Any, workspaces: int, seed: int = 100) -> None:
        from tests import google_standin as gs
        from tests import meta_standin as ms
        from tests import tiktok_standin as ts

        self.ms = ms
        self.meta, self.tt, self.g = meta, tt, g
        self.rnd = random.Random(seed)
        self.added: list[tuple[int, str, str, str, str]] = []  # ws, platform, id, token, channel
        last = T0.date()
        days = [last - timedelta(days=i) for i in range(120)]
        r = self.rnd
        for k in range(workspaces):
            for j in range(MIX["instagram"]):
                ig = ms.IgAccount(f"178415{k:03d}{j:08d}", f"brand{k}_{j}",
                                  r.randint(2_000, 80_000), {d: self._ig_day() for d in days},
                                  [self._media(f"179{k:03d}{j:02d}{n:06d}", T0 - timedelta(
                                      hours=48 * n + 5)) for n in range(60)],
                                  {"city": {f"Kota {c}, Indonesia": r.randint(20, 3000)
                                            for c in range(45)},
                                   "age": {"18-24": r.randint(100, 900),
                                           "25-34": r.randint(100, 900)},
                                   "gender": {"F": r.randint(100, 900),
                                              "M": r.randint(100, 900)}})
                meta.ig[ig.id] = ig
                self._add(k, "instagram", ig.id, meta.add_token(f"EAAig{k}x{j}"),
                          f"instagram:@ig{j}")
            for j in range(MIX["facebook"]):
                page = ms.Page(f"104{k:03d}{j:09d}", {d: self._page_day() for d in days},
                               [ms.PagePost(f"104{k:03d}{j:09d}_{n}",
                                            T0 - timedelta(hours=96 * n + 3), f"post {n}",
                                            r.randint(5, 400), r.randint(0, 40),
                                            r.randint(0, 20)) for n in range(30)])
                meta.pages[page.id] = page
                self._add(k, "facebook", page.id, meta.add_token(f"EAApage{k}x{j}"),
                          f"facebook:@page{j}")
            ads = ms.AdAccount(f"9{k:05d}", [
                ms.AdRow(d, f"238{k:03d}{c}", f"Promo {c}", f"{r.randint(50_000, 900_000)}",
                         r.randint(1_000, 40_000), r.randint(10, 900),
                         {"omni_purchase": r.randint(0, 12)},
                         {"omni_purchase": f"{r.randint(0, 3_000_000)}"})
                for d in days for c in range(5)])
            meta.ads[ads.id] = ads
            self._add(k, "meta_ads", ads.id, meta.add_token(f"EAAads{k}"), "")
            biz = ts.Business(f"biz{k}", {d: self._tt_day(i) for i, d in enumerate(days)},
                              [ts.Video(f"73{k:03d}{n:06d}", T0 - timedelta(hours=72 * n + 4),
                                        f"video {n} #fyp", self._tt_video())
                               for n in range(30)])
            tt.businesses[biz.id] = biz
            tt.tokens.add(f"act.tt{k}")
            self._add(k, "tiktok", biz.id, f"act.tt{k}", "")
            channel = gs.Channel(f"UCbench{k:05d}", r.randint(1_000, 90_000),
                                 {d: self._yt_day() for d in days},
                                 [gs.Video(f"yt{k:03d}{n:06d}", T0 - timedelta(hours=120 * n),
                                           f"video {n}", views=r.randint(100, 90_000),
                                           likes=r.randint(0, 3_000),
                                           comments=r.randint(0, 200)) for n in range(40)])
            g.channels[f"ya29.yt{k}"] = channel
            self._add(k, "youtube", channel.id, f"ya29.yt{k}", "")
            prop = gs.Property(f"30000{k:04d}", {GA4_EMAIL})
            for d in days:
                for name in GA4_SOURCES:
                    prop.rows[(d, name)] = self._ga4_row()
            g.properties[prop.id] = prop
            self._add(k, "ga4", prop.id, "", "")

    def _add(self, ws: int, platform: str, account: str, token: str, channel: str) -> None:
        self.added.append((ws, platform, account, token, channel))

    def _ig_day(self) -> dict[str, int]:
        r = self.rnd
        return {"reach": r.randint(800, 5000), "views": r.randint(2000, 15000),
                "profile_views": r.randint(10, 300), "website_clicks": r.randint(0, 60)}

    def _media(self, media_id: str, when: datetime) -> Any:
        r = self.rnd
        likes = r.randint(10, 900)
        return self.ms.Media(media_id, when, "IMAGE", "FEED", "post #promo",
                             {"reach": likes * 12, "likes": likes, "comments": likes // 9,
                              "shares": likes // 20, "saved": likes // 15,
                              "views": likes * 25}, like_count=likes,
                             comments_count=likes // 9)

    def _page_day(self) -> dict[str, int]:
        r = self.rnd
        return {"page_impressions_unique": r.randint(500, 9000),
                "page_media_view": r.randint(900, 20000), "page_follows": r.randint(900, 50000)}

    def _tt_day(self, i: int) -> dict[str, int]:
        r = self.rnd
        return {"followers_count": 90_000 - 10 * i, "video_views": r.randint(1000, 90000),
                "likes": r.randint(50, 5000), "comments": r.randint(0, 300),
                "shares": r.randint(0, 200), "profile_views": r.randint(10, 900)}

    def _tt_video(self) -> dict[str, int]:
        r = self.rnd
        views = r.randint(500, 200_000)
        return {"reach": views * 7 // 10, "video_views": views, "likes": views // 20,
                "comments": views // 400, "shares": views // 300}

    def _yt_day(self) -> dict[str, int]:
        r = self.rnd
        return {"views": r.randint(500, 9000), "likes": r.randint(10, 400),
                "comments": r.randint(0, 80), "shares": r.randint(0, 40)}

    def _ga4_row(self) -> tuple[int, int, str]:
        r = self.rnd
        return r.randint(1, 900), r.randint(0, 20), f"{r.randint(0, 5_000_000)}"

    def next_day(self) -> None:
        """One day passes: each account gets 30 Nov's values, the days each platform still
        revises change (Instagram, Pages, YouTube, GA4: the 2 days before; TikTok the 6
        before; Meta Ads' attribution the 27 before: one purchase more on every 9th
        campaign-day), a new Instagram post, and recent posts grow (lifetime totals)."""
        new = T1.date()
        ms = self.ms
        for ig in self.meta.ig.values():
            for back in range(3):
                ig.daily[new - timedelta(days=back)] = self._ig_day()
            ig.media.insert(0, self._media(f"{ig.media[0].id}9", T1 - timedelta(hours=5)))
            for m in ig.media[:10]:
                m.insights = {k: v + v // 20 for k, v in m.insights.items()}
                m.like_count = m.insights.get("likes", m.like_count)
        for page in self.meta.pages.values():
            for back in range(3):
                page.daily[new - timedelta(days=back)] = self._page_day()
            for post in page.posts[:5]:
                post.reactions += 3
        for ads in self.meta.ads.values():
            base = ads.rows[:5]
            ads.rows[:0] = [ms.AdRow(new, b.campaign_id, b.campaign_name, b.spend,
                                     b.impressions, b.clicks, dict(b.actions),
                                     dict(b.action_values)) for b in base]
            for i, row in enumerate(ads.rows):
                if (new - row.day).days < 28 and i % 9 == 0:
                    row.actions = {"omni_purchase": row.actions.get("omni_purchase", 0) + 1}
        for biz in self.tt.businesses.values():
            for back in range(7):
                old = biz.daily.get(new - timedelta(days=back + 1), self._tt_day(0))
                biz.daily[new - timedelta(days=back)] = {**self._tt_day(0), "followers_count":
                                                         old["followers_count"] + 10}
        for channel in self.g.channels.values():
            for back in range(3):
                channel.daily[new - timedelta(days=back)] = self._yt_day()
        for prop in self.g.properties.values():
            for back in range(3):
                for name in GA4_SOURCES:
                    prop.rows[(new - timedelta(days=back), name)] = self._ga4_row()

    def requests(self) -> int:
        return len(self.meta.calls) + len(self.tt.calls) + len(self.g.calls)


def _ga4_key() -> tuple[str, str]:
    """A throwaway service-account key (JSON) and its public half, for the stand-in."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return json.dumps({"type": "service_account", "client_email": GA4_EMAIL,
                       "private_key": private, "private_key_id": "bench",
                       "token_uri": "https://oauth2.googleapis.com/token"}), public


def _sync_once(engine: Any, sources: int, ga4_key: tuple[str, str]) -> dict[str, Any]:
    """One run of the daily sync of ``sources`` sources on ``engine`` (migrated, empty)."""
    import importlib

    from sqlalchemy import event, func, select, table

    from adapters.sources import MODULES
    from config.settings import Settings
    from kpi_engine.services.secrets import Secrets, new_key
    from kpi_engine.services.sources import SourceService
    from tests.google_standin import GoogleStandin
    from tests.tiktok_standin import TikTokStandin

    now = [T0]
    with MetaStandin() as meta, TikTokStandin() as tt, GoogleStandin() as g:
        g.service_accounts[GA4_EMAIL] = ga4_key[1]
        started = time.perf_counter()
        fleet = Fleet(meta, tt, g, sources // 10)
        settings = Settings(meta_api_url=meta.url, tiktok_api_url=tt.url,
                            youtube_api_url=g.url, ga4_api_url=g.url,
                            google_token_url=g.token_url)
        connectors = {p: importlib.import_module(f"adapters.sources.{m}").make_source(
            p, settings, clock=lambda: now[0]) for p, m in MODULES.items()}
        store = Store(engine)
        service = SourceService(store, connectors, Secrets(new_key()), sleep=lambda s: None)
        ids: dict[int, str] = {}
        for ws_index, platform, account_id, token, channel in fleet.added:
            ws = store.ensure_workspace(f"brand-{ws_index}")
            rec = service.add(ws.id, platform, account_id, token=token or ga4_key[0],
                              now=T0, channel=channel or None)
            ids[rec.id] = platform
        since = T0.date() - timedelta(days=SETUP_DAYS)
        setup = [service.sync(i, now=T0, since=since) for i in ids]
        setup_s = time.perf_counter() - started
        assert not [r.error for r in setup if r.error_kind], [r.error for r in setup]

        fleet.next_day()
        now[0] = T1
        statements = [0]

        def count(*_: Any) -> None:
            statements[0] += 1

        event.listen(engine, "before_cursor_execute", count)
        before = fleet.requests()
        started = time.perf_counter()
        daily = service.sync_due(T1)
        daily_s = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        daily_requests = fleet.requests() - before
        assert len(daily) == len(ids) and not [r.error for r in daily if r.error_kind], [
            r.error for r in daily if r.error_kind]

        def counts() -> dict[str, int]:
            with engine.connect() as conn:
                return {t: conn.execute(select(func.count()).select_from(table(t))).scalar_one()
                        for t in DATA_TABLES}

        stored = counts()
        for i in ids:
            service.sources.set_next(i, T1)  # as /sumber sync: every source due again
        before = fleet.requests()
        started = time.perf_counter()
        second = service.sync_due(T1)
        second_s = time.perf_counter() - started
        second_requests = fleet.requests() - before
        assert len(second) == len(ids) and not [r for r in second if r.error_kind]
        by_platform: dict[str, dict[str, int]] = {}
        for r in daily:
            cell = by_platform.setdefault(ids[r.source_id], {"sources": 0, "requests": 0,
                                                             "rows": 0, "days": 0})
            cell["sources"] += 1
            cell["requests"] += r.requests
            cell["rows"] += r.rows
            cell["days"] += ((r.span[1] - r.span[0]).days + 1) if r.span else 0
        return {
            "sources_s": round(daily_s, 3), "requests": daily_requests,
            "requests_reported": sum(r.requests for r in daily),
            "rows": sum(r.rows for r in daily), "changed": sum(r.changed for r in daily),
            "rows_per_s": round(sum(r.rows for r in daily) / daily_s, 1),
            "statements": statements[0],
            "second_s": round(second_s, 3), "second_requests": second_requests,
            "second_rows": sum(r.rows for r in second),
            "second_changed": sum(r.changed for r in second),
            "second_stored_rows_moved": sum(abs(n - stored[t]) for t, n in counts().items()),
            "stored_rows": sum(stored.values()), "setup_s": round(setup_s, 3),
            "by_platform": by_platform}


def sync_100(sources: int = 100) -> dict[str, Any]:
    """The daily sync of ``sources`` sources on SQLite and, with
    ``KPIBOT_BENCH_POSTGRES_URL``, on PostgreSQL (a schema made and dropped here)."""
    import os
    import uuid

    from sqlalchemy import text

    if sources < 10 or sources % 10:
        raise SystemExit("--sources must be a multiple of 10")
    key = _ga4_key()
    out: dict[str, Any] = {"sync_100_sources": sources}
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'sync.db'}")
        migrate(engine)
        try:
            out.update({f"sync_100_{k}": v for k, v in _sync_once(engine, sources, key).items()})
        finally:
            engine.dispose()
    url = os.environ.get("KPIBOT_BENCH_POSTGRES_URL", "")
    if not url:
        out["sync_100_pg_note"] = "KPIBOT_BENCH_POSTGRES_URL not set"
        return out
    schema = f"bench_sync_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        migrate(engine)
        try:
            out.update({f"sync_100_pg_{k}": v
                        for k, v in _sync_once(engine, sources, key).items()})
        finally:
            engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    return out


if __name__ == "__main__":
    main()
