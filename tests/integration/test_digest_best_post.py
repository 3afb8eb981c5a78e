"""The daily digest names yesterday's best post (SPEC §11, issue 16): the own post published
yesterday with the most lifetime engagement read by then, with its link, escaped on each
platform; nothing when no post was published. SQLite and PostgreSQL; values by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

from adapters.chat.slack import render_blocks
from adapters.chat.telegram import split_html
from bot.digest_views import render_digest
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.services.digests import build_digest
from kpi_engine.storage.posts import ContentStore
from kpi_engine.storage.store import Store

TZ = "Asia/Jakarta"
DAY = date(2026, 11, 10)  # the digest of Tuesday 10 Nov: yesterday is Monday 9 Nov
NOW = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
HOSTILE = "<b>Promo</b> & *gratis* <!channel>"


def _post(pid: str, when: str, caption: str = "", handle: str = "",
          competitor: bool | None = None, link: str | None = None) -> PostRow:
    return PostRow("instagram", handle, pid, datetime.fromisoformat(when).astimezone(UTC),
                   "reel", caption, link if link is not None else f"https://ig.example/{pid}",
                   competitor)


def _likes(pid: str, day: date, likes: float, handle: str = "") -> PostMetricRow:
    return PostMetricRow("instagram", handle, pid, day, "likes", likes)


def test_yesterdays_best_post_is_named_with_its_link(store: Store) -> None:
    ws = store.ensure_workspace("brand")
    posts = [
        _post("A", "2026-11-09T08:00:00+07:00", "pagi"),  # 120 as of 9 Nov (900 on 10 Nov)
        _post("B", "2026-11-09T19:00:00+07:00", HOSTILE,
              link="https://ig.example/B?a=1&b=<2>"),  # 150: the best of yesterday
        _post("C", "2026-11-08T19:00:00+07:00", "sunday"),  # 999, but published on 8 Nov
        _post("R", "2026-11-09T12:00:00+07:00", "rival", "@rival", True),  # a competitor
        # 00:30 on 10 Nov in Jakarta is 9 Nov 17:30 UTC: published today, not yesterday
        _post("L", "2026-11-10T00:30:00+07:00", "late"),
    ]
    metrics = [_likes("A", date(2026, 11, 9), 120), _likes("A", date(2026, 11, 10), 900),
               _likes("B", date(2026, 11, 9), 150), _likes("C", date(2026, 11, 9), 999),
               _likes("R", date(2026, 11, 9), 5000, "@rival"),
               _likes("L", date(2026, 11, 10), 7000)]
    ContentStore(store).write_posts(ws.id, TZ, posts, metrics)
    digest = build_digest(store, ws, "daily", DAY, NOW)
    assert digest.best_post is not None and digest.best_post[0] == "instagram"
    data = digest.as_json()["best_post"]
    assert (data["post_id"], data["value"], data["permalink"]) == (
        "B", 150.0, "https://ig.example/B?a=1&b=<2>")
    view = render_digest(digest, chart=False)
    body = view.reply.body
    at = body.index("🏆 Postingan terbaik kemarin")
    assert body[at + 1:at + 4] == ["  Reel · instagram — 150 engagement", f"  “{HOSTILE}”",
                                   "  https://ig.example/B?a=1&b=<2>"]
    html = "\n".join(split_html(view.reply))
    assert "&lt;b&gt;Promo&lt;/b&gt; &amp; *gratis* &lt;!channel&gt;" in html
    assert "https://ig.example/B?a=1&amp;b=&lt;2&gt;" in html and "<b>Promo" not in html
    slack = "\n".join(b["text"]["text"] for b in render_blocks(view.reply)
                      if b["type"] == "section")
    assert "&lt;b&gt;Promo&lt;/b&gt; &amp;" in slack and "<!channel>" not in slack
    assert "<2>" not in slack
    english = render_digest(build_digest(store, ws, "daily", DAY, NOW, lang="en"), chart=False)
    assert "🏆 Yesterday's best post" in english.reply.body


def test_no_post_yesterday_no_best_post_line(store: Store) -> None:
    ws = store.ensure_workspace("brand")
    ContentStore(store).write_posts(ws.id, TZ, [_post("C", "2026-11-08T19:00:00+07:00")],
                                    [_likes("C", date(2026, 11, 9), 999)])
    digest = build_digest(store, ws, "daily", DAY, NOW)
    assert digest.best_post is None and digest.as_json()["best_post"] is None
    assert not any("terbaik kemarin" in line for line in render_digest(
        digest, chart=False).reply.body)
    weekly = build_digest(store, ws, "weekly", date(2026, 11, 9), NOW)
    assert weekly.best_post is None  # the weekly digest names none
