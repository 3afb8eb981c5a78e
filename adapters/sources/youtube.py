"""The YouTube connector: a channel's daily values and its videos (OAuth, re-fetches 3 days).

``YouTubeSource`` (``youtube``)
    YouTube Analytics API v2 ``GET /v2/reports`` (``ids=channel==MINE``, ``dimensions=day``,
    ``metrics=views,likes,comments,shares``, at most 90 days per request): the daily
    ``views``, ``likes``, ``comments``, ``shares`` of the channel. Data API v3
    ``GET /youtube/v3/channels?part=statistics,contentDetails&mine=true``: the subscriber
    level (``subscriberCount``: ``subscribers``) for the reading day, and the channel's
    uploads playlist; ``/playlistItems`` of that playlist (``pageToken`` paging, newest
    first, until a video published before ``domain/sources.lifetime_cutoff``: 28 days before
    ``first``, at least 34 before the reading day) and ``/videos?part=statistics,
    snippet`` (50 ids a request; ``search`` would cost 100 quota units a page, these cost
    1): one ``PostRow`` per video (format ``video``: the API does
    not say which uploads are Shorts) and its lifetime ``views``, ``likes``, ``comments``
    for the reading day (as in :mod:`adapters.sources.meta`: ``last`` when it is today,
    else none).

    ``subscribersGained`` / ``subscribersLost`` are not read: the bot stores levels and
    computes growth from them, and a level rebuilt backwards from today's (rounded)
    ``subscriberCount`` with gains that lag two or three days would be a confident wrong
    number. So, as for Instagram followers, the level history starts at the first sync.

The token goes in ``Authorization: Bearer``. ``refresh`` posts the refresh token to the
Google token endpoint (``KPIBOT_GOOGLE_TOKEN_URL``) with the OAuth client's id and secret;
Google answers a new access token (about an hour) and keeps the refresh token. While the
Google app's consent screen is in *Testing* Google expires refresh tokens after 7 days:
``invalid_grant`` then is ``auth_expired`` with that hint. Errors: :func:`google_error`
(403 ``quotaExceeded`` → ``quota``: YouTube's 10,000 daily units; ``rateLimitExceeded`` /
``userRateLimitExceeded`` → ``rate_limited``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from adapters.sources.google import TESTING_HINT, TOKEN_URL, google_error, token_error
from adapters.sources.http import JsonHttp
from kpi_engine.domain import content
from kpi_engine.domain import sources as rules
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import SourceAccount, SourceBatch, SourceError

DATA_URL = "https://www.googleapis.com"
ANALYTICS_URL = "https://youtubeanalytics.googleapis.com"
MAX_RANGE_DAYS = 90
VIDEOS_PER_REQUEST = 50
#: Videos published this long before a fetch's first day are still read (their values grow).
POST_WINDOW_DAYS = 28
log = logging.getLogger(__name__)


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _chunks(first: date, last: date) -> Iterator[tuple[date, date]]:
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=MAX_RANGE_DAYS - 1))
        yield start, end
        start = end + timedelta(days=1)


def _published(text: object) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(UTC) if stamp.tzinfo else None


class YouTubeApi:
    """The Data API (``base_url``) and the Analytics API (``analytics_url``) on one counted
    client; the token endpoint is called by its full URL."""

    def __init__(self, base_url: str = DATA_URL, *, analytics_url: str | None = None,
                 token_url: str = TOKEN_URL, timeout: float = 30.0, retries: int = 1,
                 retry_delay: float = 2.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.http = JsonHttp(base_url, timeout=timeout, retries=retries,
                             retry_delay=retry_delay, transport=transport)
        self.analytics_url = (analytics_url or base_url).rstrip("/")
        self.token_url = token_url

    @property
    def requests(self) -> int:
        return self.http.requests

    def get(self, path: str, params: Mapping[str, Any], token: str, *,
            analytics: bool = False) -> dict[str, Any]:
        url = self.analytics_url + path if analytics else path
        answer = self.http.request("GET", url, params=params,
                                   headers={"Authorization": f"Bearer {token}"},
                                   secrets=(token,))
        what = "youtube " + path.strip("/").split("/")[-1]
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise google_error(answer, what, (token,), permission_hint=(
                "connect the channel again and allow both YouTube scopes"))
        return answer.body

    def token(self, form: Mapping[str, str], secrets: Sequence[str]) -> dict[str, Any]:
        answer = self.http.request("POST", self.token_url, data=form, secrets=secrets)
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise token_error(answer, "youtube token refresh", secrets, hint=TESTING_HINT)
        return answer.body


class YouTubeSource:
    platform: str = "youtube"
    refetch_days: int = 3

    DAILY: ClassVar[dict[str, str]] = {"views": "views", "likes": "likes",
                                       "comments": "comments", "shares": "shares"}
    VIDEO: ClassVar[dict[str, str]] = {"viewCount": "views", "likeCount": "likes",
                                       "commentCount": "comments"}

    def __init__(self, api: YouTubeApi | None = None, *, client_id: str = "",
                 client_secret: str = "",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.api = api or YouTubeApi()
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock or (lambda: datetime.now(UTC))
        self.skipped: Counter[str] = Counter()

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> YouTubeSource:
        secret = getattr(settings, "google_client_secret", None)
        base = getattr(settings, "youtube_api_url", None)
        analytics = getattr(settings, "youtube_analytics_url", None) or base or ANALYTICS_URL
        api = YouTubeApi(base or DATA_URL, analytics_url=analytics,
                         token_url=getattr(settings, "google_token_url", None) or TOKEN_URL)
        return cls(api, client_id=getattr(settings, "google_client_id", None) or "",
                   client_secret=secret.get_secret_value() if secret is not None else "", **kw)

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        if first > last:
            raise SourceError("bad_request", f"youtube: first day {first} is after last day "
                                             f"{last}")
        if not account.access_token:
            raise SourceError("auth_expired", "youtube: the account has no token; connect it "
                                              "again")
        before = self.api.requests
        before_skipped = sum(self.skipped.values())
        snapshots = self._daily(account, first, last)
        channel = self._channel(account)
        reading = self._reading_day(last)
        stats = channel.get("statistics") or {}
        level = _number(stats.get("subscriberCount"))
        if reading is not None and level is not None and not stats.get("hiddenSubscriberCount"):
            snapshots.append(SnapshotRow(reading, account.platform, account.handle,
                                         "subscribers", level))
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}
                   ).get("uploads")
        posts, metrics = self._videos(account, str(uploads or ""), first, last, reading)
        skipped = sum(self.skipped.values()) - before_skipped
        if skipped:
            log.warning("youtube source: skipped %d values YouTube answered that are not "
                        "mapped (%s)", skipped, ", ".join(sorted(self.skipped)))
        today = self.clock().astimezone(UTC).date()
        return SourceBatch(snapshots=snapshots, posts=posts, post_metrics=metrics,
                           provisional_from=today - timedelta(days=self.refetch_days - 1),
                           requests=self.api.requests - before)

    def refresh(self, account: SourceAccount) -> SourceAccount:
        if not (self.client_id and self.client_secret):
            raise SourceError("bad_request", "YouTube token refresh needs "
                                             "KPIBOT_GOOGLE_CLIENT_ID and "
                                             "KPIBOT_GOOGLE_CLIENT_SECRET")
        if not account.refresh_token:
            raise SourceError("auth_expired", "youtube: no refresh token; connect the account "
                                              "again")
        data = self.api.token({"grant_type": "refresh_token", "client_id": self.client_id,
                               "client_secret": self.client_secret,
                               "refresh_token": account.refresh_token},
                              (self.client_secret, account.refresh_token,
                               account.access_token))
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise SourceError("server", "youtube token refresh: Google answered no token")
        new_refresh = data.get("refresh_token")
        expires = _number(data.get("expires_in"))
        return replace(account, access_token=token,
                       refresh_token=new_refresh if isinstance(new_refresh, str) and new_refresh
                       else account.refresh_token,
                       expires_at=self.clock() + timedelta(seconds=expires) if expires else None)

    # -- parts

    def _reading_day(self, last: date) -> date | None:
        return rules.reading_day(last, self.clock())

    def _daily(self, account: SourceAccount, first: date, last: date) -> list[SnapshotRow]:
        rows: list[SnapshotRow] = []
        for start, end in _chunks(first, last):
            body = self.api.get("/v2/reports", {
                "ids": "channel==MINE", "startDate": start.isoformat(),
                "endDate": end.isoformat(), "metrics": ",".join(self.DAILY),
                "dimensions": "day", "sort": "day"}, account.access_token, analytics=True)
            names = [str(h.get("name")) for h in body.get("columnHeaders") or []
                     if isinstance(h, dict)]
            if "day" not in names:
                raise SourceError("server", "youtube reports: the answer has no day column")
            at = names.index("day")
            for row in body.get("rows") or []:
                if not isinstance(row, list) or len(row) != len(names):
                    self.skipped["daily:bad_row"] += 1
                    continue
                try:
                    day = date.fromisoformat(str(row[at]))
                except ValueError:
                    self.skipped["daily:bad_date"] += 1
                    continue
                if not start <= day <= end:
                    continue
                for name, raw in zip(names, row, strict=True):
                    if name == "day":
                        continue
                    key = self.DAILY.get(name)
                    value = _number(raw)
                    if key is None:
                        self.skipped[f"metric:{name}"] += 1
                    elif value is not None:
                        rows.append(SnapshotRow(day, account.platform, account.handle, key,
                                                value))
        return rows

    def _channel(self, account: SourceAccount) -> dict[str, Any]:
        body = self.api.get("/youtube/v3/channels", {"part": "statistics,contentDetails",
                                                     "mine": "true"}, account.access_token)
        items = [i for i in body.get("items") or [] if isinstance(i, dict)]
        if not items:
            raise SourceError("permission", "youtube channels: the account has no YouTube "
                                            "channel (log in with the channel's Google "
                                            "account or brand account)")
        return items[0]

    def _videos(self, account: SourceAccount, uploads: str, first: date, last: date,
                reading: date | None) -> tuple[list[PostRow], list[PostMetricRow]]:
        if not uploads:
            return [], []
        cutoff = rules.lifetime_cutoff(first, reading)
        ids: list[str] = []
        page: str | None = None
        for _ in range(1000):
            params: dict[str, Any] = {"part": "contentDetails", "playlistId": uploads,
                                      "maxResults": VIDEOS_PER_REQUEST}
            if page:
                params["pageToken"] = page
            body = self.api.get("/youtube/v3/playlistItems", params, account.access_token)
            older = False
            for item in body.get("items") or []:
                details = item.get("contentDetails") or {} if isinstance(item, dict) else {}
                published = _published(details.get("videoPublishedAt"))
                vid = str(details.get("videoId") or "")
                if published is not None and published.date() < cutoff:
                    older = True
                    break
                if published is None or not vid or content.post_id_problem(vid) \
                        or published.date() > last:
                    continue
                ids.append(vid)
            page = body.get("nextPageToken")
            if older or not page:
                break
        posts: list[PostRow] = []
        metrics: list[PostMetricRow] = []
        for i in range(0, len(ids), VIDEOS_PER_REQUEST):
            body = self.api.get("/youtube/v3/videos", {
                "part": "statistics,snippet", "id": ",".join(ids[i:i + VIDEOS_PER_REQUEST]),
                "maxResults": VIDEOS_PER_REQUEST}, account.access_token)
            for video in body.get("items") or []:
                self._video(account, video, reading, posts, metrics)
        return posts, metrics

    def _video(self, account: SourceAccount, video: dict[str, Any], reading: date | None,
               posts: list[PostRow], metrics: list[PostMetricRow]) -> None:
        vid = str(video.get("id") or "")
        snippet = video.get("snippet") or {}
        published = _published(snippet.get("publishedAt"))
        if not vid or published is None:
            self.skipped["video:incomplete"] += 1
            return
        caption = "\n".join(t for t in (str(snippet.get("title") or ""),
                                        str(snippet.get("description") or "")) if t)
        if content.caption_problem(caption):
            caption = caption[:content.CAPTION_MAX_CHARS]
            caption = "" if content.caption_problem(caption) else caption
        link = f"https://www.youtube.com/watch?v={vid}"
        posts.append(PostRow(account.platform, account.handle, vid, published, "video",
                             caption, "" if content.permalink_problem(link) else link))
        if reading is None or published.date() > reading:
            return
        stats = video.get("statistics") or {}
        for name, key in self.VIDEO.items():
            value = _number(stats.get(name))
            if value is not None:  # likeCount is absent when the owner hid the likes
                metrics.append(PostMetricRow(account.platform, account.handle, vid, reading,
                                             key, value))


SOURCES: dict[str, type[YouTubeSource]] = {YouTubeSource.platform: YouTubeSource}


def make_source(platform: str, settings: Any, **kw: Any) -> YouTubeSource:
    return SOURCES[platform].from_settings(settings, **kw)


if TYPE_CHECKING:  # mypy checks the source against the port
    from kpi_engine.domain.ports import Source

    _yt: Source = YouTubeSource()
