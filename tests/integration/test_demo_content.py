"""The demo brand's posts and audience (SPEC §11) against its own daily snapshots, on SQLite
and PostgreSQL: engagement per post from posts equals Σ engagement / Σ posts of the days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import text

from kpi_engine.services.demo import OWN_PLATFORMS, demo_rows
from kpi_engine.services.demo_content import BEST_HOUR, demo_content
from kpi_engine.services.seed import seed_demo
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

TODAY = date(2026, 11, 22)


def _daily(store: Store, ws: int, start: date, end: date) -> tuple[float, float]:
    """Σ engagement parts and Σ posts of the own channels' organic daily snapshots."""
    day = (lambda d: d.isoformat()) if store.dialect == "sqlite" else (lambda d: d)
    with store.connect() as conn:
        row = conn.execute(text(
            "SELECT SUM(CASE WHEN s.metric = 'posts' THEN 0 ELSE s.value END),"
            " SUM(CASE WHEN s.metric = 'posts' THEN s.value ELSE 0 END) FROM snapshots s"
            " JOIN channels c ON c.id = s.channel_id WHERE s.workspace_id = :ws"
            " AND c.is_competitor = :no AND s.campaign = '' AND s.day >= :a AND s.day <= :b"
            " AND s.metric IN ('likes', 'comments', 'shares', 'saves', 'posts')"),
            {"ws": ws, "no": False, "a": day(start), "b": day(end)}).one()
    return float(row[0]), float(row[1])


def _all_posted_from(day: date) -> date:
    """The first day on or after ``day`` on which every own channel published."""
    posting: dict[date, set[str]] = {}
    for r in demo_rows(TODAY):
        if r.metric == "posts" and r.value > 0 and not r.handle and not r.campaign:
            posting.setdefault(r.day, set()).add(r.platform)
    while posting.get(day, set()) != set(OWN_PLATFORMS):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("days_back, length", [(0, 14), (30, 28), (120, 45)])
def test_engagement_per_post_from_posts_and_from_days_agree(store: Store, days_back: int,
                                                            length: int) -> None:
    """Over a period that starts on a day every channel posted, the posts published in it
    hold all of its engagement (a day without a post grows the latest post's lifetime)."""
    ws, _ = seed_demo(store, TODAY)
    end = TODAY - timedelta(days=days_back)
    start = _all_posted_from(end - timedelta(days=length - 1))
    assert start < end
    engagement, posts = _daily(store, ws.id, start, end)
    formats = ContentStore(store).by_format(ws.id, start, end)
    assert sum(g.posts for g in formats) == posts > 0
    assert sum(g.engagement for g in formats) == engagement
    per_post = sum(g.engagement for g in formats) / sum(g.posts for g in formats)
    assert per_post == pytest.approx(engagement / posts, abs=1e-9)


def test_demo_content_is_deterministic_and_shows_something(store: Store) -> None:
    posts, readings, segments = demo_content(TODAY)
    assert (posts, readings, segments) == demo_content(TODAY)
    assert 300 <= len([p for p in posts if not p.handle]) <= 1000
    assert {p.format for p in posts} >= {"reel", "feed", "carousel", "story", "video", "short"}
    assert any(p.handle == "@kopirival" and p.competitor for p in posts)
    ws, _ = seed_demo(store, TODAY)
    content = ContentStore(store)
    start = TODAY - timedelta(days=89)
    cells = [g for g in content.by_posting_time(ws.id, start, TODAY) if g.posts >= 5]
    assert cells and cells[0].key[1] == BEST_HOUR  # the best cell with enough posts: 19:00
    tags = content.by_hashtag(ws.id, start, TODAY, min_posts=3)
    assert "kopinusantara" in [g.key for g in tags]
    top = content.top_posts(ws.id, TODAY - timedelta(days=6), TODAY, limit=3)
    assert len(top) == 3 and top[0].value >= top[1].value >= top[2].value
    assert top[0].permalink.startswith("https://")
    audience = content.audience(ws.id, TODAY - timedelta(days=27), TODAY)
    cities = [b for b in audience if b.dimension == "city"]
    assert cities[0].bucket == "Jakarta" and cities[0].change_pct is not None
    # seeding again changes nothing: idempotent upserts
    seed_demo(store, TODAY)
    assert content.count_posts(ws.id) == len(posts)


@pytest.mark.parametrize("days_back, length", [(0, 7), (30, 28), (100, 60)])
def test_posting_comparison_counts_the_posts_the_daily_snapshots_count(
        store: Store, days_back: int, length: int) -> None:
    """/bandingkan posts from the posts: each own channel's posts published in a period are
    the Σ of its daily ``posts`` snapshots, in both periods, over any days."""
    from kpi_engine.services.content import posting_comparison

    ws, _ = seed_demo(store, TODAY)
    end = TODAY - timedelta(days=days_back)
    start = end - timedelta(days=length - 1)
    prev_end, prev_start = start - timedelta(days=1), start - timedelta(days=length)
    expected: dict[tuple[str, bool], float] = {}
    for r in demo_rows(TODAY):
        if r.metric == "posts" and not r.handle and not r.campaign:
            for current, (a, b) in ((True, (start, end)), (False, (prev_start, prev_end))):
                if a <= r.day <= b:
                    expected[(r.platform, current)] = \
                        expected.get((r.platform, current), 0) + r.value
    c = posting_comparison(store, ws.id, store.channels(ws.id), start, end, prev_start,
                           prev_end)
    own = [r for r in c.rows if r.channel is not None and not r.channel.is_competitor]
    assert {r.channel.name for r in own if r.channel} == set(OWN_PLATFORMS)
    for r in own:
        assert r.channel is not None
        assert r.current.posts == expected.get((r.channel.platform, True), 0)
        assert r.previous.posts == expected.get((r.channel.platform, False), 0)
    total = c.rows[-1]
    assert total.channel is None and total.current.posts == sum(r.current.posts for r in own)
    assert c.competitors_known  # the demo rival's posts are known
