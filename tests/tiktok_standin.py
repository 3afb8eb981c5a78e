"""A TikTok API for Business stand-in (stdlib HTTP server, 127.0.0.1, port 0).

Serves ``/open_api/v1.3/business/get/`` (daily ``metrics``, ≤ 30 days else code 40002),
``/business/video/list/`` (``cursor`` / ``has_more``), ``/report/integrated/get/``
(campaign × day rows, ``page_info``) and ``POST /tt_user/oauth2/refresh_token/`` (a new
access token **and a new refresh token** each time; the old refresh token stops working).
Answers are HTTP 200 ``{"code", "message", "request_id", "data"}`` like TikTok's; an unknown
token answers 40105, an expired one 40102; ``fail_next`` queues any code (40100 rate limit,
40001 permission, 50000 …) or an HTTP 5xx. Every request is in ``calls``.

The authorizations, on the same server:

- TikTok account holder (``tiktok``): ``GET /v2/auth/authorize/`` (``client_key``,
  ``scope``, ``response_type=code``, ``redirect_uri``, ``state``) → 302 to the redirect URI
  with ``code``, ``scopes`` and ``state`` (after ``deny_next()``: ``error=access_denied``,
  ``error_description``); ``POST /open_api/v1.3/tt_user/oauth2/token/`` (JSON
  ``client_id``, ``client_secret``, ``grant_type=authorization_code``, ``auth_code``,
  ``redirect_uri``) → ``data``: ``open_id`` (``login_open_id``), ``scope``,
  ``access_token`` (``expires_in`` 86400), ``refresh_token`` (``refresh_token_expires_in``
  31536000), ``token_type``;
- advertiser (``tiktok_ads``): ``GET /portal/auth`` (``app_id``, ``state``,
  ``redirect_uri``) → 302 with ``auth_code``, ``code`` and ``state``; ``POST
  /open_api/v1.3/oauth2/access_token/`` (JSON ``app_id``, ``secret``, ``auth_code``) →
  ``data``: ``access_token`` (no expiry), ``advertiser_ids`` (``login_advertisers``),
  ``scope``.

A redirect URI not in ``redirect_uris`` is refused by the authorize page (HTTP 400
``{"error": "redirect_uri_mismatch"}``, no redirect). At the token endpoints: a wrong app id
or secret answers 40101 "Invalid App ID or secret"; an unknown, used or expired
(``code_ttl``, 600 s) code 40110 "auth_code is invalid or has expired"; another redirect URI
than the authorize request's 40002 "redirect_uri does not match the authorization request".
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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


@dataclass
class _Code:
    kind: str  # tt_user | advertiser
    redirect_uri: str
    issued: float
    used: bool = False


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class _Page(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


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
        #: the app's registered redirect URLs, the codes handed out, who signs in
        self.redirect_uris: set[str] = set()
        self.codes: dict[str, _Code] = {}
        self.code_ttl = 600.0
        self.login_open_id = "_000abc"
        self.login_advertisers: list[str] = []
        self._deny = False
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

    def deny_next(self) -> None:
        """The next authorize page is cancelled by the user."""
        self._deny = True

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
                                                                 "refresh_token", "secret",
                                                                 "auth_code", "code")}, token))
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
            except _Page as page:
                status, body = page.status, page.body
            except _Redirect as moved:
                handler.send_response(302)
                handler.send_header("Location", moved.location)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
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
        if path == "/v2/auth/authorize/" and method == "GET":
            return self._authorize("tt_user", params.get("client_key"), params)
        if path == "/portal/auth" and method == "GET":
            return self._authorize("advertiser", params.get("app_id"), params)
        if path == f"{API}/tt_user/oauth2/token/":
            return self._tt_token(params)
        if path == f"{API}/oauth2/access_token/":
            return self._advertiser_token(params)
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

    # -- authorization

    def _authorize(self, kind: str, app_id: object, params: dict[str, Any]) -> Any:
        redirect = str(params.get("redirect_uri") or "")
        if app_id != self.app_id:
            raise _Page(400, {"error": "invalid_client", "error_description":
                              "client_key / app_id is not valid"})
        if redirect not in self.redirect_uris:
            raise _Page(400, {"error": "redirect_uri_mismatch", "error_description":
                              "redirect_uri is not registered for this app"})
        if kind == "tt_user" and params.get("response_type") != "code":
            raise _Page(400, {"error": "invalid_request",
                              "error_description": "response_type must be code"})
        state = str(params.get("state") or "")
        if self._deny:
            self._deny = False
            query = {"error": "access_denied", "error_description":
                     "The user denied the authorization", "state": state}
        else:
            code = f"{'tt' if kind == 'tt_user' else 'adv'}{next(self._ids)}{secrets.token_hex(10)}"
            self.codes[code] = _Code(kind, redirect, time.monotonic())
            query = ({"code": code, "scopes": str(params.get("scope") or ""), "state": state}
                     if kind == "tt_user" else {"auth_code": code, "code": code, "state": state})
        sep = "&" if "?" in redirect else "?"
        raise _Redirect(f"{redirect}{sep}{urlencode(query)}")

    def _take_code(self, kind: str, code: object, redirect: object | None) -> None:
        found = self.codes.get(str(code or ""))
        if found is None or found.kind != kind or found.used or \
                time.monotonic() - found.issued > self.code_ttl:
            raise _Fail(40110, "auth_code is invalid or has expired")
        if redirect is not None and redirect != found.redirect_uri:
            raise _Fail(40002, "redirect_uri does not match the authorization request")
        found.used = True

    def _tt_token(self, params: dict[str, Any]) -> Any:
        if params.get("client_id") != self.app_id or params.get(
                "client_secret") != self.app_secret:
            raise _Fail(40101, "Invalid App ID or secret")
        if params.get("grant_type") != "authorization_code":
            raise _Fail(40002, "grant_type must be authorization_code")
        self._take_code("tt_user", params.get("auth_code"), params.get("redirect_uri"))
        n = next(self._ids)
        access, refresh = f"act.code{n}", f"rft.code{n}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"open_id": self.login_open_id, "scope": "user.info.basic,user.insights,"
                "video.list,video.insights", "access_token": access, "expires_in": 86400,
                "refresh_token": refresh, "refresh_token_expires_in": 31536000,
                "token_type": "Bearer"}

    def _advertiser_token(self, params: dict[str, Any]) -> Any:
        if params.get("app_id") != self.app_id or params.get("secret") != self.app_secret:
            raise _Fail(40101, "Invalid App ID or secret")
        self._take_code("advertiser", params.get("auth_code"), None)
        access = f"adv.token{next(self._ids)}{secrets.token_hex(6)}"
        self.tokens.add(access)
        return {"access_token": access, "advertiser_ids": list(self.login_advertisers),
                "scope": [4, 5, 6]}

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
