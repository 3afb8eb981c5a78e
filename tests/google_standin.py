"""A Google APIs stand-in (stdlib HTTP server, 127.0.0.1, port 0): YouTube Analytics v2,
YouTube Data API v3, the GA4 Data API and the OAuth 2.0 token endpoint, in the documented
shapes.

- ``GET /v2/reports`` (``ids=channel==MINE``, ``startDate``, ``endDate``, ``metrics``,
  ``dimensions=day``): ``{"kind": "youtubeAnalytics#resultTable", "columnHeaders": [{"name",
  "columnType", "dataType"}], "rows": [["2026-11-01", 120, …]]}``; days without data are
  absent, like YouTube's recent days.
- ``GET /youtube/v3/channels?part=statistics,contentDetails&mine=true``: one channel with
  ``statistics.subscriberCount`` (a string) and ``contentDetails.relatedPlaylists.uploads``;
  ``/playlistItems`` (``maxResults`` ≤ 50, ``pageToken`` / ``nextPageToken``, newest
  first); ``/videos?id=a,b`` (≤ 50 ids) with ``snippet`` and ``statistics`` (strings).
- ``POST /v1beta/properties/{id}:runReport``: rows ``date`` (``YYYYMMDD``) ×
  ``sessionSource`` with ``sessions``, ``keyEvents``, ``totalRevenue`` as strings,
  ``rowCount``, ``offset`` / ``limit``, ``metadata.currencyCode`` and, when asked,
  ``propertyQuota`` (``tokens_per_request`` spent from ``tokens_per_day``; at 0 the next
  request is 429 ``RESOURCE_EXHAUSTED``). A service account that is not a viewer of the
  property gets 403 ``PERMISSION_DENIED``.
- ``POST /token``: ``grant_type=refresh_token`` (client id and secret checked; a refresh
  token in ``expired_refresh`` answers 400 ``invalid_grant`` "Token has been expired or
  revoked.") and ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` (the
  assertion's RS256 signature is checked with the service account's public key, and its
  ``aud``: Google's token endpoint, which google-auth always names): ``{"access_token", "expires_in": 3599, "token_type":
  "Bearer"}``.

- the web server flow ("Using OAuth 2.0 for Web Server Applications"): ``GET
  /o/oauth2/v2/auth`` (``client_id``, ``redirect_uri``, ``response_type=code``, ``scope``,
  ``access_type``, ``prompt``, ``state``) → 302 to the redirect URI with ``state``, ``code``
  and ``scope`` (after ``deny_next()``: ``error=access_denied``); an unknown client is
  ``401 invalid_client``, a redirect URI not in ``redirect_uris`` ``400
  redirect_uri_mismatch`` (Google's error page, no redirect). ``POST /token``
  ``grant_type=authorization_code`` (``code``, ``client_id``, ``client_secret``,
  ``redirect_uri``) → ``{"access_token", "expires_in": 3599, "refresh_token", "scope",
  "token_type": "Bearer"}`` for the channel ``login_channel`` (with the scope
  ``analytics.readonly``: for the Google user ``login_email``, whom a property names in its
  ``viewers``, and whose refresh token renews at ``grant_type=refresh_token``); the
  ``refresh_token`` only
  when the authorize request had ``access_type=offline`` and ``prompt=consent`` (Google
  answers one only at a consent given offline). A malformed or unknown code answers 400
  ``invalid_grant`` "Malformed auth code.", a used or expired one (``code_ttl``) 400
  ``invalid_grant`` "Bad Request", another redirect URI 400 ``redirect_uri_mismatch`` "Bad
  Request", a wrong client 401 ``invalid_client`` "Unauthorized".

Errors are Google's ``{"error": {"code", "message", "errors": [{"reason", "domain"}],
"status"}}`` (:func:`error_body`); ``fail_next(match, status, body)`` queues any of them (or a
5xx). An unknown or expired bearer token answers 401 ``UNAUTHENTICATED`` / ``authError``.
Every request is in ``calls`` (without secrets).
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from google.auth import jwt

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: A service account's JWT names Google's token endpoint as its audience, wherever it is
#: posted (google-auth does so, and Google checks it).
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"


def error_body(code: int, status: str, message: str, reason: str = "",
               domain: str = "global") -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if reason:
        error["errors"] = [{"message": message, "domain": domain, "reason": reason}]
    return {"error": error}


QUOTA_EXCEEDED = error_body(
    403, "PERMISSION_DENIED", "The request cannot be completed because you have exceeded your "
    "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "quotaExceeded",
    "youtube.quota")
RATE_LIMITED = error_body(403, "PERMISSION_DENIED", "Rate Limit Exceeded", "rateLimitExceeded",
                          "usageLimits")
USER_RATE_LIMITED = error_body(403, "PERMISSION_DENIED", "User Rate Limit Exceeded",
                               "userRateLimitExceeded", "usageLimits")
FORBIDDEN = error_body(403, "PERMISSION_DENIED", "Request had insufficient authentication "
                       "scopes.", "insufficientPermissions")
UNAUTHENTICATED = error_body(
    401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 "
    "access token, login cookie or other valid authentication credential.", "authError")
GA4_DAILY_EXHAUSTED = error_body(429, "RESOURCE_EXHAUSTED",
                                 "Exhausted property tokens per day for this property.")
GA4_HOURLY_EXHAUSTED = error_body(429, "RESOURCE_EXHAUSTED",
                                  "Exhausted property tokens per hour for this property.")
GA4_PERMISSION = error_body(403, "PERMISSION_DENIED", "User does not have sufficient "
                            "permissions for this property. To learn more about Property ID, "
                            "see https://developers.google.com/analytics/devguides/reporting/"
                            "data/v1/property-id.")
BAD_REQUEST = error_body(400, "INVALID_ARGUMENT", "Field dimensions is invalid.", "badRequest")
SERVER_ERROR = error_body(503, "UNAVAILABLE", "The service is currently unavailable.",
                          "backendError")


@dataclass
class Video:
    id: str
    published: datetime
    title: str = ""
    description: str = ""
    views: int = 0
    likes: int | None = 0       # None: the owner hid the likes (no likeCount)
    comments: int = 0


@dataclass
class Channel:
    id: str
    subscribers: int
    daily: dict[date, dict[str, int]] = field(default_factory=dict)  # views, likes …
    videos: list[Video] = field(default_factory=list)
    hidden: bool = False

    @property
    def uploads(self) -> str:
        return "UU" + self.id[2:]


@dataclass
class Property:
    id: str
    viewers: set[str]
    rows: dict[tuple[date, str], tuple[int, int, str]] = field(default_factory=dict)
    tokens_per_day: int = 200000
    consumed: int = 0
    tokens_per_request: int = 10


@dataclass
class _Code:
    redirect_uri: str
    channel_id: str
    offline: bool
    scope: str
    issued: float
    used: bool = False


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, Any]
    token: str | None


class GoogleStandin:
    def __init__(self, *, client_id: str = "123-abc.apps.googleusercontent.com",
                 client_secret: str = "GOCSPX-secret-xyz") -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.channels: dict[str, Channel] = {}      # access token → channel
        self.refresh_tokens: dict[str, str] = {}    # refresh token → channel id
        self.expired_refresh: set[str] = set()
        self.expired: set[str] = set()
        self.service_accounts: dict[str, str] = {}  # email → public key PEM
        self.sa_tokens: dict[str, str] = {}         # access token → email
        self.properties: dict[str, Property] = {}
        self.calls: list[Call] = []
        self.failures: list[list[Any]] = []  # [match, status, body, times, skip]
        #: the OAuth client's authorized redirect URIs, its codes, who signs in
        self.redirect_uris: set[str] = set()
        self.codes: dict[str, _Code] = {}
        self.code_ttl = 600.0
        self.login_channel = ""
        self.login_email = ""
        self.user_refresh: dict[str, str] = {}  # a GA4 user's refresh token → e-mail
        self._deny = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def __enter__(self) -> GoogleStandin:
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

    def fail_next(self, match: str, status: int, body: Any, *, times: int = 1,
                  skip: int = 0) -> None:
        """Answer ``status`` / ``body`` to the next ``times`` requests whose path holds
        ``match``, after letting ``skip`` of them through."""
        self.failures.append([match, status, body, times, skip])

    def requests_to(self, fragment: str) -> list[Call]:
        return [c for c in self.calls if fragment in c.path]

    def deny_next(self) -> None:
        """The next consent screen is cancelled by the user."""
        self._deny = True

    # -- dispatch

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if method == "POST" and raw:
            if "json" in (handler.headers.get("Content-Type") or ""):
                params.update(json.loads(raw))
            else:
                params.update({k: v[-1] for k, v in parse_qs(raw.decode()).items()})
        auth = handler.headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        self.calls.append(Call(method, parts.path, {
            k: v for k, v in params.items()
            if k not in ("client_secret", "refresh_token", "assertion", "code")}, token))
        status, body = 200, None
        with self._lock:
            for i, (match, st, canned, times, skip) in enumerate(self.failures):
                if match in parts.path:
                    if skip > 0:
                        self.failures[i][4] = skip - 1
                        break
                    status, body = st, canned
                    if times > 1:
                        self.failures[i][3] = times - 1
                    else:
                        del self.failures[i]
                    break
        if body is None:
            try:
                body = self._route(method, parts.path, params, token)
            except _Fail as fail:
                status, body = fail.status, fail.body
            except _Redirect as moved:
                handler.send_response(302)
                handler.send_header("Location", moved.location)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, params: dict[str, Any], token: str | None) -> Any:
        if path == "/token" and method == "POST":
            return self._token(params)
        if path == "/o/oauth2/v2/auth" and method == "GET":
            return self._authorize(params)
        if path.startswith("/v1beta/properties/") and path.endswith(":runReport"):
            return self._run_report(path.split("/")[3].removesuffix(":runReport"), params,
                                    token)
        channel = self._channel(token)
        if path == "/v2/reports":
            return self._reports(channel, params)
        if path == "/youtube/v3/channels":
            return self._channels(channel, params)
        if path == "/youtube/v3/playlistItems":
            return self._playlist(channel, params)
        if path == "/youtube/v3/videos":
            return self._videos(channel, params)
        raise _Fail(404, error_body(404, "NOT_FOUND", f"unknown path {path}", "notFound"))

    # -- OAuth

    def _authorize(self, params: dict[str, Any]) -> Any:
        if params.get("client_id") != self.client_id:
            raise _Fail(401, {"error": "invalid_client",
                              "error_description": "The OAuth client was not found."})
        redirect = str(params.get("redirect_uri") or "")
        if redirect not in self.redirect_uris:
            raise _Fail(400, {"error": "redirect_uri_mismatch", "error_description":
                              "redirect_uri_mismatch: the redirect URI in the request does "
                              "not match the ones authorized for the OAuth client"})
        if params.get("response_type") != "code":
            raise _Fail(400, {"error": "unsupported_response_type",
                              "error_description": "Invalid response_type"})
        state = str(params.get("state") or "")
        if self._deny:
            self._deny = False
            query = {"error": "access_denied", "state": state}
        else:
            code = f"4/0A{next(self._ids)}{secrets.token_urlsafe(12)}"
            offline = params.get("access_type") == "offline" and "consent" in str(
                params.get("prompt") or "")
            scope = str(params.get("scope") or "")
            self.codes[code] = _Code(redirect, self.login_channel, offline, scope,
                                     time.monotonic())
            query = {"state": state, "code": code, "scope": scope}
        raise _Redirect(f"{redirect}{'&' if '?' in redirect else '?'}{urlencode(query)}")

    def _code(self, params: dict[str, Any], n: int) -> Any:
        if params.get("client_id") != self.client_id or \
                params.get("client_secret") != self.client_secret:
            raise _Fail(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        found = self.codes.get(str(params.get("code") or ""))
        if found is None:
            raise _Fail(400, {"error": "invalid_grant",
                              "error_description": "Malformed auth code."})
        if found.used or time.monotonic() - found.issued > self.code_ttl:
            raise _Fail(400, {"error": "invalid_grant", "error_description": "Bad Request"})
        if params.get("redirect_uri") != found.redirect_uri:
            raise _Fail(400, {"error": "redirect_uri_mismatch",
                              "error_description": "Bad Request"})
        found.used = True
        access = f"ya29.code{n}"
        analytics = "https://www.googleapis.com/auth/analytics.readonly" in found.scope.split()
        if analytics:
            self.sa_tokens[access] = self.login_email
        else:
            self.channels[access] = next(c for c in self.channels.values()
                                         if c.id == found.channel_id)
        answer = {"access_token": access, "expires_in": 3599, "scope": found.scope,
                  "token_type": "Bearer"}
        if found.offline:
            refresh = f"1//0g{n}{secrets.token_urlsafe(10)}"
            if analytics:
                self.user_refresh[refresh] = self.login_email
            else:
                self.refresh_tokens[refresh] = found.channel_id
            answer["refresh_token"] = refresh
        return answer

    def _token(self, params: dict[str, Any]) -> Any:
        grant = params.get("grant_type")
        n = next(self._ids)
        if grant == "authorization_code":
            return self._code(params, n)
        if grant == "refresh_token":
            if params.get("client_id") != self.client_id or \
                    params.get("client_secret") != self.client_secret:
                raise _Fail(401, {"error": "invalid_client", "error_description":
                                  "The OAuth client was not found."})
            refresh = str(params.get("refresh_token") or "")
            if refresh in self.user_refresh and refresh not in self.expired_refresh:
                access = f"ya29.user{n}"
                self.sa_tokens[access] = self.user_refresh[refresh]
                return {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                        "scope": "https://www.googleapis.com/auth/analytics.readonly"}
            if refresh in self.expired_refresh or refresh not in self.refresh_tokens:
                raise _Fail(400, {"error": "invalid_grant",
                                  "error_description": "Token has been expired or revoked."})
            channel_id = self.refresh_tokens[refresh]
            access = f"ya29.new{n}"
            channel = next(c for c in self.channels.values() if c.id == channel_id)
            self.channels[access] = channel
            return {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                    "scope": "https://www.googleapis.com/auth/yt-analytics.readonly "
                             "https://www.googleapis.com/auth/youtube.readonly"}
        if grant == JWT_GRANT:
            assertion = str(params.get("assertion") or "")
            try:
                claims = jwt.decode(assertion, verify=False)
                pem = self.service_accounts[str(claims.get("iss"))]
                claims = jwt.decode(assertion, certs=pem, audience=GOOGLE_TOKEN_AUDIENCE)
            except (KeyError, ValueError) as exc:
                raise _Fail(400, {"error": "invalid_grant",
                                  "error_description": f"Invalid JWT Signature. {exc}"}
                            ) from None
            access = f"ya29.c.sa{n}"
            self.sa_tokens[access] = str(claims["iss"])
            return {"access_token": access, "expires_in": 3599, "token_type": "Bearer"}
        raise _Fail(400, {"error": "unsupported_grant_type",
                          "error_description": f"Invalid grant_type: {grant}"})

    def _channel(self, token: str | None) -> Channel:
        if not token or token in self.expired or token not in self.channels:
            raise _Fail(401, UNAUTHENTICATED)
        return self.channels[token]

    # -- YouTube

    def _reports(self, channel: Channel, params: dict[str, Any]) -> Any:
        if params.get("ids") != "channel==MINE" or params.get("dimensions") != "day":
            raise _Fail(400, BAD_REQUEST)
        first = date.fromisoformat(params["startDate"])
        last = date.fromisoformat(params["endDate"])
        metrics = str(params.get("metrics", "")).split(",")
        headers = [{"name": "day", "columnType": "DIMENSION", "dataType": "STRING"}] + [
            {"name": m, "columnType": "METRIC", "dataType": "INTEGER"} for m in metrics]
        rows = [[d.isoformat(), *(channel.daily[d].get(m, 0) for m in metrics)]
                for d in sorted(channel.daily) if first <= d <= last]
        return {"kind": "youtubeAnalytics#resultTable", "columnHeaders": headers, "rows": rows}

    def _channels(self, channel: Channel, params: dict[str, Any]) -> Any:
        stats: dict[str, Any] = {"viewCount": "1000000", "hiddenSubscriberCount": channel.hidden,
                                 "videoCount": str(len(channel.videos))}
        if not channel.hidden:
            stats["subscriberCount"] = str(channel.subscribers)
        return {"kind": "youtube#channelListResponse", "etag": "e1",
                "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
                "items": [{"kind": "youtube#channel", "etag": "e2", "id": channel.id,
                           "contentDetails": {"relatedPlaylists": {"likes": "",
                                                                   "uploads": channel.uploads}},
                           "statistics": stats}]}

    def _playlist(self, channel: Channel, params: dict[str, Any]) -> Any:
        if params.get("playlistId") != channel.uploads:
            raise _Fail(404, error_body(404, "NOT_FOUND", "The playlist identified with the "
                                        "request's playlistId parameter cannot be found.",
                                        "playlistNotFound", "youtube.playlistItem"))
        size = min(int(params.get("maxResults", 5)), 50)
        start = int(params.get("pageToken", "0") or 0)
        ordered = sorted(channel.videos, key=lambda v: v.published, reverse=True)
        page = ordered[start:start + size]
        body: dict[str, Any] = {
            "kind": "youtube#playlistItemListResponse",
            "pageInfo": {"totalResults": len(ordered), "resultsPerPage": size},
            "items": [{"kind": "youtube#playlistItem", "id": f"pi{v.id}",
                       "contentDetails": {"videoId": v.id, "videoPublishedAt":
                                          v.published.strftime("%Y-%m-%dT%H:%M:%SZ")}}
                      for v in page]}
        if start + size < len(ordered):
            body["nextPageToken"] = str(start + size)
        return body

    def _videos(self, channel: Channel, params: dict[str, Any]) -> Any:
        ids = [i for i in str(params.get("id", "")).split(",") if i]
        if len(ids) > 50:
            raise _Fail(400, error_body(400, "INVALID_ARGUMENT", "too many ids",
                                        "badRequest"))
        by_id = {v.id: v for v in channel.videos}
        items = []
        for vid in ids:
            v = by_id.get(vid)
            if v is None:
                continue
            stats = {"viewCount": str(v.views), "favoriteCount": "0",
                     "commentCount": str(v.comments)}
            if v.likes is not None:
                stats["likeCount"] = str(v.likes)
            items.append({"kind": "youtube#video", "id": v.id, "snippet": {
                "publishedAt": v.published.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "channelId": channel.id, "title": v.title, "description": v.description},
                "statistics": stats})
        return {"kind": "youtube#videoListResponse",
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
                "items": items}

    # -- GA4

    def _run_report(self, prop_id: str, params: dict[str, Any], token: str | None) -> Any:
        if not token or token not in self.sa_tokens:
            raise _Fail(401, error_body(401, "UNAUTHENTICATED", UNAUTHENTICATED["error"]
                                        ["message"]))
        prop = self.properties.get(prop_id)
        if prop is None or self.sa_tokens[token] not in prop.viewers:
            raise _Fail(403, GA4_PERMISSION)
        with self._lock:
            if prop.consumed >= prop.tokens_per_day:
                raise _Fail(429, GA4_DAILY_EXHAUSTED)
            prop.consumed = min(prop.tokens_per_day, prop.consumed + prop.tokens_per_request)
        dims = [d["name"] for d in params.get("dimensions", [])]
        metrics = [m["name"] for m in params.get("metrics", [])]
        if dims != ["date", "sessionSource"] or not set(metrics) <= {
                "sessions", "keyEvents", "totalRevenue"}:
            raise _Fail(400, BAD_REQUEST)
        span = params["dateRanges"][0]
        first = date.fromisoformat(span["startDate"])
        last = date.fromisoformat(span["endDate"])
        found = sorted(((d, s), v) for (d, s), v in prop.rows.items() if first <= d <= last)
        offset = int(params.get("offset", 0))
        limit = min(int(params.get("limit", 10000)), 250000)
        rows = []
        for (day, source), (sessions, events, revenue) in found[offset:offset + limit]:
            value = {"sessions": str(sessions), "keyEvents": str(events),
                     "totalRevenue": revenue}
            rows.append({"dimensionValues": [{"value": day.strftime("%Y%m%d")},
                                             {"value": source}],
                         "metricValues": [{"value": value[m]} for m in metrics]})
        body: dict[str, Any] = {
            "dimensionHeaders": [{"name": d} for d in dims],
            "metricHeaders": [{"name": m, "type": "TYPE_CURRENCY" if m == "totalRevenue"
                               else "TYPE_INTEGER"} for m in metrics],
            "rowCount": len(found),
            "metadata": {"currencyCode": "IDR", "timeZone": "Asia/Jakarta"},
            "kind": "analyticsData#runReport"}
        if rows:
            body["rows"] = rows
        if params.get("returnPropertyQuota"):
            body["propertyQuota"] = {
                "tokensPerDay": {"consumed": prop.consumed,
                                 "remaining": prop.tokens_per_day - prop.consumed},
                "tokensPerHour": {"consumed": prop.consumed, "remaining": 40000},
                "concurrentRequests": {"consumed": 0, "remaining": 10},
                "serverErrorsPerProjectPerHour": {"consumed": 0, "remaining": 10},
                "potentiallyThresholdedRequestsPerHour": {"consumed": 0, "remaining": 120},
                "tokensPerProjectPerHour": {"consumed": prop.consumed, "remaining": 14000}}
        return body


class _Fail(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def at(day: date, hour: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


__all__ = ["Channel", "GoogleStandin", "Property", "Video", "at", "error_body"]
