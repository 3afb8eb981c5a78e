"""/konten (/posts) through the real router on SQLite and PostgreSQL (SPEC §11), with
values computed by hand from the rows written here."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.chat.slack import fallback_text, render_blocks
from adapters.chat.telegram import split_html
from bot.bootstrap import App
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.storage.posts import ContentStore
from tests.conftest import Conversation

TZ = "Asia/Jakarta"
NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # Tuesday 10 Nov 2026, 16:00 in Jakarta
HOSTILE = "<b>&amp; *tebal* | <https://evil.io|klik> <!channel>"  # under 60 chars


def _post(pid: str, when: str, fmt: str, caption: str = "", platform: str = "instagram",
          handle: str = "", competitor: bool | None = None) -> PostRow:
    return PostRow(platform=platform, handle=handle, post_id=pid,
                   published_at=datetime.fromisoformat(when).astimezone(UTC), format=fmt,
                   caption=caption, permalink=f"https://example.com/p/{pid}?a=1&b=2",
                   competitor=competitor)


def _m(pid: str, day: date, platform: str = "instagram", handle: str = "",
       **values: float) -> list[PostMetricRow]:
    return [PostMetricRow(platform, handle, pid, day, k, v) for k, v in values.items()]


def _seed(app: App) -> Conversation:
    ws = app.store.ensure_workspace("brand")
    posts = [
        # last week (Mon 2 – Sun 8 Nov, Jakarta)
        _post("A", "2026-11-02T19:30:00+07:00", "reel", "Reel A #promo"),
        _post("B", "2026-11-03T09:00:00+07:00", "feed", HOSTILE),
        _post("C", "2026-11-05T19:10:00+07:00", "carousel", "Carousel C"),
        _post("T", "2026-11-04T20:00:00+07:00", "video", "TikTok T", platform="tiktok"),
        _post("R", "2026-11-04T12:00:00+07:00", "reel", "rival", handle="@rival",
              competitor=True),
        # yesterday (Mon 9 Nov)
        _post("Y", "2026-11-09T10:00:00+07:00", "story", "Story Y"),
    ]
    metrics = [
        # A: latest reading on or before Sun 8 Nov is 8 Nov: 200+20+10+10 = 240, reach 2000
        *_m("A", date(2026, 11, 3), likes=100, comments=10, shares=5, saves=5, reach=1000),
        *_m("A", date(2026, 11, 8), likes=200, comments=20, shares=10, saves=10, reach=2000),
        *_m("A", date(2026, 11, 9), likes=900, reach=9000),  # after last week's end
        # B: 50 + 5 = 55, reach 800
        *_m("B", date(2026, 11, 4), likes=50, comments=5, reach=800),
        # C: 300, reach 700
        *_m("C", date(2026, 11, 6), likes=300, comments=0, shares=0, saves=0, reach=700),
        # T (tiktok): 120 + 30 = 150, reach 5000
        *_m("T", date(2026, 11, 7), "tiktok", likes=120, shares=30, reach=5000),
        # R: a competitor, never among the own channels' posts
        *_m("R", date(2026, 11, 5), "instagram", "@rival", likes=9999, reach=99999),
        # Y: 40 + 2 = 42
        *_m("Y", date(2026, 11, 9), likes=40, comments=2, reach=400),
    ]
    ContentStore(app.store).write_posts(ws.id, TZ, posts, metrics)
    return Conversation(app, NOW, workspace="brand")


def test_posts_ranked_by_engagement_last_week(app: App) -> None:
    bot = _seed(app)
    reply = bot.reply("/konten minggu lalu")
    assert reply.intent == "posts" and reply.error is None
    data = reply.as_json()
    assert data["metric"] == "engagement"
    assert data["period"] == {"start": "2026-11-02", "end": "2026-11-08"}
    # C 300 > A 240 > T 150 > B 55; R (competitor) and Y (published 9 Nov) left out
    assert [(r["post_id"], r["channel"], r["value"]) for r in data["rows"]] == [
        ("C", "instagram", 300.0), ("A", "instagram", 240.0), ("T", "tiktok", 150.0),
        ("B", "instagram", 55.0)]
    assert data["rows"][0]["format"] == "carousel"
    assert data["rows"][0]["permalink"] == "https://example.com/p/C?a=1&b=2"
    assert data["rows"][0]["published_at"] == "2026-11-05T12:10:00+00:00"
    assert reply.body[0] == "1. Carousel · 5 Nov 2026 · instagram — 300 engagement"
    assert "https://example.com/p/C?a=1&b=2" in reply.body[2]
    assert "Nilai seumur postingan per 8 Nov 2026" in reply.footer


def test_metric_channel_and_top_n(app: App) -> None:
    bot = _seed(app)
    data = bot.reply("/posts reach instagram last week top 2").as_json()
    assert data["metric"] == "reach" and data["channel"] == "instagram"
    assert [(r["post_id"], r["value"]) for r in data["rows"]] == [("A", 2000.0), ("B", 800.0)]
    reply = bot.reply("/posts reach instagram last week top 2")
    assert reply.title.startswith("Top posts · Reach · instagram · last week")


@pytest.mark.parametrize("sentence, period, expected", [
    ("konten apa yang paling bagus minggu lalu?", ("2026-11-02", "2026-11-08"),
     ["C", "A", "T", "B"]),
    ("top post ig minggu lalu", ("2026-11-02", "2026-11-08"), ["C", "A", "B"]),
    ("postingan terbaik kmrn", ("2026-11-09", "2026-11-09"), ["Y"]),
])
def test_sentences_answer_the_ranking(app: App, sentence: str, period: tuple[str, str],
                                      expected: list[str]) -> None:
    bot = _seed(app)
    data = bot.reply(sentence).as_json()
    assert data["intent"] == "posts", data
    assert (data["period"]["start"], data["period"]["end"]) == period
    assert [r["post_id"] for r in data["rows"]] == expected


def test_count_of_posts_is_still_the_kpi(app: App) -> None:
    bot = _seed(app)
    assert bot.reply("brp postingan ig bln ini").intent == "kpi"


def test_no_posts_and_bad_input(app: App) -> None:
    bot = _seed(app)
    none = bot.reply("/konten 2026-10-01..2026-10-07")
    assert none.intent == "posts" and none.as_json()["rows"] == []
    assert "Belum ada postingan" in none.text and "/konten bulan lalu" in none.text
    bad = bot.reply("/konten followers minggu lalu")
    assert bad.error == "content_bad_metric" and "engagement, reach" in bad.text
    en = bot.reply("/posts followers last week")
    assert en.error == "content_bad_metric" and en.text.startswith("Posts are ranked")
    unknown = bot.reply("/konten snapchat minggu lalu")
    assert unknown.error == "unknown_channel"


def test_hostile_caption_is_escaped_in_telegram_html_and_slack_mrkdwn(app: App) -> None:
    bot = _seed(app)
    reply = bot.reply("/konten minggu lalu")
    assert any("<b>&amp; *tebal*" in line for line in reply.body)  # the reply is plain text
    html = "\n".join(split_html(reply))
    assert "&lt;b&gt;&amp;amp; *tebal* | &lt;https://evil.io|klik&gt; &lt;!channel&gt;" \
        in html
    assert "<b>&amp;" not in html and "<https://evil" not in html
    assert "https://example.com/p/C?a=1&amp;b=2" in html  # a link Telegram shows as typed
    blocks = render_blocks(reply)
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    # the pair of * of the caption shown as look-alikes: never bold in Slack
    assert "&lt;b&gt;&amp;amp; ∗tebal∗ | &lt;https://evil.io|klik&gt; &lt;!channel&gt;" \
        in text
    assert "*tebal*" not in text
    assert "<!channel>" not in text and "<https://evil" not in text
    assert "https://example.com/p/C?a=1&amp;b=2" in text  # the link itself as typed
    assert "<!channel>" not in fallback_text(reply)


def _seed_slots(app: App) -> Conversation:
    """Week 5–11 Oct 2026 (Jakarta): three posts on Monday 09h (40, 50, 60 → 50 per post),
    three on Wednesday 19h (10, 20, 30 → 20 per post), one on Friday 12h (1000, a slot of
    one post). #kopi on the Monday three; #promo on the Wednesday three and the Friday one
    ((10+20+30+1000)/4 = 265); #solo only on Friday (one post: not ranked)."""
    bot = _seed(app)
    ws = app.store.workspace("brand")
    assert ws is not None
    spec = [("M1", "2026-10-05T09:05:00+07:00", "reel", "#kopi", 40),
            ("M2", "2026-10-05T09:40:00+07:00", "feed", "#kopi", 50),
            ("M3", "2026-10-05T09:59:00+07:00", "reel", "#kopi", 60),
            ("W1", "2026-10-07T19:00:00+07:00", "reel", "#promo", 10),
            ("W2", "2026-10-07T19:30:00+07:00", "feed", "#promo", 20),
            ("W3", "2026-10-07T19:45:00+07:00", "feed", "#promo", 30),
            ("F1", "2026-10-09T12:00:00+07:00", "carousel", "#promo #solo", 1000)]
    posts = [_post(pid, when, fmt, caption) for pid, when, fmt, caption, _ in spec]
    metrics = [m for pid, *_, likes in spec for m in _m(pid, date(2026, 10, 11), likes=likes)]
    ContentStore(app.store).write_posts(ws.id, TZ, posts, metrics)
    return bot


def test_engagement_per_post_by_format(app: App) -> None:
    bot = _seed(app)
    data = bot.reply("/konten format minggu lalu").as_json()
    assert data["intent"] == "content_format"
    assert [(r["format"], r["posts"], r["per_post"]) for r in data["rows"]] == [
        ("carousel", 1, 300.0), ("reel", 1, 240.0), ("video", 1, 150.0), ("feed", 1, 55.0)]
    vs = bot.reply("reel vs feed minggu lalu")
    assert vs.intent == "content_format"
    assert [(r["format"], r["per_post"]) for r in vs.as_json()["rows"]] == [
        ("reel", 240.0), ("feed", 55.0)]
    assert vs.body == ["1. Reel: 240,0 per postingan (1 postingan)",
                       "2. Feed: 55,0 per postingan (1 postingan)"]
    slots = _seed_slots(app).reply("/konten format 2026-10-05..2026-10-11").as_json()
    # carousel 1000/1; reel (40+60+10)/3; feed (50+20+30)/3
    assert [(r["format"], r["posts"], r["per_post"]) for r in slots["rows"]] == [
        ("carousel", 1, 1000.0), ("reel", 3, round(110 / 3, 4)), ("feed", 3, round(100 / 3, 4))]


def test_best_posting_time_needs_three_posts_per_slot(app: App) -> None:
    bot = _seed_slots(app)
    reply = bot.reply("jam posting terbaik 2026-10-05..2026-10-11")
    data = reply.as_json()
    assert data["intent"] == "posting_time" and data["minimum_posts"] == 3
    # Monday (0) 09h: 150/3 = 50; Wednesday (2) 19h: 60/3 = 20; Friday 12h has one post
    assert [(r["weekday"], r["hour"], r["posts"], r["per_post"]) for r in data["rows"]] == [
        (0, 9, 3, 50.0), (2, 19, 3, 20.0)]
    assert reply.body[0] == "1. Senin 09:00–09:59: 50,0 per postingan (3 postingan)"
    assert "1 slot dengan kurang dari 3 postingan" in reply.footer
    thin = bot.reply("jam posting terbaik minggu lalu")  # four slots of one post each
    assert thin.as_json()["rows"] == []
    assert thin.text.startswith("Belum cukup data: perlu minimal 3 postingan per hari dan jam")
    en = bot.reply("best time to post 2026-10-05..2026-10-11", lang="en")
    assert en.intent == "posting_time" and en.body[0].startswith("1. Monday 09:00–09:59")


def test_best_hashtags_need_three_posts(app: App) -> None:
    bot = _seed_slots(app)
    data = bot.reply("hashtag terbaik 2026-10-05..2026-10-11").as_json()
    assert data["intent"] == "hashtags"
    assert [(r["hashtag"], r["posts"], r["per_post"]) for r in data["rows"]] == [
        ("promo", 4, 265.0), ("kopi", 3, 50.0)]
    none = bot.reply("/konten hashtag minggu lalu")  # only #promo on A: one post
    assert none.as_json()["rows"] == [] and none.text.startswith("Belum cukup data")


def _seed_audience(app: App) -> Conversation:
    """Instagram: Jakarta 600 → 660 (+10 %), Bandung 400 → 340 (−15 %) between 31 Oct and
    8 Nov; on 8 Nov 660 + 340 = 1000, shares 66 % and 34 %. Female 550, male 450 (no earlier
    value). TikTok: Jakarta 200 only on 8 Nov."""
    from kpi_engine.domain.content import SegmentRow

    bot = _seed(app)
    ws = app.store.workspace("brand")
    assert ws is not None
    before, after = date(2026, 10, 31), date(2026, 11, 8)
    rows = [SegmentRow(before, "instagram", "", "city", "Jakarta", 600),
            SegmentRow(before, "instagram", "", "city", "Bandung", 400),
            SegmentRow(after, "instagram", "", "city", "Jakarta", 660),
            SegmentRow(after, "instagram", "", "city", "Bandung", 340),
            SegmentRow(after, "instagram", "", "gender", "female", 550),
            SegmentRow(after, "instagram", "", "gender", "male", 450),
            SegmentRow(after, "tiktok", "", "city", "Jakarta", 200),
            SegmentRow(after, "instagram", "@rival", "city", "Jakarta", 9999, True)]
    ContentStore(app.store).write_segments(ws.id, rows)
    return bot


def test_audience_top_buckets_with_share_and_change(app: App) -> None:
    bot = _seed_audience(app)
    reply = bot.reply("/audiens instagram minggu lalu")
    data = reply.as_json()
    assert data["intent"] == "audience" and data["channel"] == "instagram"
    got = [(r["dimension"], r["bucket"], r["value"], r["share_pct"], r["change_pct"])
           for r in data["rows"]]
    assert got == [("city", "Jakarta", 660.0, pytest.approx(66.0), pytest.approx(10.0)),
                   ("city", "Bandung", 340.0, pytest.approx(34.0), pytest.approx(-15.0)),
                   ("gender", "female", 550.0, pytest.approx(55.0), None),
                   ("gender", "male", 450.0, pytest.approx(45.0), None)]
    # the chart's bars: the top buckets of the channel, the value before 2 Nov beside each
    assert reply.chart and reply.chart.startswith(b"\x89PNG")
    assert data["chart"] == {"channel": "instagram", "bars": [
        {"dimension": "city", "bucket": "Jakarta", "value": 660.0, "previous": 600.0},
        {"dimension": "city", "bucket": "Bandung", "value": 340.0, "previous": 400.0},
        {"dimension": "gender", "bucket": "female", "value": 550.0, "previous": None},
        {"dimension": "gender", "bucket": "male", "value": 450.0, "previous": None}]}
    assert "• Jakarta: 660 (66,0%), +10,0%" in reply.body
    assert "• perempuan: 550 (55,0%), belum ada pembanding" in reply.body
    en = bot.reply("/audience instagram last week")
    assert "• female: 550 (55,0%), no earlier value" in en.body
    none = bot.reply("/audiens instagram 2026-10-01..2026-10-07")
    assert none.as_json()["rows"] == [] and "Belum ada data audiens" in none.text


def test_segment_word_in_a_metric_question_answers_the_bucket(app: App) -> None:
    bot = _seed_audience(app)
    for text in ("followers ig jakarta minggu lalu", "/kpi followers ig jakarta minggu lalu"):
        data = bot.reply(text).as_json()
        assert data["intent"] == "audience", (text, data)
        assert data["segment"] == {"dimension": "city", "bucket": "Jakarta"}
        assert [(r["channel"], r["value"]) for r in data["rows"]] == [("instagram", 660.0)]
    both = bot.reply("followers jakarta minggu lalu").as_json()  # own channels: ig + tiktok
    assert sorted((r["channel"], r["value"]) for r in both["rows"]) == [
        ("instagram", 660.0), ("tiktok", 200.0)]
    female = bot.reply("followers ig perempuan minggu lalu").as_json()
    assert female["segment"] == {"dimension": "gender", "bucket": "female"}
    other = bot.reply("reach ig jakarta minggu lalu")
    assert other.error == "segment_metric" and "hanya ada untuk followers" in other.text
    plain = bot.reply("followers ig minggu lalu")
    assert plain.intent == "kpi"  # no segment word: the metric as before


@pytest.mark.parametrize("sentence, metric, expected", [
    # reach last week: T 5000 (tiktok) > A 2000 > B 800 > C 700
    ("konten dengan reach tertinggi minggu lalu", "reach",
     [("T", 5000.0), ("A", 2000.0), ("B", 800.0), ("C", 700.0)]),
    # likes last week: C 300 > A 200 > T 120 > B 50
    ("post dengan likes terbanyak minggu lalu", "likes",
     [("C", 300.0), ("A", 200.0), ("T", 120.0), ("B", 50.0)]),
    ("posts with the most reach last week", "reach",
     [("T", 5000.0), ("A", 2000.0), ("B", 800.0), ("C", 700.0)]),
])
def test_a_sentence_ranks_posts_by_the_metric_it_names(app: App, sentence: str, metric: str,
                                                       expected: list[tuple[str, float]]) -> None:
    data = _seed(app).reply(sentence).as_json()
    assert data["intent"] == "posts" and data["metric"] == metric, data
    assert [(r["post_id"], r["value"]) for r in data["rows"]] == expected


def test_a_metric_posts_do_not_carry_is_said_not_dropped(app: App) -> None:
    reply = _seed(app).reply("konten dengan followers tertinggi minggu lalu")
    assert reply.error == "content_bad_metric" and "bukan Pengikut" in reply.text


def test_top_n_beyond_the_posts_says_so_and_top_0_is_refused(app: App) -> None:
    bot = _seed(app)
    many = bot.reply("/konten top 99999 minggu lalu")
    data = many.as_json()
    assert [r["post_id"] for r in data["rows"]] == ["C", "A", "T", "B"]
    assert data["total"] == 4 and data["requested"] == 99999
    assert "Hanya 4 postingan yang terbit pada periode ini; semuanya ditampilkan " \
           "(diminta 99.999)." in many.footer
    two = bot.reply("/konten top 2 minggu lalu")
    assert [r["post_id"] for r in two.as_json()["rows"]] == ["C", "A"]
    assert two.as_json()["total"] == 4 and "Hanya" not in two.footer
    for text, lang in (("/konten top 0 minggu lalu", "id"), ("/posts top 0 last week", "en"),
                       ("/konten top -3", "id")):
        zero = bot.reply(text)
        assert zero.error == "content_bad_top" and zero.lang == lang
        assert ("tulis 1 sampai 20" if lang == "id" else "from 1 to 20") in zero.text


def test_top_n_above_the_most_shown_says_how_many_exist(app: App) -> None:
    bot = _seed(app)
    ws = app.store.workspace("brand")
    assert ws is not None
    posts = [_post(f"N{i:02d}", f"2026-10-{i + 1:02d}T10:00:00+07:00", "feed")
             for i in range(25)]
    metrics = [m for i in range(25) for m in _m(f"N{i:02d}", date(2026, 10, 28), likes=i + 1)]
    ContentStore(app.store).write_posts(ws.id, TZ, posts, metrics)
    reply = bot.reply("/konten top 50 2026-10-01..2026-10-31")
    data = reply.as_json()
    # 25 posts, likes 1..25: the 20 shown are N24 (25) down to N05 (6)
    assert data["total"] == 25 and len(data["rows"]) == 20
    assert data["rows"][0]["post_id"] == "N24" and data["rows"][-1]["value"] == 6.0
    assert "Paling banyak 20 postingan ditampilkan (diminta 50); 25 postingan terbit" \
        in reply.footer


def test_slack_marks_in_captions_are_inert_and_chart_captions_bold_the_title(app: App) -> None:
    """mrkdwn has no escape for * _ ~ `: where Slack would format they become look-alikes;
    inside words and in links they stay as typed. A chart's comment bolds its title in
    mrkdwn (``*…*``), never Telegram's ``<b>``."""
    from adapters.chat.slack import caption, escape

    assert escape("*tebal* _miring_ ~coret~ `kode`") == "∗tebal∗ ＿miring＿ ∼coret∼ ˋkodeˋ"
    assert escape("#kopi_susu a*b") == "#kopi_susu a*b"
    assert escape("https://x.io/~a/b_c_ lihat") == "https://x.io/~a/b_c_ lihat"
    bot = _seed_audience(app)
    reply = bot.reply("/audiens instagram minggu lalu")
    assert reply.chart is not None
    comment = caption(reply)
    assert comment.startswith("*Audiens · instagram · minggu lalu")
    assert comment.split("\n")[0].endswith("*") and "<b>" not in comment
    hostile = bot.reply("/konten minggu lalu")
    hostile.chart = b"png"  # as a chart's comment: the same escaping
    text = caption(hostile)
    assert "∗tebal∗" in text and "*tebal*" not in text and "<!channel>" not in text
