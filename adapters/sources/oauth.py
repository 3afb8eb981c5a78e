"""The platforms' OAuth authorization-code flows for ``kpibot source add PLATFORM --oauth``
(the engine's ``kpi_engine/services/oauth.OAuthFlow``), with the documented endpoints.

Meta (``instagram``, ``facebook``, ``meta_ads``) — "Manually Build a Login Flow"
    The login dialog ``https://www.facebook.com/{version}/dialog/oauth`` with ``client_id``,
    ``redirect_uri``, ``state``, ``response_type=code`` and ``scope``; the code is traded at
    ``{graph}/{version}/oauth/access_token`` (``client_id``, ``redirect_uri``,
    ``client_secret``, ``code``) for a short-lived user token, which is then exchanged for a
    long-lived one (``grant_type=fb_exchange_token``, about 60 days; its ``expires_in`` is
    stored as the expiry). Meta documents the code exchange as a GET; the Graph API takes the
    same parameters in a POST form, which is what is sent here, so the app secret and the
    code are never in a URL (nor in httpx's request log line). A Facebook Page is read with
    the Page's own token: ``GET /{page-id}?fields=access_token`` with the long-lived user
    token answers one that does not expire.
TikTok business account (``tiktok``) — TikTok API for Business, TikTok account holder
    authorization: ``https://www.tiktok.com/v2/auth/authorize/`` with ``client_key`` (the
    app id), ``scope``, ``response_type=code``, ``redirect_uri``, ``state``; the code is
    traded at ``POST /open_api/v1.3/tt_user/oauth2/token/`` (JSON ``client_id``,
    ``client_secret``, ``grant_type=authorization_code``, ``auth_code``, ``redirect_uri``)
    for an access token (24 h, ``expires_in``) and a refresh token (a year), which rotates on
    every refresh (``adapters/sources/tiktok.py``'s ``refresh``). The answer's ``open_id``
    must be the ``--account`` given.
TikTok Ads (``tiktok_ads``) — advertiser authorization
    ``https://business-api.tiktok.com/portal/auth`` with ``app_id``, ``state``,
    ``redirect_uri``; the callback carries ``auth_code``, traded at ``POST
    /open_api/v1.3/oauth2/access_token/`` (JSON ``app_id``, ``secret``, ``auth_code``) for an
    advertiser token that does not expire; ``--account`` must be one of the answer's
    ``advertiser_ids``.
Google (``youtube``, ``ga4``) — "Using OAuth 2.0 for Web Server Applications"
    ``https://accounts.google.com/o/oauth2/v2/auth`` with ``client_id``, ``redirect_uri``,
    ``response_type=code``, ``scope``, ``access_type=offline``, ``prompt=consent`` (so a
    refresh token is answered even when the account consented before),
    ``include_granted_scopes=true``, ``state``; the code is traded at ``POST
    https://oauth2.googleapis.com/token`` (``grant_type=authorization_code``) for an access
    token (about an hour) and the refresh token the connector renews it with. For GA4
    (scope ``analytics.readonly``) the stored credential is ``{"type": "authorized_user",
    "refresh_token"}``, which the GA4 connector renews through google-auth; a service
    account key (``--service-account``) is the other way, and the better one for a team
    (no person's account behind it).

Every URL has a setting (``KPIBOT_META_DIALOG_URL``, ``KPIBOT_TIKTOK_AUTH_URL``,
``KPIBOT_TIKTOK_ADS_AUTH_URL``, ``KPIBOT_GOOGLE_AUTH_URL``, and the API and token URLs the
connectors use), so the tests point them at the stand-ins.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from adapters.sources.google import TOKEN_URL, token_error
from adapters.sources.http import JsonHttp
from adapters.sources.meta import GRAPH_URL, GRAPH_VERSION, Graph, graph_error
from adapters.sources.tiktok import API as TIKTOK_API
from adapters.sources.tiktok import TIKTOK_URL, tiktok_error
from kpi_engine.domain.ports import SourceError
from kpi_engine.services.oauth import Grant, OAuthFlow

META_DIALOG_URL = "https://www.facebook.com"
TIKTOK_AUTH_URL = "https://www.tiktok.com/v2/auth/authorize/"
TIKTOK_ADS_AUTH_URL = "https://business-api.tiktok.com/portal/auth"
GOOGLE_AUTH_URL = "https://accounts.google.com/o/oauth2/v2/auth"

#: The permissions each Meta source asks for (docs/sources.md lists them too).
META_SCOPES: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram_basic", "instagram_manage_insights", "pages_show_list",
                  "pages_read_engagement", "business_management"),
    "facebook": ("pages_show_list", "pages_read_engagement", "read_insights"),
    "meta_ads": ("ads_read",),
}
#: TikTok account holder scopes the business-account connector reads with.
TIKTOK_SCOPES = ("user.info.basic", "user.info.username", "user.info.stats",
                 "user.account.type", "user.insights", "video.list", "video.insights")
YOUTUBE_SCOPES = ("https://www.googleapis.com/auth/youtube.readonly",
                  "https://www.googleapis.com/auth/yt-analytics.readonly")
GOOGLE_SCOPES: dict[str, tuple[str, ...]] = {
    "youtube": YOUTUBE_SCOPES,
    "ga4": ("https://www.googleapis.com/auth/analytics.readonly",),
}


def _secret(settings: Any, name: str) -> str:
    value = getattr(settings, name, None)
    return value.get_secret_value() if value is not None else ""


def _expiry(now: datetime, seconds: object) -> datetime | None:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float, str)):
        return None
    try:
        value = float(seconds)
    except ValueError:
        return None
    return now + timedelta(seconds=value) if value > 0 else None


def _code(params: Mapping[str, str]) -> str:
    return str(params.get("auth_code") or params.get("code") or "")


class MetaFlow:
    def __init__(self, platform: str, *, app_id: str, app_secret: str,
                 dialog_url: str = META_DIALOG_URL, graph: Graph | None = None) -> None:
        self.platform = platform
        self.app_id = app_id
        self.app_secret = app_secret
        self.dialog_url = dialog_url.rstrip("/")
        self.graph = graph or Graph()

    def problem(self) -> str:
        if not (self.app_id and self.app_secret):
            return ("set KPIBOT_META_APP_ID and KPIBOT_META_APP_SECRET (the Meta app's id and "
                    "secret, developers.facebook.com → the app → Settings → Basic)")
        return ""

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        query = {"client_id": self.app_id, "redirect_uri": redirect_uri, "state": state,
                 "response_type": "code", "scope": ",".join(META_SCOPES[self.platform])}
        return f"{self.dialog_url}/{self.graph.version}/dialog/oauth?{urlencode(query)}"

    def exchange(self, params: Mapping[str, str], redirect_uri: str, account_id: str,
                 now: datetime) -> Grant:
        code = _code(params)
        secrets: Sequence[str] = (code, self.app_secret)
        answer = self.graph.http.request("POST", self.graph.path("oauth/access_token"), data={
            "client_id": self.app_id, "redirect_uri": redirect_uri,
            "client_secret": self.app_secret, "code": code}, secrets=secrets)
        if answer.status != 200 or not isinstance(answer.body, dict) or "error" in answer.body:
            raise graph_error(answer, "code exchange", secrets)
        short = answer.body.get("access_token")
        if not isinstance(short, str) or not short:
            raise SourceError("server", "code exchange: Meta answered no access_token")
        token, expires_in = self.graph.exchange(self.app_id, self.app_secret, short)
        if self.platform == "facebook":
            page = self.graph.get(account_id, {"fields": "access_token"}, token)
            page_token = page.get("access_token")
            if not isinstance(page_token, str) or not page_token:
                raise SourceError("permission", f"Page {account_id}: Meta answered no Page "
                                                "token — sign in as an admin of that Page")
            return Grant(page_token)  # a Page token from a long-lived user token: no expiry
        return Grant(token, expires_at=_expiry(now, expires_in))


class TikTokFlow:
    def __init__(self, platform: str, *, app_id: str, app_secret: str,
                 auth_url: str = TIKTOK_AUTH_URL, ads_auth_url: str = TIKTOK_ADS_AUTH_URL,
                 api_url: str = TIKTOK_URL) -> None:
        self.platform = platform
        self.app_id = app_id
        self.app_secret = app_secret
        self.auth_url = auth_url
        self.ads_auth_url = ads_auth_url
        self.http = JsonHttp(api_url)

    def problem(self) -> str:
        if not (self.app_id and self.app_secret):
            return ("set KPIBOT_TIKTOK_APP_ID and KPIBOT_TIKTOK_APP_SECRET (the app's id and "
                    "secret, business-api.tiktok.com/portal → My Apps)")
        return ""

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        if self.platform == "tiktok_ads":
            query = {"app_id": self.app_id, "state": state, "redirect_uri": redirect_uri}
            return f"{self.ads_auth_url}?{urlencode(query)}"
        query = {"client_key": self.app_id, "scope": ",".join(TIKTOK_SCOPES),
                 "response_type": "code", "redirect_uri": redirect_uri, "state": state}
        return f"{self.auth_url}?{urlencode(query)}"

    def _post(self, path: str, body: Mapping[str, str], secrets: Sequence[str]
              ) -> dict[str, Any]:
        answer = self.http.request("POST", TIKTOK_API + path, json_body=dict(body),
                                   secrets=secrets)
        if answer.status != 200 or not isinstance(answer.body, dict) or \
                answer.body.get("code") != 0:
            raise tiktok_error(answer, "code exchange", secrets)
        data = answer.body.get("data")
        return data if isinstance(data, dict) else {}

    def exchange(self, params: Mapping[str, str], redirect_uri: str, account_id: str,
                 now: datetime) -> Grant:
        code = _code(params)
        secrets = (code, self.app_secret)
        if self.platform == "tiktok_ads":
            data = self._post("/oauth2/access_token/", {
                "app_id": self.app_id, "secret": self.app_secret, "auth_code": code}, secrets)
            token = data.get("access_token")
            advertisers = [str(a) for a in data.get("advertiser_ids") or []]
            if not isinstance(token, str) or not token:
                raise SourceError("server", "code exchange: TikTok answered no access_token")
            if account_id not in advertisers:
                raise SourceError("permission", f"advertiser {account_id} was not among the "
                                                f"authorized ones ({', '.join(advertisers)})")
            return Grant(token)  # an advertiser token does not expire
        data = self._post("/tt_user/oauth2/token/", {
            "client_id": self.app_id, "client_secret": self.app_secret,
            "grant_type": "authorization_code", "auth_code": code,
            "redirect_uri": redirect_uri}, secrets)
        token, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(token, str) or not token or not isinstance(refresh, str):
            raise SourceError("server", "code exchange: TikTok answered no tokens")
        open_id = str(data.get("open_id") or "")
        if open_id and open_id != account_id:
            raise SourceError("permission", f"the TikTok account signed in ({open_id}) is not "
                                            f"--account {account_id}")
        return Grant(token, refresh, _expiry(now, data.get("expires_in")))


class GoogleFlow:
    def __init__(self, platform: str, *, client_id: str, client_secret: str,
                 auth_url: str = GOOGLE_AUTH_URL, token_url: str = TOKEN_URL) -> None:
        self.platform = platform
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_url = auth_url
        self.token_url = token_url
        self.http = JsonHttp(token_url)

    def problem(self) -> str:
        if not (self.client_id and self.client_secret):
            return ("set KPIBOT_GOOGLE_CLIENT_ID and KPIBOT_GOOGLE_CLIENT_SECRET (a Google "
                    "Cloud OAuth client of type 'Web application')")
        return ""

    def authorize_url(self, state: str, redirect_uri: str) -> str:
        query = {"client_id": self.client_id, "redirect_uri": redirect_uri,
                 "response_type": "code", "scope": " ".join(GOOGLE_SCOPES[self.platform]),
                 "access_type": "offline", "prompt": "consent",
                 "include_granted_scopes": "true", "state": state}
        return f"{self.auth_url}?{urlencode(query)}"

    def exchange(self, params: Mapping[str, str], redirect_uri: str, account_id: str,
                 now: datetime) -> Grant:
        code = _code(params)
        secrets = (code, self.client_secret)
        answer = self.http.request("POST", self.token_url, data={
            "grant_type": "authorization_code", "code": code, "client_id": self.client_id,
            "client_secret": self.client_secret, "redirect_uri": redirect_uri},
            secrets=secrets)
        if answer.status != 200 or not isinstance(answer.body, dict):
            raise token_error(answer, "code exchange", secrets,
                              hint="start `kpibot source add … --oauth` again")
        token, refresh = answer.body.get("access_token"), answer.body.get("refresh_token")
        if not isinstance(token, str) or not token:
            raise SourceError("server", "code exchange: Google answered no access_token")
        if not isinstance(refresh, str) or not refresh:
            raise SourceError("bad_request", "Google answered no refresh token (remove the "
                                             "app's access at myaccount.google.com → Security "
                                             "and connect again)")
        if self.platform == "ga4":  # the GA4 connector mints its own access tokens
            return Grant(json.dumps({"type": "authorized_user", "refresh_token": refresh}))
        return Grant(token, refresh, _expiry(now, answer.body.get("expires_in")))


def flows(settings: Any) -> dict[str, OAuthFlow]:
    """platform → its flow, on the settings' app credentials and URLs."""
    graph = Graph(getattr(settings, "meta_api_url", None) or GRAPH_URL,
                  getattr(settings, "meta_api_version", None) or GRAPH_VERSION)
    meta_id = getattr(settings, "meta_app_id", None) or ""
    meta_secret = _secret(settings, "meta_app_secret")
    dialog = getattr(settings, "meta_dialog_url", None) or META_DIALOG_URL
    tiktok = {"app_id": getattr(settings, "tiktok_app_id", None) or "",
              "app_secret": _secret(settings, "tiktok_app_secret"),
              "auth_url": getattr(settings, "tiktok_auth_url", None) or TIKTOK_AUTH_URL,
              "ads_auth_url": getattr(settings, "tiktok_ads_auth_url", None)
              or TIKTOK_ADS_AUTH_URL,
              "api_url": getattr(settings, "tiktok_api_url", None) or TIKTOK_URL}
    out: dict[str, OAuthFlow] = {
        p: MetaFlow(p, app_id=meta_id, app_secret=meta_secret, dialog_url=dialog, graph=graph)
        for p in META_SCOPES}
    out.update({p: TikTokFlow(p, **tiktok) for p in ("tiktok", "tiktok_ads")})
    out.update({p: GoogleFlow(
        p, client_id=getattr(settings, "google_client_id", None) or "",
        client_secret=_secret(settings, "google_client_secret"),
        auth_url=getattr(settings, "google_auth_url", None) or GOOGLE_AUTH_URL,
        token_url=getattr(settings, "google_token_url", None) or TOKEN_URL)
        for p in GOOGLE_SCOPES})
    return out


if TYPE_CHECKING:  # mypy checks the flows against the engine's protocol
    _meta: OAuthFlow = MetaFlow("instagram", app_id="", app_secret="")
    _tiktok: OAuthFlow = TikTokFlow("tiktok", app_id="", app_secret="")
    _google: OAuthFlow = GoogleFlow("youtube", client_id="", client_secret="")
