"""Pure rules of content and audience (kpi_engine.domain.content): no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kpi_engine.domain import content as dc


def test_hashtags_are_distinct_lower_case_in_order() -> None:
    assert dc.hashtags("Promo #Ramadan! #diskon #ramadan, #1 #kopi_susu #Kopi2") == (
        "ramadan", "diskon", "kopi_susu", "kopi2")
    assert dc.hashtags("tanpa tagar") == ()
    assert dc.hashtags("#KopiNusantara\n#ngopi") == ("kopinusantara", "ngopi")


@pytest.mark.parametrize("text, expected", [
    ("Reels", "reel"), ("  FEED ", "feed"), ("karusel", "carousel"), ("Shorts", "short"),
    ("", ""), ("tweet", None)])
def test_formats(text: str, expected: str | None) -> None:
    assert dc.parse_format(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("city:Jakarta", ("city", "Jakarta")), ("kota:bandung", ("city", "Bandung")),
    ("city:DKI JAKARTA", ("city", "Dki Jakarta")), ("age:18 - 24", ("age", "18-24")),
    ("usia:45+", ("age", "45+")), ("gender:Perempuan", ("gender", "female")),
    ("gender:M", ("gender", "male")), ("age:30-20", None), ("age:tua", None),
    ("planet:Mars", None), ("Jakarta", None), ("city:", None), ("gender:robot", None),
    ("city:Ja\x00karta", None)])
def test_segments(text: str, expected: tuple[str, str] | None) -> None:
    assert dc.parse_segment(text) == expected


def test_published_at_is_local_without_an_offset() -> None:
    assert dc.parse_published_at("2026-11-02T19:30", "Asia/Jakarta") == datetime(
        2026, 11, 2, 12, 30, tzinfo=UTC)
    assert dc.parse_published_at("2026-11-02 19:30+00:00", "Asia/Jakarta") == datetime(
        2026, 11, 2, 19, 30, tzinfo=UTC)
    assert dc.parse_published_at("2026-11-02T01:00:00Z", "Asia/Jakarta") == datetime(
        2026, 11, 2, 1, 0, tzinfo=UTC)
    assert dc.parse_published_at("kemarin", "Asia/Jakarta") is None
    assert dc.parse_published_at("1999-01-01T00:00", "Asia/Jakarta") is None
    # 00:30 in Jakarta is the previous day in UTC: the local slot is Jakarta's
    when = dc.parse_published_at("2026-11-02T00:30", "Asia/Jakarta")
    assert when is not None and when.date() == date(2026, 11, 1)
    assert dc.local_slot(when, "Asia/Jakarta") == (date(2026, 11, 2), 0, 0)


def test_values_follow_the_snapshot_rules() -> None:
    assert dc.post_value_problem("likes", 12) is None
    assert dc.post_value_problem("likes", 1.5) == "fraction"
    assert dc.post_value_problem("reach", -1) == "negative"
    assert dc.post_value_problem("reach", 2e12) == "too_large_value"
    assert dc.post_value_problem("spend", 5) == "post_metric"
    assert dc.post_value_problem("views", float("nan")) == "not_finite"


def test_ids_links_and_captions() -> None:
    assert dc.post_id_problem("C9xYz_12") is None
    assert dc.post_id_problem("") == "bad_post_id"
    assert dc.post_id_problem("a b") == "bad_post_id"
    assert dc.post_id_problem("x" * 201) == "bad_post_id"
    assert dc.permalink_problem("") is None
    assert dc.permalink_problem("https://instagram.com/p/abc") is None
    assert dc.permalink_problem("javascript:alert(1)") == "bad_permalink"
    assert dc.permalink_problem('https://x.com/"><script>') == "bad_permalink"
    assert dc.caption_problem("baris satu\nbaris dua\t#tag") is None
    assert dc.caption_problem("bel\x07") == "bad_caption"
    assert dc.caption_problem("x" * 5001) == "bad_caption"


def test_per_post_change_and_share() -> None:
    assert dc.engagement(100, 10, None, 5) == 115.0
    assert dc.engagement(None, None, None, None) is None
    assert dc.per_post(540.0, 2) == 270.0
    assert dc.per_post(540.0, 0) is None and dc.per_post(None, 3) is None
    assert dc.enough_posts(3) and not dc.enough_posts(2)
    assert dc.change_pct(500.0, 400.0) == 25.0
    assert dc.change_pct(500.0, 0.0) is None and dc.change_pct(1.0, None) is None
    assert dc.share_pct(500.0, 800.0) == 62.5 and dc.share_pct(1.0, 0.0) is None


def test_reasons_in_both_languages() -> None:
    r, h = dc.reason("bad_segment", "id", value="planet:Mars")
    assert r == "segmen 'planet:Mars' tidak valid." and "city:Jakarta" in h
    r, h = dc.reason("bad_segment", "en", value="planet:Mars")
    assert r == "the segment 'planet:Mars' is not valid."
    r, _ = dc.reason("negative", "en", value="-1", metric="likes")
    assert r == "the value '-1' is negative."


def test_posts_split_is_exact_and_names_its_driver() -> None:
    from kpi_engine.domain.content import split_by_posts

    # 10 posts × 50 = 500 → 8 posts × 55 = 440: Δ = −60 = (8 − 10) × 50 + 8 × (55 − 50)
    s = split_by_posts(440, 500, 8, 10)
    assert s is not None
    assert (s.per_post, s.per_post_previous) == (55.0, 50.0)
    assert (s.posts_effect, s.per_post_effect) == (-100.0, 40.0)
    assert s.posts_effect + s.per_post_effect == 440 - 500
    assert s.driver == "posts"
    # same posts, less per post: 10 × 50 → 10 × 40
    t = split_by_posts(400, 500, 10, 10)
    assert t is not None and (t.posts_effect, t.per_post_effect) == (0.0, -100.0)
    assert t.driver == "per_post"
    # more posts and more per post: 4 × 25 = 100 → 5 × 30 = 150: 25 + 25 → the posts (first)
    u = split_by_posts(150, 100, 5, 4)
    assert u is not None and u.posts_effect == 25.0 and u.per_post_effect == 25.0
    assert split_by_posts(150, 100, 5, 0) is None and split_by_posts(None, 100, 5, 4) is None
