"""A Meta Graph API stand-in for tests and benchmarks (stdlib HTTP server, 127.0.0.1, port 0).

It serves, from in-memory accounts, what the Meta connectors read, in the documented shapes:

- ``GET /{v}/{ig-user-id}/insights``: ``period=day`` time series (``values`` with
  ``end_time`` = the end of the day in Pacific time; at most 30 days between since and until,
  else error 100), ``metric_type=total_value`` (one total over since…until),
  ``follower_demographics`` with ``breakdown`` city / age / gender; an account without data
  for a metric answers no entry for it (not a 0), as Meta does;
- ``GET /{v}/{ig-user-id}`` (``followers_count``), ``/{ig-user-id}/media`` (cursor paging:
  ``paging.cursors.before/after`` and a ``next`` URL *with* ``access_token`` in it, as Meta
  sends; the last page has cursors but no ``next``), ``/{media-id}/insights`` (lifetime
  ``values``; error 10 "Not enough viewers" for a media marked so);
- ``GET /{v}/{page-id}/insights`` (time series, ≤ 93 days) and ``/{page-id}/posts``;
- ``GET /{v}/act_{id}/insights?level=campaign&time_increment=1`` (string values,
  ``actions``/``action_values``, cursor paging);
- ``POST /{v}/oauth/access_token`` (``grant_type=fb_exchange_token``: a new token, 60 days);
- the login of "Manually Build a Login Flow": ``GET /{v}/dialog/oauth`` (``client_id``,
  ``redirect_uri``, ``state``, ``scope``, ``response_type=code``) answers a 302 to the
  redirect URI with ``code`` and ``state`` (or, after ``deny_next()``, ``error=access_denied``,
  ``error_code=200``, ``error_description=Permissions error``, ``error_reason=user_denied``);
  a redirect URI not in ``redirect_uris`` is refused with the dialog's error (code 191);
  ``GET|POST /{v}/oauth/access_token`` with ``code`` trades it once for a short-lived user
  token (``expires_in`` 5183 s): a code that is unknown answers error 100 "Invalid
  verification code format.", one used before 100/36009 "This authorization code has been
  used.", one older than ``code_ttl`` (600 s) 100/36007 "This authorization code has
  expired.", another ``redirect_uri`` than the dialog's 100/36008 "Error validating
  verification code. Please make sure your redirect_uri is identical to the one you used in
  the OAuth dialog request", a wrong secret 1 "Error validating client secret.";
- ``GET /{v}/{page-id}?fields=access_token`` with a user token: the Page's token;
- the error bodies ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``:
  an unknown or expired token (190), a token without a permission (10/200), and whatever
  ``fail_next`` queues (a rate limit 4/17/80004 with ``X-App-Usage`` /
  ``X-Business-Use-Case-Usage`` / ``X-Ad-Account-Usage``, a 5xx …).

Tokens are read from ``Authorization: Bearer`` or the ``access_token`` parameter. Every
request is recorded in ``calls`` (method, path, params, whether the token came in the URL).
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

VERSION = "v24.0"
DAY = timedelta(days=1)


@dataclass
class Media:
    id: str
    timestamp: datetime
    media_type: str = "IMAGE"            # IMAGE, VIDEO, CAROUSEL_ALBUM
    media_product_type: str = "FEED"     # FEED, REELS, STORY
    caption: str = ""
    insights: dict[str, int] = field(default_factory=dict)  # reach, likes, … saved, views
    like_count: int = 0
    comments_count: int = 0
    no_insights: bool = False            # answers "(#10) Not enough viewers …"

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.id}/"


@dataclass
class IgAccount:
    id: str
    username: str = "brand"
    followers_count: int = 0
    #: day → Meta metric name → value (reach, views, profile_views, website_clicks)
    daily: dict[date, dict[str, int]] = field(default_factory=dict)
    media: list[Media] = field(default_factory=list)
    #: breakdown (city, age, gender) → bucket as Meta names it → followers
    demographics: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass
class PagePost:
    id: str
    created_time: datetime
    message: str = ""
    reactions: int = 0
    comments: int = 0
    shares: int = 0


@dataclass
class Page:
    id: str
    daily: dict[date, dict[str, int]] = field(default_factory=dict)
    posts: list[PagePost] = field(default_factory=list)


@dataclass
class AdRow:
    day: date
    campaign_id: str
    campaign_name: str
    spend: str
    impressions: int
    clicks: int
    actions: dict[str, int] = field(default_factory=dict)
    action_values: dict[str, str] = field(default_factory=dict)


@dataclass
class AdAccount:
    id: str  # without act_
    rows: list[AdRow] = field(default_factory=list)


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, str]
    token: str | None
    token_in_url: bool
    status: int = 200


@dataclass
class _Code:
    redirect_uri: str
    issued: float  # time.monotonic()
    used: bool = False


class _Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass
class _Failure:
    match: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int
    after: int = 0


class GraphError(Exception):
    def __init__(self, status: int, code: int, message: str, *, subcode: int | None = None,
                 type_: str = "OAuthException", headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"message": message, "type": type_, "code": code,
                                               "fbtrace_id": "AbCdEfGhIjK"}}
        if subcode is not None:
            self.body["error"]["error_subcode"] = subcode
        self.headers = headers or {}


def error_body(code: int, message: str, subcode: int | None = None,
               type_: str = "OAuthException") -> dict[str, Any]:
    return GraphError(400, code, message, subcode=subcode, type_=type_).body


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":")[1])
    except (ValueError, IndexError):
        raise GraphError(400, 100, "(#100) Invalid cursor") from None


def end_time(day: date) -> str:
    """The ``end_time`` of a day's value: midnight Pacific (PDT 07:00 / PST 08:00 UTC)."""
    hour = 7 if 3 < day.month < 11 else 8
    nxt = day + DAY
    return f"{nxt.isoformat()}T{hour:02d}:00:00+0000"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class MetaStandin:
    """The server. ``with MetaStandin() as meta: meta.url …``; accounts are plain data."""

    def __init__(self, *, app_id: str = "1234567890", app_secret: str = "app-secret-xyz",
                 version: str = VERSION) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.version = version
        self.ig: dict[str, IgAccount] = {}
        self.pages: dict[str, Page] = {}
        self.ads: dict[str, AdAccount] = {}
        #: token → the permissions it lacks (``set()``: everything granted)
        self.tokens: dict[str, set[str]] = {}
        self.expired: set[str] = set()
        self.calls: list[Call] = []
        self.failures: list[_Failure] = []
        #: the app's "Valid OAuth Redirect URIs"; the login's codes; how long a code lives
        self.redirect_uris: set[str] = set()
        self.codes: dict[str, _Code] = {}
        self.code_ttl = 600.0
        #: the permissions the signed-in user declines in the dialog
        self.login_missing: set[str] = set()
        self._deny = False
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body in separate writes: no 40 ms wait

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MetaStandin:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls

    def add_token(self, token: str, *, missing: set[str] | None = None) -> str:
        self.tokens[token] = set(missing or ())
        return token

    def fail_next(self, match: str, status: int = 400, *, code: int = 4,
                  message: str = "(#4) Application request limit reached",
                  subcode: int | None = None, headers: dict[str, str] | None = None,
                  body: Any = None, times: int = 1, after: int = 0) -> None:
        """The ``times`` requests whose path contains ``match`` that come after the next
        ``after`` such requests answer this error (``body="html"``: a non-JSON 5xx page; a
        ``status`` 200 with a ``body``: that body instead of the account's)."""
        err = body if body is not None else error_body(code, message, subcode)
        self.failures.append(_Failure(match, status, err, dict(headers or {}), times, after))

    def requests_to(self, fragment: str) -> list[Call]:
        return [c for c in self.calls if fragment in c.path]

    def deny_next(self) -> None:
        """The next login dialog is cancelled by the user (Meta's documented error
        redirect)."""
        self._deny = True

    # -- dispatch

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        token_in_url = "access_token" in params
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            raw = handler.rfile.read(length).decode() if length else ""
            params.update({k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()})
        auth = handler.headers.get("Authorization") or ""
        token = auth[7:] if auth.startswith("Bearer ") else params.get("access_token")
        call = Call(method, parts.path, {k: v for k, v in params.items()
                                         if k not in ("access_token", "client_secret",
                                                      "fb_exchange_token", "code")},
                    token, token_in_url)
        with self._lock:
            self.calls.append(call)
            failure = next((f for f in self.failures if f.match in parts.path), None)
            if failure is not None and failure.after > 0:
                failure.after -= 1
                failure = None
            elif failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self.failures.remove(failure)
        headers: dict[str, str] = {}
        if failure is not None:
            status, body, headers = failure.status, failure.body, failure.headers
        else:
            try:
                status, body = 200, self._route(method, parts.path, params, token)
            except GraphError as err:
                status, body, headers = err.status, err.body, err.headers
            except _Redirect as moved:
                call.status = 302
                handler.send_response(302)
                handler.send_header("Location", moved.location)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
        call.status = status
        if body == "html":
            data = b"<html><body>502 Bad Gateway</body></html>"
            ctype = "text/html"
        else:
            data = json.dumps(body).encode()
            ctype = "application/json"
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("X-App-Usage", headers.pop("X-App-Usage", json.dumps(
            {"call_count": 1, "total_cputime": 1, "total_time": 1})))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, params: dict[str, str], token: str | None) -> Any:
        prefix = f"/{self.version}/"
        if not path.startswith(prefix):
            raise GraphError(400, 2635, f"(#2635) Unsupported API version in {path}")
        parts = path[len(prefix):].strip("/").split("/")
        if parts == ["dialog", "oauth"]:
            return self._dialog(params)
        if parts == ["oauth", "access_token"]:
            if "code" in params:
                return self._code(params)
            return self._exchange(method, params)
        self._check_token(token)
        node, edge = parts[0], (parts[1] if len(parts) > 1 else "")
        if node in self.pages and not edge and params.get("fields") == "access_token":
            assert token is not None
            page_token = self.add_token(f"EAAPage{next(self._ids)}x{node}",
                                        missing=self.tokens.get(token))
            return {"access_token": page_token, "id": node}
        if node.startswith("act_"):
            self._need(token, "ads_read")
            return self._ads(node[4:], edge, params)
        if node in self.ig:
            self._need(token, "instagram_manage_insights" if edge == "insights"
                       else "instagram_basic")
            return self._ig(self.ig[node], edge, params)
        if node in self.pages:
            self._need(token, "pages_read_engagement")
            return self._page(self.pages[node], edge, params, path)
        media = self._media(node)
        if media is not None and edge == "insights":
            self._need(token, "instagram_manage_insights")
            return self._media_insights(media, params)
        raise GraphError(400, 100, f"(#100) Object with ID '{node}' does not exist, cannot be "
                                   "loaded due to missing permissions, or does not support "
                                   "this operation", subcode=33, type_="GraphMethodException")

    def _check_token(self, token: str | None) -> None:
        if not token:
            raise GraphError(400, 104, "An access token is required to request this resource.")
        if token in self.expired:
            raise GraphError(400, 190, "Error validating access token: Session has expired on "
                                       "Tuesday, 01-Dec-26 09:00:00 PST. The current time is "
                                       "Wednesday, 02-Dec-26 08:00:00 PST.", subcode=463)
        if token not in self.tokens:
            raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def _need(self, token: str | None, permission: str) -> None:
        if token is not None and permission in self.tokens.get(token, set()):
            if permission.startswith("pages"):
                raise GraphError(403, 200, f"(#200) Requires {permission} permission to manage "
                                           "the object", type_="OAuthException")
            raise GraphError(403, 10, "(#10) Application does not have permission for this "
                                      "action")

    def _dialog(self, params: dict[str, str]) -> Any:
        if params.get("client_id") != self.app_id:
            raise GraphError(400, 101, "Error validating application. Invalid application ID.")
        redirect = params.get("redirect_uri", "")
        if redirect not in self.redirect_uris:
            raise GraphError(400, 191, "URL Blocked: This redirect failed because the "
                                       "redirect URI is not whitelisted in the app's Client "
                                       "OAuth Settings.")
        if params.get("response_type", "code") != "code":
            raise GraphError(400, 100, "(#100) Unsupported response_type")
        state = params.get("state", "")
        if self._deny:
            self._deny = False
            query = {"error": "access_denied", "error_code": "200",
                     "error_description": "Permissions error", "error_reason": "user_denied",
                     "state": state}
        else:
            code = f"AQD{next(self._ids)}{secrets.token_hex(12)}"
            self.codes[code] = _Code(redirect, time.monotonic())
            query = {"code": code, "state": state}
        sep = "&" if "?" in redirect else "?"
        raise _Redirect(f"{redirect}{sep}{urlencode(query)}#_=_")

    def _code(self, params: dict[str, str]) -> Any:
        if params.get("client_id") != self.app_id or params.get(
                "client_secret") != self.app_secret:
            raise GraphError(400, 1, "Error validating client secret.")
        found = self.codes.get(params.get("code", ""))
        if found is None:
            raise GraphError(400, 100, "Invalid verification code format.")
        if found.used:
            raise GraphError(400, 100, "This authorization code has been used.", subcode=36009)
        if time.monotonic() - found.issued > self.code_ttl:
            raise GraphError(400, 100, "This authorization code has expired.", subcode=36007)
        if params.get("redirect_uri") != found.redirect_uri:
            raise GraphError(400, 100, "Error validating verification code. Please make sure "
                                       "your redirect_uri is identical to the one you used in "
                                       "the OAuth dialog request", subcode=36008)
        found.used = True
        short = self.add_token(f"EAAshort{next(self._ids)}", missing=self.login_missing)
        return {"access_token": short, "token_type": "bearer", "expires_in": 5183}

    def _exchange(self, method: str, params: dict[str, str]) -> Any:
        if params.get("grant_type") != "fb_exchange_token":
            raise GraphError(400, 100, "(#100) Unsupported grant_type")
        if params.get("client_id") != self.app_id or params.get(
                "client_secret") != self.app_secret:
            raise GraphError(400, 1, "Error validating client secret.")
        old = params.get("fb_exchange_token", "")
        if old in self.expired or old not in self.tokens:
            raise GraphError(400, 190, "Error validating access token: Session has expired")
        new = f"EAAlong{next(self._ids)}x{old[-4:]}"
        self.tokens[new] = set(self.tokens[old])
        return {"access_token": new, "token_type": "bearer", "expires_in": 5183944}

    # -- time

    @staticmethod
    def _range(params: dict[str, str], limit_days: int) -> tuple[date, date]:
        """since…until (unix seconds) as days: since's day through the day before until."""
        try:
            since = datetime.fromtimestamp(int(params["since"]), UTC).date()
            until = datetime.fromtimestamp(int(params["until"]), UTC).date()
        except (KeyError, ValueError):
            today = datetime.now(UTC).date()
            since, until = today - DAY, today + DAY
        if (until - since).days > limit_days:
            raise GraphError(400, 100, f"(#100) There cannot be more than {limit_days} days "
                                       f"({limit_days * 86400} s) between since and until")
        if until <= since:
            raise GraphError(400, 100, "(#100) since must be before until")
        return since, until - DAY

    @staticmethod
    def _days(first: date, last: date) -> Iterator[date]:
        day = first
        while day <= last:
            yield day
            day += DAY

    def _series(self, node_id: str, daily: dict[date, dict[str, int]], metrics: list[str],
                first: date, last: date) -> list[dict[str, Any]]:
        data = []
        for name in metrics:
            values = [{"value": daily[d][name], "end_time": end_time(d)}
                      for d in self._days(first, last) if name in daily.get(d, {})]
            if values:
                data.append({"name": name, "period": "day", "values": values,
                             "title": name.replace("_", " ").title(), "description": "",
                             "id": f"{node_id}/insights/{name}/day"})
        return data

    def _paged(self, items: list[Any], params: dict[str, str], path: str,
               default_limit: int = 25) -> dict[str, Any]:
        limit = max(1, min(int(params.get("limit") or default_limit), 500))
        start = _offset(params.get("after"))
        page = items[start:start + limit]
        body: dict[str, Any] = {"data": page}
        if items:
            body["paging"] = {"cursors": {"before": _cursor(start),
                                          "after": _cursor(start + len(page))}}
            if start + limit < len(items):
                query = {**params, "after": _cursor(start + len(page)),
                         "access_token": "EAAtokenInNextLink"}
                body["paging"]["next"] = f"{self.url}{path}?{urlencode(query)}"
        return body

    # -- Instagram

    def _ig(self, acct: IgAccount, edge: str, params: dict[str, str]) -> Any:
        if edge == "":
            fields = params.get("fields", "id,username").split(",")
            everything = {"id": acct.id, "username": acct.username,
                          "followers_count": acct.followers_count,
                          "media_count": len(acct.media)}
            return {k: everything[k] for k in fields if k in everything}
        if edge == "media":
            items = [self._media_item(m, params.get("fields", "id"))
                     for m in sorted(acct.media, key=lambda m: m.timestamp, reverse=True)]
            return self._paged(items, params, f"/{self.version}/{acct.id}/media")
        if edge != "insights":
            raise GraphError(400, 100, f"(#100) Unknown edge {edge}")
        metrics = params.get("metric", "").split(",")
        if metrics == ["follower_demographics"]:
            return self._demographics(acct, params)
        known = {"reach", "views", "profile_views", "website_clicks", "follower_count",
                 "accounts_engaged", "total_interactions"}
        if "impressions" in metrics:
            raise GraphError(400, 100, "(#100) Starting from v22.0, impressions metric is no "
                                       "longer supported. Please use views instead.")
        bad = [m for m in metrics if m not in known]
        if bad:
            raise GraphError(400, 100, f"(#100) metric[0] must be one of the following values: "
                                       f"{', '.join(sorted(known))}")
        first, last = self._range(params, 30)
        if params.get("metric_type") == "total_value":
            data = []
            for name in metrics:
                have = [acct.daily[d][name] for d in self._days(first, last)
                        if name in acct.daily.get(d, {})]
                if have:
                    data.append({"name": name, "period": "day", "title": name,
                                 "description": "", "total_value": {"value": sum(have)},
                                 "id": f"{acct.id}/insights/{name}/day"})
            return {"data": data}
        if any(m in ("views", "profile_views", "website_clicks") for m in metrics):
            raise GraphError(400, 100, "(#100) The following metrics (views) should be "
                                       "specified with parameter metric_type=total_value")
        return {"data": self._series(acct.id, acct.daily, metrics, first, last),
                "paging": {"previous": f"{self.url}/prev", "next": f"{self.url}/next"}}

    def _demographics(self, acct: IgAccount, params: dict[str, str]) -> Any:
        if params.get("period") != "lifetime" or params.get("metric_type") != "total_value":
            raise GraphError(400, 100, "(#100) follower_demographics needs period=lifetime "
                                       "and metric_type=total_value")
        breakdown = params.get("breakdown", "")
        buckets = acct.demographics.get(breakdown)
        if buckets is None:
            return {"data": []}
        results = [{"dimension_values": [k], "value": v}
                   for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])[:45]]
        return {"data": [{"name": "follower_demographics", "period": "lifetime",
                          "title": "Follower demographics", "description": "",
                          "total_value": {"breakdowns": [{"dimension_keys": [breakdown],
                                                          "results": results}]},
                          "id": f"{acct.id}/insights/follower_demographics/lifetime"}]}

    def _media(self, media_id: str) -> Media | None:
        for acct in self.ig.values():
            for m in acct.media:
                if m.id == media_id:
                    return m
        return None

    @staticmethod
    def _media_item(m: Media, fields: str) -> dict[str, Any]:
        everything = {"id": m.id, "caption": m.caption, "media_type": m.media_type,
                      "media_product_type": m.media_product_type, "permalink": m.permalink,
                      "timestamp": _stamp(m.timestamp), "like_count": m.like_count,
                      "comments_count": m.comments_count}
        return {k: everything[k] for k in fields.split(",") if k in everything}

    def _media_insights(self, m: Media, params: dict[str, str]) -> Any:
        if m.no_insights:
            raise GraphError(400, 10, "(#10) Not enough viewers for the media to show "
                                      "insights")
        metrics = params.get("metric", "").split(",")
        if "impressions" in metrics or "plays" in metrics:
            raise GraphError(400, 100, "(#100) impressions/plays are no longer supported for "
                                       "media created after July 2, 2024")
        return {"data": [{"name": name, "period": "lifetime",
                          "values": [{"value": m.insights[name]}], "title": name,
                          "description": "", "id": f"{m.id}/insights/{name}/lifetime"}
                         for name in metrics if name in m.insights]}

    # -- Facebook Page

    def _page(self, page: Page, edge: str, params: dict[str, str], path: str) -> Any:
        if edge == "insights":
            first, last = self._range(params, 93)
            return {"data": self._series(page.id, page.daily,
                                         params.get("metric", "").split(","), first, last)}
        if edge == "posts":
            since = datetime.fromtimestamp(int(params.get("since", "0")), UTC)
            until = datetime.fromtimestamp(int(params.get("until", "4102444800")), UTC)
            items = [{"id": p.id, "created_time": _stamp(p.created_time), "message": p.message,
                      "permalink_url": f"https://www.facebook.com/{p.id}",
                      **({"shares": {"count": p.shares}} if p.shares else {}),
                      "reactions": {"data": [], "summary": {"total_count": p.reactions}},
                      "comments": {"data": [], "summary": {"total_count": p.comments,
                                                           "order": "ranked"}}}
                     for p in sorted(page.posts, key=lambda p: p.created_time, reverse=True)
                     if since <= p.created_time < until]
            return self._paged(items, params, path)
        raise GraphError(400, 100, f"(#100) Unknown edge {edge}")

    # -- Meta Ads

    def _ads(self, account_id: str, edge: str, params: dict[str, str]) -> Any:
        acct = self.ads.get(account_id)
        if acct is None:
            raise GraphError(400, 100, f"(#100) Ad account owner has NOT grant ads_management "
                                       f"or ads_read permission for act_{account_id}",
                             subcode=1487102)
        if edge != "insights" or params.get("level") != "campaign" or params.get(
                "time_increment") != "1":
            raise GraphError(400, 100, "(#100) the stand-in serves level=campaign, "
                                       "time_increment=1 only")
        try:
            tr = json.loads(params["time_range"])
            first, last = date.fromisoformat(tr["since"]), date.fromisoformat(tr["until"])
        except (KeyError, ValueError, TypeError):
            raise GraphError(400, 100, "(#100) time_range must be {'since':…,'until':…}"
                             ) from None
        fields = params.get("fields", "").split(",")
        items = []
        for r in sorted(acct.rows, key=lambda r: (r.day, r.campaign_id)):
            if not first <= r.day <= last:
                continue
            full: dict[str, Any] = {
                "campaign_id": r.campaign_id, "campaign_name": r.campaign_name,
                "spend": r.spend, "impressions": str(r.impressions), "clicks": str(r.clicks),
                "date_start": r.day.isoformat(), "date_stop": r.day.isoformat()}
            if r.actions:
                full["actions"] = [{"action_type": k, "value": str(v)}
                                   for k, v in r.actions.items()]
            if r.action_values:
                full["action_values"] = [{"action_type": k, "value": v}
                                         for k, v in r.action_values.items()]
            items.append({k: v for k, v in full.items()
                          if k in fields or k in ("date_start", "date_stop")})
        return self._paged(items, params, f"/{self.version}/act_{account_id}/insights")
