"""Meta connectors: Instagram professional account, Facebook Page, Meta Ads (Graph API).

One thin client (``Graph``) on :mod:`adapters.sources.http` and three ``Source``s:

``InstagramSource`` (``instagram``, re-fetches 3 days)
    daily ``/{ig-user-id}/insights``: ``reach`` as a time series (``period=day``, at most 30
    days per request), ``views``, ``profile_views`` and ``website_clicks`` as
    ``metric_type=total_value`` — a total over since…until, so one request per day.
    ``impressions`` was replaced by ``views`` in 2025 and is not asked for. ``website_clicks``
    (taps on the profile's link) is stored as ``website_clicks``, not ``website_visits``:
    visits to the site are GA4's sessions, written on the same channel by a GA4 source. The level of
    followers is ``followers_count`` of the account, read now: it is written for the reading
    day only (``follower_count`` of the insights counts new follows, not the level, so no past
    level is made up from it). Posts from ``/{ig-user-id}/media`` (cursor paging, newest
    first) and each post's lifetime ``/{media-id}/insights`` (reach, likes, comments, shares,
    saved, views), read as of the reading day; a post Meta has no insights for ("not enough
    viewers", posted before the account turned professional) keeps ``like_count`` and
    ``comments_count`` of the media listing. Audience: ``follower_demographics`` by city,
    age and gender (lifetime, top 45 buckets), for the reading day.
``FacebookPageSource`` (``facebook``, 3 days)
    ``/{page-id}/insights`` time series: ``page_impressions_unique`` (reach),
    ``page_media_view`` (views), ``page_follows`` (followers, a daily level); posts from
    ``/{page-id}/posts`` with reactions (likes), comments and shares.
``MetaAdsSource`` (``meta_ads``, 28 days: Meta revises attribution for 28 days)
    ``/act_{id}/insights?level=campaign&time_increment=1``: spend, impressions, clicks, and
    conversions / revenue from ``actions`` / ``action_values`` of one purchase action type
    (the first of ``conversion_actions`` the row has: Meta reports overlapping types, adding
    them would count a purchase two or three times). Spend is in the ad account's currency.

The *reading day* is the day lifetime values (a post's totals, the follower level, the
audience) are labelled with: ``last``, when ``last`` is today somewhere on Earth (UTC-12 to
UTC+14: ``domain/sources.reading_day``); otherwise none are written, because a value read today
is not the value of an earlier day (so a sync's windows before the last one write none). The
posts read are those published from ``domain/sources.lifetime_cutoff``: 28 days before
``first``, and at least 34 days before the reading day, whatever the sync's windows.

Tokens go in the ``Authorization`` header (the token exchange: in a POST form), never in a
URL: Meta's ``paging.next`` links carry ``access_token`` in their query, so paging re-asks
with the ``after`` cursor instead of following them. Error bodies
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`` become
``SourceError`` kinds (:func:`graph_error`); a rate limit's ``retry_after`` comes from
``X-Business-Use-Case-Usage`` (``estimated_time_to_regain_access``, minutes) or
``X-Ad-Account-Usage`` (``reset_time_duration``, seconds). Metric names Meta answers that are
not mapped here are skipped and counted in ``skipped`` (and logged), never guessed.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from adapters.sources.http import Answer, JsonHttp, scrub
from kpi_engine.domain import content
from kpi_engine.domain import sources as rules
from kpi_engine.domain.content import PostMetricRow, PostRow, SegmentRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import SourceAccount, SourceBatch, SourceError
from kpi_engine.domain.validation import name_problem

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com"
GRAPH_VERSION = "v24.0"
#: Instagram time series and Page insights: the longest since…until Meta accepts.
IG_MAX_RANGE_DAYS = 30
PAGE_MAX_RANGE_DAYS = 90
ADS_MAX_RANGE_DAYS = 31
#: Posts published this many days before ``first`` (and at least ``LIFETIME_DAYS`` before the
#: reading day) still get their lifetime values read: ``domain/sources.lifetime_cutoff``.
POST_WINDOW_DAYS = rules.POST_WINDOW_DAYS
#: retry_after when Meta says "rate limited" without an estimate (usage is a rolling hour).
DEFAULT_RETRY_AFTER = 600.0

AUTH_CODES = frozenset({190, 102})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
RATE_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
#: error_subcodes of a post without insights (posted before the account went professional).
NO_INSIGHTS_SUBCODES = frozenset({2108006})


# ------------------------------------------------------------------------------ errors


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds until Meta lets the app call again, from its usage headers (None: not said)."""
    waits: list[float] = []
    buc = _header_json(headers, "x-business-use-case-usage")
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                minutes = entry.get("estimated_time_to_regain_access") if isinstance(
                    entry, dict) else None
                if isinstance(minutes, (int, float)) and minutes > 0:
                    waits.append(float(minutes) * 60.0)
    ad = _header_json(headers, "x-ad-account-usage")
    if isinstance(ad, dict):
        seconds = ad.get("reset_time_duration")
        if isinstance(seconds, (int, float)) and seconds > 0:
            waits.append(float(seconds))
    return max(waits) if waits else None


def _header_json(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def graph_error(answer: Answer, what: str, secrets: Sequence[str] = ()) -> SourceError:
    """The ``SourceError`` of a Graph API error answer (its message scrubbed of secrets)."""
    error = answer.body.get("error") if isinstance(answer.body, dict) else None
    if not isinstance(error, dict):
        kind = "server" if answer.status >= 500 else "bad_request"
        return SourceError(kind, f"{what}: HTTP {answer.status} without an error body")
    code = error.get("code")
    subcode = error.get("error_subcode")
    text = scrub(str(error.get("message", "")), secrets)[:300]
    trace = error.get("fbtrace_id")
    detail = f"{what}: Meta error {code}" + (f"/{subcode}" if subcode else "") + f": {text}"
    if trace:
        detail += f" (fbtrace_id {scrub(str(trace), secrets)})"
    if code in AUTH_CODES:
        return SourceError("auth_expired", detail + " — reconnect the account with a new "
                                                    "token")
    if code in PERMISSION_CODES:
        return SourceError("permission", detail + " — grant the missing permission to the "
                                                  "app and reconnect")
    if code in RATE_CODES:
        wait = retry_after(answer.headers) or DEFAULT_RETRY_AFTER
        return SourceError("rate_limited", detail, retry_after=wait)
    if code in TRANSIENT_CODES or answer.status >= 500 or error.get("is_transient"):
        return SourceError("server", detail)
    return SourceError("bad_request", detail)


# ------------------------------------------------------------------------------ client


class Graph:
    """The Graph API at ``base_url``/``version``: bearer auth, error mapping, cursor paging."""

    def __init__(self, base_url: str = GRAPH_URL, version: str = GRAPH_VERSION, *,
                 timeout: float = 30.0, retries: int = 1, retry_delay: float = 2.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.version = version.strip("/")
        self.http = JsonHttp(base_url, timeout=timeout, retries=retries,
                             retry_delay=retry_delay, transport=transport)

    @property
    def requests(self) -> int:
        return self.http.requests

    def path(self, node: str) -> str:
        return f"/{self.version}/{node.lstrip('/')}"

    def answer(self, node: str, params: Mapping[str, Any], token: str) -> Answer:
        return self.http.request("GET", self.path(node), params=params,
                                 headers={"Authorization": f"Bearer {token}"},
                                 secrets=(token,))

    def get(self, node: str, params: Mapping[str, Any], token: str) -> dict[str, Any]:
        answer = self.answer(node, params, token)
        return self.body(answer, node, (token,))

    def body(self, answer: Answer, node: str, secrets: Sequence[str]) -> dict[str, Any]:
        if answer.status != 200 or not isinstance(answer.body, dict) or "error" in answer.body:
            raise graph_error(answer, _what(node), secrets)
        return answer.body

    def pages(self, node: str, params: Mapping[str, Any], token: str,
              max_pages: int = 1000) -> Iterator[list[dict[str, Any]]]:
        """Each page's ``data``; the next page is asked with ``after`` while Meta gives a
        ``paging.next`` (its URL holds the token, so it is never requested as such)."""
        query = dict(params)
        for _ in range(max_pages):
            body = self.get(node, query, token)
            data = body.get("data")
            yield [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
            paging = body.get("paging")
            paging = paging if isinstance(paging, dict) else {}
            cursors = paging.get("cursors")
            after = cursors.get("after") if isinstance(cursors, dict) and paging.get(
                "next") else None
            if not after or after == query.get("after"):
                return
            query["after"] = after

    def exchange(self, app_id: str, app_secret: str, token: str) -> tuple[str, int | None]:
        """A long-lived token (about 60 days) for ``token``: (access token, expires_in s)."""
        secrets = (token, app_secret)
        answer = self.http.request("POST", self.path("oauth/access_token"), data={
            "grant_type": "fb_exchange_token", "client_id": app_id,
            "client_secret": app_secret, "fb_exchange_token": token}, secrets=secrets)
        if answer.status != 200 or not isinstance(answer.body, dict) or "error" in answer.body:
            err = graph_error(answer, "token exchange", secrets)
            body = answer.body if isinstance(answer.body, dict) else {}
            oauth = isinstance(body.get("error"), dict) and body["error"].get(
                "type") == "OAuthException"
            if err.kind == "bad_request" and oauth:  # Meta refuses the old token itself
                raise SourceError("auth_expired", err.message) from None
            raise err
        new = answer.body.get("access_token")
        if not isinstance(new, str) or not new:
            raise SourceError("server", "token exchange: Meta answered no access_token")
        expires = answer.body.get("expires_in")
        return new, int(expires) if isinstance(expires, (int, float)) and expires > 0 else None


def _what(node: str) -> str:
    """The request named without ids: ``/123/insights`` → ``insights``."""
    parts = [p for p in node.split("/") if p and not p.isdigit() and not p.startswith("act_")]
    return "/".join(parts) or "account"


# ------------------------------------------------------------------------------ sources


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _chunks(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=days - 1))
        yield start, end
        start = end + timedelta(days=1)


def _series_day(end_time: object) -> date | None:
    """A time-series value's day: Meta stamps it with the *end* of its day (midnight Pacific
    time, ``07:00``/``08:00`` UTC of the next day)."""
    if not isinstance(end_time, str):
        return None
    try:
        moment = datetime.strptime(end_time, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
    return (moment.astimezone(UTC) - timedelta(days=1)).date()


def _number(value: object) -> float | None:
    """A metric value (Meta sends counts as numbers and ads values as strings)."""
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


def _published(stamp: object) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
    except ValueError:
        return None


class MetaSource:
    """What the three Meta sources share: the client, the clock, refresh, the counters."""

    platform: str = ""
    refetch_days: int = 3

    def __init__(self, graph: Graph | None = None, *, app_id: str = "", app_secret: str = "",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.graph = graph or Graph()
        self.app_id = app_id
        self.app_secret = app_secret
        self.clock = clock or (lambda: datetime.now(UTC))
        #: what Meta answered that is not mapped (metric names, posts without insights …)
        self.skipped: Counter[str] = Counter()

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> MetaSource:
        """The source on ``KPIBOT_META_API_URL`` / ``_API_VERSION`` / ``_APP_ID`` /
        ``_APP_SECRET``."""
        secret = getattr(settings, "meta_app_secret", None)
        graph = Graph(getattr(settings, "meta_api_url", None) or GRAPH_URL,
                      getattr(settings, "meta_api_version", None) or GRAPH_VERSION)
        return cls(graph, app_id=getattr(settings, "meta_app_id", None) or "",
                   app_secret=secret.get_secret_value() if secret is not None else "", **kw)

    # -- the port

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        if first > last:
            raise SourceError("bad_request", f"{self.platform}: first day {first} is after "
                                             f"last day {last}")
        if not account.access_token:
            raise SourceError("auth_expired", f"{self.platform}: the account has no token; "
                                              "connect it again")
        before_requests = self.graph.requests
        before_skipped = sum(self.skipped.values())
        batch = self._fetch(account, first, last)
        skipped = sum(self.skipped.values()) - before_skipped
        if skipped:
            log.warning("%s source: skipped %d values Meta answered that are not mapped (%s)",
                        self.platform, skipped, ", ".join(sorted(self.skipped)))
        return replace(batch, provisional_from=self._provisional_from(),
                       requests=self.graph.requests - before_requests)

    def refresh(self, account: SourceAccount) -> SourceAccount:
        if not (self.app_id and self.app_secret):
            raise SourceError("bad_request", "Meta token refresh needs KPIBOT_META_APP_ID and "
                                             "KPIBOT_META_APP_SECRET (the app's id and secret)")
        if not account.access_token:
            raise SourceError("auth_expired", "no token to exchange; connect the account again")
        token, expires_in = self.graph.exchange(self.app_id, self.app_secret,
                                                account.access_token)
        expires_at = (self.clock() + timedelta(seconds=expires_in)) if expires_in else None
        return replace(account, access_token=token, expires_at=expires_at)

    # -- shared parts

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        raise NotImplementedError

    def _today(self) -> date:
        return self.clock().astimezone(UTC).date()

    def _provisional_from(self) -> date:
        return self._today() - timedelta(days=self.refetch_days - 1)

    def _reading_day(self, first: date, last: date) -> date | None:
        """The day lifetime values read now are labelled with (see the module's text)."""
        return rules.reading_day(last, self.clock()) if first <= last else None

    def _series(self, account: SourceAccount, node: str, metrics: Mapping[str, str],
                first: date, last: date, max_days: int,
                extra: Mapping[str, str] | None = None) -> list[SnapshotRow]:
        """Daily time-series insights of ``metrics`` (Meta name → our key) over the range."""
        rows: list[SnapshotRow] = []
        for start, end in _chunks(first, last, max_days):
            body = self.graph.get(node, {"metric": ",".join(metrics), "period": "day",
                                         "since": _ts(start),
                                         "until": _ts(end + timedelta(days=1)),
                                         **(extra or {})}, account.access_token)
            for item in body.get("data") or []:
                key = self._key(item, metrics)
                if key is None:
                    continue
                for point in item.get("values") or []:
                    day = _series_day(point.get("end_time")) if isinstance(point, dict) else None
                    value = _number(point.get("value")) if isinstance(point, dict) else None
                    if day is None or value is None or not start <= day <= end:
                        continue
                    rows.append(SnapshotRow(day, account.platform, account.handle, key, value))
        return rows

    def _key(self, item: object, table: Mapping[str, str]) -> str | None:
        """Our key of an insights entry's ``name``; an unmapped one is skipped and counted."""
        name = item.get("name") if isinstance(item, dict) else None
        key = table.get(name) if isinstance(name, str) else None
        if key is None:
            self.skipped[f"metric:{name}"] += 1
        return key

    def _post(self, account: SourceAccount, post_id: object, published: datetime | None,
              fmt: str, caption: object, permalink: object) -> PostRow | None:
        pid = str(post_id) if isinstance(post_id, (str, int)) else ""
        if not pid or content.post_id_problem(pid) or published is None:
            self.skipped["post:bad_id_or_time"] += 1
            return None
        text = caption if isinstance(caption, str) else ""
        if content.caption_problem(text):
            text = _CONTROL.sub(" ", text)[:content.CAPTION_MAX_CHARS]
        link = permalink if isinstance(permalink, str) else ""
        if link and content.permalink_problem(link):
            link = ""
        return PostRow(account.platform, account.handle, pid, published, fmt, text, link)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class InstagramSource(MetaSource):
    platform: str = "instagram"
    refetch_days: int = 3

    #: time series (day by day in one answer)
    SERIES: ClassVar[dict[str, str]] = {"reach": "reach"}
    #: total_value metrics (one answer per day)
    TOTALS: ClassVar[dict[str, str]] = {"views": "views", "profile_views": "profile_visits",
                                        "website_clicks": "website_clicks"}
    #: a post's lifetime insights
    MEDIA: ClassVar[dict[str, str]] = {"reach": "reach", "likes": "likes",
                                       "comments": "comments", "shares": "shares",
                                       "saved": "saves", "views": "views"}
    MEDIA_FIELDS: ClassVar[str] = ("id,caption,media_type,media_product_type,permalink,"
                                   "timestamp,like_count,comments_count")
    BREAKDOWNS: ClassVar[dict[str, str]] = {"city": "city", "age": "age", "gender": "gender"}
    GENDERS: ClassVar[dict[str, str]] = {"F": "female", "M": "male", "U": "unknown"}

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        node = account.account_id
        token = account.access_token
        snapshots = self._series(account, f"{node}/insights", self.SERIES, first, last,
                                 IG_MAX_RANGE_DAYS)
        day = first
        while day <= last:
            body = self.graph.get(f"{node}/insights", {
                "metric": ",".join(self.TOTALS), "period": "day", "metric_type": "total_value",
                "since": _ts(day), "until": _ts(day + timedelta(days=1))}, token)
            for item in body.get("data") or []:
                key = self._key(item, self.TOTALS)
                if key is None:
                    continue
                value = _number((item.get("total_value") or {}).get("value"))
                if value is not None:
                    snapshots.append(SnapshotRow(day, account.platform, account.handle, key,
                                                 value))
            day += timedelta(days=1)

        reading = self._reading_day(first, last)
        if reading is not None:
            profile = self.graph.get(node, {"fields": "followers_count"}, token)
            followers = _number(profile.get("followers_count"))
            if followers is not None:
                snapshots.append(SnapshotRow(reading, account.platform, account.handle,
                                             "followers", followers))
        posts, metrics = self._media(account, first, last, reading)
        segments = self._audience(account, reading) if reading is not None else []
        return SourceBatch(snapshots=snapshots, posts=posts, post_metrics=metrics,
                           segments=segments)

    def _format(self, media_type: object, product: object) -> str:
        if product == "REELS":
            return "reel"
        if product == "STORY":
            return "story"
        if media_type == "CAROUSEL_ALBUM":
            return "carousel"
        if media_type == "VIDEO":
            return "video"
        return "feed"

    def _media(self, account: SourceAccount, first: date, last: date, reading: date | None
               ) -> tuple[list[PostRow], list[PostMetricRow]]:
        cutoff = rules.lifetime_cutoff(first, reading)
        posts: list[PostRow] = []
        metrics: list[PostMetricRow] = []
        for page in self.graph.pages(f"{account.account_id}/media",
                                     {"fields": self.MEDIA_FIELDS, "limit": 100},
                                     account.access_token):
            older = False
            for media in page:
                published = _published(media.get("timestamp"))
                if published is not None and published.date() < cutoff:
                    older = True  # newest first: everything after this is older still
                    break
                if published is not None and published.date() > last:
                    continue
                post = self._post(account, media.get("id"), published,
                                  self._format(media.get("media_type"),
                                               media.get("media_product_type")),
                                  media.get("caption"), media.get("permalink"))
                if post is None:
                    continue
                posts.append(post)
                if reading is not None and published is not None \
                        and published.date() <= reading:
                    metrics += self._media_insights(account, post, media, reading)
            if older:
                break
        return posts, metrics

    def _media_insights(self, account: SourceAccount, post: PostRow, media: dict[str, Any],
                        reading: date) -> list[PostMetricRow]:
        answer = self.graph.answer(f"{post.post_id}/insights",
                                   {"metric": ",".join(self.MEDIA)}, account.access_token)
        error = answer.body.get("error") if isinstance(answer.body, dict) else None
        values: dict[str, float] = {}
        if isinstance(error, dict) and (error.get("code") == 10 or error.get(
                "error_subcode") in NO_INSIGHTS_SUBCODES) and "permission" not in str(
                error.get("message", "")).lower():
            # "(#10) Not enough viewers for the media to show insights", or a post from
            # before the account was professional: the listing's own counts only
            self.skipped["post:no_insights"] += 1
            for field, ours in (("like_count", "likes"), ("comments_count", "comments")):
                value = _number(media.get(field))
                if value is not None:
                    values[ours] = value
        else:
            body = self.graph.body(answer, "media insights", (account.access_token,))
            for item in body.get("data") or []:
                key = self._key(item, self.MEDIA)
                if key is None:
                    continue
                points = item.get("values") or []
                value = _number(points[0].get("value")) if points and isinstance(
                    points[0], dict) else None
                if value is None:
                    value = _number((item.get("total_value") or {}).get("value"))
                if value is not None:
                    values[key] = value
        return [PostMetricRow(account.platform, account.handle, post.post_id, reading, k, v)
                for k, v in values.items()]

    def _audience(self, account: SourceAccount, reading: date) -> list[SegmentRow]:
        found: dict[tuple[str, str], float] = {}
        for breakdown, dimension in self.BREAKDOWNS.items():
            body = self.graph.get(f"{account.account_id}/insights", {
                "metric": "follower_demographics", "period": "lifetime",
                "metric_type": "total_value", "breakdown": breakdown},
                account.access_token)
            for item in body.get("data") or []:
                if not isinstance(item, dict) or item.get("name") != "follower_demographics":
                    self.skipped["metric:audience"] += 1
                    continue
                for group in (item.get("total_value") or {}).get("breakdowns") or []:
                    for result in group.get("results") or []:
                        keys = result.get("dimension_values") or []
                        value = _number(result.get("value"))
                        bucket = self._bucket(dimension, keys[0] if keys else None)
                        if bucket is None or value is None:
                            self.skipped[f"segment:{dimension}"] += 1
                            continue
                        found[(dimension, bucket)] = found.get((dimension, bucket), 0) + value
        return [SegmentRow(reading, account.platform, account.handle, dim, bucket, value)
                for (dim, bucket), value in found.items()]

    def _bucket(self, dimension: str, raw: object) -> str | None:
        if not isinstance(raw, str) or not raw.strip():
            return None
        if dimension == "gender":
            raw = self.GENDERS.get(raw.strip().upper(), raw)
        elif dimension == "city":
            raw = raw.split(",")[0]  # "Jakarta, Jakarta" → "Jakarta" (same-named cities add up)
        parsed = content.parse_segment(f"{dimension}:{raw}")
        return parsed[1] if parsed is not None and not name_problem(parsed[1]) else None


class FacebookPageSource(MetaSource):
    platform: str = "facebook"
    refetch_days: int = 3

    SERIES: ClassVar[dict[str, str]] = {"page_impressions_unique": "reach",
                                        "page_media_view": "views", "page_follows": "followers"}
    POST_FIELDS: ClassVar[str] = ("id,created_time,message,permalink_url,shares,"
                                  "reactions.summary(total_count).limit(0),"
                                  "comments.summary(total_count).limit(0)")

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        snapshots = self._series(account, f"{account.account_id}/insights", self.SERIES,
                                 first, last, PAGE_MAX_RANGE_DAYS)
        reading = self._reading_day(first, last)
        posts: list[PostRow] = []
        metrics: list[PostMetricRow] = []
        since = rules.lifetime_cutoff(first, reading)
        for page in self.graph.pages(f"{account.account_id}/posts", {
                "fields": self.POST_FIELDS, "limit": 100, "since": _ts(since),
                "until": _ts(last + timedelta(days=1))}, account.access_token):
            for item in page:
                published = _published(item.get("created_time"))
                post = self._post(account, item.get("id"), published, "feed",
                                  item.get("message"), item.get("permalink_url"))
                if post is None:
                    continue
                posts.append(post)
                if reading is None or published is None or published.date() > reading:
                    continue
                counts = {
                    "likes": _number(((item.get("reactions") or {}).get("summary") or {}
                                      ).get("total_count")),
                    "comments": _number(((item.get("comments") or {}).get("summary") or {}
                                         ).get("total_count")),
                    "shares": _number((item.get("shares") or {}).get("count", 0)),
                }
                metrics += [PostMetricRow(account.platform, account.handle, post.post_id,
                                          reading, k, v) for k, v in counts.items()
                            if v is not None]
        return SourceBatch(snapshots=snapshots, posts=posts, post_metrics=metrics)


class MetaAdsSource(MetaSource):
    platform: str = "meta_ads"
    refetch_days: int = 28

    FIELDS: ClassVar[str] = ("campaign_id,campaign_name,spend,impressions,clicks,actions,"
                             "action_values,date_start,date_stop")
    PLAIN: ClassVar[dict[str, str]] = {"spend": "spend", "impressions": "impressions",
                                       "clicks": "clicks"}
    #: the purchase action types, best first; only the first one a row has is counted
    CONVERSION_ACTIONS: ClassVar[tuple[str, ...]] = (
        "omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase",
        "onsite_web_purchase")

    def __init__(self, graph: Graph | None = None, *,
                 conversion_actions: Sequence[str] | None = None, **kw: Any) -> None:
        super().__init__(graph, **kw)
        self.conversion_actions = tuple(conversion_actions or self.CONVERSION_ACTIONS)

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        node = account.account_id if account.account_id.startswith("act_") \
            else f"act_{account.account_id}"
        sums: dict[tuple[date, str, str], float] = {}
        for start, end in _chunks(first, last, ADS_MAX_RANGE_DAYS):
            time_range = json.dumps({"since": start.isoformat(), "until": end.isoformat()})
            for page in self.graph.pages(f"{node}/insights", {
                    "level": "campaign", "time_increment": 1, "fields": self.FIELDS,
                    "time_range": time_range, "limit": 500}, account.access_token):
                for row in page:
                    self._row(row, start, end, sums)
        snapshots = [SnapshotRow(day, account.platform, account.handle, metric, value, campaign)
                     for (day, campaign, metric), value in sorted(sums.items())]
        return SourceBatch(snapshots=snapshots)

    def _row(self, row: dict[str, Any], start: date, end: date,
             sums: dict[tuple[date, str, str], float]) -> None:
        try:
            day = date.fromisoformat(str(row.get("date_start")))
        except ValueError:
            self.skipped["ads:bad_date"] += 1
            return
        if not start <= day <= end:
            return
        name = " ".join(str(row.get("campaign_name") or "").split())
        if not name or name_problem(name):
            name = f"campaign {row.get('campaign_id') or '?'}"
        found: dict[str, float] = {}
        for field, key in self.PLAIN.items():
            value = _number(row.get(field))
            if value is not None:
                found[key] = value
        action = self._action(row.get("actions"))
        if action is not None:
            found["conversions"] = action[1]
            revenue = self._value(row.get("action_values"), action[0])
            if revenue is not None:
                found["revenue"] = revenue
        for key, value in found.items():
            sums[(day, name, key)] = sums.get((day, name, key), 0.0) + value

    def _action(self, actions: object) -> tuple[str, float] | None:
        by_type = self._by_type(actions)
        for kind in self.conversion_actions:
            if kind in by_type:
                return kind, by_type[kind]
        return None

    def _value(self, values: object, kind: str) -> float | None:
        return self._by_type(values).get(kind)

    @staticmethod
    def _by_type(entries: object) -> dict[str, float]:
        found: dict[str, float] = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict):
                value = _number(entry.get("value"))
                if isinstance(entry.get("action_type"), str) and value is not None:
                    found[entry["action_type"]] = value
        return found


#: platform → source class (the sync makes one per platform with ``from_settings``)
SOURCES: dict[str, type[MetaSource]] = {
    cls.platform: cls for cls in (InstagramSource, FacebookPageSource, MetaAdsSource)}


def make_source(platform: str, settings: Any, **kw: Any) -> MetaSource:
    """The Meta source of ``platform`` configured from ``settings``."""
    return SOURCES[platform].from_settings(settings, **kw)


if TYPE_CHECKING:  # mypy checks the sources against the port
    from kpi_engine.domain.ports import Source

    _ig: Source = InstagramSource()
    _fb: Source = FacebookPageSource()
    _ads: Source = MetaAdsSource()
