"""Posts, lifetime metrics and audience on SQLite and PostgreSQL (SPEC §11), values by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

TZ = "Asia/Jakarta"
START, END = date(2026, 11, 2), date(2026, 11, 8)


def _post(pid: str, when: str, fmt: str, caption: str = "", channel: str = "",
          competitor: bool | None = None) -> PostRow:
    return PostRow(platform="instagram", handle=channel, post_id=pid,
                   published_at=datetime.fromisoformat(when).astimezone(UTC), format=fmt,
                   caption=caption, permalink=f"https://instagram.com/p/{pid}",
                   competitor=competitor)


def _metrics(pid: str, day: date, channel: str = "", **values: float) -> list[PostMetricRow]:
    return [PostMetricRow("instagram", channel, pid, day, m, v) for m, v in values.items()]


def _seed(store: Store) -> tuple[ContentStore, int]:
    ws = store.ensure_workspace("brand")
    content = ContentStore(store)
    posts = [
        _post("A", "2026-11-02T19:30:00+07:00", "reel", "Promo #Ramadan #diskon"),
        _post("B", "2026-11-03T09:00:00+07:00", "feed", "pagi #ramadan"),
        _post("C", "2026-11-05T19:10:00+07:00", "reel", "#diskon lagi #Diskon"),
        _post("D", "2026-11-01T23:30:00+07:00", "reel", "#diskon"),  # before the period
        # 2026-11-02 00:30 in Jakarta: UTC 2026-11-01 17:30, so it is in the period
        _post("E", "2026-11-01T17:30:00+00:00", "story", ""),
        _post("R", "2026-11-03T12:00:00+07:00", "reel", "#diskon", channel="@rival",
              competitor=True),
    ]
    metrics = [
        *_metrics("A", date(2026, 11, 3), likes=100, comments=10, shares=5, saves=5, reach=1000),
        *_metrics("A", date(2026, 11, 8), likes=200, comments=20, shares=10, saves=10, reach=2000),
        *_metrics("A", date(2026, 11, 9), likes=500, reach=9000),  # after the end: not seen
        *_metrics("B", date(2026, 11, 4), likes=50, comments=5, reach=800),
        *_metrics("B", date(2026, 11, 7), reach=900),  # no engagement part on that day
        *_metrics("C", date(2026, 11, 6), likes=300, comments=0, shares=0, saves=0, reach=700),
        *_metrics("D", date(2026, 11, 3), likes=999, reach=5000),
        *_metrics("E", date(2026, 11, 2), likes=7, reach=70),
        *_metrics("R", date(2026, 11, 4), "@rival", likes=5000, reach=50000),
    ]
    result = content.write_posts(ws.id, TZ, posts, metrics)
    assert (result.written, result.replaced) == (len(metrics), 0)
    return content, ws.id


@pytest.mark.parametrize("metric, expected", [
    ("engagement", [("C", 300.0), ("A", 240.0), ("B", 55.0), ("E", 7.0)]),
    ("reach", [("A", 2000.0), ("B", 900.0), ("C", 700.0), ("E", 70.0)]),
    ("likes", [("C", 300.0), ("A", 200.0), ("B", 50.0), ("E", 7.0)]),
])
def test_top_posts_rank_published_posts_by_their_latest_value_at_the_end(
        store: Store, metric: str, expected: list[tuple[str, float]]) -> None:
    content, ws = _seed(store)
    rows = content.top_posts(ws, START, END, metric)
    assert [(r.post_id, r.value) for r in rows] == expected
    first = rows[0]
    assert first.permalink == f"https://instagram.com/p/{first.post_id}"
    assert content.top_posts(ws, START, END, metric, limit=2) == rows[:2]


def test_top_posts_of_a_competitor_and_an_earlier_end(store: Store) -> None:
    content, ws = _seed(store)
    rival = next(c for c in store.channels(ws) if c.handle == "@rival")
    assert rival.is_competitor
    rows = content.top_posts(ws, START, END, channel_ids=[rival.id])
    assert [(r.post_id, r.value) for r in rows] == [("R", 5000.0)]
    # as of 2026-11-05: A read on 11-03 (120), B on 11-04 (55); C not read yet
    rows = content.top_posts(ws, START, date(2026, 11, 5))
    assert [(r.post_id, r.value) for r in rows] == [("A", 120.0), ("B", 55.0), ("E", 7.0)]
    # the published time keeps its instant and the local day is Jakarta's
    e = next(r for r in content.top_posts(ws, START, END) if r.post_id == "E")
    assert e.published_at == datetime(2026, 11, 1, 17, 30, tzinfo=UTC)
    assert e.published_day == date(2026, 11, 2)


def test_formats_posting_times_and_hashtags(store: Store) -> None:
    content, ws = _seed(store)
    formats = content.by_format(ws, START, END)
    # reel: A 240 + C 300 over 2 posts = 270; feed: B 55; story: E 7
    assert [(g.key, g.posts, g.engagement, g.per_post) for g in formats] == [
        ("reel", 2, 540.0, 270.0), ("feed", 1, 55.0, 55.0), ("story", 1, 7.0, 7.0)]
    times = content.by_posting_time(ws, START, END)
    # C Thursday 19h, A Monday 19h, B Tuesday 9h, E Monday 0h (local)
    assert [(g.key, g.posts, g.per_post) for g in times] == [
        ((3, 19), 1, 300.0), ((0, 19), 1, 240.0), ((1, 9), 1, 55.0), ((0, 0), 1, 7.0)]
    tags = content.by_hashtag(ws, START, END, min_posts=2)
    # diskon: A, C (C names it twice, counted once) = 540 / 2; ramadan: A, B = 295 / 2
    assert [(g.key, g.posts, g.per_post) for g in tags] == [
        ("diskon", 2, 270.0), ("ramadan", 2, 147.5)]
    assert content.by_hashtag(ws, START, END, min_posts=3) == []


def test_writes_are_idempotent_and_replace_by_post_and_day(store: Store) -> None:
    content, ws = _seed(store)
    again = content.write_posts(ws, TZ, [], _metrics("A", date(2026, 11, 8), likes=260))
    assert (again.written, again.replaced) == (1, 1)
    # likes replaced, the day's other parts kept: 260 + 20 + 10 + 10
    assert content.top_posts(ws, START, END, limit=1)[0].value == 300.0
    # the same post written again changes its attributes, not its identity
    content.write_posts(ws, TZ, [_post("B", "2026-11-03T09:00:00+07:00", "carousel", "#baru")])
    assert content.count_posts(ws) == 6
    assert ("carousel", 1, 55.0, 55.0) in [(g.key, g.posts, g.engagement, g.per_post)
                                          for g in content.by_format(ws, START, END)]
    assert content.by_hashtag(ws, START, END, min_posts=1)[-1].key in {"diskon", "baru"}
    assert "ramadan" in [g.key for g in content.by_hashtag(ws, START, END, min_posts=1)]
    tags = {g.key: g.posts for g in content.by_hashtag(ws, START, END, min_posts=1)}
    assert tags == {"diskon": 2, "ramadan": 1, "baru": 1}


def test_audience_latest_bucket_share_and_change(store: Store) -> None:
    ws = store.ensure_workspace("brand").id
    content = ContentStore(store)

    def seg(day: date, dim: str, bucket: str, value: float) -> SegmentRow:
        return SegmentRow(day, "instagram", "", dim, bucket, value)

    rows = [seg(date(2026, 11, 1), "city", "Jakarta", 400), seg(date(2026, 11, 1), "city",
            "Bandung", 100), seg(date(2026, 11, 8), "city", "Jakarta", 500),
            seg(date(2026, 11, 8), "city", "Bandung", 300),
            seg(date(2026, 11, 9), "city", "Jakarta", 9999),
            seg(date(2026, 11, 5), "age", "18-24", 600)]
    assert content.write_segments(ws, rows).written == 6
    again = content.write_segments(ws, rows[:2])
    assert (again.written, again.replaced) == (2, 2)
    got = [(b.dimension, b.bucket, b.value, b.previous, b.share_pct, b.change_pct)
           for b in content.audience(ws, START, END)]
    assert got == [("age", "18-24", 600.0, None, 100.0, None),
                   ("city", "Jakarta", 500.0, 400.0, 62.5, 25.0),
                   ("city", "Bandung", 300.0, 100.0, 37.5, 200.0)]
