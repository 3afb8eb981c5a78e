"""TikTok connectors: a TikTok business account and TikTok Ads (TikTok API for Business).

``TikTokSource`` (``tiktok``, re-fetches 7 days)
    ``GET /open_api/v1.3/business/get/`` daily ``metrics`` per ``date``: ``followers_count``
    (a daily level: ``followers``), ``video_views`` (``views``), ``likes``, ``comments``,
    ``shares``, ``profile_views`` (``profile_visits``), at most 30 days per request; videos
    from ``/business/video/list/`` (``cursor`` / ``has_more`` paging) with their lifetime
    ``reach``, ``video_views``, ``likes``, ``comments``, ``shares`` for the reading day (as in
    :mod:`adapters.sources.meta`: ``last`` when it is today, else none).
``TikTokAdsSource`` (``tiktok_ads``, 7 days)
    ``GET /open_api/v1.3/report/integrated/get/`` (``report_type=BASIC``,
    ``data_level=AUCTION_CAMPAIGN``, dimensions ``campaign_id`` and ``stat_time_day``, at most
    30 days per request, ``page`` / ``page_info.total_page`` paging): spend, impressions,
    clicks, conversions per campaign and day. Revenue is not read: its field depends on the
    advertiser's optimisation event, and a wrong one would be a confident wrong number.

The token goes in the ``Access-Token`` header. TikTok answers HTTP 200 with
``{"code", "message", "request_id", "data"}``; ``code`` 0 is success, the others map to
``SourceError`` kinds (:func:`tiktok_error`). ``refresh`` posts the refresh token to
``/open_api/v1.3/tt_user/oauth2/refresh_token/``: TikTok answers a **new** refresh token
every time (the old one stops working), so the account returned carries both new tokens.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from adapters.sources.http import Answer, JsonHttp, scrub
from kpi_engine.domain import content
from kpi_engine.domain import sources as rules
from kpi_engine.domain.content import PostMetricRow, PostRow
from kpi_engine.domain.model import SnapshotRow
from kpi_engine.domain.ports import SourceAccount, SourceBatch, SourceError
from kpi_engine.domain.validation import name_problem

TIKTOK_URL = "https://business-api.tiktok.com"
API = "/open_api/v1.3"
MAX_RANGE_DAYS = 30
#: TikTok's limits are per second / minute / day and say no wait: a minute, or tomorrow.
RATE_RETRY_AFTER = 60.0

AUTH_CODES = frozenset({40102, 40104, 40105})
PERMISSION_CODES = frozenset({40001, 40300})
RATE_CODE = 40100


def tiktok_error(answer: Answer, what: str, secrets: Sequence[str] = ()) -> SourceError:
    body = answer.body if isinstance(answer.body, dict) else {}
    code = body.get("code")
    text = scrub(str(body.get("message", "")), secrets)[:300]
    detail = f"{what}: TikTok error {code}: {text}"
    if body.get("request_id"):
        detail += f" (request_id {body['request_id']})"
    if not isinstance(code, int):
        kind = "server" if answer.status >= 500 else "bad_request"
        return SourceError(kind, f"{what}: HTTP {answer.status} without a TikTok answer")
    if code in AUTH_CODES:
        return SourceError("auth_expired", detail + " — connect the account again")
    if code in PERMISSION_CODES:
        return SourceError("permission", detail + " — grant the missing scope and reconnect")
    if code == RATE_CODE:
        if "day" in text.lower() or "qpd" in text.lower():
            return SourceError("quota", detail + " — the daily limit; it resumes tomorrow")
        return SourceError("rate_limited", detail, retry_after=RATE_RETRY_AFTER)
    if code >= 50000 or answer.status >= 500:
        return SourceError("server", detail)
    return SourceError("bad_request", detail)


class TikTokApi:
    def __init__(self, base_url: str = TIKTOK_URL, *, timeout: float = 30.0,
                 retries: int = 1, retry_delay: float = 2.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.http = JsonHttp(base_url, timeout=timeout, retries=retries,
                             retry_delay=retry_delay, transport=transport)

    @property
    def requests(self) -> int:
        return self.http.requests

    def get(self, path: str, params: Mapping[str, Any], token: str) -> dict[str, Any]:
        answer = self.http.request("GET", API + path, params=params,
                                   headers={"Access-Token": token}, secrets=(token,))
        return self._data(answer, path, (token,))

    def post(self, path: str, body: Mapping[str, Any], secrets: Sequence[str]) -> dict[str, Any]:
        answer = self.http.request("POST", API + path, json_body=dict(body), secrets=secrets)
        return self._data(answer, path, secrets)

    @staticmethod
    def _data(answer: Answer, path: str, secrets: Sequence[str]) -> dict[str, Any]:
        body = answer.body
        what = path.strip("/").replace("/", " ")
        if answer.status != 200 or not isinstance(body, dict) or body.get("code") != 0:
            raise tiktok_error(answer, what, secrets)
        data = body.get("data")
        return data if isinstance(data, dict) else {}


def _chunks(first: date, last: date) -> Iterator[tuple[date, date]]:
    start = first
    while start <= last:
        end = min(last, start + timedelta(days=MAX_RANGE_DAYS - 1))
        yield start, end
        start = end + timedelta(days=1)


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


class TikTokBase:
    platform: str = ""
    refetch_days: int = 7

    def __init__(self, api: TikTokApi | None = None, *, app_id: str = "", app_secret: str = "",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.api = api or TikTokApi()
        self.app_id = app_id
        self.app_secret = app_secret
        self.clock = clock or (lambda: datetime.now(UTC))
        self.skipped: Counter[str] = Counter()

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> TikTokBase:
        secret = getattr(settings, "tiktok_app_secret", None)
        return cls(TikTokApi(getattr(settings, "tiktok_api_url", None) or TIKTOK_URL),
                   app_id=getattr(settings, "tiktok_app_id", None) or "",
                   app_secret=secret.get_secret_value() if secret is not None else "", **kw)

    def fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        if first > last:
            raise SourceError("bad_request", f"{self.platform}: first day {first} is after "
                                             f"last day {last}")
        if not account.access_token:
            raise SourceError("auth_expired", f"{self.platform}: the account has no token; "
                                              "connect it again")
        before = self.api.requests
        batch = self._fetch(account, first, last)
        today = self.clock().astimezone(UTC).date()
        return replace(batch, provisional_from=today - timedelta(days=self.refetch_days - 1),
                       requests=self.api.requests - before)

    def refresh(self, account: SourceAccount) -> SourceAccount:
        if not (self.app_id and self.app_secret):
            raise SourceError("bad_request", "TikTok token refresh needs KPIBOT_TIKTOK_APP_ID "
                                             "and KPIBOT_TIKTOK_APP_SECRET")
        if not account.refresh_token:
            raise SourceError("auth_expired", "no refresh token; connect the account again")
        data = self.api.post("/tt_user/oauth2/refresh_token/", {
            "client_id": self.app_id, "client_secret": self.app_secret,
            "grant_type": "refresh_token", "refresh_token": account.refresh_token},
            (self.app_secret, account.refresh_token, account.access_token))
        token, new_refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(token, str) or not token or not isinstance(new_refresh, str):
            raise SourceError("server", "token refresh: TikTok answered no tokens")
        expires = _number(data.get("expires_in"))
        return replace(account, access_token=token, refresh_token=new_refresh,
                       expires_at=self.clock() + timedelta(seconds=expires) if expires else None)

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        raise NotImplementedError

    def _reading_day(self, last: date) -> date | None:
        return rules.reading_day(last, self.clock())


class TikTokSource(TikTokBase):
    platform: str = "tiktok"
    refetch_days: int = 7

    DAILY: ClassVar[dict[str, str]] = {"followers_count": "followers", "video_views": "views",
                                       "likes": "likes", "comments": "comments",
                                       "shares": "shares", "profile_views": "profile_visits"}
    VIDEO: ClassVar[dict[str, str]] = {"reach": "reach", "video_views": "views",
                                       "likes": "likes", "comments": "comments",
                                       "shares": "shares"}

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        token = account.access_token
        snapshots: list[SnapshotRow] = []
        for start, end in _chunks(first, last):
            data = self.api.get("/business/get/", {
                "business_id": account.account_id, "start_date": start.isoformat(),
                "end_date": end.isoformat(), "fields": json.dumps(list(self.DAILY))}, token)
            for entry in data.get("metrics") or []:
                try:
                    day = date.fromisoformat(str(entry.get("date")))
                except ValueError:
                    self.skipped["daily:bad_date"] += 1
                    continue
                if not start <= day <= end:
                    continue
                for name, raw in entry.items():
                    if name == "date":
                        continue
                    key = self.DAILY.get(name)
                    value = _number(raw)
                    if key is None:
                        self.skipped[f"metric:{name}"] += 1
                    elif value is not None:
                        snapshots.append(SnapshotRow(day, account.platform, account.handle,
                                                     key, value))
        posts, metrics = self._videos(account, first, last)
        return SourceBatch(snapshots=snapshots, posts=posts, post_metrics=metrics)

    def _videos(self, account: SourceAccount, first: date, last: date
                ) -> tuple[list[PostRow], list[PostMetricRow]]:
        reading = self._reading_day(last)
        cutoff = rules.lifetime_cutoff(first, reading)
        posts: list[PostRow] = []
        metrics: list[PostMetricRow] = []
        cursor: object = None
        fields = ["item_id", "create_time", "caption", "share_url", *self.VIDEO]
        for _ in range(1000):
            params: dict[str, Any] = {"business_id": account.account_id,
                                      "fields": json.dumps(fields), "max_count": 20}
            if cursor is not None:
                params["cursor"] = cursor
            data = self.api.get("/business/video/list/", params, account.access_token)
            older = False
            for video in data.get("videos") or []:
                stamp = _number(video.get("create_time"))
                published = datetime.fromtimestamp(stamp, UTC) if stamp is not None else None
                if published is not None and published.date() < cutoff:
                    older = True
                    break
                pid = str(video.get("item_id") or "")
                if published is None or not pid or content.post_id_problem(pid) \
                        or published.date() > last:
                    continue
                caption = str(video.get("caption") or "")
                if content.caption_problem(caption):
                    caption = caption[:content.CAPTION_MAX_CHARS]
                    caption = "" if content.caption_problem(caption) else caption
                link = str(video.get("share_url") or "")
                posts.append(PostRow(account.platform, account.handle, pid, published, "video",
                                     caption, "" if content.permalink_problem(link) else link))
                if reading is None or published.date() > reading:
                    continue
                for name, key in self.VIDEO.items():
                    value = _number(video.get(name))
                    if value is not None:
                        metrics.append(PostMetricRow(account.platform, account.handle, pid,
                                                     reading, key, value))
            cursor = data.get("cursor")
            if older or not data.get("has_more") or cursor is None:
                break
        return posts, metrics


class TikTokAdsSource(TikTokBase):
    platform: str = "tiktok_ads"
    refetch_days: int = 7

    METRICS: ClassVar[dict[str, str]] = {"spend": "spend", "impressions": "impressions",
                                         "clicks": "clicks", "conversion": "conversions"}

    def _fetch(self, account: SourceAccount, first: date, last: date) -> SourceBatch:
        sums: dict[tuple[date, str, str], float] = {}
        for start, end in _chunks(first, last):
            page, pages = 1, 1
            while page <= pages:
                data = self.api.get("/report/integrated/get/", {
                    "advertiser_id": account.account_id, "report_type": "BASIC",
                    "data_level": "AUCTION_CAMPAIGN",
                    "dimensions": json.dumps(["campaign_id", "stat_time_day"]),
                    "metrics": json.dumps(["campaign_name", *self.METRICS]),
                    "start_date": start.isoformat(), "end_date": end.isoformat(),
                    "page": page, "page_size": 1000}, account.access_token)
                for row in data.get("list") or []:
                    self._row(row, start, end, sums)
                info = data.get("page_info") or {}
                pages = int(info.get("total_page") or 1)
                page += 1
        return SourceBatch(snapshots=[
            SnapshotRow(day, account.platform, account.handle, metric, value, campaign)
            for (day, campaign, metric), value in sorted(sums.items())])

    def _row(self, row: dict[str, Any], start: date, end: date,
             sums: dict[tuple[date, str, str], float]) -> None:
        dims = row.get("dimensions") or {}
        values = row.get("metrics") or {}
        try:
            day = date.fromisoformat(str(dims.get("stat_time_day"))[:10])
        except ValueError:
            self.skipped["ads:bad_date"] += 1
            return
        if not start <= day <= end:
            return
        name = " ".join(str(values.get("campaign_name") or "").split())
        if not name or name_problem(name):
            name = f"campaign {dims.get('campaign_id') or '?'}"
        for field, key in self.METRICS.items():
            value = _number(values.get(field))
            if value is not None:
                sums[(day, name, key)] = sums.get((day, name, key), 0.0) + value


SOURCES: dict[str, type[TikTokBase]] = {
    cls.platform: cls for cls in (TikTokSource, TikTokAdsSource)}


def make_source(platform: str, settings: Any, **kw: Any) -> TikTokBase:
    return SOURCES[platform].from_settings(settings, **kw)


if TYPE_CHECKING:  # mypy checks the sources against the port
    from kpi_engine.domain.ports import Source

    _tt: Source = TikTokSource()
    _tt_ads: Source = TikTokAdsSource()
