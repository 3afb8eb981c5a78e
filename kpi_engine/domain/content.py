"""Content and audience (SPEC §11): posts, their lifetime metrics, audience segments. Pure.

- A **post** is one published item of a channel: its id on the platform, when it was
  published, a format (feed, reel, story, video, short, carousel), a caption with hashtags,
  a permalink.
- Its **lifetime metrics** (reach, views, likes, comments, shares, saves) are read as of a
  day: the row for (post, day) holds what the platform showed that day; writing the same
  (post, day, metric) again replaces it. Engagement = likes + comments + shares + saves.
- An **audience segment** is a gauge per channel and day: ``city:Jakarta``,
  ``age:18-24``, ``gender:female`` with the share or count of followers in that bucket.

Values pass the same rules as snapshots (``kpi_engine.domain.validation``): whole counts,
no negatives, nothing above 10^12.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kpi_engine.domain import validation

#: Lifetime metrics a post row can carry (columns of ``post_metrics``).
POST_METRICS: tuple[str, ...] = ("reach", "views", "likes", "comments", "shares", "saves")
#: The parts of a post's engagement (SPEC §3).
ENGAGEMENT_PARTS: tuple[str, ...] = ("likes", "comments", "shares", "saves")
#: Metrics a ranking of posts can use: the stored ones and engagement.
RANKABLE: tuple[str, ...] = ("engagement", *POST_METRICS)

#: Formats (SPEC §11) and the words files use for them.
FORMATS: tuple[str, ...] = ("feed", "reel", "carousel", "story", "video", "short")
FORMAT_ALIASES: dict[str, str] = {
    "feed": "feed", "post": "feed", "photo": "feed", "image": "feed", "foto": "feed",
    "gambar": "feed", "reel": "reel", "reels": "reel", "carousel": "carousel",
    "karusel": "carousel", "album": "carousel", "story": "story", "stories": "story",
    "video": "video", "short": "short", "shorts": "short",
}

#: Segment dimensions and their words (``kota:Jakarta`` = ``city:Jakarta``).
DIMENSIONS: tuple[str, ...] = ("city", "age", "gender")
DIMENSION_ALIASES: dict[str, str] = {
    "city": "city", "kota": "city", "location": "city", "lokasi": "city",
    "age": "age", "usia": "age", "umur": "age",
    "gender": "gender", "jenis kelamin": "gender", "sex": "gender",
}
GENDER_ALIASES: dict[str, str] = {
    "female": "female", "f": "female", "perempuan": "female", "wanita": "female",
    "male": "male", "m": "male", "laki-laki": "male", "pria": "male",
    "other": "other", "lainnya": "other", "unknown": "unknown",
}
_AGE = re.compile(r"(\d{1,2})\s*-\s*(\d{1,3})|(\d{1,2})\s*\+")
#: Hashtags: ``#`` then letters, digits or ``_`` (any script), as the platforms count them.
_CAPTION_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
#: A posting-time cell with fewer posts says "belum cukup data" instead of a value.
MIN_POSTS_PER_CELL = 3
#: A hashtag needs this many posts in the period before it is ranked.
MIN_POSTS_PER_HASHTAG = 3
#: Post ids and permalinks are stored in columns of these sizes.
POST_ID_MAX_CHARS = 200
PERMALINK_MAX_CHARS = 500
CAPTION_MAX_CHARS = 5000

#: code → (Indonesian reason, hint, English reason, hint): problems of content rows.
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "bad_post_id": ("id postingan '{value}' tidak valid.",
                    "Tulis id postingan dari platform (maks. 200 karakter, satu baris).",
                    "the post id '{value}' is not valid.",
                    "Write the platform's post id (at most 200 characters, one line)."),
    "bad_published_at": ("waktu terbit '{value}' tidak valid.",
                         "Tulis tanggal dan jam ISO, mis. 2026-11-01T19:30 atau "
                         "2026-11-01 19:30+07:00.",
                         "the publishing time '{value}' is not valid.",
                         "Write an ISO date and time, e.g. 2026-11-01T19:30 or "
                         "2026-11-01 19:30+07:00."),
    "future_published_at": ("waktu terbit '{value}' belum terjadi.",
                            "Periksa tahun dan jam terbitnya.",
                            "the publishing time '{value}' has not happened yet.",
                            "Check the year and time of publishing."),
    "read_before_published": ("tanggal baca {value} sebelum postingan terbit ({published}).",
                              "Kolom date adalah hari angka dibaca; isi hari pada atau "
                              "setelah terbit.",
                              "the reading day {value} is before the post was published "
                              "({published}).",
                              "The date column is the day the values were read; use a day "
                              "on or after publishing."),
    "bad_format": ("format postingan '{value}' tidak dikenal.",
                   "Gunakan feed, reel, carousel, story, video atau short.",
                   "unknown post format '{value}'.",
                   "Use feed, reel, carousel, story, video or short."),
    "bad_permalink": ("tautan '{value}' tidak valid.",
                      "Tulis alamat lengkap yang diawali https:// (maks. 500 karakter).",
                      "the link '{value}' is not valid.",
                      "Write a full address starting with https:// (at most 500 characters)."),
    "bad_caption": ("caption terlalu panjang atau berisi karakter kontrol.",
                    "Pakai caption maks. 5000 karakter tanpa karakter kontrol.",
                    "the caption is too long or holds control characters.",
                    "Use a caption of at most 5000 characters without control characters."),
    "post_metric": ("metrik '{value}' tidak tersedia per postingan.",
                    "Postingan menyimpan reach, views, likes, comments, shares dan saves.",
                    "the metric '{value}' is not kept per post.",
                    "Posts keep reach, views, likes, comments, shares and saves."),
    "bad_segment": ("segmen '{value}' tidak valid.",
                    "Tulis dimensi:kelompok, mis. city:Jakarta, age:18-24 atau gender:female.",
                    "the segment '{value}' is not valid.",
                    "Write dimension:bucket, e.g. city:Jakarta, age:18-24 or gender:female."),
    "segment_metric": ("segmen audiens hanya untuk followers atau subscribers, bukan "
                       "'{value}'.", "Pakai metrik followers untuk baris segmen.",
                       "audience segments are for followers or subscribers, not '{value}'.",
                       "Use the followers metric for segment rows."),
    "post_and_segment": ("baris ini berisi post_id dan segment sekaligus.",
                         "Satu baris adalah postingan atau segmen audiens, tidak keduanya.",
                         "this line holds both a post_id and a segment.",
                         "A line is a post or an audience segment, not both."),
    "post_conflict": ("postingan '{value}' punya {field} berbeda di baris {other_line}.",
                      "Tulis waktu terbit, format, caption dan tautan yang sama di setiap "
                      "baris postingan yang sama.",
                      "the post '{value}' has a different {field} on line {other_line}.",
                      "Write the same publishing time, format, caption and link on every "
                      "line of the same post."),
}


@dataclass(frozen=True)
class PostRow:
    """A post's identity and attributes, as written (channel by platform and handle)."""

    platform: str
    handle: str
    post_id: str
    published_at: datetime  # aware, UTC
    format: str = ""
    caption: str = ""
    permalink: str = ""
    competitor: bool | None = None

    @property
    def hashtags(self) -> tuple[str, ...]:
        return hashtags(self.caption)


@dataclass(frozen=True)
class PostMetricRow:
    """One lifetime value of one post read on ``day``."""

    platform: str
    handle: str
    post_id: str
    day: date
    metric: str
    value: float


@dataclass(frozen=True)
class SegmentRow:
    """One audience bucket of one channel on ``day``."""

    day: date
    platform: str
    handle: str
    dimension: str
    bucket: str
    value: float
    competitor: bool | None = None


# --------------------------------------------------------------------------- parsing


def hashtags(caption: str) -> tuple[str, ...]:
    """The distinct hashtags of a caption, lower case, in order of first appearance."""
    seen: dict[str, None] = {}
    for m in _HASHTAG.finditer(unicodedata.normalize("NFC", caption)):
        tag = m.group(1).lower()
        if not tag.isdigit():  # "#1" is a number, not a hashtag
            seen.setdefault(tag[:100], None)
    return tuple(seen)


def parse_format(text: str) -> str | None:
    """``Reels`` → ``reel``; blank → ``""`` (unknown format); None for an unknown word."""
    word = " ".join(text.lower().split())
    if not word:
        return ""
    return FORMAT_ALIASES.get(word)


def parse_segment(text: str) -> tuple[str, str] | None:
    """``city:Jakarta`` → (``city``, ``Jakarta``); ``age:18 - 24`` → (``age``, ``18-24``);
    ``gender:Perempuan`` → (``gender``, ``female``); None when malformed."""
    dim, sep, bucket = text.partition(":")
    dimension = DIMENSION_ALIASES.get(" ".join(dim.lower().split()))
    bucket = " ".join(bucket.split())
    if not sep or dimension is None or not bucket or validation.name_problem(bucket):
        return None
    if dimension == "age":
        m = _AGE.fullmatch(bucket)
        if m is None:
            return None
        if m.group(3):
            return dimension, f"{int(m.group(3))}+"
        lo, hi = int(m.group(1)), int(m.group(2))
        return (dimension, f"{lo}-{hi}") if lo <= hi else None
    if dimension == "gender":
        found = GENDER_ALIASES.get(bucket.lower())
        return (dimension, found) if found else None
    return dimension, bucket.title() if bucket.islower() or bucket.isupper() else bucket


def parse_published_at(cell: object, timezone: str) -> datetime | None:
    """An ISO date-time (or an XLSX datetime); a time without an offset is the workspace's
    local time. Returns an aware UTC datetime, or None."""
    if isinstance(cell, datetime):
        when = cell
    elif isinstance(cell, date):
        when = datetime(cell.year, cell.month, cell.day)
    elif isinstance(cell, str):
        text = cell.strip().replace("Z", "+00:00")
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if not 2000 <= when.year <= 2100:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    return when.astimezone(UTC)


def post_id_problem(text: str) -> str | None:
    if not text or len(text) > POST_ID_MAX_CHARS or validation.name_problem(text[:100]) \
            or any(c.isspace() for c in text):
        return "bad_post_id"
    return None


def permalink_problem(text: str) -> str | None:
    if not text:
        return None
    if (len(text) > PERMALINK_MAX_CHARS or not re.fullmatch(r"https?://[^\s<>\"']+", text)):
        return "bad_permalink"
    return None


def caption_problem(text: str) -> str | None:
    """Captions may hold line breaks and tabs, not other control characters."""
    if len(text) > CAPTION_MAX_CHARS or _CAPTION_CONTROL.search(text):
        return "bad_caption"
    return None


def post_value_problem(metric: str, value: float) -> str | None:
    """Why a lifetime value cannot be stored (the snapshot rules), or None."""
    if metric not in POST_METRICS:
        return "post_metric"
    return validation.value_problem(metric, value)


def reason(code: str, lang: str, **params: object) -> tuple[str, str]:
    """(reason, hint) of a content problem; falls back to the shared snapshot texts."""
    if code in validation.TEXTS:
        return validation.reason(code, lang, variant="", **params)
    texts = TEXTS[code]
    values = {"value": "", **params}
    r, h = (texts[2], texts[3]) if lang == "en" else (texts[0], texts[1])
    return r.format(**values), h.format(**values)


# --------------------------------------------------------------------------- rules


def local_slot(published_at: datetime, timezone: str) -> tuple[date, int, int]:
    """(local day, weekday 0=Monday, hour) of a publishing time in the workspace's zone."""
    local = published_at.astimezone(ZoneInfo(timezone))
    return local.date(), local.weekday(), local.hour


def engagement(likes: float | None, comments: float | None, shares: float | None,
               saves: float | None) -> float | None:
    """likes + comments + shares + saves; None when none of them is known."""
    parts = [v for v in (likes, comments, shares, saves) if v is not None]
    return float(sum(parts)) if parts else None


def per_post(total: float | None, posts: int) -> float | None:
    """Engagement (or any total) per post; None without posts (never 0, never a crash)."""
    if not posts or total is None:
        return None
    return total / posts


def enough_posts(posts: int, minimum: int = MIN_POSTS_PER_CELL) -> bool:
    """A cell or hashtag with fewer posts shows "belum cukup data" instead of a value."""
    return posts >= minimum


def change_pct(value: float | None, previous: float | None) -> float | None:
    """Percent change; None when either is missing or the previous is 0."""
    if value is None or previous is None or previous == 0:
        return None
    return round(100.0 * (value - previous) / previous, 2)


def share_pct(value: float, total: float) -> float | None:
    return None if total <= 0 else round(100.0 * value / total, 2)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


@dataclass(frozen=True)
class PostsSplit:
    """A total's change split into its number of posts and its value per post, exactly:
    ``Δ = Δposts × per_post_previous + posts × Δper_post`` (posts effect + per-post effect)."""

    posts: int
    posts_previous: int
    value: float
    previous: float

    @property
    def per_post(self) -> float:
        return self.value / self.posts

    @property
    def per_post_previous(self) -> float:
        return self.previous / self.posts_previous

    @property
    def posts_effect(self) -> float:
        return (self.posts - self.posts_previous) * self.per_post_previous

    @property
    def per_post_effect(self) -> float:
        return self.posts * (self.per_post - self.per_post_previous)

    @property
    def driver(self) -> str:
        """``"posts"`` or ``"per_post"``: the effect that moved the total the way it went
        (the larger of the two in that direction)."""
        change = self.value - self.previous
        effects = [("posts", self.posts_effect), ("per_post", self.per_post_effect)]
        along = [e for e in effects if e[1] * change > 0] or effects
        return max(along, key=lambda e: abs(e[1]))[0]


def split_by_posts(value: float | None, previous: float | None, posts: int,
                   posts_previous: int) -> PostsSplit | None:
    """The split of ``previous → value`` by posts, or None when either period has no post
    or no value (a per-post value needs posts on both sides)."""
    if value is None or previous is None or posts <= 0 or posts_previous <= 0:
        return None
    return PostsSplit(posts, posts_previous, float(value), float(previous))
