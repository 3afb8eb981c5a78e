"""``/bandingkan posts`` from the posts (SPEC §11, issue 16): per channel, competitors
included and marked, posts published and engagement per post, on SQLite and PostgreSQL,
with values computed by hand from the rows written here."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.bootstrap import App
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.storage.posts import ContentStore
from tests.conftest import Conversation

TZ = "Asia/Jakarta"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tuesday 10 Nov 2026 (Jakarta)


def _post(pid: str, day: str, platform: str = "instagram", handle: str = "",
          competitor: bool | None = None) -> PostRow:
    return PostRow(platform=platform, handle=handle, post_id=pid,
                   published_at=datetime.fromisoformat(f"{day}T10:00:00+07:00").astimezone(UTC),
                   format="feed", caption=pid, permalink=f"https://example.com/{pid}",
                   competitor=competitor)


def _likes(pid: str, day: date, likes: float, platform: str = "instagram", handle: str = "",
           comments: float | None = None) -> list[PostMetricRow]:
    rows = [PostMetricRow(platform, handle, pid, day, "likes", likes)]
    if comments is not None:
        rows.append(PostMetricRow(platform, handle, pid, day, "comments", comments))
    return rows


def _seed(app: App) -> Conversation:
    """Last week = Mon 2 – Sun 8 Nov; the week before = 26 Oct – 1 Nov.

    - instagram: A (3 Nov) 100 likes + 20 comments = 120 as of 8 Nov; B (5 Nov) 60 as of
      6 Nov (500 on 9 Nov is after the end); P (27 Oct) 50 as of 1 Nov (80 on 5 Nov is
      after the previous week's end). Last week 2 posts, 180 / 2 = 90 per post; before
      1 post, 50 per post: posts +100 %, per post +80 %.
    - tiktok: T (4 Nov) 300; nothing before: posts 1, 300 per post, no change.
    - @rival (competitor): R (4 Nov) 90; R2 (6 Nov) never read: 2 posts, 90 per read post;
      Q (28 Oct) 40 before: posts +100 %, per post +125 %.
    - own total: 3 posts, 480 / 3 = 160 per post; before 1 post, 50: +200 %, +220 %.
    """
    ws = app.store.ensure_workspace("brand")
    rival = {"platform": "instagram", "handle": "@rival"}
    posts = [_post("A", "2026-11-03"), _post("B", "2026-11-05"), _post("P", "2026-10-27"),
             _post("T", "2026-11-04", "tiktok"),
             _post("R", "2026-11-04", **rival, competitor=True),
             _post("R2", "2026-11-06", **rival, competitor=True),
             _post("Q", "2026-10-28", **rival, competitor=True)]
    metrics = [*_likes("A", date(2026, 11, 8), 100, comments=20),
               *_likes("B", date(2026, 11, 6), 60), *_likes("B", date(2026, 11, 9), 500),
               *_likes("P", date(2026, 11, 1), 50), *_likes("P", date(2026, 11, 5), 80),
               *_likes("T", date(2026, 11, 7), 300, "tiktok"),
               *_likes("R", date(2026, 11, 5), 90, **rival),
               *_likes("Q", date(2026, 10, 30), 40, **rival)]
    ContentStore(app.store).write_posts(ws.id, TZ, posts, metrics)
    return Conversation(app, NOW, workspace="brand")


def _rows(data: dict) -> list[tuple]:
    return [(r["channel"], r["competitor"], r["posts"], r["engagement_per_post"],
             r["previous"]["posts"], r["posts_change_pct"], r["engagement_per_post_change_pct"])
            for r in data["rows"]]


EXPECTED = [
    ("instagram", False, 2, 90.0, 1, pytest.approx(100.0), pytest.approx(80.0)),
    ("tiktok", False, 1, 300.0, 0, None, None),
    ("instagram:@rival", True, 2, 90.0, 1, pytest.approx(100.0), pytest.approx(125.0)),
    (None, False, 3, 160.0, 1, pytest.approx(200.0), pytest.approx(220.0)),
]


@pytest.mark.parametrize("text", [
    "/bandingkan posts minggu lalu",
    "/compare posts last week",
    "berapa kali pesaing posting minggu lalu",
    "frekuensi posting kompetitor minggu lalu",
    "how often do competitors post last week",
])
def test_posting_frequency_and_engagement_per_post_per_channel(app: App, text: str) -> None:
    reply = _seed(app).reply(text)
    data = reply.as_json()
    assert data["intent"] == "compare" and data["source"] == "posts", data
    assert data["metric"] == "posts"
    assert data["period"]["start"] == "2026-11-02" and data["period"]["end"] == "2026-11-08"
    assert data["previous"]["start"] == "2026-10-26"
    assert _rows(data) == EXPECTED
    assert data["rows"][2]["engagement"] == 90.0  # R2 published, never read


def test_posting_reply_text_marks_competitors(app: App) -> None:
    reply = _seed(app).reply("/bandingkan posts minggu lalu")
    assert reply.title.startswith("Frekuensi posting per kanal · minggu lalu")
    assert "• instagram: 2 postingan (+100,0%) · 90,0 engagement per postingan (+80,0%)" \
        in reply.body
    assert "• tiktok: 1 postingan · 300,0 engagement per postingan" in reply.body
    assert "• instagram:@rival (pesaing): 2 postingan (+100,0%) · 90,0 engagement per " \
           "postingan (+125,0%)" in reply.body
    assert "Σ Total kanal sendiri: 3 postingan (+200,0%) · 160,0 engagement per postingan " \
           "(+220,0%)" in reply.body
    en = _seed(app).reply("/compare posts last week")
    assert "• instagram:@rival (competitor): 2 posts (+100,0%) · 90,0 engagement per post " \
           "(+125,0%)" in en.body


def test_without_posts_the_daily_counts_answer_and_unknown_rivals_are_said(app: App) -> None:
    ws = app.store.ensure_workspace("brand")
    bot = Conversation(app, NOW, workspace="brand")
    assert bot.reply("/catat instagram posts 3 2026-11-03").error is None
    plain = bot.reply("/bandingkan posts minggu lalu").as_json()
    assert plain["intent"] == "compare" and "source" not in plain  # the daily counts
    assert [(r["channel"], r["value"]) for r in plain["rows"]] == [
        ("instagram", 3.0), (None, 3.0)]
    # instagram's posts known; tiktok (daily counts only) and @rival have no post stored:
    # their posting is unknown, never 0, and tiktok is not in the own total
    app.store.write_snapshots(ws.id, [
        SnapshotRow(date(2026, 11, 4), "tiktok", "", "posts", 4),
        SnapshotRow(date(2026, 11, 4), "instagram", "@rival", "reach", 100, competitor=True)])
    ContentStore(app.store).write_posts(ws.id, TZ, [_post("A", "2026-11-03")],
                                        _likes("A", date(2026, 11, 4), 10))
    reply = bot.reply("/bandingkan posts minggu lalu")
    data = reply.as_json()
    assert data["source"] == "posts"
    assert [(r["channel"], r["posts"], r["posts_known"]) for r in data["rows"]] == [
        ("instagram", 1, True), ("tiktok", None, False), ("instagram:@rival", None, False),
        (None, 1, True)]
    assert "• tiktok: postingan belum diimpor" in reply.body
    assert "• instagram:@rival (pesaing): postingan belum diimpor" in reply.body
    assert "Belum ada postingan tersimpan untuk tiktok" in reply.footer
    assert "Postingan pesaing belum diketahui" in reply.footer
    # a rival whose posts are known but none in these weeks posted 0 times
    ContentStore(app.store).write_posts(
        ws.id, TZ, [_post("X", "2026-09-01", "instagram", "@rival", competitor=True)])
    again = bot.reply("/bandingkan posts minggu lalu")
    assert "• instagram:@rival (pesaing): 0 postingan · engagement per postingan belum ada" \
        in again.body
    assert "Postingan pesaing belum diketahui" not in again.footer


def test_posts_chart_is_drawn_from_posts_per_day_and_engagement_per_post(app: App) -> None:
    """/grafik posts from the posts of ``_seed``: instagram last week has A on 3 Nov (120)
    and B on 5 Nov (60); the week before P on 27 Oct (50)."""
    bot = _seed(app)
    reply = bot.reply("/grafik posts instagram minggu lalu")
    data = reply.as_json()
    assert reply.error is None and reply.chart and reply.chart.startswith(b"\x89PNG")
    assert data["intent"] == "chart" and data["source"] == "posts"
    assert data["series"]["current"] == [
        ["2026-11-02", 0.0], ["2026-11-03", 1.0], ["2026-11-04", 0.0], ["2026-11-05", 1.0],
        ["2026-11-06", 0.0], ["2026-11-07", 0.0], ["2026-11-08", 0.0]]
    assert data["series"]["previous"][1] == ["2026-10-27", 1.0]
    assert sum(v for _, v in data["series"]["previous"]) == 1.0
    assert data["engagement_per_post_series"]["current"] == [
        ["2026-11-02", None], ["2026-11-03", 120.0], ["2026-11-04", None],
        ["2026-11-05", 60.0], ["2026-11-06", None], ["2026-11-07", None],
        ["2026-11-08", None]]
    assert data["engagement_per_post_series"]["previous"][1] == ["2026-10-27", 50.0]
    assert (data["value"], data["previous_value"]) == (2, 1)
    assert (data["engagement_per_post"], data["previous_engagement_per_post"]) == (90.0, 50.0)
    assert reply.body == ["2 postingan (+100,0%) · 90,0 engagement per postingan (+80,0%)"]
    # the own channels: T (tiktok, 300) on 4 Nov joins them; 480 / 3 = 160 per post
    own = bot.reply("/grafik posts minggu lalu").as_json()
    assert own["series"]["current"][2] == ["2026-11-04", 1.0]
    assert own["engagement_per_post_series"]["current"][2] == ["2026-11-04", 300.0]
    assert own["engagement_per_post"] == 160.0
    # the competitor: R (90) on 4 Nov; R2 on 6 Nov published but never read
    rival = bot.reply("/grafik posts instagram:@rival minggu lalu").as_json()
    assert rival["series"]["current"][4] == ["2026-11-06", 1.0]
    assert rival["engagement_per_post_series"]["current"][4] == ["2026-11-06", None]
    assert rival["engagement_per_post"] == 90.0
    assert bot.reply("/grafik posts snapchat minggu lalu").error == "unknown_channel"
    assert own["left_out"] == []
    # a channel with only daily counts: not counted, and the footer says so
    ws = app.store.workspace("brand")
    assert ws is not None
    app.store.write_snapshots(ws.id, [SnapshotRow(date(2026, 11, 4), "youtube", "", "posts", 2)])
    with_yt = bot.reply("/grafik posts minggu lalu")
    assert with_yt.as_json()["left_out"] == ["youtube"]
    assert with_yt.as_json()["value"] == 3
    assert "Belum ada postingan tersimpan untuk youtube: tidak dihitung." in with_yt.footer


def test_posts_chart_without_posts_keeps_the_daily_counts(app: App) -> None:
    app.store.ensure_workspace("brand")
    bot = Conversation(app, NOW, workspace="brand")
    assert bot.reply("/catat instagram posts 3 2026-11-03").error is None
    data = bot.reply("/grafik posts minggu lalu").as_json()
    assert data["intent"] == "chart" and "source" not in data
    assert data["series"]["current"][1] == ["2026-11-03", 3.0]
