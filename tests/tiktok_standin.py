"""A TikTok API for Business stand-in (stdlib HTTP server, 127.0.0.1, port 0).

Serves ``/open_api/v1.3/business/get/`` (daily ``metrics``, ≤ 30 days else code 40002),
``/business/video/list/`` (``cursor`` / ``has_more``), ``/report/integrated/get/``
(campaign × day rows, ``page_info``) and ``POST /tt_user/oauth2/refresh_token/`` (a new
access token **and a new refresh token** each time; the old refresh token stops working).
Answers are HTTP 200 ``{"code", "message", "request_id", "data"}`` like TikTok's; an unknown
token answers 40105, an expired one 40102; ``fail_next`` queues any code (40100 rate limit,
40001 permission, 50000 …) or an HTTP 5xx. Every request is in ``calls``.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/open_api/v1.3"


@dataclass
class Video:
    item_id: str
    create_time: datetime
    caption: str = ""
    values: dict[str, int] = field(default_factory=dict)  # reach, video_views, likes …


@dataclass
class Business:
    id: str
    daily: dict[date, dict[str, int]] = field(default_factory=dict)
    videos: list[Video] = field(default_factory=list)


@dataclass
class CampaignDay:
    day: date
    campaign_id: str
    campaign_name: str
    spend: str
    impressions: int
    clicks: int
    conversion: int


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    token: str | None


class TikTokStandin:
    def __init__(self, *, app_id: str = "7000000000000000001",
                 app_secret: str = "tt-secret-abc") -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.businesses: dict[str, Business] = {}
        self.ads: dict[str, list[CampaignDay]] = {}
        self.tokens: set[str] = set()
        self.expired: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.calls: list[Call] = []
        self.failures: list[tuple[str, int, int, str, int]] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> TikTokStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def fail_next(self, match: str, code: int, message: str = "error", *, status: int = 200,
                  times: int = 1) -> None:
        self.failures.append((match, code, status, message, times))

    def requests_to(self, fragment: str) -> list[Call]:
        return [c for c in self.calls if fragment in c.path]

    # -- dispatch

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            params.update(json.loads(handler.rfile.read(length) or b"{}"))
        token = handler.headers.get("Access-Token")
        self.calls.append(Call(method, parts.path, {k: v for k, v in params.items()
                                                    if k not in ("client_secret",
                                                                 "refresh_token")}, token))
        status, body = 200, None
        with self._lock:
            for i, (match, code, st, message, times) in enumerate(self.failures):
                if match in parts.path:
                    status, body = st, self._answer(code, message)
                    if times > 1:
                        self.failures[i] = (match, code, st, message, times - 1)
                    else:
                        del self.failures[i]
                    break
        if body is None:
            try:
                body = self._answer(0, "OK", self._route(method, parts.path, params, token))
            except _Fail as fail:
                body = self._answer(fail.code, fail.message)
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, code: int, message: str, data: Any = None) -> dict[str, Any]:
        return {"code": code, "message": message, "request_id": f"2026120216{next(self._ids)}",
                "data": data if data is not None else {}}

    def _route(self, method: str, path: str, params: dict[str, Any], token: str | None) -> Any:
        if path == f"{API}/tt_user/oauth2/refresh_token/":
            return self._refresh(params)
        if not token:
            raise _Fail(40104, "Access token is null")
        if token in self.expired:
            raise _Fail(40102, "Access token has expired")
        if token not in self.tokens:
            raise _Fail(40105, "Access token is incorrect or has been revoked")
        if path == f"{API}/business/get/":
            return self._business(params)
        if path == f"{API}/business/video/list/":
            return self._videos(params)
        if path == f"{API}/report/integrated/get/":
            return self._report(params)
        raise _Fail(40002, f"unknown path {path}")

    def _refresh(self, params: dict[str, Any]) -> Any:
        if params.get("client_id") != self.app_id or params.get(
                "client_secret") != self.app_secret:
            raise _Fail(40101, "Invalid App ID or secret")
        old = params.get("refresh_token")
        if params.get("grant_type") != "refresh_token" or old not in self.refresh_tokens:
            raise _Fail(40105, "refresh_token is invalid or has expired")
        self.refresh_tokens.discard(old)  # rotates: the old one is spent
        n = next(self._ids)
        access, refresh = f"act.new{n}", f"rft.new{n}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "expires_in": 86400, "refresh_token": refresh,
                "refresh_token_expires_in": 31536000, "open_id": "_000abc", "scope":
                "user.info.basic,user.insights,video.list"}

    @staticmethod
    def _range(params: dict[str, Any]) -> tuple[date, date]:
        try:
            first = date.fromisoformat(params["start_date"])
            last = date.fromisoformat(params["end_date"])
        except (KeyError, ValueError):
            raise _Fail(40002, "start_date and end_date are required") from None
        if (last - first).days >= 30 or last < first:
            raise _Fail(40002, "The time range cannot exceed 30 days")
        return first, last

    def _business(self, params: dict[str, Any]) -> Any:
        biz = self.businesses.get(params.get("business_id", ""))
        if biz is None:
            raise _Fail(40001, "No permission to access this business account")
        first, last = self._range(params)
        fields = json.loads(params.get("fields", "[]"))
        return {"metrics": [{"date": d.isoformat(),
                             **{k: v for k, v in biz.daily[d].items() if k in fields}}
                            for d in sorted(biz.daily) if first <= d <= last]}

    def _videos(self, params: dict[str, Any]) -> Any:
        biz = self.businesses.get(params.get("business_id", ""))
        if biz is None:
            raise _Fail(40001, "No permission to access this business account")
        fields = json.loads(params.get("fields", "[]"))
        count = min(int(params.get("max_count", 20)), 20)
        start = int(params.get("cursor", 0))
        ordered = sorted(biz.videos, key=lambda v: v.create_time, reverse=True)
        page = ordered[start:start + count]
        videos = []
        for v in page:
            full = {"item_id": v.item_id, "create_time": int(v.create_time.timestamp()),
                    "caption": v.caption,
                    "share_url": f"https://www.tiktok.com/@brand/video/{v.item_id}", **v.values}
            videos.append({k: full[k] for k in fields if k in full})
        return {"videos": videos, "cursor": start + len(page),
                "has_more": start + count < len(ordered)}

    def _report(self, params: dict[str, Any]) -> Any:
        rows = self.ads.get(params.get("advertiser_id", ""))
        if rows is None:
            raise _Fail(40001, "No permission to operate advertiser")
        first, last = self._range(params)
        size = min(int(params.get("page_size", 10)), 1000)
        page = int(params.get("page", 1))
        found = [r for r in sorted(rows, key=lambda r: (r.day, r.campaign_id))
                 if first <= r.day <= last]
        total_pages = max(1, -(-len(found) // size))
        items = [{"dimensions": {"campaign_id": r.campaign_id,
                                 "stat_time_day": f"{r.day.isoformat()} 00:00:00"},
                  "metrics": {"campaign_name": r.campaign_name, "spend": r.spend,
                              "impressions": str(r.impressions), "clicks": str(r.clicks),
                              "conversion": str(r.conversion)}}
                 for r in found[(page - 1) * size:page * size]]
        return {"list": items, "page_info": {"page": page, "page_size": size,
                                             "total_number": len(found),
                                             "total_page": total_pages}}


class _Fail(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def at(day: date, hour: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


__all__ = ["Business", "CampaignDay", "TikTokStandin", "Video", "at", "timedelta"]
