"""The demo brand's posts and audience (SPEC §11), made from its daily snapshots.

Deterministic like ``demo_rows``: every value depends on ``today``, the day's offset and
seeded ``random.Random`` streams only.

- **Posts**: each own channel publishes, on each day, as many posts as its ``posts``
  snapshot says (a few hundred over 180 days). The day's engagement parts (likes, comments,
  shares, saves) are **the engagement earned by that day's posts**: they are split among
  them to the unit, so engagement per post from posts equals Σ engagement / Σ posts from
  the daily snapshots for any period of finished readings (a test holds them together).
  Each post is read on its publishing day; on a day without a post, the day's engagement is
  the channel's latest post still earning: that post gets a reading with its lifetime
  values grown by the day's parts. So over any period that starts on a day every channel
  posted, Σ engagement of the posts published in it (read as of its end) is exactly the
  channels' Σ daily engagement.
- **Formats**: Instagram reels, feed posts, carousels and stories; TikTok videos; YouTube
  videos and shorts. **Hashtags**: the brand tag on every post, topic tags, and the running
  campaign's tag. **Best hour**: a post earning more than its channel's typical post is
  more often published at 19:00 (after work), so "jam posting terbaik" shows 19:00.
- **Competitor**: ``instagram:@kopirival`` posts once or twice on most days; its daily likes
  and comments are split among its posts the same way.
- **Audience**: each own channel's followers (subscribers on YouTube) by city, age group and
  gender every Monday and on ``today``: shares that drift slowly, times that day's level.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.services.demo import (
    campaign_window,
    demo_rows,
)

_SEED = "kpi-bot-demo-content-v1"
TIMEZONE = "Asia/Jakarta"
#: The hour whose posts earn the most, and the other publishing hours.
BEST_HOUR = 19
_OTHER_HOURS = (7, 9, 12, 16, 21)
_PARTS = ("likes", "comments", "shares", "saves")
_FORMATS = {"instagram": (("reel", 0.45), ("feed", 0.25), ("carousel", 0.2), ("story", 0.1)),
            "tiktok": (("video", 1.0),), "youtube": (("video", 0.6), ("short", 0.4))}
_TOPICS = ("#kopisusu", "#ngopi", "#kopipagi", "#resepkopi", "#baristalokal", "#kopiindonesia")
_CAPTIONS = ("Pagi ini ngopi apa?", "Resep es kopi susu gula aren di rumah.",
             "Biji kopi baru dari Aceh Gayo sudah datang!", "Ngopi sore bareng teman.",
             "Di balik layar: barista kami menyeduh V60.", "Promo spesial minggu ini.")
CITIES = (("Jakarta", 0.36), ("Bandung", 0.14), ("Surabaya", 0.11), ("Bekasi", 0.09),
          ("Tangerang", 0.08), ("Depok", 0.06), ("Yogyakarta", 0.05))
AGES = (("13-17", 0.07), ("18-24", 0.38), ("25-34", 0.33), ("35-44", 0.14), ("45+", 0.08))
GENDERS = (("female", 0.58), ("male", 0.42))


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join([_SEED, *map(str, parts)]))


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    """``total`` split into ``n`` whole parts that add up exactly (uneven, like posts)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    for i in sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)[:total - sum(parts)]:
        parts[i] += 1
    return parts


def _code(platform: str, handle: str, day: date, suffix: str) -> str:
    return (f"KN{day:%y%m%d}{platform[:2].upper()}{suffix}" if handle == ""
            else f"KR{day:%y%m%d}{suffix}")


def _permalink(platform: str, handle: str, post_id: str) -> str:
    if platform == "instagram":
        return f"https://www.instagram.com/p/{post_id}/"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@kopinusantara/video/{post_id}"
    return f"https://youtu.be/{post_id}"


def demo_content(today: date, days: int = 180, rows: list[SnapshotRow] | None = None
                 ) -> tuple[list[PostRow], list[PostMetricRow], list[SegmentRow]]:
    """The demo brand's posts, their lifetime readings and audience buckets."""
    rows = demo_rows(today, days) if rows is None else rows
    daily: dict[tuple[str, str, date], dict[str, float]] = defaultdict(dict)
    for r in rows:
        if not r.campaign:
            daily[(r.platform, r.handle, r.day)][r.metric] = r.value
    posts: list[PostRow] = []
    readings: list[PostMetricRow] = []
    drafts: list[tuple[str, str, str, date, dict[str, int], int]] = []
    last: dict[tuple[str, str], tuple[str, dict[str, int]]] = {}  # channel → latest post
    for (platform, handle, day), values in sorted(daily.items(), key=lambda kv: kv[0][2]):
        own = handle == ""
        offset = (today - day).days
        rng = _rng(platform, handle, offset)
        n = int(values.get("posts", 0)) if own else (
            rng.choice((0, 1, 1, 2)) if "likes" in values else 0)
        if n == 0:
            # no post today: the day's engagement is the latest post's lifetime growing
            latest = last.get((platform, handle))
            if latest is not None:
                code, totals = latest
                for m in _PARTS:
                    if m in values:
                        totals[m] = totals.get(m, 0) + int(values[m])
                readings.extend(PostMetricRow(platform, handle, code, day, m, float(v))
                                for m, v in totals.items())
            continue
        split = {m: _split(int(values[m]), n, rng) for m in _PARTS if m in values}
        reach = _split(int(values.get("reach", 0)), n, rng)
        for i in range(n):
            got = {m: parts[i] for m, parts in split.items()}
            got["reach"] = reach[i]
            code = _code(platform, handle, day, f"{offset:03d}{i}")
            drafts.append((platform, handle, code, day, got, n))
            readings.extend(PostMetricRow(platform, handle, code, day, m, float(v))
                            for m, v in got.items())
            last[(platform, handle)] = (code, dict(got))
    typical: dict[tuple[str, str], float] = {}
    by_channel: dict[tuple[str, str], list[int]] = defaultdict(list)
    for platform, handle, _, _, got, _ in drafts:
        by_channel[(platform, handle)].append(sum(got.get(m, 0) for m in _PARTS))
    for key, values_ in by_channel.items():
        ordered = sorted(values_)
        typical[key] = ordered[len(ordered) // 2]
    ramadan = campaign_window("ramadan", today)
    gajian = campaign_window("gajian", today)
    zone = ZoneInfo(TIMEZONE)
    for platform, handle, code, day, got, _n in drafts:
        rng = _rng("post", platform, handle, code)
        engagement = sum(got.get(m, 0) for m in _PARTS)
        strong = engagement > typical[(platform, handle)]
        hour = BEST_HOUR if rng.random() < (0.7 if strong else 0.08) else rng.choice(_OTHER_HOURS)
        minute = rng.randrange(0, 60, 5)
        published = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        formats = _FORMATS.get(platform, (("feed", 1.0),)) if handle == "" else (
            ("reel", 0.5), ("feed", 0.5))
        fmt = rng.choices([f for f, _ in formats], [w for _, w in formats])[0]
        tags = ["#kopinusantara" if handle == "" else "#kopirival",
                *rng.sample(_TOPICS, 2)]
        if ramadan[0] <= day <= ramadan[1]:
            tags.append("#ramadan")
        if gajian[0] <= day <= gajian[1]:
            tags.append("#promogajian")
        caption = f"{rng.choice(_CAPTIONS)} {' '.join(tags)}"
        posts.append(PostRow(platform=platform, handle=handle, post_id=code,
                             published_at=published.astimezone(UTC), format=fmt,
                             caption=caption, permalink=_permalink(platform, handle, code),
                             competitor=handle != ""))
    return posts, readings, _audience(today, rows)


def _audience(today: date, rows: list[SnapshotRow]) -> list[SegmentRow]:
    levels = {(r.platform, r.day): r.value for r in rows
              if r.handle == "" and r.metric in ("followers", "subscribers")}
    out: list[SegmentRow] = []
    for (platform, day), level in sorted(levels.items()):
        if day.weekday() != 0 and day != today:
            continue
        offset = (today - day).days
        for dimension, buckets in (("city", CITIES), ("age", AGES), ("gender", GENDERS)):
            rng = _rng("audience", platform, dimension)
            drift = {b: rng.uniform(-0.0004, 0.0004) for b, _ in buckets}
            for bucket, share in buckets:
                # Jakarta and the 18-24s grow a little: the share was lower further back
                moved = share * (1 - drift[bucket] * offset) if dimension != "gender" else share
                out.append(SegmentRow(day, platform, "", dimension, bucket,
                                      float(round(level * moved)), False))
    return out
