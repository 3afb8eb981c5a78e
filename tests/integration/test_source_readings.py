"""Lifetime readings through the sync service (issue 17's 100-source bench found both): a
TikTok daily sync of 8 days runs as two windows; only the last one may label what it read
*now* (the videos' lifetime totals), so the day before keeps the totals read the day before,
and a second sync right after adds no reading. The real connector against
tests/tiktok_standin.py (127.0.0.1:0); every number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from adapters.sources.tiktok import TikTokApi, TikTokSource
from kpi_engine.services.secrets import Secrets, new_key
from kpi_engine.services.sources import SourceService
from kpi_engine.storage import schema_posts as sp
from kpi_engine.storage.store import Store
from tests.tiktok_standin import Business, TikTokStandin, Video

T0 = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # 06:00 on 30 Nov in Jakarta
T1 = T0 + timedelta(days=1)
Y0, Y1 = date(2026, 11, 29), date(2026, 11, 30)  # the workspace's yesterday at T0, at T1
TOKEN = "act.tiktok-token"


def readings(store: Store) -> dict[tuple[str, date], float | None]:
    p, m = sp.posts.c, sp.post_metrics.c
    with store.connect() as conn:
        rows = conn.execute(select(p.post_id, m.day, m.likes).join(
            sp.post_metrics, m.post_id == p.id)).all()
    return {(r.post_id, r.day): r.likes for r in rows}


def test_only_the_last_window_labels_lifetime_totals_and_a_second_sync_adds_none(
        store: Store) -> None:
    now = [T0]
    with TikTokStandin() as tt:
        tt.tokens.add(TOKEN)
        daily = {Y1 - timedelta(days=i): {"followers_count": 5000, "video_views": 100,
                                          "likes": 10, "comments": 1, "shares": 1,
                                          "profile_views": 2} for i in range(40)}
        # one video a day at 12:00 UTC, 29 Nov back to 1 Oct (60 days): 100 likes each
        videos = [Video(f"73{i:05d}", datetime(2026, 11, 29, 12, tzinfo=UTC) - timedelta(
            days=i), f"video {i}", {"reach": 500, "video_views": 800, "likes": 100,
                                   "comments": 5, "shares": 2}) for i in range(60)]
        tt.businesses["biz1"] = Business("biz1", daily, videos)
        source = TikTokSource(TikTokApi(tt.url, retry_delay=0), clock=lambda: now[0])
        ws = store.ensure_workspace("toko")
        service = SourceService(store, {"tiktok": source}, Secrets(new_key()),
                                sleep=lambda s: None)
        sid = service.add(ws.id, "tiktok", "biz1", token=TOKEN, now=T0).id
        first = service.sync(sid, now=T0, since=Y0 - timedelta(days=6))  # 23-29 Nov
        assert first.error_kind == "" and first.windows == 1
        at_t0 = readings(store)
        # read for 29 Nov: videos from 29 Nov − 34 days = 26 Oct: 29 Nov … 1 Nov (29) and
        # 31 … 26 Oct (6) are 35 videos
        assert {d for (_, d) in at_t0} == {Y0} and len(at_t0) == 35
        assert set(at_t0.values()) == {100}

        for v in videos:  # a day later every video has 50 likes more
            v.values = {**v.values, "likes": 150}
        now[0] = T1
        daily_sync = service.sync(sid, now=T1)
        # TikTok revises 7 days, and 23 Nov is still provisional: 23-30 Nov, two windows
        assert daily_sync.span == (date(2026, 11, 23), Y1) and daily_sync.windows == 2
        after = readings(store)
        # 29 Nov keeps the totals read on 29 Nov; 30 Nov has the new ones for the videos
        # from 30 Nov − 34 = 27 Oct (29 Nov … 27 Oct: 29 + 5 = 34 videos)
        assert {k: v for k, v in after.items() if k[1] == Y0} == at_t0
        on_y1 = {k: v for k, v in after.items() if k[1] == Y1}
        assert len(on_y1) == 34 and set(on_y1.values()) == {150}

        again = service.sync(sid, now=T1)  # right after: one window, 24-30 Nov
        assert again.windows == 1 and again.changed == 0
        assert readings(store) == after
