"""/kenapa with posts known (issue 16 × issue 15): the change split into fewer/more posts and
value per post, exactly (Δ = Δposts × per_post_previous + posts × Δper_post), on SQLite and
PostgreSQL; every figure computed by hand below."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.bootstrap import App
from kpi_engine.domain.content import PostRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.storage.posts import ContentStore
from tests.conftest import Conversation

TZ = "Asia/Jakarta"
NOW = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)  # Sunday 22 Nov: this week 16–22, before 9–15
CUR, PREV = date(2026, 11, 17), date(2026, 11, 10)


def _posts(prefix: str, day: date, n: int, platform: str = "instagram", handle: str = "",
           competitor: bool | None = None) -> list[PostRow]:
    return [PostRow(platform, handle, f"{prefix}{i}",
                    datetime(day.year, day.month, day.day, 3, i, tzinfo=UTC), "feed",
                    competitor=competitor)
            for i in range(n)]


def _seed(app: App) -> Conversation:
    """Likes (engagement): instagram 500 → 440, tiktok 100 → 60; own 600 → 500.
    Posts published: instagram 10 → 8, tiktok 2 → 2 (own 12 → 10); the rival's 5 this week
    are not ours. youtube has reach but no post."""
    ws = app.store.ensure_workspace("brand")
    app.store.write_snapshots(ws.id, [
        SnapshotRow(PREV, "instagram", "", "likes", 500), SnapshotRow(CUR, "instagram", "", "likes", 440),
        SnapshotRow(PREV, "tiktok", "", "likes", 100), SnapshotRow(CUR, "tiktok", "", "likes", 60),
        SnapshotRow(PREV, "youtube", "", "reach", 70), SnapshotRow(CUR, "youtube", "", "reach", 50),
    ])
    posts = [*_posts("ip", PREV, 10), *_posts("ic", CUR, 8), *_posts("tp", PREV, 2, "tiktok"),
             *_posts("tc", CUR, 2, "tiktok"),
             *_posts("r", CUR, 5, "instagram", "@rival", True)]
    ContentStore(app.store).write_posts(ws.id, TZ, posts)
    return Conversation(app, NOW, workspace="brand")


@pytest.mark.parametrize("text, expected", [
    # instagram: 10 × 50 = 500 → 8 × 55 = 440: (8 − 10) × 50 = −100, 8 × (55 − 50) = +40
    ("/kenapa engagement instagram minggu ini",
     {"value": 8, "previous": 10, "per_post": 55.0, "per_post_previous": 50.0,
      "posts_effect": -100.0, "per_post_effect": 40.0, "driver": "posts"}),
    # tiktok: 2 × 50 → 2 × 30: no posts effect, 2 × (30 − 50) = −40
    ("/kenapa engagement tiktok minggu ini",
     {"value": 2, "previous": 2, "per_post": 30.0, "per_post_previous": 50.0,
      "posts_effect": 0.0, "per_post_effect": -40.0, "driver": "per_post"}),
    # own: 12 × 50 = 600 → 10 × 50 = 500: (10 − 12) × 50 = −100, 10 × 0 = 0
    ("kenapa engagement turun minggu ini",
     {"value": 10, "previous": 12, "per_post": 50.0, "per_post_previous": 50.0,
      "posts_effect": -100.0, "per_post_effect": 0.0, "driver": "posts"}),
])
def test_the_change_is_split_into_posts_and_per_post(app: App, text: str,
                                                     expected: dict[str, object]) -> None:
    data = _seed(app).reply(text).as_json()
    assert data["intent"] == "explain", data
    assert data["posts"] == expected
    posts = data["posts"]
    assert posts["posts_effect"] + posts["per_post_effect"] == pytest.approx(data["change"])


def test_the_sentence_says_what_drove_it(app: App) -> None:
    bot = _seed(app)
    ig = bot.reply("/kenapa engagement instagram minggu ini")
    assert ig.body[1] == ("Dari postingan: 10 → 8 postingan (efek −100), engagement per "
                          "postingan 50,0 → 55,0 (efek +40,0); penurunan terutama karena "
                          "lebih sedikit postingan.")
    tt = bot.reply("/why engagement tiktok this week")
    assert tt.body[1] == ("From posts: 2 → 2 posts (effect ±0,0), engagement per post 50,0 → "
                          "30,0 (effect −40,0); the drop comes mostly from less engagement "
                          "per post.")


def test_no_posts_no_split(app: App) -> None:
    bot = _seed(app)
    yt = bot.reply("/kenapa reach youtube minggu ini")  # reach 70 → 50, no post
    assert yt.intent == "explain" and "posts" not in yt.as_json()
    assert not any(line.startswith("Dari postingan") for line in yt.body)
    followers = bot.reply("/kenapa followers instagram minggu ini")  # not a post metric
    assert "posts" not in followers.as_json()


def test_a_channel_without_posts_stored_stops_the_split(app: App) -> None:
    """youtube's likes (daily counts only, no post stored) would be divided by posts they are
    not in: the own channels' split is left out; instagram's alone still splits."""
    bot = _seed(app)
    ws = app.store.workspace("brand")
    assert ws is not None
    app.store.write_snapshots(ws.id, [SnapshotRow(PREV, "youtube", "", "likes", 30),
                                      SnapshotRow(CUR, "youtube", "", "likes", 20)])
    own = bot.reply("kenapa engagement turun minggu ini")
    assert own.intent == "explain" and "posts" not in own.as_json()
    assert bot.reply("/kenapa engagement instagram minggu ini").as_json()["posts"]["value"] == 8
