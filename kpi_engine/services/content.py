"""Answers about posts (SPEC §11): the period's posts ranked by a metric.

A post's value for a period is its latest lifetime value read on or before the period's
end; the posts ranked are those published in the period (``ContentStore.top_posts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kpi_engine.domain import content as dc
from kpi_engine.domain.model import Channel
from kpi_engine.services.answers import resolve_scope
from kpi_engine.storage.posts import AudienceBucket, ContentStore, GroupValue, TopPost
from kpi_engine.storage.store import Store

#: How many posts a ranking shows unless asked ("top 5"), and the most it shows.
DEFAULT_TOP = 5
MAX_TOP = 20


@dataclass(frozen=True)
class RankedPost:
    post: TopPost
    channel: str  # the channel's name (``instagram``, ``tiktok:@rival``)


@dataclass(frozen=True)
class PostRanking:
    metric: str
    start: date
    end: date
    scope_label: str | None  # the channel asked for; None: the workspace's own channels
    rows: list[RankedPost]
    total: int = 0  # posts the ranking holds (``rows`` are the first of them)
    requested: int | None = None  # the N of "top N" as asked


def clamp_top(n: int | None) -> int:
    """The number of posts to show: ``DEFAULT_TOP`` unless asked, at most ``MAX_TOP``."""
    if n is None or n < 1:
        return DEFAULT_TOP
    return min(n, MAX_TOP)


def top_posts(store: Store, workspace_id: int, channels: Sequence[Channel], metric: str,
              start: date, end: date, channel: str | None = None,
              top: int | None = None) -> PostRanking:
    """The posts published in [start, end] best first by ``metric`` (a post metric or
    ``engagement``). An unknown channel raises ``answers.UnknownChannel``; a metric posts
    do not carry raises ``ValueError``."""
    if metric not in dc.RANKABLE:
        raise ValueError(f"not a post metric: {metric}")
    scope = resolve_scope(channels, channel)
    ids = [c.id for c in scope.main] if channel else None
    names = {c.id: c.name for c in channels}
    found, total = ContentStore(store).ranked_posts(workspace_id, start, end, metric,
                                                    clamp_top(top), channel_ids=ids)
    return PostRanking(metric, start, end, scope.label,
                       [RankedPost(p, names.get(p.channel_id, "?")) for p in found], total,
                       top)


@dataclass(frozen=True)
class GroupAnswer:
    """Posts of a period grouped (by format, weekday × hour, hashtag), best per post first;
    ``minimum``: the fewest posts a group needs to be ranked (time and hashtags)."""

    view: str  # "format", "time", "hashtag"
    start: date
    end: date
    scope_label: str | None
    rows: list[GroupValue]
    minimum: int
    thin: int  # groups left out for having fewer posts than ``minimum``


def _scope_ids(channels: Sequence[Channel], channel: str | None) -> tuple[list[int] | None,
                                                                          str | None]:
    scope = resolve_scope(channels, channel)
    return ([c.id for c in scope.main] if channel else None), scope.label


def by_format(store: Store, workspace_id: int, channels: Sequence[Channel], start: date,
              end: date, channel: str | None = None) -> GroupAnswer:
    ids, label = _scope_ids(channels, channel)
    rows = ContentStore(store).by_format(workspace_id, start, end, channel_ids=ids)
    return GroupAnswer("format", start, end, label, rows, 1, 0)


def posting_time(store: Store, workspace_id: int, channels: Sequence[Channel], start: date,
                 end: date, channel: str | None = None,
                 minimum: int = dc.MIN_POSTS_PER_CELL) -> GroupAnswer:
    """Weekday × local hour cells by engagement per post; cells with fewer than ``minimum``
    posts are not ranked (counted in ``thin``)."""
    ids, label = _scope_ids(channels, channel)
    cells = ContentStore(store).by_posting_time(workspace_id, start, end, channel_ids=ids)
    kept = [c for c in cells if dc.enough_posts(c.posts, minimum)]
    return GroupAnswer("time", start, end, label, kept, minimum, len(cells) - len(kept))


def hashtags(store: Store, workspace_id: int, channels: Sequence[Channel], start: date,
             end: date, channel: str | None = None,
             minimum: int = dc.MIN_POSTS_PER_HASHTAG, limit: int = 10) -> GroupAnswer:
    ids, label = _scope_ids(channels, channel)
    rows = ContentStore(store).by_hashtag(workspace_id, start, end, min_posts=minimum,
                                          limit=limit, channel_ids=ids)
    return GroupAnswer("hashtag", start, end, label, rows, minimum, 0)


@dataclass(frozen=True)
class AudienceAnswer:
    start: date
    end: date
    scope_label: str | None
    rows: list[tuple[str, AudienceBucket]]  # (channel name, bucket), largest first per dimension


def audience(store: Store, workspace_id: int, channels: Sequence[Channel], start: date,
             end: date, channel: str | None = None) -> AudienceAnswer:
    """Each audience bucket's latest value on or before ``end``, its share of its channel's
    dimension and its change from the latest value before ``start``."""
    ids, label = _scope_ids(channels, channel)
    names = {c.id: c.name for c in channels}
    found = ContentStore(store).audience(workspace_id, start, end, channel_ids=ids)
    return AudienceAnswer(start, end, label, [(names.get(b.channel_id, "?"), b) for b in found])


def find_bucket(answer: AudienceAnswer, word: str) -> list[tuple[str, AudienceBucket]]:
    """The buckets named ``word`` (a city, an age group, a gender), case-insensitively."""
    wanted = " ".join(word.lower().split())
    return [(n, b) for n, b in answer.rows if b.bucket.lower() == wanted]


@dataclass(frozen=True)
class PostingSide:
    """A channel's (or the own channels' total) posting in one period."""

    posts: int
    read: int
    engagement: float

    @property
    def per_post(self) -> float | None:
        """Engagement per post, over the posts that have a lifetime reading."""
        return dc.per_post(self.engagement, self.read)


@dataclass(frozen=True)
class PostingRow:
    channel: Channel | None  # None: the own channels' total
    current: PostingSide
    previous: PostingSide
    #: the channel has posts stored (else its count is unknown, never 0; left out of the total)
    known: bool = True

    @property
    def posts_change_pct(self) -> float | None:
        return dc.change_pct(self.current.posts, self.previous.posts)

    @property
    def per_post_change_pct(self) -> float | None:
        return dc.change_pct(self.current.per_post, self.previous.per_post)


@dataclass(frozen=True)
class PostingComparison:
    """``/bandingkan posts``: per channel, competitors included, the posts published in the
    period and their engagement per post, beside the previous period; ``known``: some
    channel has posts in either period (else the comparison comes from the daily counts)."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    rows: list[PostingRow]  # own channels, then competitors, then the own total
    known: bool
    competitors_known: bool  # some competitor has posts in either period
    #: channels with no post stored at all: their posting is unknown (not 0)
    without_posts: tuple[Channel, ...] = ()


def posting_comparison(store: Store, workspace_id: int, channels: Sequence[Channel],
                       start: date, end: date, previous_start: date,
                       previous_end: date) -> PostingComparison:
    """Posting frequency and engagement per post of every channel (two statements: the
    periods' posts, and which channels have posts at all). A channel without any post
    stored is marked unknown (its daily counts may say it posts) and left out of the own
    total."""
    content = ContentStore(store)
    found = content.posting_by_channel(workspace_id, start, end, previous_start, previous_end)
    with_posts = content.channels_with_posts(workspace_id) if found else set()
    empty = PostingSide(0, 0, 0.0)
    sides: dict[tuple[int, bool], PostingSide] = {
        (f.channel_id, f.current): PostingSide(f.posts, f.read, f.engagement) for f in found}
    ordered = sorted(channels, key=lambda c: (c.is_competitor, c.name))
    rows = [PostingRow(c, sides.get((c.id, True), empty), sides.get((c.id, False), empty),
                       c.id in with_posts) for c in ordered]
    own = [r for r in rows if r.channel is not None and not r.channel.is_competitor
           and r.known]

    def total(side: str) -> PostingSide:
        parts = [getattr(r, side) for r in own]
        return PostingSide(sum(p.posts for p in parts), sum(p.read for p in parts),
                           sum(p.engagement for p in parts))

    rows.append(PostingRow(None, total("current"), total("previous")))
    known_ids = {f.channel_id for f in found}
    return PostingComparison(
        start, end, previous_start, previous_end, rows, known=bool(found),
        competitors_known=any(c.is_competitor and c.id in known_ids for c in channels),
        without_posts=tuple(c for c in ordered if c.id not in with_posts))


#: One point per day: (day, value or None).
DaySeries = list[tuple[date, float | None]]


@dataclass(frozen=True)
class PostChart:
    """``/grafik posts``: per local day, the posts published and their engagement per post
    (lifetime as of each period's end; None on a day without a read post), current and
    previous period (each with its own days); the totals of both periods."""

    scope_label: str | None
    posts: DaySeries
    posts_previous: DaySeries
    per_post: DaySeries
    per_post_previous: DaySeries
    current: PostingSide
    previous: PostingSide
    known: bool  # any post in either period
    #: channels of the scope with no post stored at all: not counted (unknown, not 0)
    without_posts: tuple[str, ...] = ()


def _days(start: date, end: date) -> list[date]:
    return [date.fromordinal(o) for o in range(start.toordinal(), end.toordinal() + 1)]


def post_chart(store: Store, workspace_id: int, channels: Sequence[Channel],
               channel: str | None, start: date, end: date, previous_start: date,
               previous_end: date) -> PostChart:
    """The daily posts and engagement per post of the scope (one statement). An unknown
    channel raises ``answers.UnknownChannel``."""
    scope = resolve_scope(channels, channel)
    ids = [c.id for c in scope.main] if channel else None
    found = ContentStore(store).posting_by_day(workspace_id, start, end, previous_start,
                                               previous_end, channel_ids=ids)
    by_day = {(f.day, f.current): f for f in found}

    def series(a: date, b: date, current: bool) -> tuple[DaySeries, DaySeries, PostingSide]:
        posts: DaySeries = []
        per: DaySeries = []
        for d in _days(a, b):
            f = by_day.get((d, current))
            posts.append((d, float(f.posts) if f else 0.0))
            per.append((d, dc.per_post(f.engagement, f.read) if f else None))
        mine = [f for f in found if f.current is current]
        side = PostingSide(sum(f.posts for f in mine), sum(f.read for f in mine),
                           sum(f.engagement for f in mine))
        return posts, per, side

    posts, per, cur = series(start, end, True)
    posts_prev, per_prev, prev = series(previous_start, previous_end, False)
    with_posts = ContentStore(store).channels_with_posts(workspace_id) if found else set()
    return PostChart(scope.label, posts, posts_prev, per, per_prev, cur, prev, bool(found),
                     tuple(c.name for c in scope.main if c.id not in with_posts))
